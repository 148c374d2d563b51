"""The words and tokens of the language: keywords, names, numbers, strings.

The grammar (``grammar/bexpr.peg``) decides what parses. This module holds
what the rest of the package needs to know about the same tokens — which
words are keywords, how a selector or a value is written, how a string
literal is quoted and unquoted — so that the printer, parse-error messages
and completion read one definition. The keyword sets are derived from the
operator table (:mod:`bexpr.syntax.operators`); the tests check all of them
against the grammar.

>>> sorted(OPERATOR_STARTS)
['!=', '==', 'contains', 'in', 'is', 'matches', 'not']
>>> quote('say "hi"\\n'), unquote('"say \\\\x22hi\\\\x22\\\\n"')
('"say \\\\x22hi\\\\x22\\\\n"', 'say "hi"\\n')
"""

from __future__ import annotations

import re
from typing import Final

from bexpr.syntax.operators import OPERATORS, CollectionOp, Form, MatchOp

__all__ = [
    "AND",
    "AS",
    "IDENTIFIER",
    "KEYWORDS",
    "LEADING_KEYWORDS",
    "NOT",
    "NUMBER",
    "OPERATOR_STARTS",
    "OR",
    "POINTER",
    "WORD_OPERATORS",
    "UnquoteError",
    "decode_segment",
    "encode_segment",
    "quote",
    "spell_path",
    "spell_value",
    "spellings",
    "unquote",
]

AND: Final = "and"
OR: Final = "or"
NOT: Final = "not"
AS: Final = "as"


def spellings(form: Form | None = None) -> tuple[tuple[str, MatchOp], ...]:
    """Every operator spelling (of one :class:`Form`, or all), in table order.

    >>> [text for text, _ in spellings(Form.UNARY)]
    ['is empty', 'is not empty', 'is nil', 'is not nil']
    """
    return tuple(
        (text, op)
        for row in OPERATORS
        for op in (row.op, row.negation)
        for spelled_form, text in op.spellings
        if form is None or spelled_form is form
    )


_PHRASES: Final = (
    AND,
    OR,
    NOT,
    AS,
    *(op.value for op in CollectionOp),
    *(text for text, _ in spellings()),
)

KEYWORDS: Final = frozenset(
    word for phrase in _PHRASES for word in phrase.split() if word.isalpha()
)
"""Every word the grammar treats specially: ``and``, ``is``, ``empty``, ..."""

LEADING_KEYWORDS: Final = frozenset(
    phrase.split()[0] for phrase in _PHRASES if phrase[:1].isalpha()
)
"""The words that begin a keyword or an operator (all but ``empty`` and
``nil``, which only ever follow ``is``): a value spelled as one of these is
quoted when printed."""

OPERATOR_STARTS: Final = frozenset(text.split()[0] for text, _ in spellings())
"""The first word (or symbol) of every operator spelling."""

WORD_OPERATORS: Final = frozenset(text for text, _ in spellings() if text.isalpha())
"""Operators spelled as one word, which read as a match after any selector:
``any in as x { ... }`` is the match ``any in as``, so a collection over a
selector spelled like this is printed as a JSON pointer."""

IDENTIFIER: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_/]*\Z")
"""A name that may stand in a dotted selector (as the grammar's DOTTED)."""
_DIGITS: Final = re.compile(r"[0-9]+\Z")
_WORD: Final = re.compile(r"[a-zA-Z][a-zA-Z0-9_/]*(?:\.(?:[a-zA-Z][a-zA-Z0-9_/]*|[0-9]+))*\Z")

NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")
"""A number literal (the grammar's NUMBER, without what may follow it)."""

POINTER: Final = re.compile(r'"(?:/(?:[^\W_]|[-_.~:|])+)*"\Z')
"""A JSON-pointer selector token (the grammar's POINTER). Like the grammar,
it is compiled with Python's ``re``, so both agree on which characters are
letters and digits."""
_POINTER_SEGMENT: Final = re.compile(r"(?:[^\W_]|[-_.~:|])+\Z")


def encode_segment(key: str) -> str:
    """A key as a JSON-pointer segment: ``~`` is ``~0``, ``/`` is ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def decode_segment(segment: str) -> str:
    """The key a JSON-pointer segment stands for (``~1`` before ``~0``)."""
    return segment.replace("~1", "/").replace("~0", "~")


# -- string literals ----------------------------------------------------------

_SIMPLE_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': "\\x22"}


def quote(text: str) -> str:
    """Quote ``text`` as a double-quoted bexpr string that unquotes back to it.

    A double quote is written ``\\x22`` because bexpr strings end at the first
    ``"`` whatever precedes it; a leading ``/`` is escaped so the string is not
    read as a JSON pointer.
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch == "/" and i == 0:
            out.append("\\x2f")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif 0xDC80 <= ord(ch) <= 0xDCFF:
            # A byte that was not valid UTF-8 in the source (see unquote).
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


