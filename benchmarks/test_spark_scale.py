"""bexpr on Parquet files through Spark (local[2]) against a hand-written
Spark filter and the same rows as Python dicts.

The jobs of benchmarks/test_frames_scale.py (the same generator and
filters), ``BEXPR_SPARK_BENCH_RECORDS`` of them (or ``BEXPR_BENCH_RECORDS``;
1,000,000 by default; CI runs 2,000 with timings off), read by
``spark.read.parquet``. Three ways, each collecting the IDs kept:

- ``bexpr.spark``: ``bexpr.spark.filter(df, FILTER, errors=...)``;
- ``hand-written``: the same filter as Spark columns, written by hand
  (``rlike`` for the pattern: Java's regex engine, which bexpr avoids);
- ``dicts``: ``bexpr``'s compiled filter over the rows as Python dicts
  (pyarrow's ``to_pylist``, conversion included).

Every answer is checked against the others (the IDs in order between the
Spark ways; as sets against the dicts, since Spark reads the largest file
first), and the
physical plan of ``bexpr.spark`` is printed with its ``PushedFilters``.

    python3 -m pytest benchmarks/test_spark_scale.py -p no:cacheprovider -s
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pyspark = pytest.importorskip("pyspark")
if shutil.which("java") is None:  # pragma: no cover
    pytest.skip("Spark needs Java", allow_module_level=True)

from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

import bexpr.spark  # noqa: E402
from benchmarks.test_frames_scale import BY_NAME, IDS, Case, as_dicts, write_jobs  # noqa: E402

RECORDS = int(
    os.environ.get("BEXPR_SPARK_BENCH_RECORDS", os.environ.get("BEXPR_BENCH_RECORDS", "1000000"))
)
ROUNDS = 3

HAND: dict[str, Callable[[], Any]] = {
    "no-nulls": lambda: (
        (F.col("Meta.env") == "prod")
        & F.array_contains("Datacenters", "dc2")
        & (F.col("Status") != "dead")
        & F.col("Name").rlike("^web-[0-9]+$")
    ),
    "nulls-skip": lambda: (
        (F.col("Meta.env") == "prod")
        & (F.col("Meta.owner") == "cy")
        & F.array_contains("Datacenters", "dc2")
        & (F.col("Status") != "dead")
    ),
}


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = (
        SparkSession.builder.master("local[2]")
        .appName("bexpr-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def parquet() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="bexpr-spark-bench-"))
    write_jobs(directory, RECORDS)
    yield directory
    shutil.rmtree(directory)


def jobs(spark: SparkSession, directory: Path) -> DataFrame:
    return spark.read.parquet(*sorted(str(p) for p in directory.glob("jobs-*.parquet")))


def ids(df: DataFrame) -> list[str]:
    return [row.ID for row in df.select("ID").collect()]


_results: dict[tuple[str, str], tuple[list[str], list[float]]] = {}
_plans: dict[str, str] = {}


def run(benchmark: Any, name: str, way: str, work: Callable[[], list[str]]) -> list[str]:
    seconds: list[float] = []
    answers: list[list[str]] = []

    def once() -> None:
        started = time.perf_counter()
        answers.append(work())
        seconds.append(time.perf_counter() - started)

    benchmark.pedantic(once, rounds=ROUNDS if way != "dicts" else 1, iterations=1)
    assert all(answer == answers[0] for answer in answers)
    _results[(name, way)] = (answers[0], seconds)
    benchmark.extra_info.update(
        rows=RECORDS, matches=len(answers[0]), median_s=statistics.median(seconds)
    )
    return answers[0]


@pytest.mark.parametrize("name", IDS)
def test_bexpr_spark(benchmark: Any, spark: SparkSession, parquet: Path, name: str) -> None:
    case: Case = BY_NAME[name]
    filtered = bexpr.spark.filter(jobs(spark, parquet), case.text, errors=case.errors)
    plan = filtered._jdf.queryExecution().executedPlan().toString()
    _plans[name] = next(
        (line.strip() for line in plan.splitlines() if "PushedFilters" in line), plan
    )
    assert "PushedFilters: [" in plan and "EqualTo(Meta.env,prod)" in plan, plan
    found = run(
        benchmark,
        name,
        "bexpr.spark",
        lambda: ids(bexpr.spark.filter(jobs(spark, parquet), case.text, errors=case.errors)),
    )
    assert found


@pytest.mark.parametrize("name", IDS)
def test_hand_written_spark(benchmark: Any, spark: SparkSession, parquet: Path, name: str) -> None:
    found = run(
        benchmark, name, "hand-written", lambda: ids(jobs(spark, parquet).filter(HAND[name]()))
    )
    if (name, "bexpr.spark") in _results:
        assert found == _results[(name, "bexpr.spark")][0]


@pytest.mark.parametrize("name", IDS)
def test_dicts_in_python(benchmark: Any, parquet: Path, name: str) -> None:
    found = run(benchmark, name, "dicts", lambda: as_dicts(parquet, BY_NAME[name])[0])
    if (name, "bexpr.spark") in _results:
        # Spark reads the files largest first, not in their order: compare sets.
        assert sorted(found) == sorted(_results[(name, "bexpr.spark")][0])


def test_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The table (run last): medians and ratios, and what reached the scan."""
    lines = [
        f"{RECORDS:,} rows, Spark local[2]; medians",
        "| filter | way | median | ratio to hand-written | matches |",
        "|---|---|---|---|---|",
    ]
    for name in IDS:
        hand = _results.get((name, "hand-written"))
        for way in ("bexpr.spark", "hand-written", "dicts"):
            if (name, way) not in _results:
                continue
            found, seconds = _results[(name, way)]
            median = statistics.median(seconds)
            versus = "" if hand is None else f"{median / statistics.median(hand[1]):.2f}x"
            lines.append(f"| {name} | {way} | {median:.2f} s | {versus} | {len(found):,} |")
    for name, plan in _plans.items():
        lines.append(f"{name}: {plan[plan.find('PushedFilters') :][:300]}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
