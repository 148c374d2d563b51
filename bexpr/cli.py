"""The ``bexpr`` command: filter JSON with a bexpr expression.

Run ``bexpr --help`` for the options; docs/cli.md has examples.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TextIO

import bexpr
from bexpr.api import Errors, RecordError
from bexpr.inputs import (
    EXIT_EVALUATION,
    EXIT_OK,
    EXIT_USAGE,
    Skipped,
    UsageError,
    add_input_arguments,
    decoding,
    open_input,
    read_input,
    records_in,
)
from bexpr.syntax.printer import dump

__all__ = ["main"]

EPILOG = """\
bexpr serve [--host HOST] [--port PORT] starts the example list-endpoint
server instead (Nomad-style /v1/jobs and /v1/deployments with filter,
per_page, next_token and reverse; it needs: pip install 'bexpr[server]').

bexpr bench [options] FILTER [FILE ...] measures the filter on your records
instead: compile time, time per record, matches, memory, and with --compare
'python: lambda r: ...' the ratio to a hand-written predicate (bexpr bench
--help says more).

input:
  A JSON array (its matching elements are printed as an array), a JSON object
  (its matching values are printed under their keys, as the reference does)
  or JSON Lines (one value per line, detected, or forced with --jsonl; the
  matching lines are printed as they are read, in constant memory). With no
  FILE, or FILE '-', standard input is read.

exit codes:
  0  success (also: the filter is valid, with --check)
  1  a record could not be evaluated (with --errors fail)
  2  the filter is invalid, or the command line is wrong
  3  an input cannot be read or is not JSON

examples (from a checkout, whose examples/ holds Nomad-style jobs):
  bexpr 'Status == "running" and "dc2" in Datacenters' examples/jobs.json
  bexpr --count 'Datacenters contains "dc2"' < examples/jobs.json
  bexpr --errors skip 'Meta.env == prod' examples/jobs.json  # one job's Meta is null
  bexpr --select /0/JobSummary/Summary 'Queued == 1' examples/jobs.json
  bexpr --check 'Name matches "^web-"'
  bexpr bench 'Status == "running" and "dc2" in Datacenters' examples/jobs.json
  bexpr serve --port 4646  # then: curl 'localhost:4646/v1/jobs?filter=Stop==false'
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bexpr",
        description="Filter JSON with a bexpr (go-bexpr) boolean expression.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("filter", help="the filter expression, e.g. 'Datacenters contains \"dc2\"'")
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="JSON or JSON Lines inputs (optional: standard input when none is given)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="only check the filter: its syntax, and what fails on every record that reaches "
        "it (a pattern that is not RE2, 'as x, x')",
    )
    mode.add_argument("--explain", action="store_true", help="print the parsed tree")
    mode.add_argument("--count", action="store_true", help="print the number of matches")
    parser.add_argument(
        "--source",
        action="store_true",
        help="with --explain: also print the Python function generated for the filter",
    )
    parser.add_argument(
        "--errors",
        choices=["fail", "skip", "collect"],
        default="fail",
        help="a record that cannot be evaluated: fail (exit 1), skip it, or collect it "
        "(written with its reason to stderr as JSON Lines)",
    )
    add_input_arguments(
        parser,
        select_help="filter the list or object at this JSON pointer inside each document "
        "(e.g. /Jobs)",
    )
    parser.add_argument("--version", action="version", version=f"bexpr {bexpr.__version__}")
    return parser


# -- progress ------------------------------------------------------------------


