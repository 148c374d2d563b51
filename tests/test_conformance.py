"""The conformance cases recorded from the reference (tests/data/README.md).

A case passes on its outcome class; for filter cases the filtered data must
match too. Error wording is never compared. Cases marked ambiguous accept
either of the reference's answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import bexpr


def _cases(name: str) -> list[dict[str, Any]]:
    text = (Path(__file__).parent / "data" / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


PUBLIC = _cases("conformance_public.jsonl")
# Disagreements found by differential testing against the reference, with
# the reference's answers (tests/data/README.md).
DIFFERENTIAL = _cases("differential.jsonl")
CASES = PUBLIC + DIFFERENTIAL
# The public cases that evaluate one record: what an engine's translation is
# compared on (tests/test_sql.py, test_polars.py, test_spark.py).
EVALUATING = [c for c in PUBLIC if not c["filter"] and c["expect"] != "parse_error"]


def outcome(case: dict[str, Any], codegen: bool) -> tuple[str, Any]:
    options = dict(case.get("opts") or {})
    options["codegen"] = codegen
    try:
        if case["filter"]:
            return "filtered", bexpr.filter(case["expr"], case["data"], **options)
        expression = bexpr.compile(case["expr"], **options)
    except bexpr.ParseError:
        return "parse_error", None
    except bexpr.EvaluationError:
        return "eval_error", None
    try:
        return ("true" if expression.evaluate(case["data"]) else "false"), None
    except bexpr.EvaluationError:
        return "eval_error", None


def test_corpus_is_complete() -> None:
    assert len(PUBLIC) == 437
    assert DIFFERENTIAL


@pytest.mark.parametrize("codegen", [False, True], ids=["closures", "generated"])
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case: dict[str, Any], codegen: bool) -> None:
    # Every case runs on the compiled closures and on the generated tier.
    got, filtered = outcome(case, codegen)
    expected = {case["expect"]}
    if case["expect"] == "panic":
        # The reference crashed; we raise EvaluationError instead.
        expected = {"eval_error"}
    if case.get("ambiguous") and "alt_expect" in case:
        expected.add(case["alt_expect"])
    if case["filter"] and case["expect"] == "filtered":
        assert got == "filtered"
        assert filtered == case["filtered"]
    else:
        assert got in expected, f"{case['expr']!r}: got {got}, expected {expected}"
