"""Build the fuzzing kit: the dictionary fuzz/bexpr.dict and the seeds in fuzz/seeds/.

Run ``python3 fuzz/make_kit.py`` after changing the operator table, the
docs' examples or the conformance data; ``--check`` only reports whether the
committed kit is what this script would write (exit status 1 if not).

The dictionary's operator and keyword entries are read from the operator
table (bexpr/syntax/operators.py) and bexpr/syntax/tokens.py, so a new
operator reaches the fuzzer without anyone editing the dictionary;
tests/test_fuzz_kit.py fails when the committed file is stale. The rest of
the dictionary is fragments of the language's values (strings, escapes,
numbers, JSON pointers) and of RE2 syntax, which no table lists.

The seeds are the filter expressions that README.md and docs/*.md show, and
those of the conformance cases in tests/data, in the harness's input format
(fuzz_input.py). Each file is named by the SHA-1 of its content, as libFuzzer
names the inputs it adds to a corpus, so regenerating is deterministic and a
merge into a working corpus adds nothing twice.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

from fuzz_input import NO_DATUM, encode

import bexpr
from bexpr.syntax.operators import OPERATORS, CollectionOp, Form
from bexpr.syntax.tokens import AND, AS, KEYWORDS, NOT, OR

FUZZ: Final = Path(__file__).resolve().parent
ROOT: Final = FUZZ.parent
DICTIONARY: Final = FUZZ / "bexpr.dict"
SEEDS: Final = FUZZ / "seeds"
DOCS: Final = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
CASES: Final = (
    ROOT / "tests" / "data" / "conformance_public.jsonl",
    ROOT / "tests" / "data" / "differential.jsonl",
)
JOBS: Final = ROOT / "examples" / "jobs.json"

MAX_ENTRY: Final = 64
"""libFuzzer drops dictionary entries longer than this many bytes
(kMaxDictElementSize), silently: make_kit refuses to write one."""

# -- the dictionary -------------------------------------------------------------

Section = tuple[str, list[tuple[str, str]]]
"""A comment, then (name, value) entries."""


def _slug(text: str) -> str:
    return re.sub(r"\W+", "_", text).strip("_")


def _operator_entries() -> list[tuple[str, str]]:
    entries = []
    for row in OPERATORS:
        for op in (row.op, row.negation):
            for index, (form, text) in enumerate(op.spellings):
                name = "op_" + (op.name.lower() if index == 0 else _slug(text))
                entries.append((name, text))
                # A word operator only reads as one with whitespace around it
                # (`acontains` is a selector): the spaced form saves the
                # mutator from having to find two spaces as well.
                if form is Form.UNARY:
                    entries.append((name + "_spaced", " " + text))
                else:
                    entries.append((name + "_spaced", f" {text} "))
    return entries


def _keyword_entries() -> list[tuple[str, str]]:
    entries = [(f"kw_{word}", word) for word in (AND, OR, NOT, AS)]
    entries += [(f"kw_{op.value}", op.value) for op in CollectionOp]
    # The words that only occur inside operators: is, empty, nil, ...
    leading = {AND, OR, NOT, AS, *(op.value for op in CollectionOp)}
    entries += [(f"kw_{word}", word) for word in sorted(KEYWORDS - leading)]
    entries += [
        ("kw_and_spaced", f" {AND} "),
        ("kw_or_spaced", f" {OR} "),
        ("kw_not_spaced", f"{NOT} "),
        ("kw_not_group", f"{NOT} ("),
        ("kw_as_spaced", f" {AS} "),
    ]
    for op in CollectionOp:
        # The collection forms' heads, for the default datum's list and map.
        entries += [
            (f"coll_{op.value}_list", f"{op.value} L {AS} v {{ "),
            (f"coll_{op.value}_map", f"{op.value} m {AS} k, v {{ "),
        ]
    entries += [
        ("coll_index", f" {AS} i, _ {{ "),
        ("coll_value", f" {AS} _, v {{ "),
        ("coll_end", " }"),
    ]
    return entries


_PUNCTUATION: list[str] = ["(", ")", "{", "}", "[", "]", ".", ",", '"', "`", "/", "_", '""', "``"]
_PUNCTUATION += ['["', '"]', "[`", "`]", '"/', "~0", "~1", " ", "\t", "\n", "\r\n"]

# Names for the default datum (fuzz_input.default_datum) and its paths, in
# every selector form: dotted, indexed, bracketed and as JSON pointers.
_SELECTORS: list[str] = ["a", "L", "m", "s", "m.k", "L.0", "L.2", 'm["k"]', "m[`k`]", 'm[ "k" ]']
_SELECTORS += [
    '"/a"',
    '"/m/k"',
    '"/L/0"',
    '"/L/1"',
    '"/a~1b"',
    '"/~0"',
    '"/"',
    '"//"',
    '"/a-_.~:|"',
]

# Quoted values and Go string escapes, valid and not.
_STRINGS: list[str] = ['"v"', '"x"', "`x`", '""', "``", '"/x"', "`/x`", '"\\x2f"', '"\\x22"']
_STRINGS += ["\\x22", "\\x2f", "\\n", "\\t", "\\r", "\\a", "\\v", "\\\\", '\\"', "\\u00e9"]
_STRINGS += ["\\U0001F600", "\\377", "\\400", "\\0", "\\xff", "\\ud800", "\\U00110000", "\\q"]
_STRINGS += ["\\x", "\\u12", "é", "\u0130", "\u212a", "ß", "\ufffd", "\U0001f600", "\r"]

# Number literals and Go's number and bool spellings (values are compared as
# text, parsed as Go would, or both).
_NUMBERS: list[str] = ["0", "-0", "1", "-1", "1.5", "0.5", "-0.0", "00", "01", "1.", ".5", "1e3"]
_NUMBERS += ["0x10", "0o17", "0b101", "1_000", "0x1p-2", "NaN", "Inf", "+Inf", "-Inf", "+1"]
_NUMBERS += ["9223372036854775807", "9223372036854775808", "-9223372036854775808"]
_NUMBERS += ["-9223372036854775809", "18446744073709551616", "1e308", "1e309", "4.9e-324"]
_NUMBERS += ["true", "false", "True", "FALSE", "T", "F", "t", "f", "null", "nil"]

# RE2 syntax, in the raw form for `...` literals; _regex_values adds the
# form with doubled backslashes that a "..." literal needs.
_REGEX: list[str] = [r"\d", r"\D", r"\w", r"\W", r"\s", r"\S", r"\b", r"\B", r"\A", r"\z", r"\Z"]
_REGEX += [r"\pL", r"\PL", r"\pN", r"\p{Greek}", r"\p{^Lu}", r"\p{Zz}", r"\Q", r"\E", r"\Q.*\E"]
_REGEX += [r"\x{10FFFF}", r"\x{110000}", r"\x41", r"\1", r"\C", r"\.", r"\k<n>", r"\8"]
_REGEX += ["(?i)", "(?s)", "(?m)", "(?U)", "(?-i)", "(?i:", "(?P<n>", "(?<n>", "(?:", "(?="]
_REGEX += ["(?!", "(?<=", "(?#", "[[:alpha:]]", "[[:^digit:]]", "[[:word:]]", "[[:foo:]]"]
_REGEX += ["[^a-z]", "[a-z]", "[z-a]", "[]a]", "{2,3}", "{2,}", "{,3}", "{1001}", "{3,2}"]
_REGEX += ["*?", "+?", "??", "**", "^", "$", ".*", "|", "()", "(a|b)", "\\"]

# The datum after the separator: JSON pieces, including what Python's json
# reads but Go's does not (NaN, lone surrogates, huge numbers).
_DATA: list[str] = ["\x00", '\x00{"a":', '\x00{"m":{"k":', '\x00{"L":[', '{"', '":', "[]", "{}"]
_DATA += ["[null]", '{"":', "1e400", "-0.0", "NaN", "Infinity", '"\\ud800"', "9007199254740993"]


def _regex_values() -> list[str]:
    return _REGEX + [text.replace("\\", "\\\\") for text in _REGEX if "\\" in text]


def _numbered(prefix: str, values: list[str]) -> list[tuple[str, str]]:
    return [(f"{prefix}_{index}", value) for index, value in enumerate(values)]


def dictionary_sections() -> list[Section]:
    """The dictionary's sections; a value seen in an earlier one is left out."""
    raw: list[tuple[str, list[tuple[str, str]] | tuple[str, list[str]]]] = [
        (
            "operators (bexpr/syntax/operators.py), bare and with the spaces they need",
            _operator_entries(),
        ),
        ("keywords (bexpr/syntax/tokens.py) and collection heads", _keyword_entries()),
        ("punctuation and whitespace", ("punct", _PUNCTUATION)),
        ("selectors, dotted and JSON pointers", ("sel", _SELECTORS)),
        ("string literals and escapes", ("str", _STRINGS)),
        ("numbers and booleans", ("num", _NUMBERS)),
        ("RE2 fragments, raw and escaped for double quotes", ("re", _regex_values())),
        ("the JSON datum after the NUL separator", ("data", _DATA)),
    ]
    seen: set[str] = set()
    sections: list[Section] = []
    for comment, entries in raw:
        if isinstance(entries, tuple):
            # Numbered after duplicates are dropped, so the names run on.
            prefix, values = entries
            fresh = [value for value in dict.fromkeys(values) if value not in seen]
            kept = _numbered(prefix, fresh)
        else:
            kept = []
            for name, value in entries:
                if value not in seen and value not in (v for _, v in kept):
                    kept.append((name, value))
        seen.update(value for _, value in kept)
        sections.append((comment, kept))
    return sections


