"""What each operator does to a looked-up value, prepared at compile time.

One function per positive operator (``==``, ``in``, ``is empty``,
``matches``, ``is nil``; see :data:`OPERATIONS`) takes the match's value,
converted once for every type it may meet (:func:`bexpr.go.strconv.convert`),
and returns ``test(value) -> bool``. The negated operators are the same test
with the answer flipped, and a missing key never reaches a test: both are
decided from the operator table (:mod:`bexpr.syntax.operators`). The compiled
closures use these tests on the general path; the fused fast paths
(:mod:`bexpr.evaluation.fastpath`) inline the common cases of the same rules.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from bexpr.data.kinds import a_kind, is_sequence, plain
from bexpr.errors import EvaluationError
from bexpr.go import re2
from bexpr.go.strconv import INT64_MAX, INT64_MIN, ConversionError, Converted
from bexpr.syntax.operators import MatchOp

__all__ = [
    "OPERATIONS",
    "Operation",
    "Test",
    "canonical_int",
    "literal_pattern",
    "literal_search",
    "literal_test",
    "plain_pattern",
    "searcher",
]

Test = Callable[[Any], bool]
Operation = Callable[[Converted, str, float | None], Test]
"""``operation(value, selector, regex_timeout) -> test``: ``selector`` is the
selector's text, for error messages."""

_CANONICAL_INT: Final = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


def _raise_conversion(error: ConversionError, selector: str) -> bool:
    raise EvaluationError(
        f"cannot convert {error.text!r} to the type of the data ({error})", selector
    )


def equal(conv: Converted, selector: str, timeout: float | None = None) -> Test:
    """``selector == value`` on a looked-up value."""
    raw = conv.raw
    as_int, as_float, as_bool = conv.as_int, conv.as_float, conv.as_bool

    def test(value: Any) -> bool:
        if type(value) is str:  # the common case first
            return bool(value == raw)
        value = plain(value)
        if isinstance(value, bool):
            if isinstance(as_bool, ConversionError):
                return _raise_conversion(as_bool, selector)
            return value is as_bool
        if isinstance(value, int):
            if INT64_MIN <= value <= INT64_MAX:
                if isinstance(as_int, ConversionError):
                    return _raise_conversion(as_int, selector)
                return bool(value == as_int)
            try:
                value = float(value)
            except OverflowError:
                raise EvaluationError(f"the number {value} is too large", selector) from None
        if isinstance(value, float):
            if isinstance(as_float, ConversionError):
                return _raise_conversion(as_float, selector)
            return bool(value == as_float)
        if isinstance(value, str):
            return bool(value == raw)
        raise EvaluationError(f"cannot compare {a_kind(value)} with {raw!r}", selector)

    return test


def canonical_int(raw: str) -> int | None:
    """The int a value's text spells the way JSON spells ints, if it does:
    only such a value equals an int element of a list (see below)."""
    return int(raw) if _CANONICAL_INT.match(raw) and raw != "-0" else None


def _element_test(conv: Converted, selector: str) -> Test:
    """Whether a list element equals the value, for ``in``/``contains``.

    The reference decodes JSON numbers as text, so a number in a list matches
    a value spelled the way JSON spells it; a value that cannot be read as the
    element's type is skipped (docs/compatibility.md).
    """
    raw = conv.raw
    as_bool = None if isinstance(conv.as_bool, ConversionError) else conv.as_bool
    as_float = None if isinstance(conv.as_float, ConversionError) else conv.as_float
    as_int = canonical_int(raw)

    def test(element: Any) -> bool:
        element = plain(element)
        if isinstance(element, str):
            return bool(element == raw)
        if isinstance(element, bool):
            return as_bool is not None and element is as_bool
        if isinstance(element, int):
            return as_int is not None and element == as_int
        if isinstance(element, float):
            return as_float is not None and element == as_float
        raise EvaluationError(
            f"cannot look for {raw!r} in a list holding {a_kind(element)}", selector
        )

    return test


def contains(conv: Converted, selector: str, timeout: float | None = None) -> Test:
    """``value in selector``: a substring, a map key or a list element."""
    raw = conv.raw
    element_test = _element_test(conv, selector)

    def test(value: Any) -> bool:
        value = plain(value)
        if isinstance(value, str | Mapping):
            return raw in value
        if is_sequence(value):
            return any(element_test(element) for element in value)
        raise EvaluationError(f"cannot look for {raw!r} in {a_kind(value)}", selector)

    return test


def empty(conv: Converted, selector: str, timeout: float | None = None) -> Test:
    """``selector is empty``: a string, map or list of length 0."""

    def test(value: Any) -> bool:
        value = plain(value)
        if isinstance(value, str | Mapping) or is_sequence(value):
            return len(value) == 0
        raise EvaluationError(f"cannot test whether {a_kind(value)} is empty", selector)

    return test


def nil(conv: Converted, selector: str, timeout: float | None = None) -> Test:
    """``selector is nil``: null; a map, list or object is not nil."""

    def test(value: Any) -> bool:
        value = plain(value)
        if value is None:
            return True
        if isinstance(value, bool | int | float | str):
            raise EvaluationError(f"cannot test whether {a_kind(value)} is nil", selector)
        return False

    return test


