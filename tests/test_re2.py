"""Tests for bexpr.re2 (bexpr/go/re2.py), the RE2 (Go regexp) to ``regex`` module translator.

Every expectation in MATCH_CASES and ERROR_CASES was recorded from go-bexpr's
Go regexp (go-bexpr be9f48e, ``s matches `pattern` ``, via a local oracle
binary built with Go 1.19), so the messages are Go's own.  The few cases in
NEWER_GO_CASES cover syntax that Go 1.22+ accepts and Go 1.19 does not (named
groups spelled ``(?<name>re)``); those were derived from the Go 1.22+ source
of regexp/syntax instead.  The test suite never runs Go itself.
"""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from bexpr import re2
from bexpr.re2 import ErrorCode, RE2SyntaxError, translate

# (pattern, subject, whether Go's regexp finds a match in the subject)
MATCH_CASES: list[tuple[str, str, bool]] = [
    # Plain search, unanchored.
    ("abc", "xabcx", True),
    ("abc", "ab", False),
    ("", "", True),
    ("", "x", True),
    ("a|", "b", True),
    ("^(a|)$", "", True),
    ("a.c", "abc", True),
    ("a.c", "a\nc", False),
    ("^.$", "é", True),
    ("^.$", "😀", True),
    ("^日.語$", "日本語", True),
    ("/a.c", "/abc", True),
    # Anchors: $ is end of text only, (?m) makes ^ and $ line anchors.
    ("^abc$", "abc", True),
    ("abc$", "abc\n", False),
    ("abc$", "abc\nx", False),
    ("^abc", "x\nabc", False),
    ("(?m)^abc", "x\nabc", True),
    ("(?m)abc$", "abc\nx", True),
    ("(?m)a$", "a\r\n", False),
    ("(?m)^$", "a\n", True),
    (r"\Aabc", "abc", True),
    (r"(?m)\Aabc", "x\nabc", False),
    (r"abc\z", "abc", True),
    (r"abc\z", "abc\n", False),
    (r"(?m)abc\z", "abc\n", False),
    ("a$b", "ab", False),
    ("x^", "x", False),
    ("^", "", True),
    ("$", "", True),
    # \b and \B only know ASCII word characters.
    (r"\bfoo\b", "a foo b", True),
    (r"\bfoo\b", "afoo", False),
    (r"\bé", "é", False),
    (r"\Bé", "é", True),
    (r"x\b", "xé", True),
    (r"\b", "", False),
    (r"\B", "", True),
    (r"\b_", "_", True),
    (r"(?i)\bk\b", "\u212a", False),
    # Perl classes are ASCII-only; \s has no \v.
    (r"^\d+$", "0123456789", True),
    (r"^\d$", "٣", False),
    (r"^\D$", "٣", True),
    (r"^\w+$", "été", False),
    (r"^\w+$", "a_Z9", True),
    (r"^\W$", "é", True),
    (r"^\s+$", " \t\n\f\r", True),
    (r"^\s$", "\v", False),
    (r"^\s$", "\u00a0", False),
    (r"^\S$", "\v", True),
    (r"(?i)\w", "\u017f", True),
    (r"(?i)^\W$", "\u017f", False),
    (r"(?i)^\W$", "\u212a", False),
    (r"^\W$", "\u017f", True),
    # POSIX classes (ASCII), negated and case-folded.
    ("^[[:alpha:]]+$", "abcXYZ", True),
    ("[[:alpha:]]", "é", False),
    ("^[[:^alpha:]]$", "é", True),
    ("^[[:digit:]]$", "٣", False),
    ("^[[:space:]]$", "\v", True),
    ("^[[:word:]]$", "_", True),
    ("^[[:punct:]]$", "!", True),
    ("^[[:xdigit:]]+$", "09afAF", True),
    ("^[[:upper:]]$", "a", False),
    ("(?i)^[[:upper:]]$", "a", True),
    ("(?i)^[[:upper:]]$", "\u017f", True),
    ("(?i)^[[:^lower:]]$", "A", False),
    ("(?i)^[^[:lower:]]$", "A", False),
    ("^[[:ascii:]]$", "\x7f", True),
    ("^[[:cntrl:]]$", "\x7f", True),
    ("^[[:print:]]$", " ", True),
    ("^[[:graph:]]$", " ", False),
    ("^[[:blank:]]$", "\t", True),
    ("^[[:alpha:][:digit:]]+$", "a1", True),
    ("[[:alpha:]-z]", "-", True),
    ("[[:alpha:]]", ":", False),
    # Unicode classes: categories, scripts, negation, folding.
    (r"^\pL+$", "été", True),
    (r"^\PL+$", "123", True),
    (r"^\pN+$", "٣", True),
    (r"^\p{Lu}$", "É", True),
    (r"^\p{Lu}$", "é", False),
    (r"(?i)^\p{Lu}$", "é", True),
    (r"(?i)^\P{Lu}$", "é", False),
    (r"(?i)^[^\p{Lu}]$", "a", False),
    (r"^\p{Greek}+$", "\u03b1\u03b2\u03b3", True),
    (r"^\p{Greek}$", "a", False),
    (r"^\P{Greek}$", "a", True),
    (r"^\p{^Greek}$", "a", True),
    (r"^\P{^Greek}$", "\u03b1", True),
    (r"^[\p{Greek}\d]+$", "\u03b11", True),
    (r"^[^\p{Greek}]$", "\u03b1", False),
    (r"^\p{Greek}$", "µ", False),
    (r"(?i)^\p{Greek}$", "µ", True),
    (r"(?i)^\P{Greek}$", "µ", False),
    (r"^\p{Han}$", "日", True),
    (r"^\p{Latin}$", "é", True),
    (r"^\p{Common}$", "1", True),
    (r"^\p{Cyrillic}$", "д", True),
    (r"^\p{Any}$", "\n", True),
    (r"\P{Any}", "a", False),
    (r"^\pZ$", " ", True),
    (r"^\p{Zs}$", "\u3000", True),
    (r"^\pC$", "\x00", True),
    (r"^\pC$", "\U000e0080", False),
    (r"^\p{Cc}$", "\n", True),
    (r"^\pP$", "!", True),
    (r"^\pS$", "+", True),
    (r"^\pM$", "\u0301", True),
    # Escapes.
    (r"\x41", "A", True),
    (r"\x{41}", "A", True),
    (r"\x{1F600}", "😀", True),
    (r"\x{10FFFF}", "\U0010ffff", True),
    (r"^\0$", "\x00", True),
    (r"^\08$", "\x008", True),
    (r"^\123$", "S", True),
    (r"^\101\102$", "AB", True),
    (r"^\a\f\t\n\r\v$", "\x07\x0c\t\n\r\x0b", True),
    (r"\.", "a", False),
    (r"\.", ".", True),
    (r"^\-\_\!\@\#\ \~$", "-_!@# ~", True),
    (r"^\\$", "\\", True),
    (r"^\*\+\?\(\)\[\]\{\}\|\^\$$", "*+?()[]{}|^$", True),
    (r"\Qa.b\E", "a.b", True),
    (r"\Qa.b\E", "axb", False),
    (r"^\Qa.b$", "a.b$", True),
    (r"\Q\Ea", "a", True),
    (r"^\Qab\E+$", "abb", True),
    (r"^\Qab\E+$", "abab", False),
    (r"(?i)\Qk\E", "\u212a", True),
    # Bracketed classes: ] first, - at the ends, no set operations.
    ("[]a]", "]", True),
    ("[]a]", "a", True),
    ("[^]a]", "b", True),
    ("[^]a]", "]", False),
    ("[a-]", "-", True),
    ("[-a]", "-", True),
    (r"[\d-z]", "-", True),
    ("[a-b-c]", "-", True),
    ("[a-c]", "b", True),
    ("^[^a]$", "\n", True),
    ("[^a]", "a", False),
    (r"[\]]", "]", True),
    (r"[\[]", "[", True),
    ("[[]", "[", True),
    ("[a&&b]", "&", True),
    ("[a&&b]", "a", True),
    ("[a||b]", "|", True),
    ("[a~~b]", "~", True),
    ("[a^]", "^", True),
    ("[.]", "x", False),
    ("[*+?{}()|$]", "$", True),
    (r"[\x{100}-\x{17F}]", "\u017f", True),
    (r"[^\x00-\x{10FFFF}]", "a", False),
    (r"^[^\x00-\x{10FFFF}]*$", "", True),
    # Case folding: simple folding orbits, no full folding, no Turkic i.
    ("(?i)k", "K", True),
    ("(?i)k", "\u212a", True),
    ("(?i)K", "\u212a", True),
    ("k", "K", False),
    ("(?i)s", "\u017f", True),
    ("(?i)\u017f", "S", True),
    ("(?i)i", "İ", False),
    ("(?i)I", "\u0131", False),
    ("(?i)ß", "ẞ", True),
    ("(?i)ß", "ss", False),
    ("(?i)\u03c3", "ς", True),
    ("(?i)Σ", "ς", True),
    ("(?i)ǆ", "ǅ", True),
    ("(?i)ǅ", "Ǆ", True),
    ("(?i)Ω", "\u2126", True),
    ("(?i)^zÜrich$", "Zürich", True),
    ("(?i)[k]", "\u212a", True),
    ("(?i)[^k]", "\u212a", False),
    ("(?i)[a-z]", "\u017f", True),
    ("(?i)^[^a-z]$", "A", False),
    ("(?i)[é]", "É", True),
    ("[é]", "É", False),
    ("(?i)[\u03c3]", "ς", True),
    # Flags: scoped, set mid-group, negated, persisting across |.
    ("(?i)a(?-i)b", "AB", False),
    ("(?i)a(?-i)b", "Ab", True),
    ("(?i:a)b", "Ab", True),
    ("(?i:a)b", "AB", False),
    ("(a(?i)b)c", "aBc", True),
    ("(a(?i)b)c", "aBC", False),
    ("a(?i)b|c", "C", True),
    ("(?s).", "\n", True),
    (".", "\n", False),
    ("(?s-s).", "\n", False),
    ("(?is)A.", "a\n", True),
    ("(?i-s:A.)", "a\n", False),
    ("(?i-s:A.)", "ab", True),
    ("(?U)a+", "aa", True),
    ("(?U)^a+$", "aa", True),
    ("(?U)^a+?$", "aa", True),
    ("(?)a", "a", True),
    # Named groups: any [A-Za-z0-9_]+ name, duplicates allowed.
    ("(?P<name>a)", "a", True),
    ("(?P<n>a)(?P<n>b)", "ab", True),
    ("(?P<1>a)", "a", True),
    ("(?P<_x9>a)b", "ab", True),
    # Repetition.
    ("a*", "", True),
    ("^a*$", "aaa", True),
    ("^a+$", "", False),
    ("^a?$", "aa", False),
    ("^a{2}$", "aa", True),
    ("^a{2}$", "aaa", False),
    ("^a{2,}$", "aaaa", True),
    ("^a{2,3}$", "aaaa", False),
    ("^a{0}$", "", True),
    ("^(?:ab){2}$", "abab", True),
    ("^ab{2}$", "abb", True),
    ("a*?", "", True),
    ("^a+?$", "aaa", True),
    ("^a??$", "a", True),
    ("^a{2}?$", "aa", True),
    ("^x{1000}$", "x" * 1000, True),
    ("^(?:a{2}){500}$", "a" * 1000, True),
    ("^(?:[a-z]{4}){0,250}$", "abcd", True),
    ("(?:a*)*", "", True),
    ("(?:a*)+b", "b", True),
    ("^(?:a+)?$", "", True),
    ("(a*)*b", "aab", True),
    (r"a*\Q\E*", "a", True),
    ("a*(?i)*", "a", True),
    ("^(?:)*$", "", True),
    ("^*a", "a", True),
    ("x\\b+", "x", True),
    # A brace that does not start a valid repeat is a literal.
    ("a{,2}", "a{,2}", True),
    ("a{,2}", "aa", False),
    ("^a{$", "a{", True),
    ("^a{x}$", "a{x}", True),
    ("^a{1$", "a{1", True),
    ("^a{1,$", "a{1,", True),
    ("^a{01}$", "a{01}", True),
    ("^a{1001$", "a{1001", True),
    ("^{$", "{", True),
    ("^}$", "}", True),
    ("^a{2}{$", "aa{", True),
    # Groups.
    ("(a)(b)", "ab", True),
    ("((a))", "a", True),
    ("(?:a|b)c", "bc", True),
    ("a(?:)b", "ab", True),
    ("()", "", True),
    ("(|||a)b", "b", True),
]