def escape(value: bytes) -> str:
    """A dictionary value as libFuzzer reads it: printable ASCII as is, but
    ``\\`` and ``"`` escaped, and every other byte as ``\\xHH``."""
    out = []
    for byte in value:
        if byte in b'\\"':
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\x{byte:02X}")
    return "".join(out)


def dictionary() -> str:
    """The text of fuzz/bexpr.dict."""
    lines = [
        "# bexpr tokens for libFuzzer/atheris (-dict=fuzz/bexpr.dict).",
        "# Generated by fuzz/make_kit.py: edit that, not this file.",
    ]
    names: set[str] = set()
    for comment, entries in dictionary_sections():
        lines += ["", f"# {comment}"]
        for name, value in entries:
            data = value.encode("utf-8")
            if len(data) > MAX_ENTRY:
                raise ValueError(f"dictionary entry {name} is over {MAX_ENTRY} bytes")
            if name in names:
                raise ValueError(f"dictionary entry {name} is named twice")
            names.add(name)
            lines.append(f'{name}="{escape(data)}"')
    return "\n".join(lines) + "\n"


# -- the seeds --------------------------------------------------------------------

_BLOCK: Final = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
_INLINE: Final = re.compile(r"(`+)(.+?)\1")
# The calls whose string arguments are filters in the Python examples.
_CALLS: Final = frozenset({"compile", "evaluate", "filter", "validate", "parse", "check", "expr"})
# ... but not these owners' methods of the same name (query strings).
_NOT_FILTERS: Final = frozenset({"Params", "parse_qsl"})
_SHELL_FILTER: Final = re.compile(r"\bbexpr\b([^|]*)")
_QUOTED: Final = re.compile(r"'([^']*)'")
_CURL_FILTER: Final = re.compile(r"'filter=([^']*)'")


