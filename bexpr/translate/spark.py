"""bexpr filters as PySpark columns (see :mod:`bexpr.translate.typed`).

MAYBE is a null boolean. ``and``/``or`` are Spark's Kleene operators behind
a null test of the left side (Kleene's ``null AND false`` is false, where
the reference raises on the left); ``NOT`` keeps null, as MAYBE needs (it is
``filter(NOT x)`` that drops nulls, and the caller never filters on a
MAYBE). Map lookups use ``try_element_at``, which gives null for a missing
key under ANSI mode too.

Patterns never go to Java's regex engine: its dialect differs from RE2's and
it backtracks (a user's pattern could stall an executor). bexpr's own
matcher runs on the column as a Python UDF instead, except inside a
higher-order function (``any``/``all`` bodies), where Spark allows no
Python UDF: there the row is left to the Python re-check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from bexpr.options import Options
from bexpr.translate.typed import (
    OTHER,
    ListOf,
    MapOf,
    Ops,
    Scalar,
    StructOf,
    Type,
    lenient_search,
)

__all__ = ["SparkOps", "python_udf", "quoted", "schema_types", "spark_type"]

_LITERAL_TYPES: Final[dict[str, T.DataType]] = {
    "str": T.StringType(),
    "int": T.LongType(),
    "float": T.DoubleType(),
    "bool": T.BooleanType(),
}


def quoted(name: str) -> str:
    """A column name as ``F.col`` reads it literally (dots, backticks...)."""
    return "`" + name.replace("`", "``") + "`"


class SparkOps(Ops[Column]):
    """:class:`bexpr.translate.typed.Ops` for PySpark. One per translation:
    it tracks whether it is building a higher-order function's body."""

    def __init__(self) -> None:
        self._lambda_depth = 0
        # Built once: each Column is a call into the JVM, and they are immutable.
        self._true, self._false = F.lit(True), F.lit(False)
        self._maybe = F.lit(None).cast(T.BooleanType())

    @property
    def true(self) -> Column:
        return self._true

    @property
    def false(self) -> Column:
        return self._false

    @property
    def maybe(self) -> Column:
        return self._maybe

    def and_(self, left: Column, right: Column) -> Column:
        return F.when(left.isNull(), self.maybe).otherwise(left & right)

    def or_(self, left: Column, right: Column) -> Column:
        return F.when(left.isNull(), self.maybe).otherwise(left | right)

    def not_(self, operand: Column) -> Column:
        return ~operand

    def column(self, name: str) -> Column:
        return F.col(quoted(name))

    def field(self, struct: Column, name: str) -> Column:
        return struct.getField(name)

    def map_get(self, mapping: Column, key: str) -> Column:
        return F.try_element_at(mapping, F.lit(key))

    def map_has(self, mapping: Column, key: str) -> Column:
        return F.map_contains_key(mapping, F.lit(key))

    def map_size(self, mapping: Column) -> Column:
        return F.size(mapping)

    def is_null(self, value: Column) -> Column:
        return value.isNull()

    def when(self, branches: list[tuple[Column, Column]], otherwise: Column) -> Column:
        (condition, value), *rest = branches
        chain = F.when(condition, value)
        for condition, value in rest:
            chain = chain.when(condition, value)
        return chain.otherwise(otherwise)

    def equal(self, value: Column, literal: Any, kind: str) -> Column:
        if kind == "float":
            # A FloatType is compared as the float64 Python reads it as.
            value = value.cast(T.DoubleType())
        return value == F.lit(literal).cast(_LITERAL_TYPES[kind])

    def is_nan(self, value: Column) -> Column:
        return F.isnan(value)

    def at_most(self, value: Column, literal: int) -> Column:
        return value <= F.lit(literal)

    def contains(self, text: Column, literal: str) -> Column:
        return text.contains(F.lit(literal))

    def starts_with(self, text: Column, literal: str) -> Column:
        return text.startswith(F.lit(literal))

    def ends_with(self, text: Column, literal: str) -> Column:
        return text.endswith(F.lit(literal))

    def length(self, value: Column, kind: str) -> Column:
        return F.length(value) if kind == "str" else F.size(value)

    def matches(self, text: Column, pattern: str, options: Options) -> Column | None:
        if self._lambda_depth:
            return None
        return python_udf(lenient_search(pattern, options.regex_timeout))(text)

    def list_has_null(self, values: Column) -> Column:
        return F.exists(values, lambda element: element.isNull())

    def list_contains(self, values: Column, literal: Any, kind: str) -> Column:
        return F.exists(values, lambda element: self.equal(element, literal, kind))

    def list_map(self, values: Column, body: Callable[[Column], Column]) -> Column:
        def mapped(element: Column) -> Column:
            self._lambda_depth += 1
            try:
                return body(element)
            finally:
                self._lambda_depth -= 1

        return F.transform(values, mapped)

    def list_any(self, values: Column) -> Column:
        return F.exists(values, lambda element: element)

    def list_all(self, values: Column) -> Column:
        return F.forall(values, lambda element: element)


def python_udf(function: Callable[..., bool | None]) -> Callable[..., Column]:
    """A boolean row-at-a-time Python UDF of ``function``. Arrow batches would
    need pandas on the executors; the hints are hidden because Spark reads
    them as a pandas UDF's."""
    return F.udf(lambda *args: function(*args), T.BooleanType(), useArrow=False)


_SCALARS: Final[dict[type[T.DataType], str]] = {
    T.StringType: "str",
    T.ByteType: "int",
    T.ShortType: "int",
    T.IntegerType: "int",
    T.LongType: "int",
    T.FloatType: "float",
    T.DoubleType: "float",
    T.BooleanType: "bool",
    T.NullType: "null",
}


def spark_type(dtype: T.DataType) -> Type:
    """A Spark data type as bexpr sees its values in ``Row.asDict(recursive=True)``."""
    for spark, kind in _SCALARS.items():
        # CharType/VarcharType read as strings; a collated string is not
        # compared byte by byte, so it is Python's.
        if type(dtype) is spark and getattr(dtype, "collation", "UTF8_BINARY") == "UTF8_BINARY":
            return Scalar(kind)
    if isinstance(dtype, T.ArrayType):
        return ListOf(spark_type(dtype.elementType))
    if isinstance(dtype, T.StructType):
        return StructOf({field.name: spark_type(field.dataType) for field in dtype.fields})
    if isinstance(dtype, T.MapType) and spark_type(dtype.keyType) == Scalar("str"):
        return MapOf(spark_type(dtype.valueType))
    return OTHER  # dates, decimals, binary, maps keyed by other types...: Python's


def schema_types(schema: T.StructType | Mapping[str, T.DataType]) -> dict[str, Type]:
    """A DataFrame's schema as bexpr types."""
    if isinstance(schema, T.StructType):
        return {field.name: spark_type(field.dataType) for field in schema.fields}
    return {name: spark_type(dtype) for name, dtype in schema.items()}