_ESCAPES: Final = {
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    '"': 0x22,
}
_HEX: Final = frozenset("0123456789abcdefABCDEF")


class UnquoteError(ValueError):
    """A string literal that Go's ``strconv.Unquote`` rejects; ``offset`` is
    the index of the offending character within the literal."""

    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        super().__init__(reason)


def unquote(literal: str) -> str:
    """Go's ``strconv.Unquote`` for a ``"..."`` or ``` `...` ``` literal.

    Bytes that ``\\x``/octal escapes produce are decoded as UTF-8; a byte that
    is not valid UTF-8 becomes a lone surrogate (``surrogateescape``), so it
    equals no text that comes from JSON, just as in Go.

    >>> unquote('"a\\\\tb"'), unquote('"\\\\u00e9"'), unquote('`a\\\\n`')
    ('a\\tb', 'é', 'a\\\\n')
    """
    quote_char = literal[0]
    body = literal[1:-1]
    if quote_char == "`":
        return body.replace("\r", "")
    if "\\" not in body:
        if "\n" in body:
            raise UnquoteError(1 + body.index("\n"), "a newline inside a string literal")
        return body
    out = bytearray()
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch == "\n":
            raise UnquoteError(1 + i, "a newline inside a string literal")
        if ch != "\\":
            out += ch.encode("utf-8", "surrogatepass")
            i += 1
            continue
        start = i
        if i + 1 >= n:
            raise UnquoteError(1 + start, "a backslash at the end of a string literal")
        esc = body[i + 1]
        i += 2
        if esc in _ESCAPES:
            out.append(_ESCAPES[esc])
        elif esc in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i : i + width]
            if len(digits) < width or not all(c in _HEX for c in digits):
                raise UnquoteError(
                    1 + start, f"\\{esc} must be followed by {width} hexadecimal digits"
                )
            code = int(digits, 16)
            i += width
            if esc == "x":
                out.append(code)
            else:
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise UnquoteError(1 + start, f"\\{esc}{digits} is not a valid code point")
                out += chr(code).encode("utf-8")
        elif "0" <= esc <= "7":
            digits = body[i : i + 2]
            if len(digits) < 2 or not all("0" <= c <= "7" for c in digits):
                raise UnquoteError(1 + start, "an octal escape needs three octal digits")
            code = int(esc + digits, 8)
            if code > 255:
                raise UnquoteError(1 + start, f"octal escape \\{esc}{digits} is above \\377")
            out.append(code)
            i += 2
        else:
            raise UnquoteError(1 + start, f"unknown escape sequence \\{esc}")
    return out.decode("utf-8", "surrogateescape")


# -- selectors and values -------------------------------------------------------


def _as_pointer(path: tuple[str, ...]) -> str | None:
    if path == ("",):
        return '""'
    segments = [encode_segment(p) for p in path]
    if not all(_POINTER_SEGMENT.match(s) for s in segments):
        return None
    return '"/' + "/".join(segments) + '"'


def _as_dotted(path: tuple[str, ...]) -> str | None:
    if not path or not IDENTIFIER.match(path[0]):
        return None
    parts = [path[0]]
    for part in path[1:]:
        if IDENTIFIER.match(part) or _DIGITS.match(part):
            parts.append("." + part)
        else:
            parts.append("[" + quote(part) + "]")
    return "".join(parts)


def spell_path(path: tuple[str, ...], pointer: bool = False) -> str:
    """Write a selector path, as a JSON pointer when ``pointer`` asks for one
    and the keys allow it, else dotted (``Meta["a b"]``); raises ``ValueError``
    for a path no selector token can spell.

    >>> spell_path(("Meta", "a b")), spell_path(("Meta", "env"), pointer=True)
    ('Meta["a b"]', '"/Meta/env"')
    """
    first, second = (_as_pointer, _as_dotted) if pointer else (_as_dotted, _as_pointer)
    text = first(path) or second(path)
    if text is None:
        raise ValueError(f"selector path {path!r} cannot be written in bexpr")
    return text


def spell_value(raw: str, kind: str) -> str:
    """Write a value: numbers and plain words as written, anything else quoted."""
    if kind == "number" and NUMBER.match(raw):
        return raw
    if kind == "word" and _WORD.match(raw) and raw not in LEADING_KEYWORDS:
        return raw
    return quote(raw)
