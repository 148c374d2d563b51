"""pytest-benchmark suite: every filter through bexpr and through its
hand-written twin, in the same run, so the ratios compare like with like.

    python3 -m pytest benchmarks --benchmark-group-by=param:case

``benchmarks/compare.py`` prints the ratio table directly.
"""

from __future__ import annotations

from typing import Any

import pytest

import bexpr
from benchmarks.filters import CASES, Case

IDS = [case.name for case in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bexpr_filter(benchmark: Any, case: Case, records: list[Any]) -> None:
    expression = bexpr.compile(case.expression)
    result = benchmark(expression.filter, records)
    assert result == [r for r in records if case.twin(r)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_twin_filter(benchmark: Any, case: Case, records: list[Any]) -> None:
    twin = case.twin
    benchmark(lambda: [r for r in records if twin(r)])


def test_bexpr_filter_dict(benchmark: Any, records_by_id: dict[str, Any]) -> None:
    expression = bexpr.compile(CASES[0].expression)
    result = benchmark(expression.filter, records_by_id)
    assert result == {k: r for k, r in records_by_id.items() if CASES[0].twin(r)}


def test_twin_filter_dict(benchmark: Any, records_by_id: dict[str, Any]) -> None:
    twin = CASES[0].twin
    benchmark(lambda: {k: r for k, r in records_by_id.items() if twin(r)})


COMPILE = 'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"'


def test_compile_three_clauses(benchmark: Any) -> None:
    # bexpr.compile keeps no cache: this is a full parse and compile each time.
    benchmark(bexpr.compile, COMPILE)


def test_evaluate_cached(benchmark: Any, records: list[Any]) -> None:
    # The module-level function looks the compiled expression up in its cache.
    benchmark(bexpr.evaluate, COMPILE, records[0])
