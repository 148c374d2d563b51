"""The RE2 dialect of ``matches``: the public name of :mod:`bexpr.go.re2`.

``bexpr.re2`` is that module itself, not a copy of its names: a setting such
as ``bexpr.re2.GO_1_25_PROPERTY_NAMES = True`` must change the very module the
translator reads it from.
"""

import sys

from bexpr.go import re2 as _re2
from bexpr.go.re2 import *  # noqa: F403  (the names, for type checkers and readers)

sys.modules[__name__] = _re2
