"""The fused fast paths give the general path's answers on the edges they skip."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

import pytest

import bexpr
from bexpr.evaluation.interpreter import interpret
from bexpr.evaluation.operations import literal_search
from bexpr.go import re2


@pytest.mark.parametrize(
    "pattern", ["^web-", "-canary$", "abc", "^abc$", "^", "$", "^$", "", "a-b", "a.b", r"\.x"]
)
@pytest.mark.parametrize("text", ["web-a", "x-canary", "xabcx", "abc", "", "a.b", "axb", ".x"])
def test_literal_patterns_agree_with_the_regex(pattern: str, text: str) -> None:
    expected = re2.compile(pattern).search(text) is not None
    for search in (
        literal_search(pattern, translated=False),
        literal_search(re2.translate(pattern)),
    ):
        if search is not None:
            assert search(text) is expected


VALUES: list[Any] = [
    "80",
    80,
    2**63,
    -(2**63) - 1,
    80.0,
    True,
    None,
    [],
    {},
    ["80", None],
    [None, "80"],
    [80],
    ["x", 1.5, True],
    OrderedDict(a=1),
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize(
    "text",
    [
        "v == 80",
        "v != 80",
        'v == "80"',
        "v == 9223372036854775808",
        "v == true",
        "not v == 80",
        '"80" in v',
        '"x" not in v',
        'v matches "^8"',
        "v.a == 1",
        "m.v == 80",
        "m.v.w == 80",
        'any L as x { x == "80" }',
        'all L as x { not x contains "8" }',
    ],
)
def test_fast_and_general_paths_agree(value: Any, text: str) -> None:
    datum = {"v": value, "m": {"v": value}, "L": [value, "80"]}
    tree = bexpr.parse(text)

    def run(f: Any) -> object:
        try:
            return f()
        except bexpr.EvaluationError:
            return "error"

    assert run(lambda: bexpr.compile(text)(datum)) == run(lambda: interpret(tree, datum))


def test_dict_subclasses_are_not_mutated() -> None:
    data: defaultdict[str, Any] = defaultdict(lambda: "created")
    data["a"] = 1
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("b == 1", data)
    assert "b" not in data


@pytest.mark.parametrize("pattern", ['"\\xff"', '"a\\xff"', '"^\\xc3"'])
def test_patterns_with_bytes_that_are_not_utf8_are_invalid(pattern: str) -> None:
    # Go's regexp rejects them ("invalid UTF-8"); the literal shortcut must not
    # turn them into plain text searches.
    with pytest.raises(bexpr.EvaluationError, match="invalid UTF-8"):
        bexpr.evaluate(f"s matches {pattern}", {"s": "abc"})
