"""What every engine translation shares: "certainly true, certainly false, maybe".

An engine (SQL, Polars, Spark) runs a bexpr filter as an expression that is,
per record, TRUE (the record certainly matches), FALSE (it certainly does
not, and the reference raises no error on it) or MAYBE (the engine cannot
decide it, or the reference would raise there). The records that come out
MAYBE are re-checked by the Python evaluator, which accepts, rejects or
raises as the reference does, so the engine answers only what it can answer
the reference's way.

This module holds what does not depend on the engine:

- :class:`Logic`, the three values and go-bexpr's connectives over them
  (``and``/``or`` left to right, a MAYBE on the left stays MAYBE whatever
  the right says; ``not`` keeps MAYBE), which each engine spells;
- :class:`Translator`, the tree walk for ``and``/``or``/``not``, with
  exactness tracking (a translation that never yields MAYBE needs no
  re-check);
- :func:`undecidable`, the options under which nothing can be decided
  outside Python (a hook, a resolver, unknown values, variables).

A new engine is a module that subclasses these, not a new design.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Generic, TypeVar

from bexpr.options import Options
from bexpr.syntax.ast import And, Collection, Not, Or
from bexpr.syntax.visitor import Visitor

__all__ = ["Logic", "Translator", "undecidable"]

E = TypeVar("E")


class Logic(ABC, Generic[E]):
    """The three values and go-bexpr's connectives, in one engine's terms."""

    @property
    @abstractmethod
    def true(self) -> E:
        """Certainly matches."""

    @property
    @abstractmethod
    def false(self) -> E:
        """Certainly does not match, and raises no error."""

    @property
    @abstractmethod
    def maybe(self) -> E:
        """Undecided here: the Python evaluator decides."""

    @abstractmethod
    def and_(self, left: E, right: E) -> E:
        """MAYBE if ``left`` is; FALSE if ``left`` is FALSE; else ``right``."""

    @abstractmethod
    def or_(self, left: E, right: E) -> E:
        """MAYBE if ``left`` is; TRUE if ``left`` is TRUE; else ``right``."""

    @abstractmethod
    def not_(self, operand: E) -> E:
        """TRUE and FALSE swapped; MAYBE stays MAYBE."""


class Translator(Visitor[E]):
    """The tree walk every engine shares; engines add ``visit_match`` (and,
    if they can, ``visit_collection``, which is MAYBE here)."""

    def __init__(self, logic: Logic[E]) -> None:
        self.logic = logic
        self.exact = True
        """Whether nothing translated so far can be MAYBE."""

    def maybe(self) -> E:
        """Left to the Python re-check."""
        self.exact = False
        return self.logic.maybe

    def visit_not(self, node: Not, *args: Any) -> E:
        return self.logic.not_(self.visit(node.operand, *args))

    def visit_and(self, node: And, *args: Any) -> E:
        result = self.visit(node.operands[-1], *args)
        for operand in reversed(node.operands[:-1]):
            result = self.logic.and_(self.visit(operand, *args), result)
        return result

    def visit_or(self, node: Or, *args: Any) -> E:
        result = self.visit(node.operands[-1], *args)
        for operand in reversed(node.operands[:-1]):
            result = self.logic.or_(self.visit(operand, *args), result)
        return result

    def visit_collection(self, node: Collection, *args: Any) -> E:
        return self.maybe()


def undecidable(options: Options) -> bool:
    """Whether ``options`` change what lookups find in Python (a hook, a
    resolver, unknown values, variables): then only Python can decide."""
    return (
        options.hook is not None
        or options.resolver is not None
        or options.has_unknown
        or bool(options.variables)
    )
