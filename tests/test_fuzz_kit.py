"""The fuzzing kit in fuzz/ stays usable: dictionary, seeds and harness agree.

- fuzz/bexpr.dict is what fuzz/make_kit.py generates from the operator table,
  and is a dictionary libFuzzer accepts (every entry, none dropped).
- Every seed in fuzz/seeds/ decodes (fuzz/fuzz_input.py) to the expression
  and datum it was written for, and the harness runs on each without failing.

The tests that run the harness need atheris (the ``fuzz`` extra; .ci/run
installs it and runs this file again); they run it in a subprocess because
importing the harness instruments bexpr's modules for the rest of the session.
"""

from __future__ import annotations

import doctest
import hashlib
import importlib
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from bexpr.syntax.tokens import KEYWORDS, spellings

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
DICTIONARY = FUZZ / "bexpr.dict"
SEEDS = FUZZ / "seeds"

# libFuzzer's ParseDictionaryFile: a line is blank, a comment, or an entry.
# Written stricter than libFuzzer reads it (a name, then the quoted value,
# nothing around them), so that its laxer rules never come into play.
_ENTRY = re.compile(
    r'(?P<name>[A-Za-z_][A-Za-z0-9_]*)="(?P<value>(?:[ !#-\[\]-~]|\\[\\"]|\\x[0-9A-Fa-f]{2})+)"'
)
_ESCAPE = re.compile(r'\\(?:x([0-9A-Fa-f]{2})|([\\"]))')
MAX_ENTRY = 64  # libFuzzer's kMaxDictElementSize: longer entries are dropped


def _fuzz_module(name: str) -> ModuleType:
    # The kit's modules import each other as scripts do, from fuzz/.
    if str(FUZZ) not in sys.path:
        sys.path.insert(0, str(FUZZ))
    return importlib.import_module(name)


def _unescape(value: str) -> bytes:
    def byte(match: re.Match[str]) -> str:
        return chr(int(match.group(1), 16)) if match.group(1) else match.group(2)

    return _ESCAPE.sub(byte, value).encode("latin-1")


def _entries() -> dict[str, bytes]:
    """The committed dictionary's entries, failing on any line libFuzzer rejects."""
    entries: dict[str, bytes] = {}
    for number, line in enumerate(DICTIONARY.read_text(encoding="ascii").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ENTRY.fullmatch(line)
        assert match, f'bexpr.dict line {number} is not name="value": {line!r}'
        assert match["name"] not in entries, f"bexpr.dict line {number} repeats a name"
        entries[match["name"]] = _unescape(match["value"])
    return entries


def _seeds() -> list[Path]:
    return sorted(SEEDS.iterdir())


def test_dictionary_is_generated() -> None:
    make_kit = _fuzz_module("make_kit")
    assert DICTIONARY.read_text(encoding="utf-8") == make_kit.dictionary(), (
        "fuzz/bexpr.dict is stale: run python3 fuzz/make_kit.py"
    )


def test_dictionary_syntax() -> None:
    entries = _entries()
    values = list(entries.values())
    assert len(set(values)) == len(values), "a value is in the dictionary twice"
    assert all(len(value) <= MAX_ENTRY for value in values)


def test_dictionary_has_every_operator_and_keyword() -> None:
    values = {value.decode("utf-8") for value in _entries().values()}
    assert {text for text, _ in spellings()} <= values
    assert KEYWORDS.issubset(values)


def test_escape_reads_back() -> None:
    make_kit = _fuzz_module("make_kit")
    every_byte = bytes(range(256))
    assert _unescape(make_kit.escape(every_byte)) == every_byte


def test_input_format() -> None:
    fuzz_input = _fuzz_module("fuzz_input")
    assert doctest.testmod(fuzz_input).failed == 0
    assert fuzz_input.decode(b'a == 1\x00{"a": 2}') == ("a == 1", {"a": 2})
    assert fuzz_input.decode(b"a == 1\x00null") == ("a == 1", None)
    # Broken JSON and invalid UTF-8 still make an input.
    assert fuzz_input.decode(b"\xff\x00{")[0] == "\ufffd"
    assert fuzz_input.decode(b"\xff\x00{")[1]["s"] == "{"
    with pytest.raises(ValueError):
        fuzz_input.encode("a\x00")


def test_seeds_decode_to_what_was_encoded() -> None:
    fuzz_input = _fuzz_module("fuzz_input")
    seeds = _seeds()
    assert 100 <= len(seeds) <= 600
    for path in seeds:
        data = path.read_bytes()
        assert path.name == hashlib.sha1(data).hexdigest(), f"{path.name} is misnamed"
        text, datum = fuzz_input.decode(data)
        # Encoding what was decoded gives the same bytes only when the decoder
        # read the expression and the datum the seed was written with (and
        # not, say, the default datum for JSON it could not read).
        if fuzz_input.SEPARATOR in data:
            assert fuzz_input.encode(text, datum) == data, f"{path.name} reads otherwise"
        else:
            assert fuzz_input.encode(text) == data, f"{path.name} reads otherwise"


def test_seeds_include_the_docs_and_the_conformance_cases() -> None:
    fuzz_input = _fuzz_module("fuzz_input")
    texts = {fuzz_input.decode(path.read_bytes())[0] for path in _seeds()}
    assert 'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"' in texts
    # A documented parse error, and conformance cases of both outcomes.
    assert "Name == web and" in texts
    assert any("any" in text for text in texts)


def _run(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=FUZZ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_harness_runs_every_seed() -> None:
    pytest.importorskip("atheris")
    # Every failing seed is reported, not only the first.
    result = _run(
        """
        import sys, traceback
        from pathlib import Path
        import fuzz_bexpr
        failed = 0
        for path in sorted(Path(sys.argv[1]).iterdir()):
            try:
                fuzz_bexpr.test_one_input(path.read_bytes())
            except Exception:
                failed += 1
                print(f"seed {path.name}:", traceback.format_exc())
        print(f"{failed} seeds failed")
        sys.exit(1 if failed else 0)
        """,
        str(SEEDS),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_libfuzzer_reads_the_dictionary(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    # -runs=0 runs the seeds and stops. libFuzzer writes to the first corpus
    # directory and crash files to the artifact prefix: both in tmp_path.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    command = [sys.executable, "fuzz_bexpr.py", f"-dict={DICTIONARY}", "-runs=0"]
    command += [f"-artifact_prefix={tmp_path}/", str(corpus), str(SEEDS)]
    result = subprocess.run(
        command,
        cwd=FUZZ,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert f"Dictionary: {len(_entries())} entries" in result.stderr, result.stderr
