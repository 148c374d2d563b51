"""bexpr over typed records (dataframes): one translation for every engine.

A dataframe's rows, as Python sees them (``DataFrame.to_dicts()``,
``Row.asDict(recursive=True)``), are dicts whose values have the column's
type or are None: a struct is a dict holding every field, a list is a list,
a map is a dict holding some keys. Because the types are known before any
row is read, most of bexpr's dispatch on the value's type happens here, at
translation time; the engine only tests values (and nulls, which are errors
to most operators and so left to Python).

:class:`TypedTranslator` walks the tree with :mod:`bexpr.translate.core`'s
three values and asks an :class:`Ops` for engine expressions. Polars and
Spark each implement :class:`Ops`; the semantics are here, once, and the
property tests compare both engines with the Python evaluator.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeAlias, TypeVar

from bexpr.evaluation.operations import canonical_int, plain_pattern, searcher
from bexpr.go import re2
from bexpr.go.strconv import INT64_MAX, INT64_MIN, ConversionError, Converted, convert
from bexpr.options import Options
from bexpr.syntax.ast import (
    And,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
)
from bexpr.syntax.visitor import walk
from bexpr.translate.core import Logic, Translator, undecidable

__all__ = [
    "ListOf",
    "MapOf",
    "Ops",
    "Pushed",
    "Scalar",
    "StructOf",
    "Type",
    "TypedTranslation",
    "TypedTranslator",
    "lenient_search",
    "pushable",
    "translate_typed",
]

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Scalar:
    """A column of scalars: ``kind`` is ``"str"``, ``"int"`` (within int64),
    ``"uint64"`` (may exceed it), ``"float"``, ``"bool"``, ``"null"`` (always
    None) or ``"other"`` (dates, decimals, binary...: left to Python)."""

    kind: str


@dataclass(frozen=True, slots=True)
class ListOf:
    """A list (Polars ``List``/``Array``, Spark ``ArrayType``)."""

    element: Type


@dataclass(frozen=True, slots=True)
class StructOf:
    """A struct: a dict holding every one of its fields."""

    fields: Mapping[str, Type] = field(hash=False)


@dataclass(frozen=True, slots=True)
class MapOf:
    """A map with string keys: a dict holding some keys (Spark ``MapType``)."""

    value: Type


Type: TypeAlias = Scalar | ListOf | StructOf | MapOf
OTHER = Scalar("other")


class Ops(Logic[E]):
    """One engine's expressions: what :class:`TypedTranslator` asks for.

    Every method builds an expression; none reads data. Values given as
    Python values (``value``) are literals the engine binds.
    """

    @abstractmethod
    def column(self, name: str) -> E:
        """A top-level column."""

    @abstractmethod
    def field(self, struct: E, name: str) -> E:
        """A struct's field."""

    def map_get(self, mapping: E, key: str) -> E:
        """A map's value at ``key`` (null when missing)."""
        raise NotImplementedError

    def map_has(self, mapping: E, key: str) -> E:
        """Whether a (non-null) map holds ``key``."""
        raise NotImplementedError

    def map_size(self, mapping: E) -> E:
        """How many keys a (non-null) map holds."""
        raise NotImplementedError

    @abstractmethod
    def is_null(self, value: E) -> E:
        """TRUE for a null, FALSE otherwise (never null)."""

    @abstractmethod
    def when(self, branches: list[tuple[E, E]], otherwise: E) -> E:
        """The value of the first branch whose condition is TRUE, else ``otherwise``."""

    @abstractmethod
    def equal(self, value: E, literal: Any, kind: str) -> E:
        """``value == literal`` for a non-null value of scalar ``kind``
        (``"str"``, ``"int"``, ``"uint64"``, ``"float"`` compared as float64,
        ``"bool"``), exactly as Python compares the two."""

    @abstractmethod
    def is_nan(self, value: E) -> E:
        """Whether a non-null float is NaN."""

    @abstractmethod
    def at_most(self, value: E, literal: int) -> E:
        """``value <= literal`` for a non-null integer."""

    @abstractmethod
    def contains(self, text: E, literal: str) -> E:
        """Whether a non-null string holds ``literal`` (case-sensitive, no pattern)."""

    @abstractmethod
    def starts_with(self, text: E, literal: str) -> E: ...

    @abstractmethod
    def ends_with(self, text: E, literal: str) -> E: ...

    @abstractmethod
    def length(self, value: E, kind: str) -> E:
        """The length of a non-null string (``"str"``) or list (``"list"``)."""

    @abstractmethod
    def matches(self, text: E, pattern: str, options: Options) -> E | None:
        """A non-null string matched against an RE2 pattern, exactly, or
        None when the engine cannot (then the row is Python's)."""

    @abstractmethod
    def list_has_null(self, values: E) -> E:
        """Whether a non-null list holds a null."""

    @abstractmethod
    def list_contains(self, values: E, literal: Any, kind: str) -> E:
        """Whether a non-null list of scalars of ``kind``, without nulls,
        holds an element equal to ``literal`` (as :meth:`equal` compares)."""

    @abstractmethod
    def list_map(self, values: E, body: Callable[[E], E]) -> E:
        """The list of ``body(element)`` for a non-null list."""

    @abstractmethod
    def list_any(self, values: E) -> E:
        """Whether a list of booleans without nulls holds a TRUE (FALSE when empty)."""

    @abstractmethod
    def list_all(self, values: E) -> E:
        """Whether a list of booleans without nulls is all TRUE (TRUE when empty)."""


