"""The filter editor at /ui in a real browser: Debian's Chromium, driven by Playwright.

The app runs for real (uvicorn on a loopback port, as in tests/test_server.py);
each test gets a fresh page, and compares what the page shows with what the
same server's endpoints answer. Skipped without ``chromium`` on the PATH or
without Playwright, unless ``BEXPR_REQUIRE_BROWSER=1`` (CI), which makes
that a failure. ``BEXPR_UI_SCREENSHOT=FILE`` says where the screenshot goes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

REQUIRED = os.environ.get("BEXPR_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason}, and BEXPR_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
    from playwright.sync_api import Error as PlaywrightError
except ImportError:
    _unavailable("Playwright is not installed")
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    _unavailable("no chromium on the PATH")

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")
pytest.importorskip("starlette")

from bexpr.examples import server  # noqa: E402
from tests.test_server import HEADER, ROOT, serving  # noqa: E402

# Chromium logs a failed fetch to the console; a 400 some tests ask for is no fault.
EXPECTED_CONSOLE = re.compile(r"status of 400 \(Bad Request\)")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving(server.create_app()) as url:
        yield url


@pytest.fixture(scope="module")
def api(base_url: str) -> Iterator[httpx.Client]:
    """The same server, asked directly: what the page must show."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page on /ui, its first results shown; no error logged on it."""
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    tab = context.new_page()
    problems: list[str] = []
    # A script the policy blocks, or one that throws, shows up here.
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.on(
        "console",
        lambda message: (
            problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") and not EXPECTED_CONSOLE.search(message.text)
            else None
        ),
    )
    try:
        tab.goto(f"{base_url}/ui")
        # The modules ran: every job, no filter.
        expect(tab.locator("#results tbody tr")).to_have_count(7)
        yield tab
        assert problems == []
    finally:
        context.close()


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [record["ID"] for record in records]


def row_ids(page: Page) -> Any:
    return page.locator("#results tbody th")


def test_a_typo_in_a_selector_is_underlined_with_a_suggestion(page: Page) -> None:
    field = page.locator("#filter")
    field.focus()
    # Key by key: every intermediate text is checked too, and only the
    # answer for the last may stay.
    page.keyboard.type('Status == "running" and Priorty == 50')
    diagnostics = page.locator("#diagnostics")
    expect(diagnostics).to_contain_text("did you mean 'Priority'?")
    expect(diagnostics.locator("li")).to_have_count(1)
    expect(page.locator("#filter-mirror mark")).to_have_text(["Priorty"])
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    texts = [page.locator(f"#{name}").text_content() or "" for name in described]
    assert any(
        "unknown selector 'Priorty'" in text and "did you mean 'Priority'?" in text
        for text in texts
    ), texts
    expect(page.locator("#canonical")).to_have_text("none while the filter has errors")
    expect(page.locator("#results table")).to_have_count(0)

    field.fill('Status == "running" and Priority == 50')
    expect(page.locator("#canonical")).to_have_text('Status == "running" and Priority == 50')
    expect(diagnostics.locator("li")).to_have_count(0)
    expect(page.locator("#filter-mirror mark")).to_have_count(0)
    expect(field).not_to_have_attribute("aria-invalid", "true")
    assert field.get_attribute("aria-describedby") == "filter-help"


