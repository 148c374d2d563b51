"""Translation: the tree in other forms.

- :mod:`~bexpr.translate.json`: the tree as JSON data and back.
"""
