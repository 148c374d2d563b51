"""``bexpr bench FILTER FILE...``: what a filter costs on your own records.

It reads the inputs as the ``bexpr`` command does (a JSON array, a JSON
object or JSON Lines, with ``--jsonl`` and ``--select``), holds every record
in memory, and reports:

- **compile**: *cold*, the first compile of the filter in the process (its
  values converted and its patterns translated for the first time; building
  the grammar, once per process, is timed apart as *grammar*); *uncached*,
  :func:`bexpr.compile` again, which parses and compiles again (there is no
  expression cache in it); *cached*, the expression cache that
  :func:`bexpr.evaluate` and :func:`bexpr.filter` look the text up in.
- **evaluate**: ``expression.filter(records)`` on each input in turn, as a
  program would call it, once the expression has reached its steady tier
  (docs/performance.md): the time per record, median and minimum over
  ``--rounds`` rounds, each of enough passes to last ``--min-time``.
- the **matches**, the selectivity and the records that could not be
  evaluated (``--errors fail`` stops at the first, as the command does);
- **memory**: tracemalloc's peak during one pass, above what was allocated
  before it, and the process's resident high-water mark (``VmHWM``, Linux).
- with ``--compare 'python: lambda r: ...'``: the same for that hand-written
  predicate on the same records, the ratio, and whether it keeps the same
  records. The lambda is evaluated with :func:`eval`: it runs any Python it
  holds, as ``python -c`` does.

``--json`` prints the report as one JSON object (times in seconds, memory in
bytes). docs/cli.md has examples.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import gc
import importlib.metadata
import io
import json
import math
import os
import platform
import re
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from bexpr.api import WARMUP_CALLS, Errors, Expression, _compile_maybe_cached, compile
from bexpr.errors import EvaluationError, ParseError
from bexpr.inputs import (
    EXIT_EVALUATION,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    Skipped,
    UsageError,
    add_input_arguments,
    decoding,
    input_name,
    open_input,
    read_input,
    records_in,
)
from bexpr.syntax.grammar import rules

__all__ = ["main"]

EPILOG = """\
what is measured:
  compile   cold: the first compile of FILTER in this process; uncached:
            bexpr.compile(FILTER) again (it has no expression cache); cached:
            the expression cache bexpr.evaluate() and bexpr.filter() use;
            grammar: building the grammar, once per process
  evaluate  expression.filter(records) on each input, once the expression
            has reached its steady state: median and min per record over
            --rounds rounds of enough passes to last --min-time each
  memory    tracemalloc's peak during one pass (above what was allocated
            before it), and the process's peak RSS (VmHWM, Linux only)

Every input is read into memory first; JSON Lines are filtered as a list.

--compare 'python: EXPR' evaluates EXPR with Python's eval(): it runs any
code it holds, like python -c. It must give a function of one record (the
module re is at hand); the report says whether it keeps the same records.

exit codes: 0 success, 1 a record could not be evaluated (--errors fail),
2 the filter, --compare or the command line is wrong, 3 an input cannot be
read or is not JSON.

