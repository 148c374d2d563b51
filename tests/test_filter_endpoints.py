"""The example server's filter helpers: /v1/filter/check and /v1/filter/complete."""

from __future__ import annotations

import statistics
import time
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("httpx")
pytest.importorskip("starlette")

with warnings.catch_warnings():
    # starlette asks for httpx2 instead of httpx; either does for these tests.
    warnings.filterwarnings("ignore", "Using `httpx` with")
    from starlette.testclient import TestClient

import bexpr
from bexpr.examples import server

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with")

CHECK = "/v1/filter/check"
COMPLETE = "/v1/filter/complete"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """The app over the bundled example data."""
    with TestClient(server.create_app()) as test_client:
        yield test_client


def get(client: TestClient, path: str, params: Any, status: int = 200) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def test_a_typo_in_a_selector_is_an_unknown_selector_with_a_suggestion(client: TestClient) -> None:
    text = 'Status == "running" and Priorty == 10'
    body = get(client, CHECK, {"resource": "jobs", "filter": text})
    assert body["canonical"] is None
    (diagnostic,) = body["diagnostics"]
    assert set(diagnostic) == {"code", "message", "severity", "start", "end", "hint"}
    assert diagnostic["code"] == "unknown-selector"
    assert diagnostic["severity"] == "error"
    assert diagnostic["hint"] == "did you mean 'Priority'?"
    assert text[diagnostic["start"] : diagnostic["end"]] == "Priorty"


def test_each_resource_has_its_own_schema(client: TestClient) -> None:
    jobs = get(client, CHECK, {"resource": "jobs", "filter": "JobVersion == 1"})
    assert [d["code"] for d in jobs["diagnostics"]] == ["unknown-selector"]
    deployments = get(client, CHECK, {"resource": "deployments", "filter": "JobVersion == 1"})
    assert deployments == {"diagnostics": [], "canonical": "JobVersion == 1"}


def test_a_valid_filter_has_its_canonical_form(client: TestClient) -> None:
    text = 'Status=="running"   and not ("dc2" in Datacenters)'
    body = get(client, CHECK, {"resource": "jobs", "filter": text})
    assert body == {"diagnostics": [], "canonical": str(bexpr.parse(text))}
    assert body["canonical"] == 'Status == "running" and not "dc2" in Datacenters'


def test_warnings_keep_the_canonical_form(client: TestClient) -> None:
    # Some bundled jobs have "Meta": null.
    body = get(client, CHECK, {"resource": "jobs", "filter": "Meta.env == prod"})
    assert [d["severity"] for d in body["diagnostics"]] == ["warning"]
    assert body["canonical"] == "Meta.env == prod"


def test_maps_in_the_records_take_any_key(client: TestClient) -> None:
    # TaskGroups is keyed by group name: any name is a valid selector.
    text = "TaskGroups.nope.DesiredTotal == 1 and TaskGroups.web.Healthy == 0"
    body = get(client, CHECK, {"resource": "deployments", "filter": text})
    # A key of a map may be missing: warnings, and one error for the typo.
    assert {d["code"] for d in body["diagnostics"] if d["severity"] == "warning"} == {
        "may-be-missing"
    }
    (diagnostic,) = [d for d in body["diagnostics"] if d["severity"] == "error"]
    assert diagnostic["code"] == "unknown-selector"
    assert text[diagnostic["start"] : diagnostic["end"]] == "TaskGroups.web.Healthy"


def test_a_parse_error_is_a_syntax_diagnostic_at_its_offset(client: TestClient) -> None:
    text = "Status == running and"
    body = get(client, CHECK, {"resource": "jobs", "filter": text})
    assert body["canonical"] is None
    (diagnostic,) = body["diagnostics"]
    assert diagnostic["code"] == "syntax"
    assert diagnostic["severity"] == "error"
    with pytest.raises(bexpr.ParseError) as caught:
        bexpr.parse(text)
    assert diagnostic["start"] == caught.value.offset == len(text)


def test_a_missing_filter_is_the_empty_expression(client: TestClient) -> None:
    body = get(client, CHECK, {"resource": "jobs"})
    assert [d["code"] for d in body["diagnostics"]] == ["syntax"]
    assert body["canonical"] is None


def test_completion_at_the_end_replaces_the_partial_selector(client: TestClient) -> None:
    body = get(client, COMPLETE, {"resource": "jobs", "filter": "Sta"})
    texts = [c["text"] for c in body["completions"]]
    assert "Status" in texts
    status = body["completions"][texts.index("Status")]
    assert status == {
        "text": "Status",
        "kind": "selector",
        "start": 0,
        "end": 3,
        "detail": "string",
    }


def test_completion_at_a_cursor_inside_the_filter(client: TestClient) -> None:
    text = 'Priority > 10 and Sta == "running"'
    cursor = text.index("Sta") + 3
    body = get(client, COMPLETE, {"resource": "jobs", "filter": text, "cursor": str(cursor)})
    status = [c for c in body["completions"] if c["text"] == "Status"]
    assert status == [
        {"text": "Status", "kind": "selector", "start": 18, "end": 21, "detail": "string"}
    ]
    assert text[18:21] == "Sta"


def test_completion_after_a_selector_offers_its_operators(client: TestClient) -> None:
    body = get(client, COMPLETE, {"resource": "jobs", "filter": "Stop "})
    assert [c["text"] for c in body["completions"]] == ["==", "!="]
    assert {c["kind"] for c in body["completions"]} == {"operator"}


