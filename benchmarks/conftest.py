"""Shared fixtures for the benchmark suite (see docs/performance.md)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from benchmarks.dataset import jobs

RECORDS = int(os.environ.get("BEXPR_BENCH_RECORDS", "100000"))


@pytest.fixture(scope="session")
def records() -> list[dict[str, Any]]:
    return jobs(RECORDS)


@pytest.fixture(scope="session")
def records_by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["ID"]: record for record in records}
