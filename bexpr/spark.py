"""bexpr filters on Spark DataFrames, run by Spark, with the reference's answers.

:func:`filter` keeps exactly the rows that ``bexpr.filter(expr, rows)``
keeps, where ``rows`` are the DataFrame's rows as
``Row.asDict(recursive=True)``, and raises (or skips) where it does. The
filter runs as a Spark column over the DataFrame's ``StructType``,
``ArrayType`` and ``MapType`` columns; the rows Spark cannot decide (a null
where the reference raises, a pattern, a lookup only Python can follow) are
re-checked by bexpr's Python evaluator on the executors, after Spark has
dropped every row it can::

    import bexpr.spark

    jobs = spark.read.parquet("jobs.parquet")
    prod = bexpr.spark.filter(jobs, 'Meta.env == prod and "dc2" in Datacenters')

(docs/dataframes.md runs a complete example.)

The equality tests of the filter's top-level ``and`` also go to Spark as
plain comparisons that a Parquet or ORC scan can use to skip row groups
(``PushedFilters`` in ``explain()``): see :func:`pushed`.

PySpark comes with the ``spark`` extra: ``pip install 'bexpr[spark]'``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Unpack

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from bexpr.api import Expression
from bexpr.api import compile as compile_expression
from bexpr.errors import EvaluationError
from bexpr.options import CompileOptions
from bexpr.syntax.ast import Node
from bexpr.translate.core import undecidable
from bexpr.translate.spark import SparkOps, python_udf, quoted, schema_types
from bexpr.translate.typed import TypedTranslation, pushable, translate_typed

__all__ = ["column", "filter", "pushed", "translate"]

SparkErrors = Literal["fail", "skip"]

# monotonically_increasing_id(): the partition in the upper 31 bits, the
# row's place in it in the lower 33.
_OFFSET_BITS = 33


def translate(
    expr: str | Expression, schema: T.StructType, **options: Unpack[CompileOptions]
) -> TypedTranslation[Column]:
    """The filter as a three-valued Spark column for a DataFrame of
    ``schema``: per row TRUE, FALSE or null ("maybe": the Python evaluator
    decides). ``.exact`` says it is never null; ``.columns`` are the columns
    the filter reads. Most callers want :func:`column` or :func:`filter`."""
    compiled = _compiled(expr, options)
    return translate_typed(compiled.tree, SparkOps(), schema_types(schema), compiled.options)


def column(
    expr: str | Expression,
    schema: T.StructType,
    *,
    errors: SparkErrors = "fail",
    **options: Unpack[CompileOptions],
) -> Column:
    """A boolean column that is TRUE exactly for the rows of a DataFrame of
    ``schema`` that the filter keeps: ``df.filter(column(expr, df.schema))``.

    Rows Spark cannot decide are evaluated by a Python UDF in the column;
    with ``errors="fail"`` a row the reference fails on fails the Spark job
    (Spark reports the :class:`bexpr.EvaluationError` inside its own
    exception). :func:`filter` raises the error itself, naming the row.
    """
    compiled = _compiled(expr, options)
    _check_errors(errors)
    translation = translate(compiled, schema)
    if translation.exact:
        return translation.where
    where = translation.where
    decide = _decider(compiled, errors)
    return F.coalesce(where, decide(where, _record(translation.columns)))


def filter(
    df: DataFrame,
    expr: str | Expression,
    *,
    errors: SparkErrors = "fail",
    **options: Unpack[CompileOptions],
) -> DataFrame:
    """The rows of ``df`` the filter keeps, as a (lazy) DataFrame.

    Exactly the rows ``bexpr.filter(expr, [r.asDict(recursive=True) for r in
    df.collect()], errors=errors)`` keeps, in the same order. With
    ``errors="fail"`` (the default), when Spark cannot decide some rows, a
    Spark job runs now to look for a row the reference fails on; the first
    one found raises :class:`bexpr.EvaluationError` whose ``key`` is the
    row's position in ``df``. ``errors="skip"`` drops such rows. (A function
    for ``errors`` would run on the executors, so Spark takes only these two.)
    """
    compiled = _compiled(expr, options)
    _check_errors(errors)
    translation = translate(compiled, df.schema)
    names = set(df.columns)
    record = _record(translation.columns)
    if errors == "fail" and not translation.exact:
        # On all of df: positions are df's, and pushed tests would drop rows.
        _raise_first_failure(df, compiled, translation.where, record, names)
    for condition in pushed(compiled.tree, df.schema, errors, compiled.options):
        df = df.filter(condition)
    if translation.exact:
        return df.filter(translation.where)
    match = _unused("__bexpr_match", names)
    decide = _decider(compiled, errors)
    # Spark drops what it decided FALSE first; Python sees only the rest
    # (a Python UDF runs on every row reaching it, whatever a CASE says).
    marked = df.withColumn(match, translation.where)
    kept = marked.filter(F.col(match).isNull() | F.col(match))
    undecided = F.when(F.col(match).isNull(), record)
    return kept.filter(decide(F.col(match), undecided)).drop(match)


def pushed(tree: Node, schema: T.StructType, errors: SparkErrors, options: Any) -> list[Column]:
    """The tests Spark can push into a Parquet or ORC scan, as columns (see
    :func:`bexpr.translate.typed.pushable`)."""
    if undecidable(options):
        return []
    columns = []
    for test in pushable(tree, schema_types(schema), errors):
        target = F.col(quoted(test.path[0]))
        steps = [target]
        for key in test.path[1:]:
            target = target.getField(key)
            steps.append(target)
        column = target == F.lit(test.value)
        if test.nulls:
            for step in reversed(steps):
                column = step.isNull() | column
        columns.append(column)
    return columns


def _compiled(expr: str | Expression, options: CompileOptions) -> Expression:
    return expr if isinstance(expr, Expression) else compile_expression(expr, **options)


def _check_errors(errors: object) -> None:
    if errors != "fail" and errors != "skip":
        raise ValueError(
            'errors must be "fail" or "skip" on Spark (a function would run on the executors)'
        )


def _unused(name: str, names: set[str]) -> str:
    while name in names:
        name = "_" + name
    return name


def _record(columns: tuple[str, ...]) -> Column:
    """The columns the filter reads, as one struct (the Python evaluator's record)."""
    if not columns:
        return F.lit(None)  # the record {}
    return F.struct(*[F.col(quoted(name)).alias(name) for name in columns])


def _as_record(row: Any) -> dict[str, Any]:
    return {} if row is None else row.asDict(recursive=True)


def _decider(compiled: Expression, errors: SparkErrors) -> Callable[..., Column]:
    """A UDF (match, record) -> bool: ``match`` when Spark decided, else bexpr's answer."""

    def decide(match: bool | None, row: Any) -> bool:
        if match is not None:
            return match
        try:
            return compiled.evaluate(_as_record(row))
        except EvaluationError:
            if errors == "fail":
                raise  # the data changed since filter() looked: Spark reports it
            return False

    return python_udf(decide)


def _raise_first_failure(
    df: DataFrame, compiled: Expression, where: Column, record: Column, names: set[str]
) -> None:
    """Raise the reference's error for the first row of ``df`` it fails on, if any."""
    position, packed = _unused("__bexpr_position", names), _unused("__bexpr_record", names)

    def fails(row: Any) -> bool:
        try:
            compiled.evaluate(_as_record(row))
        except EvaluationError:
            return True
        return False

    probe = (
        df.select(
            F.monotonically_increasing_id().alias(position),
            where.alias("m"),
            record.alias(packed),
        )
        .filter(F.col("m").isNull())
        .filter(python_udf(fails)(F.col(packed)))
        .orderBy(position)
        .limit(1)
        .collect()
    )
    if not probe:
        return
    found = probe[0]
    data = _as_record(found[packed])
    try:
        compiled.evaluate(data)
    except EvaluationError as err:
        raise err.with_key(_position(df, found[position])) from None
    # The executor's evaluation failed and the driver's did not: a hook or
    # resolver that differs between them. Report it rather than drop the row.
    raise EvaluationError("failed on an executor only", key=_position(df, found[position]))


def _position(df: DataFrame, row_id: int) -> int:
    """The position in ``df`` of the row given ``row_id`` by monotonically_increasing_id."""
    partition, offset = row_id >> _OFFSET_BITS, row_id & ((1 << _OFFSET_BITS) - 1)
    sizes = (
        df.select(F.spark_partition_id().alias("p"))
        .filter(F.col("p") < partition)
        .groupBy("p")
        .count()
        .collect()
    )
    return int(sum(row["count"] for row in sizes)) + offset
