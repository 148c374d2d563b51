"""Hypothesis strategies for testing, fuzzing and benchmarking filter handling.

For a service that accepts bexpr filters (an API's ``filter`` parameter, a
UI that validates them), these generate its input: valid filters over the
records' schema, the records themselves, near misses a validator must
reject, and whole list-endpoint query strings::

    from hypothesis import given
    import bexpr.strategies as bs

    @given(bs.expressions(Job), bs.records(Job))
    def test_a_filter_never_crashes_the_handler(text, record):
        ...

``schema`` is anything :func:`bexpr.schema_of` accepts (a dataclass, a
``TypedDict``, a pydantic model, an attrs class, a JSON Schema dict) or a
:class:`bexpr.Type`; without one, filters use a small vocabulary of keys
and records are arbitrary JSON objects over it, so the two still meet.
Every strategy shrinks towards short, simple examples: one ``==``, the
first field, the first value.

Hypothesis comes with the ``testing`` extra (``pip install
'bexpr[testing]'``) and is imported when a strategy is first built.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bexpr.analysis.check import check
from bexpr.analysis.schema import ANY, Type, schema_of
from bexpr.errors import ParseError
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
from bexpr.syntax.parser import parse

if TYPE_CHECKING:
    from hypothesis import strategies as st

__all__ = [
    "KEYS",
    "MAP_KEYS",
    "PATTERNS",
    "TEXTS",
    "expressions",
    "invalid_expressions",
    "json_values",
    "list_params",
    "records",
    "trees",
]

KEYS: tuple[str, ...] = ("a", "L", "M", "b", "n", "s", "x", "not", "in", "any", "a b", "0", "~")
"""Keys of schema-less filters and records (keywords and odd characters included)."""

MAP_KEYS: tuple[str, ...] = ("a", "b", "env", "k", "x")
"""Keys of a schema's maps, in filters and in records."""

TEXTS: tuple[str, ...] = (
    "a",
    "",
    "abc",
    "x",
    "1",
    "-1",
    "1.5",
    "0x10",
    "08",
    "1_000",
    "1e3",
    "true",
    "false",
    "T",
    "0",
    "inf",
    "NaN",
    "9223372036854775808",
    "a b",
    "é",
    "/M/a",
    "^a",
    "a.*",
    "[",
    "(?i)A",
    "\\d+",
    "k",
)
"""Values of filters and strings of records: numbers that are also strings,
strings that look like numbers, booleans spelled in Go's ways, patterns."""

PATTERNS: tuple[str, ...] = ("a", "^a", "a.*", "(?i)A", "\\d+", "^web-[0-9]+$", "", "é|x")
"""Values of ``matches`` in valid filters: patterns RE2 accepts."""

_BIND_NAMES = ("v", "i", "k", "x", "a")
_LITERALS: Mapping[str, tuple[str, ...]] = {
    "integer": ("1", "0", "-1", "16", "42", "0x10"),
    "number": ("1.5", "0", "1", "-1", "1e3", "NaN"),
    "boolean": ("true", "false", "T", "0"),
}
# The kinds MatchOp.applies_to names, for each kind of schema type.
_APPLIES: Mapping[str, str] = {"object": "map", "null": "null"}


def _schema_type(schema: Any) -> Type | None:
    if schema is None:
        return None
    return schema if isinstance(schema, Type) else schema_of(schema)


# -- filters ---------------------------------------------------------------------------


class _Scope:
    """What a selector may start with: the record's fields, or bound names."""

    def __init__(self, root: Type | None, bound: Mapping[str, Type] | None = None) -> None:
        self.root = root
        self.bound = dict(bound or {})

    def starts(self) -> list[tuple[str, Type]]:
        fields = [] if self.root is None else list(_fields(self.root).items())
        return [*self.bound.items(), *fields]

    def with_bound(self, names: Mapping[str, Type]) -> _Scope:
        return _Scope(self.root, {**self.bound, **names})


