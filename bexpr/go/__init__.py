"""Go semantics: the rules of the Go packages the reference relies on.

- :mod:`~bexpr.go.strconv`: ``ParseBool``, ``ParseInt``, ``ParseFloat``,
  by which a match value is converted to the type of the data;
- :mod:`~bexpr.go.re2`: Go's ``regexp`` (RE2) syntax, translated for the
  ``regex`` module (public as :mod:`bexpr.re2`).
"""
