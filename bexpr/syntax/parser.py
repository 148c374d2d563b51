"""Parse expression text into a syntax tree (:mod:`bexpr.syntax.ast`).

The grammar lives in ``grammar/bexpr.peg`` (:mod:`bexpr.syntax.grammar` loads
it); parsimonious matches it and this module turns the parse tree into AST
nodes, unquoting strings and splitting selectors on the way. Failures become
:class:`bexpr.ParseError` with a position and a message in words (see
:mod:`bexpr.syntax.diagnostics`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Generator
from typing import Any

from parsimonious.exceptions import ParseError as PegError

from bexpr.errors import ParseError
from bexpr.options import Limits
from bexpr.syntax.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    Node,
    Not,
    Or,
    Selector,
    Value,
)
from bexpr.syntax.diagnostics import explain
from bexpr.syntax.grammar import RECORDED, rules
from bexpr.syntax.operators import Form
from bexpr.syntax.tokens import UnquoteError, decode_segment, spellings, unquote
from bexpr.syntax.visitor import count_nodes

__all__ = ["parse", "parse_with_grammar"]

# The pieces of a dotted selector token: names, digits and ["keys"].
_SELECTOR_PART = re.compile(r'(?P<name>[a-zA-Z0-9_/]+)|\[[ \t\r\n]*(?P<key>`[^`]*`|"[^"]*")')

# The grammar's three match rules, the form of operator each spells, and
# the operator for each (rule, spelling).
_FORMS = {"value_match": Form.BINARY, "unary_match": Form.UNARY, "in_match": Form.IN}
_OPERATORS = {(rule, text): op for rule, form in _FORMS.items() for text, op in spellings(form)}


def _operator(node: Any) -> str:
    # Operators may be spread over several whitespace characters: "not \t in".
    m = node.match
    return " ".join(m.group(m.lastgroup).split())


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
        rule = node.expr_name
        form = _FORMS[rule]
        if form is Form.BINARY:
            sel, op, val = node.children
        elif form is Form.UNARY:
            (sel, op), val = node.children, None
        else:
            val, op, sel = node.children
        return Match(
            _OPERATORS[rule, _operator(op)],
            self.selector(sel),
            self.value(val) if val is not None else None,
            node.start,
            node.end,
        )

    def collection(self, node: Any) -> Node:
        head, body, _ws, _close = node.children
        return self.collection_from(head, self.or_expr(body), node.end)

    def collection_from(self, head: Any, body: Node, end: int) -> Collection:
        """A collection from its parsed head (``any SEL as B {``) and body."""
        op, sel, _as, binding = head.children[:4]
        return Collection(
            CollectionOp(op.match.group("op")),
            self.selector(sel),
            self.binding(binding),
            body,
            head.start,
            end,
        )

    def binding(self, node: Any) -> Binding:
        g = node.match.groupdict()
        if g["name"] is not None:
            return Binding(BindingMode.DEFAULT, None, g["name"])
        if g["both_i"] is not None:
            return Binding(BindingMode.INDEX_VALUE, g["both_i"], g["both_v"])
        if g["index"] is not None:
            return Binding(BindingMode.INDEX, g["index"], None)
        return Binding(BindingMode.VALUE, None, g["value"])

    def selector(self, node: Any) -> Selector:
        token = node.children[0]
        if token.expr_name == "POINTER":
            return Selector(_pointer_path(token.text), True, token.start, token.end)
        path = []
        for m in _SELECTOR_PART.finditer(token.text):
            key = m.group("key")
            if key is not None:
                path.append(self.unquote(key, token.start + m.start("key")))
            else:
                path.append(m.group("name"))
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
    return tuple(decode_segment(seg) for seg in body[1:].split("/"))


# A result of a structural rule: the node and where it ends, or None.
_Result = tuple[Node, int] | None
_Rule = Generator[Any, Any, _Result]


class _Driver:
    """Runs the grammar's [structure] rules with an explicit stack.

    Each rule is a generator that reads like recursive descent: it yields the
    generator of a sub-rule and is sent back that rule's result. ``run``
    keeps the generators on a list, so nesting depth costs memory, not Python
    stack, and ``max_depth`` is a limit we choose rather than one the
    interpreter imposes. Leaves (a match, a collection head) are parsimonious
    rules, sharing one packrat cache for the whole parse.
    """

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.cache: defaultdict[int, dict[Any, Any]] = defaultdict(dict)
        self.error = PegError(text)
        self.farthest = 0
        self.depth = 0
        self.nodes = 0
        self.builder = _Builder(text)
        self.rules = rules()

    def run(self) -> Node:
        stack: list[_Rule] = [self.expression()]
        value: Any = None
        while stack:
            try:
                request = stack[-1].send(value)
            except StopIteration as done:
                stack.pop()
                value = done.value
                continue
            stack.append(request)
            value = None
        recorded = self.cache.get(RECORDED, {}).get("invalid_in")
        if recorded is not None:
            found = f"'{self.text[recorded]}'" if recorded < len(self.text) else None
            raise ParseError(
                f"expected a selector after 'in', found {found or 'the end of the expression'}",
                self.text,
                recorded,
            )
        if value is None:
            raise explain(self.text, max(self.farthest, self.error.pos))
        node: Node = value[0]
        return node

    # -- helpers -------------------------------------------------------------
    def leaf_cache(self) -> defaultdict[int, dict[Any, Any]]:
        """A packrat cache for one leaf. Leaves are not retried at the same
        position, so a cache shared by the whole parse would only grow; the
        entry where invalid_in records its error is shared."""
        cache: defaultdict[int, dict[Any, Any]] = defaultdict(dict)
        cache[RECORDED] = self.cache[RECORDED]
        return cache

    def skip_ws(self, pos: int) -> int:
        m = self.rules.whitespace.match(self.text, pos)
        return m.end() if m else pos

    def missed(self, pos: int) -> None:
        self.farthest = max(self.farthest, pos)

    def count(self, node: Node, weight: int = 1) -> Node:
        # Counts matches, collections and and/or joins as they are built, to
        # stop early; `not`s are added by the exact count in parse().
        self.nodes += weight
        if self.nodes > self.limits.max_expressions:
            raise ParseError(
                f"expression too large: more than max_expressions="
                f"{self.limits.max_expressions} expressions",
                self.text,
                getattr(node, "start", 0),
                code="limit",
            )
        return node

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise ParseError(
                f"expression nested too deeply: more than max_depth={self.limits.max_depth}"
                " levels of parentheses and collection expressions",
                self.text,
                pos,
                code="limit",
            )

    # -- the [structure] rules -------------------------------------------------
    def expression(self) -> _Rule:
        # expression = _? or_expr _?   (and nothing after it)
        result: _Result = yield self.or_expr(self.skip_ws(0))
        if result is None:
            return None
        end = self.skip_ws(result[1])
        if end != len(self.text):
            self.missed(end)
            return None
        return result

    def or_expr(self, pos: int) -> _Rule:
        # or_expr = or_chain / collection
        # or_chain = and_expr or_tail* or_coll?
        first: _Result = yield self.and_expr(pos)
        if first is None:
            alone: _Result = yield self.collection(pos)
            return alone
        operands = [first[0]]
        end = first[1]
        while True:
            keyword = self.rules.or_keyword.match(self.text, end)
            if keyword is None:
                self.missed(end)
                break
            operand: _Result = yield self.and_expr(keyword.end())
            if operand is None:
                last: _Result = yield self.collection(keyword.end())
                if last is not None:
                    operands.append(last[0])
                    end = last[1]
                break
            operands.append(operand[0])
            end = operand[1]
        if len(operands) == 1:
            return first
        return self.count(Or(tuple(operands), pos, end), len(operands) - 1), end

    def and_expr(self, pos: int) -> _Rule:
        # and_expr = not_expr and_tail*
        first: _Result = yield self.not_expr(pos)
        if first is None:
            return None
        operands = [first[0]]
        end = first[1]
        while True:
            keyword = self.rules.and_keyword.match(self.text, end)
            if keyword is None:
                self.missed(end)
                break
            operand: _Result = yield self.not_expr(keyword.end())
            if operand is None:
                break
            operands.append(operand[0])
            end = operand[1]
        if len(operands) == 1:
            return first
        return self.count(And(tuple(operands), pos, end), len(operands) - 1), end

    def not_expr(self, pos: int) -> _Rule:
        # not_expr = negation / primary;  negation = NOT not_expr
        # A chain of `not`s is walked in a loop: starts[i] is where the i-th
        # `not` begins. The innermost operand is a primary; going outwards,
        # each `not` negates what follows it when that parsed, and otherwise
        # the reference reads the `not` itself as a selector or value.
        starts = []
        at = pos
        while (keyword := self.rules.not_keyword.match(self.text, at)) is not None:
            starts.append(at)
            at = keyword.end()
        result: _Result = yield self.primary(at)
        for start in reversed(starts):
            if result is None:
                result = yield self.primary(start)
            else:
                operand, end = result
                if isinstance(operand, Not):  # `not not X` is X
                    result = operand.operand, end
                else:
                    result = Not(operand, start, end), end
        return result

    def primary(self, pos: int) -> _Rule:
        # primary = group / match;  group = "(" _? or_expr _? ")"
        if self.text.startswith("(", pos):
            self.enter(pos)
            inner: _Result = yield self.or_expr(self.skip_ws(pos + 1))
            self.depth -= 1
            if inner is not None:
                close = self.skip_ws(inner[1])
                if self.text.startswith(")", close):
                    return inner[0], close + 1
                self.missed(close)
        node = self.rules.match.match_core(self.text, pos, self.leaf_cache(), self.error)
        if node is None:
            return None
        return self.count(self.builder.match(node.children[0])), node.end

    def collection(self, pos: int) -> _Rule:
        # collection = collection_head or_expr _? "}"
        head = self.rules.collection_head.match_core(self.text, pos, self.leaf_cache(), self.error)
        if head is None:
            return None
        self.enter(pos)
        body: _Result = yield self.or_expr(head.end)
        self.depth -= 1
        if body is None:
            return None
        close = self.skip_ws(body[1])
        if not self.text.startswith("}", close):
            self.missed(close)
            return None
        node = self.builder.collection_from(head, body[0], close + 1)
        return self.count(node), close + 1


def parse(text: str, limits: Limits | None = None) -> Node:
    """Parse ``text`` into a syntax tree, or raise :class:`bexpr.ParseError`.

    ``limits`` bounds the input (:class:`bexpr.options.Limits`); going past
    one is a ParseError that names it.

    >>> parse('Name == "web" and Port =')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    bexpr.errors.ParseError: expected an operator (==, !=, in, ...) after 'Port', found '=' ...
      Name == "web" and Port =
                             ^
    """
    if not isinstance(text, str):
        raise TypeError(f"a bexpr expression must be a str, not {type(text).__name__}")
    limits = limits or Limits()
    if len(text) > limits.max_length:
        raise ParseError(
            f"expression too long: {len(text)} characters, more than "
            f"max_length={limits.max_length}",
            text,
            limits.max_length,
            code="limit",
        )
    tree = _Driver(text, limits).run()
    # The driver stops early on the matches and joins it counts while
    # parsing; the exact count adds the `not`s.
    size = count_nodes(tree)
    if size > limits.max_expressions:
        raise ParseError(
            f"expression too large: {size} expressions, more than max_expressions="
            f"{limits.max_expressions}",
            text,
            0,
            code="limit",
        )
    return tree


def parse_with_grammar(text: str) -> Node:
    """Parse with the PEG grammar alone (parsimonious runs every rule).

    This recurses as deep as the expression nests, so it is only for tests
    that check the structural driver against the grammar; :func:`parse` is
    the parser to use.
    """
    error = PegError(text)
    cache: defaultdict[int, dict[Any, Any]] = defaultdict(dict)
    tree = rules().expression.match_core(text, 0, cache, error)
    if cache.get(RECORDED, {}).get("invalid_in") is not None:
        raise ParseError("expected a selector after 'in'", text, 0)
    if tree is None or tree.end != len(text):
        raise explain(text, max(error.pos, 0))
    return _Builder(text).build(tree)
