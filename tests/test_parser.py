"""The parser: tree shapes, canonical printing, and parse errors."""

from __future__ import annotations

import pytest

import bexpr
from bexpr.syntax.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Not,
    Or,
    Selector,
    Value,
)


def sel(*path: str) -> Selector:
    return Selector(path)


def test_precedence_and_flattening() -> None:
    tree = bexpr.parse("a == 1 or b == 2 and not c == 3 or d == 4")
    a, b, c, d = (
        Match(MatchOp.EQUAL, sel(k), Value(v)) for k, v in zip("abcd", "1234", strict=True)
    )
    assert tree == Or((a, And((b, Not(c))), d))


def test_double_not_collapses_like_the_reference() -> None:
    assert bexpr.parse("not not a == 1") == bexpr.parse("a == 1")
    assert bexpr.parse("not (not a == 1)") == bexpr.parse("a == 1")


def test_contains_is_in_with_operands_swapped() -> None:
    assert bexpr.parse('Tags contains "x"') == bexpr.parse('"x" in Tags')
    assert bexpr.parse('Tags not contains "x"') == bexpr.parse('"x" not in Tags')


@pytest.mark.parametrize(
    ("text", "path", "pointer"),
    [
        ('Meta["a b"].c', ("Meta", "a b", "c"), False),
        ("L.0.x", ("L", "0", "x"), False),
        ("a/b.c", ("a/b", "c"), False),
        ("m[ `k` ]", ("m", "k"), False),
        ('"/a~1b/~01/0"', ("a/b", "~1", "0"), True),
        ('""', ("",), True),
    ],
)
def test_selectors(text: str, path: tuple[str, ...], pointer: bool) -> None:
    tree = bexpr.parse(f"{text} is empty")
    assert isinstance(tree, Match)
    assert tree.selector.path == path
    assert tree.selector.pointer is pointer


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("x", "x"),
        ('x["y z"]', "x.y z"),
        ('"/a/b"', "a/b"),
        ("`/a/b`", "/a/b"),
        ('""', ""),
        ("-1.50", "-1.50"),
        ('"a\\tb"', "a\tb"),
    ],
)
def test_values_keep_their_text(text: str, raw: str) -> None:
    tree = bexpr.parse(f"s == {text}")
    assert isinstance(tree, Match) and tree.value is not None
    assert tree.value.raw == raw


@pytest.mark.parametrize(
    ("text", "binding"),
    [
        ("any L as v { v == 1 }", Binding(BindingMode.DEFAULT, None, "v")),
        ("any L as i, v { v == 1 }", Binding(BindingMode.INDEX_VALUE, "i", "v")),
        ("any L as i, _ { i == 1 }", Binding(BindingMode.INDEX, "i", None)),
        ("any L as _,v { v == 1 }", Binding(BindingMode.VALUE, None, "v")),
    ],
)
def test_collection_bindings(text: str, binding: Binding) -> None:
    tree = bexpr.parse(text)
    assert isinstance(tree, Collection)
    assert tree.op is CollectionOp.ANY
    assert tree.binding == binding


def test_nodes_are_immutable_and_keep_positions() -> None:
    tree = bexpr.parse("  Name == web")
    assert isinstance(tree, Match)
    assert (tree.start, tree.end) == (2, 13)
    assert (tree.selector.start, tree.selector.end) == (2, 6)
    with pytest.raises(AttributeError):
        tree.op = MatchOp.NOT_EQUAL  # type: ignore[misc]


@pytest.mark.parametrize(
    "text",
    [
        'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"',
        "not (a == 1 or b is empty) and c != x",
        '(any L as x { x == 1 }) and (all M as k, v { v.n is not nil or k == `q"` })',
        'a == 1 or any "/in" as i, _ { i != 0 }',
        's == "/not a pointer" and t == "\\x22quoted\\x22"',
        'not (not not matches "x")',
        '"" is nil',
    ],
)
def test_printing_round_trips(text: str) -> None:
    tree = bexpr.parse(text)
    assert bexpr.parse(str(tree)) == tree


