"""Property tests: the compiled closures agree with the reference interpreter.

Hypothesis generates syntax trees (bexpr.strategies, the public strategies,
and tests/strategies.py's wider vocabulary), prints them, parses them back,
and evaluates them on generated data with both evaluators: the results must
be equal, or both must raise EvaluationError.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bexpr
import bexpr.strategies as bs
from bexpr.evaluation.interpreter import interpret
from bexpr.options import MISSING, Options
from bexpr.syntax.ast import Node
from bexpr.syntax.parser import parse_with_grammar
from tests.job_schema import JobListStub
from tests.strategies import data_values, records, trees, unknown_values

SETTINGS = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(run: Any) -> object:
    try:
        return bool(run())
    except bexpr.EvaluationError:
        return "error"


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=bs.trees(), datum=bs.records())
def test_compiled_agrees_with_interpreter(tree: Node, datum: Any) -> None:
    check_agreement(tree, datum)


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=bs.trees(JobListStub), datum=bs.records(JobListStub))
def test_compiled_agrees_with_interpreter_on_a_schema(tree: Node, datum: Any) -> None:
    """Filters over the job list's schema, on its records: mostly no error."""
    check_agreement(tree, datum)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(), datum=records)
def test_compiled_agrees_with_interpreter_on_odd_keys(tree: Node, datum: Any) -> None:
    """tests/strategies.py: more pointer keys and bound names."""
    check_agreement(tree, datum)


def check_agreement(tree: Node, datum: Any) -> None:
    text = str(tree)
    parsed = bexpr.parse(text)
    assert parsed == tree, text
    compiled = bexpr.compile(text)
    assert outcome(lambda: compiled.evaluate(datum)) == outcome(lambda: interpret(parsed, datum)), (
        text
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=trees(depth=2),
    datum=st.one_of(records, data_values),
    unknown=st.one_of(st.just(MISSING), unknown_values),
    hook=st.sampled_from([None, _upper]),
)
def test_options_agree(tree: Node, datum: Any, unknown: Any, hook: Any) -> None:
    text = str(tree)
    options: dict[str, Any] = {"hook": hook}
    if unknown is not MISSING:
        options["unknown"] = unknown
    compiled = bexpr.compile(text, **options)
    reference = Options(unknown=unknown, hook=hook)
    assert outcome(lambda: compiled.evaluate(datum)) == outcome(
        lambda: interpret(compiled.tree, datum, reference)
    ), text


def _parse_both(text: str) -> tuple[object, object]:
    results: list[object] = []
    for parse in (bexpr.parse, parse_with_grammar):
        try:
            results.append(parse(text))
        except bexpr.ParseError:
            results.append("error")
    return results[0], results[1]


_NOISE = st.sampled_from(list(' ()"`[]{}.,=!-_/0123456789anotdrisemplyc\t'))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees(depth=3), edits=st.lists(st.tuples(st.integers(0, 300), _NOISE), max_size=3))
def test_structural_driver_agrees_with_the_grammar(
    tree: Node, edits: list[tuple[int, str]]
) -> None:
    """bexpr.parse runs the grammar's [structure] rules with its own stack;
    parsing with the PEG grammar alone must give the same answer."""
    text = str(tree)
    for position, char in edits:
        position %= len(text) + 1
        text = text[:position] + char + text[position:]
    driver, grammar = _parse_both(text)
    assert driver == grammar, text


@pytest.mark.parametrize(
    ("expression", "datum"),
    [
        ('all tags as tags, item { item == "prod" }', {"tags": ["5"]}),
        ("any L as i, x { any x.M as x, y { y == 1 } }", {"L": [{"M": [1]}]}),
        ("any m as m, v { v == 1 }", {"m": {"k": 1}}),
        ("any tags as tags, item { tags == 0 }", {"tags": ["a"]}),
        ("any tags as _, tags { tags == a }", {"tags": ["a"]}),
    ],
)
def test_a_binding_named_like_the_selector_resolves_as_the_reference_does(
    expression: str, datum: Any
) -> None:
    # The reference looks a bound element up again by its path (tags.0),
    # through the names bound so far: an index named like the selector wins.
    tree = bexpr.parse(expression)
    assert outcome(lambda: bexpr.compile(expression)(datum)) == outcome(
        lambda: interpret(tree, datum)
    )
