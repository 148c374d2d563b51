"""The public API: compile/evaluate/filter, options, and Python data types."""

from __future__ import annotations

import dataclasses
import pickle
import threading
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import bexpr

JOBS = [
    {"ID": "web", "Datacenters": ["dc1", "dc2"], "Meta": {"env": "prod"}, "Port": 80},
    {"ID": "batch", "Datacenters": ["dc1"], "Meta": {"env": "dev"}, "Port": 0},
    {"ID": "cache", "Datacenters": [], "Meta": {}, "Port": 6379},
]


def ids(records: Any) -> list[str]:
    return [r["ID"] for r in records]


def test_compile_evaluate_and_call() -> None:
    expr = bexpr.compile('"dc2" in Datacenters')
    assert expr.evaluate(JOBS[0]) is True
    assert expr(JOBS[1]) is False
    assert expr.expression == '"dc2" in Datacenters'
    assert repr(expr) == "bexpr.compile('\"dc2\" in Datacenters')"


def test_filter_list_keeps_order() -> None:
    assert ids(bexpr.filter("Port != 0", JOBS)) == ["web", "cache"]


def test_filter_tuple_gives_list() -> None:
    assert ids(bexpr.filter("Port != 0", tuple(JOBS))) == ["web", "cache"]


def test_filter_dict_keeps_keys() -> None:
    data = {job["ID"]: job for job in JOBS}
    assert bexpr.filter("Meta.env == prod", data) == {"web": JOBS[0]}


def test_filter_iterable_is_lazy() -> None:
    seen: list[int] = []

    def records() -> Iterator[dict[str, int]]:
        for i in range(1_000_000):
            seen.append(i)
            yield {"n": i}

    result = bexpr.compile("n == 3").filter(records())
    assert not isinstance(result, list)
    assert next(iter(result)) == {"n": 3}
    assert len(seen) == 4


def test_empty_filter_returns_data_unchanged() -> None:
    assert bexpr.filter("", JOBS) is JOBS
    assert bexpr.filter("", None) is None


@pytest.mark.parametrize("data", [None, "abc", 5, 1.5, b"x"])
def test_filter_rejects_non_collections(data: Any) -> None:
    with pytest.raises(bexpr.EvaluationError):
        bexpr.filter("n == 1", data)


def test_first_evaluation_error_aborts_the_filter() -> None:
    with pytest.raises(bexpr.EvaluationError, match="Port"):
        bexpr.filter("Port == 80", [*JOBS, {"ID": "x"}])


def test_evaluation_error_names_the_selector() -> None:
    with pytest.raises(bexpr.EvaluationError) as info:
        bexpr.evaluate('Datacenters == "x"', JOBS[0])
    assert info.value.selector == "Datacenters"
    assert "cannot compare a list" in str(info.value)


def test_missing_keys() -> None:
    assert bexpr.evaluate("Meta.owner == x", JOBS[0]) is False
    assert bexpr.evaluate("Meta.owner != x", JOBS[0]) is True
    assert bexpr.evaluate("Meta.owner is empty", JOBS[0]) is True
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("Owner == x", JOBS[0])
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("Meta.owner.name == x", JOBS[0])


def test_unknown_option() -> None:
    assert bexpr.evaluate("Owner == x", JOBS[0], unknown="x") is True
    assert bexpr.evaluate("Owner is nil", JOBS[0], unknown=None) is True
    # 1, 1.0 and True are equal in Python but not alike here: the cache must
    # not mix them up.
    assert bexpr.evaluate("Owner == true", JOBS[0], unknown=True) is True
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("Owner == true", JOBS[0], unknown=1)
    assert bexpr.evaluate('"x" in Owner', JOBS[0], unknown=["x"]) is True


def test_hook_sees_every_value_looked_up() -> None:
    seen: list[Any] = []

    def hook(value: Any) -> Any:
        seen.append(value)
        return value.upper() if isinstance(value, str) else value

    assert bexpr.evaluate("Meta.env == PROD", JOBS[0], hook=hook) is True
    assert seen == [{"env": "prod"}, "prod"]


