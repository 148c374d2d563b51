"""bexpr.sql on SQLite and on a real PostgreSQL server: the reference's answers.

Every outcome is compared with the Python evaluator's on the record as the
database gives it back (PostgreSQL normalizes some numbers' text, which
changes nothing bexpr decides but is the record it really holds).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.pool import StaticPool

import bexpr
import bexpr.sql
from bexpr.syntax.tokens import quote
from tests.strategies import records, trees

CORPUS = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "conformance_public.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]
CASES = [c for c in CORPUS if not c["filter"] and c["expect"] != "parse_error"]


def make_engine(backend: str, postgres_url: str | None) -> sa.Engine:
    if backend == "sqlite":
        return sa.create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    assert postgres_url is not None
    return sa.create_engine(postgres_url)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    engine = make_engine(request.param, url)
    yield engine
    engine.dispose()


def documents_table(engine: sa.Engine, name: str) -> sa.Table:
    json_type = JSONB if engine.dialect.name == "postgresql" else sa.JSON
    table = sa.Table(
        name,
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc", json_type(none_as_null=True)),
    )
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    return table


def outcome(run: Any) -> Any:
    try:
        return run()
    except bexpr.EvaluationError:
        return "error"


def python_outcome(expression: str, record: Any, options: dict[str, Any]) -> Any:
    return outcome(lambda: bexpr.evaluate(expression, record, **options))


def test_the_corpus_has_evaluation_cases() -> None:
    assert len(CASES) > 250


def test_every_conformance_case_gives_the_python_outcome(engine: sa.Engine) -> None:
    table = documents_table(engine, "corpus")
    with engine.begin() as connection:
        connection.execute(
            table.insert(), [{"id": i, "doc": case["data"]} for i, case in enumerate(CASES)]
        )
    checked = 0
    with engine.connect() as connection:
        stored = dict(connection.execute(sa.select(table.c.id, table.c.doc)).all())
        for i, case in enumerate(CASES):
            options = dict(case.get("opts") or {})
            expected = python_outcome(case["expr"], stored[i], options)
            if expected != "error":
                expected = [i] if expected else []
            select = sa.select(table.c.id).where(table.c.id == i)
            got = outcome(
                lambda select=select, case=case, options=options: [  # type: ignore[misc]
                    row.id
                    for row in bexpr.sql.execute(
                        connection, select, case["expr"], document=table.c.doc, **options
                    )
                ]
            )
            assert got == expected, (case["id"], case["expr"], stored[i])
            checked += 1
    assert checked == len(CASES)


def finite(value: Any) -> bool:
    """JSON has no inf or nan: such records cannot be stored as documents."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list):
        return all(finite(v) for v in value)
    return True


@pytest.fixture(scope="module")
def generated_tables(
    postgres_url: str,
) -> Iterator[list[tuple[sa.Engine, sa.Table]]]:
    pairs = []
    for backend in ("sqlite", "postgresql"):
        engine = make_engine(backend, postgres_url)
        pairs.append((engine, documents_table(engine, "generated")))
    yield pairs
    for engine, _ in pairs:
        engine.dispose()


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=trees(), data=st.lists(records.filter(finite), min_size=1, max_size=6))
def test_generated_filters_and_records(
    tree: Any, data: list[Any], generated_tables: list[tuple[sa.Engine, sa.Table]]
) -> None:
    text = str(tree)
    for engine, table in generated_tables:
        with engine.begin() as connection:
            connection.execute(table.delete())
            connection.execute(table.insert(), [{"id": i, "doc": d} for i, d in enumerate(data)])
            ordered = sa.select(table.c.id, table.c.doc).order_by(table.c.id)
            stored = [doc for _, doc in connection.execute(ordered)]
            select = sa.select(table.c.id).order_by(table.c.id)
            for errors in ("fail", "skip"):
                expected = python_ids(text, stored, errors)
                got = sql_ids(connection, select, text, table, errors)
                assert got == expected, (engine.dialect.name, text, stored, errors)


def python_ids(text: str, stored: list[Any], errors: Any) -> Any:
    """The indexes of the records bexpr.filter keeps, or "error"."""
    try:
        kept = {id(record) for record in bexpr.filter(text, stored, errors=errors)}
    except bexpr.EvaluationError:
        return "error"
    return [i for i, record in enumerate(stored) if id(record) in kept]


def sql_ids(connection: Any, select: Any, text: str, table: sa.Table, errors: Any) -> Any:
    """The ids of the rows bexpr.sql.execute gives, or "error"."""
    try:
        rows = bexpr.sql.execute(connection, select, text, document=table.c.doc, errors=errors)
    except bexpr.EvaluationError:
        return "error"
    return [row.id for row in rows]


# -- bound parameters only ------------------------------------------------------------

