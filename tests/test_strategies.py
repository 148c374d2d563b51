"""bexpr.strategies, the public hypothesis strategies: what each promises."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import bexpr
import bexpr.strategies as bs
from bexpr import listing
from bexpr.syntax.ast import Collection, Match, MatchOp
from bexpr.syntax.visitor import walk
from tests.job_schema import JobListStub

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
# Statistical claims (error rates, shrunk sizes) on a fixed seed: a claim
# about a distribution must not pass or fail with the run's random seed.
FIXED = settings(SETTINGS, derandomize=True, database=None)


@dataclasses.dataclass
class Meta:
    env: str
    owner: str | None


@dataclasses.dataclass
class Job:
    ID: str
    Priority: int
    Datacenters: list[str]
    Meta: Meta
    Labels: dict[str, str]
    Stop: bool


JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "Name": {"type": "string", "enum": ["web", "db"]},
        "Count": {"type": "integer"},
        "Tags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["Name"],
}
SCHEMAS = [None, Job, JobListStub, JSON_SCHEMA]


@pytest.mark.parametrize("schema", SCHEMAS, ids=["none", "dataclass", "typeddict", "json"])
def test_expressions_are_valid_and_canonical(schema: Any) -> None:
    @SETTINGS
    @given(bs.expressions(schema))
    def run(text: str) -> None:
        bexpr.validate(text)
        assert str(bexpr.parse(text)) == text  # the canonical form: printing is stable
        # Valid for the schema too: what a service's validator accepts.
        assert not [d for d in bexpr.check(text, schema) if d.severity == "error"], text

    run()


@pytest.mark.parametrize("schema", [Job, JobListStub, JSON_SCHEMA], ids=["dc", "td", "json"])
def test_most_filters_over_a_schema_evaluate_on_its_records(schema: Any) -> None:
    outcomes: list[str] = []

    @FIXED
    @given(bs.expressions(schema), bs.records(schema))
    def run(text: str, record: Any) -> None:
        try:
            outcomes.append(str(bexpr.evaluate(text, record)))
        except bexpr.EvaluationError:
            outcomes.append("error")

    run()
    # Nullable fields (JobListStub has some) are errors to most operators.
    assert outcomes.count("error") < len(outcomes) * 0.3, outcomes.count("error")
    assert outcomes.count("True") > len(outcomes) * 0.2  # and they are not all False


def test_records_follow_the_schema() -> None:
    @SETTINGS
    @given(bs.records(Job), bs.records(JSON_SCHEMA))
    def run(job: Any, other: Any) -> None:
        assert set(job) == {"ID", "Priority", "Datacenters", "Meta", "Labels", "Stop"}
        assert isinstance(job["Priority"], int) and isinstance(job["Stop"], bool)
        assert job["Meta"]["owner"] is None or isinstance(job["Meta"]["owner"], str)
        assert set(job["Labels"]) <= set(bs.MAP_KEYS)
        assert other["Name"] in ("web", "db") and set(other) <= {"Name", "Count", "Tags"}

    run()


def test_invalid_expressions_are_rejected() -> None:
    @SETTINGS
    @given(bs.invalid_expressions(Job), bs.invalid_expressions(patterns=False))
    def run(near_miss: str, unparsable: str) -> None:
        assert any(d.severity == "error" for d in bexpr.check(near_miss))
        with pytest.raises(bexpr.ParseError) as raised:
            bexpr.validate(unparsable)
        assert 0 <= raised.value.offset <= len(unparsable)

    run()


def test_list_params_are_accepted_or_rejected_as_promised() -> None:
    @SETTINGS
    @given(bs.list_params(Job, valid=True), bs.list_params(Job, valid=False))
    def run(accepted: dict[str, str], rejected: dict[str, str]) -> None:
        listing.Params.parse(accepted)
        with pytest.raises(listing.ListingError):
            listing.Params.parse(rejected)

    run()


def test_options_shape_the_filters() -> None:
    @SETTINGS
    @given(
        bs.trees(Job, operators=[MatchOp.MATCHES], collections=False),
        bs.trees(Job, max_depth=0),
    )
    def run(restricted: Any, flat: Any) -> None:
        nodes = [node for node, _ in walk(restricted)]
        assert not any(isinstance(node, Collection) for node in nodes)
        assert all(n.op is MatchOp.MATCHES for n in nodes if isinstance(n, Match))
        assert isinstance(flat, Match)

    run()
    with pytest.raises(ValueError, match="operators"):
        bs.trees(operators=[]).example()


def test_examples_shrink_to_small_ones() -> None:
    conjunction = find(
        bs.expressions(Job), lambda text: " and " in text, settings=settings(derandomize=True)
    )
    assert len(conjunction) < 40, conjunction
    failing = find(
        st.tuples(bs.expressions(Job), bs.records(Job)),
        lambda pair: _errors(*pair),
        settings=settings(max_examples=2000, database=None, derandomize=True),
    )
    # The shrinker cannot always unwrap a collection around the failing match.
    assert len(failing[0]) < 80, failing


def _errors(text: str, record: Any) -> bool:
    try:
        bexpr.evaluate(text, record)
    except bexpr.EvaluationError:
        return True
    return False


def test_importing_the_module_does_not_import_hypothesis() -> None:
    code = "import sys, bexpr.strategies; assert 'hypothesis' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
