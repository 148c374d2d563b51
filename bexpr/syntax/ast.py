"""The syntax tree of a bexpr expression.

Nodes are frozen, slotted dataclasses. Each keeps the span of source text it
was parsed from (``start``/``end`` offsets); spans take no part in equality, so
two trees are equal when they mean the same expression.

Every expression node declares its ``kind`` (``match``, ``not``, ``and``,
``or``, ``collection``) and its child expressions (:meth:`~Not.children`),
which is all :mod:`bexpr.syntax.visitor` needs to walk, visit or rewrite any
tree. A node also spells itself, as go-bexpr's nodes do: ``str(node)`` prints
a canonical expression that parses back to an equal tree, and
``node.to_json()`` gives it as JSON-serializable data (read back by
:func:`bexpr.from_json`)::

    >>> import bexpr
    >>> tree = bexpr.parse('not (Meta["env"] == prod and "dc1" in Datacenters)')
    >>> str(tree)
    'not (Meta.env == prod and "dc1" in Datacenters)'
    >>> bexpr.parse(str(tree)) == tree
    True
    >>> tree.kind, [child.kind for child in tree.children()]
    ('not', ['and'])
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeAlias

from bexpr.syntax.operators import CollectionOp, Form, MatchOp
from bexpr.syntax.tokens import AND, AS, NOT, OR, WORD_OPERATORS, spell_path, spell_value

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


class BindingMode(enum.Enum):
    """How a collection expression names what it iterates over."""

    DEFAULT = "default"
    """``as v``: an element of a list, a key of a map."""
    INDEX_VALUE = "index_value"
    """``as i, v``: an index (a key) and its element (its value)."""
    INDEX = "index"
    """``as i, _``: the index or key only."""
    VALUE = "value"
    """``as _, v``: the element or value only."""


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
        return spell_path(self.path, self.pointer)

    def to_json(self) -> dict[str, Any]:
        """The selector as data: ``{"path": [...], "pointer": bool}``."""
        return {"path": list(self.path), "pointer": self.pointer}


@dataclass(frozen=True, slots=True)
class Value:
    """The value a match compares with, kept as text.

    The reference converts the text only when it meets data, to the type of
    that data (see :mod:`bexpr.go.strconv`). ``kind`` is how it was written:
    ``"number"``, ``"string"`` or ``"word"`` (a bare selector used as text).
    """

    raw: str
    kind: str = field(default="string", compare=False)
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return spell_value(self.raw, self.kind)

    def to_json(self) -> dict[str, Any]:
        """The value as data: ``{"raw": text, "kind": how it was written}``."""
        return {"raw": self.raw, "kind": self.kind}


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

    def to_json(self) -> dict[str, Any]:
        """The binding as data: ``{"mode": ..., "index": ..., "value": ...}``."""
        return {"mode": self.mode.value, "index": self.index, "value": self.value}


class _Expression:
    """What every expression node has: a kind, children and a span."""

    __slots__ = ()
    kind: ClassVar[str]
    """The node's kind, as in its JSON form and a visitor's ``visit_<kind>``."""
    start: int
    end: int

    def children(self) -> tuple[Node, ...]:
        """The node's child expressions, in source order."""
        return ()

    def with_children(self, children: Sequence[Node]) -> Node:
        """A copy of this node with ``children`` in place of its own."""
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        """This node as JSON-serializable data (the format of :mod:`bexpr.translate.json`)."""
        raise NotImplementedError

    def _position(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Match(_Expression):
    """``selector OP value``, ``value in selector`` or ``selector is empty``-style."""

    kind: ClassVar[str] = "match"
    op: MatchOp
    selector: Selector
    value: Value | None = None
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def with_children(self, children: Sequence[Node]) -> Node:
        return self

    def __str__(self) -> str:
        selector = str(self.selector)
        if self.value is None:
            return f"{selector} {self.op.value}"
        value = str(self.value)
        if selector == NOT and self.op.value.startswith(NOT + " "):
            # `not not matches x` would read as a negation.
            selector = '"/not"'
        if self.op.form is Form.IN:
            return f"{value} {self.op.value} {selector}"
        return f"{selector} {self.op.value} {value}"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": self.kind,
            "op": self.op.value,
            "selector": self.selector.to_json(),
        }
        if self.value is not None:
            data["value"] = self.value.to_json()
        return data | self._position()


