"""bexpr on Parquet files through Polars against the same rows as Python dicts.

Typed Nomad-style jobs (``BEXPR_FRAMES_BENCH_RECORDS``, or
``BEXPR_BENCH_RECORDS``, 10,000,000 by default; CI runs 2,000 with timings
off), generated with numpy and Polars (seeded), a million rows at a time,
each million one Parquet file in a temporary directory. Two filters, each
three ways:

- ``bexpr.polars``: ``bexpr.polars.filter(pl.scan_parquet(files), FILTER)``
  collected with the streaming engine;
- ``hand-written``: the same filter written as a Polars expression by hand,
  on the same scan, streaming;
- ``dicts``: ``pyarrow.parquet.ParquetFile.iter_batches`` read as Python
  dicts (``to_pylist``), a batch at a time, filtered by the compiled
  expression; the time includes the conversion to dicts (the filtering
  alone is in ``extra_info``). Without pyarrow, Polars' ``to_dicts``.

Every way's answer (the IDs kept, in order) is checked against the others.
The peak memory of each is the resident set's high-water mark of a fresh
process that runs it once (``python -m benchmarks.test_frames_scale``):
Polars allocates outside Python, where tracemalloc does not see it. The
last test prints the table docs/performance.md shows.

    python3 -m pytest benchmarks/test_frames_scale.py --benchmark-group-by=param:name
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

import bexpr

pl = pytest.importorskip("polars")
np = pytest.importorskip("numpy")
import bexpr.polars  # noqa: E402

# pyarrow converts to dicts fastest; it is in none of bexpr's extras, so
# without it the dicts come from Polars' own to_dicts().
pq: Any
try:
    pq = importlib.import_module("pyarrow.parquet")
except ImportError:  # pragma: no cover
    pq = None

RECORDS = int(
    os.environ.get("BEXPR_FRAMES_BENCH_RECORDS", os.environ.get("BEXPR_BENCH_RECORDS", "10000000"))
)
# Rows generated (and written to one file) at a time: a million, or a
# quarter of a small count, so that CI reads several files too.
GENERATE = max(1, min(1_000_000, RECORDS // 4))
ROW_GROUP = 250_000
DICT_BATCH = 65_536  # rows converted to dicts at a time
# The Polars ways are timed ROUNDS times (the median is reported); the
# dicts way once at scale, where one pass takes about two minutes.
ROUNDS = 5
DICT_ROUNDS = 1 if RECORDS > 1_000_000 else 3

STATUSES = ["running", "pending", "dead"]
TYPES = ["service", "batch", "system", "sysbatch"]
DATACENTERS = ["dc1", "dc2", "dc3", "eu-west", "us-east"]
GROUPS = ["web", "api", "cache", "worker", "db", "proxy"]
WORDS = ["frontend", "canary", "batch"]
TEAMS = ["web", "data", "ops", "ml", "billing", "search"]
ENVS = ["prod", "staging", "dev"]
OWNERS = ["ana", "bo", "cy"]

SCHEMA = {
    "ID": pl.String,
    "Name": pl.String,
    "Namespace": pl.String,
    "Status": pl.String,
    "Priority": pl.Int64,
    "Type": pl.String,
    "Datacenters": pl.List(pl.String),
    "Meta": pl.Struct({"owner": pl.String, "env": pl.String, "team": pl.String}),
    "Stop": pl.Boolean,
    "Load": pl.Float64,
}


def _pick(values: list[str], index: Any) -> Any:
    return pl.Series(values).gather(index)


def generate(start: int, count: int, rng: Any) -> Any:
    """Rows ``start`` to ``start + count`` as a DataFrame, drawn from ``rng``.

    Meta.env, Status, Name and Datacenters are never null; Meta.owner is null
    in about 70% of the rows (as in benchmarks/dataset.py, where 30% of the
    jobs have an owner) and Meta.team in about 5%.
    """
    number = np.arange(start, start + count, dtype=np.int64)
    # Datacenters: 1 to 3 distinct ones, in a random order.
    order = np.argsort(rng.random((count, len(DATACENTERS))), axis=1)
    frame = pl.DataFrame(
        {
            "number": number,
            "group": _pick(GROUPS, rng.integers(0, len(GROUPS), count)),
            "word": _pick(WORDS, rng.integers(0, len(WORDS), count)),
            "plain": rng.random(count) < 0.5,
            "Namespace": _pick(["default", "default", "platform"], rng.integers(0, 3, count)),
            "Status": _pick(STATUSES, rng.integers(0, len(STATUSES), count)),
            "Priority": np.array([30, 50, 50, 70, 90], dtype=np.int64)[rng.integers(0, 5, count)],
            "Type": _pick(TYPES, rng.integers(0, len(TYPES), count)),
            "dc0": _pick(DATACENTERS, order[:, 0]),
            "dc1": _pick(DATACENTERS, order[:, 1]),
            "dc2": _pick(DATACENTERS, order[:, 2]),
            "dcs": rng.integers(1, 4, count),
            "owner": _pick(OWNERS, rng.integers(0, len(OWNERS), count)),
            "has_owner": rng.random(count) < 0.3,
            "env": _pick(ENVS, rng.integers(0, len(ENVS), count)),
            "team": _pick(TEAMS, rng.integers(0, len(TEAMS), count)),
            "has_team": rng.random(count) >= 0.05,
            "Stop": rng.random(count) < 0.1,
            "Load": rng.random(count),
        }
    )
    number_text = pl.col("number").cast(pl.String)
    return frame.select(
        ID=pl.format("job-{}", number_text.str.zfill(8)),
        # "web-17" matches ^web-[0-9]+$, "web-canary-17" does not.
        Name=pl.when("plain")
        .then(pl.format("{}-{}", "group", number_text))
        .otherwise(pl.format("{}-{}-{}", "group", "word", number_text)),
        Namespace="Namespace",
        Status="Status",
        Priority="Priority",
        Type="Type",
        Datacenters=pl.concat_list("dc0", "dc1", "dc2").list.head(pl.col("dcs")),
        Meta=pl.struct(
            owner=pl.when("has_owner").then("owner"),
            env="env",
            team=pl.when("has_team").then("team"),
        ),
        Stop="Stop",
        Load="Load",
    )


def write_jobs(directory: Path, records: int, seed: int = 42) -> None:
    """``records`` jobs in Parquet files in ``directory``, ``GENERATE`` rows
    a file, in row groups of ``ROW_GROUP``."""
    rng = np.random.default_rng(seed)
    for part, start in enumerate(range(0, records, GENERATE)):
        frame = generate(start, min(GENERATE, records - start), rng)
        frame.write_parquet(
            directory / f"jobs-{part:05d}.parquet", compression="zstd", row_group_size=ROW_GROUP
        )


def files(directory: Path) -> list[Path]:
    """The Parquet files, in the order of their rows."""
    return sorted(directory.glob("jobs-*.parquet"))


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    errors: Literal["fail", "skip"]
    hand: Callable[[], Any]  # the hand-written Polars predicate


def _meta(field: str) -> Any:
    return pl.col("Meta").struct.field(field)


CASES = [
    # No row reaches a null: exact in fail mode (the reference's default).
    Case(
        "no-nulls",
        'Meta.env == "prod" and "dc2" in Datacenters and Status != "dead"'
        ' and Name matches "^web-[0-9]+$"',
        "fail",
        lambda: (
            (_meta("env") == "prod")
            & pl.col("Datacenters").list.contains("dc2")
            & (pl.col("Status") != "dead")
            & pl.col("Name").str.contains("^web-[0-9]+$")
        ),
    ),
    # Meta.owner is null in 70% of the rows: a prod job without an owner is
    # an error to the reference, so this runs with errors="skip" (which
    # drops those rows: a Polars filter drops a null too). bexpr.polars
    # hands each such row to the Python evaluator.
    Case(
        "nulls-skip",
        'Meta.env == "prod" and Meta.owner == "cy" and "dc2" in Datacenters and Status != "dead"',
        "skip",
        lambda: (
            (_meta("env") == "prod")
            & (_meta("owner") == "cy")
            & pl.col("Datacenters").list.contains("dc2")
            & (pl.col("Status") != "dead")
        ),
    ),
]
BY_NAME = {case.name: case for case in CASES}
IDS = [case.name for case in CASES]


# -- the three ways; each returns its answer and how long the filtering alone took --


def with_bexpr_polars(directory: Path, case: Case) -> tuple[list[str], float]:
    frame = bexpr.polars.filter(pl.scan_parquet(files(directory)), case.text, errors=case.errors)
    return frame.collect(engine="streaming")["ID"].to_list(), 0.0


def hand_written(directory: Path, case: Case) -> tuple[list[str], float]:
    frame = pl.scan_parquet(files(directory)).filter(case.hand())
    return frame.collect(engine="streaming")["ID"].to_list(), 0.0


def dict_batches(directory: Path) -> Iterator[list[dict[str, Any]]]:
    """The rows as dicts, ``DICT_BATCH`` at a time: pyarrow's ``to_pylist``
    (1.5-2x faster than Polars' ``to_dicts``, which gives the same dicts)."""
    for file in files(directory):
        if pq is not None:
            for batch in pq.ParquetFile(file).iter_batches(batch_size=DICT_BATCH):
                yield batch.to_pylist()
        else:  # pragma: no cover
            for chunk in pl.read_parquet(file).iter_slices(DICT_BATCH):
                yield chunk.to_dicts()


def as_dicts(directory: Path, case: Case) -> tuple[list[str], float]:
    expression = bexpr.compile(case.text)
    kept: list[dict[str, Any]] = []
    filtering = 0.0
    for rows in dict_batches(directory):
        started = time.perf_counter()
        kept.extend(expression.filter(rows, errors=case.errors))
        filtering += time.perf_counter() - started
    return [row["ID"] for row in kept], filtering


WAYS: dict[str, Callable[[Path, Case], tuple[list[str], float]]] = {
    "bexpr.polars": with_bexpr_polars,
    "hand-written": hand_written,
    "dicts": as_dicts,
}


def peak_rss(directory: Path, way: str, case: Case) -> dict[str, Any]:
    """One run of ``way`` in a fresh process: its RSS high-water mark, and
    the one it had before (after its imports)."""
    command = [sys.executable, "-m", "benchmarks.test_frames_scale", way, case.name, str(directory)]
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(command, cwd=root, check=True, capture_output=True, text=True).stdout
    report: dict[str, Any] = json.loads(out.splitlines()[-1])
    return report


def _high_water_mib() -> float:
    """This process's peak resident set, from /proc (Linux): ``ru_maxrss``
    would not do, since Linux carries the parent's peak across fork and exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB (bytes on macOS)


def main(argv: list[str]) -> None:
    way, name, directory = argv
    baseline = _high_water_mib()
    ids, _ = WAYS[way](Path(directory), BY_NAME[name])
    print(
        json.dumps({"peak_rss_mib": _high_water_mib(), "baseline_mib": baseline, "rows": len(ids)})
    )


# -- the benchmarks -------------------------------------------------------------------


@pytest.fixture(scope="module")
def parquet() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="bexpr-frames-bench-"))
    write_jobs(directory, RECORDS)
    yield directory
    shutil.rmtree(directory)


@dataclass
class Result:
    ids: list[str]
    seconds: list[float]
    filtering: list[float]
    memory: dict[str, Any]


_results: dict[tuple[str, str], Result] = {}


def run(benchmark: Any, directory: Path, case: Case, way: str, rounds: int) -> Result:
    seconds: list[float] = []
    filtering: list[float] = []
    answers: list[list[str]] = []

    def once() -> None:
        started = time.perf_counter()
        ids, alone = WAYS[way](directory, case)
        seconds.append(time.perf_counter() - started)
        filtering.append(alone)
        answers.append(ids)

    def collect_garbage() -> None:
        gc.collect()

    benchmark.pedantic(once, rounds=rounds, iterations=1, setup=collect_garbage)
    assert all(ids == answers[0] for ids in answers)
    memory = peak_rss(directory, way, case)
    assert memory["rows"] == len(answers[0])
    result = Result(answers[0], seconds, filtering, memory)
    _results[(case.name, way)] = result
    benchmark.extra_info.update(
        filter=case.text,
        errors=case.errors,
        rows=RECORDS,
        matches=len(result.ids),
        median_s=statistics.median(seconds),
        peak_rss_mib=memory["peak_rss_mib"],
        baseline_rss_mib=memory["baseline_mib"],
    )
    if way == "dicts":
        benchmark.extra_info["filtering_alone_s"] = statistics.median(filtering)
    return result


def expected(directory: Path, case: Case) -> list[str]:
    """The hand-written answer (cheap): what every way must agree with."""
    if (case.name, "hand-written") not in _results:
        return hand_written(directory, case)[0]
    return _results[(case.name, "hand-written")].ids


def ratio(case: Case, slower: str, faster: str) -> float | None:
    if (case.name, slower) not in _results or (case.name, faster) not in _results:
        return None
    return statistics.median(_results[(case.name, slower)].seconds) / statistics.median(
        _results[(case.name, faster)].seconds
    )


@pytest.mark.parametrize("name", IDS)
def test_bexpr_polars_streaming(benchmark: Any, parquet: Path, name: str) -> None:
    case = BY_NAME[name]
    result = run(benchmark, parquet, case, "bexpr.polars", ROUNDS)
    assert result.ids == expected(parquet, case)
    assert result.ids, "the filter keeps some rows"


@pytest.mark.parametrize("name", IDS)
def test_hand_written_polars_streaming(benchmark: Any, parquet: Path, name: str) -> None:
    case = BY_NAME[name]
    result = run(benchmark, parquet, case, "hand-written", ROUNDS)
    assert result.ids
    if (versus := ratio(case, "bexpr.polars", "hand-written")) is not None:
        benchmark.extra_info["bexpr.polars / hand-written"] = versus


@pytest.mark.parametrize("name", IDS)
def test_dicts_in_python(benchmark: Any, parquet: Path, name: str) -> None:
    case = BY_NAME[name]
    result = run(benchmark, parquet, case, "dicts", DICT_ROUNDS)
    assert result.ids == expected(parquet, case)
    if (versus := ratio(case, "dicts", "bexpr.polars")) is not None:
        benchmark.extra_info["dicts / bexpr.polars"] = versus


def test_nulls_fail_in_fail_mode(parquet: Path) -> None:
    """Why the second filter runs with errors="skip": in fail mode a prod job
    without an owner is an error, as it is to the reference."""
    case = BY_NAME["nulls-skip"]
    head = pl.scan_parquet(files(parquet)).head(1000)
    with pytest.raises(bexpr.EvaluationError):
        bexpr.polars.filter(head, case.text).collect(engine="streaming")
    with pytest.raises(bexpr.EvaluationError):
        bexpr.filter(case.text, head.collect().to_dicts())


def test_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The table (run last): medians, ratios and peak RSS of the ways measured."""
    lines = [
        f"{RECORDS:,} rows; medians; peak RSS of a fresh process running the way once",
        "| filter | way | rounds | median | ratio | peak RSS (baseline) | matches |",
        "|---|---|---|---|---|---|---|",
    ]
    for case in CASES:
        for way in WAYS:
            if (case.name, way) not in _results:
                continue
            result = _results[(case.name, way)]
            versus = {
                "bexpr.polars": ratio(case, "bexpr.polars", "hand-written"),
                "dicts": ratio(case, "dicts", "bexpr.polars"),
            }.get(way)
            time_text = f"{statistics.median(result.seconds):.2f} s"
            if way == "dicts":
                time_text += f" ({statistics.median(result.filtering):.2f} s filtering)"
            memory = result.memory
            lines.append(
                f"| {case.name} | {way} | {len(result.seconds)} | {time_text} | "
                + ("" if versus is None else f"{versus:.2f}x")
                + f" | {memory['peak_rss_mib']:,.0f} MiB ({memory['baseline_mib']:,.0f} MiB)"
                + f" | {len(result.ids):,} |"
            )
    with capsys.disabled():
        print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
