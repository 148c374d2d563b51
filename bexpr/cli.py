"""The ``bexpr`` command: filter JSON with a bexpr expression.

``bexpr FILTER [FILE]`` reads a JSON array or object from FILE (or standard
input when FILE is missing or ``-``) and prints the matching elements as JSON:
an array gives an array, an object gives an object of the matching values
under their keys.

Exit codes: 0 success, 1 evaluation error, 2 invalid filter or usage, 3 input
that cannot be read or is not JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import bexpr

__all__ = ["main"]

EXIT_OK = 0
EXIT_EVALUATION = 1
EXIT_USAGE = 2
EXIT_INPUT = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bexpr",
        description="Filter a JSON array or object with a bexpr (go-bexpr) expression.",
        epilog="exit codes: 0 success, 1 evaluation error, 2 invalid filter or usage, "
        "3 unreadable or invalid JSON input",
    )
    parser.add_argument("filter", help="the filter expression, e.g. 'Datacenters contains \"dc2\"'")
    parser.add_argument(
        "file", nargs="?", default="-", help="a JSON file (default: standard input)"
    )
    parser.add_argument("--version", action="version", version=f"bexpr {bexpr.__version__}")
    return parser


def _read(path: str, stdin: TextIO) -> Any:
    if path == "-":
        return json.load(stdin)
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        expression = bexpr.compile(args.filter) if args.filter else None
    except bexpr.ParseError as err:
        print(f"bexpr: invalid filter: {err}", file=sys.stderr)
        return EXIT_USAGE
    try:
        data = _read(args.file, sys.stdin)
    except (OSError, ValueError) as err:
        print(f"bexpr: cannot read {args.file}: {err}", file=sys.stderr)
        return EXIT_INPUT
    if not isinstance(data, list | dict):
        print("bexpr: the input must be a JSON array or object", file=sys.stderr)
        return EXIT_INPUT
    try:
        result = data if expression is None else expression.filter(data)
    except bexpr.EvaluationError as err:
        print(f"bexpr: {err}", file=sys.stderr)
        return EXIT_EVALUATION
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