def test_exceptions_from_user_data_become_evaluation_errors() -> None:
    class Broken(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            raise RuntimeError("boom")

        def __iter__(self) -> Iterator[str]:
            return iter(["a"])

        def __len__(self) -> int:
            return 1

    with pytest.raises(bexpr.EvaluationError) as info:
        bexpr.evaluate("a == 1", Broken())
    assert isinstance(info.value.__cause__, RuntimeError)

    def bad_hook(value: Any) -> Any:
        raise ValueError("no")

    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("a == 1", {"a": 1}, hook=bad_hook)


def test_what_the_callers_own_iterable_raises_reaches_the_caller_unchanged() -> None:
    def records() -> Iterator[dict[str, Any]]:
        yield {"a": 1}
        raise OSError("disk gone")

    expr = bexpr.compile("a == 1")
    for errors in ("fail", "skip", print):
        matches = expr.filter(records(), errors=errors)  # type: ignore[arg-type]
        assert next(matches) == {"a": 1}
        with pytest.raises(OSError, match="disk gone"):
            next(matches)

    class Flaky(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            return {"a": 1}

        def __iter__(self) -> Iterator[str]:
            yield "x"
            raise OSError("gone too")

        def __len__(self) -> int:
            return 2

    with pytest.raises(OSError, match="gone too"):
        expr.filter(Flaky())

    # A record's own data access still fails as an EvaluationError.
    def failing_hook(value: Any) -> Any:
        raise OSError("hook")

    with pytest.raises(bexpr.EvaluationError) as info:
        list(bexpr.compile("a == 1", hook=failing_hook).filter(iter([{"a": 1}])))
    assert isinstance(info.value.__cause__, OSError) and info.value.key == 0


def test_async_iterables_give_async_iterators() -> None:
    import asyncio
    from collections.abc import AsyncIterator

    async def records() -> AsyncIterator[dict[str, Any]]:
        for record in [{"a": 1}, {"a": 2}, {"b": 3}, {"a": 1}]:
            await asyncio.sleep(0)
            yield record

    expr = bexpr.compile("a == 1")

    async def collect(errors: Any) -> list[Any]:
        return [record async for record in expr.filter(records(), errors=errors)]

    assert asyncio.run(collect("skip")) == [{"a": 1}, {"a": 1}]
    problems: list[bexpr.RecordError] = []
    assert asyncio.run(collect(problems.append)) == [{"a": 1}, {"a": 1}]
    assert [p.key for p in problems] == [2]
    with pytest.raises(bexpr.EvaluationError) as info:
        asyncio.run(collect("fail"))
    assert info.value.key == 2

    async def module_level() -> list[Any]:
        return [r async for r in bexpr.filter("a == 2", records(), errors="skip")]

    assert asyncio.run(module_level()) == [{"a": 2}]


@dataclasses.dataclass
class Service:
    Name: str
    Port: int
    Secret: str = dataclasses.field(default="s3cret", metadata={"bexpr": "-"})
    internal_tags: list[str] = dataclasses.field(default_factory=list, metadata={"bexpr": "Tags"})
    _private: str = "hidden"


def test_dataclasses_by_field_with_renames_and_hidden_fields() -> None:
    svc = Service("web", 80, internal_tags=["a"])
    assert bexpr.evaluate("Name == web and Port == 80", svc)
    assert bexpr.evaluate('"a" in Tags', svc)
    with pytest.raises(bexpr.EvaluationError, match="hidden"):
        bexpr.evaluate("Secret == x", svc)
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("internal_tags is empty", svc)
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate('"/_private" == hidden', svc)
    assert bexpr.evaluate("svc is not nil", {"svc": svc})


Point = namedtuple("Point", ["x", "y"])


def test_namedtuples_are_objects_not_lists() -> None:
    assert bexpr.evaluate("p.x == 1 and p.y == 2", {"p": Point(1, 2)})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("p.0 == 1", {"p": Point(1, 2)})


class Plain:
    kind = "class attribute"

    def __init__(self) -> None:
        self.name = "obj"
        self._secret = "x"

    @property
    def computed(self) -> str:
        return "ran code"

    def method(self) -> str:
        return "ran code"


@pytest.mark.parametrize("selector", ["o.kind", "o.computed", "o.method", '"/o/_secret"'])
def test_plain_objects_expose_public_instance_attributes_only(selector: str) -> None:
    assert bexpr.evaluate("o.name == obj", {"o": Plain()})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate(f"{selector} is empty", {"o": Plain()})


def test_mappings_and_big_numbers() -> None:
    assert bexpr.evaluate("m.k == v", {"m": OrderedDict(k="v")})
    assert bexpr.evaluate("n == 9223372036854775808", {"n": 2**63})
    with pytest.raises(bexpr.EvaluationError):
        bexpr.evaluate("n == 1", {"n": 10**400})


def test_numbers_in_lists_compare_by_their_json_text() -> None:
    assert bexpr.evaluate("5 in L", {"L": [5]})
    assert bexpr.evaluate('"5" in L', {"L": [5]})
    assert not bexpr.evaluate('"0x5" in L', {"L": [5]})
    assert bexpr.evaluate("1.5 in L", {"L": [1.5]})


def test_expressions_are_immutable_picklable_and_shareable() -> None:
    expr = bexpr.compile("Port == 80", unknown=0)
    with pytest.raises(AttributeError):
        expr.expression = "x"  # type: ignore[misc]
    clone = pickle.loads(pickle.dumps(expr))
    assert clone.expression == expr.expression and clone.options == expr.options

    results: list[list[bool]] = []

    def work() -> None:
        results.append([expr(job) for job in JOBS * 200])

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [[expr(job) for job in JOBS * 200]] * 8


def test_validate() -> None:
    assert bexpr.validate('Name == "x"') is None
    with pytest.raises(bexpr.ParseError):
        bexpr.validate("Name ==")


def test_options_are_checked() -> None:
    with pytest.raises(TypeError):
        bexpr.compile("a == 1", nonsense=1)
    with pytest.raises(ValueError):
        bexpr.compile("a == 1", max_expressions=0)


@pytest.mark.parametrize("errors", ["skip", list.append])
def test_every_errors_mode_filters_in_one_loop_when_no_record_fails(
    monkeypatch: pytest.MonkeyPatch, errors: Any
) -> None:
    """The record-by-record path (``_keep``) is only for collections with a failing record."""
    records = [{"a": i % 3} for i in range(300)]
    expr = bexpr.compile("a == 1", codegen=True)
    seen: list[Any] = []
    handler = errors if errors == "skip" else seen.append

    def record_by_record(*args: Any) -> bool:
        raise AssertionError("the one-loop filter was not used")

    monkeypatch.setattr(bexpr.Expression, "_keep", record_by_record)
    assert expr.filter(records, errors=handler) == [r for r in records if r["a"] == 1]
    with pytest.raises(AssertionError, match="one-loop"):
        expr.filter([*records, {}], errors=handler)  # a failing record: record by record
