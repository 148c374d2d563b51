"""Compile options, the analogue of the reference's ``With...`` options.

- ``unknown``: a value used for every key that is not found, at any depth
  (the reference's ``WithUnknownValue``). Absent by default; ``unknown=None``
  is a real value (missing keys then behave like JSON ``null``).
- ``hook``: a function applied to every value a selector steps through, after
  each step (the reference's ``WithHookFn``): it sees the value found for
  ``Meta``, then for ``Meta.env``, and returns what to use instead.
- ``resolver``: a function ``resolver(obj, name)`` that looks a name up in
  an object that is not a mapping or a sequence, replacing the default
  data-only field access (see :mod:`bexpr.lookup`). Raise ``LookupError`` or
  ``AttributeError`` for a name that is not there.

Limits (see docs/security.md); going past one raises a ``ParseError`` or an
``EvaluationError`` that names it:

- ``max_length``: the longest expression accepted, in characters
  (:data:`DEFAULT_MAX_LENGTH`).
- ``max_depth``: how deeply parentheses and collection expressions may nest
  (:data:`DEFAULT_MAX_DEPTH`).
- ``max_expressions``: the largest expression accepted, counted in
  expression nodes (see :func:`count_nodes`; :data:`DEFAULT_MAX_EXPRESSIONS`).
- ``regex_timeout``: seconds one ``matches`` may take on one value
  (:data:`DEFAULT_REGEX_TIMEOUT`; ``None`` for no limit).
- ``max_steps``: how many elements collection expressions may visit while
  evaluating one datum (:data:`DEFAULT_MAX_STEPS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from bexpr.ast import And, Collection, Match, Node, Not, Or

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EXPRESSIONS",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_REGEX_TIMEOUT",
    "MISSING",
    "Hook",
    "Limits",
    "Options",
    "Resolver",
    "count_nodes",
]

DEFAULT_MAX_EXPRESSIONS: Final = 10_000
DEFAULT_MAX_LENGTH: Final = 65_536
DEFAULT_MAX_DEPTH: Final = 32
DEFAULT_REGEX_TIMEOUT: Final = 0.1
DEFAULT_MAX_STEPS: Final = 100_000

Hook = Callable[[Any], Any]
Resolver = Callable[[Any, str], Any]


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
class Limits:
    """Bounds on an expression's text, checked while parsing."""

    max_length: int = DEFAULT_MAX_LENGTH
    max_depth: int = DEFAULT_MAX_DEPTH
    max_expressions: int = DEFAULT_MAX_EXPRESSIONS


@dataclass(frozen=True, slots=True)
class Options:
    """The options an expression was compiled with."""

    unknown: Any = MISSING
    hook: Hook | None = None
    resolver: Resolver | None = None
    limits: Limits = Limits()
    regex_timeout: float | None = DEFAULT_REGEX_TIMEOUT
    max_steps: int = DEFAULT_MAX_STEPS

    @property
    def max_expressions(self) -> int:
        """The node limit (``limits.max_expressions``)."""
        return self.limits.max_expressions

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
