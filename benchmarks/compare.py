"""Print the ratio table: each filter through bexpr (and, optionally, other
Python filter libraries) against its hand-written twin, measured in one run.

    python3 benchmarks/compare.py                 # bexpr vs hand-written
    python3 benchmarks/compare.py --others        # + jmespath, simpleeval, rule-engine
    python3 benchmarks/compare.py --memory        # + memory of 10,000 compiled filters
    python3 benchmarks/compare.py --others --json docs/data/compare.json   # + the results as JSON

The JSON file holds each filter's times (the input of benchmarks/charts.py,
which draws docs/img/ from it).

Each number is the best of ``--repeat`` runs over the whole dataset (the
minimum is the least disturbed by a noisy machine); ratios divide by the
twin's time from the same run. Install the other libraries with
``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bexpr
from benchmarks.dataset import jobs
from benchmarks.filters import CASES, Case
from bexpr.evaluation import codegen


def best_of(run: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def other_runners(case: Case) -> dict[str, Callable[[list[Any]], Any]]:
    runners: dict[str, Callable[[list[Any]], Any]] = {}
    try:
        import jmespath

        if case.jmespath:
            compiled = jmespath.compile(case.jmespath)
            runners["jmespath"] = compiled.search
    except ImportError:
        pass
    try:
        from simpleeval import SimpleEval

        if case.simpleeval:
            evaluator = SimpleEval()
            parsed = evaluator.parse(case.simpleeval)

            def simple(records: list[Any]) -> list[Any]:
                out = []
                for record in records:
                    evaluator.names = {"r": record}
                    if evaluator.eval(case.simpleeval, previously_parsed=parsed):
                        out.append(record)
                return out

            runners["simpleeval"] = simple
    except ImportError:
        pass
    try:
        import rule_engine

        if case.rule_engine:
            rule = rule_engine.Rule(case.rule_engine)
            runners["rule-engine"] = lambda records: list(rule.filter(records))
    except ImportError:
        pass
    return runners


def machine_note() -> str:
    """Cores, processor and system of this machine, e.g. '2 cores, AMD EPYC 7B13, Linux'."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    model = model or platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores, {model}, {platform.system()}"


