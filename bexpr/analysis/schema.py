"""Describe the records a filter will run on, for :func:`bexpr.check`.

A schema is a tree of :class:`Type`. :func:`schema_of` builds one from a
dataclass, a ``TypedDict``, a pydantic model, an attrs class or a JSON Schema
dict; you can also build :class:`Type` values directly.

>>> import dataclasses
>>> @dataclasses.dataclass
... class Job:
...     ID: str
...     Priority: int
...     Datacenters: list[str]
>>> schema = schema_of(Job)
>>> schema.fields["Datacenters"].kind, schema.fields["Datacenters"].items.kind
('array', 'string')
"""

from __future__ import annotations

import collections.abc as abc
import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bexpr.data.fields import HIDDEN, field_table
from bexpr.data.kinds import plain
from bexpr.options import DEFAULT_TAG_NAME
from bexpr.syntax.operators import Kind
from bexpr.syntax.tokens import decode_segment

__all__ = ["ANY", "Kind", "Type", "schema_of", "type_at", "type_of"]


@dataclass(frozen=True)
class Type:
    """The type of a value in a record.

    ``object`` has known ``fields`` (a missing one is an unknown selector);
    ``map`` has any string keys whose values are ``items``; ``array`` holds
    ``items``. ``nullable`` values may be null; an ``optional`` field may be
    missing from its object. ``enum`` lists the allowed values, if known.
    """

    kind: Kind
    fields: Mapping[str, Type] = field(default_factory=dict)
    items: Type | None = None
    nullable: bool = False
    optional: bool = False
    enum: tuple[Any, ...] = ()

    def describe(self) -> str:
        """A short name for messages: ``list of string``, ``nullable map``..."""
        if self.kind == "array":
            text = f"list of {self.items.describe() if self.items else 'any'}"
        elif self.kind == "map":
            text = "map"
        else:
            text = self.kind
        return f"nullable {text}" if self.nullable and self.kind != "null" else text


ANY = Type("any")


def type_at(
    root: Type, path: Sequence[str], scope: Mapping[str, Type] | None = None
) -> Type | None:
    """The type a selector path reaches: its first name is a bound name of
    ``scope`` or a field of ``root``. ``None`` when the schema has no such
    path; :data:`ANY` below a type it does not describe.

    >>> job = Type("object", fields={"Meta": Type("map", items=Type("string"))})
    >>> type_at(job, ["Meta", "env"]).kind, type_at(job, ["Nope"])
    ('string', None)
    """
    if not path:
        return root
    current = (scope or {}).get(path[0])
    if current is None:
        current = root.fields.get(path[0]) if root.kind == "object" else ANY
    if current is None:
        return None
    for part in path[1:]:
        if current.kind == "object":
            found = current.fields.get(part)
            if found is None:
                return None
            current = found
        elif current.kind in ("map", "array"):
            current = current.items or ANY
        elif current.kind == "any":
            return ANY
        else:
            return None
    return current


_SCALARS: dict[Any, Kind] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def type_of(value: Any) -> Type:
    """The type of a plain value (a variable's), as far as its kind goes."""
    return Type(_SCALARS.get(type(plain(value)), "any"))


def schema_of(source: Any, *, tag_name: str = DEFAULT_TAG_NAME, aliases: bool = False) -> Type:
    """Build a :class:`Type` from a dataclass, TypedDict, pydantic model,
    attrs class or JSON Schema dict (or return a :class:`Type` as is).

    Fields are named as selectors find them in data: ``tag_name`` and
    ``aliases`` are the options of :func:`bexpr.compile`.
    """
    if isinstance(source, Type):
        return source
    if isinstance(source, Mapping):
        return _from_json_schema(source, source)
    return _from_annotation(source, _Context(frozenset(), tag_name, aliases))


@dataclass(frozen=True)
class _Context:
    """What reading Python types carries along: the classes being read (to
    stop at a recursive type) and how fields are named."""

    seen: frozenset[int]
    tag_name: str
    aliases: bool


# -- Python types ---------------------------------------------------------------


def _from_annotation(annotation: Any, ctx: _Context) -> Type:
    if annotation is Any or annotation is object:
        return ANY
    if annotation is None or annotation is type(None):
        return Type("null", nullable=True)
    if annotation in _SCALARS:
        return Type(_SCALARS[annotation])
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _from_annotation(args[0], ctx)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        base = _from_annotation(options[0], ctx) if len(options) == 1 else ANY
        if len(options) < len(args):
            return dataclasses.replace(base, nullable=True)
        return base
    if origin is typing.Literal:
        kinds = {_SCALARS.get(type(a)) for a in args}
        kind = kinds.pop() if len(kinds) == 1 else None
        return Type(kind or "any", enum=tuple(args))
    if origin in (list, tuple, set, frozenset) or _is_sequence_alias(origin):
        return Type("array", items=_from_annotation(args[0] if args else Any, ctx))
    if origin is dict or _is_mapping_alias(origin):
        value = args[1] if len(args) == 2 else Any
        return Type("map", items=_from_annotation(value, ctx))
    if isinstance(annotation, type):
        return _from_class(annotation, ctx)
    return ANY


def _is_sequence_alias(origin: Any) -> bool:
    return origin in (abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection)


def _is_mapping_alias(origin: Any) -> bool:
    return origin in (abc.Mapping, abc.MutableMapping)