class _Progress:
    """A one-line progress report on stderr, redrawn at most 10 times a second."""

    def __init__(self, enabled: bool, stream: TextIO, delay: float = 0.5) -> None:
        self.enabled = enabled
        self.delay = delay
        self.stream = stream
        self.seen = 0
        self.matched = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def track(self, records: Iterable[Any]) -> Iterable[Any]:
        """``records``, counted for the progress line when it is shown."""
        if not self.enabled:
            return records  # no generator in between when nothing is shown
        return self._counted(records)

    def count_matches(self, matches: Iterable[Any]) -> Iterable[Any]:
        """``matches``, counted as they come for the progress line when it is shown."""
        if not self.enabled:
            return matches
        return self._matched(matches)

    def _matched(self, matches: Iterable[Any]) -> Iterator[Any]:
        for match in matches:
            self.matched += 1
            yield match

    def _counted(self, records: Iterable[Any]) -> Iterator[Any]:
        for record in records:
            self.seen += 1
            if self.seen % 1024 == 0:
                now = time.monotonic()
                if now - self.started >= self.delay and now - self.drawn > 0.1:
                    self.drawn = now
                    rate = self.seen / (now - self.started)
                    self.stream.write(
                        f"\rbexpr: {self.seen:,} records, {self.matched:,} matched ({rate:,.0f}/s)"
                    )
                    self.stream.flush()
            yield record

    def done(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


# -- running -----------------------------------------------------------------


def _errors_mode(name: str, stderr: TextIO, skipped: Skipped) -> Errors:
    if name == "fail":
        return "fail"
    if name == "skip":
        return skipped

    def collect(problem: RecordError) -> None:
        stderr.write(
            json.dumps(
                {"key": problem.key, "record": problem.record, "error": str(problem.error)},
                default=str,
            )
            + "\n"
        )

    return collect


def _generated(expression: bexpr.Expression) -> str:
    """The generated function and what its names stand for, for --explain --source."""
    source = expression.source
    if source is None:
        return "generated: none (this filter runs on the compiled closures)\n"
    names = "".join(f"  {name} = {value!r}\n" for name, value in expression.constants.items())
    return f"generated:\n{source}where:\n{names}"


def _write_json(value: Any, stdout: TextIO) -> None:
    json.dump(value, stdout, indent=2, ensure_ascii=False)
    stdout.write("\n")


def _run(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    options: dict[str, Any] = {}
    if args.unknown is not None:
        try:
            options["unknown"] = json.loads(args.unknown)
        except ValueError as err:
            raise UsageError(f"--unknown takes a JSON value: {err}", EXIT_USAGE) from None
    try:
        expression = bexpr.compile(args.filter, **options) if args.filter else None
    except bexpr.ParseError as err:
        stderr.write(f"bexpr: invalid filter: {err}\n")
        return EXIT_USAGE
    if args.check:
        problems = [d for d in bexpr.check(args.filter, **options) if d.severity == "error"]
        for problem in problems:
            stderr.write(f"bexpr: invalid filter: {problem.format(args.filter)}\n")
        return EXIT_USAGE if problems else EXIT_OK
    if args.source and not args.explain:
        raise UsageError("--source goes with --explain", EXIT_USAGE)
    if args.explain:
        if expression is not None:
            stdout.write(dump(expression.tree) + "\n")
            stdout.write(f"canonical: {expression.tree}\n")
            if args.source:
                stdout.write(_generated(expression))
        return EXIT_OK
    skipped = Skipped()
    errors = _errors_mode(args.errors, stderr, skipped)
    progress = _Progress(
        args.progress == "always" or (args.progress == "auto" and stderr.isatty()),
        stderr,
        # Shown only for inputs that take a while; the tests set 0.
        float(os.environ.get("BEXPR_PROGRESS_DELAY", "0.5")),
    )
    total = 0
    try:
        for path in args.files or ["-"]:
            stream = open_input(path, stdin)
            try:
                with decoding(path):
                    total += _filter_input(args, expression, errors, progress, path, stream, stdout)
            finally:
                if stream is not stdin:
                    stream.close()
    except bexpr.EvaluationError as err:
        progress.done()
        stderr.write(f"bexpr: {err}\n")
        return EXIT_EVALUATION
    progress.done()
    skipped.report(stderr)
    if args.count:
        stdout.write(f"{total}\n")
    return EXIT_OK


def _filter_input(
    args: argparse.Namespace,
    expression: bexpr.Expression | None,
    errors: Errors,
    progress: _Progress,
    path: str,
    stream: TextIO,
    stdout: TextIO,
) -> int:
    """Filter one input and write its result (unless counting); returns the match count."""
    shape, content = read_input(path, stream, args.jsonl)
    data = records_in(shape, content, args.select, path)
    if shape == "lines":
        records = progress.track(data)
        matches = records if expression is None else expression.filter(records, errors)
        count = 0
        for record in progress.count_matches(matches):
            count += 1
            if not args.count:
                stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return count
    if expression is None:
        result: Any = data
    elif isinstance(data, list):
        result = list(progress.count_matches(expression.filter(progress.track(data), errors)))
    else:
        result = expression.filter(data, errors)
    if not args.count:
        _write_json(result, stdout)
    return len(result)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit code.

    ``bexpr serve ...`` starts the example list-endpoint server instead
    (docs/listing.md), and ``bexpr bench ...`` measures a filter on records
    (:mod:`bexpr.bench`); a lone ``serve`` or ``bench`` is never a valid filter.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        # Deferred: the server needs the optional [server] extra (starlette).
        from bexpr.examples.server import main as serve

        return serve(arguments[1:], prog="bexpr serve")
    if arguments[:1] == ["bench"]:
        # Deferred: only `bexpr bench` needs it, and it imports this module's
        # input readers. A lone `bench` is never a valid filter either.
        from bexpr.bench import main as bench

        return bench(arguments[1:])
    args = _parser().parse_args(arguments)
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8") if sys.stdin else io.StringIO()
    try:
        return _run(args, stdin, sys.stdout, sys.stderr)
    except UsageError as err:
        sys.stderr.write(f"bexpr: {err}\n")
        return err.code
    except BrokenPipeError:
        # `bexpr ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
