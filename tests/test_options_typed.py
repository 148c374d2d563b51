"""The compile options are typed: a checker knows them, a misspelt one fails at the call."""

from __future__ import annotations

import inspect
import os
import sys
import textwrap
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import bexpr
from bexpr import listing
from bexpr.options import OPTION_NAMES, CompileOptions, LimitOptions, Options, options_from

ROOT = Path(__file__).resolve().parent.parent

# Every public function that takes the options, called with a valid filter.
CALLS: dict[str, Callable[..., Any]] = {
    "compile": lambda **o: bexpr.compile("a == 1", **o),
    "evaluate": lambda **o: bexpr.evaluate("a == 1", {"a": 1}, **o),
    "filter": lambda **o: bexpr.filter("a == 1", [{"a": 1}], **o),
    "parse": lambda **o: bexpr.parse("a == 1", **o),
    "format": lambda **o: bexpr.format("a == 1", **o),
    "validate": lambda **o: bexpr.validate("a == 1", **o),
    "check": lambda **o: bexpr.check("a == 1", **o),
    "complete": lambda **o: bexpr.complete("a == 1", 0, **o),
    "listing.Params.parse": lambda **o: listing.Params.parse({"filter": "a == 1"}, **o),
}


def test_every_option_is_a_documented_key() -> None:
    assert set(OPTION_NAMES) == set(typing.get_type_hints(CompileOptions))
    assert set(typing.get_type_hints(LimitOptions)) <= set(OPTION_NAMES)
    source = inspect.getsource(sys.modules[CompileOptions.__module__])
    for name in OPTION_NAMES:
        # Each key is followed by its own docstring (the API reference shows it).
        assert f"    {name}: " in source
    # Every option reaches Options: none is accepted and then dropped.
    fields = set(Options.__dataclass_fields__) | {"max_length", "max_depth", "max_expressions"}
    assert set(OPTION_NAMES) <= fields


@pytest.mark.parametrize("name", CALLS)
def test_signatures_name_the_options(name: str) -> None:
    function = {
        "listing.Params.parse": listing.Params.parse,
        **{n: getattr(bexpr, n) for n in CALLS if "." not in n},
    }[name]
    hints = typing.get_type_hints(function)
    assert hints["options"] == typing.Unpack[CompileOptions], hints


@pytest.mark.parametrize("name", CALLS)
def test_a_misspelt_option_fails_with_a_suggestion(name: str) -> None:
    with pytest.raises(TypeError) as raised:
        CALLS[name](max_dept=4)
    message = str(raised.value)
    assert "unknown bexpr option 'max_dept': did you mean 'max_depth'?" in message
    assert "max_expressions" in message  # the list of what exists


@pytest.mark.parametrize("name", CALLS)
def test_the_current_names_keep_working(name: str) -> None:
    given: dict[str, Any] = {
        "unknown": None,
        "hook": lambda v: v,
        "resolver": None,
        "tag_name": "json",
        "aliases": True,
        "codegen": False,
        "variables": {"x": 1},
        "regex_timeout": 0.5,
        "max_steps": 10,
        "max_length": 100,
        "max_depth": 5,
        "max_expressions": 50,
    }
    assert set(given) == set(OPTION_NAMES)
    CALLS[name](**given)


def test_several_unknown_names_are_all_reported() -> None:
    with pytest.raises(TypeError, match=r"options 'unkown': did you mean 'unknown'\?; 'zzz' \("):
        options_from({"zzz": 1, "unkown": 2})


def test_no_options_share_one_default() -> None:
    assert options_from({}) is options_from({})
    assert options_from({}) == Options()


def test_a_type_checker_catches_a_misspelt_option(tmp_path: Path) -> None:
    from mypy import api

    snippet = tmp_path / "caller.py"
    snippet.write_text(
        textwrap.dedent(
            """
            import bexpr
            bexpr.compile("a == 1", max_depth=4, unknown=None)
            bexpr.filter("a == 1", [], max_dept=4)
            bexpr.evaluate("a == 1", {}, codegen="yes")
            """
        )
    )
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", os.devnull, str(snippet)]
    )
    assert status == 1, stdout + stderr
    errors = [line.split("caller.py:", 1)[1] for line in stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if e.startswith("3:")], stdout  # the valid call
    assert any(
        e.startswith("4:")
        and 'Unexpected keyword argument "max_dept"' in e
        and 'did you mean "max_depth"' in e
        for e in errors
    ), stdout
    assert any(e.startswith("5:") and '"codegen"' in e for e in errors), stdout
