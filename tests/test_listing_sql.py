"""bexpr.listing over a database gives the pages it gives in memory.

The same records are listed from a list (sorted in Python) and from
SQLite and PostgreSQL tables (sorted, paginated and filtered there): every
page, its next token and any error must be the same.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.pool import StaticPool

from bexpr import listing
from tests.strategies import records, trees

# Keys whose order differs between code points and a locale's collation.
STRING_KEYS = ["a", "B", "b", "Z", "_x", "aa", "é", "e", "E1", "10", "9", "a b", "日本"]


def finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return True


@pytest.fixture(scope="module")
def databases(postgres_url: str) -> Iterator[list[tuple[sa.Engine, sa.Table, sa.Table]]]:
    found = []
    for backend in ("sqlite", "postgresql"):
        if backend == "sqlite":
            engine = sa.create_engine(
                "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            engine = sa.create_engine(postgres_url)
        json_type = JSONB if backend == "postgresql" else sa.JSON
        metadata = sa.MetaData()
        by_name = sa.Table(
            "listed_by_name",
            metadata,
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("doc", json_type(none_as_null=True)),
        )
        by_index = sa.Table(
            "listed_by_index",
            metadata,
            sa.Column("create_index", sa.BigInteger, primary_key=True),
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("doc", json_type(none_as_null=True)),
        )
        metadata.drop_all(engine)
        metadata.create_all(engine)
        found.append((engine, by_name, by_index))
    yield found
    for engine, _, _ in found:
        engine.dispose()


def outcome(run: Any) -> Any:
    """Every page of a walk (items and token), or the error that ended it."""
    pages: list[Any] = []
    try:
        token: str | None = None
        for _ in range(50):
            page = run(token)
            pages.append((page.items, page.next_token))
            if page.next_token is None:
                break
            token = page.next_token
    except listing.ListingError as err:
        pages.append(("error", err.to_dict(), err.key))
    return pages


listed = st.lists(records.filter(finite), min_size=0, max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=listed,
    composite=st.booleans(),
    tree=st.none() | trees(),
    per_page=st.none() | st.integers(1, 4),
    reverse=st.booleans(),
    errors=st.sampled_from(["fail", "skip"]),
    start=st.none() | st.tuples(st.integers(-1, 4), st.sampled_from(STRING_KEYS)),
    seed=st.randoms(use_true_random=False),
)
def test_a_database_lists_what_memory_lists(
    data: list[dict[str, Any]],
    composite: bool,
    tree: Any,
    per_page: int | None,
    reverse: bool,
    errors: Any,
    start: Any,
    seed: Any,
    databases: list[tuple[sa.Engine, sa.Table, sa.Table]],
) -> None:
    names = seed.sample(STRING_KEYS, k=min(len(data), len(STRING_KEYS)))
    data = data[: len(names)]
    for i, record in enumerate(data):
        record["ID"] = names[i]
        record["CreateIndex"] = seed.randint(0, 3)
    text = None if tree is None else str(tree)
    for engine, by_name, by_index in databases:
        table = by_index if composite else by_name
        key_columns: Any = (table.c.create_index, table.c.id) if composite else table.c.id
        with engine.begin() as connection:
            connection.execute(table.delete())
            if data:
                connection.execute(
                    table.insert(),
                    [
                        {"id": r["ID"], "doc": r, "create_index": r["CreateIndex"]}
                        if composite
                        else {"id": r["ID"], "doc": r}
                        for r in data
                    ],
                )
            # The records as the database holds them (jsonb rewrites some numbers).
            stored = [doc for (doc,) in connection.execute(sa.select(table.c.doc))]
            key = ("CreateIndex", "ID") if composite else "ID"
            # A token of the key's shape (a malformed one is a 400 either way).
            first = None if start is None else f"{start[0]}.{start[1]}" if composite else start[1]

            def walk(source: Any, first: str | None = first, key: Any = key) -> Any:
                return outcome(
                    lambda token: listing.query(
                        source,
                        filter=text,
                        per_page=per_page,
                        next_token=token if token is not None else first,
                        reverse=reverse,
                        key=key,
                        errors=errors,
                    )
                )

            memory = walk(stored)
            database = walk(listing.Rows(connection, table, key_columns, document=table.c.doc))
            assert database == memory, (engine.dialect.name, text, stored)
        event("error" if memory and memory[-1][0] == "error" else f"{len(memory)} pages")
        event("some items" if any(page[0] for page in memory if page[0] != "error") else "none")


def test_an_index_is_sorted_once_and_lists_as_a_list_does() -> None:
    jobs = [{"ID": name, "Port": i % 3} for i, name in enumerate(STRING_KEYS)]
    index = listing.Index(jobs)
    assert [job["ID"] for job in index] == sorted(STRING_KEYS)
    for per_page in (None, 1, 2, 5):
        for reverse in (False, True):
            for token in (None, "a", "b", "zzz"):
                arguments: dict[str, Any] = {
                    "filter": "Port == 1",
                    "per_page": per_page,
                    "reverse": reverse,
                    "next_token": token,
                }
                assert listing.query(index, **arguments) == listing.query(jobs, **arguments)
    with pytest.raises(listing.ListingError) as raised:
        listing.Index([{"ID": "a"}, {"ID": "a"}])
    assert raised.value.status == 500


def test_rows_pages_come_in_batches() -> None:
    # Far more rows than a batch, few matching: the walk reads on until the
    # page is full or the rows end, and the token points at the next match.
    engine = sa.create_engine("sqlite://")
    table = sa.Table(
        "many",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc", sa.JSON),
    )
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(),
            [{"id": i, "doc": {"ID": i, "Even": i % 2 == 0, "S": str(i)}} for i in range(5000)],
        )
        rows = listing.Rows(connection, table, table.c.id, document=table.c.doc)
        # Not a plain prefix or suffix: SQLite runs bexpr's matcher per row.
        page = listing.query(rows, filter='S matches "^4.*9$"', per_page=3, key="ID")
        assert [r["ID"] for r in page.items] == [49, 409, 419]
        assert page.next_token == "429"
        page = listing.query(rows, filter="Even == true", per_page=2, next_token="4995")
        assert [r["ID"] for r in page.items] == [4996, 4998] and page.last
        everything = listing.query(rows)
        assert len(everything.items) == 5000 and everything.last
        with pytest.raises(listing.ListingError) as raised:
            listing.query(rows, next_token="abc")
        assert raised.value.status == 400 and raised.value.parameter == "next_token"


def test_a_key_column_must_hold_integers_or_strings() -> None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("floats", sa.MetaData(), sa.Column("f", sa.Float), sa.Column("doc", sa.JSON))
    table.metadata.create_all(engine)
    with engine.begin() as connection, pytest.raises(listing.ListingError) as raised:
        listing.query(listing.Rows(connection, table, table.c.f, document=table.c.doc))
    assert raised.value.status == 500


def test_a_broken_connection_is_a_500() -> None:
    engine = sa.create_engine("sqlite://")
    table = sa.Table("gone", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("doc", sa.JSON))
    with engine.connect() as connection, pytest.raises(listing.ListingError) as raised:
        # The table was never created: the database refuses the query.
        listing.query(listing.Rows(connection, table, table.c.id, document=table.c.doc))
    assert raised.value.status == 500
    assert "OperationalError" in raised.value.message
