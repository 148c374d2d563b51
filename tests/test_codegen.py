"""The generated tier: same answers as the reference interpreter, safe source."""

from __future__ import annotations

import io
import keyword
import tokenize
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bexpr
from bexpr.api import WARMUP_CALLS, WARMUP_RECORDS
from bexpr.evaluation import codegen
from bexpr.evaluation.interpreter import interpret
from bexpr.syntax.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
    Not,
    Or,
    Selector,
    Value,
)
from tests.strategies import data_values, records, trees

SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))


def outcome(run: Any) -> object:
    try:
        return bool(run())
    except bexpr.EvaluationError:
        return "error"


@SETTINGS
@given(tree=trees(), data=st.lists(st.one_of(records, records, data_values), min_size=1))
def test_generated_code_agrees_with_the_interpreter(tree: Node, data: list[Any]) -> None:
    text = str(tree)
    parsed = bexpr.parse(text)
    expr = bexpr.compile(text, codegen=True)
    wanted = [outcome(lambda d=datum: interpret(parsed, d)) for datum in data]  # type: ignore[misc]
    assert [outcome(lambda d=datum: expr(d)) for datum in data] == wanted  # type: ignore[misc]
    # The generated list and dict filters: the matches, or the first error.
    for shaped, kept in ((data, lambda kept: kept), (dict(enumerate(data)), dict)):
        if "error" in wanted:
            with pytest.raises(bexpr.EvaluationError) as info:
                expr.filter(shaped)
            assert info.value.key == wanted.index("error")
        else:
            pairs = [(i, d) for i, (d, w) in enumerate(zip(data, wanted, strict=True)) if w]
            expected = [d for _, d in pairs] if isinstance(shaped, list) else dict(pairs)
            assert expr.filter(shaped) == kept(expected)
        # "skip" and a callable take the generated filters first too: the
        # records whose outcome is True, each failing one reported once.
        pairs = [(i, d) for i, (d, w) in enumerate(zip(data, wanted, strict=True)) if w is True]
        expected = [d for _, d in pairs] if isinstance(shaped, list) else dict(pairs)
        assert expr.filter(shaped, errors="skip") == kept(expected)
        reported: list[bexpr.RecordError] = []
        assert expr.filter(shaped, errors=reported.append) == kept(expected)
        assert [r.key for r in reported] == [i for i, w in enumerate(wanted) if w == "error"]


# -- safe by construction ---------------------------------------------------------

HOSTILE = [
    "",
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\'",
    "\n",
    "\r\n",
    "__import__('os').system('x')",
    "{}",
    "{0}",
    "%s",
    "\x00",
    "é",
    "\u202e",
    "\udcff",
    "a b",
    "#",
    "9" * 40,
    "-9" + "9" * 30,
    "1e309",
    "NaN",
    "true",
    ") or (1",
    "v",
    "root",
    "M",
    "bail",
]
_TEXT = st.sampled_from(HOSTILE) | st.text(max_size=8)


@st.composite
def hostile_matches(draw: st.DrawFn, names: tuple[str, ...] = ()) -> Match:
    op = draw(st.sampled_from(list(MatchOp)))
    head = draw(st.sampled_from([*names, "a", "b"])) if draw(st.booleans()) else draw(_TEXT)
    path = (head, *draw(st.lists(_TEXT, max_size=2)))
    value = Value(draw(_TEXT), draw(st.sampled_from(["string", "word", "number"])))
    return Match(op, Selector(path, True), value if op.takes_value else None)


@st.composite
def hostile_trees(draw: st.DrawFn, names: tuple[str, ...] = (), depth: int = 3) -> Node:
    kind = draw(st.sampled_from(["match", "not", "and", "or", "collection"]))
    if depth <= 0 or kind == "match":
        return draw(hostile_matches(names))
    if kind == "not":
        return Not(draw(hostile_trees(names, depth - 1)))
    if kind in ("and", "or"):
        parts = tuple(draw(hostile_trees(names, depth - 1)) for _ in range(2))
        return And(parts) if kind == "and" else Or(parts)
    name = draw(st.sampled_from(["x", "y"]) | _TEXT.filter(bool))
    mode = draw(st.sampled_from([BindingMode.DEFAULT, BindingMode.INDEX_VALUE]))
    index = draw(st.sampled_from(["i", "j"])) if mode is BindingMode.INDEX_VALUE else None
    binding = Binding(mode, index, name)
    body = draw(hostile_trees((*names, *binding.names), depth - 1))
    selector = Selector((draw(_TEXT) or "L",), True)
    return Collection(draw(st.sampled_from(list(CollectionOp))), selector, binding, body)


