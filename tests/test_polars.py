"""bexpr.polars: exactly the rows bexpr.filter keeps on frame.to_dicts(), errors included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

import bexpr  # noqa: E402
import bexpr.polars  # noqa: E402
from bexpr.go import re2  # noqa: E402
from tests.frames import Kind, canon, frames, kept, typed_trees  # noqa: E402
from tests.strategies import trees  # noqa: E402
from tests.test_conformance import EVALUATING  # noqa: E402
from tests.test_re2 import MATCH_CASES  # noqa: E402

CASES = EVALUATING


def outcome(run: Any) -> Any:
    try:
        return canon(run())
    except bexpr.EvaluationError as err:
        return ("error", err.key)


def compare(frame: Any, text: str, errors: str, **options: Any) -> Any:
    """bexpr.polars.filter against bexpr.filter on the frame's rows."""
    rows = frame.to_dicts()
    expected = outcome(lambda: bexpr.filter(text, rows, errors=errors, **options))
    got = outcome(lambda: bexpr.polars.filter(frame, text, errors=errors, **options).to_dicts())
    assert got == expected, (text, errors, frame.schema, rows)
    lazy = outcome(
        lambda: (
            bexpr.polars.filter(frame.lazy(), text, errors=errors, **options).collect().to_dicts()
        )
    )
    # A lazy frame's error is Polars' copy (no key): compare what it says.
    if isinstance(expected, tuple):
        assert isinstance(lazy, tuple), (text, errors, rows)
    else:
        assert lazy == expected, (text, errors, rows)
    return expected


# -- the conformance corpus, where its record fits a typed frame ------------------------


def fitting_frame(record: Any) -> Any:
    """A one-row frame holding ``record``, or None if Polars cannot type it as is."""
    if not isinstance(record, dict) or not record:
        return None
    try:
        frame = pl.DataFrame([record])
    except Exception:
        return None
    if frame.to_dicts() != [record] or any(dtype == pl.Object for dtype in frame.schema.values()):
        return None
    return frame


FITTING = [(case, fitting_frame(case["data"])) for case in CASES]
FITTING = [(case, frame) for case, frame in FITTING if frame is not None]


def test_many_corpus_records_fit_a_frame() -> None:
    assert len(FITTING) > 100


@pytest.mark.parametrize(("case", "frame"), FITTING, ids=[c["id"] for c, _ in FITTING])
def test_a_corpus_case_on_a_frame(case: dict[str, Any], frame: Any) -> None:
    options = case.get("options") or {}
    for errors in ("fail", "skip"):
        compare(frame, case["expr"], errors, **options)


# -- generated schemas, rows and filters ---------------------------------------------------


def polars_type(kind: Kind) -> Any:
    if kind.name == "list":
        assert kind.element is not None
        return pl.List(polars_type(kind.element))
    if kind.name == "struct":
        return pl.Struct({name: polars_type(inner) for name, inner in kind.fields})
    return {"str": pl.String, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}[kind.name]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(frame=frames(), data=st.data())
def test_generated_frames_and_filters(frame: Any, data: st.DataObject) -> None:
    schema, rows = frame
    tree = data.draw(typed_trees(schema) if data.draw(st.integers(0, 9)) else trees())
    typed = pl.DataFrame(rows, schema={name: polars_type(kind) for name, kind in schema.items()})
    text = str(tree)
    fail = compare(typed, text, "fail")
    skip = compare(typed, text, "skip")
    exact = bexpr.polars.translate(text, typed.schema).exact
    event(f"fail: {kept(fail, len(rows))}; skip: {kept(skip, len(rows))}; exact: {exact}")


# -- regexes in Rust's dialect -----------------------------------------------------------


VALID = []
for pattern, subject, expected in MATCH_CASES:
    try:
        re2.to_rust(pattern)
    except re2.RE2SyntaxError:
        continue
    if "\ud800" <= subject <= "\udfff" or any("\ud800" <= c <= "\udfff" for c in subject):
        continue  # a Polars string is UTF-8: no lone surrogates
    VALID.append((pattern, subject, expected))


