"""The examples in README.md and docs/ (every page, docs/reference/ too) run and hold.

- ```python blocks are executed (each block on its own).
- A block indented inside a tab (``=== "Python"``) or an admonition
  (``!!! note``) runs too, dedented: its fences are indented alike.
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
DOCS = ROOT / "docs"
FILES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
# A fence at the start of a line, or indented (in a tab or an admonition):
# its closing fence has the same indentation.
BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<kind>python|console)\n(?P<body>.*?)^(?P=indent)```", re.S | re.M
)


def _dedent(body: str, indent: str) -> str:
    lines = body.splitlines(keepends=True)
    assert all(line.startswith(indent) or not line.strip() for line in lines), body
    return "".join(line[len(indent) :] for line in lines)


def _examples(kind: str) -> list[object]:
    found = []
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(DOCS).as_posix() if path.is_relative_to(DOCS) else path.name
        for m in BLOCK.finditer(text):
            if m["kind"] == kind:
                line = text[: m.start()].count("\n") + 1
                code = _dedent(m["body"], m["indent"])
                found.append(pytest.param(code, id=f"{name}:{line}"))
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


def test_reference_documents_every_public_name() -> None:
    # docs/reference/bexpr.md groups the top-level names by topic, by hand:
    # a name added to bexpr.__all__ must get its `::: bexpr.NAME` there.
    # (The modules in __all__ have pages of their own.)
    import importlib.util

    import bexpr

    names = {name for name in bexpr.__all__ if importlib.util.find_spec(f"bexpr.{name}") is None}
    text = (DOCS / "reference" / "bexpr.md").read_text(encoding="utf-8")
    documented = re.findall(r"^::: bexpr\.(\w+)$", text, re.M)
    assert sorted(documented) == sorted(names)
