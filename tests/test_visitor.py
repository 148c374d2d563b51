"""The one tree walk: children, walk(), Visitor and Transformer."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

import bexpr
from bexpr.syntax.ast import And, Collection, Match, MatchOp, Node, Not, Or, Selector, Value
from bexpr.syntax.visitor import Transformer, Visitor, count_nodes, walk
from tests.strategies import trees

TREE = bexpr.parse('a == 1 and not (b in c or any L as x { x is empty }) and "/p" is nil')


def test_children_in_source_order() -> None:
    assert isinstance(TREE, And)
    first, negation, last = TREE.children()
    assert isinstance(first, Match) and isinstance(negation, Not) and isinstance(last, Match)
    assert negation.children() == (negation.operand,)
    disjunction = negation.operand
    assert isinstance(disjunction, Or)
    collection = disjunction.operands[1]
    assert isinstance(collection, Collection)
    assert collection.children() == (collection.body,)
    assert first.children() == ()


def test_walk_is_preorder_with_depths() -> None:
    assert [(node.kind, depth) for node, depth in walk(TREE)] == [
        ("and", 0),
        ("match", 1),
        ("not", 1),
        ("or", 2),
        ("match", 3),
        ("collection", 3),
        ("match", 4),
        ("match", 1),
    ]


def test_walk_needs_no_recursion() -> None:
    deep: Node = Match(MatchOp.EQUAL, Selector(("a",)), Value("1"))
    for _ in range(5000):
        deep = Not(deep)
    assert sum(1 for _ in walk(deep)) == 5001
    assert count_nodes(deep) == 5001


class Kinds(Visitor[list[str]]):
    """Collects kinds; matches and collections handled, the rest generic."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def visit_match(self, node: Match, prefix: str) -> list[str]:
        self.seen.append(prefix + str(node.selector))
        return self.seen

    def visit_collection(self, node: Collection, prefix: str) -> list[str]:
        self.seen.append(prefix + "any")
        return self.visit(node.body, prefix + "  ")


def test_visitor_dispatches_by_kind_and_passes_arguments_on() -> None:
    visitor = Kinds()
    assert visitor.visit(TREE, "") is None  # and: generic_visit returns None
    assert visitor.seen == ["a", "c", "any", "  x", '"/p"']


class Rename(Transformer):
    def visit_match(self, node: Match) -> Node:
        if node.selector.path[0] == "c":
            return Match(node.op, Selector(("z",)), node.value)
        return node


def test_transformer_rebuilds_only_what_changed() -> None:
    out = Rename().visit(TREE)
    assert str(out) == 'a == 1 and not (b in z or any L as x { x is empty }) and "/p" is nil'
    assert isinstance(out, And) and isinstance(TREE, And)
    # Unchanged subtrees are the same objects; spans are kept.
    assert out.operands[0] is TREE.operands[0]
    assert out.operands[2] is TREE.operands[2]
    changed = out.operands[1]
    assert isinstance(changed, Not) and changed is not TREE.operands[1]
    assert (changed.start, changed.end) == (TREE.operands[1].start, TREE.operands[1].end)


def test_identity_transform_returns_the_same_tree() -> None:
    assert Transformer().visit(TREE) is TREE


class Count(Visitor[int]):
    def visit_match(self, node: Match) -> int:
        return 1

    def generic_visit(self, node: Node, *args: Any) -> int:
        own = len(node.children()) - 1 if isinstance(node, And | Or) else 1
        return own + sum(self.visit(child) for child in node.children())


@settings(max_examples=300, deadline=None)
@given(tree=trees())
def test_every_walk_sees_the_same_tree(tree: Node) -> None:
    nodes = [node for node, _ in walk(tree)]
    assert Count().visit(tree) == count_nodes(tree)
    assert Transformer().visit(tree) is tree
    assert nodes[0] is tree
    assert sum(len(node.children()) for node in nodes) == len(nodes) - 1
    # The JSON form and the text form are written by the same nodes.
    assert bexpr.from_json(tree.to_json()) == tree == bexpr.parse(str(tree))
