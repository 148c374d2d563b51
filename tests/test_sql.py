"""bexpr.sql on SQLite and on a real PostgreSQL server: the reference's answers.

Every outcome is compared with the Python evaluator's on the record as the
database gives it back (PostgreSQL normalizes some numbers' text, which
changes nothing bexpr decides but is the record it really holds).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import StaticPool

import bexpr
import bexpr.sql
from bexpr.syntax.tokens import quote
from tests.strategies import records, trees
from tests.test_conformance import EVALUATING

CASES = EVALUATING


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


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
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
                try:
                    counted: Any = bexpr.sql.count(
                        connection, select, text, document=table.c.doc, errors=errors
                    )
                except bexpr.EvaluationError:
                    counted = "error"
                assert counted == (expected if expected == "error" else len(expected))


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
            for errors in ("fail", "skip"):
                expected = python_ids(text, stored, errors)
                try:
                    rows = bexpr.sql.execute(
                        connection, select, text, columns=columns, errors=errors
                    )
                    got: Any = [row.id for row in rows]
                except bexpr.EvaluationError:
                    got = "error"
                assert got == expected, (engine.dialect.name, text, stored, errors)


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
    engine = make_engine("sqlite", None)
    table.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            table.insert(), [{"name": n, "priority": p} for n in ("web", "api") for p in (50, 7)]
        )
        select = sa.select(table.c.name)
        for text in ("Name == web and Priority == 50", "Name != web or Priority == 7"):
            counted = bexpr.sql.count(connection, select, text, columns=columns)
            assert counted == len(bexpr.sql.execute(connection, select, text, columns=columns))
            assert counted == {"Name == web and Priority == 50": 1}.get(text, 3)


# -- the prefilter an index answers -------------------------------------------------------


class Explain(sa.sql.expression.Executable, sa.sql.expression.ClauseElement):
    """``EXPLAIN`` of a statement, its parameters bound as usual."""

    inherit_cache = False

    def __init__(self, statement: Any) -> None:
        self.statement = statement


@compiles(Explain)
def _explain(element: Explain, compiler: Any, **kw: Any) -> str:
    return "EXPLAIN " + compiler.process(element.statement, **kw)


def statements_of(engine: sa.Engine) -> list[str]:
    """The SQL text of every statement ``engine`` runs from now on."""
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    return seen


def test_a_gin_index_answers_the_prefilter(postgres_url: str) -> None:
    engine = make_engine("postgresql", postgres_url)
    table = documents_table(engine, "indexed")
    sa.Index("indexed_doc", table.c.doc, postgresql_using="gin").create(engine)
    records = [
        {
            "Name": f"job-{i}",
            "Status": "running" if i % 50 else "dead",
            "Meta": {"team": f"t{i % 7}"},
        }
        for i in range(5000)
    ]
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"id": i, "doc": r} for i, r in enumerate(records)])
        connection.exec_driver_sql("ANALYZE indexed")
    text = 'Name == "job-4242" and Meta.team == t0'
    translation = bexpr.sql.translate(text, document=table.c.doc, dialect="postgresql")
    assert translation.prefilter is not None
    select = sa.select(table.c.id).order_by(table.c.id)
    query = select.where(translation.prefilter).where(translation.where.is_not(sa.false()))
    seen = statements_of(engine)
    with engine.connect() as connection:
        plan = "\n".join(row[0] for row in connection.execute(Explain(query)))
        assert "Bitmap Index Scan on indexed_doc" in plan, plan
        skipped = bexpr.sql.execute(connection, select, text, document=table.c.doc, errors="skip")
        failed = bexpr.sql.execute(connection, select, text, document=table.c.doc)
    assert [row.id for row in skipped] == [row.id for row in failed] == [4242]
    # execute adds the prefilter only where failing records are skipped.
    assert "@>" in seen[-2] and "@>" not in seen[-1]
    engine.dispose()


# Each pair is a record the reference keeps although no containment test
# written for its filter would find it: the prefilter must not be emitted.
NOT_PREFILTERED = [
    ("X == 5", '{"X": 5.0000000000000001}'),  # float64 rounding: 5 to the reference
    ("X == 5", '{"X": "5"}'),
    ("X == inf", '{"X": 1e400}'),
    ("X == 1", '{"X": true}'),
    ('X.0 == "a"', '{"X": ["a"]}'),  # a list index
    ('X[""] == "a"', '{"X": ["a"]}'),  # an empty key is index 0
    ('"dc2" in X', '{"X": "xdc2x"}'),  # a substring
    ('"dc2" in X', '{"X": {"dc2": 1}}'),  # a key
    ("X != web", '{"X": "api"}'),
    ("not X == web", '{"X": "api"}'),
    ("X == web or Y == 1", '{"X": "api", "Y": 1}'),
]


@pytest.mark.parametrize(("text", "record"), NOT_PREFILTERED)
def test_the_prefilter_never_drops_a_match(text: str, record: str, postgres_url: str) -> None:
    engine = make_engine("postgresql", postgres_url)
    table = documents_table(engine, "kept")
    with engine.begin() as connection:
        connection.execute(table.insert().values(id=1, doc=sa.cast(sa.literal(record), JSONB)))
        select = sa.select(table.c.id)
        rows = bexpr.sql.execute(connection, select, text, document=table.c.doc, errors="skip")
        # The record as stored: jsonb writes 1e400 out as an integer, no longer inf.
        stored = connection.execute(sa.select(table.c.doc)).scalar_one()
        expected = [1] if bexpr.filter(text, [stored], errors="skip") else []
        assert [row.id for row in rows] == expected, text
        assert expected == [1] or "1e400" in record
    engine.dispose()


def test_the_prefilter_holds_where_a_match_must() -> None:
    doc = sa.column("doc", JSONB)
    where = {
        "Name == web": '{"Name": "web"}',
        "Meta.env == prod and Name == web": '{"Meta": {"env": "prod"}}',
        "Stop == true": '{"Stop": true}',
        "Name == web or Name == api": '{"Name": "api"}',
    }
    for text, fragment in where.items():
        prefilter = bexpr.sql.translate(text, document=doc, dialect="postgresql").prefilter
        assert prefilter is not None, text
        params = prefilter.compile(dialect=postgresql.dialect()).params
        assert fragment in params.values() or any(fragment in str(v) for v in params.values())
    for text, _ in NOT_PREFILTERED:
        assert bexpr.sql.translate(text, document=doc, dialect="postgresql").prefilter is None
    # Typed columns get a plain comparison a B-tree answers.
    name = sa.column("name", sa.String)
    typed = bexpr.sql.translate("Name == web", columns={"Name": name}).prefilter
    assert typed is not None and "name = " in str(typed)


def test_the_sql_grows_linearly_with_the_filter() -> None:
    # A CASE that read its left operand twice doubled the SQL at each level.
    doc = sa.column("doc", sa.JSON)
    text = "a == 1"
    sizes = []
    for level in range(30):
        text = f"not ({text} and b{level} == x)"
        where = bexpr.sql.translate(text, document=doc).where
        sizes.append(len(str(where.compile())))
    assert sizes[-1] < 40 * sizes[0]
