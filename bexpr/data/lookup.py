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

from collections.abc import Callable, Mapping
from typing import Any, Final

from bexpr.data.fields import NotFound, struct_field
from bexpr.errors import EvaluationError
from bexpr.go.strconv import ConversionError, parse_int
from bexpr.options import Options, Resolver
from bexpr.syntax.tokens import encode_segment

__all__ = [
    "ABSENT",
    "NOT_PLAIN",
    "Accessor",
    "NotFound",
    "accessor",
    "dict_walker",
    "kind_name",
    "pointer_text",
    "step",
]

Accessor = Callable[[Any], Any]


class _Sentinel:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT: Final = _Sentinel("ABSENT")
"""A missing key whose parent is a map: the operators' fixed result applies."""

_NO_KEY: Final = object()


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
    return "/" + "/".join(encode_segment(p) for p in path)


def step(
    current: Any,
    part: str,
    path: tuple[str, ...],
    index: int,
    resolver: Resolver | None = None,
) -> Any:
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
    return struct_field(current, part, resolver)


def _partial(path: tuple[str, ...], index: int) -> str:
    return pointer_text(path[: index + 1])


def walk(
    root: Any, path: tuple[str, ...], options: Options, selector: str, nested: bool = False
) -> Any:
    """The general lookup of ``path`` from ``root``: value, ABSENT or error.

    ``nested``: ``root`` is itself a value found below the datum (a bound
    element), so a missing first key is already below the top level.
    """
    current = root
    hook = options.hook
    last = len(path) - 1
    for index, part in enumerate(path):
        try:
            value = step(current, part, path, index, options.resolver)
        except NotFound:
            if options.has_unknown:
                return options.unknown
            if index == last and (index > 0 or nested) and isinstance(current, Mapping):
                return ABSENT
            raise EvaluationError(f"no key {part!r}", selector) from None
        if hook is not None:
            value = hook(value)
        current = value
    return current


NOT_PLAIN: Final = _Sentinel("NOT_PLAIN")
"""From :func:`dict_walker`: the path leaves plain dicts, or a key above the
last is missing; only the general lookup can say what that means."""


def dict_walker(path: tuple[str, ...], nested: bool = False) -> Callable[[Any], Any]:
    """Walk ``path`` through plain ``dict``s only: the value, :data:`ABSENT`
    (the last key is missing from a dict below the top) or :data:`NOT_PLAIN`.
    Specialised by length, for the hot paths.

    ``nested``: the root is itself below the top (a bound element), so a
    missing first key is :data:`ABSENT` too, and an empty path is the root.
    """
    if not path:
        return _identity

    if len(path) == 1:
        (k0,) = path
        missing_first = ABSENT if nested else NOT_PLAIN

        def walk1(root: Any) -> Any:
            if type(root) is dict:
                return root.get(k0, missing_first)
            return NOT_PLAIN

        return walk1

    if len(path) == 2:
        k0, k1 = path

        def walk2(root: Any) -> Any:
            if type(root) is dict:
                parent = root.get(k0, NOT_PLAIN)
                if type(parent) is dict:
                    return parent.get(k1, ABSENT)
            return NOT_PLAIN

        return walk2

    head, last = path[:-1], path[-1]

    def walk_n(root: Any) -> Any:
        current = root
        for part in head:
            if type(current) is not dict:
                return NOT_PLAIN
            current = current.get(part, NOT_PLAIN)
        if type(current) is not dict:
            return NOT_PLAIN
        return current.get(last, ABSENT)

    return walk_n


def _identity(value: Any) -> Any:
    return value


def accessor(path: tuple[str, ...], options: Options, selector: str) -> Accessor:
    """Build the lookup function for a selector path.

    Plain ``dict`` levels are read directly (:func:`dict_walker`); anything
    else (other mappings, lists, objects, a hook, a missing key) goes through
    :func:`walk`.
    """
    if options.hook is not None or options.resolver is not None:
        return lambda root: walk(root, path, options, selector)
    through_dicts = dict_walker(path)

    def get(root: Any) -> Any:
        value = through_dicts(root)
        if value is NOT_PLAIN or value is ABSENT:
            return walk(root, path, options, selector)
        return value

    return get
