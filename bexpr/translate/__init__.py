"""Translation: the tree in other forms.

- :mod:`~bexpr.translate.json`: the tree as JSON data and back.
- :mod:`~bexpr.translate.core`: the three-valued and/or/not walk every
  engine translator shares (certainly true, certainly false, maybe).
- :mod:`~bexpr.translate.sql`: SQL expressions for SQLite and PostgreSQL
  (used by :mod:`bexpr.sql`).
- :mod:`~bexpr.translate.typed`: the translation over typed columns, and
  :mod:`~bexpr.translate.polars` and :mod:`~bexpr.translate.spark`, which
  spell it for Polars and Spark (used by :mod:`bexpr.polars` and
  :mod:`bexpr.spark`).
"""