example:
  bexpr bench --compare 'python: lambda r: r["Status"] == "running"' \\
      'Status == "running"' examples/jobs.json
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _seconds_arg(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < math.inf:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bexpr bench",
        description="Measure a filter on your own records: compile time, time per record,\n"
        "matches, memory, and the ratio to a hand-written Python predicate.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("filter", help="the filter expression")
    parser.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="JSON or JSON Lines inputs (standard input when none is given)",
    )
    parser.add_argument(
        "--compare",
        metavar="'python: EXPR'",
        help='also time this Python predicate, e.g. \'python: lambda r: r["Status"] == "dead"\' '
        "(EXPR is run with eval())",
    )
    parser.add_argument("--rounds", type=_positive_int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--min-time",
        type=_seconds_arg,
        default=0.1,
        metavar="SECONDS",
        help="the least time one round lasts: small inputs are passed over several times "
        "(default 0.1)",
    )
    parser.add_argument(
        "--errors",
        choices=["fail", "skip"],
        default="fail",
        help="a record that cannot be evaluated: fail (exit 1, as the command does) or skip it "
        "(and count it)",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    add_input_arguments(
        parser,
        select_help="measure on the list or object at this JSON pointer inside each document",
    )
    return parser


# -- progress ------------------------------------------------------------------


class _Status:
    """A one-line status on stderr, for runs long enough to need one."""

    def __init__(self, enabled: bool, stream: TextIO, delay: float) -> None:
        self.enabled = enabled
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        self.drawn = 0.0

    def show(self, text: str) -> None:
        """Redraw the line with ``text``, at most 10 times a second."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.started >= self.delay and now - self.drawn > 0.1:
            self.drawn = now
            self.stream.write(f"\rbexpr bench: {text}\x1b[K")
            self.stream.flush()

    def counting(self, name: str, records: Iterator[Any]) -> Iterator[Any]:
        """``records``, counted on the status line while they are read."""
        if not self.enabled:
            yield from records
            return
        for number, record in enumerate(records, 1):
            if number % 4096 == 0:
                self.show(f"reading {name}: {number:,} records")
            yield record

    def done(self) -> None:
        """Clear the line, if one was drawn."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = 0.0


# -- inputs --------------------------------------------------------------------


@dataclass(frozen=True)
class _Input:
    """One input's records, in the shape the command filters: a list or a dict."""

    name: str
    data: list[Any] | dict[Any, Any]


def _load(paths: Sequence[str], jsonl: bool, pointer: str | None, status: _Status) -> list[_Input]:
    """Every input's records, read with the ``bexpr`` command's readers."""
    inputs: list[_Input] = []
    stdin: TextIO | None = None
    for path in paths or ["-"]:
        if path == "-" and stdin is None:
            stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8") if sys.stdin else None
        stream = open_input(path, stdin or io.StringIO())
        try:
            with decoding(path):
                shape, content = read_input(path, stream, jsonl)
                data = records_in(shape, content, pointer, path)
                if shape == "lines":
                    data = list(status.counting(input_name(path), data))
        except OSError as err:
            raise UsageError(f"cannot read {path}: {err.strerror or err}", EXIT_INPUT) from None
        finally:
            if path != "-":
                stream.close()
        inputs.append(_Input(input_name(path), data))
    return inputs


# -- the predicate to compare with ----------------------------------------------


def _predicate(text: str) -> Callable[[Any], object]:
    """The function a ``--compare 'python: EXPR'`` gives."""
    engine, colon, code = text.partition(":")
    if not colon or engine.strip() != "python" or not code.strip():
        raise UsageError(
            f"--compare takes 'python: EXPR', e.g. 'python: lambda r: r[\"ID\"] == \"web\"',"
            f" not {text!r}",
            EXIT_USAGE,
        )
    try:
        # The user's own code, run on their own machine as `python -c` runs
        # it; --help and docs/cli.md say so.
        value = eval(builtins.compile(code.strip(), "<--compare>", "eval"), {"re": re})
    except Exception as err:
        raise UsageError(f"--compare: {type(err).__name__}: {err}", EXIT_USAGE) from None
    if not callable(value):
        raise UsageError(
            f"--compare: EXPR must be a function of one record, such as a lambda,"
            f" not {type(value).__name__}",
            EXIT_USAGE,
        )
    predicate: Callable[[Any], object] = value
    return predicate


def _kept_by(predicate: Callable[[Any], object], inputs: list[_Input]) -> list[Any]:
    """The records the predicate keeps, tried one at a time to name one it fails on."""
    kept: list[Any] = []
    for source in inputs:
        data = source.data
        items = data.items() if isinstance(data, dict) else enumerate(data)
        for key, record in items:
            try:
                keep = predicate(record)
            except Exception as err:
                raise UsageError(
                    f"--compare: the predicate raised {type(err).__name__}: {err}"
                    f" on record {key!r} of {source.name}",
                    EXIT_USAGE,
                ) from None
            if keep:
                kept.append(record)
    return kept


def _difference(bexpr_kept: list[Any], lambda_kept: list[Any]) -> str | None:
    """How the two filters' records differ, or None when they are the same records."""
    if len(bexpr_kept) != len(lambda_kept):
        return f"the lambda keeps {len(lambda_kept):,} records, bexpr {len(bexpr_kept):,}"
    # The same objects in the same order: the inputs are shared, not copied.
    if any(a is not b for a, b in zip(bexpr_kept, lambda_kept, strict=True)):
        return f"the lambda and bexpr both keep {len(bexpr_kept):,} records, but not the same ones"
    return None


# -- timing --------------------------------------------------------------------

Run = Callable[[int], float]
"""Runs something a number of times; returns the seconds that took."""


def _filter_runner(expression: Expression, inputs: list[_Input], errors: Errors) -> Run:
    datasets = [source.data for source in inputs]
    filter_ = expression.filter

    def run(times: int) -> float:
        start = time.perf_counter()
        for _ in range(times):
            for data in datasets:
                filter_(data, errors)
        return time.perf_counter() - start

    return run


def _lambda_runner(predicate: Callable[[Any], object], inputs: list[_Input]) -> Run:
    datasets = [source.data for source in inputs]

    def run(times: int) -> float:
        # The comprehensions a program would write (benchmarks/compare.py's twins).
        start = time.perf_counter()
        for _ in range(times):
            for data in datasets:
                if isinstance(data, dict):
                    {key: record for key, record in data.items() if predicate(record)}
                else:
                    [record for record in data if predicate(record)]
        return time.perf_counter() - start

    return run


def _compile_runner(text: str, options: dict[str, Any]) -> Run:
    def run(times: int) -> float:
        start = time.perf_counter()
        for _ in range(times):
            compile(text, **options)
        return time.perf_counter() - start

    return run


def _cached_runner(text: str, options: dict[str, Any]) -> Run:
    def run(times: int) -> float:
        # What bexpr.evaluate() and bexpr.filter() do before evaluating.
        start = time.perf_counter()
        for _ in range(times):
            _compile_maybe_cached(text, options)
        return time.perf_counter() - start

    return run


def _repeats(run: Run, min_time: float) -> int:
    """How many runs make a round last ``min_time``, found as timeit's autorange does."""
    times = 1
    while True:
        took = run(times)
        if took >= min_time / 10 or times >= 10**8:
            break
        times *= 10
    if took <= 0:
        return times
    return max(1, math.ceil(times * min_time / took))


@dataclass(frozen=True)
class _Timing:
    """Seconds per unit (a record, a compile, a lookup), one figure a round."""

    repeats: int
    """Runs per round."""
    rounds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def min(self) -> float:
        return min(self.rounds)

    def to_json(self) -> dict[str, Any]:
        return {"median": self.median, "min": self.min, "rounds": self.rounds}


@dataclass(frozen=True)
class _Job:
    """Something to time: its name for the status line, how to run it, and
    how many units (records) one run covers."""

    name: str
    run: Run
    units: int = 1


def _time(jobs: list[_Job], rounds: int, min_time: float, status: _Status) -> list[_Timing]:
    """Time each job ``rounds`` times, the jobs taking turns, so that a
    machine that slows down or speeds up weighs on each of them alike."""
    repeats = [_repeats(job.run, min_time) for job in jobs]
    seconds: list[list[float]] = [[] for _ in jobs]
    for number in range(rounds):
        for job, times, figures in zip(jobs, repeats, seconds, strict=True):
            status.show(f"{job.name}, round {number + 1} of {rounds}")
            # A collection left over from the last round must not land in this one.
            gc.collect()
            figures.append(job.run(times) / (times * job.units))
    return [_Timing(times, figures) for times, figures in zip(repeats, seconds, strict=True)]


# -- memory --------------------------------------------------------------------


def _traced_peak(run: Run) -> int:
    """Bytes allocated at the peak of one run, above what was allocated
    before it (tracemalloc): the lists of matches count while they live."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        gc.collect()
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        run(1)
        return max(0, tracemalloc.get_traced_memory()[1] - before)
    finally:
        if not tracing:
            tracemalloc.stop()


def _peak_rss() -> int | None:
    """The process's resident set high-water mark in bytes (Linux's VmHWM), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


