"""The example server's filter editor page, over HTTP: /ui and its files.

What the page does in a browser is tests/test_ui_browser.py's business.
"""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

pytest.importorskip("httpx")
pytest.importorskip("starlette")

with warnings.catch_warnings():
    # starlette asks for httpx2 instead of httpx; either does for these tests.
    warnings.filterwarnings("ignore", "Using `httpx` with")
    from starlette.testclient import TestClient

from bexpr.examples import server

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with")

UI = Path(server.__file__).resolve().parent / "ui"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
ASSETS = sorted(path.name for path in UI.iterdir() if path.suffix in TYPES)


@pytest.fixture(scope="module")
def app() -> Any:
    return server.create_app()


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_the_page_ships_its_files() -> None:
    # Read as a wheel's files are read: through the package's resources.
    packaged = resources.files("bexpr.examples").joinpath("ui")
    for name in ("index.html", "editor.js", "api.js", "text.js", "results.js", "style.css"):
        assert packaged.joinpath(name).is_file(), name
        assert name in ASSETS


@pytest.mark.parametrize("path", ["/ui", "/ui/", "/ui/index.html"])
def test_ui_serves_the_page_with_a_content_security_policy(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    # No escape hatch: the page runs with no inline script or style at all.
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text == (UI / "index.html").read_text(encoding="utf-8")


def test_head_is_answered_too(client: TestClient) -> None:
    response = client.head("/ui")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("name", ASSETS)
def test_each_file_has_its_content_type(client: TestClient, name: str) -> None:
    response = client.get(f"/ui/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == TYPES[Path(name).suffix]
    assert response.content == (UI / name).read_bytes()
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_the_page_refers_only_to_files_that_are_served(client: TestClient) -> None:
    html = client.get("/ui").text
    referred = re.findall(r'(?:src|href)="(/[^"]*)"', html)
    assert "/ui/editor.js" in referred and "/ui/style.css" in referred
    for path in referred:
        assert client.get(path).status_code == 200, path
    # The modules import each other relatively: every import is served too.
    for name in ASSETS:
        if name.endswith(".js"):
            source = (UI / name).read_text(encoding="utf-8")
            for imported in re.findall(r'from "\./([^"]+)"', source):
                assert client.get(f"/ui/{imported}").status_code == 200, (name, imported)


def test_the_page_has_no_inline_code(client: TestClient) -> None:
    # The policy would block it: it would fail in the browser, not here.
    html = client.get("/ui").text
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html
    assert re.search(r"\son[a-z]+\s*=", html) is None
    assert re.search(r"\sstyle\s*=", html) is None


def test_nothing_is_loaded_from_elsewhere() -> None:
    # Offline: no CDN, no web fonts. Links for the reader are fine.
    for name in ASSETS:
        text = (UI / name).read_text(encoding="utf-8")
        for url in re.findall(r"https?://[^\s\"'<>)]+", text):
            assert name == "index.html" or name.endswith(".svg"), (name, url)
        if name == "index.html":
            assert re.search(r'<(?:script|link|img)[^>]*(?:src|href)="https?:', text) is None
        if name.endswith(".css"):
            assert "@import" not in text and "url(" not in text


@pytest.mark.parametrize("name", ["x", "server.py", "__init__.py", "ui", "INDEX.HTML", "index.htm"])
def test_unknown_files_are_json_404s(client: TestClient, name: str) -> None:
    response = client.get(f"/ui/{name}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"error": f"unknown path /ui/{name}", "status": 404}


def raw_get(app: Any, raw_path: str) -> tuple[int, dict[str, str], bytes]:
    """Send ``GET raw_path`` to the ASGI app as uvicorn would: the path
    percent-decoded but not normalized. (An HTTP client would resolve the
    dot segments of ``/ui/../server.py`` before sending it.)"""

    async def call() -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("ascii"),
            "query_string": b"",
            "root_path": "",
            "headers": [(b"host", b"testserver")],
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 12345),
        }
        await app(scope, receive, send)
        return sent

    sent = asyncio.run(call())
    (start,) = [m for m in sent if m["type"] == "http.response.start"]
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


def test_raw_get_reaches_the_page(app: Any) -> None:
    # The helper is sound: the same request for a known file is a 200.
    status, headers, body = raw_get(app, "/ui/editor.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert body == (UI / "editor.js").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/ui/../server.py",
        "/ui/%2e%2e/server.py",
        "/ui/%2E%2E/server.py",
        "/ui/..%2fserver.py",
        "/ui/%2e%2e%2fserver.py",
        "/ui/..%5cserver.py",
        "/ui/./index.html/../../server.py",
        "/ui/../ui/../server.py",
        "/ui/..",
        "/ui/%2e%2e",
        "/ui//etc/passwd",
        "/ui/%2fetc%2fpasswd",
    ],
)
def test_no_path_leaves_the_page_folder(app: Any, path: str) -> None:
    status, headers, body = raw_get(app, path)
    assert status == 404, path
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["status"] == 404
    assert b"import" not in body  # no Python source, whatever happened


FORBIDDEN = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|\binsertAdjacentHTML\b|\beval\s*\(|\bnew\s+Function\b"
    r"|\bdocument\.write\b|\bsetTimeout\s*\(\s*[\"'`]|\bsetInterval\s*\(\s*[\"'`]"
    r"|\bcreateContextualFragment\b|\bDOMParser\b|\bsrcdoc\b"
)


@pytest.mark.parametrize("name", [name for name in ASSETS if name.endswith(".js")])
def test_the_scripts_never_parse_text_as_html_or_code(name: str) -> None:
    # Filters and records come from users: text goes in with textContent only.
    source = (UI / name).read_text(encoding="utf-8")
    assert FORBIDDEN.findall(source) == []


def test_the_forbidden_pattern_catches_what_it_should() -> None:
    for code in [
        "node.innerHTML = text",
        "node.outerHTML = x",
        "node.insertAdjacentHTML('beforeend', x)",
        "eval(text)",
        "new Function('return 1')",
        "document.write(x)",
        "setTimeout('alert(1)', 10)",
    ]:
        assert FORBIDDEN.search(code), code
    for code in ["node.textContent = text", "setTimeout(() => run(), 10)", "evaluate(x)"]:
        assert not FORBIDDEN.search(code), code


def test_the_api_still_answers_beside_the_page(client: TestClient) -> None:
    # The page's routes take nothing from the API's.
    response = client.get("/v1/jobs", params={"per_page": "2"})
    assert response.status_code == 200 and len(response.json()) == 2
    assert "content-security-policy" not in response.headers