HOSTILE = [
    "'",
    '"',
    "\\",
    "%",
    "_",
    "a.b",
    '$."a.b"',
    "--",
    "/* x */",
    "'; DROP TABLE jobs; --",
    "é",
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_key_or_value_reaches_the_sql_text(engine: sa.Engine, text: str) -> None:
    table = documents_table(engine, "hostile")
    record = {text: text, "k": {text: [text, "x"]}, "m": {text: text}, "s": f"a{text}b"}
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"id": 1, "doc": record}, {"id": 2, "doc": {"k": {}}}])
        quoted = quote(text)
        for expression in (
            f"{quoted} in s",
            f"k[{quoted}] contains {quoted}",
            f"m[{quoted}] == {quoted}",
            f"s matches {quoted}",
        ):
            translation = bexpr.sql.translate(
                expression, document=table.c.doc, dialect=engine.dialect.name
            )
            statement = str(
                sa.select(table.c.id).where(translation.where).compile(dialect=engine.dialect)
            )
            if len(text) > 1:
                assert text not in statement, statement
            select = sa.select(table.c.id).order_by(table.c.id)
            got = outcome(
                lambda expression=expression, select=select: [  # type: ignore[misc]
                    r.id
                    for r in bexpr.sql.execute(connection, select, expression, document=table.c.doc)
                ]
            )
            expected = outcome(
                lambda expression=expression: [  # type: ignore[misc]
                    i for i, r in ((1, record), (2, {"k": {}})) if bexpr.evaluate(expression, r)
                ]
            )
            assert got == expected, expression


# -- typed columns, and JSON columns below them ------------------------------------------

TYPED_RECORDS = st.fixed_dictionaries(
    {
        "Name": st.none() | st.sampled_from(["web", "", "api-1", "Web", "1", "true", "é"]),
        "Priority": st.none() | st.integers(-3, 3) | st.sampled_from([50, 2**62]),
        "Ratio": st.none() | st.sampled_from([0.0, 1.5, -2.0, 1e10]),
        "Stop": st.none() | st.booleans(),
        "Meta": st.none()
        | st.dictionaries(
            st.sampled_from(["env", "team", "x"]),
            st.sampled_from(["prod", "dev", 1, 1.5, True, None])
            | st.lists(st.sampled_from(["a", 1])),
            max_size=3,
        ),
    }
)
SELECTORS = ["Name", "Priority", "Ratio", "Stop", "Meta", "Meta.env", "Meta.x", "Name.x", "Nope"]
TEXTS = ["web", "", "1", "50", "1.5", "true", "0x10", "e", "prod", "^w", "a", "1e10", "x"]


@st.composite
def typed_filters(draw: st.DrawFn) -> str:
    from bexpr.syntax.ast import Match, MatchOp, Selector, Value

    def match() -> str:
        op = draw(st.sampled_from(list(MatchOp)))
        selector = Selector(tuple(draw(st.sampled_from(SELECTORS)).split(".")))
        value = Value(draw(st.sampled_from(TEXTS))) if op.takes_value else None
        return str(Match(op, selector, value))

    parts = [match() for _ in range(draw(st.integers(1, 3)))]
    joiner = draw(st.sampled_from([" and ", " or "]))
    text = joiner.join(parts)
    return f"not ({text})" if draw(st.booleans()) else text


@pytest.fixture(scope="module")
def typed_tables(postgres_url: str) -> Iterator[list[tuple[sa.Engine, sa.Table]]]:
    pairs = []
    for backend in ("sqlite", "postgresql"):
        engine = make_engine(backend, postgres_url)
        json_type = JSONB if backend == "postgresql" else sa.JSON
        table = sa.Table(
            "typed",
            sa.MetaData(),
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String),
            sa.Column("priority", sa.BigInteger),
            sa.Column("ratio", sa.Float),
            sa.Column("stop", sa.Boolean),
            sa.Column("meta", json_type(none_as_null=True)),
        )
        table.metadata.drop_all(engine)
        table.metadata.create_all(engine)
        pairs.append((engine, table))
    yield pairs
    for engine, _ in pairs:
        engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=typed_filters(), data=st.lists(TYPED_RECORDS, min_size=1, max_size=5))
def test_typed_columns(
    text: str, data: list[dict[str, Any]], typed_tables: list[tuple[sa.Engine, sa.Table]]
) -> None:
    for engine, table in typed_tables:
        columns = {
            "Name": table.c.name,
            "Priority": table.c.priority,
            "Ratio": table.c.ratio,
            "Stop": table.c.stop,
            "Meta": table.c.meta,
        }
        with engine.begin() as connection:
            connection.execute(table.delete())
            connection.execute(
                table.insert(),
                [
                    {"id": i, **{column.key: record[name] for name, column in columns.items()}}
                    for i, record in enumerate(data)
                ],
            )
            order = table.c.id
            stored = [
                dict(zip(columns, row, strict=True))
                for row in connection.execute(sa.select(*columns.values()).order_by(order))
            ]
            select = sa.select(table.c.id).order_by(order)
            expected = python_ids(text, stored, "fail")
            try:
                rows = bexpr.sql.execute(connection, select, text, columns=columns)
                got: Any = [row.id for row in rows]
            except bexpr.EvaluationError:
                got = "error"
            assert got == expected, (engine.dialect.name, text, stored)


def test_a_filter_on_not_null_typed_columns_is_exact() -> None:
    table = sa.Table(
        "exact",
        sa.MetaData(),
        sa.Column("name", sa.String, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
    )
    columns = {"Name": table.c.name, "Priority": table.c.priority}
    assert bexpr.sql.translate("Name == web and Priority == 50", columns=columns).exact
    assert not bexpr.sql.translate("Name == web and Priority == 5.5", columns=columns).exact
    assert not bexpr.sql.translate("Name == web", columns={"Name": sa.column("n", sa.String)}).exact
