"""Selector lookup for compiled expressions: walking a path through data.

Python data maps onto the reference's Go kinds: ``dict``/``Mapping`` → map,
``list``/``tuple`` → slice, ``str`` → string, ``bool`` → bool, ``int`` →
int64, ``float`` → float64, ``None`` → nil, anything else → struct (its
public fields). :func:`accessor` builds, once per selector, a function that
walks the path with a fast path for plain dicts and falls back to the general
step (:func:`step`) for anything else.

A lookup ends in one of three ways: the value; :data:`ABSENT` when the last
key is missing from a map (the operators then give their fixed missing-key
result); or an :class:`~bexpr.errors.EvaluationError`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final

from bexpr.coercion import ConversionError, parse_int
from bexpr.errors import EvaluationError
from bexpr.options import Options

__all__ = [
    "ABSENT",
    "Accessor",
    "NotFound",
    "accessor",
    "kind_name",
    "pointer_text",
    "step",
]

Accessor = Callable[[Any], Any]


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""A missing key whose parent is a map: the operators' fixed result applies."""

_NO_KEY: Final = object()


class NotFound(Exception):
    """A key or field that is not there (the reference's ErrNotFound)."""

    def __init__(self, part: str) -> None:
        self.part = part
        super().__init__(part)


def kind_name(value: Any) -> str:
    """A short name for the kind of a value, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if _is_sequence(value):
        return "list"
    return f"object of type {type(value).__name__}"


def _is_sequence(value: Any) -> bool:
    return isinstance(value, list | tuple) and not hasattr(value, "_fields")


def pointer_text(path: tuple[str, ...]) -> str:
    """A path as a JSON pointer, for messages."""
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


# Field tables of dataclasses and namedtuples: public name -> attribute, or
# None for a field hidden with metadata={"bexpr": "-"}. Filled once per class.
_FIELDS: dict[type, dict[str, str | None]] = {}
_FIELDS_LOCK = threading.Lock()


def _field_table(cls: type, obj: Any) -> dict[str, str | None] | None:
    table = _FIELDS.get(cls)
    if table is not None:
        return table
    if dataclasses.is_dataclass(obj):
        table = {}
        tagged: dict[str, str] = {}
        for f in dataclasses.fields(obj):
            if f.name.startswith("_"):
                continue
            tag = str(f.metadata.get("bexpr", "")).split(",")[0]
            if tag == "-":
                table.setdefault(f.name, None)
            elif tag:
                tagged[tag] = f.name
            else:
                table[f.name] = f.name
        # A tag wins over a field name, as in the reference's struct lookup.
        table.update(tagged)
    elif isinstance(obj, tuple) and hasattr(obj, "_fields"):
        table = {name: name for name in obj._fields if not name.startswith("_")}
    else:
        return None
    with _FIELDS_LOCK:
        _FIELDS[cls] = table
    return table


def _struct_field(obj: Any, part: str) -> Any:
    table = _field_table(type(obj), obj)
    if table is not None:
        if part not in table:
            raise NotFound(part)
        attr = table[part]
        if attr is None:
            raise EvaluationError(f"field {part!r} is hidden and cannot be used")
        return getattr(obj, attr)
    # A plain object: its public instance attributes only, never class
    # attributes, properties or methods.
    if part.startswith("_"):
        raise NotFound(part)
    instance = getattr(obj, "__dict__", None)
    if isinstance(instance, dict) and part in instance:
        value = instance[part]
    else:
        for cls in type(obj).__mro__:
            if part in getattr(cls, "__slots__", ()):
                try:
                    value = getattr(obj, part)
                except AttributeError:
                    raise NotFound(part) from None
                break
        else:
            raise NotFound(part)
    if callable(value):
        raise NotFound(part)
    return value


def step(current: Any, part: str, path: tuple[str, ...], index: int) -> Any:
    """One step of a lookup: ``current[part]`` with the reference's rules.

    Raises :class:`NotFound` for a missing map key or struct field, and
    :class:`EvaluationError` for anything else that cannot be stepped into.
    """
    if isinstance(current, Mapping):
        value = current.get(part, _NO_KEY)
        if value is _NO_KEY:
            raise NotFound(part)
        return value
    if _is_sequence(current):
        try:
            position = parse_int(part if part else "0")
        except ConversionError:
            raise EvaluationError(f"{part!r} is not a list index", _partial(path, index)) from None
        if position < 0 or position >= len(current):
            raise EvaluationError(
                f"index {position} is out of range (the list has {len(current)} elements)",
                _partial(path, index),
            )
        return current[position]
    if current is None or isinstance(current, str | int | float):
        raise EvaluationError(
            f"cannot look up {part!r} in a {kind_name(current)}", _partial(path, index)
        )
    return _struct_field(current, part)


def _partial(path: tuple[str, ...], index: int) -> str:
    return pointer_text(path[: index + 1])


def walk(root: Any, path: tuple[str, ...], options: Options, selector: str) -> Any:
    """The general lookup of ``path`` from ``root``: value, ABSENT or error."""
    current = root
    hook = options.hook
    last = len(path) - 1
    for index, part in enumerate(path):
        try:
            value = step(current, part, path, index)
        except NotFound:
            if options.has_unknown:
                return options.unknown
            if index == last and index > 0 and isinstance(current, Mapping):
                return ABSENT
            raise EvaluationError(f"no key {part!r}", selector) from None
        if hook is not None:
            value = hook(value)
        current = value
    return current


def accessor(path: tuple[str, ...], options: Options, selector: str) -> Accessor:
    """Build the lookup function for a selector path, specialised by length.

    Plain ``dict`` levels are read directly; anything else (other mappings,
    lists, objects, a hook, a missing key) goes through :func:`walk`.
    """
    if options.hook is not None:
        return lambda root: walk(root, path, options, selector)

    def slow(root: Any) -> Any:
        return walk(root, path, options, selector)

    if len(path) == 1:
        (k0,) = path

        def get1(root: Any) -> Any:
            if type(root) is dict:
                value = root.get(k0, _NO_KEY)
                if value is not _NO_KEY:
                    return value
            return slow(root)

        return get1

    if len(path) == 2:
        k0, k1 = path

        def get2(root: Any) -> Any:
            if type(root) is dict:
                mid = root.get(k0, _NO_KEY)
                if type(mid) is dict:
                    value = mid.get(k1, _NO_KEY)
                    if value is not _NO_KEY:
                        return value
            return slow(root)

        return get2

    def get_n(root: Any) -> Any:
        current = root
        for part in path:
            if type(current) is not dict:
                return slow(root)
            current = current.get(part, _NO_KEY)
            if current is _NO_KEY:
                return slow(root)
        return current

    return get_n
