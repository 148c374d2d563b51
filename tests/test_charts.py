"""The docs' pictures are current: docs/img/*.svg is what benchmarks/charts.py
draws from docs/data/*.json, byte for byte, and each picture is an SVG a
reader's tools can name.

A changed script or changed data without the pictures drawn again fails here:
run ``python3 benchmarks/charts.py`` and commit docs/img/.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from benchmarks import charts

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("img")
    assert charts.main(["--data", str(ROOT / "docs" / "data"), "--out", str(out)]) == 0
    return out


def test_the_committed_pictures_are_the_drawn_ones(drawn: Path) -> None:
    expected = sorted(path.name for path in drawn.glob("*.svg"))
    committed = sorted(path.name for path in IMG.glob("*.svg"))
    assert committed == expected, "run python3 benchmarks/charts.py"
    for name in expected:
        assert (IMG / name).read_bytes() == (drawn / name).read_bytes(), (
            f"docs/img/{name} is not current: run python3 benchmarks/charts.py"
        )


def test_drawing_twice_gives_the_same_bytes(drawn: Path) -> None:
    again = charts.render_all(ROOT / "docs" / "data")
    for name, text in again.items():
        assert (drawn / name).read_text(encoding="utf-8") == text


def test_every_picture_has_a_light_and_a_dark_version() -> None:
    names = {path.name for path in IMG.glob("*.svg")}
    assert {"compare.svg", "sql.svg", "polars.svg", "spark.svg", "pipeline.svg"} <= names
    for name in names:
        twin = (
            name.replace("-dark.svg", ".svg")
            if name.endswith("-dark.svg")
            else name[:-4] + "-dark.svg"
        )
        assert twin in names, name


@pytest.mark.parametrize("path", sorted(IMG.glob("*.svg")), ids=lambda path: path.name)
def test_each_picture_parses_and_is_titled(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title is not None and title.text and title.text.strip()
    assert desc is not None and desc.text and len(desc.text) > 40
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_each_picture_is_used_by_the_docs() -> None:
    docs = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md"))
    for path in IMG.glob("*.svg"):
        mode = "dark" if path.name.endswith("-dark.svg") else "light"
        assert f"(img/{path.name}#gh-{mode}-mode-only)" in docs, path.name


@pytest.mark.parametrize("colour", sorted(set(charts.COLOURS.values())))
def test_the_palette_shows_on_light_and_dark_pages(colour: str) -> None:
    # WCAG's 3:1 for graphics, against white and the dark theme's background.
    lum = charts.luminance(colour)
    for page in (charts.LIGHT.halo, charts.DARK.halo):
        other = charts.luminance(page)
        contrast = (max(lum, other) + 0.05) / (min(lum, other) + 0.05)
        assert contrast >= 3, (colour, page, contrast)


def test_the_endpoints_chart_from_pytest_benchmark(tmp_path: Path) -> None:
    # benchmarks/test_filter_endpoints.py's --benchmark-json report, cut down.
    def bench(name: str, p50: float) -> dict[str, object]:
        info = {"p50_ms": p50, "p99_ms": p50 * 3, "max_ms": p50 * 9}
        return {"name": name, "extra_info": info, "stats": {"rounds": 968}}

    report: dict[str, Any] = {
        "datetime": "2026-11-30T19:31:08.093197+00:00",
        "machine_info": {"python_version": "3.11.7", "system": "Linux", "cpu": {"brand_raw": "X"}},
        "benchmarks": [
            bench("test_check_per_keystroke", 1.6828),
            bench("test_complete_per_keystroke", 1.6085),
        ],
    }
    data = charts.endpoints_from_benchmark(report)
    assert data["date"] == "2026-11-30"
    assert data["endpoints"]["check"] == {
        "requests": 968,
        "p50_ms": 1.683,
        "p99_ms": 5.048,
        "max_ms": 15.145,
    }
    svg = charts.render_bars(charts.endpoints_chart(data), charts.LIGHT)
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title") is not None
    assert "1.68 ms" in svg and "20 ms: a frame of typing" in svg
    with pytest.raises(ValueError):
        charts.endpoints_from_benchmark({**report, "benchmarks": report["benchmarks"][:1]})
