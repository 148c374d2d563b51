"""Values that are not exactly builtins: str/int/float subclasses (enums) and numpy.

The reference treats any Go type of kind string as a string; here a subclass
of str, int or float is the value it holds, and numpy scalars and arrays are
their Python values. Every case runs on the fused fast path (plain dicts),
on the general path (a hook forces it), on an object's fields, and through
the reference interpreter.
"""

from __future__ import annotations

import dataclasses
import enum
from collections import UserDict
from typing import Any

import numpy as np
import pytest

import bexpr
from bexpr.evaluation.interpreter import interpret
from bexpr.options import options_from


class Status(str, enum.Enum):  # noqa: UP042  (the classic mixin, as in pydantic models)
    RUNNING = "running"
    DEAD = "dead"


class Level(enum.IntEnum):
    HIGH = 70


class Plain(int, enum.Enum):  # str() of a member is "Plain.SEVEN", not "7"
    SEVEN = 7


class Ratio(float):
    pass


class Name(str):
    def __str__(self) -> str:
        return "not the value"


CASES: list[tuple[str, Any, bool]] = [
    ("V == running", Status.RUNNING, True),
    ("V == dead", Status.RUNNING, False),
    ("V != running", Status.RUNNING, False),
    ('V matches "^run"', Status.RUNNING, True),
    ('"unn" in V', Status.RUNNING, True),
    ("V is empty", Status.RUNNING, False),
    ('"running" in V', [Status.RUNNING, Status.DEAD], True),
    ('"running" not in V', [Status.DEAD], True),
    ("V == 70", Level.HIGH, True),
    ("V == 7", Plain.SEVEN, True),
    ('"7" in V', [Plain.SEVEN], True),
    ("V == 0.5", Ratio(0.5), True),
    ("V == web", Name("web"), True),
    ("any V as s { s == running }", [Status.DEAD, Status.RUNNING], True),
    ("all V as s { s == running }", [Status.DEAD, Status.RUNNING], False),
    ("V.k == running", {"k": Status.RUNNING}, True),
    ("V == 5", np.int64(5), True),
    ("V == 5", np.int32(5), True),
    ("V == 1.5", np.float64(1.5), True),
    ("V == 1.5", np.float32(1.5), True),
    ("V == true", np.bool_(True), True),
    ("V == false", np.bool_(True), False),
    ("V == web", np.str_("web"), True),
    ('"x" in V', np.array(["x", "y"]), True),
    ('"3" in V', np.array([1, 2, 3]), True),
    ("V.1 == y", np.array(["x", "y"]), True),
    ("V is empty", np.array([]), True),
    ("V is not empty", np.array([1]), True),
    ("any V as n { n == 2 }", np.array([1, 2]), True),
    ("all V as n { n == 2 }", np.array([1, 2]), False),
    ('"x" in V', [np.str_("x")], True),
]


@dataclasses.dataclass
class Record:
    V: Any


def outcome(run: Any) -> object:
    try:
        return run()
    except bexpr.EvaluationError as err:
        return f"error: {err}"


@pytest.mark.parametrize(("expression", "value", "expected"), CASES, ids=lambda x: str(x))
@pytest.mark.parametrize("path", ["fast", "general", "object", "mapping", "interpreter"])
def test_a_subclass_or_numpy_value_is_the_value_it_holds(
    expression: str, value: Any, expected: bool, path: str
) -> None:
    record: Any = {"V": value}
    if path == "fast":
        run = lambda: bexpr.compile(expression)(record)  # noqa: E731
    elif path == "general":
        run = lambda: bexpr.compile(expression, hook=lambda v: v)(record)  # noqa: E731
    elif path == "object":
        run = lambda: bexpr.compile(expression)(Record(value))  # noqa: E731
    elif path == "mapping":
        run = lambda: bexpr.compile(expression)(UserDict(record))  # noqa: E731
    else:
        run = lambda: interpret(bexpr.parse(expression), record, options_from({}))  # noqa: E731
    assert outcome(run) is expected


def test_errors_still_name_the_kind() -> None:
    with pytest.raises(bexpr.EvaluationError, match=r"cannot test whether a number is nil"):
        bexpr.evaluate("V is nil", {"V": np.int64(1)})
    with pytest.raises(bexpr.EvaluationError, match=r"cannot compare an object of type"):
        bexpr.evaluate("V == 1", {"V": object()})
