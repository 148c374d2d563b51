"""Filters that run inside the database: exact SQL with SQLAlchemy.

:func:`translate` turns a filter into a SQLAlchemy Core expression that is
TRUE, FALSE or NULL per row (see :mod:`bexpr.translate.sql` for how it stays
exact); :func:`execute` runs a ``select`` with it pushed down and re-checks
the undecided rows in Python, giving exactly the rows whose records match —
or raising :class:`bexpr.EvaluationError` where the reference would.

>>> import sqlalchemy as sa, bexpr.sql
>>> engine = sa.create_engine("sqlite://")
>>> jobs = sa.Table("jobs", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
...                 sa.Column("doc", sa.JSON))
>>> jobs.metadata.create_all(engine)
>>> with engine.begin() as connection:
...     _ = connection.execute(jobs.insert(), [
...         {"doc": {"Name": "web", "Meta": {"env": "prod"}}},
...         {"doc": {"Name": "db", "Meta": {"env": "dev"}}},
...     ])
...     rows = bexpr.sql.execute(connection, sa.select(jobs.c.id), 'Meta.env == prod',
...                              document=jobs.c.doc)
>>> [row.id for row in rows]
[1]

SQLAlchemy (2.0 or later) and, for PostgreSQL, psycopg 3 come with the
``sql`` extra: ``pip install 'bexpr[sql]'``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Unpack

import sqlalchemy as sa
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData

from bexpr.api import Errors, Expression, RecordError, check_errors
from bexpr.api import compile as compile_expression
from bexpr.errors import EvaluationError
from bexpr.options import CompileOptions, options_from
from bexpr.syntax.parser import parse
from bexpr.translate.sql import Translation, register_sqlite, translate_tree

__all__ = [
    "Pushdown",
    "Translation",
    "count",
    "everything",
    "execute",
    "pushdown",
    "register_sqlite",
    "translate",
]


def translate(
    expr: str | Expression,
    *,
    document: Any = None,
    columns: Mapping[str, Any] | None = None,
    dialect: str = "sqlite",
    **options: Unpack[CompileOptions],
) -> Translation:
    """``expr`` as a SQL expression for ``dialect`` (``"sqlite"`` or
    ``"postgresql"``): ``.where`` is TRUE, FALSE or NULL per row, ``.exact``
    says it is never NULL.

    ``document`` is the JSON column (SQLite JSON text, PostgreSQL ``jsonb``)
    holding each whole record; ``columns`` maps a top-level selector to a
    column, whose value it is — below a JSON column the path continues
    inside its document. A selector neither maps is left to Python.
    ``options`` are those of :func:`bexpr.compile`.
    """
    if isinstance(expr, Expression):
        tree, opts = expr.tree, expr.options
    else:
        opts = options_from(options)
        tree = parse(expr, opts.limits)
    return translate_tree(tree, opts, dialect, document, columns)


def _record(values: Sequence[Any], document: bool, names: Sequence[str]) -> Any:
    """The record a row holds, as the Python evaluator sees it."""
    fields = dict(zip(names, values[1:] if document else values, strict=True))
    if not document:
        return {name: _decoded(value) for name, value in fields.items()}
    record = _decoded(values[0])
    if fields and isinstance(record, dict):
        record = {**record, **{name: _decoded(value) for name, value in fields.items()}}
    return record


def _decoded(value: Any) -> Any:
    # A JSON column of a type the driver does not decode comes back as text.
    if isinstance(value, str | bytes) and value[:1] in ("{", "[", b"{", b"["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class Pushdown:
    """A ``select`` with a filter pushed down (see :func:`pushdown`).

    ``statement`` is the select with three additions: a ``bexpr_match``
    column (TRUE, or NULL for "re-check in Python"), the columns that hold
    each row's record, and ``WHERE bexpr_match IS NOT FALSE`` (with the
    prefilter when failing records are skipped). Add ``ORDER BY``,
    ``LIMIT`` or more ``WHERE`` clauses to it as to any select, then read
    each row of the result with :meth:`split`.
    """

    statement: Any
    expression: Expression | None
    """The filter, compiled; None when :func:`everything` made this."""
    translation: Translation
    width: int
    """How many columns of a row are the select's own (they come first)."""
    document: bool
    names: tuple[str, ...]

    def split(self, row: Any) -> tuple[tuple[Any, ...], bool | None, Callable[[], Any]]:
        """A row as (the select's own values, the SQL decision, the record).

        The decision is True (the record matches) or None (undecided: call
        the third element for the record as the evaluator sees it, and
        evaluate :attr:`expression` on it).
        """
        values = tuple(row)
        own, decided = values[: self.width], values[self.width]
        rest = values[self.width + 1 :]
        return (
            own,
            (None if decided is None else bool(decided)),
            (lambda: _record(rest, self.document, self.names)),
        )