_LITERAL: Final = re.compile(r"(?:[^\\.^$*+?{}\[\]|()]|\\[^0-9A-Za-z])*\Z")
_UNESCAPE: Final = re.compile(r"\\(.)")
# Plain characters only; not a lone surrogate, which stands for a byte that is
# not UTF-8 (see bexpr.syntax.tokens.unquote) and which Go's regexp rejects.
_PLAIN_RE2: Final = re.compile(r"\^?[^\\.+*?()|\[\]{}^$\ud800-\udfff]*\$?\Z")


def literal_pattern(pattern: str, translated: bool = True) -> tuple[str, str] | None:
    """What a pattern tests when it is a plain string test: ``(kind, text)``
    with kind ``"prefix"``, ``"suffix"``, ``"equal"`` or ``"contains"``, or
    None when it is not one.

    ``pattern`` is a translated pattern (:func:`bexpr.re2.translate`), or,
    with ``translated=False``, an RE2 pattern made only of plain characters
    with an optional leading ``^`` and trailing ``$``: ``^web-`` is the
    prefix ``web-``, ``-canary$`` the suffix ``-canary``.

    >>> literal_pattern("^web-", translated=False), literal_pattern("a.b", translated=False)
    (('prefix', 'web-'), None)
    """
    if translated:
        body = pattern.removeprefix("(?V0)")
        anchored_start = body.startswith("\\A")
        if anchored_start:
            body = body[2:]
        anchored_end = body.endswith("\\Z") and not body.endswith("\\\\Z")
        if anchored_end:
            body = body[:-2]
        if not _LITERAL.match(body):
            return None
        literal = _UNESCAPE.sub(r"\1", body)
    else:
        if not _PLAIN_RE2.match(pattern):
            return None
        anchored_start = pattern.startswith("^")
        anchored_end = pattern.endswith("$") and len(pattern) > int(anchored_start)
        literal = pattern[int(anchored_start) : len(pattern) - int(anchored_end)]
    if anchored_start and anchored_end:
        return "equal", literal
    if anchored_start:
        return "prefix", literal
    if anchored_end:
        return "suffix", literal
    return "contains", literal


def literal_test(kind: str, literal: str) -> Callable[[str], bool]:
    """The test for a :func:`literal_pattern`: ``str.startswith`` and the like."""
    if kind == "equal":
        return literal.__eq__
    if kind == "prefix":
        return lambda text: text.startswith(literal)
    if kind == "suffix":
        return lambda text: text.endswith(literal)
    return lambda text: literal in text


def literal_search(pattern: str, translated: bool = True) -> Callable[[str], bool] | None:
    """A plain string test equivalent to a pattern, if there is one (see
    :func:`literal_pattern`): no backtracking, and C speed."""
    found = literal_pattern(pattern, translated)
    return None if found is None else literal_test(*found)


def plain_pattern(raw: str) -> tuple[str, str] | None:
    """The plain string test an RE2 pattern amounts to, if it is one; raises
    :class:`bexpr.re2.RE2SyntaxError` for a pattern RE2 rejects."""
    return literal_pattern(raw, translated=False) or literal_pattern(re2.translate(raw))


@functools.lru_cache(maxsize=512)
def searcher(raw: str, selector: str, timeout: float | None) -> Callable[[str], bool]:
    """Compile a ``matches`` pattern to ``search(text) -> bool``; raises
    :class:`bexpr.re2.RE2SyntaxError` for a pattern RE2 rejects."""
    found = plain_pattern(raw)
    if found is not None:
        return literal_test(*found)
    pattern_search = re2.compile(raw).search

    def search(text: str) -> bool:
        try:
            return pattern_search(text, timeout=timeout) is not None
        except TimeoutError:
            raise EvaluationError(
                f"matching {raw!r} took longer than regex_timeout={timeout}s", selector
            ) from None

    return search


def matches(conv: Converted, selector: str, timeout: float | None = None) -> Test:
    """``selector matches pattern``: an unanchored RE2 search in a string."""
    raw = conv.raw
    try:
        search = searcher(raw, selector, timeout)
        problem = None
    except re2.RE2SyntaxError as err:
        problem = f"invalid regular expression {raw!r}: {err}"

    def test(value: Any) -> bool:
        value = plain(value)
        if not isinstance(value, str):
            raise EvaluationError(f"cannot match {a_kind(value)} against {raw!r}", selector)
        if problem is not None:
            # Reported only when reached, as in the reference: an unreached
            # clause with a bad pattern is not an error.
            raise EvaluationError(problem, selector)
        return search(value)

    return test


OPERATIONS: Final[dict[MatchOp, Operation]] = {
    MatchOp.EQUAL: equal,
    MatchOp.IN: contains,
    MatchOp.MATCHES: matches,
    MatchOp.IS_EMPTY: empty,
    MatchOp.IS_NIL: nil,
}
"""The test for each positive operator (``op.positive``)."""
