"""The syntax tree of a bexpr expression.

Nodes are frozen, slotted dataclasses. Each keeps the span of source text it
was parsed from (``start``/``end`` offsets); spans take no part in equality, so
two trees are equal when they mean the same expression. ``str(node)`` prints a
canonical expression that parses back to an equal tree::

    >>> import bexpr
    >>> tree = bexpr.parse('not (Meta["env"] == prod and "dc1" in Datacenters)')
    >>> str(tree)
    'not (Meta.env == prod and "dc1" in Datacenters)'
    >>> bexpr.parse(str(tree)) == tree
    True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, TypeAlias

__all__ = [
    "And",
    "Binding",
    "BindingMode",
    "Collection",
    "CollectionOp",
    "Match",
    "MatchOp",
    "Node",
    "Not",
    "Or",
    "Selector",
    "Value",
]


class MatchOp(enum.Enum):
    """A match operator. ``contains`` parses as :attr:`IN` (operands swapped)."""

    EQUAL = "=="
    NOT_EQUAL = "!="
    IN = "in"
    NOT_IN = "not in"
    IS_EMPTY = "is empty"
    IS_NOT_EMPTY = "is not empty"
    MATCHES = "matches"
    NOT_MATCHES = "not matches"
    IS_NIL = "is nil"
    IS_NOT_NIL = "is not nil"

    @property
    def takes_value(self) -> bool:
        """Whether the operator compares the selected data with a value."""
        return self not in _UNARY

    @property
    def when_missing(self) -> bool:
        """The fixed result when the selector names a key missing from a map.

        Nothing equals, contains or matches a missing key, and a missing key is
        empty and nil (the reference's ``NotPresentDisposition``).
        """
        return self in _TRUE_WHEN_MISSING


_UNARY = frozenset({MatchOp.IS_EMPTY, MatchOp.IS_NOT_EMPTY, MatchOp.IS_NIL, MatchOp.IS_NOT_NIL})
_TRUE_WHEN_MISSING = frozenset(
    {
        MatchOp.NOT_EQUAL,
        MatchOp.NOT_IN,
        MatchOp.IS_EMPTY,
        MatchOp.NOT_MATCHES,
        MatchOp.IS_NIL,
    }
)


class CollectionOp(enum.Enum):
    """``any`` or ``all``."""

    ANY = "any"
    ALL = "all"


class BindingMode(enum.Enum):
    """How a collection expression names what it iterates over."""

    DEFAULT = "default"  # as v: element of a list, key of a map
    INDEX_VALUE = "index_value"  # as i, v
    INDEX = "index"  # as i, _
    VALUE = "value"  # as _, v


@dataclass(frozen=True, slots=True)
class Selector:
    """A path into the data: ``Meta.env``, ``Meta["env"]`` or ``"/Meta/env"``.

    ``path`` holds the keys; ``pointer`` records that it was written as a JSON
    pointer (it only changes how the selector prints).
    """

    path: tuple[str, ...]
    pointer: bool = field(default=False, compare=False)
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        """The selector as the reference spells it when used as a value.

        A dotted selector joins its keys with ``.``, a JSON pointer with ``/``
        (without the leading slash): ``x["y z"]`` is ``x.y z``, ``"/a/b"`` is
        ``a/b``.
        """
        return ("/" if self.pointer else ".").join(self.path)

    def __str__(self) -> str:
        from bexpr.printer import format_selector

        return format_selector(self)


@dataclass(frozen=True, slots=True)
class Value:
    """The value a match compares with, kept as text.

    The reference converts the text only when it meets data, to the type of
    that data (see :mod:`bexpr.coercion`). ``kind`` is how it was written:
    ``"number"``, ``"string"`` or ``"word"`` (a bare selector used as text).
    """

    raw: str
    kind: str = field(default="string", compare=False)
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def __str__(self) -> str:
        from bexpr.printer import format_value

        return format_value(self)


class _Expression:
    """What every expression node offers: ``str()`` prints the canonical
    expression, ``to_json()`` gives the node as data."""

    __slots__ = ()

    def __str__(self) -> str:
        from bexpr.printer import format_node

        return format_node(self)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, Any]:
        """This node as JSON-serializable data (see :mod:`bexpr.serialize`)."""
        from bexpr.serialize import to_json

        return to_json(self)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Match(_Expression):
    """``selector OP value``, ``value in selector`` or ``selector is empty``-style."""

    op: MatchOp
    selector: Selector
    value: Value | None = None
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Not(_Expression):
    """``not operand``."""

    operand: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And(_Expression):
    """``a and b and ...``; at least two operands, evaluated left to right."""

    operands: tuple[Node, ...]
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or(_Expression):
    """``a or b or ...``; at least two operands, evaluated left to right."""

    operands: tuple[Node, ...]
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Binding:
    """The names a collection expression binds: ``as v``, ``as i, v``, ..."""

    mode: BindingMode
    index: str | None = None
    value: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The bound names, in source order."""
        return tuple(n for n in (self.index, self.value) if n is not None)

    def __str__(self) -> str:
        if self.mode is BindingMode.DEFAULT:
            return f"{self.value}"
        return f"{self.index or '_'}, {self.value or '_'}"


@dataclass(frozen=True, slots=True)
class Collection(_Expression):
    """``any selector as binding { body }`` or the same with ``all``.

    With :attr:`BindingMode.DEFAULT` the single name is kept in ``value``.
    """

    op: CollectionOp
    selector: Selector
    binding: Binding
    body: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


Node: TypeAlias = Match | Not | And | Or | Collection
