"""The example server on a database (SQLite file, PostgreSQL server), run for real.

Its pages must be the in-memory server's; it must keep paging right while
a writer inserts and deletes records; a connection the database drops in
the middle of a request is a JSON 500 and the next request succeeds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
sa = pytest.importorskip("sqlalchemy")

from bexpr.examples import server  # noqa: E402
from tests.test_server import HEADER, ROOT, _free_port, _wait_for, serving  # noqa: E402


@pytest.fixture(scope="module")
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the test server, dropped at the end."""
    name = f"bexpr_serve_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.engine.make_url(postgres_url).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a new SQLite file, or a PostgreSQL database emptied."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'served.sqlite3'}"
        return
    url: str = request.getfixturevalue("postgres_database")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS jobs, deployments")
    engine.dispose()
    yield url


REQUESTS = [
    ("jobs", {}),
    ("jobs", {"per_page": "2"}),
    ("jobs", {"per_page": "2", "next_token": "log-shipper"}),
    ("jobs", {"per_page": "3", "reverse": "true"}),
    ("jobs", {"filter": 'Datacenters contains "dc2"'}),
    ("jobs", {"filter": 'Meta.env == "prod" and Priority > 1'}),  # a parse error
    ("jobs", {"filter": "Meta.owner == x"}),  # fails on a job without Meta
    ("jobs", {"filter": "Type == service", "per_page": "1", "next_token": "m"}),
    ("jobs", {"filter": 'Name matches "^web-"', "reverse": "true"}),
    ("jobs", {"prefix": "web"}),
    ("jobs", {"prefix": "web", "filter": "Stop == false"}),
    ("jobs", {"next_token": "x", "per_page": "0"}),
    ("deployments", {"per_page": "2"}),
    ("deployments", {"per_page": "2", "next_token": "57.c2a0f7e4-91d3-5b86-0a4f-d8e35b1c6a97"}),
    ("deployments", {"filter": 'Status != "successful"', "reverse": "true"}),
    ("deployments", {"next_token": "abc"}),
]


def answers(url: str) -> list[Any]:
    found = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for name, params in REQUESTS:
            response = client.get(f"/v1/{name}", params=params)
            found.append((response.status_code, response.json(), response.headers.get(HEADER)))
    return found


def test_a_database_serves_what_memory_serves(database_url: str) -> None:
    database = server.open_database(database_url)
    try:
        with (
            serving(server.create_app()) as memory,
            serving(server.create_app(database=database)) as on_disk,
        ):
            expected = answers(memory)
            assert answers(on_disk) == expected
        statuses = {status for status, _, _ in expected}
        assert statuses == {200, 400}
    finally:
        database.engine.dispose()


