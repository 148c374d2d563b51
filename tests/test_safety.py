"""Untrusted filters and untrusted data: limits, data access, no stray exceptions.

See docs/security.md for what is guaranteed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bexpr
from bexpr.data.fields import attribute_resolver
from tests.strategies import data_values, records, trees

FUZZ = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- parser bounds -------------------------------------------------------------


def test_1000_nested_parentheses_are_refused_by_max_depth_quickly() -> None:
    text = "(" * 1000 + "a == 1" + ")" * 1000
    with pytest.raises(bexpr.ParseError, match="max_depth=32"):
        bexpr.compile(text)


def test_1000_nested_parentheses_compile_when_allowed() -> None:
    text = "(" * 1000 + "a == 1" + ")" * 1000
    assert bexpr.compile(text, max_depth=1000)({"a": 1})


def test_100000_nots_are_refused_by_max_length_or_compile_linearly() -> None:
    text = "not " * 100_000 + "a == 1"
    with pytest.raises(bexpr.ParseError, match="max_length=65536"):
        bexpr.compile(text)
    expr = bexpr.compile(text, max_length=len(text))
    assert expr({"a": 1}) is True  # an even number of nots cancels out
    assert expr.tree == bexpr.parse("a == 1")


def test_20000_clause_or_chain_is_refused_by_max_length_or_compiles() -> None:
    text = " or ".join(["a == 1"] * 20_000)
    with pytest.raises(bexpr.ParseError, match="max_length"):
        bexpr.compile(text)
    expr = bexpr.compile(text, max_length=len(text), max_expressions=40_000)
    assert expr({"a": 2}) is False  # evaluates all 20,000 clauses without recursion
    assert expr({"a": 1}) is True


def test_max_expressions_is_checked_while_parsing() -> None:
    text = " or ".join(["a == 1"] * 5000)
    with pytest.raises(bexpr.ParseError, match="max_expressions=100"):
        bexpr.compile(text, max_expressions=100)


def test_deep_and_or_not_nesting_evaluates() -> None:
    text = "not (a == 1 and " * 30 + "b == 2" + ")" * 30
    assert bexpr.compile(text)({"a": 1, "b": 2}) is True


# -- regular expressions ----------------------------------------------------------


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", "(?=a)", "(?<=a)b", "(?>a)", "a*+", "(?(1)a|b)", r"a\Z"]
)
def test_constructs_re2_rejects_are_evaluation_errors(pattern: str) -> None:
    expr = bexpr.compile(f"s matches `{pattern}`")
    with pytest.raises(bexpr.EvaluationError, match="invalid regular expression"):
        expr({"s": "aab"})
    # Not reached, not an error: the reference reports it only when evaluated.
    assert bexpr.compile(f"t == 1 or s matches `{pattern}`")({"t": 1}) is True


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        (r"a\z", "a", True),
        (r"a$", "a\n", False),  # RE2's $ has no newline exception
        (r"\Qa.b\E", "a.b", True),
        (r"\Qa.b\E", "axb", False),
        ("(?U)a+", "aaa", True),
        ("[[:alpha:]]+$", "abc", True),
        (r"^\d+$", "١٢٣", False),  # \d is ASCII in RE2
        (r"\bé", " é", False),  # \b is ASCII in RE2
        (r"^\w+$", "héllo", False),
    ],
)
def test_re2_spellings(pattern: str, text: str, expected: bool) -> None:
    assert bexpr.evaluate(f"s matches `{pattern}`", {"s": text}) is expected


def test_catastrophic_backtracking_times_out() -> None:
    # Without the timeout this search runs for minutes (exponential backtracking).
    expr = bexpr.compile('s matches "(a|aa)+$"', regex_timeout=0.05)
    with pytest.raises(bexpr.EvaluationError, match="regex_timeout"):
        expr({"s": "a" * 40 + "b"})


def test_collection_steps_are_bounded() -> None:
    data = {"L": list(range(1000))}
    expr = bexpr.compile("any L as x { any L as y { y == -1 } }", max_steps=10_000)
    with pytest.raises(bexpr.EvaluationError, match="max_steps=10000"):
        expr(data)
    assert bexpr.compile("any L as x { x == 999 }", max_steps=1000)(data) is True


# -- data access ---------------------------------------------------------------


class Secretive:
    cls_attr = "class"

    def __init__(self) -> None:
        self.name = "obj"
        self._token = "secret"
        self.callback = lambda: "ran"

    @property
    def computed(self) -> str:
        raise AssertionError("a property ran")

    def method(self) -> str:
        raise AssertionError("a method ran")

    def __getattr__(self, name: str) -> Any:
        raise AssertionError("__getattr__ ran")


@pytest.mark.parametrize(
    "selector", ["o.cls_attr", "o.computed", "o.method", '"/o/_token"', "o.callback", "o.nope"]
)
def test_selectors_reach_data_only(selector: str) -> None:
    data = {"o": Secretive()}
    assert bexpr.evaluate("o.name == obj", data)
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate(f"{selector} == x", data)


class Slotted:
    __slots__ = ("name", "unset")

    def __init__(self) -> None:
        self.name = "slot"


def test_slots_are_read_without_running_code() -> None:
    assert bexpr.evaluate("o.name == slot", {"o": Slotted()})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.unset == x", {"o": Slotted()})


@attrs.define
class AttrsJob:
    name: str
    tags: list[str] = attrs.field(factory=list, metadata={"bexpr": "Tags"})
    _secret: str = "s"


class PydanticJob(pydantic.BaseModel):
    name: str
    port: int = 80

    @property
    def computed(self) -> str:
        raise AssertionError("a property ran")


def test_attrs_and_pydantic_fields() -> None:
    assert bexpr.evaluate('o.name == web and "a" in o.Tags', {"o": AttrsJob("web", ["a"])})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.tags is empty", {"o": AttrsJob("web")})
    job = PydanticJob(name="api")
    assert bexpr.evaluate("o.name == api and o.port == 80", {"o": job})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.computed == x", {"o": job})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.model_fields is empty", {"o": job})


@dataclasses.dataclass
class Shadowed:
    name: str

    def __post_init__(self) -> None:
        self.extra = "not a field"


def test_dataclasses_expose_declared_fields_only() -> None:
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.extra == x", {"o": Shadowed("n")})


def test_resolver_opts_in_to_more() -> None:
    class WithProperty:
        @property
        def size(self) -> int:
            return 3

    data = {"o": WithProperty()}
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("o.size == 3", data)
    assert bexpr.evaluate("o.size == 3", data, resolver=attribute_resolver)


def test_container_exceptions_become_evaluation_errors_with_cause() -> None:
    class Exploding(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise KeyError(key)

        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

        def __iter__(self) -> Iterator[str]:
            raise RuntimeError("boom")

        def __len__(self) -> int:
            raise RuntimeError("boom")

    for text in ["a == 1", "a is empty", "any a as x { x == 1 }"]:
        with pytest.raises(bexpr.EvaluationError) as info:
            bexpr.evaluate(text, Exploding())
        assert isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(bexpr.EvaluationError):
        bexpr.filter("m is empty", [{"m": Exploding()}])
    with pytest.raises(bexpr.EvaluationError):
        list(bexpr.compile("a == 1").filter(iter([Exploding()])))


# -- concurrency ------------------------------------------------------------------


THREAD_TEXT = 'Name matches "^w" and (Port == 80 or any Tags as t { t == "a" }) and Meta.x is empty'
THREAD_DATA = [
    {"Name": n, "Tags": t, "Port": p, "Meta": m}
    for n in ("web", "api")
    for t in ([], ["a"], ["b", "a"])
    for p in (80, 81)
    for m in ({}, {"x": ""}, {"x": "1"})
] * 50


def test_one_expression_shared_by_8_threads() -> None:
    expr = bexpr.compile(THREAD_TEXT)
    expected = [expr(d) for d in THREAD_DATA]
    assert _race(expr, THREAD_DATA) == [expected] * 8


def test_threads_racing_the_switch_to_generated_code() -> None:
    expected = [bexpr.compile(THREAD_TEXT, codegen=False)(d) for d in THREAD_DATA]
    fresh = bexpr.compile(THREAD_TEXT)  # switches tiers while the threads run
    assert _race(fresh, THREAD_DATA) == [expected] * 8
    assert fresh._predicate is not fresh._closures


# -- fuzzing: only BexprError escapes ---------------------------------------------

SEEDS = [
    'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"',
    "not (a == 1 or b is empty) and c != x",
    "any L as i, v { v.n is not nil or i == 0 }",
    '"/a~1b/0" contains `x` or m["k"] not matches "(?i)x"',
]


def _mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    chars = list(text)
    for kind, where, insert in edits:
        position = where % (len(chars) + 1)
        if kind == 0 and chars:
            del chars[min(position, len(chars) - 1)]
        elif kind == 1:
            chars.insert(position, insert)
        elif chars:
            chars[min(position, len(chars) - 1)] = insert
    return "".join(chars)


def _only_bexpr_errors(text: str, datum: Any) -> None:
    try:
        expr = bexpr.compile(text)
    except bexpr.ParseError as err:
        assert 0 <= err.offset <= len(text)
        assert str(err)
        return
    generated = bexpr.compile(text, codegen=True)
    for run in (
        lambda: expr(datum),
        lambda: expr.filter([datum, datum]),
        lambda: generated(datum),
        lambda: generated.filter([datum, datum]),
        lambda: generated.filter({"a": datum}),
    ):
        with contextlib.suppress(bexpr.EvaluationError):
            run()


@FUZZ
@given(text=st.text(max_size=60), datum=data_values)
def test_fuzz_random_strings(text: str, datum: Any) -> None:
    _only_bexpr_errors(text, datum)


@FUZZ
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 200),
            st.sampled_from(list(' ()"`[]{}.,=!-_/~0123456789aenotrsi\\\t\n\x00é')),
        ),
        min_size=1,
        max_size=4,
    ),
    datum=records,
)
def test_fuzz_mutated_expressions(seed: str, edits: list[tuple[int, int, str]], datum: Any) -> None:
    _only_bexpr_errors(_mutate(seed, edits), datum)


@FUZZ
@given(tree=trees(), datum=st.one_of(records, data_values))
def test_fuzz_valid_expressions_on_random_data(tree: Any, datum: Any) -> None:
    _only_bexpr_errors(str(tree), datum)


@FUZZ
@given(
    data=st.recursive(
        st.none() | st.text(max_size=3) | st.integers(),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=2), c),
        max_leaves=20,
    )
)
def test_fuzz_filter_any_data(data: Any) -> None:
    for text in ["", "a == 1", "any a as x { x is empty }", '"x" in a']:
        try:
            result = bexpr.filter(text, data)
            json.dumps(result, default=str)
        except bexpr.BexprError:
            pass


def _race(expr: bexpr.Expression, records: list[Any], threads: int = 8) -> list[list[bool]]:
    """Evaluate ``records`` from several threads released at the same moment."""
    results: list[list[bool]] = []
    barrier = threading.Barrier(threads)

    def work() -> None:
        barrier.wait()
        results.append([expr(r) for r in records])

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


def test_general_paths_built_by_several_threads_at_once() -> None:
    # A match builds its general path the first time the fast path hands it a
    # record (here: a mapping that is not a dict). Racing first uses agree.
    from collections import OrderedDict

    records = [OrderedDict(Port=80, Name="web"), OrderedDict(Port=81, Name="web")]
    for _ in range(20):
        expr = bexpr.compile('Port == 80 and Name matches "^w"')
        assert _race(expr, records) == [[True, False]] * 8
