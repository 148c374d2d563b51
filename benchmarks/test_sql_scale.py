"""bexpr in the database against loading every row into Python, at scale.

A table of job documents (``BEXPR_SQL_BENCH_RECORDS``, 1,000,000 by default;
CI runs 2,000 with timings off) in SQLite and in PostgreSQL (when
``BEXPR_POSTGRES_URL`` names a server): the first page of a selective filter
(``bexpr.listing`` over ``listing.Rows``) and the count of all its matches
(``bexpr.sql.count``), against ``SELECT id, doc ORDER BY id`` read whole
and filtered by the compiled expression in Python. Each SQL answer is
checked against the Python one. docs/performance.md has the table.

    python3 -m pytest benchmarks/test_sql_scale.py --benchmark-group-by=param:backend
"""

from __future__ import annotations

import itertools
import json
import os
import random
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bexpr
from benchmarks.dataset import job

sa = pytest.importorskip("sqlalchemy")
import bexpr.sql  # noqa: E402
from bexpr import listing  # noqa: E402

RECORDS = int(
    os.environ.get("BEXPR_SQL_BENCH_RECORDS", os.environ.get("BEXPR_BENCH_RECORDS", "1000000"))
)
PER_PAGE = 20
CHUNK = 10_000
# About 0.7% of the jobs: owner cy (30% x 1/3), dead (1/3), priority 90 (1/5).
SELECTIVE = 'Meta.owner == "cy" and Status == "dead" and Priority == 90'
NEEDLE_AT = RECORDS * 7 // 10  # one job, 70% of the way through the keys


def documents() -> Iterator[list[dict[str, Any]]]:
    """The jobs in chunks, never all in memory at once."""
    rng = random.Random(42)
    numbers = iter(range(RECORDS))
    while chunk := [job(i, rng) for i in itertools.islice(numbers, CHUNK)]:
        yield chunk


class Table:
    def __init__(self, engine: Any, table: Any, needle: str) -> None:
        self.engine = engine
        self.table = table
        self.needle = needle

    def filters(self) -> dict[str, str]:
        return {"selective": SELECTIVE, "needle": f"Name == {json.dumps(self.needle)}"}


def fill(engine: Any, table: Any, write: Any) -> str:
    needle = ""
    for chunk in documents():
        for doc in chunk:
            if int(doc["ID"][4:]) == NEEDLE_AT:
                needle = doc["Name"]
        write(chunk)
    return needle


@pytest.fixture(scope="module")
def sqlite_table() -> Iterator[Table]:
    directory = tempfile.mkdtemp(prefix="bexpr-bench-")
    engine = sa.create_engine(f"sqlite:///{Path(directory) / 'jobs.sqlite3'}")
    table = sa.Table(
        "jobs",
        sa.MetaData(),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("doc", sa.JSON, nullable=False),
    )
    table.metadata.create_all(engine)

    def write(chunk: list[dict[str, Any]]) -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO jobs (id, doc) VALUES (?, ?)",
                [(doc["ID"], json.dumps(doc)) for doc in chunk],
            )

    needle = fill(engine, table, write)
    yield Table(engine, table, needle)
    engine.dispose()
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))
    os.rmdir(directory)


@pytest.fixture(scope="module")
def postgresql_table() -> Iterator[Table]:
    url = os.environ.get("BEXPR_POSTGRES_URL")
    if not url:
        pytest.skip("BEXPR_POSTGRES_URL names no PostgreSQL server")
    from sqlalchemy.dialects.postgresql import JSONB

    name = f"bexpr_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = sa.create_engine(sa.engine.make_url(url).set(database=name))
    table = sa.Table(
        "jobs",
        sa.MetaData(),
        sa.Column("id", sa.Text(collation="C"), primary_key=True),
        sa.Column("doc", JSONB, nullable=False),
    )
    table.metadata.create_all(engine)

    def write(chunk: list[dict[str, Any]]) -> None:
        with engine.begin() as connection:
            cursor = connection.connection.dbapi_connection.cursor()
            with cursor.copy("COPY jobs (id, doc) FROM STDIN") as copy:
                for doc in chunk:
                    copy.write_row((doc["ID"], json.dumps(doc)))

    needle = fill(engine, table, write)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX jobs_doc ON jobs USING gin (doc jsonb_path_ops)")
        connection.exec_driver_sql("ANALYZE jobs")
    yield Table(engine, table, needle)
    engine.dispose()
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Table:
    table: Table = request.getfixturevalue(f"{request.param}_table")
    return table


_python_answers: dict[tuple[str, str], tuple[list[Any], int]] = {}


def in_python(db: Table, text: str) -> tuple[list[Any], int]:
    """Every row read, decoded and filtered in Python: the first page and the count."""
    expression = bexpr.compile(text)
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=CHUNK).execute(
            sa.select(db.table.c.doc).order_by(db.table.c.id)
        )
        page: list[Any] = []
        total = 0
        for doc in expression.filter(doc for (doc,) in result):
            if len(page) < PER_PAGE:
                page.append(doc)
            total += 1
    return page, total


def python_answer(db: Table, which: str) -> tuple[list[Any], int]:
    key = (db.engine.dialect.name, which)
    if key not in _python_answers:
        _python_answers[key] = in_python(db, db.filters()[which])
    return _python_answers[key]


@pytest.mark.parametrize("which", ["selective", "needle"])
def test_load_every_row_and_filter_in_python(benchmark: Any, backend: Table, which: str) -> None:
    text = backend.filters()[which]
    page, total = benchmark.pedantic(in_python, (backend, text), rounds=1, iterations=1)
    _python_answers[(backend.engine.dialect.name, which)] = (page, total)
    assert total >= 1


@pytest.mark.parametrize("errors", ["fail", "skip"])
@pytest.mark.parametrize("which", ["selective", "needle"])
def test_first_page_in_sql(benchmark: Any, backend: Table, which: str, errors: str) -> None:
    text = backend.filters()[which]
    table = backend.table

    def first_page() -> listing.Page[Any]:
        with backend.engine.connect() as connection:
            rows = listing.Rows(
                connection, sa.select(table.c.doc), table.c.id, document=table.c.doc
            )
            return listing.query(rows, filter=text, per_page=PER_PAGE, errors=errors)

    page = benchmark.pedantic(first_page, rounds=3, iterations=1)
    expected, _ = python_answer(backend, which)
    assert page.items == expected


@pytest.mark.parametrize("which", ["selective", "needle"])
def test_count_in_sql(benchmark: Any, backend: Table, which: str) -> None:
    text = backend.filters()[which]
    table = backend.table

    def count() -> int:
        with backend.engine.connect() as connection:
            return bexpr.sql.count(connection, sa.select(table.c.id), text, document=table.c.doc)

    total = benchmark.pedantic(count, rounds=3, iterations=1)
    _, expected = python_answer(backend, which)
    assert total == expected
