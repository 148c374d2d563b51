"""Coverage-guided fuzzing of bexpr with atheris.

Each input is an expression, a NUL byte and a JSON datum (fuzz_input.py);
the harness compiles, evaluates and filters, and fails on any exception
that is not a bexpr.BexprError (and on parse errors whose position is
outside the text). See fuzz/README.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import atheris  # type: ignore[import-untyped, unused-ignore]
from fuzz_input import decode

# The parts of bexpr an input reaches (the optional ones need other packages).
_PACKAGES = ("bexpr.syntax", "bexpr.go", "bexpr.data", "bexpr.evaluation")

# bexpr and the PEG engine its parser drives. Not the regex package: its
# pure-Python pattern compiler takes most of the start-up to instrument, and
# only sees patterns that bexpr.go.re2 has parsed and spelled anew, whose
# shapes that module's own coverage already tells apart.
with atheris.instrument_imports(include=["bexpr", "parsimonious"]):
    import bexpr
    import bexpr.api

    # bexpr imports its modules on first use (PEP 562), and atheris only
    # instruments what is imported inside this block: without importing them
    # here, libFuzzer would see no coverage of the code it is fuzzing.
    for _package in _PACKAGES:
        for _module in pkgutil.walk_packages(
            importlib.import_module(_package).__path__, _package + "."
        ):
            importlib.import_module(_module.name)


def test_one_input(data: bytes) -> None:
    """Run one fuzz input; raise AssertionError (or whatever escapes) on a bug."""
    text, datum = decode(data)
    try:
        expression = bexpr.compile(text, regex_timeout=0.05, max_steps=10_000)
    except bexpr.ParseError as err:
        if not 0 <= err.offset <= len(text):
            raise AssertionError(f"offset {err.offset} outside {text!r}") from err
        str(err)
        return
    generated = bexpr.compile(text, regex_timeout=0.05, max_steps=10_000, codegen=True)
    outcomes: list[object] = []
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
    """Hand the command line to libFuzzer (-dict=, -max_total_time=, corpus dirs)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