def test_spans_and_the_cursor_are_code_points(page: Page) -> None:
    # U+1F680 is two UTF-16 units in JavaScript, one code point to the server.
    field = page.locator("#filter")
    field.fill('Name == "\U0001f680" and Priorty == 1')
    expect(page.locator("#filter-mirror mark")).to_have_text(["Priorty"])
    expect(page.locator("#diagnostic-0")).to_contain_text("(columns 17\u201323)")

    field.fill('Name == "\U0001f680" and Sta')
    page.keyboard.press("Control+Space")
    expect(page.locator("#filter-options [role=option] .text")).to_have_text(
        ["Status", "StatusDescription"]
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(field).to_have_value('Name == "\U0001f680" and Status')
    # 16 code points, the rocket 2 UTF-16 units: the caret after "Status" is at 23.
    assert field.evaluate("e => [e.selectionStart, e.value.length]") == [23, 23]


def test_completion_with_the_keyboard(page: Page) -> None:
    field = page.locator("#filter")
    listbox = page.locator("#filter-options")
    options = listbox.get_by_role("option")
    field.focus()
    page.keyboard.type("Sta")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox).to_be_visible()
    expect(listbox.locator("[role=option] .text")).to_have_text(["Status", "StatusDescription"])
    expect(options.nth(0).locator(".kind")).to_have_text("selector")
    expect(options.nth(0).locator(".detail")).to_have_text("string")
    assert field.get_attribute("aria-controls") == "filter-options"
    assert field.get_attribute("aria-activedescendant") is None

    first, second = (options.nth(i).get_attribute("id") for i in range(2))
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", first or "")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", second or "")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    page.keyboard.press("ArrowUp")
    expect(field).to_have_attribute("aria-activedescendant", first or "")

    page.keyboard.press("Enter")
    expect(field).to_have_value("Status")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    assert field.evaluate("e => [e.selectionStart, e.selectionEnd]") == [6, 6]

    # After a selector and a space: its operators. Escape closes the list.
    page.keyboard.type(" ")
    expect(listbox.locator("[role=option] .text").first).to_have_text("==")
    expect(field).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    expect(listbox).to_be_hidden()
    expect(field).to_have_value("Status ")  # Escape closed the list, nothing else

    # Ctrl+Space on an empty filter: every selector; Tab accepts too.
    field.fill("")
    page.keyboard.press("Control+Space")
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(listbox.locator("[role=option] .text")).to_contain_text(["ID", "Name", "Status"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(field).to_have_value("CreateIndex")
    expect(field).to_be_focused()


def test_a_valid_filter_shows_the_endpoints_rows_and_its_canonical_form(
    page: Page, api: httpx.Client
) -> None:
    text = 'Type=="service"   and Priority != 90'
    page.locator("#per-page").fill("3")
    page.locator("#filter").fill(text)
    expected = api.get("/v1/jobs", params={"filter": text, "per_page": "3"})
    assert expected.status_code == 200 and len(expected.json()) == 3
    expect(row_ids(page)).to_have_text(ids(expected.json()))
    check = api.get("/v1/filter/check", params={"resource": "jobs", "filter": text}).json()
    expect(page.locator("#canonical")).to_have_text(check["canonical"])
    assert check["canonical"] == 'Type == "service" and Priority != 90'
    expect(page.locator("#results thead th")).to_have_text(
        ["ID", "Name", "Status", "Type", "Priority", "Datacenters"]
    )
    expect(page.locator("#result-status")).to_have_text(
        "Page 1: 3 jobs (3 per page); more on the next page."
    )
    assert page.locator("#result-status").get_attribute("aria-live") == "polite"

    # Another resource: the same filter is checked against its own schema.
    page.locator("#filter").fill("Status == running")
    page.locator("#resource").select_option("deployments")
    expected = api.get("/v1/deployments", params={"filter": "Status == running", "per_page": "3"})
    expect(row_ids(page)).to_have_text(ids(expected.json()))
    expect(page.locator("#results thead th").first).to_have_text("ID")
    expect(page.locator("#result-status")).to_have_text("Page 1: 2 deployments (3 per page).")


def test_next_and_previous_follow_the_endpoints_pages(page: Page, api: httpx.Client) -> None:
    # The endpoint's pages, following its header, as the page must.
    pages: list[list[dict[str, Any]]] = []
    tokens: list[str | None] = [None]
    while True:
        token = tokens[-1]
        params = {"per_page": "2", **({"next_token": token} if token else {})}
        response = api.get("/v1/jobs", params=params)
        pages.append(response.json())
        if HEADER not in response.headers:
            break
        tokens.append(response.headers[HEADER])
    assert [len(records) for records in pages] == [2, 2, 2, 1]
    previous, following = page.locator("#prev"), page.locator("#next")

    page.locator("#per-page").fill("2")
    expect(row_ids(page)).to_have_text(ids(pages[0]))
    expect(previous).to_have_attribute("aria-disabled", "true")
    for number in range(1, len(pages)):
        expect(following).to_have_attribute("aria-disabled", "false")
        with page.expect_request(lambda request: "/v1/jobs" in request.url) as asked:
            following.click()
        assert parse_qs(urlsplit(asked.value.url).query)["next_token"] == [tokens[number]]
        expect(row_ids(page)).to_have_text(ids(pages[number]))
        expect(page.locator("#page-number")).to_have_text(f"Page {number + 1}")
    expect(following).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#result-status")).to_have_text(
        "Page 4: 1 job (2 per page); the last page."
    )
    # aria-disabled is disabled to Playwright too: force the click, which does nothing.
    expect(following).to_be_disabled()
    following.click(force=True)
    expect(page.locator("#page-number")).to_have_text("Page 4")

    for number in reversed(range(len(pages) - 1)):
        expect(previous).to_have_attribute("aria-disabled", "false")
        previous.click()
        expect(row_ids(page)).to_have_text(ids(pages[number]))
    expect(previous).to_be_disabled()
    expect(page.locator("#page-number")).to_have_text("Page 1")


def test_an_invalid_regex_is_reported_and_shows_no_rows(page: Page) -> None:
    field = page.locator("#filter")
    field.fill('Name matches "["')
    diagnostics = page.locator("#diagnostics")
    expect(diagnostics).to_contain_text("invalid regular expression")
    expect(diagnostics).to_contain_text("missing closing ]")
    expect(page.locator("#filter-mirror mark")).to_have_text(['"["'])
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#results table")).to_have_count(0)
    expect(page.locator("#result-status")).to_have_text("No results while the filter has errors.")

    # Enter runs it anyway: the list endpoint's 400 is shown, not rows.
    field.press("Enter")
    error = page.locator("#result-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("HTTP 400")
    expect(error).to_contain_text("invalid regular expression '['")
    expect(page.locator("#results table")).to_have_count(0)
    expect(page.locator("#next")).to_have_attribute("aria-disabled", "true")


def test_a_late_answer_for_older_text_is_dropped(page: Page) -> None:
    held: list[Any] = []

    def hold_the_typo(route: Any) -> None:
        if "Stauts" in route.request.url:
            held.append(route)  # answered after the newer text's
        else:
            route.continue_()

    page.route(re.compile(r"/v1/filter/check\?"), hold_the_typo)
    field = page.locator("#filter")
    with page.expect_request(lambda request: "Stauts" in request.url):
        field.fill("Stauts == running")
    field.fill("Status == running")
    expect(page.locator("#canonical")).to_have_text("Status == running")
    expect(row_ids(page)).to_have_count(4)
    assert len(held) == 1
    # Its request was aborted; even answered, it must not win.
    with contextlib.suppress(PlaywrightError):  # the browser gave up on it: as good
        held[0].continue_()
    # One more round trip for the late answer to land, if it were going to.
    page.evaluate("() => fetch('/v1/jobs').then((response) => response.status)")
    expect(page.locator("#diagnostics li")).to_have_count(0)
    expect(page.locator("#canonical")).to_have_text("Status == running")
    expect(field).not_to_have_attribute("aria-invalid", "true")


def test_the_whole_flow_with_the_keyboard_alone(page: Page, api: httpx.Client) -> None:
    field = page.locator("#filter")
    # From the top of the page: Tab reaches the filter in a few steps.
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "filter":
            break
    expect(field).to_be_focused()
    outline = "e => getComputedStyle(e).outlineStyle"
    assert field.evaluate(outline) == "solid"  # focus is visible

    page.keyboard.type("Prio")
    expect(page.locator("#filter-options [role=option] .text")).to_have_text(["Priority"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Priority")
    page.keyboard.type(" ")
    expect(page.locator("#filter-options [role=option] .text").first).to_have_text("==")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(field).to_have_value("Priority ==")
    page.keyboard.type(" 50")
    page.keyboard.press("Enter")  # the list is closed: Enter runs the filter
    expected = api.get("/v1/jobs", params={"filter": "Priority == 50", "per_page": "10"}).json()
    expect(row_ids(page)).to_have_text(ids(expected))

    # Per page, then the pager, by Tab and Enter.
    page.keyboard.press("Tab")
    expect(page.locator("#per-page")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    expect(row_ids(page)).to_have_text(ids(expected[:2]))
    page.keyboard.press("Tab")
    expect(page.locator("#run")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    following = page.locator("#next")
    expect(following).to_be_focused()
    assert following.evaluate(outline) == "solid"
    page.keyboard.press("Enter")
    expect(row_ids(page)).to_have_text(ids(expected[2:]))
    # The last page: Next stays focused (aria-disabled keeps it in the tab order).
    expect(following).to_have_attribute("aria-disabled", "true")
    expect(following).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#prev")).to_be_focused()
    page.keyboard.press("Space")
    expect(row_ids(page)).to_have_text(ids(expected[:2]))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_a_screenshot_of_a_diagnostic(page: Page, capsys: pytest.CaptureFixture[str]) -> None:
    field = page.locator("#filter")
    field.focus()
    page.keyboard.type('Status == "running" and Priorty == 50')
    expect(page.locator("#filter-mirror mark")).to_have_text(["Priorty"])
    expect(page.locator("#diagnostics")).to_contain_text("did you mean 'Priority'?")
    chosen = os.environ.get("BEXPR_UI_SCREENSHOT")
    path = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="bexpr-ui-")) / "editor.png"
    assert not path.resolve().is_relative_to(ROOT), "screenshots go outside the repository"
    page.screenshot(path=str(path))
    with capsys.disabled():
        print(f"\nthe editor with a diagnostic: {path}")
    data = path.read_bytes()
    assert _png_size(data) == (1100, 720)
    assert 10_000 < len(data) < 5_000_000
