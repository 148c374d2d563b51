"""Hypothesis strategies for typed frames (Polars, Spark): a schema, rows of it.

Column names come from the filter strategies' keys, so generated selectors
usually find a column, a struct field or a list; values are those of
:mod:`tests.strategies` that fit each type, nulls included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from bexpr.syntax.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
    Not,
    Or,
    Selector,
    Value,
)
from tests.strategies import TEXTS
from tests.strategies import values as values_

COLUMN_NAMES = ["a", "b", "n", "s", "L", "M", "x"]
FIELD_NAMES = ["a", "b", "n", "k", "x"]


@dataclass(frozen=True)
class Kind:
    """A column type, engine-neutral: ``str``, ``int``, ``float``, ``bool``,
    ``list`` (of ``element``) or ``struct`` (of ``fields``)."""

    name: str
    element: Kind | None = None
    fields: tuple[tuple[str, Kind], ...] = ()


SCALAR_KINDS = [Kind("str"), Kind("int"), Kind("float"), Kind("bool")]


def _kinds(depth: int) -> st.SearchStrategy[Kind]:
    scalar = st.sampled_from(SCALAR_KINDS)
    if depth == 0:
        return scalar
    inner = _kinds(depth - 1)
    return st.one_of(
        scalar,
        scalar,
        inner.map(lambda element: Kind("list", element=element)),
        st.dictionaries(st.sampled_from(FIELD_NAMES), inner, min_size=1, max_size=3).map(
            lambda fields: Kind("struct", fields=tuple(sorted(fields.items())))
        ),
    )


kinds = _kinds(2)
schemas = st.dictionaries(st.sampled_from(COLUMN_NAMES), kinds, min_size=1, max_size=4)

INTS = st.integers(-3, 3) | st.sampled_from([2**63 - 1, -(2**63), 16, 1000, 8])
FLOATS = st.sampled_from([0.0, -0.0, 1.5, 1.0, 1000.0, 16.0, 1e300, math.inf, math.nan])


def values(kind: Kind) -> st.SearchStrategy[Any]:
    """A value of ``kind`` (or None)."""
    if kind.name == "str":
        found: st.SearchStrategy[Any] = st.sampled_from(TEXTS)
    elif kind.name == "int":
        found = INTS
    elif kind.name == "float":
        found = FLOATS
    elif kind.name == "bool":
        found = st.booleans()
    elif kind.name == "list":
        assert kind.element is not None
        found = st.lists(values(kind.element), max_size=3)
    else:
        found = st.fixed_dictionaries({name: values(inner) for name, inner in kind.fields})
    # Nulls are errors for most operators: one value in eight, so rows survive.
    return st.integers(0, 7).flatmap(lambda n: st.none() if n == 7 else found)


_APPLIES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "struct": "map",
}

# Literals a column of each kind converts, then one it may not.
_LITERALS = {
    "str": ["a", "", "abc", "1", "x", "k"],
    "int": ["1", "-1", "0", "16", "1000", "0x10", "1_000"],
    "float": ["1.5", "0", "1e3", "-1", "inf", "NaN"],
    "bool": ["true", "false", "T", "0"],
}


@st.composite
def frames(draw: st.DrawFn) -> tuple[dict[str, Kind], list[dict[str, Any]]]:
    """A schema and 1-5 rows of it."""
    schema = draw(schemas)
    row = st.fixed_dictionaries({name: values(kind) for name, kind in schema.items()})
    return schema, draw(st.lists(row, min_size=1, max_size=5))


# -- filters written against a schema ------------------------------------------------------
#
# Hypothesis leans to small integers, so the rare branch is the largest.
# Trees from tests.strategies pick keys from a fixed vocabulary, so against a
# typed frame most of them select a missing column and end in an error on
# every row. These pick paths that exist (mostly), so rows are kept, dropped
# and decided by each engine's own code rather than by the fallback.

Scope = dict[str, Kind]
_MISSING = ["zz", "0"]


def _path(draw: st.DrawFn, scope: Scope) -> tuple[str, ...]:
    if draw(st.integers(0, 19)) == 19:
        return (draw(st.sampled_from(_MISSING)),)
    name = draw(st.sampled_from(sorted(scope)))
    path, kind = [name], scope[name]
    while kind.name in ("struct", "list") and draw(st.integers(0, 3)) < 3:
        if kind.name == "list":
            if draw(st.integers(0, 4)) < 4:
                break
            path.append(draw(st.sampled_from(["0", "1"])))
            assert kind.element is not None
            kind = kind.element
            continue
        fields = dict(kind.fields)
        if draw(st.integers(0, 9)) == 9:
            path.append(draw(st.sampled_from(_MISSING)))
            break
        field = draw(st.sampled_from(sorted(fields)))
        path.append(field)
        kind = fields[field]
    return tuple(path)


def _kind_at(scope: Scope, path: tuple[str, ...]) -> Kind | None:
    kind = scope.get(path[0])
    for part in path[1:]:
        if kind is None:
            return None
        if kind.name == "list":
            kind = kind.element
        elif kind.name == "struct":
            kind = dict(kind.fields).get(part)
        else:
            return None
    return kind


@st.composite
def typed_trees(draw: st.DrawFn, scope: Scope, depth: int = 3) -> Node:
    """A filter over ``scope`` (column or bound name to its kind)."""
    choice = draw(st.sampled_from(["match"] * 3 + ["not", "and", "or", "collection"]))
    if depth <= 0 or choice == "match":
        path = _path(draw, scope)
        kind = _kind_at(scope, path)
        spelled = _APPLIES.get(kind.name, "") if kind is not None else ""
        ops = [op for op in MatchOp if spelled in op.applies_to]
        op = draw(st.sampled_from(ops if ops and draw(st.integers(0, 9)) < 9 else list(MatchOp)))
        value = None
        if op.takes_value:
            element = kind.element if kind is not None and kind.name == "list" else kind
            pool = _LITERALS.get(element.name, []) if element is not None else []
            if pool and draw(st.integers(0, 4)) < 4:
                value = Value(
                    draw(st.sampled_from(pool)), draw(st.sampled_from(["string", "word"]))
                )
            else:
                value = draw(values_)
        return Match(op, Selector(path, draw(st.booleans())), value)
    if choice == "not":
        operand = draw(typed_trees(scope, depth - 1))
        while isinstance(operand, Not):
            operand = operand.operand
        return Not(operand)
    if choice in ("and", "or"):
        count = draw(st.integers(2, 3))
        operands = tuple(draw(typed_trees(scope, depth - 1)) for _ in range(count))
        return And(operands) if choice == "and" else Or(operands)
    containers = sorted(name for name, kind in scope.items() if kind.name in ("list", "struct"))
    if not containers:
        return draw(typed_trees(scope, 0))
    path = (draw(st.sampled_from(containers)),)
    kind = scope[path[0]]
    mode = draw(st.sampled_from(list(BindingMode)))
    index_name, value_name = draw(st.sampled_from(["i", "k"])), draw(st.sampled_from(["v", "e"]))
    if kind.name == "list":
        assert kind.element is not None
        index_kind, value_kind = Kind("int"), kind.element
    else:
        index_kind = Kind("str")
        value_kind = kind.fields[0][1] if len({k for _, k in kind.fields}) == 1 else Kind("str")
    inner = dict(scope)
    if mode is BindingMode.DEFAULT:
        binding = Binding(mode, None, value_name)
        inner[value_name] = value_kind if kind.name == "list" else index_kind
    elif mode is BindingMode.INDEX:
        binding = Binding(mode, index_name, None)
        inner[index_name] = index_kind
    elif mode is BindingMode.VALUE:
        binding = Binding(mode, None, value_name)
        inner[value_name] = value_kind
    else:
        binding = Binding(mode, index_name, value_name)
        inner[index_name], inner[value_name] = index_kind, value_kind
    body = draw(typed_trees(inner, depth - 1))
    op = draw(st.sampled_from(list(CollectionOp)))
    return Collection(op, Selector(path), binding, body)


# -- comparing an engine's answer with bexpr.filter's ----------------------------------


def canon(value: Any) -> Any:
    """``value`` with NaN made comparable (a fresh NaN is unequal to itself)."""
    if isinstance(value, float) and math.isnan(value):
        return ("NaN",)
    if isinstance(value, dict):
        return {key: canon(item) for key, item in value.items()}
    if isinstance(value, list):
        return [canon(item) for item in value]
    return value


def kept(expected: Any, total: int) -> str:
    """What a generated case exercised (an error tuple, or the rows kept of
    ``total``), for hypothesis' statistics."""
    if isinstance(expected, tuple):
        return "error"
    return "none" if not expected else "all" if len(expected) == total else "some"