def _fields(type_: Type) -> dict[str, Type]:
    if type_.kind == "object":
        return dict(type_.fields)
    if type_.kind == "map":
        return {key: type_.items or ANY for key in MAP_KEYS}
    return {}


def _selector(draw: Any, scope: _Scope, max_steps: int = 3) -> tuple[tuple[str, ...], Type]:
    """A path that the schema has (or, without one, any keys), and its type."""
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    starts = scope.starts()
    if scope.root is None:
        first = draw(st.sampled_from([*scope.bound, *KEYS]))
        rest = draw(st.lists(st.sampled_from([*KEYS, "1", "k"]), max_size=2))
        return (first, *rest), scope.bound.get(first, ANY)
    if not starts:
        return (draw(st.sampled_from(KEYS)),), ANY
    name, type_ = draw(st.sampled_from(starts))
    path = [name]
    # An object is only a step: no operator tests a dataclass or model as
    # a whole (check says operator-type), so the path goes on to a field.
    while (inner := _fields(type_)) and (
        type_.kind == "object" or (len(path) < max_steps and draw(st.booleans()))
    ):
        key = draw(st.sampled_from(sorted(inner)))
        path.append(key)
        type_ = inner[key]
    return tuple(path), type_


def _value(draw: Any, type_: Type, op: MatchOp) -> Value:
    """A literal ``op`` can compare with a value of ``type_``."""
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    target = type_.items or ANY if op in (MatchOp.IN, MatchOp.NOT_IN) else type_
    if op in (MatchOp.IN, MatchOp.NOT_IN) and type_.kind in ("map", "object"):
        choices: list[str] = sorted(_fields(type_)) or list(MAP_KEYS)
    elif op in (MatchOp.MATCHES, MatchOp.NOT_MATCHES):
        choices = list(PATTERNS)
    elif target.enum:
        choices = [str(item) for item in target.enum]
    else:
        choices = list(_LITERALS.get(target.kind, TEXTS))
    raw = draw(st.sampled_from(choices))
    kind = "string" if draw(st.booleans()) or not raw.isidentifier() else "word"
    return Value(raw, kind)


def _operators(type_: Type, allowed: tuple[MatchOp, ...]) -> list[MatchOp]:
    kind = _APPLIES.get(type_.kind, type_.kind)
    if kind == "any":
        return list(allowed)
    fitting = [op for op in allowed if kind in op.applies_to]
    return fitting or list(allowed)


def _match(draw: Any, scope: _Scope, allowed: tuple[MatchOp, ...]) -> Match:
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    path, type_ = _selector(draw, scope)
    op = draw(st.sampled_from(_operators(type_, allowed)))
    value = _value(draw, type_, op) if op.takes_value else None
    # A dotted selector, or a JSON pointer ("/a b/0"): whichever can spell
    # the path (a key like "a b" needs brackets after the first, a pointer first).
    pointer = draw(st.integers(0, 4)) == 4
    for form in (pointer, not pointer):
        match = Match(op, Selector(path, form), value)
        if _spellable(match):
            return match
    return Match(op, Selector(("a",)), value)


def _spellable(node: Node) -> bool:
    try:
        str(node)
    except ValueError:
        return False
    return True