@dataclass(frozen=True, slots=True)
class Not(_Expression):
    """``not operand``."""

    kind: ClassVar[str] = "not"
    operand: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def with_children(self, children: Sequence[Node]) -> Node:
        (operand,) = children
        return Not(operand, self.start, self.end)

    def __str__(self) -> str:
        operand = _operand(self.operand, (Match, Not))
        if operand.startswith(NOT + " "):
            # `not not ...` would read as a double negation or as a selector
            # named `not`; parentheses keep the tree as it is.
            operand = f"({operand})"
        return f"{NOT} {operand}"

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, "operand": self.operand.to_json()} | self._position()


@dataclass(frozen=True, slots=True)
class _Junction(_Expression):
    """What ``and`` and ``or`` share: two or more operands, evaluated left to right."""

    operands: tuple[Node, ...]
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def children(self) -> tuple[Node, ...]:
        return self.operands

    def with_children(self, children: Sequence[Node]) -> Node:
        junction: And | Or = type(self)(tuple(children), self.start, self.end)  # type: ignore[assignment]
        return junction

    def to_json(self) -> dict[str, Any]:
        operands = [op.to_json() for op in self.operands]
        return {"type": self.kind, "operands": operands} | self._position()


@dataclass(frozen=True, slots=True)
class And(_Junction):
    """``a and b and ...``; at least two operands, evaluated left to right."""

    kind: ClassVar[str] = "and"

    def __str__(self) -> str:
        return f" {AND} ".join(_operand(op, (Match, Not)) for op in self.operands)


@dataclass(frozen=True, slots=True)
class Or(_Junction):
    """``a or b or ...``; at least two operands, evaluated left to right."""

    kind: ClassVar[str] = "or"

    def __str__(self) -> str:
        last = len(self.operands) - 1
        # The grammar only accepts a collection expression as the last operand of `or`.
        return f" {OR} ".join(
            _operand(op, (Match, Not, And, Collection) if i == last else (Match, Not, And))
            for i, op in enumerate(self.operands)
        )


@dataclass(frozen=True, slots=True)
class Collection(_Expression):
    """``any selector as binding { body }`` or the same with ``all``.

    With :attr:`BindingMode.DEFAULT` the single name is kept in ``value``.
    """

    kind: ClassVar[str] = "collection"
    op: CollectionOp
    selector: Selector
    binding: Binding
    body: Node
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

    def children(self) -> tuple[Node, ...]:
        return (self.body,)

    def with_children(self, children: Sequence[Node]) -> Node:
        (body,) = children
        return Collection(self.op, self.selector, self.binding, body, self.start, self.end)

    def __str__(self) -> str:
        selector = str(self.selector)
        if selector in WORD_OPERATORS:
            # `any in as x {...}` reads as the match `any in as`: use a pointer.
            selector = f'"/{selector}"'
        return f"{self.op.value} {selector} {AS} {self.binding} {{ {self.body} }}"

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "op": self.op.value,
            "selector": self.selector.to_json(),
            "binding": self.binding.to_json(),
            "body": self.body.to_json(),
        } | self._position()


Node: TypeAlias = Match | Not | And | Or | Collection
"""An expression: what :func:`bexpr.parse` returns, and every node's children."""


def _operand(node: Node, bare: tuple[type, ...]) -> str:
    """A child printed inside its parent: in parentheses unless it is one of
    the ``bare`` kinds, which bind tighter than the parent."""
    # Recursion, not an explicit stack: the parser bounds nesting depth well
    # below the recursion limit, and printing reads more plainly this way.
    text = str(node)
    return text if isinstance(node, bare) else f"({text})"
