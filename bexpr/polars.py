"""bexpr filters on Polars frames, vectorized, with the reference's answers.

:func:`filter` keeps exactly the rows ``bexpr.filter(expr, frame.to_dicts())``
keeps, and raises (or skips) where it does: the filter runs as a Polars
expression over the frame's columns, and the rows it cannot decide (a null
where the reference raises, a pattern the engine cannot run, a lookup only
Python can follow) are re-checked by the Python evaluator, row by row,
inside the same query. A :class:`polars.LazyFrame` stays lazy, so
``scan_parquet(...)`` with the streaming engine filters data larger than
memory.

>>> import polars as pl
>>> import bexpr.polars
>>> jobs = pl.DataFrame({
...     "Name": ["web", "db", "cache"],
...     "Meta": [{"env": "prod"}, {"env": "dev"}, {"env": "prod"}],
...     "Datacenters": [["dc1", "dc2"], ["dc1"], ["dc2"]],
... })
>>> bexpr.polars.filter(jobs, 'Meta.env == prod and "dc2" in Datacenters')["Name"].to_list()
['web', 'cache']

Polars comes with the ``polars`` extra: ``pip install 'bexpr[polars]'``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Final, TypeVar, Unpack

import polars as pl

from bexpr.api import Errors, Expression, RecordError, check_errors
from bexpr.api import compile as compile_expression
from bexpr.errors import EvaluationError
from bexpr.options import CompileOptions
from bexpr.translate.core import undecidable
from bexpr.translate.polars import PolarsOps, schema_types
from bexpr.translate.typed import TypedTranslation, pushable, translate_typed

__all__ = ["expr", "filter", "pushed", "translate"]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

_OPS = PolarsOps()
_NO_POSITION: Final = pl.lit(None, dtype=pl.UInt32)
_SLICE: Final = 4096  # rows the Python re-check converts to dicts at a time


def translate(
    expr: str | Expression, schema: Mapping[str, Any], **options: Unpack[CompileOptions]
) -> TypedTranslation[pl.Expr]:
    """The filter as a three-valued Polars expression for a frame of
    ``schema``: per row TRUE, FALSE or null ("maybe": the Python evaluator
    decides). ``.exact`` says it is never null; ``.columns`` are the columns
    the filter reads. Most callers want :func:`expr` or :func:`filter`."""
    compiled = expr if isinstance(expr, Expression) else compile_expression(expr, **options)
    return translate_typed(compiled.tree, _OPS, schema_types(schema), compiled.options)


def _unused(name: str, schema: Mapping[str, Any]) -> str:
    while name in schema:
        name = "_" + name
    return name


def expr(
    expr: str | Expression,
    schema: Mapping[str, Any],
    *,
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> pl.Expr:
    """A Polars boolean expression that is TRUE exactly for the rows of a
    frame of ``schema`` that the filter keeps: ``frame.filter(expr(...))``.

    Rows the engine cannot decide are evaluated in Python inside the
    expression; with ``errors="fail"`` one the reference fails on raises
    :class:`bexpr.EvaluationError` when the frame is computed (its ``key``
    is the row's position in the batch the expression sees: use
    :func:`filter` for positions in the whole frame).
    """
    compiled = expr if isinstance(expr, Expression) else compile_expression(expr, **options)
    translation = translate(compiled, schema)
    if translation.exact:
        return translation.where
    position = pl.int_range(0, pl.len(), dtype=pl.UInt32)
    return _residual(compiled, translation, schema, position, errors)


def _residual(
    compiled: Expression,
    translation: TypedTranslation[pl.Expr],
    schema: Mapping[str, Any],
    position: pl.Expr,
    errors: Errors,
    failures: list[EvaluationError] | None = None,
    streaming: bool = False,
) -> pl.Expr:
    """The translation with its undecided rows decided in Python; an error
    raised is also put in ``failures`` (Polars re-raises a copy that keeps
    the type and message but not ``key`` or ``selector``)."""
    check_errors(errors)
    match, row = _unused("__bexpr_match", schema), _unused("__bexpr_row", schema)
    columns = list(translation.columns)
    packed = pl.struct(translation.where.alias(match), position.alias(row), *columns)
    return packed.map_batches(
        _recheck(compiled, match, row, columns, errors, [] if failures is None else failures),
        return_dtype=pl.Boolean,
        # Elementwise lets the streaming engine run it on each batch, in
        # parallel; otherwise it sees every row at once, in order, so the
        # first row the reference fails on is the one reported.
        is_elementwise=streaming,
    )


def _recheck(
    compiled: Expression,
    match: str,
    row: str,
    columns: list[str],
    errors: Errors,
    failures: list[EvaluationError],
) -> Callable[[pl.Series], pl.Series]:
    def decide(packed: pl.Series) -> pl.Series:
        frame = packed.struct.unnest()
        decided = frame[match]
        undecided = frame.filter(pl.col(match).is_null())
        if undecided.height == 0:
            return decided
        verdicts: list[bool] = []
        # A slice at a time: a failing row stops the conversion to dicts too.
        for start in range(0, undecided.height, _SLICE):
            part = undecided.slice(start, _SLICE)
            # A frame of no columns has no rows: a filter reading none sees {}.
            records = part.select(columns).to_dicts() if columns else [{}] * part.height
            rows = part[row].to_list()
            verdicts.extend(
                _keeps(compiled, position, record, errors, failures)
                for position, record in zip(rows, records, strict=True)
            )
        where = decided.is_null().arg_true()
        return decided.scatter(where, pl.Series(verdicts, dtype=pl.Boolean))

    return decide


def _keeps(
    compiled: Expression,
    position: int,
    record: dict[str, Any],
    errors: Errors,
    failures: list[EvaluationError],
) -> bool:
    try:
        return compiled.evaluate(record)
    except EvaluationError as err:
        if errors == "fail":
            failure = err.with_key(position)
            failures.append(failure)
            raise failure from err
        if callable(errors):
            errors(RecordError(position, record, err))
        return False


def filter(
    frame: Frame,
    expr: str | Expression,
    *,
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> Frame:
    """The rows of ``frame`` the filter keeps: a DataFrame for a DataFrame, a
    LazyFrame (still lazy) for a LazyFrame.

    Exactly the rows ``bexpr.filter(expr, frame.to_dicts(), errors=errors)``
    keeps. ``errors="fail"`` raises :class:`bexpr.EvaluationError` for a
    row the reference fails on, its ``key`` the row's position in the
    frame; for a LazyFrame that happens when it is collected, batches may
    be checked in parallel (the row named is one the reference fails on,
    not always the first), and Polars raises a copy of the error whose
    message names the row (``record 7: ...``) but whose ``key`` and
    ``selector`` are None. ``"skip"`` drops
    such rows; a function receives a :class:`bexpr.RecordError` for each.
    A DataFrame some row fails on is filtered twice: once without row
    numbers, then numbered, to name the first (or call the function once
    for each, in order).
    """
    compiled = expr if isinstance(expr, Expression) else compile_expression(expr, **options)
    lazy = isinstance(frame, pl.LazyFrame)
    # A copy's schema: collect_schema() keeps the resolved plan in the frame,
    # and (Polars 2.1) a row index added to such a frame no longer goes into
    # its Parquet scan, nor does any filter after it.
    schema = frame.clone().collect_schema() if lazy else frame.schema
    translation = translate(compiled, schema)
    if translation.exact:
        return frame.filter(translation.where)
    check_errors(errors)
    # The plain tests drop only rows the reference drops without an error
    # (see pushable), so they can go first, into a Parquet scan.
    tests = pushed(compiled, schema, errors)
    if tests:
        # And decided by them: a row failing one (or null, with "skip") is
        # no row for the Python re-check, which a Polars filter does not
        # spare it (it decides every row of an in-memory frame at once).
        narrowed = translation.where & pl.all_horizontal(tests).fill_null(False)
        translation = replace(translation, where=narrowed)
    if errors == "skip":
        # No error to name a row in: no row index.
        keep = _residual(compiled, translation, schema, _NO_POSITION, errors, None, lazy)
        if lazy:
            return frame.filter(*tests, keep)
        # Not DataFrame.filter, which without the query optimizer took twice
        # the time and 200 MB more on 2 million rows.
        return frame.lazy().filter(*tests, keep).collect()  # type: ignore[return-value]
    row = _unused("__bexpr_position", schema)
    if lazy:
        # A row index on a Parquet scan goes into the scan, and so do the
        # Polars tests after it (the reader numbers the rows before it
        # filters them); the Python re-check stays out of the reader: raised
        # there, an error reached collect() only after the rest of the scan,
        # and the process could abort at exit (Polars 2.1).
        keep = _residual(compiled, translation, schema, pl.col(row), errors, None, True)
        kept = _unused("__bexpr_keep", {**schema, row: None})
        return (
            frame.with_row_index(row)
            .filter(*tests, translation.where.fill_null(True))
            .with_columns(keep.alias(kept))
            .filter(pl.col(kept))
            .drop(kept, row)
        )
    # A DataFrame: first without positions, stopping at a row the reference
    # fails on; only then number the rows and run again (evaluation is pure:
    # the same rows fail) to name the first, or give each to ``errors``.
    failed: list[EvaluationError] = []
    unnumbered = _residual(compiled, translation, schema, _NO_POSITION, "fail", failed)
    try:
        return frame.lazy().filter(*tests, unnumbered).collect()  # type: ignore[return-value]
    except EvaluationError:
        if not failed:
            raise
    failures: list[EvaluationError] = []
    keep = _residual(compiled, translation, schema, pl.col(row), errors, failures)
    try:
        result = frame.lazy().with_row_index(row).filter(*tests, keep).drop(row).collect()
    except EvaluationError:
        if failures:
            raise failures[0] from None  # the error itself, with its key and selector
        raise
    return result  # type: ignore[return-value]


def pushed(compiled: Expression, schema: Mapping[str, Any], errors: Errors) -> list[pl.Expr]:
    """The plain tests a Parquet scan can apply (see
    :func:`bexpr.translate.typed.pushable`), as Polars expressions."""
    if undecidable(compiled.options):
        return []
    found = []
    for test in pushable(
        compiled.tree, schema_types(schema), "skip" if errors == "skip" else "fail"
    ):
        target = pl.col(test.path[0])
        steps = [target]
        for key in test.path[1:]:
            target = target.struct.field(key)
            steps.append(target)
        found_test = target == pl.lit(test.value)
        if test.nulls:
            for step in reversed(steps):
                found_test = step.is_null() | found_test
        found.append(found_test)
    return found