def _parses(text: str) -> bool:
    try:
        bexpr.parse(text)
    except bexpr.ParseError:
        return False
    return True


def _python_filters(code: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(code)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        owner = getattr(func, "value", None)
        if getattr(owner, "attr", getattr(owner, "id", None)) in _NOT_FILTERS:
            continue
        arguments = list(node.args) if name in _CALLS else []
        arguments += [kw.value for kw in node.keywords if kw.arg == "filter"]
        for argument in arguments:
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                yield argument.value
            elif isinstance(argument, ast.Dict):
                # listing.query_params(records, {"filter": ...})
                for key, value in zip(argument.keys, argument.values, strict=True):
                    named = isinstance(key, ast.Constant) and key.value == "filter"
                    if named and isinstance(value, ast.Constant) and isinstance(value.value, str):
                        yield value.value


def _shell_filters(script: str, console: bool) -> Iterator[str]:
    for line in script.splitlines():
        # A console block's output lines quote filters in error messages.
        if console and not line.startswith("$ "):
            continue
        # `bexpr [options] 'FILTER' [FILE]`: the filter is the last quoted
        # word before any pipe (an option's value comes before it).
        for match in _SHELL_FILTER.finditer(line):
            quoted = _QUOTED.findall(match.group(1))
            if quoted:
                yield quoted[-1]
        # curl --data-urlencode 'filter=...' against the example server.
        yield from _CURL_FILTER.findall(line)


def doc_expressions() -> list[str]:
    """The filter expressions the docs show, in order of appearance.

    Those in code blocks are kept whether or not they parse: a doc example
    that does not parse shows an error, and seeds the error paths. Of the
    inline code spans, and the lines of ``text`` blocks, only those that
    parse are filters rather than prose or commands.
    """
    found: list[str] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            kind, body = match.groups()
            if kind == "python":
                found += _python_filters(body)
            elif kind in ("console", "sh", "shell", "bash"):
                found += _shell_filters(body, console=kind == "console")
            elif kind == "text":
                found += [line for line in body.splitlines() if line and _parses(line)]
        prose = _BLOCK.sub("", text)
        for match in _INLINE.finditer(prose):
            span = match.group(2)
            # Markdown trims one space inside double backticks (`` `x` ``).
            span = span[1:-1] if len(match.group(1)) > 1 and span.startswith(" ") else span
            if _parses(span):
                found.append(span)
    return found


# Inputs for the harness's default datum, written by hand (the first seeds).
_HANDWRITTEN: Final = (
    "any L as i, v { v == 1 }",
    "not (a == 1 or m.k is empty)",
    '"/m/k" contains "v"',
    "all m as k, v { k matches `^\\pL+$` and v != x }",
    's == ""',
)


def _canonical(text: str) -> str:
    """What makes two seeds the same: the canonical form of what parses
    (whitespace and quoting variants add nothing the mutator does not find
    from the dictionary), the text itself of what does not."""
    try:
        return str(bexpr.parse(text))
    except bexpr.ParseError:
        return "\x00" + text


def seeds() -> dict[str, bytes]:
    """The seed corpus, file name to content: one seed per distinct
    expression, with the datum of the first source that shows it."""
    job = json.loads(JOBS.read_text(encoding="utf-8"))[0]
    inputs: list[tuple[str, Any]] = [(text, NO_DATUM) for text in _HANDWRITTEN]
    # The docs' examples are about Nomad jobs: evaluate them on one.
    inputs += [(text, job) for text in doc_expressions()]
    for path in CASES:
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            inputs.append((case["expr"], case["data"]))
    corpus: dict[str, bytes] = {}
    seen: set[str] = set()
    for text, datum in inputs:
        key = _canonical(text)
        if key in seen:
            continue
        seen.add(key)
        data = encode(text, datum)
        corpus[hashlib.sha1(data).hexdigest()] = data
    return corpus


# -- writing and checking -------------------------------------------------------------


def stale() -> list[str]:
    """What differs between the committed kit and what this script writes."""
    problems = []
    if not DICTIONARY.exists() or DICTIONARY.read_text(encoding="utf-8") != dictionary():
        problems.append(f"{DICTIONARY.relative_to(ROOT)} is not what make_kit.py writes")
    wanted = seeds()
    present = {p.name: p.read_bytes() for p in SEEDS.iterdir()} if SEEDS.is_dir() else {}
    if present != wanted:
        missing, extra = wanted.keys() - present.keys(), present.keys() - wanted.keys()
        problems.append(f"fuzz/seeds/: {len(missing)} seeds missing, {len(extra)} not generated")
    return problems


def write() -> None:
    """Write the dictionary and replace the seeds (stale seeds are removed)."""
    DICTIONARY.write_text(dictionary(), encoding="utf-8")
    wanted = seeds()
    SEEDS.mkdir(exist_ok=True)
    for path in SEEDS.iterdir():
        if path.name not in wanted:
            path.unlink()
    for name, data in wanted.items():
        (SEEDS / name).write_bytes(data)
    print(f"wrote {DICTIONARY.relative_to(ROOT)} and {len(wanted)} seeds in fuzz/seeds/")


def main(argv: list[str] | None = None) -> int:
    """Write the kit, or with ``--check`` report whether it is up to date."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check; exit 1 if stale")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for problem in problems:
            print(f"make_kit: {problem}; run python3 fuzz/make_kit.py", file=sys.stderr)
        return 1 if problems else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
