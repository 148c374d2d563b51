"""The bexpr command, run for real in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "jobs.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bexpr", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_filters_the_bundled_example() -> None:
    result = run('Datacenters contains "dc2" and Meta.env == "prod"', str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert [job["ID"] for job in json.loads(result.stdout)] == [
        "countdash",
        "web-frontend",
        "log-shipper",
    ]


def test_reads_stdin_and_keeps_object_shape() -> None:
    result = run("n == 1", stdin='{"a": {"n": 1}, "b": {"n": 2}}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"a": {"n": 1}}


def test_invalid_filter_exits_2_with_a_caret() -> None:
    result = run("Name ==", str(EXAMPLE))
    assert result.returncode == 2
    assert "expected a value after '=='" in result.stderr
    assert "^" in result.stderr


def test_evaluation_error_exits_1() -> None:
    result = run("Missing == 1", str(EXAMPLE))
    assert result.returncode == 1
    assert "Missing" in result.stderr


def test_bad_json_exits_3() -> None:
    assert run("a == 1", stdin="{not json").returncode == 3
    assert run("a == 1", stdin="5").returncode == 3