# (pattern, Go's error text after "error parsing regexp: ")
ERROR_CASES: list[tuple[str, str]] = [
    # Unknown and unsupported escapes.
    (r"\8", r"invalid escape sequence: `\8`"),
    (r"\1", r"invalid escape sequence: `\1`"),
    (r"\18", r"invalid escape sequence: `\1`"),
    (r"\q", r"invalid escape sequence: `\q`"),
    (r"a\Z", r"invalid escape sequence: `\Z`"),
    (r"\G", r"invalid escape sequence: `\G`"),
    (r"\K", r"invalid escape sequence: `\K`"),
    (r"\C", r"invalid escape sequence: `\C`"),
    (r"\e", r"invalid escape sequence: `\e`"),
    (r"\é", r"invalid escape sequence: `\é`"),
    (r"\x", r"invalid escape sequence: `\x`"),
    (r"\x4", r"invalid escape sequence: `\x4`"),
    (r"\xg1", r"invalid escape sequence: `\xg1`"),
    (r"\x{}", r"invalid escape sequence: `\x{}`"),
    (r"\x{110000}", r"invalid escape sequence: `\x{110000`"),
    (r"\x{41", r"invalid escape sequence: `\x{41`"),
    (r"[\b]", r"invalid escape sequence: `\b`"),
    (r"[a-\d]", r"invalid escape sequence: `\d`"),
    ("\\", "trailing backslash at end of expression: ``"),
    ("a\\", "trailing backslash at end of expression: ``"),
    # Lookaround, atomic groups, comments, conditionals, backreferences.
    ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
    ("(?!a)", "invalid or unsupported Perl syntax: `(?!`"),
    ("(?>a)", "invalid or unsupported Perl syntax: `(?>`"),
    ("(?#c)", "invalid or unsupported Perl syntax: `(?#`"),
    ("(?(1)a|b)", "invalid or unsupported Perl syntax: `(?(`"),
    ("(?P=n)", "invalid or unsupported Perl syntax: `(?P`"),
    ("(?P>n)", "invalid or unsupported Perl syntax: `(?P`"),
    ("(?'n'a)", "invalid or unsupported Perl syntax: `(?'`"),
    # Flags.
    ("(?z)", "invalid or unsupported Perl syntax: `(?z`"),
    ("(?-)", "invalid or unsupported Perl syntax: `(?-)`"),
    ("(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"),
    ("(?--i)", "invalid or unsupported Perl syntax: `(?--`"),
    ("(?i", "invalid or unsupported Perl syntax: `(?i`"),
    ("(?", "invalid or unsupported Perl syntax: `(?`"),
    # Named groups.
    ("(?P<>a)", "invalid named capture: `(?P<>`"),
    ("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`"),
    ("(?P<é>x)", "invalid named capture: `(?P<é>`"),
    ("(?P<n", "invalid named capture: `(?P<n`"),
    ("(?P<n>a", "missing closing ): `(?P<n>a`"),
    # Repetition.
    ("*a", "missing argument to repetition operator: `*`"),
    ("+", "missing argument to repetition operator: `+`"),
    ("?", "missing argument to repetition operator: `?`"),
    ("{2}", "missing argument to repetition operator: `{2}`"),
    ("(*)", "missing argument to repetition operator: `*`"),
    ("(|*)", "missing argument to repetition operator: `*`"),
    ("a|*", "missing argument to repetition operator: `*`"),
    ("(?i)*", "missing argument to repetition operator: `*`"),
    (r"\Q\E*", "missing argument to repetition operator: `*`"),
    ("a**", "invalid nested repetition operator: `**`"),
    ("a++", "invalid nested repetition operator: `++`"),
    ("a*+", "invalid nested repetition operator: `*+`"),
    ("a?+", "invalid nested repetition operator: `?+`"),
    ("a?*", "invalid nested repetition operator: `?*`"),
    ("a+*", "invalid nested repetition operator: `+*`"),
    ("a*??", "invalid nested repetition operator: `*??`"),
    ("a{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
    ("a{2}*", "invalid nested repetition operator: `{2}*`"),
    ("a*{2}", "invalid nested repetition operator: `*{2}`"),
    ("x{1001}", "invalid repeat count: `{1001}`"),
    ("x{2,1}", "invalid repeat count: `{2,1}`"),
    ("x{1000,1001}", "invalid repeat count: `{1000,1001}`"),
    ("x{9876543210}", "invalid repeat count: `{9876543210}`"),
    ("a{100000,}", "invalid repeat count: `{100000,}`"),
    ("(?:a{3}){500}", "invalid repeat count: `{500}`"),
    ("(?:a{1000}){2}", "invalid repeat count: `{2}`"),
    ("(?:[a-z]{4}){0,251}", "invalid repeat count: `{0,251}`"),
    ("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "invalid repeat count: `{2}`"),
    # Parentheses.
    ("(a", "missing closing ): `(a`"),
    ("(", "missing closing ): `(`"),
    ("(?:a", "missing closing ): `(?:a`"),
    ("(a|b", "missing closing ): `(a|b`"),
    ("a)", "unexpected ): `a)`"),
    (")", "unexpected ): `)`"),
    ("(a))", "unexpected ): `(a))`"),
    # Classes.
    ("[a", "missing closing ]: `[a`"),
    ("[]", "missing closing ]: `[]`"),
    ("[^]", "missing closing ]: `[^]`"),
    ("a[", "missing closing ]: `[`"),
    ("[[:alpha:]", "missing closing ]: `[[:alpha:]`"),
    ("[z-a]", "invalid character class range: `z-a`"),
    ("[a--b]", "invalid character class range: `a--`"),
    ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
    (r"\p{Foo}", r"invalid character class range: `\p{Foo}`"),
    (r"\pl", r"invalid character class range: `\pl`"),
    (r"\p{", r"invalid character class range: `\p{`"),
    (r"\p", r"invalid character class range: `\p`"),
    (r"\p{^}", r"invalid character class range: `\p{^}`"),
    (r"[\p{IsGreek}]", r"invalid character class range: `\p{IsGreek}`"),
    # Accepted only from Go 1.25 (see test_go_1_25_property_names).
    (r"\p{Letter}", r"invalid character class range: `\p{Letter}`"),
    (r"\p{greek}", r"invalid character class range: `\p{greek}`"),
    (r"\p{LC}", r"invalid character class range: `\p{LC}`"),
    (r"\p{Cn}", r"invalid character class range: `\p{Cn}`"),
    (r"\p{ASCII}", r"invalid character class range: `\p{ASCII}`"),
]

# Go 1.22+ only (the oracle's Go 1.19 rejects these): derived from the
# regexp/syntax source, where "(?<" always starts a named group.
NEWER_GO_CASES: list[tuple[str, str, bool | str]] = [
    ("^(?<x>a)$", "a", True),
    ("(?<name>a)(?P<other>b)", "ab", True),
    ("(?<n>a", "", "missing closing ): `(?<n>a`"),
    ("(?<>a)", "", "invalid named capture: `(?<>`"),
    ("(?<=a)", "", "invalid named capture: `(?<=a)`"),
    ("(?<!a)b", "", "invalid named capture: `(?<!a)b`"),
]


@pytest.mark.parametrize(("pattern", "subject", "expected"), MATCH_CASES)
def test_match(pattern: str, subject: str, expected: bool) -> None:
    assert (re2.compile(pattern).search(subject) is not None) is expected


@pytest.mark.parametrize(("pattern", "message"), ERROR_CASES)
def test_error(pattern: str, message: str) -> None:
    with pytest.raises(RE2SyntaxError) as info:
        translate(pattern)
    assert str(info.value) == "error parsing regexp: " + message


@pytest.mark.parametrize(("pattern", "subject", "expected"), NEWER_GO_CASES)
def test_newer_go_syntax(pattern: str, subject: str, expected: bool | str) -> None:
    if isinstance(expected, str):
        with pytest.raises(
            RE2SyntaxError, match="^error parsing regexp: " + regex.escape(expected)
        ):
            translate(pattern)
    else:
        assert (re2.compile(pattern).search(subject) is not None) is expected


def test_error_attributes() -> None:
    with pytest.raises(RE2SyntaxError) as info:
        translate("a**")
    assert info.value.code is ErrorCode.INVALID_REPEAT_OP
    assert info.value.expr == "**"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ("(" * 1000 + ")" * 1000, ErrorCode.NESTING_DEPTH),
        ("(?:" * 1000 + ")*" * 1000, ErrorCode.NESTING_DEPTH),
        ("(a|" * 999 + "b" + ")" * 999, ErrorCode.NESTING_DEPTH),
        ("(" + "(xx?)" * 1000 + "){1000}", ErrorCode.LARGE),
        ("(xx?){1000}" * 1000, ErrorCode.LARGE),
        (r"\pL" * 27000, ErrorCode.LARGE),
    ],
)
def test_limits(pattern: str, code: ErrorCode) -> None:
    with pytest.raises(RE2SyntaxError) as info:
        translate(pattern)
    assert info.value.code is code
    assert info.value.expr == pattern


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("(" * 999 + ")" * 999, ""),
        ("(?:" * 999 + ")*" * 999, ""),
        ("(" + "|" * 12345 + ")", ""),
        ("(a" * 500 + ")" * 500, "a" * 500),
        ("(?:a|(?:b|" * 300 + "c" + "))" * 300, "c"),
    ],
)
def test_deep_but_valid(pattern: str, subject: str) -> None:
    # Go allows nesting up to 1000 levels; compile must cope with that depth.
    assert re2.compile(pattern).search(subject) is not None


