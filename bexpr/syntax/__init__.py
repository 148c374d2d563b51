"""The syntax layer: expression text to a tree and back.

- :mod:`~bexpr.syntax.operators`: the operator table, every fact about each
  operator in one place;
- :mod:`~bexpr.syntax.tokens`: keywords, token patterns, string literals;
- :mod:`~bexpr.syntax.ast`: the immutable tree; nodes print themselves;
- :mod:`~bexpr.syntax.visitor`: the one way to walk a tree;
- :mod:`~bexpr.syntax.grammar`: loads ``grammar/bexpr.peg``;
- :mod:`~bexpr.syntax.parser`: text to tree;
  :mod:`~bexpr.syntax.diagnostics`: why text does not parse;
- :mod:`~bexpr.syntax.printer`: the tree one node per line.

It imports nothing from the layers above it (see docs/design.md).
"""