def parse_error(text: str) -> bexpr.ParseError:
    with pytest.raises(bexpr.ParseError) as info:
        bexpr.parse(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("Name ==", "expected a value after '=='", 7),
        ("a == 1 and", "expected a selector, a value, 'not' or '(' after 'and'", 10),
        ("a is EMPTY", "expected 'empty', 'nil' or 'not' after 'is', found 'EMPTY'", 5),
        ("((a == 1)", "unmatched '('", 0),
        ("a == 1)", "unmatched ')'", 6),
        ('b == "x', "unterminated string literal", 5),
        ("a == 1e3", "invalid number literal '1e3'", 5),
        ("a == 1;", "a number must be followed by whitespace", 6),
        ("m[1] == v", "invalid index", 1),
        ('m["k" == v', "unclosed index", 5),
        ('"x" in 3', "expected a selector after 'in', found '3'", 7),
        ("(a == 1)and b == x", "'and' must have whitespace on both sides", 8),
        ("not any L as x { x == 2 }", "'not' cannot apply to a collection expression", 4),
        ("any L as x { x == 2 } and A == 7", "cannot be followed by 'and'", 22),
        ('b == "\\q"', "unknown escape sequence \\q", 6),
        ("", "empty expression", 0),
        ("a = 1", "expected an operator", 2),
        ("all as t { t == 1 }", "expected a selector to iterate over after 'all', found 'as'", 4),
        ("any L t { t == 1 }", "expected 'as' after 'L', found 't'", 6),
        ("a not like b", "expected 'in', 'contains' or 'matches' after 'not', found 'like'", 6),
        ("a is not full", "expected 'empty' or 'nil' after 'not', found 'full'", 9),
    ],
)
def test_parse_errors_say_what_and_where(text: str, message: str, offset: int) -> None:
    err = parse_error(text)
    assert message in err.message
    assert err.offset == offset
    assert err.line == 1 and err.column == offset + 1


def test_parse_error_excerpt_has_a_caret_under_the_spot() -> None:
    err = parse_error('Name == "web" and\n  Port == ')
    assert (err.line, err.column) == (2, 11)
    assert str(err).splitlines()[1:] == ["    Port == ", "            ^"]


def test_parse_errors_are_bexpr_errors() -> None:
    assert issubclass(bexpr.ParseError, bexpr.BexprError)
    assert isinstance(parse_error("a =="), bexpr.BexprError)


def test_reference_records_invalid_selector_even_when_another_parse_exists() -> None:
    # `(not in in )` parses as `"not" in in` after a failed attempt that the
    # reference reports as an error: the whole parse fails.
    parse_error("(not in in )")
    assert isinstance(bexpr.parse("not in in"), Match)


@pytest.mark.parametrize("depth", [1, 10, 32])
def test_nesting(depth: int) -> None:
    tree = bexpr.parse("(" * depth + "a == 1" + ")" * depth)
    assert tree == bexpr.parse("a == 1")


def test_nesting_past_max_depth_is_a_parse_error_naming_the_limit() -> None:
    with pytest.raises(bexpr.ParseError, match="max_depth=32"):
        bexpr.parse("(" * 33 + "a == 1" + ")" * 33)
    with pytest.raises(bexpr.ParseError, match="max_depth=3"):
        bexpr.parse("any L as x { any x as y { any y as z { (z == 1) } } }", max_depth=3)
    assert bexpr.parse("(" * 500 + "a == 1" + ")" * 500, max_depth=500)


def test_max_expressions() -> None:
    text = " and ".join(["a == 1"] * 10)
    assert bexpr.compile(text, max_expressions=19)
    with pytest.raises(bexpr.ParseError, match="max_expressions"):
        bexpr.compile(text, max_expressions=18)
    with pytest.raises(bexpr.ParseError):
        bexpr.validate(text, max_expressions=5)