def test_every_re2_match_case_runs_in_rust() -> None:
    assert len(VALID) > 200
    subjects = pl.Series([subject for _, subject, _ in VALID])
    found = [
        pl.Series([subject]).str.contains(re2.to_rust(pattern)).item()
        for pattern, subject, _ in VALID
    ]
    assert len(found) == len(subjects)
    wrong = [
        (pattern, subject, expected)
        for (pattern, subject, expected), got in zip(VALID, found, strict=True)
        if got != expected
    ]
    assert not wrong


def test_a_pattern_too_large_for_the_engine_runs_in_python() -> None:
    frame = pl.DataFrame({"s": ["a" * 3000, "b"]})
    text = 's matches "\\\\pL{1000}\\\\pL{1000}a"'
    assert bexpr.polars.filter(frame, text)["s"].to_list() == ["a" * 3000]


# -- the API ------------------------------------------------------------------------------


def test_a_lazy_frame_stays_lazy_and_streams(tmp_path: Path) -> None:
    path = tmp_path / "jobs.parquet"
    pl.DataFrame(
        {
            "ID": [f"job-{i}" for i in range(1000)],
            "Meta": [{"env": "prod" if i % 3 else "dev"} for i in range(1000)],
            "Count": [None if i % 7 == 0 else i for i in range(1000)],
        }
    ).write_parquet(path)
    lazy = bexpr.polars.filter(pl.scan_parquet(path), "Meta.env == dev", errors="skip")
    assert isinstance(lazy, pl.LazyFrame)
    streamed = lazy.collect(engine="streaming")
    assert streamed["ID"].to_list() == [f"job-{i}" for i in range(0, 1000, 3)]
    # Count is null in some rows: an error there, skipped, or raised at collect.
    skipped = bexpr.polars.filter(pl.scan_parquet(path), "Count == 10", errors="skip")
    assert skipped.collect(engine="streaming")["ID"].to_list() == ["job-10"]
    failing = bexpr.polars.filter(pl.scan_parquet(path), "Count == 10")
    with pytest.raises(bexpr.EvaluationError, match="record"):
        failing.collect(engine="streaming")


def test_the_first_failing_row_is_named() -> None:
    frame = pl.DataFrame({"Name": ["web", None, "db", None]})
    with pytest.raises(bexpr.EvaluationError) as raised:
        bexpr.polars.filter(frame, "Name == web")
    assert raised.value.key == 1 and raised.value.selector == "Name"
    problems: list[Any] = []
    kept = bexpr.polars.filter(frame, "Name == web", errors=problems.append)
    assert kept["Name"].to_list() == ["web"] and [p.key for p in problems] == [1, 3]


def test_an_expression_for_a_frame() -> None:
    frame = pl.DataFrame({"Name": ["web", "db"], "Tags": [["a", "b"], ["c"]]})
    keep = bexpr.polars.expr('"a" in Tags or Name == db', frame.schema)
    assert frame.filter(keep)["Name"].to_list() == ["web", "db"]
    exact = bexpr.polars.translate("Name == web", {"Name": pl.String})
    assert not exact.exact  # a null Name would be an error: such rows are Python's
    assert exact.columns == ("Name",)


def test_nothing_but_library_errors_escape() -> None:
    frame = pl.DataFrame({"x": [1]})
    with pytest.raises(bexpr.ParseError):
        bexpr.polars.filter(frame, "x ==")


# -- fail mode numbers the rows only when it must ------------------------------------------


