"""Analysis: what is wrong with a filter, and what may come next, for UIs.

- :mod:`~bexpr.analysis.schema`: record types, from dataclasses, TypedDicts,
  pydantic, attrs or JSON Schema;
- :mod:`~bexpr.analysis.check`: diagnostics (:func:`bexpr.check`);
- :mod:`~bexpr.analysis.complete`: completion (:func:`bexpr.complete`).
"""