def test_the_command_serves_a_data_file_from_a_database(tmp_path: Path) -> None:
    data = tmp_path / "mine.json"
    jobs = [{"ID": f"j{i}", "Team": "a" if i % 2 else "b"} for i in range(5)]
    data.write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    for extra in ([], ["--database"], ["--database", f"sqlite:///{tmp_path / 'x.db'}"]):
        port = _free_port()
        command = [sys.executable, "-m", "bexpr.examples.server", "--port", str(port)]
        process = subprocess.Popen(
            [*command, "--data", str(data), *extra, "--log-level", "warning"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"

            def up(url: str = url, process: Any = process) -> bool:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited: {process.stdout.read()!r}")
                try:
                    return httpx.get(f"{url}/v1/jobs", timeout=5).status_code == 200
                except httpx.TransportError:
                    return False

            _wait_for(up, "the command's server to answer")
            page = httpx.get(f"{url}/v1/jobs", params={"filter": "Team == a"}, timeout=5)
            assert [job["ID"] for job in page.json()] == ["j1", "j3"], extra
            assert httpx.get(f"{url}/v1/deployments", timeout=5).json() == []
        finally:
            process.terminate()
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()


def test_the_command_refuses_a_bad_data_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text, said in (("{", "not JSON"), ('{"nodes": []}', "jobs"), ('[{"ID": 1}, 2]', "objects")):
        bad.write_text(text, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-m", "bexpr.examples.server", "--data", str(bad), "--port", "0"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 3, result.stderr
        assert said in result.stderr


# -- paging while a writer writes ---------------------------------------------------------

CLIENTS = 8
WALKS = 6  # per client
STABLE = 400


def stable_jobs() -> list[dict[str, Any]]:
    return [
        {"ID": f"job-{i:04d}", "Group": i % 4, "Kind": "stable", "Meta": {"n": str(i)}}
        for i in range(STABLE)
    ]


def test_pages_stay_right_while_a_writer_writes(database_url: str) -> None:
    database = server.open_database(database_url, jobs=stable_jobs(), deployments=[])
    stable = {job["ID"] for job in stable_jobs()}
    stop = threading.Event()
    writes = [0]

    def writer() -> None:
        rng = random.Random(7)
        live: list[str] = []
        while not stop.is_set():
            with database.engine.begin() as connection:
                if live and rng.random() < 0.5:
                    gone = live.pop(rng.randrange(len(live)))
                    connection.execute(database.jobs.delete().where(database.jobs.c.id == gone))
                else:
                    # Between two stable keys, so pages shift under the walkers.
                    new = f"job-{rng.randrange(STABLE):04d}-{uuid.uuid4().hex[:6]}"
                    group = rng.randrange(4)
                    job = {"ID": new, "Group": group, "Kind": "transient", "Meta": {}}
                    database.insert(connection, [job])
                    live.append(new)
            writes[0] += 1
            time.sleep(0.002)

    filters = ["", "Group == 1", 'Kind == stable or Meta.n != ""', "Group != 3 and Kind != x"]
    wanted = {
        "": stable,
        "Group == 1": {j["ID"] for j in stable_jobs() if j["Group"] == 1},
        'Kind == stable or Meta.n != ""': stable,
        "Group != 3 and Kind != x": {j["ID"] for j in stable_jobs() if j["Group"] != 3},
    }
    latencies: list[float] = []
    failures: list[str] = []

    def client(number: int, url: str) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=url, timeout=60) as http:
            for walk in range(WALKS):
                text = filters[(number + walk) % len(filters)]
                per_page = rng.choice([7, 25, 60])
                seen: list[str] = []
                token = None
                while True:
                    params = {"per_page": str(per_page)}
                    if text:
                        params["filter"] = text
                    if token:
                        params["next_token"] = token
                    began = time.perf_counter()
                    response = http.get("/v1/jobs", params=params)
                    latencies.append(time.perf_counter() - began)
                    if response.status_code != 200:
                        failures.append(f"{response.status_code} {response.text}")
                        return
                    seen += [job["ID"] for job in response.json()]
                    token = response.headers.get(HEADER)
                    if token is None:
                        break
                if len(seen) != len(set(seen)):
                    failures.append(f"a record came twice in a walk with {text!r}")
                counted = sum(1 for job in seen if job in wanted[text])
                if counted != len(wanted[text]):
                    failures.append(
                        f"{len(wanted[text]) - counted} stable records missed ({text!r})"
                    )

    try:
        with serving(server.create_app(database=database)) as url:
            threads = [threading.Thread(target=writer)]
            threads += [threading.Thread(target=client, args=(n, url)) for n in range(CLIENTS)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads[1:]:
                thread.join()
            elapsed = time.perf_counter() - began
            stop.set()
            threads[0].join()
    finally:
        database.engine.dispose()
    assert not failures, failures[:5]
    assert writes[0] > 0
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)]
    # Figures for the record, never checked: these machines are noisy.
    print(
        f"\n{database.engine.dialect.name}: {len(latencies)} requests from {CLIENTS} clients "
        f"in {elapsed:.1f} s ({len(latencies) / elapsed:.0f} req/s), p50 "
        f"{latencies[len(latencies) // 2] * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
        f"{writes[0]} writes"
    )


# -- a connection dropped mid-request --------------------------------------------------


def test_a_dropped_connection_is_a_json_500_then_the_next_request_succeeds(
    postgres_database: str,
) -> None:
    killer = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    with killer.connect() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS jobs, deployments")
    database = server.open_database(postgres_database)  # the bundled examples
    killer = sa.create_engine(postgres_database, isolation_level="AUTOCOMMIT")
    armed = threading.Event()

    @sa.event.listens_for(database.engine, "before_cursor_execute")
    def drop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if armed.is_set() and "bexpr_match" in statement:
            armed.clear()
            pid = cursor.connection.info.backend_pid
            with killer.connect() as other:
                # Waits (up to 5 s) until the backend serving this request is gone.
                other.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})

    try:
        with (
            serving(server.create_app(database=database)) as url,
            httpx.Client(base_url=url, timeout=30) as http,
        ):
            params = {"filter": "Stop == false"}
            assert http.get("/v1/jobs", params=params).status_code == 200
            armed.set()
            broken = http.get("/v1/jobs", params=params)
            assert broken.status_code == 500
            body = broken.json()
            assert body["status"] == 500 and "cannot be listed" in body["error"]
            assert "pg_" not in body["error"] and "terminat" not in body["error"]
            again = http.get("/v1/jobs", params=params)
            assert again.status_code == 200
            assert [job["ID"] for job in again.json()] == sorted(
                job["ID"] for job in server.load_example("jobs") if not job["Stop"]
            )
    finally:
        database.engine.dispose()
        killer.dispose()
