"""``bexpr bench``: the report's deterministic parts, its errors and exit codes.

Timings are only checked to be positive numbers: they vary from run to run.
Every run here is one short round (``--rounds 1 --min-time 0``) unless a
test is about rounds.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bexpr import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "jobs.json"
FILTER = 'Status == "running" and "dc2" in Datacenters'
TWIN = 'python: lambda r: r["Status"] == "running" and "dc2" in r["Datacenters"]'
QUICK = ["--rounds", "1", "--min-time", "0"]


def bench(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["bench", *QUICK, *args])
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code, out, err = bench(capsys, "--json", *args)
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def positive(value: object) -> bool:
    return isinstance(value, float) and value > 0


def test_the_json_report_counts_matches_and_records(capsys: pytest.CaptureFixture[str]) -> None:
    result = report(capsys, FILTER, str(EXAMPLE))
    assert result["filter"] == FILTER
    assert result["inputs"] == [str(EXAMPLE)]
    assert (result["records"], result["matches"], result["errors"]) == (7, 3, 0)
    assert result["selectivity"] == 3 / 7
    assert (result["errors_mode"], result["first_error"]) == ("fail", None)
    assert result["compare"] is None
    compiled = result["compile"]
    assert all(positive(compiled[name]) for name in ("grammar", "cold"))
    for timing in (compiled["uncached"], compiled["cached"], result["evaluate"]["per_record"]):
        assert positive(timing["median"]) and positive(timing["min"])
        assert timing["min"] <= timing["median"] and len(timing["rounds"]) == 1
    evaluated = result["evaluate"]
    assert positive(evaluated["records_per_second"]) and positive(evaluated["first_pass"])
    assert evaluated["rounds"] == 1 and evaluated["passes_per_round"] >= 1
    assert evaluated["code"] == "generated"
    memory = result["memory"]
    assert isinstance(memory["tracemalloc_peak"], int) and memory["tracemalloc_peak"] >= 0
    assert memory["peak_rss"] is None or memory["peak_rss"] > 0
    assert result["python"] == platform.python_version()


def test_rounds_give_one_figure_each(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["bench", "--json", "--rounds", "3", "--min-time", "0", FILTER, str(EXAMPLE)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    for timing in (result["compile"]["uncached"], result["evaluate"]["per_record"]):
        assert len(timing["rounds"]) == 3
        assert timing["min"] == min(timing["rounds"])
        assert timing["median"] == sorted(timing["rounds"])[1]


def test_the_text_report_is_aligned_and_says_what_matched(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = bench(capsys, "--compare", TWIN, FILTER, str(EXAMPLE))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    labels = [line[:12].strip() for line in lines if line[:12].strip()]
    assert labels == ["filter", "records", "compile", "evaluate", "matches", "memory", "compare"]
    assert all(line[12] != " " and line[11] == " " for line in lines)
    assert f"filter      {FILTER}" in lines
    assert f"records     7 ({EXAMPLE})" in lines
    assert "matches     3 (42.9%) · errors 0 (--errors fail)" in lines
    assert any(line.startswith("compile     cold ") and " · cached " in line for line in lines)
    assert any(line.startswith("evaluate    ") and "/record" in line for line in lines)
    assert f"compare     {TWIN}" in lines
    assert "bexpr takes " in out and "NOT THE SAME FILTER" not in out


def test_compare_with_the_same_filter(capsys: pytest.CaptureFixture[str]) -> None:
    compared = report(capsys, "--compare", TWIN, FILTER, str(EXAMPLE))["compare"]
    assert compared["predicate"] == TWIN
    assert (compared["same_matches"], compared["difference"]) == (True, None)
    assert positive(compared["ratio"]) and positive(compared["ratio_min"])
    assert positive(compared["per_record"]["median"])


def test_compare_reports_a_different_match_count(capsys: pytest.CaptureFixture[str]) -> None:
    loose = 'python: lambda r: r["Status"] == "running"'
    code, out, err = bench(capsys, "--json", "--compare", loose, FILTER, str(EXAMPLE))
    assert code == 0
    compared = json.loads(out)["compare"]
    assert compared["same_matches"] is False
    assert compared["difference"] == "the lambda keeps 4 records, bexpr 3"
    assert (
        err
        == "bexpr: warning: --compare: the lambda keeps 4 records, bexpr 3: not the same filter\n"
    )
    code, out, _ = bench(capsys, "--compare", loose, FILTER, str(EXAMPLE))
    assert "            NOT THE SAME FILTER: the lambda keeps 4 records, bexpr 3\n" in out


def test_compare_reports_the_same_count_of_other_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "n.json"
    data.write_text('[{"n": 1}, {"n": 2}]')
    compare = 'python: lambda r: re.fullmatch("2", str(r["n"]))'  # `re` is at hand
    compared = report(capsys, "--compare", compare, "n == 1", str(data))["compare"]
    assert compared["same_matches"] is False
    assert (
        compared["difference"] == "the lambda and bexpr both keep 1 records, but not the same ones"
    )


@pytest.mark.parametrize(
    ("compare", "message"),
    [
        ("lambda r: True", "bexpr: --compare takes 'python: EXPR'"),
        ("jmespath: Status", "bexpr: --compare takes 'python: EXPR'"),
        ("python:", "bexpr: --compare takes 'python: EXPR'"),
        ("python: lambda r:", "bexpr: --compare: SyntaxError: "),
        ("python: undefined_name", "bexpr: --compare: NameError: "),
        ("python: 42", "bexpr: --compare: EXPR must be a function of one record"),
        (
            'python: lambda r: r["Owner"]',
            f"bexpr: --compare: the predicate raised KeyError: 'Owner' on record 0 of {EXAMPLE}",
        ),
        ("python: lambda: True", "bexpr: --compare: the predicate raised TypeError: "),
    ],
)
def test_a_bad_compare_exits_2(
    capsys: pytest.CaptureFixture[str], compare: str, message: str
) -> None:
    code, out, err = bench(capsys, "--compare", compare, FILTER, str(EXAMPLE))
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert "Traceback" not in err


def test_an_invalid_filter_exits_2_as_the_command_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expression = "Status == running and"
    assert cli.main([expression, str(EXAMPLE)]) == 2
    expected = capsys.readouterr().err
    code, out, err = bench(capsys, expression, str(EXAMPLE))
    assert (code, out, err) == (2, "", expected)
    assert err.startswith("bexpr: invalid filter: expected a selector")
    assert err.endswith("  Status == running and\n                       ^\n")


def test_an_empty_filter_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = bench(capsys, "", str(EXAMPLE))
    assert code == 2 and err.startswith("bexpr: bench needs a filter")


def test_unreadable_inputs_exit_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = bench(capsys, FILTER, str(tmp_path / "missing.json"))
    assert (code, out) == (3, "")
    assert err == f"bexpr: cannot read {tmp_path / 'missing.json'}: No such file or directory\n"
    for content in ("{not json", "5", "[]", '{"a": 1}\n{"a":\n'):
        bad = tmp_path / "bad.json"
        bad.write_text(content)
        code, out, err = bench(capsys, "a == 1", str(bad))
        assert (code, out) == (3, ""), content
        assert err.startswith("bexpr: ") and "Traceback" not in err
    (tmp_path / "latin1.json").write_bytes(b'[{"a": "caf\xe9"}]')
    code, _, err = bench(capsys, "a == 1", str(tmp_path / "latin1.json"))
    assert code == 3 and "not UTF-8" in err
    code, _, err = bench(capsys, "a == 1", str(tmp_path))
    assert code == 3 and err.startswith("bexpr: cannot read")


def test_errors_fail_stops_as_the_command_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "records.json"
    data.write_text('[{"n": 1}, {"m": 2}, {"n": 3}, {"n": 1}]')
    assert cli.main(["n == 1", str(data)]) == 1
    expected = capsys.readouterr().err
    code, out, err = bench(capsys, "n == 1", str(data))
    assert (code, out, err) == (1, "", expected)
    assert err == "bexpr: record 1: no key 'n' at n\n"


def test_errors_skip_counts_the_records_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "records.json"
    data.write_text('[{"n": 1}, {"m": 2}, {"n": 3}, {"n": 1}]')
    code, out, err = bench(capsys, "--json", "--errors", "skip", "n == 1", str(data))
    assert code == 0
    result = json.loads(out)
    assert (result["records"], result["matches"], result["errors"]) == (4, 2, 1)
    assert result["selectivity"] == 0.5
    assert (result["errors_mode"], result["first_error"]) == ("skip", "record 1: no key 'n' at n")
    assert err.startswith("bexpr: warning: skipped 1 record that could not be evaluated")
    code, out, _ = bench(capsys, "--errors", "skip", "n == 1", str(data))
    assert "matches     2 (50.0%) · errors 1 (skipped; the first is on stderr)\n" in out


def test_objects_lines_and_several_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mapping = tmp_path / "map.json"
    mapping.write_text('{"a": {"n": 1}, "b": {"n": 2}, "c": {"n": 1}}')
    lines = tmp_path / "lines.jsonl"
    lines.write_text("".join(json.dumps({"n": i % 3}) + "\n" for i in range(300)))
    result = report(capsys, "n == 1", str(mapping), str(lines))
    assert result["inputs"] == [str(mapping), str(lines)]
    assert (result["records"], result["matches"]) == (303, 102)
    compare = "python: lambda r: r['n'] == 1"
    compared = report(capsys, "--compare", compare, "n == 1", str(mapping), str(lines))["compare"]
    assert compared["same_matches"] is True
    single = tmp_path / "single.jsonl"
    single.write_text('{"n": 1}\n')
    assert report(capsys, "--jsonl", "n == 1", str(single))["records"] == 1


def test_select_and_unknown_work_as_for_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    document = tmp_path / "doc.json"
    document.write_text(json.dumps({"Jobs": json.loads(EXAMPLE.read_text()), "Index": 7}))
    result = report(capsys, "--select", "/Jobs", "Status == dead", str(document))
    assert (result["records"], result["matches"]) == (7, 2)
    assert bench(capsys, "--select", "/Nope", "a == 1", str(document))[0] == 3
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"n": 1}\n{"n": 2}\n')
    assert bench(capsys, "--select", "/Jobs", "n == 1", str(lines))[0] == 2

    result = report(capsys, "--unknown", '"nobody"', "Owner == nobody", str(EXAMPLE))
    assert result["matches"] == 7
    assert result["compile"]["cached"] is not None
    # A list is not a value the expression cache takes.
    result = report(capsys, "--unknown", "[1]", "Owner is empty", str(EXAMPLE))
    assert result["compile"]["cached"] is None
    assert bench(capsys, "--unknown", "{bad", "a == 1", str(EXAMPLE))[0] == 2


def test_progress_is_off_unless_asked_for(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bench(capsys, FILTER, str(EXAMPLE))[2] == ""
    monkeypatch.setenv("BEXPR_PROGRESS_DELAY", "0")
    code, out, err = bench(capsys, "--progress", "always", FILTER, str(EXAMPLE))
    assert code == 0 and out.startswith("filter ")
    assert "\rbexpr bench: compiling, round 1 of 1" in err
    assert err.endswith("\r\x1b[K")  # the line is cleared before the report


def test_help_mentions_bench_and_that_compare_runs_python(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0
    assert "bexpr bench [options] FILTER" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        cli.main(["bench", "--help"])
    assert exited.value.code == 0
    assert "eval()" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        cli.main(["bench", "--rounds", "0", FILTER])
    assert exited.value.code == 2


def test_bench_runs_as_a_command_reading_standard_input() -> None:
    lines = "".join(
        json.dumps({"n": i % 4, "Tags": ["a"] if i % 2 else []}) + "\n" for i in range(1000)
    )
    result = subprocess.run(
        [sys.executable, "-m", "bexpr", "bench", "--json", *QUICK, '"a" in Tags and n == 1'],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stderr) == (0, "")
    output = json.loads(result.stdout)
    assert output["inputs"] == ["standard input"]
    assert (output["records"], output["matches"], output["selectivity"]) == (1000, 250, 0.25)
    assert positive(output["evaluate"]["per_record"]["median"])