def _collection(draw: Any, scope: _Scope, depth: int, allowed: tuple[MatchOp, ...]) -> Node | None:
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    if scope.root is None:
        containers = [(name, ANY) for name in ("L", "M", "a", *scope.bound)]
    else:
        containers = [
            (name, type_) for name, type_ in scope.starts() if type_.kind in ("array", "map", "any")
        ]
    if not containers:
        return None
    name, type_ = draw(st.sampled_from(containers))
    mode = draw(st.sampled_from(list(BindingMode)))
    index_name, value_name = draw(st.sampled_from(_BIND_NAMES)), draw(st.sampled_from(_BIND_NAMES))
    if mode in (BindingMode.INDEX_VALUE,) and index_name == value_name:
        value_name = value_name + "2"
    item = type_.items or ANY if type_.kind in ("array", "map") else ANY
    index = Type("integer") if type_.kind == "array" else Type("string")
    names: dict[str, Type]
    if mode is BindingMode.DEFAULT:
        binding = Binding(mode, None, value_name)
        names = {value_name: item if type_.kind == "array" else index}
    elif mode is BindingMode.INDEX:
        binding, names = Binding(mode, index_name, None), {index_name: index}
    elif mode is BindingMode.VALUE:
        binding, names = Binding(mode, None, value_name), {value_name: item}
    else:
        binding = Binding(mode, index_name, value_name)
        names = {index_name: index, value_name: item}
    body = _tree(draw, scope.with_bound(names), depth - 1, allowed, True)
    op = draw(st.sampled_from(list(CollectionOp)))
    collection = Collection(op, Selector((name,)), binding, body)
    return collection if _spellable(collection) else None


def _tree(
    draw: Any, scope: _Scope, depth: int, allowed: tuple[MatchOp, ...], collections: bool
) -> Node:
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    shapes = ["match", "and", "or", "not", *(["collection"] if collections else [])]
    shape = "match" if depth <= 0 else draw(st.sampled_from(shapes))
    if shape == "and" or shape == "or":
        count = draw(st.integers(2, 3))
        operands = tuple(_tree(draw, scope, depth - 1, allowed, collections) for _ in range(count))
        return And(operands) if shape == "and" else Or(operands)
    if shape == "not":
        operand = _tree(draw, scope, depth - 1, allowed, collections)
        while isinstance(operand, Not):
            operand = operand.operand
        return Not(operand)
    if shape == "collection":
        found = _collection(draw, scope, depth, allowed)
        if found is not None:
            return found
    return _match(draw, scope, allowed)


def trees(
    schema: Any = None,
    *,
    max_depth: int = 3,
    operators: Iterable[MatchOp] | None = None,
    collections: bool = True,
) -> st.SearchStrategy[Node]:
    """Syntax trees of valid filters (see :func:`expressions`).

    Trees print as the canonical filter text (``str(tree)``), parse back to
    themselves, and are what a property test compares evaluators on.
    """
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    root = _schema_type(schema)
    allowed = tuple(operators) if operators is not None else tuple(MatchOp)
    if not allowed:
        raise ValueError("operators: give at least one")

    @st.composite
    def draw_tree(draw: st.DrawFn) -> Node:
        return _tree(draw, _Scope(root), max_depth, allowed, collections)

    return draw_tree()


def expressions(
    schema: Any = None,
    *,
    max_depth: int = 3,
    operators: Iterable[MatchOp] | None = None,
    collections: bool = True,
) -> st.SearchStrategy[str]:
    """Valid filter texts.

    With a ``schema``, selectors are its paths (fields, map keys from
    :data:`MAP_KEYS`, names bound by ``any``/``all`` over its lists and
    maps), operators fit the selected type (``matches`` on strings, ``in``
    on lists...) and values are ones that type converts (its enum's, numbers
    for numbers), so most filters evaluate without error on
    :func:`records` of the schema. Without one, any selectors and values.
    ``max_depth`` bounds the nesting of ``and``/``or``/``not``/collections;
    ``operators`` limits the match operators; ``collections=False`` leaves
    out ``any``/``all``.

    >>> from hypothesis import given
    >>> import bexpr, bexpr.strategies as bs
    >>> @given(bs.expressions())
    ... def test_valid(text):
    ...     bexpr.validate(text)
    >>> test_valid()
    """
    return trees(schema, max_depth=max_depth, operators=operators, collections=collections).map(str)


