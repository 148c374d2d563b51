"""Draw the charts of docs/performance.md and the pipeline of docs/design.md as SVG.

    python3 benchmarks/charts.py            # docs/data/*.json -> docs/img/*.svg
    python3 benchmarks/charts.py --table    # also print compare.json as performance.md's table
    python3 benchmarks/charts.py --check    # exit 1 if docs/img/ is not what the data gives

The inputs are the benchmark results kept in docs/data/:

- ``compare.json``: ``benchmarks/compare.py --others --json docs/data/compare.json``;
- ``reference.json``: go-bexpr's time per record on the same dataset (optional);
- ``scale.json``: the SQL, Polars and Spark figures of docs/performance.md;
- ``endpoints.json``: the editor endpoints' p50/p99 (optional).

Every picture is written twice, ``NAME.svg`` for a light page and
``NAME-dark.svg`` for a dark one: a picture shown with ``<img>`` cannot see
the page's colours, so the docs show one or the other with the
``#gh-light-mode-only`` / ``#gh-dark-mode-only`` fragments (which both
mkdocs-material and GitHub honour). The bars use one palette of mid-tones
that keeps 3:1 contrast on either page. The output depends only on the
input: no dates but the data's own, no randomness, fixed number formats,
so a chart's diff is reviewable.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import statistics
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "docs" / "data"
OUT = ROOT / "docs" / "img"

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace"


@dataclass(frozen=True)
class Theme:
    """The colours that differ between a light and a dark page."""

    name: str
    suffix: str  # added to the file name
    text: str
    muted: str
    line: str  # grid lines, frames, bands (used with an opacity)
    halo: str  # around a value's text where it crosses a line: the page's colour


LIGHT = Theme("light", "", text="#1f2328", muted="#59636e", line="#1f2328", halo="#ffffff")
DARK = Theme("dark", "-dark", text="#e6edf3", muted="#9ea7b3", line="#e6edf3", halo="#1e2029")
THEMES = (LIGHT, DARK)

# Mid-tones: relative luminance between 0.15 and 0.30, so each keeps a 3:1
# contrast with white and with mkdocs-material's dark background (#1e2029).
BLUE, GREY, ORANGE, PURPLE, PINK = "#2f80ed", "#8a8f98", "#d9730d", "#9b59d0", "#d6457a"
GREEN, TEAL, GOLD = "#2e9e5b", "#139a97", "#b8860b"
COLOURS = {
    "bexpr": BLUE,
    "closures": GREY,
    "jmespath": ORANGE,
    "simpleeval": PURPLE,
    "rule-engine": PINK,
    "hand-written": GREEN,
    "go-bexpr": GOLD,
    "SQLite": TEAL,
    "PostgreSQL": BLUE,
    "bexpr.polars": BLUE,
    "bexpr.spark": BLUE,
    "dicts + bexpr": ORANGE,
    "p50": BLUE,
    "p99": ORANGE,
}


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""

    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# -- text and numbers ----------------------------------------------------------------------------

_NARROW = set("il.,:;|!'`()[]{}Ij ")
_SEMI = set('frt"-/')
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """A generous estimate of ``text``'s width in pixels: no font metrics here, and
    a reader's sans-serif may be as wide as DejaVu Sans."""
    units = 0.0
    for char in text:
        if char in _NARROW:
            units += 0.32
        elif char in _SEMI:
            units += 0.42
        elif char in _WIDE:
            units += 0.93
        elif char.isupper():
            units += 0.72
        else:
            units += 0.62
    return units * size


