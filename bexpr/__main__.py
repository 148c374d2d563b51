"""``python -m bexpr``: the same as the ``bexpr`` command."""

import sys

from bexpr.cli import main

sys.exit(main())