@dataclass(frozen=True)
class TypedTranslation(Generic[E]):
    """A filter as an engine expression: TRUE, FALSE or MAYBE (null) per row.

    ``exact`` says it is never MAYBE; ``columns`` are the top-level columns
    the filter reads (what the Python re-check of a row needs).
    """

    where: E
    exact: bool
    columns: tuple[str, ...]


# A place in a record, as the translation knows it: an engine expression
# and its type; or a fixed outcome of the lookup (None: Python's).
@dataclass(frozen=True, slots=True)
class _Place(Generic[E]):
    value: E
    type: Type
    guards: tuple[tuple[E, str], ...] = ()
    """(condition, outcome) pairs tested first: outcome "maybe" or "missing"."""


_Scope: TypeAlias = Mapping[str, tuple[Any, Type]]


class TypedTranslator(Translator[E]):
    """A filter over typed columns, in one engine's expressions."""

    def __init__(self, ops: Ops[E], schema: Mapping[str, Type], options: Options) -> None:
        super().__init__(ops)
        self.ops = ops
        self.schema = schema
        self.options = options

    # -- lookups -----------------------------------------------------------------
    def place(self, path: tuple[str, ...], scope: _Scope) -> _Place[E] | None:
        """Where ``path`` leads, or None when only Python can follow it."""
        ops = self.ops
        head, rest = path[0], path[1:]
        if head in scope:
            value, type_ = scope[head]
        elif head in self.schema:
            value, type_ = ops.column(head), self.schema[head]
        else:
            return None  # a missing top-level key: the reference's error
        guards: list[tuple[E, str]] = []
        for index, key in enumerate(rest, 1):
            # A missing last key gives the operator's fixed result; a missing
            # key above it is the reference's error (Python's).
            missing = "missing" if index == len(rest) else "maybe"
            guards.append((ops.is_null(value), "maybe"))  # a step into null
            if isinstance(type_, StructOf):
                if key not in type_.fields:
                    return _Place(value, OTHER, (*guards, (ops.true, missing)))
                value, type_ = ops.field(value, key), type_.fields[key]
            elif isinstance(type_, MapOf):
                try:
                    guards.append((ops.not_(ops.map_has(value, key)), missing))
                    value, type_ = ops.map_get(value, key), type_.value
                except NotImplementedError:
                    return None
            else:
                return None  # a list index, a scalar: Python's
        return _Place(value, type_, tuple(guards))

    def resolve(self, place: _Place[E], missing: bool, test: E) -> E:
        """``test`` behind a place's guards."""
        branches = [
            (condition, self.maybe() if outcome == "maybe" else self.constant(missing))
            for condition, outcome in place.guards
        ]
        return self.ops.when(branches, test) if branches else test

    def constant(self, value: bool) -> E:
        return self.ops.true if value else self.ops.false

    # -- matches ----------------------------------------------------------------
    def visit_match(self, node: Match, scope: _Scope | None = None) -> E:
        op = node.op
        place = self.place(node.selector.path, scope or {})
        if place is None:
            return self.maybe()
        conv = convert(node.value.raw if node.value is not None else "")
        test = self.value_test(op.positive, conv, place.value, place.type)
        result = self.resolve(place, op.positive.when_missing, test)
        return self.ops.not_(result) if op.negative else result

    def value_test(self, op: MatchOp, conv: Converted, value: E, type_: Type) -> E:
        """An operator on a value of a known type (null included)."""
        ops = self.ops
        if op is MatchOp.IS_NIL:
            if isinstance(type_, Scalar):
                # null is nil; any other scalar is the reference's error.
                return ops.when([(ops.is_null(value), ops.true)], self.maybe())
            return ops.when([(ops.is_null(value), ops.true)], ops.false)
        test = self.present_test(op, conv, value, type_)
        # A null under any other operator is the reference's error.
        return ops.when([(ops.is_null(value), self.maybe())], test)

    def present_test(self, op: MatchOp, conv: Converted, value: E, type_: Type) -> E:
        """An operator on a non-null value of a known type."""
        if isinstance(type_, Scalar):
            return self.scalar_test(op, conv, value, type_.kind)
        if isinstance(type_, ListOf):
            return self.list_test(op, conv, value, type_.element)
        if isinstance(type_, StructOf):
            if op is MatchOp.IN:
                return self.constant(conv.raw in type_.fields)
            if op is MatchOp.IS_EMPTY:
                return self.constant(not type_.fields)
            return self.maybe()  # ==, matches on a map: an error
        if op is MatchOp.IN:
            return self.wrap(lambda: self.ops.map_has(value, conv.raw))
        if op is MatchOp.IS_EMPTY:
            return self.wrap(lambda: self.ops.equal(self.ops.map_size(value), 0, "int"))
        return self.maybe()

    def wrap(self, build: Callable[[], E]) -> E:
        """``build()``, or MAYBE where the engine has no such operation."""
        try:
            return build()
        except NotImplementedError:
            return self.maybe()

    def scalar_test(self, op: MatchOp, conv: Converted, value: E, kind: str) -> E:
        ops = self.ops
        if kind == "str":
            if op is MatchOp.EQUAL:
                return ops.equal(value, conv.raw, "str")
            if op is MatchOp.IN:
                return ops.contains(value, conv.raw)
            if op is MatchOp.IS_EMPTY:
                return ops.equal(ops.length(value, "str"), 0, "int")
            return self.pattern(value, conv.raw)
        if op is not MatchOp.EQUAL or kind in ("null", "other"):
            return self.maybe()  # in/empty/matches on a number or bool: an error
        if kind == "bool":
            if isinstance(conv.as_bool, ConversionError):
                return self.maybe()
            return ops.equal(value, conv.as_bool, "bool")
        if kind == "float":
            return self.float_equal(value, conv.as_float)
        if isinstance(conv.as_int, ConversionError):
            return self.maybe()  # the reference: a conversion error
        test = ops.equal(value, conv.as_int, kind)
        if kind == "uint64":
            # Past int64 the reference compares as floats: Python's.
            return ops.when([(ops.at_most(value, INT64_MAX), test)], self.maybe())
        return test

    def float_equal(self, value: E, reading: float | ConversionError) -> E:
        ops = self.ops
        if isinstance(reading, ConversionError):
            return self.maybe()
        if math.isnan(reading):
            return ops.false  # NaN equals nothing to the reference (engines may differ)
        # A NaN value equals no number; engines agree, but say so plainly.
        return ops.when([(ops.is_nan(value), ops.false)], ops.equal(value, reading, "float"))

    def pattern(self, value: E, raw: str) -> E:
        ops = self.ops
        try:
            found = plain_pattern(raw)
            re2.to_rust(raw)  # validates as RE2
        except re2.RE2SyntaxError:
            return self.maybe()  # the reference reports the invalid pattern
        if found is not None:
            kind, literal = found
            if kind == "equal":
                return ops.equal(value, literal, "str")
            if literal == "":
                return ops.true
            if kind == "contains":
                return ops.contains(value, literal)
            if kind == "prefix":
                return ops.starts_with(value, literal)
            return ops.ends_with(value, literal)
        matched = ops.matches(value, raw, self.options)
        if matched is None:
            return self.maybe()
        # The engine's matcher may give null (a timeout): the row is Python's.
        self.exact = False
        return matched

    def list_test(self, op: MatchOp, conv: Converted, values: E, element: Type) -> E:
        ops = self.ops
        if op is MatchOp.IS_EMPTY:
            return ops.equal(ops.length(values, "list"), 0, "int")
        if op is not MatchOp.IN:
            return self.maybe()  # == or matches on a list: an error
        empty = ops.equal(ops.length(values, "list"), 0, "int")
        if not isinstance(element, Scalar) or element.kind in ("null", "other"):
            # An element the reference cannot compare: an error, unless there is none.
            return ops.when([(empty, ops.false)], self.maybe())
        reading = self.element_reading(conv, element.kind)
        # A null element is an error where it is reached: Python's.
        has_null = ops.list_has_null(values)
        found = ops.false if reading is None else ops.list_contains(values, reading, element.kind)
        return ops.when([(has_null, self.maybe())], found)

    def element_reading(self, conv: Converted, kind: str) -> Any:
        """The literal as a list element of ``kind`` equals it, or None if none can."""
        if kind == "str":
            return conv.raw
        if kind == "bool":
            return None if isinstance(conv.as_bool, ConversionError) else conv.as_bool
        if kind == "float":
            reading = conv.as_float
            if isinstance(reading, ConversionError) or math.isnan(reading):
                return None
            return reading
        canonical = canonical_int(conv.raw)
        low, high = (0, 2**64 - 1) if kind == "uint64" else (INT64_MIN, INT64_MAX)
        if canonical is None or not low <= canonical <= high:
            return None  # no element of the column's type can equal it
        return canonical

    # -- collections ---------------------------------------------------------------
    def visit_collection(self, node: Collection, scope: _Scope | None = None) -> E:
        ops = self.ops
        binding = node.binding
        if binding.mode not in (BindingMode.DEFAULT, BindingMode.VALUE) or binding.value is None:
            return self.maybe()
        place = self.place(node.selector.path, scope or {})
        if place is None or not isinstance(place.type, ListOf):
            return self.maybe()
        name = binding.value
        # The body runs per element; it may read only the element (engines
        # evaluate it apart from the row), else the row is Python's.
        for inner, _ in walk(node.body):
            selector = getattr(inner, "selector", None)
            if selector is not None and selector.path[0] != name:
                return self.maybe()
        element_type = place.type.element
        mapped = ops.list_map(
            place.value, lambda element: self.visit(node.body, {name: (element, element_type)})
        )
        undecided = ops.list_has_null(mapped)
        decided = ops.list_any(mapped) if node.op is CollectionOp.ANY else ops.list_all(mapped)
        test = ops.when(
            [(ops.is_null(place.value), self.maybe()), (undecided, self.maybe())], decided
        )
        return self.resolve(place, node.op.when_missing, test)


