"""Hypothesis strategies: bexpr syntax trees and data they can select from.

The keys and values come from small vocabularies so that generated selectors
usually find something in generated data, and values usually meet data of
every type: numbers that are also strings, strings that look like numbers,
booleans spelled in Go's ways, JSON pointers, missing keys.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from bexpr.strategies import TEXTS
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

KEYS = ["a", "b", "n", "s", "L", "M", "x", "not", "in", "any", "a b", "0", "~", "a/b", ""]
BIND_NAMES = ["x", "i", "v", "k", "a"]


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=3),
    st.sampled_from([2**63 - 1, 2**63, -(2**63), 16, 1000, 8]),
    st.sampled_from([0.0, -0.0, 1.5, 1.0, 1000.0, 16.0, float("inf"), float("nan"), 1e300]),
    st.sampled_from(TEXTS),
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), children, max_size=5),
    )


data_values = st.recursive(scalars, _containers, max_leaves=12)
records = st.dictionaries(st.sampled_from(KEYS), data_values, max_size=8)
"""A top-level datum: a map, like one JSON object of a list endpoint."""

IDENT_KEYS = ["a", "b", "n", "s", "L", "M", "x", "not", "in", "any", "a/b"]
POINTER_KEYS = [*IDENT_KEYS, "0", "1", "01", "~", "é"]
_ANY_PART = st.sampled_from([*KEYS, "1", "2", "01", "k"])


@st.composite
def selectors(draw: st.DrawFn, names: tuple[str, ...] = ()) -> Selector:
    """A dotted selector (any later key, in brackets if need be) or a JSON pointer."""
    if draw(st.booleans()):
        first = draw(st.sampled_from([*IDENT_KEYS, *names]))
        rest = draw(st.lists(_ANY_PART, max_size=2))
        return Selector((first, *rest), False)
    if draw(st.integers(0, 9)) == 0:
        return Selector(("",), True)
    first = draw(st.sampled_from([*POINTER_KEYS, *names]))
    rest = draw(st.lists(st.sampled_from(POINTER_KEYS), max_size=2))
    return Selector((first, *rest), True)


values = st.builds(
    Value,
    st.sampled_from(TEXTS),
    st.sampled_from(["string", "word", "number"]),
)


@st.composite
def matches(draw: st.DrawFn, names: tuple[str, ...] = ()) -> Match:
    op = draw(st.sampled_from(list(MatchOp)))
    selector = draw(selectors(names))
    value = draw(values) if op.takes_value else None
    return Match(op, selector, value)


@st.composite
def bindings(draw: st.DrawFn) -> Binding:
    mode = draw(st.sampled_from(list(BindingMode)))
    one, two = draw(st.sampled_from(BIND_NAMES)), draw(st.sampled_from(BIND_NAMES))
    if mode is BindingMode.DEFAULT:
        return Binding(mode, None, one)
    if mode is BindingMode.INDEX:
        return Binding(mode, one, None)
    if mode is BindingMode.VALUE:
        return Binding(mode, None, two)
    return Binding(mode, one, two)


@st.composite
def trees(draw: st.DrawFn, names: tuple[str, ...] = (), depth: int = 3) -> Node:
    """A syntax tree the grammar can express (collections only where allowed)."""
    if depth <= 0:
        return draw(matches(names))
    kind = draw(st.sampled_from(["match", "match", "not", "and", "or", "collection"]))
    if kind == "match":
        return draw(matches(names))
    if kind == "not":
        operand = draw(trees(names, depth - 1))
        while isinstance(operand, Not):
            operand = operand.operand
        return Not(operand)
    if kind in ("and", "or"):
        count = draw(st.integers(min_value=2, max_value=3))
        operands = tuple(draw(trees(names, depth - 1)) for _ in range(count))
        return And(operands) if kind == "and" else Or(operands)
    binding = draw(bindings())
    body = draw(trees((*names, *binding.names), depth - 1))
    return Collection(
        draw(st.sampled_from(list(CollectionOp))), draw(selectors(names)), binding, body
    )


def _unknowns() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(None),
        st.sampled_from(["", "x", "1", "true"]),
        st.integers(min_value=-1, max_value=1),
        st.lists(st.sampled_from(["x", "1"]), max_size=2),
    )


unknown_values = _unknowns()
