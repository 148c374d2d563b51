"""What a Python value is to the reference: its Go kind, and its plain value.

Python data maps onto the reference's Go kinds: ``dict``/``Mapping`` → map,
``list``/``tuple`` → slice, ``str`` → string, ``bool`` → bool, ``int`` →
int64, ``float`` → float64, ``None`` → nil, anything else → struct (its
public fields).

The reference treats every Go type of kind string as a string, whatever its
name; likewise here a subclass of ``str``, ``int`` or ``float`` — a
``class Status(str, Enum)`` member, an ``IntEnum`` — is the plain value it
holds, and so are numpy's scalars (``int64``, ``float64``, ``bool_``,
``str_``) and arrays (a list). :func:`plain` makes that conversion; the
evaluators apply it wherever a value that is not exactly a builtin type
reaches a test or a lookup step. numpy is never imported for this: its types
can only appear when the caller has imported it.

>>> import enum
>>> class Status(str, enum.Enum):
...     RUNNING = "running"
>>> plain(Status.RUNNING), str(Status.RUNNING)
('running', 'Status.RUNNING')
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

__all__ = ["a_kind", "is_sequence", "kind_name", "plain"]

_PLAIN = frozenset({str, int, float, bool, type(None), dict, list, tuple})


def plain(value: Any) -> Any:
    """``value`` as the builtin value it stands for (see the module docs);
    any other value unchanged."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    # str.__str__ and the like read the held value without running a
    # subclass's own __str__ (an Enum's gives "Status.RUNNING").
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):  # bool cannot be subclassed
        return int.__int__(value)
    if isinstance(value, float):
        return float.__float__(value)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        if isinstance(value, numpy.generic):
            return value.item()
        if isinstance(value, numpy.ndarray):
            return value.tolist()
    return value


def is_sequence(value: Any) -> bool:
    """Whether ``value`` is a list to the reference (a namedtuple is a struct)."""
    return isinstance(value, list | tuple) and not hasattr(value, "_fields")


def kind_name(value: Any) -> str:
    """A short name for the kind of a value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if is_sequence(value):
        return "list"
    return f"object of type {type(value).__name__}"


def a_kind(value: Any) -> str:
    """The kind of a value with its article: ``a string``, ``an object of
    type X``, ``null``."""
    name = kind_name(value)
    if name == "null":
        return name
    return ("an " if name[0] in "aeiou" else "a ") + name
