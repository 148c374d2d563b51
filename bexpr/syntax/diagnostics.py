"""Explain why an expression failed to parse, in words.

The grammar (``grammar/bexpr.peg``) decides whether text is valid; when it
is not, this module finds the spot and words the problem: ``expected a value
after '==', found 'and'``. It re-reads the text with a small, forgiving
recursive-descent reader that mirrors the grammar's shape. Its tokenizer is
its own, because it must also read what the grammar rejects (an unterminated
string, ``1x``); the words it looks for are the grammar's
(:mod:`bexpr.syntax.tokens`). It only ever runs on text the grammar rejected,
and only to choose a position and a message; should it find nothing wrong,
the grammar's own farthest position is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bexpr.errors import ParseError
from bexpr.syntax.operators import CollectionOp, Form
from bexpr.syntax.tokens import AND, AS, KEYWORDS, NOT, NUMBER, OPERATOR_STARTS, OR, POINTER
from bexpr.syntax.tokens import spellings as _spellings

__all__ = ["explain"]

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<string>"[^"]*"|`[^`]*`)
  | (?P<unterminated>["`])
  | (?P<number>-?[0-9][0-9a-zA-Z_.]*)
  | (?P<word>[a-zA-Z][a-zA-Z0-9_/]*)
  | (?P<op>==|!=)
  | (?P<punct>[()\[\]{},.])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_DIGITS = re.compile(r"[0-9]+\Z")

_OPERATORS = "an operator (==, !=, in, not in, contains, matches, is empty, is nil, ...)"
_EXPRESSION = "a selector, a value, 'not' or '('"
_AFTER_MATCH = "'and', 'or' or the end of the expression"
_MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


class _Found(Exception):
    def __init__(self, message: str, offset: int, length: int = 1, hint: str | None = None) -> None:
        self.message = message
        self.offset = offset
        self.length = length
        self.hint = hint


_COLLECTION_OPS = frozenset(op.value for op in CollectionOp)
# What may follow `is` (and `is not`), and `not` in an operator.
_AFTER_IS = tuple(text.split()[-1] for text, op in _spellings(Form.UNARY) if not op.negative)
_AFTER_NOT = tuple(text.split()[1] for text, _ in _spellings() if text.startswith(NOT + " "))
_IN = tuple(text for text, op in _spellings(Form.IN) if not op.negative)
_IS = frozenset(text.split()[0] for text, _ in _spellings(Form.UNARY))


def _either(words: tuple[str, ...]) -> str:
    """``'a', 'b' or 'c'``."""
    quoted = [f"'{word}'" for word in words]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _describe(token: _Token | None) -> str:
    if token is None:
        return "the end of the expression"
    shown = token.text if len(token.text) <= 30 else token.text[:27] + "..."
    return f"'{shown}'"


class _Reader:
    """A forgiving reader that raises :class:`_Found` at the first problem."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [
            _Token(m.lastgroup or "other", m.group(), m.start())
            for m in _TOKEN.finditer(text)
            if m.lastgroup != "ws"
        ]
        self.i = 0
        self.depth = 0

    # -- helpers -------------------------------------------------------------
    def peek(self, k: int = 0) -> _Token | None:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else None

    def text_at(self, k: int = 0) -> str | None:
        tok = self.peek(k)
        return tok.text if tok is not None else None

    def fail(self, expected: str, after: _Token | None = None) -> _Found:
        found = self.peek()
        where = f" after '{after.text}'" if after is not None else ""
        if found is None:
            return _Found(
                f"expected {expected}{where}, found the end of the expression", len(self.text)
            )
        hint = None
        if found.text.lower() in KEYWORDS and found.text != found.text.lower():
            hint = f"keywords are lowercase: '{found.text.lower()}'"
        return _Found(
            f"expected {expected}{where}, found {_describe(found)}",
            found.start,
            len(found.text),
            hint,
        )

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def adjacent(self) -> bool:
        """Whether the next token touches the previous one (no whitespace)."""
        return (
            0 < self.i < len(self.tokens)
            and self.tokens[self.i - 1].end == self.tokens[self.i].start
        )

    # -- grammar -------------------------------------------------------------
    def run(self) -> None:
        for tok in self.tokens:
            if tok.kind == "unterminated":
                what = "string" if tok.text == '"' else "raw string"
                raise _Found(
                    f"unterminated {what} literal: the closing {tok.text} is missing", tok.start
                )
            if tok.kind == "number" and not NUMBER.match(tok.text):
                raise _Found(
                    f"invalid number literal '{tok.text}' (write numbers like 42, -7 or 1.5,"
                    " or quote the value)",
                    tok.start,
                    len(tok.text),
                )
        if not self.tokens:
            raise _Found(f"empty expression: expected {_EXPRESSION}", len(self.text))
        self.or_expr()
        if self.peek() is not None:
            raise self.unexpected(_AFTER_MATCH)

    def unexpected(self, expected: str) -> _Found:
        """The error for a token that cannot follow a complete operand."""
        last = self.tokens[self.i - 1]
        tok = self.peek()
        if tok is not None and last.text == "}" and tok.text in (AND, OR):
            if tok.text == AND:
                return _Found(
                    "a collection expression cannot be followed by 'and': put it in"
                    " parentheses, as in (any ...) and ...",
                    tok.start,
                    3,
                )
            return _Found(
                "a collection expression can only be the last operand of 'or': put it in"
                " parentheses, as in (any ...) or ...",
                tok.start,
                2,
            )
        if tok is not None and tok.text == ")" and expected == _AFTER_MATCH:
            return _Found("unmatched ')'", tok.start)
        return self.fail(expected, last)

    def starts_collection(self) -> bool:
        return (
            self.text_at() in _COLLECTION_OPS
            and self.peek(1) is not None
            and self.text_at(2) not in OPERATOR_STARTS
        )

    def keyword(self) -> _Token:
        """Take an ``and``/``or`` keyword, which needs whitespace on both sides."""
        kw = self.take()
        before = self.text[kw.start - 1 : kw.start]
        after = self.text[kw.end : kw.end + 1]
        if after == "":
            raise _Found(
                f"expected {_EXPRESSION} after '{kw.text}', found the end of the expression",
                len(self.text),
            )
        if before not in (" ", "\t", "\r", "\n") or after not in (" ", "\t", "\r", "\n"):
            raise _Found(f"'{kw.text}' must have whitespace on both sides", kw.start, len(kw.text))
        return kw

    def or_expr(self) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            nxt = self.peek()
            raise _Found("expression is nested too deeply", nxt.start if nxt else 0)
        if self.starts_collection():
            self.collection()
        else:
            self.and_expr()
            while self.text_at() == OR:
                op = self.keyword()
                if self.starts_collection():
                    self.collection()
                    break
                if self.peek() is None:
                    raise self.fail(_EXPRESSION, op)
                self.and_expr()
        self.depth -= 1

    def and_expr(self) -> None:
        self.not_expr()
        while self.text_at() == AND:
            op = self.keyword()
            if self.starts_collection():
                raise _Found(
                    "a collection expression after 'and' must be in parentheses: ... and (any ...)",
                    self.tokens[self.i].start,
                    3,
                )
            if self.peek() is None:
                raise self.fail(_EXPRESSION, op)
            self.not_expr()

    def not_expr(self) -> None:
        tok, nxt = self.peek(), self.peek(1)
        if (
            tok is not None
            and nxt is not None
            and (tok.text, nxt.text) == (NOT, "(")
            and tok.end == nxt.start
        ):
            raise _Found("'not' must be followed by whitespace: not (...)", tok.start, 3)
        while self.text_at() == NOT and (
            self.text_at(1) not in OPERATOR_STARTS | {None} or self.text_at(1) == NOT
        ):
            op = self.take()
            if self.starts_collection():
                raise _Found(
                    "'not' cannot apply to a collection expression directly: write not (any ...)",
                    self.tokens[self.i].start,
                    3,
                )
            if self.peek() is None:
                raise self.fail(_EXPRESSION, op)
        self.primary()

    def primary(self) -> None:
        tok = self.peek()
        if tok is not None and tok.text == "(":
            self.take()
            self.or_expr()
            if self.text_at() != ")":
                close = self.peek()
                if close is None:
                    raise _Found("unmatched '(': it is never closed", tok.start)
                raise self.unexpected("')' or 'and'/'or'")
            self.take()
            return
        self.match()

    def operand(self, what: str, after: _Token | None) -> tuple[_Token, str]:
        """Read a selector, number or string; returns its first token and kind."""
        tok = self.peek()
        if tok is None or tok.kind not in ("word", "number", "string"):
            raise self.fail(what, after)
        self.take()
        if tok.kind == "number":
            nxt = self.text[tok.end : tok.end + 1]
            if nxt and nxt not in " \t\r\n)":
                raise _Found(
                    "a number must be followed by whitespace, ')' or the end of the expression",
                    tok.end,
                )
            return tok, "number"
        if tok.kind == "string":
            return tok, "pointer" if POINTER.match(tok.text) else "string"
        self.selector_tail()
        return tok, "selector"

    def selector_tail(self) -> None:
        while self.peek() is not None and self.adjacent():
            tok = self.peek()
            assert tok is not None
            if tok.text == ".":
                dot = self.take()
                part = self.peek()
                if (
                    part is None
                    or not self.adjacent()
                    or not (part.kind == "word" or _DIGITS.match(part.text))
                ):
                    raise _Found("expected a key name or an index after '.'", dot.end)
                self.take()
            elif tok.text == "[":
                bracket = self.take()
                key = self.peek()
                if key is None or key.kind != "string":
                    raise _Found(
                        'invalid index: an index must be a quoted string, as in Meta["key"]',
                        bracket.start,
                    )
                self.take()
                if self.text_at() != "]":
                    raise _Found("unclosed index: expected ']'", key.end)
                self.take()
            elif tok.kind == "number" and tok.text.startswith("."):
                self.take()
            else:
                return

    def match(self) -> None:
        start = self.peek()
        first, kind = self.operand(_EXPRESSION, self.tokens[self.i - 1] if self.i else None)
        op = self.peek()
        if op is None or op.text not in OPERATOR_STARTS:
            if kind in ("number", "string"):
                raise self.fail("'in' or 'not in'", self.tokens[self.i - 1])
            raise self.fail(_OPERATORS, self.tokens[self.i - 1])
        self.take()
        if op.text in _IS:
            nxt = self.peek()
            if nxt is not None and nxt.text == NOT:
                self.take()
                if self.text_at() not in _AFTER_IS:
                    raise self.fail(_either(_AFTER_IS), nxt)
            elif self.text_at() not in _AFTER_IS:
                raise self.fail(_either((*_AFTER_IS, NOT)), op)
            self.take()
            if kind != "selector" and kind != "pointer":
                raise _Found(
                    "'is empty' and 'is nil' apply to a selector", start.start if start else 0
                )
            return
        if op.text == NOT:
            word = self.peek()
            if word is None or word.text not in _AFTER_NOT:
                raise self.fail(_either(_AFTER_NOT), op)
            self.take()
            op = word
        if op.text in _IN:
            if self.peek() is None or self.peek().kind not in ("word", "string"):  # type: ignore[union-attr]
                raise self.fail("a selector", op)
            tok, k = self.operand("a selector", op)
            if k == "string":
                raise _Found(
                    "expected a selector after 'in', found a string (a JSON pointer must look"
                    ' like "/a/b")',
                    tok.start,
                    len(tok.text),
                )
            return
        if kind == "string" and first.text.startswith('"/'):
            raise _Found(
                f"invalid JSON pointer {first.text}: its segments must be non-empty and made of"
                " letters, digits and -_.~:|",
                first.start,
                len(first.text),
            )
        if kind in ("number", "string"):
            raise _Found(
                f"a value cannot stand left of '{op.text}': write the selector first",
                first.start,
                len(first.text),
            )
        self.operand("a value", op)

    def collection(self) -> None:
        keyword = self.take()  # any / all
        if self.text_at() == AS and self.text_at(1) != AS:
            # `all as t { ... }`: `as` came where the selector belongs.
            raise self.fail("a selector to iterate over", keyword)
        tok, kind = self.operand("a selector to iterate over", keyword)
        if kind not in ("selector", "pointer"):
            raise _Found("expected a selector to iterate over", tok.start, len(tok.text))
        if self.text_at() != AS:
            raise self.fail(f"'{AS}'", self.tokens[self.i - 1])
        as_tok = self.take()
        name = self.peek()
        if name is None or (name.kind != "word" and name.text != "_"):
            raise self.fail("a name to bind (as v, as k, v, as k, _ or as _, v)", as_tok)
        self.take()
        if self.text_at() == ",":
            comma = self.take()
            second = self.peek()
            if second is None or (second.kind != "word" and second.text != "_"):
                raise self.fail("a second name or '_'", comma)
            self.take()
        if self.text_at() != "{":
            raise self.fail("'{'", self.tokens[self.i - 1])
        self.take()
        self.or_expr()
        if self.text_at() != "}":
            raise self.unexpected("'}' or 'and'/'or'")
        self.take()


def explain(text: str, position: int) -> ParseError:
    """Build the :class:`ParseError` for ``text``, which the grammar rejected
    with its farthest failure at ``position``."""
    reader = _Reader(text)
    try:
        reader.run()
    except _Found as found:
        return ParseError(found.message, text, found.offset, found.length, hint=found.hint)
    except (IndexError, AttributeError, AssertionError):
        pass
    # The reader saw nothing wrong: report where the grammar stopped.
    tokens = reader.tokens
    found_tok = next((t for t in tokens if t.end > position), None)
    return ParseError(
        f"unexpected {_describe(found_tok)}",
        text,
        found_tok.start if found_tok is not None else position,
    )