def test_invalid_utf8() -> None:
    # A lone surrogate is the str form of bytes Go would reject as invalid UTF-8.
    with pytest.raises(RE2SyntaxError, match="invalid UTF-8"):
        translate("a\ud800")


def test_output_is_version0(monkeypatch: pytest.MonkeyPatch) -> None:
    translated = translate(r"(?i)k[[:alpha:]&&b]$")
    assert translated.startswith("(?V0)")
    assert regex.compile(translated).search("\u212a&") is not None
    # Even with VERSION1 as the default, the inline (?V0) keeps && literal.
    monkeypatch.setattr(regex, "DEFAULT_VERSION", regex.VERSION1)
    assert regex.compile(translated).search("\u212a&") is not None


def test_go_1_25_property_names(monkeypatch: pytest.MonkeyPatch) -> None:
    # Derived from the Go 1.25 release notes and regexp/syntax source, not the oracle.
    monkeypatch.setattr(re2, "GO_1_25_PROPERTY_NAMES", True)
    assert re2.compile(r"^\p{Letter}+$").search("été")
    assert re2.compile(r"^\p{greek}$").search("\u03b1")
    assert re2.compile(r"^\p{upper case-let ter}$").search("A")
    assert re2.compile(r"^\pl$").search("a")
    assert re2.compile(r"^\p{LC}$").search("a")
    assert not re2.compile(r"^\p{LC}$").search("日")
    assert re2.compile(r"^\p{ascii}+$").search("abc~")
    assert not re2.compile(r"^\p{ASCII}$").search("é")
    assert re2.compile(r"(?i)^\p{ASCII}$").search("\u212a")
    assert re2.compile(r"^\p{Assigned}$").search("a")
    assert re2.compile(r"^\p{Cn}$").search("\U000e0080")
    assert re2.compile(r"^\p{Canadian_Aboriginal}$").search("\u1401")
    with pytest.raises(RE2SyntaxError):
        translate(r"\p{IsGreek}")