# What a generated source may contain: the templates' own words and the
# names the generator makes up; no string, and no number but 0.
_TEMPLATE_NAMES = {
    "p", "fl", "fd", "root", "records", "out", "append", "key", "b", "L", "T", "v", "t",
    "M", "BAIL", "bail", "LO", "HI", "MS", "JOIN", "slow",
    "type", "len", "range", "enumerate", "dict", "list", "str", "int", "float", "bool",
    "TypeError", "KeyError", "get", "items", "startswith", "endswith",
}  # fmt: skip
_MADE_UP = r"[kcdsxif][0-9]+"
_OPERATORS = {
    "(", ")", "[", "]", ":", ",", ".", "=", ":=", "==", "-=", "<", "<=", "{", "}",
}  # fmt: skip


def assert_whitelisted(source: str) -> None:
    import re

    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text = token.type, token.string
        if kind == tokenize.NAME:
            assert (
                keyword.iskeyword(text) or text in _TEMPLATE_NAMES or re.fullmatch(_MADE_UP, text)
            ), text
        elif kind == tokenize.OP:
            assert text in _OPERATORS, text
        elif kind == tokenize.NUMBER:
            assert text == "0", text
        else:
            assert kind in (
                tokenize.NEWLINE,
                tokenize.NL,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            ), (tokenize.tok_name[kind], text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=hostile_trees())
def test_no_text_from_the_expression_reaches_the_source(tree: Node) -> None:
    try:
        tree = bexpr.parse(str(tree), max_expressions=10_000)
    except (ValueError, bexpr.ParseError):
        assume(False)  # a path no selector can spell: no expression has it
    generated = codegen.generate(tree, bexpr.compile("a == 1").options, lambda _: False)
    if generated is None:
        return
    assert_whitelisted(generated.source)
    compiled = compile(generated.source, codegen.FILENAME, "exec")
    assert compiled.co_filename == "<bexpr>"
    # Every key, value and pattern of the filter is a name bound in the
    # namespace (the generated functions' and loops' own names aside).
    import re

    constants = set(re.findall(r"\b[kcs][0-9]+\b", generated.source))
    assert constants <= set(generated.namespace)


def test_the_whitelist_is_not_empty_handed() -> None:
    with pytest.raises(AssertionError):
        assert_whitelisted("v = 'x'\n")
    with pytest.raises(AssertionError):
        assert_whitelisted("__import__\n")


# -- visible, lazy, and where it stays off -------------------------------------------


def test_source_and_constants_are_visible() -> None:
    expr = bexpr.compile('Name == web and Meta["env"] != "prod"')
    assert expr.source is not None and "def p(root):" in expr.source
    assert "web" not in expr.source and "prod" not in expr.source
    assert {"web", "prod", "Name", "Meta", "env"} <= set(expr.constants.values())


@pytest.mark.parametrize(
    "options",
    [
        {"hook": lambda v: v},
        {"unknown": None},
        {"resolver": lambda o, n: None},
        {"variables": {"x": 1}},
    ],
)
def test_options_that_change_lookups_keep_the_closures(options: dict[str, Any]) -> None:
    expr = bexpr.compile("a == 1", codegen=True, **options)
    assert expr.source is None and expr.constants == {}
    assert expr({"a": 1}) is True


@pytest.mark.parametrize(
    "text",
    [
        "any L as x, x { x == 1 }",
        "any L as L, v { v == 1 }",
        " or ".join(f"a == {i}" for i in range(300)),
    ],
    ids=["as x, x", "an index named like the selector", "300 clauses"],
)
def test_some_trees_keep_the_closures(text: str) -> None:
    assert bexpr.compile(text).source is None


def test_the_generated_tier_takes_over_when_it_pays() -> None:
    expr = bexpr.compile("a == 1")
    generated = expr._generated()
    assert generated is not None
    assert expr._predicate is not generated.predicate
    for _ in range(WARMUP_CALLS):
        assert expr({"a": 1}) is True
    assert expr._predicate is generated.predicate
    never = bexpr.compile("a == 1", codegen=False)
    for _ in range(WARMUP_CALLS + 1):
        never({"a": 1})
    assert never._predicate is never._closures
    always = bexpr.compile("a == 1", codegen=True)
    assert always._predicate is always._generated().predicate  # type: ignore[union-attr]
    assert expr._fast_filters(WARMUP_RECORDS) is generated
    assert expr._fast_filters(WARMUP_RECORDS - 1) is None


def test_records_off_the_fast_path_start_over_on_the_closures() -> None:
    import enum

    class Status(str, enum.Enum):  # noqa: UP042  (the classic mixin, as in pydantic models)
        UP = "up"

    expr = bexpr.compile('s == up and "x" in l', codegen=True)
    records = [
        {"s": "up", "l": ["x"]},
        {"s": Status.UP, "l": ["x"]},  # a str subclass
        {"s": "up", "l": ["y", 1, "x"]},  # a list not only of strings
        {"s": "up", "l": ("x",)},  # a tuple
        {"s": "up", "l": {"x": 1}},
        {"s": "down", "l": None},
    ]
    assert expr.filter(records) == records[:5]
    assert [expr(r) for r in records] == [True] * 5 + [False]
