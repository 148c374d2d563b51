"""bexpr.listing: ordering, pagination, filtering and the errors of list endpoints."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bexpr
from bexpr import RecordError, listing
from bexpr.listing import ListingError, Page, Params, query, query_params

JOBS = [
    {"ID": "web", "CreateIndex": 30, "Status": "running", "Meta": {"env": "prod"}},
    {"ID": "api", "CreateIndex": 10, "Status": "dead", "Meta": {"env": "dev"}},
    {"ID": "db", "CreateIndex": 50, "Status": "running", "Meta": {"env": "prod"}},
    {"ID": "cache", "CreateIndex": 20, "Status": "running", "Meta": {"env": "dev"}},
    {"ID": "batch", "CreateIndex": 40, "Status": "dead", "Meta": {"env": "prod"}},
]
BY_ID = ["api", "batch", "cache", "db", "web"]


def ids(records: Any) -> list[str]:
    return [r["ID"] for r in records]


def error_of(*args: Any, **kwargs: Any) -> ListingError:
    with pytest.raises(ListingError) as info:
        query(*args, **kwargs)
    return info.value


# Ordering


def test_ascending_by_id_by_default_and_reverse() -> None:
    assert ids(query(JOBS).items) == BY_ID
    assert ids(query(JOBS, reverse=True).items) == BY_ID[::-1]


def test_everything_on_one_page_is_the_last_page() -> None:
    page = query(JOBS)
    assert page.last and page.next_token is None and page.next_key is None
    assert page.headers() == {}


def test_integer_key_orders_numerically() -> None:
    # As strings, "100" would come before "20".
    records = [{"ID": str(i), "CreateIndex": i} for i in (100, 20, 3)]
    assert [r["CreateIndex"] for r in query(records, key="CreateIndex").items] == [3, 20, 100]


def test_callable_key() -> None:
    page = query(JOBS, key=lambda job: (job["Meta"]["env"], job["ID"]), per_page=2)
    assert ids(page.items) == ["api", "cache"]
    assert page.next_token == "prod.batch"
    assert ids(
        query(JOBS, key=lambda j: (j["Meta"]["env"], j["ID"]), next_token="prod.c").items
    ) == [
        "db",
        "web",
    ]


@dataclasses.dataclass
class Job:
    ident: str = dataclasses.field(metadata={"bexpr": "ID"})
    port: int = dataclasses.field(metadata={"bexpr": "Port"})


def test_objects_are_keyed_by_their_fields_as_selectors_see_them() -> None:
    jobs = [Job("b", 80), Job("a", 81), Job("c", 80)]
    page = query(jobs, filter="Port == 80", per_page=1)
    assert page.items == [jobs[0]] and page.next_token == "c"


# Pagination


def test_pages_follow_the_token() -> None:
    first = query(JOBS, per_page=2)
    assert ids(first.items) == ["api", "batch"]
    assert first.next_token == "cache" and not first.last
    assert first.headers() == {"X-Nomad-Nexttoken": "cache"}
    second = query(JOBS, per_page=2, next_token=first.next_token)
    assert ids(second.items) == ["cache", "db"] and second.next_token == "web"
    third = query(JOBS, per_page=2, next_token=second.next_token)
    assert ids(third.items) == ["web"] and third.last


def test_reverse_pages() -> None:
    first = query(JOBS, per_page=2, reverse=True)
    assert ids(first.items) == ["web", "db"] and first.next_token == "cache"
    second = query(JOBS, per_page=2, reverse=True, next_token="cache")
    assert ids(second.items) == ["cache", "batch"] and second.next_token == "api"


def test_a_token_that_is_no_key_starts_at_the_next_key() -> None:
    assert ids(query(JOBS, next_token="bz").items) == ["cache", "db", "web"]
    assert ids(query(JOBS, next_token="bz", reverse=True).items) == ["batch", "api"]
    assert query(JOBS, next_token="zzz").items == []
    assert query(JOBS, next_token="a", reverse=True).items == []


def test_per_page_counts_matches_and_the_token_is_the_next_match() -> None:
    page = query(JOBS, filter='Status == "running"', per_page=1)
    assert ids(page.items) == ["cache"]
    # "db" is the next running job; "batch" (dead) between them is not a token.
    page = query(JOBS, filter='Status == "running"', per_page=1, next_token="cache")
    assert ids(page.items) == ["cache"] and page.next_token == "db"


def test_the_filter_applies_after_the_token() -> None:
    page = query(JOBS, filter='Meta.env == "prod"', next_token="c")
    assert ids(page.items) == ["db", "web"]


def test_a_full_last_page_has_no_token() -> None:
    page = query(JOBS, filter='Status == "dead"', per_page=2)
    assert ids(page.items) == ["api", "batch"] and page.last


def test_integer_tokens_are_parsed() -> None:
    first = query(JOBS, key="CreateIndex", per_page=2)
    assert first.next_token == "30" and first.next_key == 30
    assert ids(query(JOBS, key="CreateIndex", next_token="30").items) == ["web", "batch", "db"]
    assert ids(query(JOBS, key="CreateIndex", next_token=30).items) == ["web", "batch", "db"]
    assert ids(query(JOBS, key="CreateIndex", next_token="+25").items) == ["web", "batch", "db"]
    assert ids(query(JOBS, key="CreateIndex", next_token="-5", reverse=True).items) == []


def test_composite_keys_make_nomad_style_tokens() -> None:
    records = [
        {"ID": "b.1", "CreateIndex": 5},
        {"ID": "a", "CreateIndex": 5},
        {"ID": "c", "CreateIndex": 4},
    ]
    key = ("CreateIndex", "ID")
    page = query(records, key=key, per_page=1)
    assert ids(page.items) == ["c"]
    assert page.next_token == "5.a" and page.next_key == (5, "a")
    page = query(records, key=key, per_page=1, next_token="5.a.")
    assert ids(page.items) == ["b.1"] and page.last  # the last part keeps its dots
    assert ids(query(records, key=key, next_token=(5, "b")).items) == ["b.1"]


def test_a_dot_inside_a_composite_token_is_refused_where_it_is_ambiguous() -> None:
    records = [{"ID": "x", "NS": "a"}, {"ID": "y", "NS": "b.c"}]
    err = error_of(records, key=("NS", "ID"), per_page=1)
    assert err.status == 500 and "'.'" in err.message
    assert listing.format_token((1, "a.b")) == "1.a.b"


def test_filter_accepts_compiled_expressions_and_empty_filters() -> None:
    expression = bexpr.compile("Owner == nobody", unknown="nobody")
    assert ids(query(JOBS, filter=expression).items) == BY_ID
    assert ids(query(JOBS, filter="").items) == BY_ID


def test_empty_input() -> None:
    assert query([]).items == [] and query([], next_token="anything").last


def test_any_iterable() -> None:
    def generate() -> Iterator[dict[str, Any]]:
        yield from JOBS

    assert ids(query(generate(), per_page=2).items) == ["api", "batch"]


# Errors the request can fix: 400


def test_invalid_filter_is_a_positioned_400() -> None:
    err = error_of(JOBS, filter='Status == "running" and\nMeta.env ==')
    assert isinstance(err, bexpr.BexprError)
    assert err.status == 400 and err.parameter == "filter"
    assert (err.line, err.column, err.offset, err.length) == (2, 12, 35, 1)
    assert isinstance(err.__cause__, bexpr.ParseError)
    assert err.message.startswith("invalid filter: expected a value after '=='")
    assert str(err).endswith("(line 2, column 12)\n  Meta.env ==\n             ^")
    body = err.to_dict()
    assert body["status"] == 400 and body["line"] == 2 and body["column"] == 12
    assert body["excerpt"] == "Meta.env ==\n           ^"


@pytest.mark.parametrize("per_page", [0, -1, True, 2**31, "2", 1.0])
def test_invalid_per_page(per_page: Any) -> None:
    err = error_of(JOBS, per_page=per_page)
    assert err.status == 400 and err.parameter == "per_page"
    assert err.line is None and "line" not in err.to_dict()


def test_largest_per_page() -> None:
    assert ids(query(JOBS, per_page=2**31 - 1).items) == BY_ID


@pytest.mark.parametrize(
    ("key", "token"),
    [
        ("CreateIndex", "abc"),
        ("CreateIndex", "1.5"),
        ("CreateIndex", " 1"),
        ("CreateIndex", "1_0"),
        ("CreateIndex", "\uff11"),  # a fullwidth digit, which int() accepts
        ("CreateIndex", "9" * 65),
        ("ID", 5),
        ("CreateIndex", (5,)),
        ("CreateIndex", 1.5),
        (("CreateIndex", "ID"), "30"),
        (("CreateIndex", "ID"), "x.web"),
    ],
)
def test_invalid_next_token(key: Any, token: Any) -> None:
    err = error_of(JOBS, key=key, next_token=token)
    assert err.status == 400 and err.parameter == "next_token"


def test_evaluation_error_is_a_400_by_default() -> None:
    records = [{"ID": "a", "Port": 80}, {"ID": "b"}]
    err = error_of(records, filter="Port == 80")
    assert err.status == 400 and err.parameter == "filter"
    assert err.selector == "Port" and err.key == "b"
    assert isinstance(err.__cause__, bexpr.EvaluationError)
    assert "b" not in err.message  # the record's key stays on the server
    assert err.to_dict()["selector"] == "Port"


def test_evaluation_errors_skipped_or_reported() -> None:
    records = [{"ID": "a", "Port": 80}, {"ID": "b"}, {"ID": "c", "Port": 80}]
    assert ids(query(records, filter="Port == 80", errors="skip").items) == ["a", "c"]
    seen: list[RecordError] = []
    page = query(records, filter="Port == 80", errors=seen.append, per_page=1)
    assert ids(page.items) == ["a"] and page.next_token == "c"
    assert [(e.key, e.record) for e in seen] == [("b", {"ID": "b"})]


def test_only_the_visited_records_are_evaluated() -> None:
    records = [{"ID": "a"}, {"ID": "b", "Port": 80}, {"ID": "c", "Port": 80}, {"ID": "d"}]
    page = query(records, filter="Port == 80", next_token="b", per_page=1)
    assert ids(page.items) == ["b"] and page.next_token == "c"


def test_filter_with_a_conflicting_parameter() -> None:
    err = error_of(JOBS, filter="Status == dead", conflicting=["prefix", "job_id"])
    assert err.status == 400 and err.message.startswith(
        "filter cannot be combined with job_id, prefix"
    )
    assert ids(query(JOBS, conflicting=["prefix"]).items) == BY_ID  # no filter, no conflict
    err = error_of(JOBS, filter="Status == dead", conflicting="prefix")
    assert err.message.startswith("filter cannot be combined with prefix:")
    with pytest.raises(ListingError):
        query_params(JOBS, "filter=ID+%3D%3D+a&prefix=a", exclusive="prefix")


def test_wrong_argument_types_are_listing_errors() -> None:
    assert error_of(JOBS, filter=42).status == 400
    assert error_of(JOBS, reverse="true").status == 400
    assert error_of(JOBS, key=42).status == 500
    assert error_of(JOBS, key=()).status == 500
    assert error_of(JOBS, errors="ignore").status == 500


# Errors in the records: 500


@pytest.mark.parametrize(
    ("records", "key", "words"),
    [
        ([{"ID": "a"}, {"Name": "b"}], "ID", "record 1 has no 'ID' field"),
        ([{"ID": "a"}, {"ID": "a"}], "ID", "two records have the key 'a'"),
        ([{"ID": "a"}, {"ID": 1}], "ID", "record 1 has a key of another type"),
        ([{"ID": True}], "ID", "keys must be strings, integers"),
        ([{"ID": 1.5}], "ID", "keys must be strings, integers"),
        ([{"ID": None}], "ID", "keys must be strings, integers"),
        ([{"ID": ""}], "ID", "empty key"),
        (["text"], "ID", "record 0 has no 'ID' field"),
        ([{"ID": "a", "N": 1}, {"ID": "b", "N": "1"}], ("N", "ID"), "another type"),
    ],
)
def test_records_that_cannot_be_listed(records: list[Any], key: Any, words: str) -> None:
    err = error_of(records, key=key)
    assert err.status == 500 and words in err.message


def test_exceptions_from_the_caller_become_500s() -> None:
    def broken() -> Iterator[dict[str, str]]:
        yield {"ID": "a"}
        raise OSError("disk on fire")

    err = error_of(broken())
    assert err.status == 500 and isinstance(err.__cause__, OSError)
    assert "fire" not in err.message  # the server's internals stay out of the message
    err = error_of(JOBS, key=lambda job: job["Nope"])
    assert err.status == 500 and isinstance(err.__cause__, KeyError)

    def explode(problem: RecordError) -> None:
        raise RuntimeError("no")

    err = error_of([{"ID": "a"}], filter="Port == 1", errors=explode)
    assert err.status == 500 and isinstance(err.__cause__, RuntimeError)


def test_listing_error_pickles() -> None:
    err = error_of(JOBS, filter="Status ==")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is ListingError and copy.to_dict() == err.to_dict() and str(copy) == str(err)


# Raw query parameters


def test_query_params_in_every_shape() -> None:
    expected = ["cache", "db"]
    shapes: list[Any] = [
        "filter=Status+%3D%3D+running&per_page=2&next_token=c",
        {"filter": "Status == running", "per_page": "2", "next_token": "c"},
        {"filter": ["Status == running"], "per_page": ["2"], "next_token": ["c"]},
        [("filter", "Status == running"), ("per_page", "2"), ("next_token", "c")],
    ]
    for params in shapes:
        page = query_params(JOBS, params)
        assert ids(page.items) == expected and page.next_token == "web", params


def test_empty_values_are_absent() -> None:
    params = Params.parse("filter=&per_page=&next_token=&reverse=&pretty")
    assert params == Params(others={"pretty": ""})
    assert ids(query_params(JOBS, "filter=&per_page=&next_token=&reverse=").items) == BY_ID


def test_params_reverse() -> None:
    assert Params.parse({"reverse": "true"}).reverse is True
    assert Params.parse({"reverse": "false"}).reverse is False
    assert ids(query_params(JOBS, {"reverse": "true", "per_page": "1"}).items) == ["web"]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ("per_page=0", "per_page"),
        ("per_page=-1", "per_page"),
        ("per_page=%2B1", "per_page"),
        ("per_page=1.0", "per_page"),
        ("per_page=+1", "per_page"),
        ("per_page=1_0", "per_page"),
        ("per_page=%EF%BC%91", "per_page"),
        ("per_page=2147483648", "per_page"),
        ("per_page=" + "9" * 5000, "per_page"),
        ("reverse=yes", "reverse"),
        ("reverse=True", "reverse"),
        ("filter=a&filter=b", "filter"),
        ("per_page=1&per_page=2", "per_page"),
        ("filter=Status+%3D%3D", "filter"),
        ("filter=Status+%3D%3D+dead&prefix=a", "filter"),
    ],
)
def test_bad_query_params_are_400s(params: str, parameter: str) -> None:
    with pytest.raises(ListingError) as info:
        query_params(JOBS, params, exclusive=["prefix"])
    assert info.value.status == 400 and info.value.parameter == parameter


def test_bad_parameter_shapes_are_400s() -> None:
    for params in ([("filter",)], {"filter": 1}, [(1, "a")], 42):
        with pytest.raises(ListingError) as info:
            Params.parse(params)  # type: ignore[arg-type]
        assert info.value.status == 400


def test_exclusive_only_counts_parameters_with_values() -> None:
    page = query_params(JOBS, {"filter": "Status == dead", "prefix": ""}, exclusive=["prefix"])
    assert ids(page.items) == ["api", "batch"]
    assert Params.parse({"prefix": "a"}, exclusive=["prefix"]).others == {"prefix": "a"}


def test_params_pass_compile_options() -> None:
    params = Params.parse({"filter": "Owner == nobody"}, unknown="nobody")
    assert params.filter is not None and ids(params.query(JOBS).items) == BY_ID
    with pytest.raises(ListingError) as info:
        Params.parse({"filter": "a == 1 and b == 2"}, max_expressions=1)
    assert info.value.status == 400 and info.value.line == 1


def test_page_headers() -> None:
    assert Page([1], "next").headers("X-Next") == {"X-Next": "next"}


# Properties

FILTERS = [
    "",
    'tag == "a"',
    "n == 1",
    'tag != "b" and n != 0',
    "not (n == 2)",
    '"x" in labels',
    'labels is empty or tag matches "^[ab]$"',
]
# These read a field some records lack: they need errors="skip".
PARTIAL_FILTERS = ["opt == 1", "not (opt == 0)"]


@st.composite
def datasets(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(st.text("ab.-z", min_size=1, max_size=4), unique=True, max_size=25))
    indexes = draw(
        st.lists(st.integers(0, 60), unique=True, min_size=len(names), max_size=len(names))
    )
    records = []
    for name, index in zip(names, indexes, strict=True):
        record: dict[str, Any] = {
            "ID": name,
            "CreateIndex": index,
            "tag": draw(st.sampled_from("abc")),
            "n": draw(st.integers(0, 3)),
            "labels": draw(st.lists(st.sampled_from("xy"), max_size=2)),
        }
        if draw(st.booleans()):
            record["opt"] = draw(st.integers(0, 1))
        records.append(record)
    return records


KEYS: dict[str, Any] = {
    "id": "ID",
    "index": "CreateIndex",
    "composite": ("CreateIndex", "ID"),
    "function": lambda record: (record["tag"], record["ID"]),
}


@settings(max_examples=200, deadline=None)
@given(
    records=datasets(),
    text=st.sampled_from(FILTERS + PARTIAL_FILTERS),
    per_page=st.integers(1, 6),
    reverse=st.booleans(),
    key_name=st.sampled_from(sorted(KEYS)),
)
def test_pages_concatenate_to_the_filtered_sorted_list(
    records: list[dict[str, Any]], text: str, per_page: int, reverse: bool, key_name: str
) -> None:
    key = KEYS[key_name]
    errors = "skip" if text in PARTIAL_FILTERS else "fail"
    if isinstance(key, str):
        key_of: Any = lambda r: r[key]  # noqa: E731
    elif isinstance(key, tuple):
        key_of = lambda r: tuple(r[name] for name in key)  # noqa: E731
    else:
        key_of = key
    ordered = sorted(records, key=key_of, reverse=reverse)
    expected = bexpr.filter(text, ordered, errors=errors) if text else ordered

    collected: list[dict[str, Any]] = []
    token = ""
    for pages in range(len(records) + 2):
        # As an HTTP client would: strings in, a string token out.
        params = {
            "filter": text,
            "per_page": str(per_page),
            "next_token": token,
            "reverse": "true" if reverse else "false",
        }
        page = query_params(records, params, key=key, errors=errors)
        assert len(page.items) <= per_page
        if pages and not page.last:
            assert len(page.items) == per_page
        if pages:
            assert page.items, "a token never leads to an empty page"
        collected.extend(page.items)
        if page.last:
            break
        assert page.next_token is not None
        token = page.next_token
    else:
        pytest.fail("pagination did not end")
    assert collected == expected


@settings(max_examples=200, deadline=None)
@given(
    filter=st.one_of(st.none(), st.text(max_size=30)),
    per_page=st.one_of(st.none(), st.text(max_size=12)),
    next_token=st.one_of(st.none(), st.text(max_size=12)),
    reverse=st.one_of(st.none(), st.text(max_size=6)),
    key_name=st.sampled_from(sorted(KEYS)),
)
def test_any_parameters_give_a_page_or_a_listing_error(
    filter: str | None,
    per_page: str | None,
    next_token: str | None,
    reverse: str | None,
    key_name: str,
) -> None:
    raw = {"filter": filter, "per_page": per_page, "next_token": next_token, "reverse": reverse}
    params = {name: value for name, value in raw.items() if value is not None}
    records = [
        {"ID": "a", "CreateIndex": 1, "tag": "a", "n": 1, "labels": []},
        {"ID": "b.c", "CreateIndex": 7, "tag": "b", "n": 2, "labels": ["x"]},
    ]
    try:
        page = query_params(records, params, key=KEYS[key_name])
    except ListingError as err:
        assert err.status in (400, 500)
        assert err.message
    else:
        assert len(page.items) <= 2
