"""Parse expression text into a syntax tree (:mod:`bexpr.ast`).

The grammar lives in ``grammar/bexpr.peg`` (shipped in the wheel as
``bexpr/bexpr.peg``); parsimonious matches it and this module turns the parse
tree into AST nodes, unquoting strings and splitting selectors on the way.
Failures become :class:`bexpr.ParseError` with a position and a message in
words (see :mod:`bexpr.diagnostics`).
"""

from __future__ import annotations

from collections import defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from parsimonious.exceptions import ParseError as PegError
from parsimonious.grammar import Grammar

from bexpr.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
    Not,
    Or,
    Selector,
    Value,
)
from bexpr.coercion import UnquoteError, unquote
from bexpr.errors import ParseError

__all__ = ["GRAMMAR", "grammar_text", "parse"]


def grammar_text() -> str:
    """The PEG grammar, from the installed package or the source checkout."""
    shipped = resources.files("bexpr").joinpath("bexpr.peg")
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    # Running from a source checkout (or an editable install): the grammar
    # lives in the repository's grammar/ directory.
    return (Path(__file__).resolve().parent.parent / "grammar" / "bexpr.peg").read_text(
        encoding="utf-8"
    )


_RECORDED = -1  # the packrat cache key under which invalid_in records errors


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
        cache[_RECORDED].setdefault("invalid_in", op.end)
    return None


GRAMMAR = Grammar(grammar_text(), invalid_in=_invalid_in)
_ROOT = GRAMMAR["expression"]

_BINARY_OPS = {
    "==": MatchOp.EQUAL,
    "!=": MatchOp.NOT_EQUAL,
    "contains": MatchOp.IN,
    "not contains": MatchOp.NOT_IN,
    "matches": MatchOp.MATCHES,
    "not matches": MatchOp.NOT_MATCHES,
}
_UNARY_OPS = {
    "empty": MatchOp.IS_EMPTY,
    "not empty": MatchOp.IS_NOT_EMPTY,
    "nil": MatchOp.IS_NIL,
    "not nil": MatchOp.IS_NOT_NIL,
}
_IN_OPS = {"in": MatchOp.IN, "not in": MatchOp.NOT_IN}


def _operator(node: Any) -> str:
    # Operators may be spread over several whitespace characters: "not \t in".
    return " ".join(node.match.group("op").split())


