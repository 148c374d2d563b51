"""Coverage-guided fuzzing of bexpr with atheris (long runs, not in CI).

Each input is split into an expression and a JSON datum; the harness
compiles, evaluates and filters, and fails on any exception that is not a
bexpr.BexprError (and on parse errors whose position is outside the text).
See fuzz/README.md.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import atheris

with atheris.instrument_imports():
    import bexpr


def _datum(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {"a": 1, "L": [1, "x", None], "m": {"k": "v"}, "s": raw.decode("latin-1")}


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    text = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 512))
    datum = _datum(provider.ConsumeBytes(provider.remaining_bytes()))
    try:
        expression = bexpr.compile(text, regex_timeout=0.05, max_steps=10_000)
    except bexpr.ParseError as err:
        if not 0 <= err.offset <= len(text):
            raise AssertionError(f"offset {err.offset} outside {text!r}") from err
        str(err)
        return
    generated = bexpr.compile(text, regex_timeout=0.05, max_steps=10_000, codegen=True)
    outcomes = []
    for run in (
        lambda: expression(datum),
        lambda: expression.filter([datum]),
        lambda: generated(datum),
        lambda: generated.filter([datum]),
    ):
        try:
            outcomes.append(run())
        except bexpr.EvaluationError:
            outcomes.append("error")
    # The generated tier answers as the closures do.
    if outcomes[:2] != outcomes[2:]:
        raise AssertionError(f"generated code disagrees on {text!r}: {outcomes}")
    # The canonical form must parse back to the same tree.
    if bexpr.parse(str(expression.tree), max_depth=10_000) != expression.tree:
        raise AssertionError(f"round trip changed {text!r}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
