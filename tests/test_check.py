"""Schema-aware diagnostics, completion, and the tree as data (issue 6)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bexpr
from bexpr.analysis.schema import ANY, Type, schema_of
from tests.job_schema import JobListStub
from tests.strategies import trees

JOB = schema_of(JobListStub)


def codes(text: str, schema: Any = JobListStub) -> list[str]:
    return [d.code for d in bexpr.check(text, schema)]


def test_without_a_schema_only_what_needs_no_schema_is_checked() -> None:
    assert bexpr.check("Nope == 1") == []
    assert bexpr.check("Meta.x.0 == 1 and not Tags is empty") == []
    [diagnostic] = bexpr.check("Name == ")
    assert (diagnostic.code, diagnostic.severity, diagnostic.start) == ("syntax", "error", 8)
    assert json.loads(json.dumps(diagnostic.to_json()))["code"] == "syntax"
    # What fails on every record that reaches it needs no schema to see.
    [regex] = bexpr.check('Name matches "^web-(?=1)"')
    assert (regex.code, regex.severity, regex.start, regex.end) == (
        "invalid-regex",
        "error",
        13,
        25,
    )
    assert [d.code for d in bexpr.check("any L as x, x { x == 1 }")] == ["duplicate-binding"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=trees())
def test_without_a_schema_only_bad_patterns_and_bindings_are_errors(tree: Any) -> None:
    from bexpr.go import re2
    from bexpr.syntax.ast import Collection, Match, MatchOp
    from bexpr.syntax.visitor import walk

    found = {d.code for d in bexpr.check(str(tree))}
    assert found <= {"invalid-regex", "duplicate-binding"}
    bad_patterns = 0
    for node, _ in walk(tree):
        if isinstance(node, Match) and node.op.positive is MatchOp.MATCHES and node.value:
            try:
                re2.translate(node.value.raw)
            except re2.RE2SyntaxError:
                bad_patterns += 1
    assert ("invalid-regex" in found) == (bad_patterns > 0)
    duplicates = any(
        isinstance(node, Collection) and node.binding.index == node.binding.value is not None
        for node, _ in walk(tree)
    )
    assert ("duplicate-binding" in found) == duplicates


def test_parse_error_carries_the_same_information() -> None:
    with pytest.raises(bexpr.ParseError) as info:
        bexpr.compile("a == 1 AND b == 2")
    assert info.value.diagnostic() == bexpr.check("a == 1 AND b == 2")[0]
    assert info.value.hint == "keywords are lowercase: 'and'"
    [limit] = bexpr.check("(" * 40 + "a == 1" + ")" * 40)
    assert limit.code == "limit"


def test_several_problems_at_once_with_positions_and_suggestions() -> None:
    text = 'Nmae == web and Priority matches "x" and Priority == abc and Stop is empty'
    found = bexpr.check(text, JobListStub)
    assert [d.code for d in found] == [
        "unknown-selector",
        "operator-type",
        "invalid-value",
        "operator-type",
    ]
    assert found[0].hint == "did you mean 'Name'?"
    assert text[found[0].start : found[0].end] == "Nmae"
    assert text[found[2].start : found[2].end] == "abc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Status == "running" and "dc2" in Datacenters', []),
        ('Priority == "0x10"', []),
        ("JobSummary.Children.Running == 1", []),
        ("JobSummary.Summary.cache.Running == 1", ["may-be-missing"]),
        ("JobSummary.Summary.cache is empty", ["operator-type"]),
        ("JobSummary.Summary.cache is not nil", []),
        ("Datacenters.0 == dc1", ["index-range"]),
        ("Datacenters.x == dc1", ["not-an-index"]),
        ("Name.first == x", ["cannot-index"]),
        ('Meta.env == "prod"', ["nullable"]),
        ('Meta is not nil and Meta.env == "prod"', []),
        ("Multiregion is nil", []),
        ("Stop == maybe", ["invalid-value"]),
        ('Status == "runing"', ["never-matches"]),
        ("Version == 1", ["optional"]),
        ("Priority in Datacenters", []),
        ('"x" in Priority', ["operator-type"]),
        ("Name matches `(?=x)`", ["invalid-regex"]),
        ("any Name as c { c == x }", ["not-a-collection"]),
        ("any Datacenters as i, i { i == 0 }", ["duplicate-binding"]),
        ("any Datacenters as i, _ { i.x == 0 }", ["binding-no-fields"]),
        ("any Datacenters as Name { Name == dc1 }", ["binding-shadows"]),
        ('all JobSummary.Summary as g, c { c.Running == 1 and g != "x" }', []),
        ("any Datacenters as dc { dc matches `^dc` }", []),
        ("any Datacenters as dc { dc.x == 1 }", ["cannot-index"]),
        ("1 in Datacenters", []),
    ],
)
def test_rules(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


@dataclasses.dataclass
class Service:
    name: str = dataclasses.field(metadata={"bexpr": "Name"})
    port: int = dataclasses.field(metadata={"bexpr": "Port"})
    token: str = dataclasses.field(default="", metadata={"bexpr": "-"})


class Model(pydantic.BaseModel):
    Name: str
    Tags: list[str] = []


JSON_SCHEMA = {
    "type": "object",
    "required": ["Name", "Port"],
    "properties": {
        "Name": {"type": "string"},
        "Port": {"type": "integer"},
        "Tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "Meta": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def test_schema_sources() -> None:
    assert codes("Name == web and Port == 80", Service) == []
    assert codes("token == x", Service) == ["unknown-selector"]
    assert codes('"x" in Tags and Name == y', Model) == []
    assert codes("Port matches x", JSON_SCHEMA) == ["operator-type"]
    assert codes('"x" in Tags', JSON_SCHEMA) == ["nullable", "optional"]
    assert schema_of(JSON_SCHEMA).fields["Meta"].kind == "map"
    assert schema_of(Type("string")) == Type("string")


def test_completion() -> None:
    def texts(text: str, cursor: int | None = None) -> list[str]:
        position = len(text) if cursor is None else cursor
        return [c.text for c in bexpr.complete(text, position, JobListStub)]

    assert texts("Sta") == ["Status", "StatusDescription"]
    assert "Datacenters" in texts("")
    assert {"not", "any", "all", "("} <= set(texts(""))
    assert "any" not in texts("a == 1 and ")
    assert texts("JobSummary.Ch") == ["JobSummary.Children"]
    assert texts("Stop ") == ["==", "!="]
    assert "matches" in texts("Name ") and "is empty" in texts("Name ")
    assert texts("Status == ") == ['"pending"', '"running"', '"dead"']
    assert texts("Meta is ") == ["empty", "not empty", "nil", "not nil"]
    assert texts("Name is ") == ["empty", "not empty"]
    assert texts("Status == running ") == ["and", "or"]
    assert texts("(Status == running ") == ["and", "or", ")"]
    assert texts("any Datacenters as dc { d") == ["dc"]
    assert texts("any ") == ["Datacenters", "Meta", "Multiregion"]  # lists and maps only
    completion = bexpr.complete("Sta", 3, JobListStub)[0]
    assert (completion.start, completion.end, completion.kind) == (0, 3, "selector")
    assert json.dumps(completion.to_json())


def test_tree_as_data_round_trips() -> None:
    text = '(any L as i, v { v.n is not nil }) and not Meta["a b"] == "x" or "/p/q" contains 1'
    tree = bexpr.parse(text)
    data = json.loads(json.dumps(tree.to_json()))
    assert bexpr.from_json(data) == tree
    assert bexpr.to_json(tree) == tree.to_json()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        {"type": "match"},
        {"type": "match", "op": "~", "selector": {"path": ["a"]}},
        {"type": "match", "op": "==", "selector": {"path": ["a"]}},
        {"type": "match", "op": "is nil", "selector": {"path": []}},
        {"type": "and", "operands": [{"type": "match"}]},
        {"type": "collection", "op": "any", "selector": {"path": ["L"]}, "binding": {}},
        {"type": "not", "operand": "x"},
    ],
)
def test_from_json_rejects_malformed_trees(data: Any) -> None:
    with pytest.raises(bexpr.BexprError):
        bexpr.from_json(data)


def test_format() -> None:
    assert bexpr.format('Meta["env"]=="prod"  and   "x" in  Tags') == (
        'Meta.env == "prod" and "x" in Tags'
    )


# -- property: what the check accepts evaluates without schema errors -----------

_KEYS = ["a", "web", "cache", "env"]
_TEXT = st.sampled_from(["", "a", "web", "dc1", "dc2", "prod", "x y", "1", "true"])


def data_for(t: Type) -> st.SearchStrategy[Any]:
    """Values valid for a schema type."""
    if t.enum:
        base: st.SearchStrategy[Any] = st.sampled_from(list(t.enum))
    elif t.kind == "string":
        base = _TEXT
    elif t.kind == "integer":
        base = st.integers(-3, 3) | st.sampled_from([80, 2**62])
    elif t.kind == "number":
        base = st.floats(allow_nan=False, allow_infinity=False)
    elif t.kind == "boolean":
        base = st.booleans()
    elif t.kind == "null":
        base = st.none()
    elif t.kind == "array":
        base = st.lists(data_for(t.items or ANY), max_size=3)
    elif t.kind == "map":
        base = st.dictionaries(st.sampled_from(_KEYS), data_for(t.items or ANY), max_size=3)
    elif t.kind == "object":
        base = st.fixed_dictionaries(
            {k: data_for(v) for k, v in t.fields.items() if not v.optional},
            optional={k: data_for(v) for k, v in t.fields.items() if v.optional},
        )
    else:
        base = _TEXT | st.integers(-2, 2) | st.none()
    return st.one_of(st.none(), base) if t.nullable else base


def _paths(t: Type, prefix: tuple[str, ...], depth: int) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    if depth == 0:
        return found
    if t.kind == "object":
        for name, sub in t.fields.items():
            found += _paths(sub, (*prefix, name), depth - 1)
    elif t.kind == "map":
        for key in _KEYS[:2]:
            found += _paths(t.items or ANY, (*prefix, key), depth - 1)
    elif t.kind == "array":
        found += _paths(t.items or ANY, (*prefix, "0"), depth - 1)
    return found


PATHS = _paths(JOB, (), 4)
OPS = ["==", "!=", "contains", "not contains", "matches", "is empty", "is not empty", "is nil"]
VALUES = ["1", "0", "-1", "true", "x", '"dc2"', '"running"', "`^w`", '"1.5"', "`(`"]


@st.composite
def clauses(draw: st.DrawFn) -> str:
    path = ".".join(draw(st.sampled_from(PATHS)))
    op = draw(st.sampled_from(OPS))
    if op.startswith("is"):
        return f"{path} {op}"
    return f"{path} {op} {draw(st.sampled_from(VALUES))}"


expressions = st.recursive(
    clauses(),
    lambda inner: (
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        | inner.map(lambda e: f"not {e}" if not e.startswith("not ") else e)
    ),
    max_leaves=4,
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=expressions, records=st.lists(data_for(JOB), min_size=1, max_size=3))
def test_what_the_check_accepts_evaluates_without_errors(text: str, records: list[Any]) -> None:
    # About a third of the generated expressions pass the check; the rest
    # draw a diagnostic and are not evaluated.
    if bexpr.check(text, JobListStub):
        return
    expression = bexpr.compile(text)
    for record in records:
        expression(record)  # no EvaluationError: the check found nothing to warn about


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.text(
        alphabet=st.sampled_from(list(' ()"`[]{}.,=!_/~01abAnotrisemplycDS\t\n')), max_size=40
    ),
    cursor=st.integers(-2, 45),
)
def test_check_and_complete_take_any_text(text: str, cursor: int) -> None:
    for diagnostic in bexpr.check(text, JobListStub):
        assert 0 <= diagnostic.start <= diagnostic.end <= len(text)
    for completion in bexpr.complete(text, cursor, JobListStub):
        assert completion.start <= completion.end <= len(text)


@pytest.mark.parametrize("schema", [{"properties": [1, 2]}, {"type": "object", "properties": 5}])
def test_a_malformed_schema_is_a_bexpr_error(schema: Any) -> None:
    with pytest.raises(bexpr.BexprError):
        bexpr.check("a == 1", schema)
