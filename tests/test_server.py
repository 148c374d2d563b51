"""The example server, run for real: uvicorn on a loopback port, spoken to over HTTP."""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

import bexpr  # noqa: E402
from bexpr.examples import server  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
STARTUP = 20.0  # seconds: a bound on waiting, never an assertion about speed
HEADER = "X-Nomad-Nexttoken"


def _wait_for(condition: Any, what: str) -> None:
    deadline = time.monotonic() + STARTUP
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.01)


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a free loopback port; yield its URL."""
    # With proto given, asyncio sets TCP_NODELAY on the connections (not for
    # proto 0), sparing each keep-alive response a delayed-ACK stall.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))  # the port is ours before the server starts: no race
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_for(lambda: instance.started or not thread.is_alive(), "the server to start")
        assert instance.started, "the server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(STARTUP)
        sock.close()
        assert not thread.is_alive(), "the server did not stop"


def generated_jobs(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [
        {
            "ID": f"job-{rng.randrange(10**6):06d}-{i}",
            "CreateIndex": 1000 - 7 * i,
            "Status": rng.choice(["running", "pending", "dead"]),
            "Datacenters": rng.sample(["dc1", "dc2", "dc3"], rng.randint(1, 3)),
            "Meta": {"env": rng.choice(["prod", "dev"])},
        }
        for i in range(count)
    ]


def generated_deployments(jobs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rng = random.Random(11)
    return [
        {
            # Equal create indexes: the ID breaks the tie, as in Nomad's tokens.
            "CreateIndex": job["CreateIndex"] + rng.randint(0, 1),
            "ID": f"{rng.randrange(16**8):08x}-{i:04d}",
            "JobID": job["ID"],
            "Status": rng.choice(["running", "successful", "failed", "cancelled"]),
            "TaskGroups": {"web": {"DesiredTotal": rng.randint(1, 3)}},
        }
        for i, job in enumerate(jobs)
    ]


JOBS = generated_jobs(23)
DEPLOYMENTS = generated_deployments(JOBS)
KEYS = {"/v1/jobs": lambda r: r["ID"], "/v1/deployments": lambda r: (r["CreateIndex"], r["ID"])}


@pytest.fixture(scope="module")
def bundled() -> Iterator[httpx.Client]:
    """The server over the bundled example data."""
    with serving(server.create_app()) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def generated() -> Iterator[httpx.Client]:
    """The server over injected, generated data: more pages."""
    app = server.create_app(jobs=JOBS, deployments=DEPLOYMENTS)
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        yield client


def walk(client: httpx.Client, path: str, params: dict[str, str]) -> list[list[dict[str, Any]]]:
    """Every page, following the next-token header until it is absent."""
    pages: list[list[dict[str, Any]]] = []
    token: str | None = None
    for _ in range(100):
        asked = dict(params, next_token=token) if token else params
        response = client.get(path, params=asked)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        token = response.headers.get(HEADER)
        if token is None:
            return pages
    raise AssertionError("the pages did not end")


def load(name: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((ROOT / "examples" / name).read_text())
    return records


# Listing and pagination


def test_jobs_are_listed_by_id(bundled: httpx.Client) -> None:
    response = bundled.get("/v1/jobs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert HEADER not in response.headers
    assert [job["ID"] for job in response.json()] == sorted(j["ID"] for j in load("jobs.json"))


def test_deployments_are_listed_by_create_index(bundled: httpx.Client) -> None:
    deployments = bundled.get("/v1/deployments").json()
    indexes = [d["CreateIndex"] for d in deployments]
    assert indexes == sorted(d["CreateIndex"] for d in load("deployments.json"))
    page = bundled.get("/v1/deployments", params={"per_page": "2"})
    first_of_next = deployments[2]
    assert page.headers[HEADER] == f"{first_of_next['CreateIndex']}.{first_of_next['ID']}"


def test_the_seed_examples(bundled: httpx.Client) -> None:
    jobs = bundled.get("/v1/jobs", params={"filter": 'Datacenters contains "dc2"'}).json()
    assert [job["ID"] for job in jobs] == ["countdash", "log-shipper", "web-canary", "web-frontend"]
    deployments = bundled.get("/v1/deployments", params={"filter": 'Status != "successful"'})
    assert all(d["Status"] != "successful" for d in deployments.json())
    assert len(deployments.json()) == 4


def test_deployments_match_the_jobs(bundled: httpx.Client) -> None:
    job_ids = {job["ID"] for job in bundled.get("/v1/jobs").json()}
    deployments = bundled.get("/v1/deployments").json()
    assert {d["JobID"] for d in deployments} <= job_ids
    assert all(isinstance(d["TaskGroups"], dict) and d["TaskGroups"] for d in deployments)


@pytest.mark.parametrize("path", ["/v1/jobs", "/v1/deployments"])
@pytest.mark.parametrize(
    "text", ["", 'Status == "running"', 'Status != "dead" and "dc2" in Datacenters']
)
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("per_page", [1, 4, 50])
def test_pagination_walks_every_record_once(
    generated: httpx.Client, path: str, text: str, reverse: bool, per_page: int
) -> None:
    if path == "/v1/deployments" and "Datacenters" in text:
        text = 'Status != "failed"'
    records = JOBS if path == "/v1/jobs" else DEPLOYMENTS
    params = {"per_page": str(per_page)}
    if text:
        params["filter"] = text
    if reverse:
        params["reverse"] = "true"
    pages = walk(generated, path, params)

    ordered = sorted(records, key=KEYS[path], reverse=reverse)
    expected = bexpr.filter(text, ordered) if text else ordered
    assert [record for page in pages for record in page] == expected
    assert all(len(page) == per_page for page in pages[:-1])
    assert 0 < len(pages[-1]) <= per_page or expected == []


def test_filter_and_token_combine(generated: httpx.Client) -> None:
    everything = generated.get("/v1/jobs").json()
    middle = everything[10]["ID"]
    response = generated.get(
        "/v1/jobs", params={"next_token": middle, "filter": "Meta.env == prod"}
    )
    later = [job for job in everything[10:] if job["Meta"]["env"] == "prod"]
    assert response.json() == later


def test_prefix(bundled: httpx.Client) -> None:
    jobs = bundled.get("/v1/jobs", params={"prefix": "web"}).json()
    assert [job["ID"] for job in jobs] == ["web-canary", "web-frontend"]


# Errors


def test_bad_filter_is_a_400_with_its_position(bundled: httpx.Client) -> None:
    response = bundled.get("/v1/jobs", params={"filter": 'Status == "running" and\nMeta.env =='})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"].startswith("invalid filter: expected a value after '=='")
    assert (body["line"], body["column"], body["offset"]) == (2, 12, 35)
    assert body["parameter"] == "filter" and body["status"] == 400
    assert body["excerpt"] == "Meta.env ==\n           ^"


def test_filter_that_cannot_be_evaluated_is_a_400(bundled: httpx.Client) -> None:
    # The "example" job's Meta is null.
    response = bundled.get("/v1/jobs", params={"filter": "Meta.env == prod"})
    assert response.status_code == 400
    assert response.json()["selector"] == "Meta.env"


@pytest.mark.parametrize("per_page", ["0", "-1", "abc", "1.5", "99999999999", " 2"])
def test_bad_per_page_is_a_400(bundled: httpx.Client, per_page: str) -> None:
    response = bundled.get("/v1/jobs", params={"per_page": per_page})
    assert response.status_code == 400
    assert response.json()["parameter"] == "per_page"


@pytest.mark.parametrize("token", ["abc", "54", "x.58fd0616"])
def test_bad_next_token_is_a_400(bundled: httpx.Client, token: str) -> None:
    response = bundled.get("/v1/deployments", params={"next_token": token})
    assert response.status_code == 400
    assert response.json()["parameter"] == "next_token"


def test_any_string_is_a_job_token(bundled: httpx.Client) -> None:
    response = bundled.get("/v1/jobs", params={"next_token": "zzz"})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(
    "query",
    [
        "reverse=yes",
        "filter=Stop+%3D%3D+false&filter=Stop+%3D%3D+true",
        "filter=Stop+%3D%3D+false&prefix=web",
    ],
)
def test_other_bad_parameters_are_400s(bundled: httpx.Client, query: str) -> None:
    response = bundled.get(f"/v1/jobs?{query}")
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize("path", ["/", "/v1/job", "/v1/jobs/extra", "/v2/jobs"])
def test_unknown_path_is_a_json_404(bundled: httpx.Client, path: str) -> None:
    response = bundled.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": f"unknown path {path}", "status": 404}


def test_other_methods_are_405s(bundled: httpx.Client) -> None:
    response = bundled.post("/v1/jobs")
    assert response.status_code == 405 and response.json()["status"] == 405
    assert "GET" in response.headers["allow"]


def test_records_that_cannot_be_listed_are_500s() -> None:
    app = server.create_app(jobs=[{"ID": "a"}, {"Name": "no ID"}], deployments=[])
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        response = client.get("/v1/jobs")
        assert response.status_code == 500
        assert "has no 'ID' field" in response.json()["error"]
        assert client.get("/v1/deployments").json() == []


def test_a_token_unfit_for_a_header_is_a_500() -> None:
    app = server.create_app(jobs=[{"ID": "a"}, {"ID": "b\nc"}], deployments=[])
    with serving(app) as url, httpx.Client(base_url=url, timeout=10) as client:
        response = client.get("/v1/jobs", params={"per_page": "1"})
        assert response.status_code == 500
        assert client.get("/v1/jobs").status_code == 200


# Output formats


def test_minimized_by_default_and_pretty_on_request(bundled: httpx.Client) -> None:
    plain = bundled.get("/v1/jobs", params={"per_page": "2"})
    pretty = bundled.get("/v1/jobs?per_page=2&pretty")
    assert "\n" not in plain.text and ": " not in plain.text and ", " not in plain.text
    assert pretty.text.startswith('[\n    {\n        "CreateIndex": 52,')
    assert pretty.json() == plain.json()
    assert pretty.headers[HEADER] == plain.headers[HEADER]
    assert "\n" not in bundled.get("/v1/jobs?pretty=0").text


def test_errors_can_be_pretty_too(bundled: httpx.Client) -> None:
    response = bundled.get("/v1/jobs?pretty&per_page=x")
    assert response.status_code == 400 and response.text.startswith('{\n    "error": ')


def _raw(client: httpx.Client, path: str, encoding: str) -> httpx.Response:
    request = client.build_request("GET", path, headers={"Accept-Encoding": encoding})
    response = client.send(request, stream=True)
    response.raw_body = b"".join(response.iter_raw())  # type: ignore[attr-defined]
    response.close()
    return response


def test_gzip_when_accepted(bundled: httpx.Client) -> None:
    identity = _raw(bundled, "/v1/deployments", "identity")
    zipped = _raw(bundled, "/v1/deployments", "gzip")
    assert "content-encoding" not in identity.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    raw_identity: bytes = identity.raw_body  # type: ignore[attr-defined]
    raw_zipped: bytes = zipped.raw_body  # type: ignore[attr-defined]
    assert gzip.decompress(raw_zipped) == raw_identity
    assert len(raw_zipped) < len(raw_identity)


def test_small_and_error_responses_are_gzipped_too(bundled: httpx.Client) -> None:
    response = _raw(bundled, "/v1/nope", "gzip")
    assert response.status_code == 404 and response.headers["content-encoding"] == "gzip"
    body: bytes = response.raw_body  # type: ignore[attr-defined]
    assert json.loads(gzip.decompress(body))["status"] == 404


# Data and the command


def test_load_example_reads_the_checkout() -> None:
    assert server.load_example("jobs") == load("jobs.json")
    assert server.load_example("deployments") == load("deployments.json")
    with pytest.raises(ValueError):
        server.load_example("../pyproject")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_command_serves_on_loopback() -> None:
    port = _free_port()
    command = [sys.executable, "-m", "bexpr.examples.server", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--log-level", "warning"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {process.stdout.read()!r}")  # type: ignore[union-attr]
            try:
                return httpx.get(f"{url}/v1/jobs", timeout=5).status_code == 200
            except httpx.TransportError:
                return False

        _wait_for(answers, "the command's server to answer")
        page = httpx.get(f"{url}/v1/jobs", params={"per_page": "3"}, timeout=5)
        assert len(page.json()) == 3 and page.headers[HEADER] == "nightly-report"
    finally:
        process.terminate()
        try:
            process.wait(timeout=STARTUP)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STARTUP)
        if process.stdout is not None:
            process.stdout.close()


def test_the_command_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bexpr.examples.server", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "127.0.0.1" in result.stdout and "--port" in result.stdout
