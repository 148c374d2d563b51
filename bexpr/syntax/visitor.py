"""One way to walk a syntax tree: :func:`walk`, :class:`Visitor`, :class:`Transformer`.

Nodes declare their children (:meth:`bexpr.syntax.ast.Not.children`); this
module is the only code that needs to know how to go from a node to its
children. Everything that walks a tree — counting, dumping, checking,
evaluating, translating — builds on it:

- :func:`walk` yields every node with its depth, without recursion;
- a :class:`Visitor` subclass defines ``visit_match``, ``visit_not``,
  ``visit_and``, ``visit_or`` and ``visit_collection`` (any it leaves out
  visit the node's children), and :meth:`Visitor.visit` calls the one for
  a node's kind, passing on any extra arguments (a scope, a flag);
- a :class:`Transformer` returns a new tree, rebuilding only the nodes
  under which something changed.

>>> import bexpr
>>> tree = bexpr.parse("a == 1 and not (b == 2 or c is empty)")
>>> [(depth, node.kind) for node, depth in walk(tree)]
[(0, 'and'), (1, 'match'), (1, 'not'), (2, 'or'), (3, 'match'), (3, 'match')]
>>> class Selectors(Visitor[list[str]]):
...     def visit_match(self, node):
...         return [str(node.selector)]
...     def generic_visit(self, node):
...         return [s for child in node.children() for s in self.visit(child)]
>>> Selectors().visit(tree)
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from bexpr.syntax.ast import And, Node, Or

__all__ = ["Transformer", "Visitor", "count_nodes", "walk"]

R = TypeVar("R")


def walk(node: Node) -> Iterator[tuple[Node, int]]:
    """Every node of the tree with its depth (the root is 0), parents before
    children, children in source order. Uses no recursion."""
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        yield current, depth
        stack.extend((child, depth + 1) for child in reversed(current.children()))


class Visitor(Generic[R]):
    """Calls ``visit_<kind>`` for a node (``visit_match``, ``visit_and``, ...).

    Extra arguments to :meth:`visit` are passed on to the method, so a
    visitor can carry context down the tree (the names in scope, a negation)
    without keeping it in ``self``. A kind with no method goes to
    :meth:`generic_visit`, which visits the children with the same arguments
    and returns None; override it to combine their results instead.
    """

    def visit(self, node: Node, *args: Any) -> R:
        """Visit ``node``: the result of the method for its kind."""
        method: Callable[..., R] = getattr(self, "visit_" + node.kind, self.generic_visit)
        return method(node, *args)

    def generic_visit(self, node: Node, *args: Any) -> Any:
        """Visit the children of a node whose kind has no method."""
        for child in node.children():
            self.visit(child, *args)
        return None


class Transformer(Visitor[Node]):
    """A visitor whose methods return nodes, building a new tree.

    By default a node is kept, with its children transformed; a node whose
    children all come back unchanged is returned as it is, so transforming
    a tree that needs no change allocates nothing. A method may return any
    node in place of the one it is given::

        >>> import bexpr
        >>> from bexpr.syntax.ast import Match, Not
        >>> class FoldNot(Transformer):
        ...     def visit_not(self, node):
        ...         operand = self.visit(node.operand)
        ...         if isinstance(operand, Match):
        ...             return Match(operand.op.negation, operand.selector, operand.value)
        ...         return Not(operand, node.start, node.end)
        >>> str(FoldNot().visit(bexpr.parse("a == 1 and not b in c")))
        'a == 1 and b not in c'
    """

    def generic_visit(self, node: Node, *args: Any) -> Node:
        children = node.children()
        changed = tuple(self.visit(child, *args) for child in children)
        if all(new is old for new, old in zip(changed, children, strict=True)):
            return node
        return node.with_children(changed)


def count_nodes(node: Node) -> int:
    """Count expression nodes the way ``max_expressions`` limits them.

    Every match, every ``not``, every collection expression and every
    ``and``/``or`` between two operands counts one: ``a == 1 and not b == 2``
    counts 4 (two matches, one ``not``, one ``and``).

    >>> import bexpr
    >>> count_nodes(bexpr.parse("a == 1 and not b == 2"))
    4
    """
    # walk()'s loop without the depths: this runs on every compile.
    total = 0
    stack = [node]
    while stack:
        current = stack.pop()
        children = current.children()
        total += len(children) - 1 if isinstance(current, And | Or) else 1
        stack.extend(children)
    return total
