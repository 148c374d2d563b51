"""``python -m bexpr.examples``: the same as ``python -m bexpr.examples.server``."""

import sys

from bexpr.examples.server import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m bexpr.examples"))
