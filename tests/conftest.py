"""Shared fixtures: a real PostgreSQL server for the SQL tests.

``.ci/run`` starts one and sets ``BEXPR_POSTGRES_URL``; without it, the
session starts its own with ``.ci/postgres.sh`` (on loopback, as ``nobody``
when run as root). The tests that need it are skipped only when the machine
has no PostgreSQL server binaries at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "postgres.sh"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    url = os.environ.get("BEXPR_POSTGRES_URL")
    if url:
        yield url
        return
    directory = tempfile.mkdtemp(prefix="bexpr-pg-")
    started = subprocess.run(
        ["bash", str(SCRIPT), "start", directory], capture_output=True, text=True
    )
    if started.returncode == 3:
        pytest.skip("no PostgreSQL server binaries on this machine")
    if started.returncode != 0:
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}")
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", directory], capture_output=True)
        shutil.rmtree(directory, ignore_errors=True)