class _Builder:
    """Turns a parsimonious tree into AST nodes."""

    def __init__(self, text: str) -> None:
        self.text = text

    def build(self, node: Any) -> Node:
        # expression = _? or_expr _?
        return self.or_expr(node.children[1])

    def or_expr(self, node: Any) -> Node:
        inner = node.children[0]
        if inner.expr_name == "collection":
            return self.collection(inner)
        first, tails, coll = inner.children
        operands = [self.and_expr(first)]
        operands.extend(self.and_expr(tail.children[1]) for tail in tails.children)
        for c in coll.children:
            operands.append(self.collection(c.children[1]))
        if len(operands) == 1:
            return operands[0]
        return Or(tuple(operands), inner.start, inner.end)

    def and_expr(self, node: Any) -> Node:
        first, tails = node.children
        operands = [self.not_expr(first)]
        operands.extend(self.not_expr(tail.children[1]) for tail in tails.children)
        if len(operands) == 1:
            return operands[0]
        return And(tuple(operands), node.start, node.end)

    def not_expr(self, node: Any) -> Node:
        inner = node.children[0]
        if inner.expr_name == "primary":
            return self.primary(inner)
        # Count the chain of `not`s iteratively: `not not X` is X, as in the
        # reference.
        nots = 0
        start = inner.start
        while inner.expr_name == "negation":
            nots += 1
            inner = inner.children[1].children[0]
        operand = self.primary(inner)
        if isinstance(operand, Not):
            operand, nots = operand.operand, nots + 1
        if nots % 2 == 0:
            return operand
        return Not(operand, start, operand.end)

    def primary(self, node: Any) -> Node:
        inner = node.children[0]
        if inner.expr_name == "group":
            return self.or_expr(inner.children[2])
        return self.match(inner.children[0])

    def match(self, node: Any) -> Node:
        kind = node.expr_name
        if kind == "value_match":
            sel, op, val = node.children
            return Match(
                _BINARY_OPS[_operator(op)],
                self.selector(sel),
                self.value(val),
                node.start,
                node.end,
            )
        if kind == "unary_match":
            sel, op = node.children
            return Match(_UNARY_OPS[_operator(op)], self.selector(sel), None, node.start, node.end)
        val, op, sel = node.children
        return Match(
            _IN_OPS[_operator(op)], self.selector(sel), self.value(val), node.start, node.end
        )

    def collection(self, node: Any) -> Node:
        op, sel, _as, binding, _ws, _open, _ws2, body, _ws3, _close = node.children
        return Collection(
            CollectionOp(op.match.group("op")),
            self.selector(sel),
            self.binding(binding),
            self.or_expr(body),
            node.start,
            node.end,
        )

    def binding(self, node: Any) -> Binding:
        m = node.match
        index, value, name = m.group("index"), m.group("value"), m.group("name")
        if name is not None:
            return Binding(BindingMode.DEFAULT, None, name)
        if index is not None and value is not None:
            return Binding(BindingMode.INDEX_VALUE, index, value)
        if index is not None:
            return Binding(BindingMode.INDEX, index, None)
        return Binding(BindingMode.VALUE, None, value)

    def selector(self, node: Any) -> Selector:
        token = node.children[0]
        if token.expr_name == "POINTER":
            return Selector(_pointer_path(token.text), True, token.start, token.end)
        m = token.match
        path = []
        for i, part in enumerate(m.captures("part")):
            if part[0] in '"`':
                path.append(self.unquote(part, m.starts("part")[i]))
            else:
                path.append(part)
        return Selector(tuple(path), False, token.start, token.end)

    def value(self, node: Any) -> Value:
        inner = node.children[0]
        name = inner.expr_name
        if name == "selector":
            sel = self.selector(inner)
            return Value(sel.text, "word" if not sel.pointer else "string", inner.start, inner.end)
        if name == "NUMBER":
            return Value(inner.text, "number", inner.start, inner.end)
        return Value(self.unquote(inner.text, inner.start), "string", inner.start, inner.end)

    def unquote(self, literal: str, offset: int) -> str:
        try:
            return unquote(literal)
        except UnquoteError as err:
            raise ParseError(
                f"invalid string literal: {err}", self.text, offset + err.offset
            ) from None


def _pointer_path(token: str) -> tuple[str, ...]:
    # pointerstructure.Parse: split on "/", then decode ~1 before ~0. An empty
    # pointer ("") parses as "/", the single key "".
    body = token[1:-1]
    if not body:
        return ("",)
    return tuple(seg.replace("~1", "/").replace("~0", "~") for seg in body[1:].split("/"))


def parse(text: str) -> Node:
    """Parse ``text`` into a syntax tree, or raise :class:`bexpr.ParseError`.

    >>> parse('Name == "web" and Port =')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    bexpr.errors.ParseError: expected an operator (==, !=, in, ...) after 'Port', found '=' ...
      Name == "web" and Port =
                             ^
    """
    from bexpr.diagnostics import explain

    if not isinstance(text, str):
        raise TypeError(f"a bexpr expression must be a str, not {type(text).__name__}")
    # match_core rather than parse(): on failure we want the farthest position
    # any rule reached, not where a partial match of the whole ended.
    error = PegError(text)
    cache: defaultdict[int, dict[Any, Any]] = defaultdict(dict)
    try:
        tree = _ROOT.match_core(text, 0, cache, error)
    except RecursionError:
        raise ParseError("expression is nested too deeply", text, _deepest_paren(text)) from None
    recorded = cache.get(_RECORDED, {}).get("invalid_in")
    if recorded is not None:
        raise ParseError(
            "expected a selector after 'in', found "
            + (f"'{text[recorded]}'" if recorded < len(text) else "the end of the expression"),
            text,
            recorded,
        )
    if tree is None or tree.end != len(text):
        raise explain(text, max(error.pos, 0))
    return _Builder(text).build(tree)


def _deepest_paren(text: str) -> int:
    depth = best = best_at = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth > best:
                best, best_at = depth, i
        elif ch == ")":
            depth -= 1
    return best_at
