"""Go strconv ports. Expectations were checked against the reference (Go's
strconv through go-bexpr) with a local oracle; see tests/data/README.md."""

from __future__ import annotations

import math

import pytest

from bexpr.go.strconv import ConversionError, convert, parse_bool, parse_float, parse_int
from bexpr.syntax.tokens import unquote


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-0", 0),
        ("+5", 5),
        ("0x10", 16),
        ("-0x10", -16),
        ("0X1F", 31),
        ("0o17", 15),
        ("017", 15),
        ("0b11", 3),
        ("1_000", 1000),
        ("0x_1f", 31),
        ("0_7", 7),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775808", -(2**63)),
    ],
)
def test_parse_int(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("08", "syntax"),
        ("1__0", "syntax"),
        ("_10", "syntax"),
        ("10_", "syntax"),
        ("0b", "syntax"),
        ("0x", "syntax"),
        ("1e3", "syntax"),
        ("1.0", "syntax"),
        ("", "syntax"),
        (" 1", "syntax"),
        ("--1", "syntax"),
        ("9223372036854775808", "range"),
        ("-9223372036854775809", "range"),
        # Go reports the overflow before it reaches the bad character.
        ("99999999999999999999x", "range"),
    ],
)
def test_parse_int_rejects(text: str, kind: str) -> None:
    with pytest.raises(ConversionError) as info:
        parse_int(text)
    assert info.value.kind == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("+1.5", 1.5),
        ("-.5", -0.5),
        ("1_0.5", 10.5),
        ("0x1p-2", 0.25),
        ("0x1.8p1", 3.0),
        ("0x.8p1", 1.0),
        ("0X1P+2", 4.0),
        ("1e-400", 0.0),
        ("inf", math.inf),
        ("-Inf", -math.inf),
        ("+Infinity", math.inf),
        ("16", 16.0),
    ],
)
def test_parse_float(text: str, expected: float) -> None:
    assert parse_float(text) == expected


def test_parse_float_nan() -> None:
    assert math.isnan(parse_float("NaN"))
    assert math.isnan(parse_float("nan"))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("+nan", "syntax"),
        ("infin", "syntax"),
        ("0x1p", "syntax"),
        ("0x1", "syntax"),
        ("1_.5", "syntax"),
        ("1._5", "syntax"),
        ("1e_1", "syntax"),
        ("0.5x", "syntax"),
        ("", "syntax"),
        ("1e400", "range"),
        ("-1e400", "range"),
    ],
)
def test_parse_float_rejects(text: str, kind: str) -> None:
    with pytest.raises(ConversionError) as info:
        parse_float(text)
    assert info.value.kind == kind


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_parse_bool_true(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_parse_bool_false(text: str) -> None:
    assert parse_bool(text) is False


@pytest.mark.parametrize("text", ["tRUE", "yes", "on", "", " true"])
def test_parse_bool_rejects(text: str) -> None:
    with pytest.raises(ConversionError):
        parse_bool(text)


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ('"a\\nb"', "a\nb"),
        ('"\\t\\\\"', "\t\\"),
        ('"\\x41"', "A"),
        ('"\\101"', "A"),
        ('"\\u00e9"', "é"),
        ('"\\U0001F600"', "😀"),
        ('"\\xc3\\xa9"', "é"),  # bytes that make valid UTF-8
        ('"\\a\\b\\f\\v\\r"', "\a\b\f\v\r"),
        ("`a\\nb`", "a\\nb"),
        ("`a\r\nb`", "a\nb"),  # Go drops carriage returns from raw strings
        ('"\r"', "\r"),
    ],
)
def test_unquote(literal: str, expected: str) -> None:
    assert unquote(literal) == expected


def test_unquote_invalid_utf8_byte_matches_nothing_from_json() -> None:
    assert unquote('"\\xff"') == "\udcff"


@pytest.mark.parametrize(
    "literal",
    [
        '"\\q"',
        '"\\ud800"',
        '"\\400"',
        '"\\/"',
        '"\\\'"',
        '"a\nb"',
        '"\\x4"',
        '"\\U00110000"',
        '"\\"',
    ],
)
def test_unquote_rejects(literal: str) -> None:
    with pytest.raises(ValueError):
        unquote(literal)


def test_convert_keeps_failures() -> None:
    converted = convert("0x10")
    assert converted.as_int == 16
    assert isinstance(converted.as_float, ConversionError)
    assert isinstance(converted.as_bool, ConversionError)
