"""The operators of the language, and every fact about each, in one table.

A match operator comes in pairs: ``==`` and ``!=``, ``in`` and ``not in``,
``matches`` and ``not matches``, ``is empty`` and ``is not empty``, ``is nil``
and ``is not nil``. One row of :data:`OPERATORS` describes a pair: how it is
spelled and where the spelling stands (:class:`Form`), what it answers for a
key missing from a map, and which kinds of value it applies to. The parser,
the printer, parse-error messages, :func:`bexpr.check` and
:func:`bexpr.complete` all read this table, and the tests check it against
the grammar (``grammar/bexpr.peg``), so that adding an operator is a row
here, the grammar, one function per evaluator or translator, and the docs.

The facts are also properties of the operator itself::

    >>> MatchOp.NOT_IN.negation, MatchOp.NOT_IN.positive, MatchOp.NOT_IN.negative
    (<MatchOp.IN: 'in'>, <MatchOp.IN: 'in'>, True)
    >>> MatchOp.IS_EMPTY.when_missing, MatchOp.EQUAL.when_missing
    (True, False)
    >>> [spelling for _, spelling in MatchOp.NOT_IN.spellings]
    ['not in', 'not contains']
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "OPERATORS",
    "CollectionOp",
    "Form",
    "Kind",
    "MatchOp",
    "Operator",
]

Kind = Literal["string", "integer", "number", "boolean", "null", "object", "map", "array", "any"]
"""The kinds of value the language tells apart (a JSON Schema's names, plus
``map`` for objects with arbitrary keys and ``any`` for unknown)."""


class Form(enum.Enum):
    """Where an operator's spelling stands in a match. The value names the
    grammar token that spells operators of this form."""

    BINARY = "BINARY_OP"
    """``selector OP value``: ``Name == web``, ``Tags contains x``."""
    IN = "IN_OP"
    """``value OP selector``: ``"x" in Tags``."""
    UNARY = "UNARY_OP"
    """``selector OP``: ``Meta is empty``."""


class MatchOp(enum.Enum):
    """A match operator; its value is its canonical spelling, as printed.

    ``contains`` is another spelling of :attr:`IN`, with the operands the
    other way round. The properties read :data:`OPERATORS`.
    """

    EQUAL = "=="
    """``selector == value``."""
    NOT_EQUAL = "!="
    """``selector != value``."""
    IN = "in"
    """``value in selector``, or ``selector contains value``."""
    NOT_IN = "not in"
    """``value not in selector``, or ``selector not contains value``."""
    MATCHES = "matches"
    """``selector matches pattern``: an RE2 search."""
    NOT_MATCHES = "not matches"
    """``selector not matches pattern``."""
    IS_EMPTY = "is empty"
    """``selector is empty``."""
    IS_NOT_EMPTY = "is not empty"
    """``selector is not empty``."""
    IS_NIL = "is nil"
    """``selector is nil``."""
    IS_NOT_NIL = "is not nil"
    """``selector is not nil``."""

    @property
    def row(self) -> Operator:
        """The row of :data:`OPERATORS` that describes this operator's pair."""
        # Keyed by spelling: a str hashes in C, an Enum member in Python.
        return _ROWS[self._value_]

    @property
    def negative(self) -> bool:
        """Whether this is the negated one of its pair (``!=``, ``not in``, ...)."""
        return self is self.row.negation

    @property
    def positive(self) -> MatchOp:
        """The positive one of this operator's pair: ``==`` for ``!=``."""
        return self.row.op

    @property
    def negation(self) -> MatchOp:
        """The operator that answers the opposite: ``!=`` for ``==`` and back.

        ``not (X op v)`` and ``X op.negation v`` agree on every datum,
        errors and missing keys included.
        """
        row = self.row
        return row.op if self.negative else row.negation

    @property
    def form(self) -> Form:
        """Where the canonical spelling stands (:class:`Form`)."""
        return self.row.form

    @property
    def takes_value(self) -> bool:
        """Whether the operator compares the selected data with a value."""
        return self.row.form is not Form.UNARY

    @property
    def when_missing(self) -> bool:
        """The fixed result when the selector names a key missing from a map.

        Nothing equals, contains or matches a missing key, and a missing key
        is empty and nil (the reference's ``NotPresentDisposition``).
        """
        return self.row.when_missing != self.negative

    @property
    def applies_to(self) -> frozenset[Kind]:
        """The kinds of value the operator can test; any other is an error."""
        return self.row.applies_to

    @property
    def spellings(self) -> tuple[tuple[Form, str], ...]:
        """Every way to write the operator, the canonical one first."""
        row = self.row
        spellings = [(row.form, self.value)]
        if row.also is not None:
            form, positive, negative = row.also
            spellings.append((form, negative if self.negative else positive))
        return tuple(spellings)


@dataclass(frozen=True, slots=True)
class Operator:
    """The facts about an operator and its negation (a row of :data:`OPERATORS`)."""

    op: MatchOp
    """The positive operator: ``==``, ``in``, ``matches``, ``is empty``, ``is nil``."""
    negation: MatchOp
    """The operator that answers the opposite of :attr:`op`."""
    form: Form
    """Where the canonical spellings of both stand."""
    when_missing: bool
    """What :attr:`op` answers for a missing key; its negation answers the opposite."""
    applies_to: frozenset[Kind]
    """The kinds of value both apply to."""
    also: tuple[Form, str, str] | None = None
    """Another way to write both: its form, then the spellings of op and negation."""


_SCALARS: Final[frozenset[Kind]] = frozenset({"string", "integer", "number", "boolean"})
_CONTAINERS: Final[frozenset[Kind]] = frozenset({"string", "map", "array"})

OPERATORS: Final[tuple[Operator, ...]] = (
    Operator(MatchOp.EQUAL, MatchOp.NOT_EQUAL, Form.BINARY, False, _SCALARS),
    Operator(
        MatchOp.IN,
        MatchOp.NOT_IN,
        Form.IN,
        False,
        _CONTAINERS,
        also=(Form.BINARY, "contains", "not contains"),
    ),
    Operator(MatchOp.MATCHES, MatchOp.NOT_MATCHES, Form.BINARY, False, frozenset({"string"})),
    Operator(MatchOp.IS_EMPTY, MatchOp.IS_NOT_EMPTY, Form.UNARY, True, _CONTAINERS),
    Operator(
        MatchOp.IS_NIL,
        MatchOp.IS_NOT_NIL,
        Form.UNARY,
        True,
        frozenset({"null", "object", "map", "array"}),
    ),
)
"""One row per pair of operators, in the order completion offers them."""

_ROWS: Final[dict[str, Operator]] = {
    op.value: row for row in OPERATORS for op in (row.op, row.negation)
}


class CollectionOp(enum.Enum):
    """``any`` or ``all``: whether the body must hold for some or every element."""

    ANY = "any"
    """``any selector as v { body }``: the body holds for some element."""
    ALL = "all"
    """``all selector as v { body }``: the body holds for every element."""

    @property
    def when_missing(self) -> bool:
        """The result over a missing key: no element satisfies ``any``, and
        every element (there are none) satisfies ``all``."""
        return self is CollectionOp.ALL