# -- Properties that need no oracle -----------------------------------------

_ATOMS = st.sampled_from(["a", "b", "c", "x", "1", ".", "[abc]", "[a-c]", "[^ab]", "[x1]"])
_QUANTIFIERS = st.sampled_from(["", "", "*", "+", "?", "*?", "+?", "??", "{2}", "{0,2}", "{1,}"])


def _pieces(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    group = st.sampled_from(["(", "(?:"])
    concat = st.lists(children, min_size=1, max_size=3).map("".join)
    alternation = st.lists(children, min_size=2, max_size=3).map("|".join)
    grouped = st.tuples(group, st.one_of(concat, alternation), _QUANTIFIERS).map(
        lambda t: f"{t[0]}{t[1]}){t[2]}"
    )
    return st.one_of(grouped, concat)


_SHARED_PATTERNS = st.recursive(
    st.tuples(_ATOMS, _QUANTIFIERS).map("".join), _pieces, max_leaves=8
).flatmap(lambda p: st.sampled_from([p, "^" + p, r"\A" + p, "(?i)" + p, "(?s)" + p]))


@settings(max_examples=200, deadline=None)
@given(pattern=_SHARED_PATTERNS, subject=st.text(alphabet="abcxABC1\n", max_size=8))
def test_agrees_with_regex_on_shared_syntax(pattern: str, subject: str) -> None:
    # These constructs mean the same in RE2 and in the regex module (on ASCII
    # subjects), so translating must not change the outcome.
    expected = regex.search(pattern, subject, flags=regex.V0) is not None
    assert (re2.compile(pattern).search(subject) is not None) is expected


_SYNTAX = st.text(alphabet="()[]{}|*+?.^$\\-:,0129azAZbBpPdDwWsSQEzxikUm<>=!_'é\n")


@settings(max_examples=200, deadline=None)
@given(pattern=_SYNTAX)
def test_translation_compiles_or_raises_re2_error(pattern: str) -> None:
    # Whatever the input, the translator either rejects it like Go does or
    # produces a pattern that the regex module accepts.
    try:
        translated = translate(pattern)
    except RE2SyntaxError:
        return
    regex.compile(translated)