def wrap(text: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (by the estimate), broken at spaces."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and text_width(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line]


def num(value: float) -> str:
    """A coordinate: at most one decimal, no ``-0``, no trailing ``.0``."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def grouped(value: float, decimals: int = 0) -> str:
    """``1234.5`` -> ``1,234.5``."""
    return f"{value:,.{decimals}f}"


def ratio_text(value: float) -> str:
    """A ratio as the docs write it: 0.87x, 1.12x, 4.1x, 19.4x, 70x, 457x, 3,700x."""
    if value < 2:
        return f"{value:.2f}x"
    if value < 100:
        return f"{value:.1f}".removesuffix(".0") + "x"
    return f"{grouped(value)}x"


def attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


# -- the bar chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    series: str
    value: float
    label: str  # the value as the chart prints it


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars in groups, on a log or a linear axis."""

    name: str
    title: str
    desc: str
    axis: str  # the caption under the axis
    groups: tuple[Group, ...]
    series: tuple[str, ...]  # legend order
    log: bool = True
    reference: float | None = None  # a dashed line, e.g. at 1x
    reference_label: str = ""
    unit: str = "x"  # after each tick's number
    note: str = ""  # the source, in small print under the chart
    width: int = 760


@dataclass
class Svg:
    """An SVG document built line by line."""

    width: float
    height: float
    title: str
    desc: str
    ident: str
    theme: Theme
    body: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.body.append(line)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        cls: str = "t",
        anchor: str = "start",
        size: float = 12,
        extra: str = "",
    ) -> None:
        anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
        self.add(
            f'<text x="{num(x)}" y="{num(y)}" class="{cls}" font-size="{num(size)}"'
            f"{anchor_attr}{extra}>{escape(content)}</text>"
        )

    def render(self) -> str:
        theme = self.theme
        head = [
            '<svg xmlns="http://www.w3.org/2000/svg"'
            f' width="{num(self.width)}" height="{num(self.height)}"'
            f' viewBox="0 0 {num(self.width)} {num(self.height)}"'
            f' role="img" aria-labelledby="{self.ident}-title {self.ident}-desc"'
            f' font-family="{attr(FONT)}">',
            f'<title id="{self.ident}-title">{escape(self.title)}</title>',
            f'<desc id="{self.ident}-desc">{escape(self.desc)}</desc>',
            "<style>",
            f".t{{fill:{theme.text}}}",
            f".m{{fill:{theme.muted}}}",
            ".b{font-weight:600}",
            f".mono{{font-family:{MONO}}}",
            "</style>",
        ]
        return "\n".join([*head, *self.body, "</svg>"]) + "\n"


def _nice_steps(lo_exp: int, hi_exp: int) -> list[float]:
    return [m * 10.0**e for e in range(lo_exp, hi_exp + 1) for m in (1, 2, 5)]