@dataclass(frozen=True, slots=True)
class Pushed:
    """A plain test every row passes that the filter keeps (or, failing,
    raises on): ``path == value``, where every step of ``path`` is a column
    or struct field and its end a string, integer or boolean. With
    ``nulls`` a null at any step passes too (the reference raises there)."""

    path: tuple[str, ...]
    value: str | int | bool
    nulls: bool


def pushable(tree: Node, schema: Mapping[str, Type], errors: str) -> list[Pushed]:
    """Tests an engine can apply before the filter, in its scan (a Parquet
    reader skips row groups with them): the ``==`` tests of the top-level
    ``and`` on string, integer and boolean columns and struct fields.

    With ``errors="skip"`` each is pushed as is: a row failing one is
    unmatched or an error (a null), dropped either way. Otherwise only the
    first, with ``nulls``: a row failing it is unmatched without an error
    (a test further right may never be reached), while a null must reach
    the Python re-check, which raises. Options that change what lookups
    find (see :func:`bexpr.translate.core.undecidable`) push nothing.
    """
    found: list[Pushed] = []
    operands = tree.operands if isinstance(tree, And) else (tree,)
    for operand in operands if errors == "skip" else operands[:1]:
        if not isinstance(operand, Match) or operand.op is not MatchOp.EQUAL:
            continue
        assert operand.value is not None
        path = operand.selector.path
        type_: Type | None = schema.get(path[0])
        for key in path[1:]:
            type_ = type_.fields.get(key) if isinstance(type_, StructOf) else None
        if not isinstance(type_, Scalar):
            continue
        conv = convert(operand.value.raw)
        reading: object = {"str": conv.raw, "int": conv.as_int, "bool": conv.as_bool}.get(
            type_.kind
        )
        if isinstance(reading, (str, int, bool)):  # not a conversion error, nor a float column
            found.append(Pushed(path, reading, errors != "skip"))
    return found


