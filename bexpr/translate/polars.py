"""bexpr filters as Polars expressions (see :mod:`bexpr.translate.typed`).

MAYBE is a null boolean. ``and``/``or`` are Polars' Kleene operators behind
a null test of the left side (Kleene's ``null & false`` is false, where the
reference raises on the left); ``~`` keeps null, as MAYBE needs. Patterns
go to Rust's regex crate only as :func:`bexpr.go.re2.to_rust` spells them,
and only when the engine accepts the result; otherwise bexpr's own matcher
runs on the column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import polars as pl

from bexpr.go import re2
from bexpr.options import Options
from bexpr.translate.typed import OTHER, ListOf, Ops, Scalar, StructOf, Type, lenient_search

__all__ = ["PolarsOps", "schema_types"]

_MAYBE: Final = pl.lit(None, dtype=pl.Boolean)
_LITERAL_TYPES: Final[dict[str, Any]] = {
    "str": pl.String,
    "int": pl.Int64,
    "uint64": pl.UInt64,
    "float": pl.Float64,
    "bool": pl.Boolean,
}


class PolarsOps(Ops[pl.Expr]):
    """:class:`bexpr.translate.typed.Ops` for Polars."""

    @property
    def true(self) -> pl.Expr:
        return pl.lit(True)

    @property
    def false(self) -> pl.Expr:
        return pl.lit(False)

    @property
    def maybe(self) -> pl.Expr:
        return _MAYBE

    def and_(self, left: pl.Expr, right: pl.Expr) -> pl.Expr:
        return pl.when(left.is_null()).then(_MAYBE).otherwise(left & right)

    def or_(self, left: pl.Expr, right: pl.Expr) -> pl.Expr:
        return pl.when(left.is_null()).then(_MAYBE).otherwise(left | right)

    def not_(self, operand: pl.Expr) -> pl.Expr:
        return ~operand

    def column(self, name: str) -> pl.Expr:
        return pl.col(name)

    def field(self, struct: pl.Expr, name: str) -> pl.Expr:
        return struct.struct.field(name)

    def is_null(self, value: pl.Expr) -> pl.Expr:
        return value.is_null()

    def when(self, branches: list[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
        (condition, value), *rest = branches
        chain: Any = pl.when(condition).then(value)
        for condition, value in rest:
            chain = chain.when(condition).then(value)
        result: pl.Expr = chain.otherwise(otherwise)
        return result

    def equal(self, value: pl.Expr, literal: Any, kind: str) -> pl.Expr:
        if kind == "uint64" and literal < 0:
            return pl.lit(False)
        if kind == "float":
            # A Float32 is compared as the float64 Python reads it as.
            value = value.cast(pl.Float64)
        return value == pl.lit(literal, dtype=_LITERAL_TYPES[kind])

    def is_nan(self, value: pl.Expr) -> pl.Expr:
        return value.cast(pl.Float64).is_nan()

    def at_most(self, value: pl.Expr, literal: int) -> pl.Expr:
        return value <= pl.lit(literal, dtype=pl.UInt64)

    def contains(self, text: pl.Expr, literal: str) -> pl.Expr:
        return text.str.contains(literal, literal=True)

    def starts_with(self, text: pl.Expr, literal: str) -> pl.Expr:
        return text.str.starts_with(literal)

    def ends_with(self, text: pl.Expr, literal: str) -> pl.Expr:
        return text.str.ends_with(literal)

    def length(self, value: pl.Expr, kind: str) -> pl.Expr:
        return value.str.len_chars() if kind == "str" else value.list.len()

    def matches(self, text: pl.Expr, pattern: str, options: Options) -> pl.Expr | None:
        rust = re2.to_rust(pattern)
        if _rust_accepts(rust):
            return text.str.contains(rust)
        # The engine refuses it (its size limit): bexpr's matcher, per value.
        return text.map_batches(_searching(pattern, options), return_dtype=pl.Boolean)

    def list_has_null(self, values: pl.Expr) -> pl.Expr:
        return values.list.eval(pl.element().is_null()).list.any()

    def list_contains(self, values: pl.Expr, literal: Any, kind: str) -> pl.Expr:
        return values.list.eval(self.equal(pl.element(), literal, kind)).list.any()

    def list_map(self, values: pl.Expr, body: Callable[[pl.Expr], pl.Expr]) -> pl.Expr:
        return values.list.eval(body(pl.element()))

    def list_any(self, values: pl.Expr) -> pl.Expr:
        return values.list.any()

    def list_all(self, values: pl.Expr) -> pl.Expr:
        return values.list.all()


def _rust_accepts(pattern: str) -> bool:
    """Whether Polars compiles ``pattern`` (it refuses past a size limit)."""
    try:
        pl.Series([""]).str.contains(pattern)
    except pl.exceptions.PolarsError:
        return False
    return True


def _searching(pattern: str, options: Options) -> Callable[[pl.Series], pl.Series]:
    search = lenient_search(pattern, options.regex_timeout)

    def run(texts: pl.Series) -> pl.Series:
        return pl.Series([search(text) for text in texts], dtype=pl.Boolean)

    return run


_SCALARS: Final[dict[Any, str]] = {
    pl.String: "str",
    pl.Int8: "int",
    pl.Int16: "int",
    pl.Int32: "int",
    pl.Int64: "int",
    pl.UInt8: "int",
    pl.UInt16: "int",
    pl.UInt32: "int",
    pl.UInt64: "uint64",
    pl.Float32: "float",
    pl.Float64: "float",
    pl.Boolean: "bool",
    pl.Null: "null",
}


def polars_type(dtype: Any) -> Type:
    """A Polars data type as bexpr sees its values in ``to_dicts()``."""
    base = dtype.base_type() if hasattr(dtype, "base_type") else dtype
    if base in _SCALARS:
        return Scalar(_SCALARS[base])
    if base == pl.List:
        return ListOf(polars_type(dtype.inner))
    if base == pl.Struct:
        return StructOf({field.name: polars_type(field.dtype) for field in dtype.fields})
    return OTHER  # dates, decimals, categoricals, arrays...: Python's


def schema_types(schema: Mapping[str, Any]) -> dict[str, Type]:
    """A frame's schema (name -> Polars type) as bexpr types."""
    return {name: polars_type(dtype) for name, dtype in schema.items()}