def log_domain(values: Sequence[float]) -> tuple[float, float, list[float]]:
    """The axis' ends and ticks: 1-2-5 numbers around the values."""
    low, high = min(values), max(values)
    steps = _nice_steps(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
    lo = max(s for s in steps if s <= low * 1.0001)
    hi = min(s for s in steps if s >= high * 1.02)
    ticks = [s for s in steps if lo * 0.999 <= s <= hi * 1.001]
    if len(ticks) > 10:  # many decades: ticks at the powers of ten only
        ticks = [s for s in ticks if abs(math.log10(s) - round(math.log10(s))) < 1e-9]
    return lo, hi, ticks


def linear_domain(values: Sequence[float]) -> tuple[float, float, list[float]]:
    high = max(values)
    for step in _nice_steps(math.floor(math.log10(high)) - 2, math.ceil(math.log10(high)) + 1):
        count = math.ceil(high * 1.02 / step)
        if count <= 8:
            return 0.0, count * step, [i * step for i in range(count + 1)]
    raise AssertionError("no step")  # pragma: no cover


def tick_text(value: float, unit: str) -> str:
    if value >= 1:
        return f"{grouped(value)}{unit}"
    return f"{value:g}{unit}"


def render_bars(chart: BarChart, theme: Theme) -> str:
    values = [bar.value for group in chart.groups for bar in group.bars]
    if chart.reference is not None:
        values.append(chart.reference)
    lo, hi, ticks = log_domain(values) if chart.log else linear_domain(values)

    pad = 16
    label_size, value_size = 12.5, 11
    label_w = max(text_width(g.label, label_size) for g in chart.groups) + 12
    value_room = max(
        text_width(f"{bar.label} {bar.series}", value_size) for g in chart.groups for bar in g.bars
    )
    x0 = pad + label_w
    x1 = chart.width - pad - value_room - 6
    note = wrap(chart.note, 10.5, chart.width - 2 * pad) if chart.note else []

    def x_of(value: float) -> float:
        if chart.log:
            share = (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        else:
            share = (value - lo) / (hi - lo)
        return x0 + share * (x1 - x0)

    # The legend, wrapped to the width.
    legend: list[tuple[float, float, str]] = []
    lx, ly = float(pad), 50.0
    entries: list[str] = [
        s for s in chart.series if any(b.series == s for g in chart.groups for b in g.bars)
    ]
    items = [*entries, *(["\0ref"] if chart.reference is not None else [])]
    for item in items:
        label = chart.reference_label if item == "\0ref" else item
        w = 18 + text_width(label, 12) + 18
        if lx + w > chart.width - pad and lx > pad:
            lx, ly = float(pad), ly + 20
        legend.append((lx, ly, item))
        lx += w

    bar_h, bar_gap, group_pad = 11.0, 3.0, 7.0
    top = ly + 22
    y = top
    rows: list[tuple[Group, float, float]] = []
    for group in chart.groups:
        height = len(group.bars) * (bar_h + bar_gap) - bar_gap + 2 * group_pad
        rows.append((group, y, height))
        y += height
    bottom = y
    height = bottom + 48 + 15 * len(note)

    svg = Svg(chart.width, height, chart.title, chart.desc, chart.name, theme)
    svg.text(pad, 26, chart.title, "t b", size=15)
    for lx, ly, item in legend:
        if item == "\0ref":
            svg.add(
                f'<line x1="{num(lx)}" y1="{num(ly - 4)}" x2="{num(lx + 12)}" y2="{num(ly - 4)}"'
                f' stroke="{theme.text}" stroke-width="1.5" stroke-dasharray="3 2"/>'
            )
            svg.text(lx + 18, ly, chart.reference_label, "t")
        else:
            svg.add(
                f'<rect x="{num(lx)}" y="{num(ly - 10)}" width="12" height="12" rx="2"'
                f' fill="{COLOURS[item]}"/>'
            )
            svg.text(lx + 18, ly, item, "t")

    for index, (group, gy, gh) in enumerate(rows):
        if index % 2 == 0:
            svg.add(
                f'<rect x="{pad}" y="{num(gy)}" width="{num(chart.width - 2 * pad)}"'
                f' height="{num(gh)}" fill="{theme.line}" fill-opacity="0.05"/>'
            )
        svg.text(pad + 6, gy + gh / 2 + 4.5, group.label, "t", size=label_size)
    for tick in ticks:
        tx = x_of(tick)
        svg.add(
            f'<line x1="{num(tx)}" y1="{num(top)}" x2="{num(tx)}" y2="{num(bottom)}"'
            f' stroke="{theme.line}" stroke-opacity="0.14"/>'
        )
        svg.text(tx, bottom + 16, tick_text(tick, chart.unit), "m", anchor="middle", size=11)
    svg.add(
        f'<line x1="{num(x0)}" y1="{num(bottom)}" x2="{num(x1)}" y2="{num(bottom)}"'
        f' stroke="{theme.line}" stroke-opacity="0.45"/>'
    )
    labels: list[str] = []
    for group, gy, _gh in rows:
        by = gy + group_pad
        for bar in group.bars:
            end = x_of(bar.value)
            svg.add(
                f'<rect x="{num(x0)}" y="{num(by)}" width="{num(max(end - x0, 1.5))}"'
                f' height="{num(bar_h)}" rx="1.5" fill="{COLOURS[bar.series]}">'
                f"<title>{escape(f'{group.label}, {bar.series}: {bar.label}')}</title></rect>"
            )
            labels.append(
                f'<text x="{num(max(end, x0) + 5)}" y="{num(by + bar_h - 1.5)}" class="t"'
                f' font-size="{num(value_size)}">{escape(bar.label)}'
                f' <tspan class="m">{escape(bar.series)}</tspan></text>'
            )
            by += bar_h + bar_gap
    if chart.reference is not None:
        rx = x_of(chart.reference)
        svg.add(
            f'<line x1="{num(rx)}" y1="{num(top - 4)}" x2="{num(rx)}" y2="{num(bottom + 4)}"'
            f' stroke="{theme.text}" stroke-width="1.5" stroke-dasharray="3 2"/>'
        )
    # The values last, each on a halo of the page's colour where it crosses a line.
    svg.add(
        f'<g paint-order="stroke" stroke="{theme.halo}" stroke-width="3" stroke-linejoin="round">'
    )
    for label in labels:
        svg.add(label)
    svg.add("</g>")
    svg.text((x0 + x1) / 2, bottom + 34, chart.axis, "t", anchor="middle", size=12)
    for index, line in enumerate(note):
        svg.text(pad, bottom + 56 + 15 * index, line, "m", size=10.5)
    return svg.render()


# -- the charts from the data ---------------------------------------------------------------------

# The names and expressions performance.md's table gives the filters.
NAMES = {
    "map_key": "map key",
    "missing_key": "missing key",
    "empty": "is empty",
    "nil": "is nil",
    "ten_clauses": "ten clauses",
    "all_nested": "nested all",
    "dict_of_jobs": "dict of jobs",
}
PEERS = ("jmespath", "simpleeval", "rule-engine")


def display_name(name: str) -> str:
    return NAMES.get(name, name.replace("_", " "))


def run_note(data: dict[str, Any]) -> str:
    return (
        f"{data['source']}, {grouped(data['records'])} records, best of {data['repeat']},"
        f" Python {data['python']}, {data['machine']}, {data['date']}"
    )


def bar_figures(groups: Sequence[Group]) -> str:
    """Every bar's figure, group by group, for a chart's ``<desc>``."""
    spelled = (f"{g.label}: " + ", ".join(f"{b.series} {b.label}" for b in g.bars) for g in groups)
    return "; ".join(spelled) + "."


def compare_chart(data: dict[str, Any]) -> BarChart:
    groups = []
    lines = []
    for row in data["filters"]:
        twin = row["hand_written_ms"]
        bars = [
            Bar("bexpr", row["bexpr_ms"] / twin, ratio_text(row["bexpr_ms"] / twin)),
            Bar("closures", row["closures_ms"] / twin, ratio_text(row["closures_ms"] / twin)),
        ]
        for peer in PEERS:
            if peer in row["others_ms"]:
                value = row["others_ms"][peer] / twin
                bars.append(Bar(peer, value, ratio_text(value)))
        groups.append(Group(display_name(row["name"]), tuple(bars)))
        lines.append(
            f"{display_name(row['name'])}: " + ", ".join(f"{b.series} {b.label}" for b in bars)
        )
    ratios = [b.value for g in groups for b in g.bars if b.series == "bexpr"]
    desc = (
        "Time of each benchmark filter relative to a hand-written Python predicate for the same"
        f" filter (1x), log scale. bexpr: median {ratio_text(statistics.median(ratios))},"
        f" worst {ratio_text(max(ratios))}. " + "; ".join(lines) + "."
    )
    return BarChart(
        name="compare",
        title="Each filter's time as a multiple of the hand-written Python predicate",
        desc=desc,
        axis="time ÷ the hand-written predicate's time (log scale; shorter is faster)",
        groups=tuple(groups),
        series=("bexpr", "closures", *PEERS),
        reference=1.0,
        reference_label="1x: hand-written Python",
        note=run_note(data),
    )


def reference_chart(data: dict[str, Any], reference: dict[str, Any]) -> BarChart:
    go = {row["name"]: row for row in reference["filters"]}
    records = data["records"]
    groups = []
    lines = []
    for row in data["filters"]:
        if row["name"] not in go:
            continue
        twin = row["hand_written_ms"] * 1e6 / records
        ours = row["bexpr_ms"] * 1e6 / records
        theirs = go[row["name"]]["ns_per_record"]
        bars = (
            Bar("hand-written", twin, f"{grouped(twin)} ns"),
            Bar("bexpr", ours, f"{grouped(ours)} ns"),
            Bar("go-bexpr", theirs, f"{grouped(theirs)} ns"),
        )
        groups.append(Group(display_name(row["name"]), bars))
        lines.append(
            f"{display_name(row['name'])}: " + ", ".join(f"{b.series} {b.label}" for b in bars)
        )
    desc = (
        f"Nanoseconds per record for each benchmark filter on the same {grouped(records)}"
        " job records, log scale: the hand-written Python predicate, bexpr (Python) and"
        " go-bexpr (Go, on the records decoded by encoding/json into maps). "
        + "; ".join(lines)
        + "."
    )
    return BarChart(
        name="reference",
        title="Time per record: bexpr beside go-bexpr, the reference",
        desc=desc,
        axis="nanoseconds per record (log scale; shorter is faster)",
        groups=tuple(groups),
        series=("hand-written", "bexpr", "go-bexpr"),
        unit="",
        note=f"Python: {run_note(data)}. go-bexpr: {reference['note_short']}",
    )


def sql_chart(scale: dict[str, Any]) -> BarChart:
    sql = scale["sql"]
    groups = tuple(
        Group(
            row["way"],
            tuple(
                Bar(backend, row[backend]["ratio"], ratio_text(row[backend]["ratio"]))
                for backend in ("SQLite", "PostgreSQL")
                if backend in row
            ),
        )
        for row in sql["ways"]
    )
    desc = (
        f"How many times faster bexpr.sql answers than loading all {grouped(sql['rows'])} rows"
        " and filtering them in Python, log scale. " + bar_figures(groups)
    )
    return BarChart(
        name="sql",
        title=f"bexpr.sql on {grouped(sql['rows'])} rows: times faster than filtering in Python",
        desc=desc,
        axis="the Python way's time ÷ the SQL way's time (log scale; longer is faster)",
        groups=groups,
        series=("SQLite", "PostgreSQL"),
        reference=1.0,
        reference_label="1x: load every row, filter in Python",
        note=f"{scale['source']}; {sql['note']}",
    )


def frame_chart(scale: dict[str, Any], key: str, engine: str) -> BarChart:
    part = scale[key]
    groups = []
    for name, rows in part["filters"].items():
        base = rows["hand-written"]["time_s"]
        # The ratio the table states, where it states this one; else the times'.
        values = [
            (way, rows[way].get("ratio", rows[way]["time_s"] / base))
            for way in (f"bexpr.{key}", "dicts + bexpr")
        ]
        bars = tuple(Bar(way, value, ratio_text(value)) for way, value in values)
        groups.append(Group(name, bars))
    desc = (
        f"Time of each way relative to the same filter written by hand in {engine} (1x),"
        f" {grouped(part['rows'])} rows, log scale. " + bar_figures(groups)
    )
    return BarChart(
        name=key,
        title=(
            f"{engine}, {grouped(part['rows'])} rows:"
            f" time as a multiple of the hand-written {engine} filter"
        ),
        desc=desc,
        axis=f"time ÷ the hand-written {engine} filter's time (log scale; shorter is faster)",
        groups=tuple(groups),
        series=(f"bexpr.{key}", "dicts + bexpr"),
        reference=1.0,
        reference_label=f"1x: hand-written {engine}",
        note=f"{scale['source']}; {part['note']}",
    )


def endpoints_chart(data: dict[str, Any]) -> BarChart:
    groups = []
    for endpoint in ("check", "complete"):
        figures = data["endpoints"][endpoint]
        groups.append(
            Group(
                f"/v1/filter/{endpoint}",
                (
                    Bar("p50", figures["p50_ms"], f"{figures['p50_ms']:.2f} ms"),
                    Bar("p99", figures["p99_ms"], f"{figures['p99_ms']:.2f} ms"),
                ),
            )
        )
    desc = (
        "Milliseconds per request of the editor's endpoints, one request per keystroke,"
        " against a one-frame budget of typing. " + bar_figures(groups)
    )
    return BarChart(
        name="endpoints",
        title="The editor's endpoints, one request per keystroke",
        desc=desc,
        axis="milliseconds per request (shorter is faster)",
        groups=tuple(groups),
        series=("p50", "p99"),
        log=False,
        unit="",
        reference=data["budget_ms"],
        reference_label=f"{data['budget_ms']:g} ms: a frame of typing",
        note=data["note"],
    )


# -- the pipeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    name: str  # a module, in monospace
    what: str = ""  # a second line, in words
    colour: str = GREY

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


PIPELINE_DESC = (
    "An expression's text, for example Meta.env == prod, goes to syntax.parser, which follows"
    " the grammar grammar/bexpr.peg and gives a tree (syntax.ast), or a ParseError explained by"
    " syntax.diagnostics with its line, column and a caret. Everything after works on the tree:"
    " evaluation.closures compiles it to a predicate(record) returning a bool; evaluation.codegen"
    " writes one Python function per filter, starting a record over on the closures when it"
    " cannot decide it; evaluation.interpreter is the reference walk the others are tested"
    " against; translate.json gives its JSON form; translate.sql a SQLAlchemy condition for"
    " SQLite and PostgreSQL (bexpr.sql); translate.polars and translate.spark a Polars expression"
    " and a Spark column (bexpr.polars, bexpr.spark) over typed records, all three on"
    " translate.core's true, false or maybe, the maybe rows re-checked in Python;"
    " analysis.check and analysis.complete give diagnostics and completions for editors; and"
    " str(tree), the printer, gives the canonical text back."
)


def render_pipeline(theme: Theme) -> str:
    width = 822.0
    col_x, col_w, box_h, gap = 556.0, 240.0, 44.0, 8.0
    sections: list[tuple[str, str, list[tuple[str, str]]]] = [
        (
            "bexpr.evaluation",
            BLUE,
            [
                ("evaluation.closures", "predicate(record) -> bool"),
                ("evaluation.codegen", "one Python function per filter"),
                ("evaluation.interpreter", "the reference walk, for the tests"),
            ],
        ),
        (
            "bexpr.translate (over core, typed)",
            ORANGE,
            [
                ("translate.json", '{"type": "match", ...}'),
                ("translate.sql", "bexpr.sql: SQLite, PostgreSQL"),
                ("translate.polars", "bexpr.polars: a Polars expression"),
                ("translate.spark", "bexpr.spark: a Spark column"),
            ],
        ),
        (
            "bexpr.analysis",
            PURPLE,
            [("check, complete", "diagnostics, completions for UIs")],
        ),
        ("bexpr.syntax.printer", GREEN, [("str(tree)", "the canonical text")]),
    ]
    consumers: list[Box] = []
    frames: list[tuple[float, float, str, str]] = []
    y = 48.0
    for title, colour, members in sections:
        start = y
        y += 20
        for name, what in members:
            consumers.append(Box(col_x, y, col_w, box_h, name, what, colour))
            y += box_h + gap
        frames.append((start, y - gap + 8 - start, title, colour))
        y += 12
    printer = consumers[-1]
    height = y + 40
    # The text, the parser and the tree on one row, level with the middle of the walks.
    row = round((consumers[0].cy + consumers[-2].cy) / 2) - 24
    text = Box(16, row, 160, 48, '"Meta.env == prod"', "the expression's text", GREY)
    grammar = Box(202, row - 100, 160, 48, "grammar/bexpr.peg", "the grammar", GREY)
    parser = Box(202, row, 160, 48, "syntax.parser", "parse", PINK)
    diagnostics = Box(202, row + 100, 160, 62, "syntax.diagnostics", "ParseError: line,", PINK)
    tree = Box(388, row, 100, 48, "tree", "syntax.ast", PINK)

    svg = Svg(
        width,
        height,
        "The pipeline: text, tree, and each walk over the tree",
        PIPELINE_DESC,
        "pipeline",
        theme,
    )
    svg.add(
        "<defs>"
        f'<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7"'
        f' orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="{theme.text}"/></marker>'
        "</defs>"
    )
    stroke = f'stroke="{theme.text}" stroke-width="1.3" fill="none"'

    def arrow(points: Iterable[tuple[float, float]], dashed: bool = False) -> None:
        path = "M" + " L".join(f"{num(px)} {num(py)}" for px, py in points)
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        svg.add(f'<path d="{path}" {stroke}{dash} marker-end="url(#arrow)"/>')

    def box(b: Box, extra_line: str = "") -> None:
        svg.add(
            f'<rect x="{num(b.x)}" y="{num(b.y)}" width="{num(b.w)}" height="{num(b.h)}" rx="6"'
            f' fill="{b.colour}" fill-opacity="0.16" stroke="{b.colour}" stroke-width="1.5"/>'
        )
        lines = 1 + bool(b.what) + bool(extra_line)
        first = b.cy - (lines - 1) * 8 + 4.5
        svg.text(b.cx, first, b.name, "t mono b", anchor="middle", size=13)
        if b.what:
            svg.text(b.cx, first + 16, b.what, "m", anchor="middle", size=12)
        if extra_line:
            svg.text(b.cx, first + 32, extra_line, "m", anchor="middle", size=12)

    for start, h, title, colour in frames:
        svg.add(
            f'<rect x="{num(col_x - 10)}" y="{num(start)}" width="{num(col_w + 20)}"'
            f' height="{num(h)}" rx="8" fill="none" stroke="{colour}" stroke-opacity="0.7"'
            ' stroke-dasharray="2 3"/>'
        )
        svg.text(col_x - 2, start + 14, title, "m mono", size=11)

    svg.text(
        16, 26, "An expression becomes a tree; everything after is a walk over it", "t b", size=15
    )
    box(text)
    box(grammar)
    box(parser)
    box(diagnostics, "column, caret")
    box(tree)
    arrow([(text.x + text.w, text.cy), (parser.x - 2, parser.cy)])
    arrow([(grammar.cx, grammar.y + grammar.h), (parser.cx, parser.y - 2)])
    arrow([(parser.cx, parser.y + parser.h), (diagnostics.cx, diagnostics.y - 2)], dashed=True)
    arrow([(parser.x + parser.w, parser.cy), (tree.x - 2, tree.cy)])
    trunk = tree.x + tree.w + 30
    first, last = consumers[0], consumers[-1]
    svg.add(
        f'<path d="M{num(tree.x + tree.w)} {num(tree.cy)} L{num(trunk)} {num(tree.cy)}'
        f' M{num(trunk)} {num(first.cy)} L{num(trunk)} {num(last.cy)}" {stroke}/>'
    )
    for consumer in consumers:
        arrow([(trunk, consumer.cy), (consumer.x - 2, consumer.cy)])
    for consumer in consumers:
        box(consumer)
    # str(tree) gives the text back: under everything, to the text's box.
    low = printer.y + printer.h + 24
    arrow(
        [
            (printer.cx, printer.y + printer.h),
            (printer.cx, low),
            (text.cx, low),
            (text.cx, text.y + text.h + 2),
        ],
        dashed=True,
    )
    svg.text(
        (text.cx + printer.x) / 2,
        low - 6,
        "the canonical text, back",
        "m",
        anchor="middle",
        size=11.5,
    )
    return svg.render()


# -- the table -----------------------------------------------------------------------------------

EXPRESSIONS = {
    "ten_clauses": "three `and` groups of three or four clauses, joined by `or`",
}


def markdown_table(data: dict[str, Any]) -> str:
    """performance.md's table and its summary line, from compare.json."""
    peers = [p for p in PEERS if any(p in row["others_ms"] for row in data["filters"])]
    head = ["filter", "expression", "hand-written", "bexpr", "ratio", "ns/rec", "closures", *peers]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ratios, closure_ratios = [], []
    for row in data["filters"]:
        twin = row["hand_written_ms"]
        if row["name"] == "dict_of_jobs":
            expression = f"equality, over a dict of {grouped(data['records'])} jobs"
        else:
            expression = EXPRESSIONS.get(row["name"], f"`{row['expression']}`")
        ratios.append(row["bexpr_ms"] / twin)
        closure_ratios.append(row["closures_ms"] / twin)
        cells = [
            display_name(row["name"]),
            expression,
            f"{twin:.1f} ms",
            f"{row['bexpr_ms']:.1f} ms",
            f"{row['bexpr_ms'] / twin:.2f}x",
            f"{row['bexpr_ms'] * 1e6 / data['records']:.0f}",
            f"{row['closures_ms'] / twin:.2f}x",
            *(f"{row['others_ms'][p] / twin:.1f}x" if p in row["others_ms"] else "" for p in peers),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        f"Median **{statistics.median(ratios):.2f}x**, worst **{max(ratios):.2f}x** in this run"
        f" (the closures alone: median {statistics.median(closure_ratios):.2f}x,"
        f" worst {max(closure_ratios):.2f}x)."
    )
    return "\n".join(lines) + "\n"


# -- pytest-benchmark's output ------------------------------------------------------------------

ENDPOINT_TESTS = {"test_check_per_keystroke": "check", "test_complete_per_keystroke": "complete"}


def endpoints_from_benchmark(report: dict[str, Any]) -> dict[str, Any]:
    """docs/data/endpoints.json from the ``--benchmark-json`` file of
    benchmarks/test_filter_endpoints.py: only the figures, the date and the machine."""
    endpoints = {}
    for bench in report["benchmarks"]:
        endpoint = ENDPOINT_TESTS.get(bench["name"])
        if endpoint is None:
            continue
        info = bench["extra_info"]
        endpoints[endpoint] = {
            "requests": bench["stats"]["rounds"],
            "p50_ms": round(info["p50_ms"], 3),
            "p99_ms": round(info["p99_ms"], 3),
            "max_ms": round(info["max_ms"], 3),
        }
    if set(endpoints) != set(ENDPOINT_TESTS.values()):
        raise ValueError("not a --benchmark-json report of benchmarks/test_filter_endpoints.py")
    machine = report["machine_info"]
    cpu = machine.get("cpu", {}).get("brand_raw", machine.get("processor", ""))
    date = report["datetime"][:10]
    python = machine["python_version"]
    return {
        "source": "benchmarks/test_filter_endpoints.py --benchmark-json, converted by"
        " benchmarks/charts.py --endpoints-benchmark",
        "date": date,
        "python": python,
        "machine": f"{cpu}, {machine.get('system', '')}".strip(", "),
        "budget_ms": 20,
        "note": (
            f"benchmarks/test_filter_endpoints.py: bexpr serve in its own process, one keep-alive"
            f" connection on loopback, every prefix of six typical filters; Python {python},"
            f" {cpu}, {date}"
        ),
        "endpoints": endpoints,
    }


# -- main ------------------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def drawings(data_dir: Path) -> dict[str, Callable[[Theme], str]]:
    """Each picture's name and how to draw it for a theme, from what ``data_dir`` holds."""
    found: dict[str, Callable[[Theme], str]] = {}
    charts: list[BarChart] = []
    compare = load(data_dir / "compare.json")
    if compare is not None:
        charts.append(compare_chart(compare))
        reference = load(data_dir / "reference.json")
        if reference is not None:
            charts.append(reference_chart(compare, reference))
    scale = load(data_dir / "scale.json")
    if scale is not None:
        charts += [
            sql_chart(scale),
            frame_chart(scale, "polars", "Polars"),
            frame_chart(scale, "spark", "Spark"),
        ]
    endpoints = load(data_dir / "endpoints.json")
    if endpoints is not None:
        charts.append(endpoints_chart(endpoints))
    for chart in charts:
        found[chart.name] = functools.partial(render_bars, chart)
    found["pipeline"] = render_pipeline
    return found


def render_all(data_dir: Path = DATA) -> dict[str, str]:
    """Every SVG file's name and text."""
    files = {}
    for name, draw in drawings(data_dir).items():
        for theme in THEMES:
            files[f"{name}{theme.suffix}.svg"] = draw(theme)
    return dict(sorted(files.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="where the JSON is (docs/data)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the SVGs go (docs/img)")
    parser.add_argument("--table", action="store_true", help="print compare.json as a table")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if --out is not current"
    )
    parser.add_argument(
        "--endpoints-benchmark",
        metavar="FILE",
        type=Path,
        help="first write DATA/endpoints.json from benchmarks/test_filter_endpoints.py's"
        " --benchmark-json FILE",
    )
    args = parser.parse_args(argv)
    if args.endpoints_benchmark is not None:
        report = json.loads(args.endpoints_benchmark.read_text(encoding="utf-8"))
        target = args.data / "endpoints.json"
        data = endpoints_from_benchmark(report)
        target.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8", newline="\n")
        print(f"wrote {target}")
    files = render_all(args.data)
    stale = [
        name
        for name, text in files.items()
        if not (args.out / name).exists() or (args.out / name).read_text(encoding="utf-8") != text
    ]
    if args.check:
        for name in stale:
            print(
                f"{args.out / name} is not current: run python3 benchmarks/charts.py",
                file=sys.stderr,
            )
        return 1 if stale else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (args.out / name).write_text(files[name], encoding="utf-8", newline="\n")
        print(f"wrote {args.out / name}")
    if args.table:
        compare = load(args.data / "compare.json")
        if compare is None:
            print(f"no {args.data / 'compare.json'}", file=sys.stderr)
            return 1
        print(markdown_table(compare), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
