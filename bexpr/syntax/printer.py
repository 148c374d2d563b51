"""Show a syntax tree: one node per line, for ``bexpr --explain``.

The canonical expression of a tree is ``str(tree)`` (each node spells itself,
see :mod:`bexpr.syntax.ast`); :func:`dump` shows the tree's shape.
"""

from __future__ import annotations

from bexpr.syntax.ast import Collection, Match, Node
from bexpr.syntax.tokens import quote
from bexpr.syntax.visitor import Visitor, walk

__all__ = ["dump"]


class _Label(Visitor[str]):
    """One line describing a node, without its children."""

    def visit_match(self, node: Match) -> str:
        text = f"Match {node.op.value}  selector={node.selector}"
        if node.value is not None:
            text += f"  value={quote(node.value.raw)}"
        return text

    def visit_collection(self, node: Collection) -> str:
        return f"Collection {node.op.value}  selector={node.selector}  as {node.binding}"

    def generic_visit(self, node: Node) -> str:
        return type(node).__name__


def dump(node: Node, indent: str = "  ") -> str:
    """The tree, one node per line, children indented under their parent.

    >>> import bexpr
    >>> print(dump(bexpr.parse('a == 1 and not "x" in Tags')))
    And
      Match ==  selector=a  value="1"
      Not
        Match in  selector=Tags  value="x"
    """
    label = _Label()
    return "\n".join(indent * depth + label.visit(current) for current, depth in walk(node))