def results_json(
    rows: list[tuple[str, str, float, float, float, dict[str, float]]],
    skipped: dict[str, dict[str, str]],
    args: argparse.Namespace,
    count: int,
    extra: dict[str, float],
) -> dict[str, Any]:
    """The run as data: times in milliseconds (to 0.1 µs), ns per record, the compile times."""
    filters = []
    for name, expression, t_twin, t_bexpr, t_closures, others in rows:
        filters.append(
            {
                "name": name,
                "expression": expression,
                "input": "dict" if name == "dict_of_jobs" else "list",
                "hand_written_ms": round(t_twin * 1e3, 4),
                "bexpr_ms": round(t_bexpr * 1e3, 4),
                "closures_ms": round(t_closures * 1e3, 4),
                "ns_per_record": round(t_bexpr / count * 1e9, 1),
                "others_ms": {other: round(t * 1e3, 4) for other, t in others.items()},
                "others_skipped": skipped.get(name, {}),
            }
        )
    return {
        "source": "benchmarks/compare.py",
        "command": "python3 benchmarks/compare.py " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "python": sys.version.split()[0],
        "machine": args.machine or machine_note(),
        "records": count,
        "repeat": args.repeat,
        "others_repeat": max(1, args.repeat // 2),
        "unit": "ms: the best of the repeats over all the records",
        "filters": filters,
        "compile_us": {key: round(value, 1) for key, value in extra.items()},
    }


def memory_of_compiled(count: int, generated: bool = False) -> int:
    """Bytes held by ``count`` distinct compiled filters (tracemalloc), with
    or without their generated tier built."""
    texts = [
        f'Meta["env"] == "prod" and Priority == {i} or Name == "job-{i}"' for i in range(count)
    ]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = [bexpr.compile(text, codegen=True if generated else None) for text in texts]
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(kept) == count
    return after - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--others", action="store_true", help="also time other libraries")
    parser.add_argument("--memory", action="store_true", help="measure 10,000 compiled filters")
    parser.add_argument(
        "--json", metavar="FILE", type=Path, help="also write the results to FILE as JSON"
    )
    parser.add_argument(
        "--machine", metavar="NOTE", help="the machine, for the JSON (default: cores and CPU)"
    )
    args = parser.parse_args()

    records = jobs(args.records)
    by_id = {record["ID"]: record for record in records}
    count = len(records)
    print(f"{count:,} records, best of {args.repeat}, Python {sys.version.split()[0]}")
    print(
        "bexpr: the generated tier (the default for a list this size); closures: the same"
        " filter with codegen=False"
    )
    header = (
        f"{'filter':<14}{'hand-written':>14}{'bexpr':>10}{'ratio':>8}{'ns/rec':>8}"
        f"{'closures':>10}{'ratio':>8}"
    )
    others_seen: list[str] = []
    rows = []
    timed: list[tuple[str, str, float, float, float, dict[str, float]]] = []
    skipped: dict[str, dict[str, str]] = {}
    ratios: list[float] = []
    closure_ratios: list[float] = []
    for case in CASES:
        twin = case.twin
        expression = bexpr.compile(case.expression)
        closures = bexpr.compile(case.expression, codegen=False)
        expected = [r for r in records if twin(r)]
        assert expression.filter(records) == expected, case.name
        assert closures.filter(records) == expected, case.name
        t_twin = best_of(lambda: [r for r in records if twin(r)], args.repeat)  # noqa: B023
        t_bexpr = best_of(lambda: expression.filter(records), args.repeat)  # noqa: B023
        t_closures = best_of(lambda: closures.filter(records), args.repeat)  # noqa: B023
        ratios.append(t_bexpr / t_twin)
        closure_ratios.append(t_closures / t_twin)
        cells = {}
        other_times: dict[str, float] = {}
        if args.others:
            for name, run in other_runners(case).items():
                if name not in others_seen:
                    others_seen.append(name)
                try:
                    if list(run(records)) != expected:
                        # not the same filter: leave the cell empty
                        skipped.setdefault(case.name, {})[name] = "different answers"
                        continue
                except Exception as err:  # another library's failure is only reported
                    print(f"  {name} on {case.name}: {type(err).__name__}", file=sys.stderr)
                    skipped.setdefault(case.name, {})[name] = type(err).__name__
                    continue
                t_other = best_of(lambda: run(records), max(1, args.repeat // 2))  # noqa: B023
                cells[name] = t_other / t_twin
                other_times[name] = t_other
        rows.append((case.name, t_twin, t_bexpr, t_closures, cells))
        timed.append((case.name, case.expression, t_twin, t_bexpr, t_closures, other_times))

    dict_case = CASES[0]
    dict_twin = dict_case.twin
    dict_expr = bexpr.compile(dict_case.expression)
    dict_closures = bexpr.compile(dict_case.expression, codegen=False)
    t_twin = best_of(lambda: {k: r for k, r in by_id.items() if dict_twin(r)}, args.repeat)
    t_bexpr = best_of(lambda: dict_expr.filter(by_id), args.repeat)
    t_closures = best_of(lambda: dict_closures.filter(by_id), args.repeat)
    ratios.append(t_bexpr / t_twin)
    closure_ratios.append(t_closures / t_twin)
    rows.append(("dict_of_jobs", t_twin, t_bexpr, t_closures, {}))
    timed.append(("dict_of_jobs", dict_case.expression, t_twin, t_bexpr, t_closures, {}))

    print(header + "".join(f"{name:>13}" for name in others_seen))
    for name, t_twin, t_bexpr, t_closures, cells in rows:
        line = (
            f"{name:<14}{t_twin * 1e3:>11.1f} ms{t_bexpr * 1e3:>7.1f} ms{t_bexpr / t_twin:>7.2f}x"
            f"{t_bexpr / count * 1e9:>8.0f}{t_closures * 1e3:>7.1f} ms{t_closures / t_twin:>7.2f}x"
        )
        line += "".join(f"{cells[o]:>12.1f}x" if o in cells else f"{'-':>13}" for o in others_seen)
        print(line)
    print(
        f"bexpr / hand-written: median {statistics.median(ratios):.2f}x, worst {max(ratios):.2f}x"
        f" (closures: median {statistics.median(closure_ratios):.2f}x,"
        f" worst {max(closure_ratios):.2f}x)"
    )

    text = 'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"'
    bexpr.compile(text)  # warm the regex cache once, as a server would
    t_compile = best_of(lambda: bexpr.compile(text), 200)
    print(f"compile, 3 clauses: {t_compile * 1e6:.0f} us (parse + compile, no expression cache)")

    # A shape never seen before pays for Python's compile() of its source
    # once; emptying the cache of compiled shapes makes every compile a first.
    def cold() -> None:
        codegen._compiled.cache_clear()
        bexpr.compile(text, codegen=True)

    t_cold = best_of(cold, 50)
    t_warm = best_of(lambda: bexpr.compile(text, codegen=True), 200)
    print(
        f"compile with the generated tier: {t_warm * 1e6:.0f} us for a known shape,"
        f" {t_cold * 1e6:.0f} us for a new one"
    )
    t_cached = best_of(lambda: bexpr.evaluate(text, records[0]), 200)
    print(f"bexpr.evaluate with the expression cache: {t_cached * 1e6:.1f} us per call")
    memory: dict[str, int] = {}
    if args.memory:
        size = memory_of_compiled(10_000)
        print(f"10,000 distinct compiled filters: {size / 1e6:.1f} MB ({size / 10_000:.0f} B each)")
        memory["compiled_10000"] = size
        size = memory_of_compiled(10_000, generated=True)
        print(
            f"the same, each with its generated tier: {size / 1e6:.1f} MB ({size / 10_000:.0f} B"
            " each)"
        )
        memory["compiled_10000_generated"] = size
    if args.json:
        extra = {
            "compile": t_compile * 1e6,
            "compile_generated_known_shape": t_warm * 1e6,
            "compile_generated_new_shape": t_cold * 1e6,
            "evaluate_cached": t_cached * 1e6,
        }
        data = results_json(timed, skipped, args, count, extra)
        if memory:
            data["memory_bytes"] = memory
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
