"""Evaluation: a syntax tree applied to data.

- :mod:`~bexpr.evaluation.operations`: what each operator does to a value;
- :mod:`~bexpr.evaluation.fastpath`: fused closures for plain dicts;
- :mod:`~bexpr.evaluation.closures`: the compiler, tree to closures;
- :mod:`~bexpr.evaluation.interpreter`: the reference tree-walker that the
  compiler is tested against (it shares none of the modules above).
"""