def pushdown(
    connection: Any,
    select: Any,
    expr: str | Expression,
    *,
    document: Any = None,
    columns: Mapping[str, Any] | None = None,
    errors: Errors = "fail",
    records: bool = True,
    **options: Unpack[CompileOptions],
) -> Pushdown:
    """``select`` with ``expr`` pushed down, for ``connection``'s database.

    :func:`execute` is this, then the re-check; use it directly to add to
    the statement (a ``LIMIT``, an ordering) or to read ``EXPLAIN``. On
    SQLite it registers the ``matches`` function on the connection. With
    ``records=False`` the record columns hold NULL except in undecided rows,
    the only ones whose record the re-check reads.
    """
    check_errors(errors)
    compiled = expr if isinstance(expr, Expression) else compile_expression(expr, **options)
    dialect = connection.dialect.name
    if dialect == "sqlite":
        register_sqlite(connection.connection.dbapi_connection, compiled.options)
    translation = translate_tree(compiled.tree, compiled.options, dialect, document, columns)
    return _pushed(select, compiled, translation, document, columns, errors, records)


def _pushed(
    select: Any,
    compiled: Expression | None,
    translation: Translation,
    document: Any,
    columns: Mapping[str, Any] | None,
    errors: Errors,
    records: bool = True,
) -> Pushdown:
    if not isinstance(select, sa.Select):
        select = sa.select(select)  # a table or another FromClause: all its columns
    mapped = dict(columns or {})
    match = translation.where.label("bexpr_match")
    sources = ([] if document is None else [document]) + list(mapped.values())
    if not records:
        # Only an undecided row's record is read (and decoded): a decided
        # row needs none, and the test is computed only for selected rows.
        sources = [sa.case((translation.where.is_(None), source)) for source in sources]
    record_columns = [source.label(f"bexpr_{n}") for n, source in enumerate(sources)]
    width = len(select.selected_columns)
    statement = select.add_columns(match, *record_columns)
    if compiled is None:
        return Pushdown(statement, None, translation, width, document is not None, tuple(mapped))
    statement = statement.where(match.is_not(sa.false()))
    if errors == "skip" and translation.prefilter is not None:
        # Only when failing records are dropped: the index may then skip them.
        statement = statement.where(translation.prefilter)
    return Pushdown(statement, compiled, translation, width, document is not None, tuple(mapped))


def everything(
    select: Any, *, document: Any = None, columns: Mapping[str, Any] | None = None
) -> Pushdown:
    """A :class:`Pushdown` with no filter: every row, TRUE, with its record."""
    return _pushed(select, None, Translation(sa.true(), True), document, columns, "fail")


def execute(
    connection: Any,
    select: Any,
    expr: str | Expression,
    *,
    document: Any = None,
    columns: Mapping[str, Any] | None = None,
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> list[Any]:
    """The rows of ``select`` whose records match ``expr``, in its order.

    The filter runs in the database (``WHERE m IS NOT FALSE``); the rows it
    cannot decide are re-checked in Python on their records, so the result
    is exactly what :meth:`bexpr.Expression.filter` gives on the same
    records. ``errors`` is as there: ``"fail"`` raises
    :class:`bexpr.EvaluationError` for the first row the reference fails on
    (its ``key`` is that row), ``"skip"`` leaves such rows out, a function
    receives a :class:`bexpr.RecordError` for each.

    With ``errors="skip"`` the query also carries the translation's
    ``prefilter``, which an index can answer (a GIN index on a ``jsonb``
    column, a B-tree on a typed column); with the other two every row must
    be read, since any of them might be one the reference fails on.
    """
    pushed = pushdown(
        connection,
        select,
        expr,
        document=document,
        columns=columns,
        errors=errors,
        records=False,
        **options,
    )
    compiled = pushed.expression
    assert compiled is not None
    result = connection.execute(pushed.statement)
    keys = list(result.keys())[: pushed.width]
    kept = []
    for row in result:
        own, decided, record = pushed.split(row)
        if decided is None and not _keeps(compiled, own, record(), errors):
            continue
        if decided is False:  # WHERE keeps no FALSE row; a driver may give 0
            continue
        kept.append(own)
    return list(IteratorResult(SimpleResultMetaData(keys), iter(kept)).all())


def count(
    connection: Any,
    select: Any,
    expr: str | Expression,
    *,
    document: Any = None,
    columns: Mapping[str, Any] | None = None,
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> int:
    """How many rows of ``select`` have records that match ``expr``.

    ``select`` need name no more than a key (``select(table.c.id)``). The
    database decides what it can; a decided row comes back as a bare TRUE,
    and only the undecided ones bring their records, in the select's order,
    to be re-checked in Python — so ``errors`` acts as in :func:`execute`,
    and the result is ``len(execute(...))`` without reading the matching
    rows' records. An exact translation is a bare ``count(*)``.
    """
    pushed = pushdown(
        connection,
        select,
        expr,
        document=document,
        columns=columns,
        errors=errors,
        records=False,
        **options,
    )
    compiled = pushed.expression
    assert compiled is not None
    if pushed.translation.exact:
        matching = pushed.statement.subquery()
        return int(connection.execute(sa.select(sa.func.count()).select_from(matching)).scalar())
    total = 0
    # One pass: a matching row comes back as a TRUE and no record; only an
    # undecided row brings its record, for the re-check.
    for row in connection.execute(pushed.statement):
        own, decided, record = pushed.split(row)
        total += 1 if decided else _keeps(compiled, own, record(), errors)
    return total


def _keeps(expression: Expression, key: Any, record: Any, errors: Errors) -> bool:
    """The Python re-check of one undecided row."""
    try:
        return expression.evaluate(record)
    except EvaluationError as err:
        if errors == "fail":
            raise err.with_key(key) from err
        if callable(errors):
            errors(RecordError(key, record, err))
        return False
