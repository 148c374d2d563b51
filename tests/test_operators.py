"""The operator table and the token definitions agree with the grammar.

The grammar (grammar/bexpr.peg) decides what parses; bexpr.syntax.operators
and bexpr.syntax.tokens say the same things for everything else (printing,
messages, check, completion). These tests fail when the two drift apart.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bexpr
from bexpr.syntax import tokens
from bexpr.syntax.ast import Match, Selector, Value
from bexpr.syntax.grammar import rules
from bexpr.syntax.operators import OPERATORS, CollectionOp, Form, MatchOp


def token(name: str) -> re.Pattern[str]:
    pattern: re.Pattern[str] = rules().grammar[name].re
    return pattern


def words_in(name: str) -> set[str]:
    """The keywords and symbols a grammar token spells (group names and
    escapes such as \\t left out)."""
    pattern = re.sub(r"\(\?P<\w+>|\\.", " ", token(name).pattern)
    return set(re.findall(r"==|!=|[a-z]+", pattern))


VOCABULARY = sorted(tokens.KEYWORDS | {"==", "!="})


def grammar_accepts(form: Form, phrase: str) -> bool:
    pattern = token(form.value)
    return any(pattern.fullmatch(text) for text in (f" {phrase} ", f" {phrase}"))


def test_every_operator_has_one_row() -> None:
    rows = [op for row in OPERATORS for op in (row.op, row.negation)]
    assert sorted(rows, key=lambda op: op.value) == sorted(MatchOp, key=lambda op: op.value)


@pytest.mark.parametrize("op", list(MatchOp), ids=lambda op: op.value)
def test_a_pair_is_consistent(op: MatchOp) -> None:
    negation = op.negation
    assert negation is not op
    assert negation.negation is op
    assert op.negative != negation.negative
    assert op.positive is negation.positive
    assert op.positive is (negation if op.negative else op)
    assert op.when_missing != negation.when_missing
    assert op.applies_to == negation.applies_to
    assert op.form is negation.form
    assert op.spellings[0] == (op.form, op.value)
    assert op.takes_value is (op.form is not Form.UNARY)


@pytest.mark.parametrize("form", list(Form), ids=lambda form: form.name)
def test_the_grammar_spells_exactly_the_table(form: Form) -> None:
    # Every phrase of up to three words from the language's vocabulary: the
    # grammar's operator token accepts it exactly when the table has it.
    table = {text for text, _ in tokens.spellings(form)}
    accepted = {
        " ".join(words)
        for size in (1, 2, 3)
        for words in itertools.product(VOCABULARY, repeat=size)
        if grammar_accepts(form, " ".join(words))
    }
    assert accepted == table
    assert words_in(form.value) == {word for text in table for word in text.split()}


@pytest.mark.parametrize(("text", "op"), tokens.spellings(), ids=lambda x: str(x))
def test_each_spelling_parses_to_its_operator(text: str, op: MatchOp) -> None:
    form = next(form for form, spelled in op.spellings if spelled == text)
    source = {Form.BINARY: f"a {text} 1", Form.IN: f"1 {text} a", Form.UNARY: f"a {text}"}[form]
    value = None if form is Form.UNARY else Value("1", "number")
    assert bexpr.parse(source) == Match(op, Selector(("a",)), value)
    # Words may be spread over any whitespace.
    assert bexpr.parse(source.replace(" ", " \t\n ")) == bexpr.parse(source)


def test_keywords_are_the_grammars() -> None:
    in_grammar = set().union(
        *(words_in(name) for name in ("OR", "AND", "NOT", "AS", "COLLECTION_OP")),
        *(words_in(form.value) for form in Form),
    )
    assert in_grammar - {"==", "!="} == tokens.KEYWORDS
    assert words_in("COLLECTION_OP") == {op.value for op in CollectionOp}
    assert {tokens.AND, tokens.OR, tokens.NOT, tokens.AS} == {
        next(iter(words_in(name))) for name in ("AND", "OR", "NOT", "AS")
    }


def test_derived_word_sets() -> None:
    assert {"==", "!=", "in", "not", "is", "contains", "matches"} == tokens.OPERATOR_STARTS
    assert {"in", "contains", "matches"} == tokens.WORD_OPERATORS
    assert tokens.KEYWORDS - {"empty", "nil"} == tokens.LEADING_KEYWORDS


TOKEN_TEXT = st.text(
    alphabet=st.sampled_from(list('abZ09_/.-~:|"é ١٢ß[]`\\x')) | st.characters(), max_size=12
)


@given(TOKEN_TEXT)
def test_number_is_the_grammars(text: str) -> None:
    assert bool(tokens.NUMBER.match(text)) == bool(token("NUMBER").fullmatch(text))


@given(TOKEN_TEXT)
def test_pointer_is_the_grammars(text: str) -> None:
    assert bool(tokens.POINTER.match(text)) == bool(token("POINTER").fullmatch(text))
    assert bool(tokens.POINTER.match(f'"/{text}"')) == bool(
        token("POINTER").fullmatch(f'"/{text}"')
    )


@given(TOKEN_TEXT)
def test_identifier_is_a_dotted_selectors_first_name(text: str) -> None:
    dotted = token("DOTTED").fullmatch(text) and not re.search(r"[.\[]", text)
    assert bool(tokens.IDENTIFIER.match(text)) == bool(dotted)


@given(st.lists(TOKEN_TEXT, min_size=1, max_size=3), st.booleans())
def test_a_spelled_path_parses_back(path: list[str], pointer: bool) -> None:
    try:
        text = tokens.spell_path(tuple(path), pointer)
    except ValueError:
        return  # some paths no selector can spell (a pointer with an empty key, ...)
    parsed = bexpr.parse(f"{text} is empty")
    assert isinstance(parsed, Match)
    assert parsed.selector.path == tuple(path)
