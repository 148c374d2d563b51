"""The examples in README.md and docs/ run and hold.

- ```python blocks are executed (each block on its own).
- ```console blocks are shell sessions: each `$ command` runs in bash from
  the repository root, with `bexpr` meaning this checkout's command; what it
  prints (stdout and stderr together) must be the lines that follow, and a
  non-zero exit status is shown as `[exit N]`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(python|console)\n(.*?)^```", re.S | re.M)


def _examples(kind: str) -> list[object]:
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        for m in BLOCK.finditer(text):
            if m.group(1) == kind:
                line = text[: m.start()].count("\n") + 1
                found.append(pytest.param(m.group(2), id=f"{path.name}:{line}"))
    return found


PYTHON = _examples("python")
CONSOLE = _examples("console")


def test_there_are_examples() -> None:
    assert len(PYTHON) >= 20
    assert len(CONSOLE) >= 3


@pytest.mark.parametrize("code", PYTHON)
def test_python_example(code: str) -> None:
    if "pyspark" in code and os.environ.get("BEXPR_REQUIRE_SPARK") != "1":
        # CI requires Spark (.ci/run); elsewhere Java may be missing.
        pytest.importorskip("pyspark")
        if shutil.which("java") is None:
            pytest.skip("Spark needs Java")
    # The examples are our own documentation, not user input.
    module = types.ModuleType("__doc_example__")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        exec(compile(code, "<doc example>", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]


def _sessions(block: str) -> list[tuple[str, list[str]]]:
    sessions: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        else:
            sessions[-1][1].append(line)
    return sessions


@pytest.mark.parametrize("block", CONSOLE)
def test_console_example(block: str) -> None:
    for command, expected in _sessions(block):
        shell = f'bexpr() {{ "{sys.executable}" -m bexpr "$@"; }}\n{command}'
        result = subprocess.run(
            ["bash", "-c", shell],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        output = (result.stderr + result.stdout).splitlines()
        if result.returncode:
            output.append(f"[exit {result.returncode}]")
        assert output == expected, command