def test_fail_mode_runs_python_on_rows_that_do_not_fail() -> None:
    # The pattern is too large for Polars' engine: Python decides every prod
    # row; a dev row's null Name is never reached (nor an error).
    big = 'Name matches "\\\\pL{1000}\\\\pL{1000}a"'
    names = ["a" * 3000 if i % 2 else "b" for i in range(3000)]
    frame = pl.DataFrame(
        {
            "Env": ["prod" if i % 3 else "dev" for i in range(3000)],
            "Name": [None if i % 3 == 0 else name for i, name in enumerate(names)],
        }
    )
    text = f"Env == prod and {big}"
    expected = bexpr.filter(text, frame.to_dicts())
    assert len(expected) == 1000
    assert bexpr.polars.filter(frame, text).to_dicts() == expected
    assert bexpr.polars.filter(frame.lazy(), text).collect().to_dicts() == expected
    problems: list[Any] = []
    assert bexpr.polars.filter(frame, text, errors=problems.append).to_dicts() == expected
    assert problems == []
    # A prod row with a null Name, late: the first row the reference fails on.
    late = frame.with_columns(Name=pl.when(pl.int_range(3000) == 2999).then(None).otherwise("Name"))
    with pytest.raises(bexpr.EvaluationError) as raised:
        bexpr.polars.filter(late, text)
    assert raised.value.key == 2999


def test_a_late_failing_row_is_the_first_one_named() -> None:
    size = 5000
    # Rows before 4000 with a null Count are not web: the first test drops
    # them (without an error, as the reference does); 4321 is the first web
    # row whose Count is null, and 4500 another.
    frame = pl.DataFrame(
        {
            "Name": ["web" if i >= 4000 else "db" for i in range(size)],
            "Count": [None if i % 7 == 0 or i in (4321, 4500) else i for i in range(size)],
        }
    )
    text = "Name == web and Count != 3"
    rows = frame.to_dicts()
    with pytest.raises(bexpr.EvaluationError) as reference:
        bexpr.filter(text, rows)
    with pytest.raises(bexpr.EvaluationError) as raised:
        bexpr.polars.filter(frame, text)
    assert raised.value.key == reference.value.key == 4004  # 4004 = 7 * 572
    assert raised.value.selector == "Count"
    problems: list[Any] = []
    kept = bexpr.polars.filter(frame, text, errors=problems.append)
    expected_problems: list[Any] = []
    assert kept.to_dicts() == bexpr.filter(text, rows, errors=expected_problems.append)
    # Each failing row once, in frame order, with its position in the frame.
    assert [(p.key, p.record) for p in problems] == [(p.key, p.record) for p in expected_problems]
    assert [p.key for p in problems][:4] == [4004, 4011, 4018, 4025]
    assert 4321 in [p.key for p in problems] and 4500 in [p.key for p in problems]


def test_a_lazy_scan_numbers_its_rows_in_the_reader(tmp_path: Path) -> None:
    for part in range(3):
        start = part * 1000
        pl.DataFrame(
            {
                "ID": [f"job-{i}" for i in range(start, start + 1000)],
                "Env": ["prod" if i % 3 else "dev" for i in range(start, start + 1000)],
                "Count": [None if i == 2345 else i for i in range(start, start + 1000)],
            }
        ).write_parquet(tmp_path / f"jobs-{part}.parquet", row_group_size=250)
    scan = pl.scan_parquet(sorted(tmp_path.glob("*.parquet")))
    ok = bexpr.polars.filter(scan, "Env == dev and Count != 1")
    # The row index and the Polars tests are in the reader (no node above
    # it numbers the rows); only the Python re-check is a node above.
    plan = ok.explain(engine="streaming")
    assert "ROW INDEX" not in plan and "ROW_INDEX" in plan and "SELECTION" in plan, plan
    assert ok.collect(engine="streaming")["ID"].to_list() == [f"job-{i}" for i in range(0, 3000, 3)]
    # Row 2345 (in the third file) is prod: the reference fails on it.
    failing = bexpr.polars.filter(scan, "Env == prod and Count != 1")
    with pytest.raises(bexpr.EvaluationError, match="record 2345:"):
        failing.collect(engine="streaming")
    with pytest.raises(bexpr.EvaluationError, match="record 2345:"):
        failing.collect()
    problems: list[Any] = []
    bexpr.polars.filter(scan, "Env == prod and Count != 1", errors=problems.append).collect()
    assert [p.key for p in problems] == [2345]


def test_errors_must_be_fail_skip_or_a_function() -> None:
    frame = pl.DataFrame({"Name": ["web", None]})
    with pytest.raises(ValueError, match="errors must be"):
        bexpr.polars.filter(frame, "Name == web", errors="ignore")  # type: ignore[arg-type]
