"""The reference's WithTagName and WithLocalVariable: tag_name=, aliases=, variables=."""

from __future__ import annotations

import dataclasses
from typing import Any

import attrs
import pydantic
import pytest

import bexpr
from bexpr.evaluation.interpreter import interpret
from bexpr.options import options_from


def both(expression: str, datum: Any, **options: Any) -> object:
    """The compiled answer, checked against the reference interpreter's."""

    def outcome(run: Any) -> object:
        try:
            return run()
        except bexpr.EvaluationError:
            return "error"

    compiled = outcome(lambda: bexpr.compile(expression, **options)(datum))
    walked = outcome(lambda: interpret(bexpr.parse(expression), datum, options_from(options)))
    assert compiled == walked
    return compiled


@dataclasses.dataclass
class Job:
    job_id: str = dataclasses.field(metadata={"json": "ID", "bexpr": "Ident"})
    region: str = dataclasses.field(default="eu", metadata={"json": "Region,omitempty"})
    token: str = dataclasses.field(default="t", metadata={"json": "-"})
    plain: int = 1


def test_tag_name_reads_another_metadata_key() -> None:
    job = Job("web")
    assert both("Ident == web", job) is True  # the default tag, "bexpr"
    assert both("ID == web", job) == "error"
    assert both("ID == web and Region == eu and plain == 1", job, tag_name="json") is True
    assert both("job_id == web", job, tag_name="json") == "error"  # a tagged field's own name
    with pytest.raises(bexpr.EvaluationError, match="hidden"):
        bexpr.evaluate("token == t", job, tag_name="json")


class Model(pydantic.BaseModel):
    job_id: str = pydantic.Field(alias="ID")
    name: str = pydantic.Field(serialization_alias="Name", default="web")
    count: int = 3


@attrs.define
class AttrsJob:
    job_id: str = attrs.field(alias="ID")
    state: str = "running"


def test_aliases_name_pydantic_and_attrs_fields_when_asked() -> None:
    model = Model(ID="a1")
    assert both("job_id == a1", model) is True
    assert both("ID == a1", model) == "error"
    assert both("ID == a1 and Name == web and count == 3", model, aliases=True) is True
    assert both("job_id == a1", model, aliases=True) == "error"
    job = AttrsJob(ID="b2")
    assert both("job_id == b2", job) is True
    assert both("ID == b2 and state == running", job, aliases=True) is True


def test_check_and_complete_name_fields_the_same_way() -> None:
    assert [d.code for d in bexpr.check("ID == web", Job, tag_name="json")] == []
    assert [d.code for d in bexpr.check("Ident == web", Job, tag_name="json")] == [
        "unknown-selector"
    ]
    assert [d.code for d in bexpr.check("ID == x and Name == y", Model, aliases=True)] == []
    assert [d.code for d in bexpr.check("ID == x", Model)] == ["unknown-selector"]
    offered = [c.text for c in bexpr.complete("", 0, Job, tag_name="json")]
    assert offered[:3] == ["ID", "Region", "plain"]


RECORD = {"Meta": {"env": "prod", "tags": ["a", "b"]}, "Stop": False}
VARIABLES: dict[str, Any] = {
    "env": "prod",
    "m": bexpr.Path("Meta"),
    "tags": bexpr.Path("m", "tags"),  # a path through another variable
    "n": 5,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("env == prod", True),
        ("m.env == prod", True),
        ('"b" in tags', True),
        ("any tags as t { t == a }", True),
        ("n == 5 and Stop == false", True),
        ("m.missing == x", False),  # a missing key below a map, as usual
        ("env.x == 1", "error"),  # a variable with a value has no fields
        ("any m.tags as m { m == a }", True),  # a binding hides a variable
        ("n is empty", "error"),
    ],
)
def test_variables(expression: str, expected: object) -> None:
    assert both(expression, RECORD, variables=VARIABLES) == expected


def test_variables_are_checked_completed_and_cached() -> None:
    schema = bexpr.Type(
        "object",
        fields={
            "Meta": bexpr.Type("map", items=bexpr.Type("string")),
            "Stop": bexpr.Type("boolean"),
        },
    )
    assert bexpr.check("m.env == prod and env == x", schema, variables=VARIABLES) == []
    [diagnostic] = bexpr.check("env.x == 1", schema, variables=VARIABLES)
    assert diagnostic.code == "binding-no-fields" and "variable with a value" in diagnostic.message
    assert "m" in [c.text for c in bexpr.complete("", 0, schema, variables=VARIABLES)]
    # Unhashable values compile every time instead of going through the cache.
    assert bexpr.evaluate("l is empty", {}, variables={"l": []})
    assert bexpr.evaluate("l is empty", {}, variables={"l": []})
    with pytest.raises(TypeError):
        bexpr.compile("a == 1", variables=["a"])
    with pytest.raises(TypeError):
        bexpr.Path()
