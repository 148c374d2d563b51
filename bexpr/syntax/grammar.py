"""The PEG grammar, loaded from ``grammar/bexpr.peg`` on first use.

The grammar file is the one definition of what parses. A wheel ships it as
``bexpr/syntax/bexpr.peg``; a source checkout reads it from the repository's
``grammar/`` directory. Building it takes a few milliseconds, so it is built
when the first expression is parsed, not when bexpr is imported.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from parsimonious.expressions import Regex as PegRegex
from parsimonious.grammar import Grammar

__all__ = ["RECORDED", "Rules", "grammar_text", "rules"]

RECORDED: Final = -1
"""The packrat-cache key under which ``invalid_in`` records its error."""


def grammar_text() -> str:
    """The PEG grammar, from the installed package or the source checkout."""
    shipped = resources.files("bexpr.syntax").joinpath("bexpr.peg")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    # Running from a source checkout (or an editable install): the grammar
    # lives in the repository's grammar/ directory.
    return (Path(__file__).resolve().parents[2] / "grammar" / "bexpr.peg").read_text(
        encoding="utf-8"
    )


def _invalid_in(text: str, pos: int, cache: Any, error: Any, grammar: Any) -> None:
    """The grammar's ``invalid_in``: ``value IN_OP`` not followed by a
    selector. Records the position in the parse's own cache (so parsing stays
    thread-safe) and never matches."""
    value = grammar["value"].match_core(text, pos, cache, error)
    if value is None:
        return None
    op = grammar["IN_OP"].match_core(text, value.end, cache, error)
    if op is None:
        return None
    if grammar["selector"].match_core(text, op.end, cache, error) is None:
        cache[RECORDED].setdefault("invalid_in", op.end)
    return None


def _use_stdlib_re(expression: Any, seen: set[int]) -> None:
    """Compile the grammar's tokens with Python's re instead of the regex module.

    The regex module looks ahead for literals a pattern requires (``and``,
    ``is``, ``"``) before matching, which costs time in proportion to the
    rest of the text on every token: quadratic parsing on long input. The
    grammar's tokens are written in the syntax both modules share.
    """
    if id(expression) in seen:
        return
    seen.add(id(expression))
    if isinstance(expression, PegRegex):
        expression.re = re.compile(expression.re.pattern)
    for member in getattr(expression, "members", ()):
        _use_stdlib_re(member, seen)


@dataclass(frozen=True, slots=True)
class Rules:
    """The built grammar and the rules and tokens the parser uses directly."""

    grammar: Any
    expression: Any
    match: Any
    collection_head: Any
    whitespace: re.Pattern[str]
    or_keyword: re.Pattern[str]
    and_keyword: re.Pattern[str]
    not_keyword: re.Pattern[str]


@functools.cache
def rules() -> Rules:
    """The grammar, built once (two threads racing here build equal grammars,
    and either may be kept: parsing keeps its state outside them)."""
    grammar = Grammar(grammar_text(), invalid_in=_invalid_in)
    seen: set[int] = set()
    for rule in grammar.values():
        _use_stdlib_re(rule, seen)
    return Rules(
        grammar=grammar,
        expression=grammar["expression"],
        match=grammar["match"],
        collection_head=grammar["collection_head"],
        whitespace=grammar["_"].re,
        or_keyword=grammar["OR"].re,
        and_keyword=grammar["AND"].re,
        not_keyword=grammar["NOT"].re,
    )
