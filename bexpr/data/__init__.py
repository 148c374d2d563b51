"""Data access: what a selector reaches in Python data, and how.

- :mod:`~bexpr.data.fields`: which fields of an object are data;
- :mod:`~bexpr.data.lookup`: walking a selector's path through data.
"""
