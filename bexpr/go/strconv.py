"""Value conversion with Go's rules.

The reference keeps a match value as text and converts it to the type of the
data it meets with Go's ``strconv``: ``ParseBool``, ``ParseInt`` (base 0,
64-bit) and ``ParseFloat`` (64-bit). These are exact ports of those rules;
Python's own ``int()``/``float()`` accept different spellings. (String
literals, which Go unquotes with ``strconv.Unquote``, are a matter of syntax:
see :func:`bexpr.syntax.tokens.unquote`.)

All of it runs at compile time: :func:`convert` turns a value's text into a
:class:`Converted` holding the result (or the failure) for every target type.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "ConversionError",
    "Converted",
    "convert",
    "parse_bool",
    "parse_float",
    "parse_int",
]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


class ConversionError(ValueError):
    """A Go ``strconv`` error: ``syntax`` (not a number of that kind) or ``range``."""

    def __init__(self, func: str, text: str, kind: str) -> None:
        # The message is built only when shown: compiling converts every
        # value for every type, and most of those conversions fail.
        self.func = func
        self.text = text
        self.kind = kind

    def __str__(self) -> str:
        reason = "invalid syntax" if self.kind == "syntax" else "value out of range"
        return f"{self.func}: parsing {self.text!r}: {reason}"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.func, self.text, self.kind))


_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_bool(text: str) -> bool:
    """Go's ``strconv.ParseBool``.

    >>> parse_bool("T"), parse_bool("False")
    (True, False)
    """
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConversionError("ParseBool", text, "syntax")


def _lower(ch: str) -> str:
    # Go lowers ASCII letters only, bytewise.
    return ch.lower() if "A" <= ch <= "Z" else ch


def _underscore_ok(text: str) -> bool:
    """Go's ``underscoreOK``: ``_`` only between digits or after a base prefix."""
    saw = "^"
    i = 0
    if text and text[0] in "+-":
        text = text[1:]
    hexadecimal = False
    if len(text) >= 2 and text[0] == "0" and _lower(text[1]) in "box":
        i = 2
        saw = "0"
        hexadecimal = _lower(text[1]) == "x"
    while i < len(text):
        ch = text[i]
        if "0" <= ch <= "9" or (hexadecimal and "a" <= _lower(ch) <= "f"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def _parse_uint(text: str, original: str) -> int:
    """Go's ``ParseUint(text, 0, 64)``; errors name ``original`` as ParseInt does."""
    if not text:
        raise ConversionError("ParseInt", original, "syntax")
    base = 10
    digits = text
    if text[0] == "0":
        if len(text) >= 3 and _lower(text[1]) == "b":
            base, digits = 2, text[2:]
        elif len(text) >= 3 and _lower(text[1]) == "o":
            base, digits = 8, text[2:]
        elif len(text) >= 3 and _lower(text[1]) == "x":
            base, digits = 16, text[2:]
        else:
            base, digits = 8, text[1:]
    max_value = 2**64 - 1
    cutoff = max_value // base + 1
    n = 0
    underscores = False
    for ch in digits:
        if ch == "_":
            underscores = True
            continue
        if "0" <= ch <= "9":
            d = ord(ch) - 48
        elif "a" <= _lower(ch) <= "z":
            d = ord(_lower(ch)) - 87
        else:
            raise ConversionError("ParseInt", original, "syntax")
        if d >= base:
            raise ConversionError("ParseInt", original, "syntax")
        # Like Go, overflow is reported as soon as it happens, even if a later
        # character would have been a syntax error.
        if n >= cutoff:
            raise ConversionError("ParseInt", original, "range")
        n = n * base + d
        if n > max_value:
            raise ConversionError("ParseInt", original, "range")
    if underscores and not _underscore_ok(text):
        raise ConversionError("ParseInt", original, "syntax")
    return n


def parse_int(text: str) -> int:
    """Go's ``strconv.ParseInt(text, 0, 64)``.

    >>> parse_int("0x10"), parse_int("-017"), parse_int("1_000"), parse_int("0b11")
    (16, -15, 1000, 3)
    """
    if not text:
        raise ConversionError("ParseInt", text, "syntax")
    negative = text[0] == "-"
    rest = text[1:] if text[0] in "+-" else text
    n = _parse_uint(rest, text)
    if not negative and n > INT64_MAX:
        raise ConversionError("ParseInt", text, "range")
    if negative and n > -INT64_MIN:
        raise ConversionError("ParseInt", text, "range")
    return -n if negative else n


def _special_float(text: str) -> float | None:
    """Go's ``special``: ``inf``/``infinity`` (signed) and ``nan``, any case."""
    sign = 1.0
    body = text
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
        if body.lower() in ("inf", "infinity"):
            return math.copysign(math.inf, sign)
        return None
    low = body.lower()
    if low in ("inf", "infinity"):
        return math.inf
    if low == "nan":
        return math.nan
    return None


def _float_syntax(text: str) -> bool:
    """Whether ``text`` is, whole, a number Go's ``readFloat`` accepts."""
    i = 0
    n = len(text)
    if i < n and text[i] in "+-":
        i += 1
    base = 10
    if i + 2 < n and text[i] == "0" and _lower(text[i + 1]) == "x":
        base = 16
        i += 2
    saw_dot = False
    saw_digits = False
    underscores = False
    while i < n:
        ch = text[i]
        if ch == "_":
            underscores = True
        elif ch == ".":
            if saw_dot:
                break
            saw_dot = True
        elif "0" <= ch <= "9" or (base == 16 and "a" <= _lower(ch) <= "f"):
            saw_digits = True
        else:
            break
        i += 1
    if not saw_digits:
        return False
    exponent = "p" if base == 16 else "e"
    if i < n and _lower(text[i]) == exponent:
        i += 1
        if i >= n:
            return False
        if text[i] in "+-":
            i += 1
        if i >= n or not ("0" <= text[i] <= "9"):
            return False
        while i < n and ("0" <= text[i] <= "9" or text[i] == "_"):
            if text[i] == "_":
                underscores = True
            i += 1
    elif base == 16:
        return False  # a hexadecimal float must have a p exponent
    if underscores and not _underscore_ok(text[:i]):
        return False
    return i == n


def parse_float(text: str) -> float:
    """Go's ``strconv.ParseFloat(text, 64)``.

    >>> parse_float("1e3"), parse_float(".5"), parse_float("0x1p-2"), parse_float("-Inf")
    (1000.0, 0.5, 0.25, -inf)
    """
    special = _special_float(text)
    if special is not None:
        return special
    if not _float_syntax(text):
        raise ConversionError("ParseFloat", text, "syntax")
    digits = text.replace("_", "")
    try:
        value = float.fromhex(digits) if "x" in digits or "X" in digits else float(digits)
    except OverflowError:
        raise ConversionError("ParseFloat", text, "range") from None
    if math.isinf(value):
        raise ConversionError("ParseFloat", text, "range")
    return value


@dataclass(frozen=True, slots=True)
class Converted:
    """A value's text converted once for every kind of data it may meet.

    Each ``as_*`` field holds the converted value or the
    :class:`ConversionError` the reference would report.
    """

    raw: str
    as_bool: bool | ConversionError
    as_int: int | ConversionError
    as_float: float | ConversionError


def _attempt(func: object, text: str) -> object:
    try:
        return func(text)  # type: ignore[operator]
    except ConversionError as err:
        # Kept for later, so drop the traceback: it would keep the frames alive.
        return err.with_traceback(None)


@functools.lru_cache(maxsize=4096)
def convert(raw: str) -> Converted:
    """Convert a value's text for every target type, once.

    >>> c = convert("0x10")
    >>> c.as_int, isinstance(c.as_float, ConversionError)
    (16, True)
    """
    return Converted(
        raw,
        _attempt(parse_bool, raw),  # type: ignore[arg-type]
        _attempt(parse_int, raw),  # type: ignore[arg-type]
        _attempt(parse_float, raw),  # type: ignore[arg-type]
    )