def lenient_search(pattern: str, timeout: float | None) -> Callable[[str | None], bool | None]:
    """bexpr's matcher for an engine to run on one value: None for a null
    or a timeout (the row goes to the Python re-check). The pattern is
    compiled on first use, so the function pickles (for Spark's executors)."""
    found: list[Callable[[str], bool]] = []

    def run(text: str | None) -> bool | None:
        if text is None:
            return None
        if not found:
            found.append(searcher(pattern, "", timeout))
        try:
            return found[0](text)
        except Exception:  # a timeout: the row goes to the Python re-check
            return None

    return run


def columns_read(tree: Node) -> tuple[str, ...]:
    """The top-level keys a filter's selectors start with (bound names aside)."""
    found: dict[str, None] = {}
    bound: set[str] = set()
    for node, _ in walk(tree):
        if isinstance(node, Collection):
            bound.update(node.binding.names)
    for node, _ in walk(tree):
        selector = getattr(node, "selector", None)
        if selector is not None:
            found.setdefault(selector.path[0], None)
    # A bound name may also be a column: keep it, the re-check may need it.
    return tuple(found)


def translate_typed(
    tree: Node, ops: Ops[E], schema: Mapping[str, Type], options: Options
) -> TypedTranslation[E]:
    """Translate ``tree`` for a frame of ``schema`` with ``ops``."""
    columns = tuple(name for name in columns_read(tree) if name in schema)
    if undecidable(options):
        return TypedTranslation(ops.maybe, False, tuple(schema))
    translator = TypedTranslator(ops, schema, options)
    where = translator.visit(tree)
    return TypedTranslation(where, translator.exact, columns)