def _from_class(cls: type, ctx: _Context) -> Type:
    if id(cls) in ctx.seen:
        return Type("object", fields={}, nullable=False)  # a recursive type: stop here
    ctx = dataclasses.replace(ctx, seen=ctx.seen | {id(cls)})
    try:
        hints = typing.get_type_hints(cls, include_extras=False)
    except Exception:
        hints = dict(getattr(cls, "__annotations__", {}))
    if typing.is_typeddict(cls):
        return Type("object", fields=_typeddict_fields(cls, hints, ctx))
    table = field_table(cls, ctx.tag_name, ctx.aliases)
    if table is not None and not issubclass(cls, tuple):
        # A dataclass, attrs class or pydantic model: its fields by the names
        # selectors use (renamed, hidden, aliased as when data is read).
        annotations = _field_annotations(cls, hints)
        return Type(
            "object",
            fields={
                public: _from_annotation(annotations.get(attribute, Any), ctx)
                for public, attribute in table.items()
                if attribute is not HIDDEN
            },
        )
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        return Type(
            "object",
            fields={n: _from_annotation(hints.get(n, Any), ctx) for n in cls._fields},
        )
    if issubclass(cls, str | int | float | bool):
        return Type(_SCALARS[next(t for t in (bool, str, int, float) if issubclass(cls, t))])
    return ANY


def _typeddict_fields(cls: type, hints: dict[str, Any], ctx: _Context) -> dict[str, Type]:
    """A TypedDict's fields, with NotRequired/Required and ``total`` honoured.

    ``__optional_keys__`` misses NotRequired[...] written as a string
    annotation (``from __future__ import annotations``) before Python 3.12,
    so the wrappers are read from the resolved hints.
    """
    try:
        extras = typing.get_type_hints(cls, include_extras=True)
    except Exception:
        extras = hints
    optional_keys = set(getattr(cls, "__optional_keys__", ()))
    total = getattr(cls, "__total__", True)
    fields: dict[str, Type] = {}
    for name, hint in extras.items():
        optional = name in optional_keys or not total
        origin = typing.get_origin(hint)
        if origin is typing.NotRequired:
            optional, hint = True, typing.get_args(hint)[0]
        elif origin is typing.Required:
            optional, hint = False, typing.get_args(hint)[0]
        fields[name] = dataclasses.replace(_from_annotation(hint, ctx), optional=optional)
    return fields


def _field_annotations(cls: type, hints: dict[str, Any]) -> dict[str, Any]:
    """Each declared field's annotation, by attribute name."""
    annotations = dict(hints)
    for attribute in getattr(cls, "__attrs_attrs__", ()):
        annotations.setdefault(attribute.name, attribute.type or Any)
    model_fields = getattr(cls, "model_fields", None)  # pydantic
    if isinstance(model_fields, dict):
        annotations.update({name: info.annotation for name, info in model_fields.items()})
    return annotations


# -- JSON Schema ------------------------------------------------------------------

_JSON_KINDS: dict[str, Kind] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "null": "null",
    "array": "array",
    "object": "object",
}


def _resolve_ref(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    target: Any = root
    for part in ref[2:].split("/"):
        key = decode_segment(part)
        target = target.get(key, {}) if isinstance(target, Mapping) else {}
    return target if isinstance(target, Mapping) else {}


def _from_json_schema(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int = 0) -> Type:
    if depth > 50:
        return ANY
    schema = _resolve_ref(schema, root)
    nullable = bool(schema.get("nullable"))
    declared = schema.get("type")
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if declared is None and isinstance(alternatives, list):
        non_null = [
            a for a in alternatives if not (isinstance(a, Mapping) and a.get("type") == "null")
        ]
        if len(non_null) < len(alternatives):
            nullable = True
        if len(non_null) == 1 and isinstance(non_null[0], Mapping):
            inner = _from_json_schema(non_null[0], root, depth + 1)
            return dataclasses.replace(inner, nullable=nullable or inner.nullable)
        return dataclasses.replace(ANY, nullable=nullable)
    if isinstance(declared, list):
        kinds = [k for k in declared if k != "null"]
        nullable = nullable or len(kinds) < len(declared)
        declared = kinds[0] if len(kinds) == 1 else None
    enum = tuple(schema.get("enum", ()))
    kind = _JSON_KINDS.get(declared, "any") if isinstance(declared, str) else "any"
    if kind == "null":
        return Type("null", nullable=True)
    if kind == "array":
        items = schema.get("items")
        item_type = _from_json_schema(items, root, depth + 1) if isinstance(items, Mapping) else ANY
        return Type("array", items=item_type, nullable=nullable)
    if kind == "object" or (kind == "any" and "properties" in schema):
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping):
            return Type("map", items=_from_json_schema(extra, root, depth + 1), nullable=nullable)
        if not properties and extra is not False:
            return Type("map", items=ANY, nullable=nullable)
        required = set(schema.get("required") or ())
        return Type(
            "object",
            fields={
                name: dataclasses.replace(
                    _from_json_schema(sub, root, depth + 1) if isinstance(sub, Mapping) else ANY,
                    optional=name not in required,
                )
                for name, sub in properties.items()
            },
            nullable=nullable,
        )
    return Type(kind, nullable=nullable, enum=enum)