# -- records ---------------------------------------------------------------------------


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON values whose strings and keys come from :data:`TEXTS` and :data:`KEYS`."""
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    scalars = st.one_of(
        st.sampled_from(TEXTS),
        st.integers(-3, 3),
        st.booleans(),
        st.none(),
        st.sampled_from([2**63 - 1, 2**63, -(2**63), 16, 1000]),
        st.sampled_from([0.0, -0.0, 1.5, 1000.0, 1e300]),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(st.sampled_from(KEYS), children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def _value_of(type_: Type) -> st.SearchStrategy[Any]:
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    found: st.SearchStrategy[Any]
    if type_.enum:
        found = st.sampled_from(type_.enum)
    elif type_.kind == "object":
        found = _objects(type_)
    elif type_.kind == "map":
        found = st.dictionaries(
            st.sampled_from(MAP_KEYS), _value_of(type_.items or ANY), max_size=3
        )
    elif type_.kind == "array":
        found = st.lists(_value_of(type_.items or ANY), max_size=4)
    elif type_.kind == "string":
        found = st.sampled_from(TEXTS) | st.text(max_size=6)
    elif type_.kind == "integer":
        found = st.sampled_from([1, 0, -1, 16, 42]) | st.integers(-(2**63), 2**63 - 1)
    elif type_.kind == "number":
        found = st.sampled_from([1.5, 0.0, 1.0, 1000.0]) | st.floats(
            allow_nan=False, allow_infinity=False
        )
    elif type_.kind == "boolean":
        found = st.booleans()
    elif type_.kind == "null":
        return st.none()
    else:
        found = json_values(6)
    # The value first: that is what a failing example shrinks to.
    return st.one_of(found, st.none()) if type_.nullable else found


def _objects(type_: Type) -> st.SearchStrategy[dict[str, Any]]:
    """Objects of ``type_``: an optional field is there four times in five
    (a filter on a missing field is an error), and shrinks to being there."""
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    fields = {name: _value_of(inner) for name, inner in type_.fields.items()}

    @st.composite
    def draw_object(draw: st.DrawFn) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, inner in type_.fields.items():
            if not inner.optional or draw(st.integers(0, 4)) < 4:
                found[name] = draw(fields[name])
        return found

    return draw_object()


def records(schema: Any = None) -> st.SearchStrategy[Any]:
    """Records a filter runs on: with a ``schema``, values of it (required
    fields always, optional ones sometimes, null where it is nullable, map
    keys from :data:`MAP_KEYS`); without one, JSON objects over :data:`KEYS`.

    >>> import dataclasses
    >>> from hypothesis import given
    >>> import bexpr, bexpr.strategies as bs
    >>> @dataclasses.dataclass
    ... class Job:
    ...     Name: str
    ...     Tags: list[str]
    >>> @given(bs.records(Job))
    ... def test_shape(record):
    ...     assert set(record) == {"Name", "Tags"}
    >>> test_shape()
    """
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    root = _schema_type(schema)
    if root is None:
        # The first keys always (so most filters find something), the rest sometimes.
        values = json_values()
        return st.fixed_dictionaries(
            {key: values for key in KEYS[:3]}, optional={key: values for key in KEYS[3:]}
        )
    return _value_of(root)


# -- near misses -----------------------------------------------------------------------

_BREAKERS = ("(", ")", "{", '"', "==", "and", "or", "not", ".", "[", "/", "\\", "#", "!", "in")
_WRONG_CASE = (("and", "AND"), ("or", "Or"), ("matches", "MATCHES"), ("is empty", "is Empty"))
_BAD_TAILS = (
    ' and x == "\\q"',
    " and x ==",
    " and",
    " or (x == 1",
    ' and x matches "("',
    ' and x matches "[z-a]"',
    ' and x matches "(?<name>a)"',
    " and any L as { v == 1 }",
    " and x == 1 x == 2",
    ' and x == "unterminated',
)


def _unparsable(text: str) -> bool:
    try:
        parse(text)
    except ParseError:
        return True
    return False


def _rejected(text: str) -> bool:
    """Whether a validator rejects ``text``: a parse error, or an error
    :func:`bexpr.check` finds without a schema (a pattern that is not RE2)."""
    return _unparsable(text) or any(d.severity == "error" for d in check(text))


def invalid_expressions(schema: Any = None, *, patterns: bool = True) -> st.SearchStrategy[str]:
    """Near misses: valid filters (:func:`expressions` of ``schema``) broken
    a little: truncated, a character dropped or inserted, a keyword in the
    wrong case, a bad escape, an unbalanced parenthesis, a pattern that is
    not RE2. Each is rejected: :func:`bexpr.validate` raises
    :class:`bexpr.ParseError`, or (for patterns, which the reference only
    reports when it evaluates one) :func:`bexpr.check` gives an error;
    ``patterns=False`` leaves those out (only what ``validate`` rejects).

    >>> from hypothesis import given
    >>> import bexpr, bexpr.strategies as bs
    >>> @given(bs.invalid_expressions())
    ... def test_rejected(text):
    ...     assert any(d.severity == "error" for d in bexpr.check(text))
    >>> test_rejected()
    """
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    @st.composite
    def broken(draw: st.DrawFn) -> str:
        text: str = draw(expressions(schema, max_depth=1))
        how = draw(st.sampled_from(["tail", "truncate", "insert", "drop", "case"]))
        if how == "truncate" and len(text) > 1:
            return text[: draw(st.integers(1, len(text) - 1))]
        if how == "insert":
            at = draw(st.integers(0, len(text)))
            return text[:at] + draw(st.sampled_from(_BREAKERS)) + text[at:]
        if how == "drop" and text:
            at = draw(st.integers(0, len(text) - 1))
            return text[:at] + text[at + 1 :]
        if how == "case":
            for lower, wrong in _WRONG_CASE:
                if f" {lower} " in text:
                    return text.replace(f" {lower} ", f" {wrong} ", 1)
        return text + draw(st.sampled_from(_BAD_TAILS))

    return broken().filter(_rejected if patterns else _unparsable)


# -- list endpoints ----------------------------------------------------------------------


def list_params(
    schema: Any = None, *, valid: bool | None = None
) -> st.SearchStrategy[dict[str, str]]:
    """Query parameters of a Nomad-style list endpoint: ``filter``,
    ``per_page``, ``next_token``, ``reverse`` (each present or not).

    ``valid=True`` gives only parameters :meth:`bexpr.listing.Params.parse`
    accepts (a valid filter, ``per_page`` from 1, ``reverse`` true or
    false); ``valid=False`` only ones with at least one rejected value (an
    invalid filter, ``per_page`` of ``0``, ``-1``, ``abc`` or past the
    int32 limit, ``reverse=maybe``); ``None`` either. ``next_token`` is
    an opaque string either way (a page key need not exist).
    Use ``urllib.parse.urlencode`` for a query string.

    >>> from hypothesis import given
    >>> from bexpr import listing
    >>> import bexpr.strategies as bs
    >>> @given(bs.list_params(valid=True))
    ... def test_accepted(params):
    ...     listing.Params.parse(params)
    >>> test_accepted()
    """
    from hypothesis import strategies as st  # on first use: hypothesis is an extra's

    if valid is None:
        return list_params(schema, valid=True) | list_params(schema, valid=False)
    tokens = st.sampled_from(["job-1", "a", "", "web/1", "é"]) | st.text(max_size=8)
    if valid:
        return st.fixed_dictionaries(
            {},
            optional={
                "filter": expressions(schema, max_depth=2),
                "per_page": st.integers(1, 100).map(str),
                "next_token": tokens,
                "reverse": st.sampled_from(["true", "false"]),
            },
        )
    bad = {
        "filter": invalid_expressions(schema, patterns=False),
        "per_page": st.sampled_from(["0", "-1", "abc", "1.5", "2147483648", " 1"]),
        "reverse": st.sampled_from(["maybe", "TRUE", "1", "yes"]),
    }

    @st.composite
    def invalid(draw: st.DrawFn) -> dict[str, str]:
        params: dict[str, str] = draw(list_params(schema, valid=True))
        name = draw(st.sampled_from(sorted(bad)))
        params[name] = draw(bad[name])
        return params

    return invalid()