@contextlib.contextmanager
def _frozen() -> Iterator[None]:
    """Move every object alive now to the collector's permanent generation
    for the block (unless a caller froze some already: theirs stay as they are)."""
    if gc.get_freeze_count():
        yield
        return
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# -- the benchmark ---------------------------------------------------------------


def _options(args: argparse.Namespace) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.unknown is not None:
        try:
            options["unknown"] = json.loads(args.unknown)
        except ValueError as err:
            raise UsageError(f"--unknown takes a JSON value: {err}", EXIT_USAGE) from None
    return options


def _first_pass(
    expression: Expression, inputs: list[_Input], errors: Errors
) -> tuple[list[Any], float]:
    """The records kept, and how long this first pass took (it may build the
    generated tier). With ``errors="fail"`` it raises as the command does."""
    kept: list[Any] = []
    start = time.perf_counter()
    results = [expression.filter(source.data, errors) for source in inputs]
    took = time.perf_counter() - start
    for result in results:
        kept.extend(result.values() if isinstance(result, dict) else result)
    return kept, took


def _bench(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    status = _Status(
        args.progress == "always" or (args.progress == "auto" and stderr.isatty()),
        stderr,
        # Shown only for runs that take a while; the tests set 0.
        float(os.environ.get("BEXPR_PROGRESS_DELAY", "0.5")),
    )
    try:
        return _measure(args, status, stdout, stderr)
    finally:
        # Before any message: an error, a warning or the report.
        status.done()


def _measure(args: argparse.Namespace, status: _Status, stdout: TextIO, stderr: TextIO) -> int:
    if not args.filter:
        raise UsageError("bench needs a filter: an empty one keeps every record", EXIT_USAGE)
    options = _options(args)

    # The grammar is built by the first parse in a process: timed apart, as
    # a long-running program pays for it once, not for each filter.
    gc.collect()  # what importing left for the collector must not land in these two
    start = time.perf_counter()
    rules()
    grammar = time.perf_counter() - start
    start = time.perf_counter()
    try:
        expression = compile(args.filter, **options)
    except ParseError as err:
        stderr.write(f"bexpr: invalid filter: {err}\n")
        return EXIT_USAGE
    cold = time.perf_counter() - start
    predicate = _predicate(args.compare) if args.compare is not None else None

    inputs = _load(args.files, args.jsonl, args.select, status)
    records = sum(len(source.data) for source in inputs)
    if records == 0:
        raise UsageError("the inputs hold no records to measure on", EXIT_INPUT)

    # The records live to the end: kept out of the collector's sight, the
    # collection before each round does not walk them all, and no collection
    # that does lands in a timed round by chance.
    with _frozen():
        errors: Errors = args.errors
        skipped = Skipped()
        try:
            kept, first_pass = _first_pass(expression, inputs, errors)
        except EvaluationError as err:
            status.done()
            stderr.write(f"bexpr: {err}\n")
            return EXIT_EVALUATION
        if errors == "skip":
            # Counted in a pass of their own: the timed passes run as --errors skip does.
            for source in inputs:
                expression.filter(source.data, skipped)
        difference = None
        if predicate is not None:
            difference = _difference(kept, _kept_by(predicate, inputs))

        evaluate = _filter_runner(expression, inputs, errors)
        # Enough passes for the expression to reach its steady tier first (it
        # switches to generated code after WARMUP_CALLS evaluations).
        evaluate(max(0, math.ceil((WARMUP_CALLS - records) / records)))
        memory = _traced_peak(evaluate)

        jobs = [_Job("compiling", _compile_runner(args.filter, options))]
        cacheable = _compile_maybe_cached(args.filter, options) is _compile_maybe_cached(
            args.filter, options
        )
        if cacheable:
            jobs.append(_Job("looking up the cache", _cached_runner(args.filter, options)))
        compiling = _time(jobs, args.rounds, args.min_time, status)
        jobs = [_Job("evaluating", evaluate, records)]
        if predicate is not None:
            jobs.append(_Job("evaluating the lambda", _lambda_runner(predicate, inputs), records))
        evaluating = _time(jobs, args.rounds, args.min_time, status)
        status.done()

        report: dict[str, Any] = {
            "filter": args.filter,
            "inputs": [source.name for source in inputs],
            "records": records,
            "compile": {
                "grammar": grammar,
                "cold": cold,
                "uncached": compiling[0].to_json(),
                "cached": compiling[1].to_json() if cacheable else None,
            },
            "evaluate": {
                "per_record": evaluating[0].to_json(),
                "records_per_second": _ratio(1, evaluating[0].median),
                "rounds": args.rounds,
                "passes_per_round": evaluating[0].repeats,
                "first_pass": first_pass,
                "code": "closures" if expression.source is None else "generated",
            },
            "matches": len(kept),
            "selectivity": len(kept) / records,
            "errors": skipped.count,
            "errors_mode": errors,
            "first_error": None if skipped.first is None else _record_error(skipped),
            "memory": {"tracemalloc_peak": memory, "peak_rss": _peak_rss()},
            "compare": None,
            "python": platform.python_version(),
            "bexpr": _version(),
        }
        if predicate is not None:
            theirs = evaluating[1]
            report["compare"] = {
                "predicate": args.compare,
                "per_record": theirs.to_json(),
                "ratio": _ratio(evaluating[0].median, theirs.median),
                "ratio_min": _ratio(evaluating[0].min, theirs.min),
                "same_matches": difference is None,
                "difference": difference,
            }
        if difference is not None:
            stderr.write(f"bexpr: warning: --compare: {difference}: not the same filter\n")
        skipped.report(stderr)
        stdout.write(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n" if args.json else _text(report)
        )
        return EXIT_OK


def _ratio(part: float, whole: float) -> float | None:
    """``part / whole``, or None (JSON's null) for a time too short to measure."""
    return part / whole if whole > 0 else None


def _record_error(skipped: Skipped) -> str:
    first = skipped.first
    assert first is not None
    return f"record {first.key!r}: {first.error}"


def _version() -> str | None:
    try:
        return importlib.metadata.version("bexpr")
    except importlib.metadata.PackageNotFoundError:
        return None


# -- the text report -------------------------------------------------------------


def _figure(value: float) -> str:
    """Three significant digits, never in exponent form."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}" if value >= 0.001 else f"{value:.6f}"


def _duration(seconds: float) -> str:
    """A duration in µs, ms or s: per-record times stay in µs, to compare at a glance."""
    if seconds >= 1:
        return f"{_figure(seconds)} s"
    if seconds >= 1e-3:
        return f"{_figure(seconds * 1e3)} ms"
    return f"{_figure(seconds * 1e6)} µs"


def _rate(per_second: float | None) -> str:
    if per_second is None:
        return "n/a"
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "K")):
        if per_second >= scale:
            return f"{_figure(per_second / scale)}{suffix}"
    return _figure(per_second)


def _size(size: float) -> str:
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if size >= scale:
            return f"{_figure(size / scale)} {unit}"
    return f"{size:.0f} B"


def _short(text: str, width: int = 88) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _text(report: dict[str, Any]) -> str:
    """The report as aligned lines."""
    lines: list[tuple[str, str]] = []
    names = report["inputs"]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    lines.append(("filter", report["filter"]))
    lines.append(("records", f"{report['records']:,} ({shown})"))

    compiled = report["compile"]
    cached = compiled["cached"]
    lines.append(
        (
            "compile",
            f"cold {_duration(compiled['cold'])}"
            f" · uncached {_duration(compiled['uncached']['median'])}"
            + (f" · cached {_duration(cached['median'])}" if cached else " · not cached")
            + f" · grammar {_duration(compiled['grammar'])} once",
        )
    )

    evaluated = report["evaluate"]
    per_record = evaluated["per_record"]
    passes = evaluated["passes_per_round"]
    lines.append(
        (
            "evaluate",
            f"{_duration(per_record['median'])}/record"
            f" · {_rate(evaluated['records_per_second'])} records/s"
            f" (median of {evaluated['rounds']} rounds of {passes:,}"
            f" {'pass' if passes == 1 else 'passes'}; min {_duration(per_record['min'])})",
        )
    )
    lines.append(
        ("", f"{evaluated['code']} code · first pass {_duration(evaluated['first_pass'])}")
    )

    share = report["matches"] / report["records"] * 100
    errors = f"errors {report['errors']:,}"
    if report["errors_mode"] == "fail":
        errors += " (--errors fail)"
    elif report["errors"]:
        errors += " (skipped; the first is on stderr)"
    lines.append(("matches", f"{report['matches']:,} ({share:.1f}%) · {errors}"))

    memory = report["memory"]
    rss = memory["peak_rss"]
    lines.append(
        (
            "memory",
            f"peak +{_size(memory['tracemalloc_peak'])} during a pass (tracemalloc)"
            + (f" · process peak RSS {_size(rss)} (VmHWM)" if rss is not None else ""),
        )
    )

    compared = report["compare"]
    if compared is not None:
        ratio = compared["ratio"]
        lines.append(("compare", _short(compared["predicate"])))
        lines.append(
            (
                "",
                f"{_duration(compared['per_record']['median'])}/record · bexpr takes "
                + ("n/a" if ratio is None else f"{ratio:.2f}x")
                + " the lambda's time (medians)",
            )
        )
        if compared["difference"]:
            lines.append(("", f"NOT THE SAME FILTER: {compared['difference']}"))
    return "".join(f"{label:<12}{value}".rstrip() + "\n" for label, value in lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bexpr bench`` with ``argv`` (the arguments after ``bench``); returns the exit code."""
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return _bench(args, sys.stdout, sys.stderr)
    except UsageError as err:
        sys.stderr.write(f"bexpr: {err}\n")
        return err.code
    except KeyboardInterrupt:
        sys.stderr.write("\r\x1b[Kbexpr: bench interrupted\n")
        return 130
    except BrokenPipeError:
        # `bexpr bench ... | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return EXIT_OK