@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (CHECK, {"filter": "ID == x"}, "resource"),
        (CHECK, {"resource": "", "filter": "ID == x"}, "resource"),
        (CHECK, {"resource": "nodes", "filter": "ID == x"}, "resource"),
        (COMPLETE, {"resource": "allocations"}, "resource"),
        (COMPLETE, {"resource": "jobs", "filter": "Sta", "cursor": "x"}, "cursor"),
        (COMPLETE, {"resource": "jobs", "filter": "Sta", "cursor": "-1"}, "cursor"),
        (COMPLETE, {"resource": "jobs", "filter": "Sta", "cursor": "1.5"}, "cursor"),
        (COMPLETE, {"resource": "jobs", "filter": "Sta", "cursor": "4"}, "cursor"),
        (COMPLETE, {"resource": "jobs", "cursor": "1"}, "cursor"),
        (CHECK, [("resource", "jobs"), ("resource", "deployments")], "resource"),
        (CHECK, [("resource", "jobs"), ("filter", "a"), ("filter", "b")], "filter"),
        (COMPLETE, [("resource", "jobs"), ("cursor", "0"), ("cursor", "0")], "cursor"),
    ],
)
def test_bad_parameters_are_400s_like_the_list_endpoints(
    client: TestClient, path: str, params: Any, parameter: str
) -> None:
    body = get(client, path, params, 400)
    assert body["status"] == 400
    assert body["parameter"] == parameter
    assert isinstance(body["error"], str) and body["error"]
    # The list endpoints answer a bad parameter in the same shape.
    listed = get(client, "/v1/jobs", {"per_page": "x"}, 400)
    assert set(listed) == set(body)


def test_other_parameters_are_ignored_as_by_the_list_endpoints(client: TestClient) -> None:
    response = client.get(CHECK, params={"resource": "jobs", "filter": "ID == x", "pretty": ""})
    assert response.status_code == 200
    assert response.text.endswith("\n")  # ?pretty indents, as everywhere
    assert response.json() == {"diagnostics": [], "canonical": "ID == x"}


def test_injected_records_have_their_own_schema() -> None:
    jobs = [{"ID": "a", "Owner": "me", "Tags": ["x"]}, {"ID": "b", "Tags": []}]
    with TestClient(server.create_app(jobs=jobs, deployments=[])) as client:
        body = get(client, CHECK, {"resource": "jobs", "filter": "Owner == me and Name == x"})
        assert [(d["code"], d["severity"]) for d in body["diagnostics"]] == [
            ("optional", "warning"),  # Owner is missing from some jobs
            ("unknown-selector", "error"),
        ]
        # No deployments: nothing to infer a schema from, so syntax only.
        body = get(client, CHECK, {"resource": "deployments", "filter": "Anything == 1"})
        assert body == {"diagnostics": [], "canonical": "Anything == 1"}


def test_the_schema_is_inferred_from_the_records() -> None:
    schema = server.infer_schema(
        [
            {"ID": "a", "Count": 1, "Meta": {"env": "prod"}, "Spec": {"Name": "x", "Size": 2}},
            {"ID": "b", "Count": 1.5, "Meta": None, "Extra": True, "Spec": {"Name": "y"}},
        ]
    )
    assert schema is not None
    fields = schema.fields
    assert fields["Count"].kind == "number"
    assert (fields["Meta"].kind, fields["Meta"].nullable) == ("map", True)
    assert fields["Extra"].optional and not fields["ID"].optional
    assert fields["Spec"].kind == "object"
    assert fields["Spec"].fields["Size"].optional
    assert server.infer_schema([]) is None


TYPICAL = [
    'Status == "running"',
    "Stauts == running",
    'Status == "running" and Priority == 50',
    '"dc2" in Datacenters',
    "Datacenters contains dc1 and Stop == false",
    "Meta is not nil and Meta.env == prod",
    'Meta.team matches "^da"',
    "JobSummary.Summary.api.Running != 0",
    "any JobSummary.Summary as name, group { group.Failed != 0 }",
    '"serv" in Type',
    'Name == "countdash" or Name == "example"',
    "Priority == 50 and (Type == service or Type == system)",
    "ParentID is empty",
    "Status == running and",
    "Namespace != default",
    'ID matches "^log-"',
    "Periodic == false and ParameterizedJob == false",
    "SubmitTime == 1645230400052000000",
    "not (Stop == true)",
    "Priorty == 10 and Datacenter contains dc1",
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


def test_latency(client: TestClient) -> None:
    """p50/p99 of each endpoint over typical filters; printed, never asserted."""
    repeats = 50
    for path in (CHECK, COMPLETE):
        samples: list[float] = []
        for text in TYPICAL:
            params = {"resource": "jobs", "filter": text}
            for _ in range(repeats):
                started = time.perf_counter()
                response = client.get(path, params=params)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200
        p50, p99 = _percentiles(samples)
        print(
            f"\n{path}: {len(samples)} requests, "
            f"p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms (TestClient, in process)"
        )


def test_a_database_schema_is_inferred_from_its_rows() -> None:
    sa = pytest.importorskip("sqlalchemy")
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    jobs = [{"ID": "a", "Colour": "red"}, {"ID": "b", "Colour": "blue"}]
    database = server.open_database(engine, jobs=jobs, deployments=[])
    with TestClient(server.create_app(database=database)) as client:
        body = get(client, CHECK, {"resource": "jobs", "filter": "Color == red"})
        assert [d["hint"] for d in body["diagnostics"]] == ["did you mean 'Colour'?"]
        body = get(client, COMPLETE, {"resource": "jobs", "filter": "Col"})
        assert [c["text"] for c in body["completions"]] == ["Colour"]
