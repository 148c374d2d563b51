"""The Python examples in README.md and docs/ run and hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

EXAMPLES = [
    pytest.param(code, id=f"{path.name}:{text[: m.start()].count(chr(10)) + 1}")
    for path in FILES
    for text in [path.read_text(encoding="utf-8")]
    for m in BLOCK.finditer(text)
    for code in [m.group(1)]
]


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code: str) -> None:
    # The examples are our own documentation, not user input.
    exec(compile(code, "<doc example>", "exec"), {"__name__": "__doc_example__"})
