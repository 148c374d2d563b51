"""The editor's endpoints, as a typist meets them: one request per keystroke.

``bexpr serve`` runs in its own process (so the client's work does not share
its interpreter) over the bundled data, and each typical filter is typed one
character at a time: every prefix is sent to ``/v1/filter/check`` and, with
the cursor at its end, to ``/v1/filter/complete``, over one keep-alive
connection on loopback, as the browser editor does. A round is one request;
the p50 and p99 of each endpoint are printed and kept in the benchmark's
``extra_info``. The aim is well under one frame of typing (about 20 ms).
docs/ui.md has the figures.

    python3 -m pytest benchmarks/test_filter_endpoints.py --benchmark-columns=median,max -s
"""

from __future__ import annotations

import itertools
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

# Filters a user of the jobs list would type: a selector, a map key, a
# membership test, a regex, a collection binding and a typo that stays.
TYPICAL = [
    'Status == "running"',
    'Meta["env"] == "prod" and "dc2" in Datacenters',
    'Name matches "^web-" and not (Type == "batch")',
    "Priority == 50 or JobSummary.Summary.api.Running != 0",
    'any Datacenters as dc { dc == "dc1" }',
    'Stauts == "pending" and Periodic is empty',
]
STARTUP = 30.0  # seconds: a bound on waiting, never a claim about speed


def keystrokes() -> list[str]:
    """Every prefix of every typical filter, in typing order."""
    return [text[:end] for text in TYPICAL for end in range(1, len(text) + 1)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    """A client of ``bexpr serve`` running in a child process."""
    port = _free_port()
    command = [sys.executable, "-m", "bexpr", "serve", "--port", str(port), "--log-level"]
    process = subprocess.Popen([*command, "warning"])
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=STARTUP) as http:
            deadline = time.monotonic() + STARTUP
            while True:
                try:
                    http.get("/v1/jobs", params={"per_page": "1"})
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield http
    finally:
        process.terminate()
        process.wait(STARTUP)


def _percentiles(data: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(data, n=100, method="inclusive")
    return {"p50_ms": cuts[49] * 1e3, "p99_ms": cuts[98] * 1e3, "max_ms": max(data) * 1e3}


def _run(benchmark: Any, send: Any, label: str) -> None:
    texts = keystrokes()
    cycle = itertools.cycle(texts)
    rounds = int(os.environ.get("BEXPR_UI_BENCH_ROUNDS", str(len(texts) * 4)))
    for text in texts:  # warm: every prefix once, untimed; each answer checked
        send(text)
    benchmark.pedantic(lambda: send(next(cycle)), rounds=rounds, iterations=1, warmup_rounds=0)
    if benchmark.stats is None:  # --benchmark-disable: the answers were checked
        return
    figures = _percentiles(list(benchmark.stats.stats.data))
    benchmark.extra_info.update(figures)
    print(
        f"\n{label}: {rounds} requests, p50 {figures['p50_ms']:.2f} ms, "
        f"p99 {figures['p99_ms']:.2f} ms, max {figures['max_ms']:.2f} ms"
    )


def test_check_per_keystroke(benchmark: Any, client: httpx.Client) -> None:
    def send(text: str) -> None:
        response = client.get("/v1/filter/check", params={"resource": "jobs", "filter": text})
        assert response.status_code == 200, response.text
        body = response.json()
        # Complete filters are valid except the one whose typo stays.
        if text in TYPICAL:
            assert (body["canonical"] is None) == text.startswith("Stauts"), body

    _run(benchmark, send, "check")


def test_complete_per_keystroke(benchmark: Any, client: httpx.Client) -> None:
    def send(text: str) -> None:
        params = {"resource": "jobs", "filter": text, "cursor": str(len(text))}
        response = client.get("/v1/filter/complete", params=params)
        assert response.status_code == 200, response.text
        if text == "Sta":
            texts = [c["text"] for c in response.json()["completions"]]
            assert "Status" in texts, texts

    _run(benchmark, send, "complete")
