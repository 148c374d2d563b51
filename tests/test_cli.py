"""The bexpr command, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "jobs.json"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bexpr", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def ids(output: str) -> list[str]:
    return [job["ID"] for job in json.loads(output)]


def test_filters_the_bundled_example() -> None:
    result = run('Datacenters contains "dc2" and Meta.env == "prod"', str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert ids(result.stdout) == ["countdash", "web-frontend", "log-shipper"]


def test_reads_stdin_and_keeps_object_shape() -> None:
    result = run("n == 1", "-", stdin='{"a": {"n": 1}, "b": {"n": 2}}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"a": {"n": 1}}


def test_json_lines_are_detected_and_streamed_as_lines() -> None:
    lines = "".join(json.dumps({"n": i}) + "\n" for i in range(1000))
    result = run("n == 7 or n == 700", stdin=lines)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ['{"n": 7}', '{"n": 700}']


def test_jsonl_flag_forces_lines() -> None:
    # A single object on one line is a document, unless --jsonl says otherwise.
    assert json.loads(run("n == 1", stdin='{"x": {"n": 1}}\n').stdout) == {"x": {"n": 1}}
    assert run("--jsonl", "n == 1", stdin='{"n": 1}\n').stdout == '{"n": 1}\n'


def test_several_files_and_count(tmp_path: Path) -> None:
    other = tmp_path / "more.jsonl"
    other.write_text('{"Datacenters": ["dc2"]}\n{"Datacenters": []}\n')
    result = run("--count", 'Datacenters contains "dc2"', str(EXAMPLE), str(other))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "5\n"


def test_check_exits_0_when_valid_and_2_with_a_caret_when_not() -> None:
    ok = run("--check", 'Name matches "^web-"')
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    bad = run("--check", "Name == web and")
    assert bad.returncode == 2
    assert "Name == web and" in bad.stderr
    assert "^" in bad.stderr
    assert "expected a selector, a value, 'not' or '(' after 'and'" in bad.stderr


def test_explain_prints_the_tree_and_the_canonical_form() -> None:
    result = run("--explain", 'not (a == 1 or "x" in Tags)')
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "Not",
        "  Or",
        '    Match ==  selector=a  value="1"',
        '    Match in  selector=Tags  value="x"',
        'canonical: not (a == 1 or "x" in Tags)',
    ]


def test_unknown_value_for_missing_keys() -> None:
    result = run("--unknown", '"ana"', "Owner == ana", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 7
    assert run("--unknown", "{bad", "a == 1", str(EXAMPLE)).returncode == 2


def test_select_filters_a_nested_list() -> None:
    document = json.dumps({"Jobs": json.loads(EXAMPLE.read_text()), "Index": 7})
    result = run("--select", "/Jobs", "Status == dead", stdin=document)
    assert result.returncode == 0, result.stderr
    assert ids(result.stdout) == ["nightly-report", "old-api"]
    assert run("--select", "/Nope", "a == 1", stdin=document).returncode == 3


RECORDS = '[{"n": 1}, {"m": 2}, {"n": 3}, {"n": 1}]'


def test_errors_fail_names_the_record() -> None:
    result = run("n == 1", stdin=RECORDS)
    assert result.returncode == 1
    assert "record 1" in result.stderr and "'n'" in result.stderr


def test_errors_skip_and_collect() -> None:
    skipped = run("--errors", "skip", "n == 1", stdin=RECORDS)
    assert (skipped.returncode, json.loads(skipped.stdout)) == (0, [{"n": 1}, {"n": 1}])
    assert "skipped 1 record that could not be evaluated" in skipped.stderr
    collected = run("--errors", "collect", "n == 1", stdin=RECORDS)
    assert json.loads(collected.stdout) == [{"n": 1}, {"n": 1}]
    problems = [json.loads(line) for line in collected.stderr.splitlines()]
    assert problems == [{"key": 1, "record": {"m": 2}, "error": "no key 'n' at n"}]


def test_progress_can_be_forced_and_is_off_when_not_a_terminal() -> None:
    lines = "".join(json.dumps({"n": i}) + "\n" for i in range(5000))
    quiet = run("n == 1", stdin=lines)
    assert quiet.stderr == ""
    shown = subprocess.run(
        [sys.executable, "-m", "bexpr", "--progress", "always", "n == 1"],
        input=lines,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BEXPR_PROGRESS_DELAY": "0"},
    )
    assert "records, 1 matched" in shown.stderr


def test_invalid_filter_exits_2_and_bad_input_exits_3() -> None:
    assert run("Name ==", str(EXAMPLE)).returncode == 2
    assert run("a == 1", stdin="{not json").returncode == 3
    assert run("a == 1", stdin="5").returncode == 3
    assert run("a == 1", "/no/such/file.json").returncode == 3


def test_serve_subcommand_is_the_example_server() -> None:
    result = run("serve", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: bexpr serve")


def test_help_documents_exit_codes() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert "exit codes:" in result.stdout and "3  an input cannot be read" in result.stdout


def test_console_script_is_the_same_command() -> None:
    script = shutil.which("bexpr")
    if script is None:
        pytest.skip("the bexpr script is not installed (pip install -e .)")
    args = ["--count", 'Datacenters contains "dc2"', str(EXAMPLE)]
    direct = subprocess.run([script, *args], capture_output=True, text=True, timeout=60)
    assert (direct.returncode, direct.stdout) == (0, run(*args).stdout)


def test_check_reports_a_pattern_that_fails_on_every_record() -> None:
    result = run("--check", 'Name matches "^web-(?=1)"')
    assert result.returncode == 2
    assert result.stderr.startswith("bexpr: invalid filter: invalid regular expression")
    assert "(line 1, column 14)" in result.stderr and "^^^^^^^^^^^^" in result.stderr
    assert run("--check", "all L as x, x { x == 1 }").returncode == 2
    assert run("--check", 'Name matches "^web-"').returncode == 0


def test_errors_skip_says_how_many_records_it_left_out() -> None:
    result = run("--count", "--errors", "skip", 'Name matches "^web-(?=1)"', str(EXAMPLE))
    assert (result.returncode, result.stdout) == (0, "0\n")
    assert result.stderr.startswith("bexpr: warning: skipped 7 records that could not be evaluated")
    assert "record 0" in result.stderr and "invalid regular expression" in result.stderr
    clean = run("--count", "--errors", "skip", "Name == x", str(EXAMPLE))
    assert (clean.stdout, clean.stderr) == ("0\n", "")


def test_a_bad_json_line_is_an_input_error_naming_the_line() -> None:
    result = run("a == 1", stdin='{"a": 1}\n{"a": 2}\n{"a":\n')
    assert result.returncode == 3
    assert result.stdout == '{"a": 1}\n'
    assert result.stderr.startswith("bexpr: standard input: line 3 is not JSON")
    assert "the data raised" not in result.stderr


def test_progress_counts_matches_while_a_document_is_filtered() -> None:
    document = json.dumps([{"n": i % 2} for i in range(5000)])
    shown = subprocess.run(
        [sys.executable, "-m", "bexpr", "--progress", "always", "--count", "n == 1"],
        input=document,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "BEXPR_PROGRESS_DELAY": "0"},
    )
    assert shown.stdout == "2500\n"
    assert "records, 0 matched" not in shown.stderr and " matched (" in shown.stderr


def test_help_mentions_serve_and_that_files_are_optional() -> None:
    out = run("--help").stdout
    assert "bexpr serve" in out and "pip install 'bexpr[server]'" in out
    assert "optional: standard input" in out


def _help_examples() -> list[str]:
    out = run("--help").stdout
    section = out.split("examples", 1)[1].split("\n", 1)[1]
    return [line.strip() for line in section.splitlines() if line.strip().startswith("bexpr ")]


def test_there_are_help_examples() -> None:
    assert len(_help_examples()) >= 5


@pytest.mark.parametrize("example", _help_examples())
def test_every_help_example_runs(example: str, tmp_path: Path) -> None:
    root = EXAMPLE.parent.parent
    command = example.split("  #", 1)[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # `bexpr` in the example is this checkout's command.
    (bin_dir / "bexpr").write_text(f'#!/bin/sh\nexec {sys.executable} -m bexpr "$@"\n')
    (bin_dir / "bexpr").chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    if command.startswith("bexpr serve"):
        command = command.replace("--port 4646", "--port 0")
        server = subprocess.Popen(
            ["bash", "-c", command], cwd=root, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            assert server.stderr is not None
            started = ""
            for line in server.stderr:
                started += line
                if "Uvicorn running" in line or "Application startup complete" in line:
                    break
            assert "startup complete" in started or "Uvicorn running" in started, started
        finally:
            server.terminate()
            server.wait(timeout=10)
        return
    result = subprocess.run(
        ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() or "--check" in command  # --check prints nothing when valid


def test_serve_without_the_extra_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from bexpr.examples import server

    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import uvicorn now fails
    errors: list[str] = []
    monkeypatch.setattr(sys, "stderr", type("W", (), {"write": errors.append, "flush": id})())
    assert server.main([]) == 2
    assert "pip install 'bexpr[server]'" in "".join(errors)


def test_explain_source_shows_the_generated_function() -> None:
    result = run("--explain", "--source", 'Name == "web"')
    assert result.returncode == 0, result.stderr
    assert "def p(root):" in result.stdout and "where:\n  k0 = 'Name'\n" in result.stdout
    kept = run("--explain", "--source", "any L as x, x { x == 1 }")
    assert "generated: none" in kept.stdout
    assert run("--source", "a == 1").returncode == 2


def test_input_that_is_not_utf8_or_nests_too_deeply_exits_3(tmp_path: Path) -> None:
    """Bytes that are not UTF-8, or JSON nested past the decoder's recursion,
    are bad input: a message and exit 3, never a traceback."""
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe[1]")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    for path, message in ((binary, "not UTF-8"), (deep, "nested too deeply")):
        result = run("a == 1", str(path))
        assert result.returncode == 3 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
