"""Selector lookup for compiled expressions: walking a path through data.

What each Python value is to the reference is :mod:`bexpr.data.kinds`; what
an object exposes is :mod:`bexpr.data.fields`. :func:`accessor` builds, once
per selector, a function that walks the path with a fast path for plain
dicts and falls back to the general step (:func:`step`) for anything else.

A lookup ends in one of three ways: the value; :data:`ABSENT` when the last
key is missing from a map (the operators then give their fixed missing-key
result); or an :class:`~bexpr.errors.EvaluationError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from bexpr.data.fields import NotFound, struct_field
from bexpr.data.kinds import a_kind, is_sequence, plain
from bexpr.errors import EvaluationError
from bexpr.go.strconv import ConversionError, parse_int
from bexpr.options import Options
from bexpr.syntax.tokens import encode_segment, spell_path

__all__ = [
    "ABSENT",
    "NOT_PLAIN",
    "Accessor",
    "NotFound",
    "accessor",
    "dict_walker",
    "path_text",
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


def pointer_text(path: tuple[str, ...]) -> str:
    """A path as a JSON pointer, for messages."""
    return "/" + "/".join(encode_segment(p) for p in path)


def path_text(path: tuple[str, ...]) -> str:
    """A path as a selector, for messages: ``Meta.env``, ``Meta["a b"]``
    (a JSON pointer when no dotted selector can spell it)."""
    try:
        return spell_path(path)
    except ValueError:
        return pointer_text(path)


def _where(path: tuple[str, ...], index: int) -> str:
    """What ``path[index]`` is looked up in, for messages."""
    return path_text(path[:index]) if index else "the record"


def step(
    current: Any,
    part: str,
    path: tuple[str, ...],
    index: int,
    selector: str,
    options: Options,
) -> Any:
    """One step of a lookup: ``current[part]`` with the reference's rules,
    where ``part`` is ``path[index]`` of ``selector``.

    Raises :class:`NotFound` for a missing map key or struct field, and
    :class:`EvaluationError` for anything else that cannot be stepped into.
    """
    current = plain(current)
    if isinstance(current, Mapping):
        value = current.get(part, _NO_KEY)
        if value is _NO_KEY:
            raise NotFound(part)
        return value
    if is_sequence(current):
        where = _where(path, index)
        try:
            position = parse_int(part if part else "0")
        except ConversionError:
            raise EvaluationError(
                f"{part!r} is not a list index ({where} is a list)", selector
            ) from None
        if position < 0 or position >= len(current):
            raise EvaluationError(
                f"index {position} is out of range ({where} has {len(current)} elements)",
                selector,
            )
        return current[position]
    if current is None:
        where = _where(path, index)
        raise EvaluationError(
            f"cannot look up {part!r} in null: {where} is null",
            selector,
            hint=f"to allow null, write '{where} is not nil and ...', or skip such records"
            ' with errors="skip" or bexpr --errors skip',
        )
    if isinstance(current, str | int | float):
        raise EvaluationError(
            f"cannot look up {part!r} in {a_kind(current)} ({_where(path, index)})", selector
        )
    return struct_field(current, part, options.resolver, options.tag_name, options.aliases)


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
            value = step(current, part, path, index, selector, options)
        except NotFound:
            if options.has_unknown:
                return options.unknown
            if index == last and (index > 0 or nested) and isinstance(plain(current), Mapping):
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
