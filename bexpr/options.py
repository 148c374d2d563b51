"""Compile options, the analogue of the reference's ``With...`` options.

- ``unknown``: a value used for every key that is not found, at any depth
  (the reference's ``WithUnknownValue``). Absent by default; ``unknown=None``
  is a real value (missing keys then behave like JSON ``null``).
- ``max_expressions``: the largest expression accepted, counted in
  expression nodes (see :func:`count_nodes`); :data:`DEFAULT_MAX_EXPRESSIONS`
  by default.
- ``hook``: a function applied to every value a selector steps through, after
  each step (the reference's ``WithHookFn``): it sees the value found for
  ``Meta``, then for ``Meta.env``, and returns what to use instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from bexpr.ast import And, Collection, Match, Node, Not, Or

__all__ = [
    "DEFAULT_MAX_EXPRESSIONS",
    "MISSING",
    "Hook",
    "Options",
    "count_nodes",
]

DEFAULT_MAX_EXPRESSIONS: Final = 10_000

Hook = Callable[[Any], Any]


class _Missing:
    """The type of :data:`MISSING`."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Marks an option that was not given (``None`` is a real ``unknown`` value)."""


@dataclass(frozen=True, slots=True)
class Options:
    """The options an expression was compiled with."""

    unknown: Any = MISSING
    hook: Hook | None = None
    max_expressions: int = DEFAULT_MAX_EXPRESSIONS

    @property
    def has_unknown(self) -> bool:
        """Whether missing keys are replaced with :attr:`unknown`."""
        return self.unknown is not MISSING


def count_nodes(node: Node) -> int:
    """Count expression nodes the way ``max_expressions`` limits them.

    Every match, every ``not``, every collection expression and every
    ``and``/``or`` between two operands counts one: ``a == 1 and not b == 2``
    counts 4 (two matches, one ``not``, one ``and``).
    """
    total = 0
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Match):
            total += 1
        elif isinstance(current, Not):
            total += 1
            stack.append(current.operand)
        elif isinstance(current, And | Or):
            total += len(current.operands) - 1
            stack.extend(current.operands)
        elif isinstance(current, Collection):
            total += 1
            stack.append(current.body)
    return total
