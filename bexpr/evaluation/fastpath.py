"""Fused fast paths for single matches over plain dicts.

A compiled match is, in general, two steps: look the selector up
(:mod:`bexpr.data.lookup`), then test the value
(:mod:`bexpr.evaluation.operations`). For the common case — the path runs
through plain ``dict``s and the value is a plain
``str``/``int``/``float``/``bool``/``list`` — this module builds one closure
that does both inline, with no further calls. Anything it does not handle
itself it hands to the general predicate, from the start of the record: the
fast path has no side effects, so starting over is always exact.

Each ``fused_*`` function returns the predicate, or ``None`` when the match
has no fast path (the compiler then uses the general one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from bexpr.data.lookup import ABSENT, NOT_PLAIN, dict_walker
from bexpr.go.strconv import INT64_MAX, INT64_MIN, ConversionError, Converted
from bexpr.syntax.operators import MatchOp

__all__ = ["fused_match"]

Predicate = Callable[[Any], bool]
_NO: Final = object()


def _ok(value: object) -> bool:
    return not isinstance(value, ConversionError)


def fused_match(
    op: MatchOp,
    path: tuple[str, ...],
    conv: Converted,
    search: Callable[[str], bool] | None,
    slow: Predicate,
    nested: bool = False,
) -> Predicate | None:
    """The fused predicate for ``path OP value``, or None when ``op`` has none.

    A negated operator is its positive one's test with the answer flipped;
    a key missing from a dict below the top answers ``op.when_missing``.
    ``search`` is the compiled pattern of a ``matches``. ``nested``: the
    predicate is applied to a value found below the datum (a bound element),
    so ``path`` may be empty and a missing first key is below the top level.
    """
    flip, missing = op.negative, op.when_missing
    positive = op.positive
    if positive is MatchOp.EQUAL:
        return _fused_equal(path, conv, flip, missing, slow, nested)
    if positive is MatchOp.IN:
        return _fused_contains(path, conv, flip, missing, slow, nested)
    if positive is MatchOp.MATCHES and search is not None:
        return _fused_matches(path, search, flip, missing, slow, nested)
    return None


def _fused_equal(
    path: tuple[str, ...],
    conv: Converted,
    flip: bool,
    missing: bool,
    slow: Predicate,
    nested: bool,
) -> Predicate:
    raw = conv.raw
    as_int = conv.as_int if _ok(conv.as_int) else _NO
    as_float = conv.as_float if _ok(conv.as_float) else _NO
    as_bool = conv.as_bool if _ok(conv.as_bool) else _NO
    low, high = INT64_MIN, INT64_MAX

    # The closures below test str and int values inline (the common cases, and
    # each call saved counts on the hot path); the rarer types come here.
    def test(root: Any, value: Any) -> bool:
        kind = type(value)
        if kind is bool and as_bool is not _NO:
            return (value is as_bool) is not flip
        if kind is float and as_float is not _NO:
            return (value == as_float) is not flip
        return slow(root)

    if len(path) == 1 and not nested:
        (k0,) = path

        def equal1(root: Any) -> bool:
            if type(root) is dict:
                value = root.get(k0, _NO)
                kind = type(value)
                if kind is str:
                    return (value == raw) is not flip
                if kind is int and as_int is not _NO and low <= value <= high:
                    return (value == as_int) is not flip
                if value is not _NO:
                    return test(root, value)
            return slow(root)

        return equal1

    if len(path) == 2:
        k0, k1 = path

        def equal2(root: Any) -> bool:
            if type(root) is dict:
                parent = root.get(k0, _NO)
                if type(parent) is dict:
                    value = parent.get(k1, _NO)
                    kind = type(value)
                    if kind is str:
                        return (value == raw) is not flip
                    if kind is int and as_int is not _NO and low <= value <= high:
                        return (value == as_int) is not flip
                    if value is _NO:
                        return missing
                    return test(root, value)
            return slow(root)

        return equal2

    walk = dict_walker(path, nested)

    def equal_n(root: Any) -> bool:
        value = walk(root)
        kind = type(value)
        if kind is str:
            return (value == raw) is not flip
        if kind is int and as_int is not _NO and low <= value <= high:
            return (value == as_int) is not flip
        if value is ABSENT:
            return missing
        if value is NOT_PLAIN:
            return slow(root)
        return test(root, value)

    return equal_n


def _fused_contains(
    path: tuple[str, ...],
    conv: Converted,
    flip: bool,
    missing: bool,
    slow: Predicate,
    nested: bool,
) -> Predicate:
    raw = conv.raw
    # A value that reads as no bool, int or float can only equal str elements;
    # other plain scalars are skipped, anything else goes to the general path.
    only_text = not (_ok(conv.as_bool) or _ok(conv.as_int) or _ok(conv.as_float))

    def test(root: Any, value: Any) -> bool:
        kind = type(value)
        if kind is list and only_text:
            for element in value:
                kind = type(element)
                if kind is str:
                    if element == raw:
                        return not flip
                elif kind is not int and kind is not float and kind is not bool:
                    return slow(root)
            return flip
        if kind is dict:
            return (raw in value) is not flip
        return slow(root)

    walk = dict_walker(path, nested)

    def contains(root: Any) -> bool:
        value = walk(root)
        if type(value) is str:
            return (raw in value) is not flip
        if value is ABSENT:
            return missing
        if value is NOT_PLAIN:
            return slow(root)
        return test(root, value)

    return contains


def _fused_matches(
    path: tuple[str, ...],
    search: Callable[[str], bool],
    flip: bool,
    missing: bool,
    slow: Predicate,
    nested: bool,
) -> Predicate:
    walk = dict_walker(path, nested)

    def matches(root: Any) -> bool:
        value = walk(root)
        if type(value) is str:
            return search(value) is not flip
        if value is ABSENT:
            return missing
        return slow(root)

    return matches
