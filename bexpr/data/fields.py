"""Which parts of a Python object a selector may reach.

A selector reaches data, never code. In an object that is not a mapping or a
sequence (the reference's "struct") it finds:

- dataclass fields (``metadata={"bexpr": "name"}`` renames one, ``"-"``
  hides it, the analogue of the reference's struct tags; ``tag_name=``
  names another metadata key), attrs fields, pydantic model fields and
  namedtuple fields; with ``aliases=True``, a pydantic field by its alias
  (its serialization alias first) and an attrs field by its explicit
  ``alias``, instead of its name;
- otherwise the object's own public instance attributes (its ``__dict__``
  and ``__slots__``).

Never a name starting with ``_``, a class attribute, a method or any other
callable, a property or a descriptor that runs code: values are read from
the instance's ``__dict__`` or through slot descriptors, which run none. A
caller who wants more (properties, computed attributes) passes a
``resolver`` to :func:`bexpr.compile`; :func:`attribute_resolver` is a
ready one that reads public attributes with ``getattr``.
"""

from __future__ import annotations

import dataclasses
import threading
import types
from typing import Any, Final

from bexpr.errors import EvaluationError
from bexpr.options import DEFAULT_TAG_NAME, Resolver

__all__ = ["HIDDEN", "NotFound", "attribute_resolver", "field_table", "struct_field"]


class NotFound(Exception):
    """A key or field that is not there (the reference's ErrNotFound)."""

    def __init__(self, part: str) -> None:
        self.part = part
        super().__init__(part)


HIDDEN: Final = object()
"""In a :func:`field_table`: a field hidden with ``metadata={"bexpr": "-"}``."""

# Per (class, tag name, aliases): the class's field table (see field_table).
_TABLES: dict[tuple[type, str, bool], dict[str, Any] | None] = {}
_TABLES_LOCK = threading.Lock()


def _tag(metadata: Any, tag_name: str) -> str:
    """The name a field's metadata gives it (``"Name"`` of ``"Name,omitempty"``)."""
    return str((metadata or {}).get(tag_name, "")).split(",")[0]


def _tagged_table(fields: list[tuple[str, str]]) -> dict[str, Any]:
    """Build a field table from (attribute name, tag) pairs, in declaration order."""
    table: dict[str, Any] = {}
    tagged: set[str] = set()
    for name, tag in fields:
        if name.startswith("_"):
            continue
        # A tag wins over a field name, as in the reference's struct lookup.
        if tag == "-":
            if name not in tagged:
                table.setdefault(name, HIDDEN)
        elif tag:
            table[tag] = name
            tagged.add(tag)
        elif name not in tagged:
            table[name] = name
    return table


def _attrs_alias(attribute: Any) -> str:
    alias = getattr(attribute, "alias", None)
    return alias if isinstance(alias, str) else ""


def _pydantic_alias(info: Any) -> str:
    alias = getattr(info, "serialization_alias", None) or getattr(info, "alias", None)
    return alias if isinstance(alias, str) else ""


def _declared_fields(cls: type, tag_name: str, aliases: bool) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(cls):
        return _tagged_table(
            [(f.name, _tag(f.metadata, tag_name)) for f in dataclasses.fields(cls)]
        )
    attrs_fields = cls.__dict__.get("__attrs_attrs__")
    if attrs_fields is not None:
        # attrs gives every field an alias (by default its name without a
        # leading underscore); private fields are skipped all the same.
        return _tagged_table(
            [
                (a.name, _tag(a.metadata, tag_name) or (_attrs_alias(a) if aliases else ""))
                for a in attrs_fields
            ]
        )
    model_fields = getattr(cls, "model_fields", None)  # pydantic 2
    if isinstance(model_fields, dict) and hasattr(cls, "model_dump"):
        return _tagged_table(
            [
                (name, _pydantic_alias(info) if aliases else "")
                for name, info in model_fields.items()
            ]
        )
    v1_fields = cls.__dict__.get("__fields__")  # pydantic 1
    if isinstance(v1_fields, dict) and hasattr(cls, "dict"):
        return _tagged_table(
            [(name, _pydantic_alias(info) if aliases else "") for name, info in v1_fields.items()]
        )
    if issubclass(cls, tuple) and isinstance(cls.__dict__.get("_fields"), tuple):
        return {name: name for name in cls.__dict__["_fields"] if not name.startswith("_")}
    return None


def field_table(
    cls: type, tag_name: str = DEFAULT_TAG_NAME, aliases: bool = False
) -> dict[str, Any] | None:
    """The public names of a class that declares its fields (a dataclass,
    attrs class, pydantic model or namedtuple), each mapped to its attribute's
    name or to :data:`HIDDEN`; ``None`` for any other class.

    >>> import dataclasses
    >>> @dataclasses.dataclass
    ... class Job:
    ...     job_id: str = dataclasses.field(metadata={"json": "ID"})
    ...     token: str = dataclasses.field(metadata={"json": "-"})
    >>> field_table(Job, tag_name="json") == {"ID": "job_id", "token": HIDDEN}
    True
    """
    key = (cls, tag_name, aliases)
    try:
        return _TABLES[key]
    except KeyError:
        pass
    table = _declared_fields(cls, tag_name, aliases)
    with _TABLES_LOCK:
        _TABLES[key] = table
    return table


def _instance_value(obj: Any, name: str) -> Any:
    """Read an instance attribute without running user code, or raise NotFound."""
    if isinstance(obj, tuple):  # a namedtuple: read the item, not the getter
        fields = type(obj).__dict__.get("_fields", ())
        if name in fields:
            return tuple.__getitem__(obj, fields.index(name))
        raise NotFound(name)
    try:
        instance = object.__getattribute__(obj, "__dict__")
    except AttributeError:
        instance = None
    if isinstance(instance, dict) and name in instance:
        return instance[name]
    for cls in type(obj).__mro__:
        slot = cls.__dict__.get(name)
        if isinstance(slot, types.MemberDescriptorType):
            try:
                return slot.__get__(obj, type(obj))
            except AttributeError:  # an unset slot
                raise NotFound(name) from None
    raise NotFound(name)


def struct_field(
    obj: Any,
    name: str,
    resolver: Resolver | None = None,
    tag_name: str = DEFAULT_TAG_NAME,
    aliases: bool = False,
) -> Any:
    """Look ``name`` up in a struct-like object, or raise :class:`NotFound`.

    With a ``resolver``, it decides instead; it signals a missing name with
    ``LookupError`` or ``AttributeError``. ``tag_name`` and ``aliases`` are
    the options of the same names (see :func:`field_table`).
    """
    if resolver is not None:
        try:
            return resolver(obj, name)
        except (LookupError, AttributeError):
            raise NotFound(name) from None
    if name.startswith("_"):
        raise NotFound(name)
    table = field_table(type(obj), tag_name, aliases)
    if table is not None:
        attribute = table.get(name)
        if attribute is None:
            raise NotFound(name)
        if attribute is HIDDEN:
            raise EvaluationError(f"field {name!r} is hidden and cannot be used")
        return _instance_value(obj, attribute)
    value = _instance_value(obj, name)
    if callable(value):
        raise NotFound(name)
    return value


def attribute_resolver(obj: Any, name: str) -> Any:
    """A permissive resolver: any public, non-callable attribute, properties included.

    Use it only for objects whose properties are safe to run on behalf of
    whoever writes the filter::

        bexpr.compile(text, resolver=bexpr.attribute_resolver)
    """
    if name.startswith("_"):
        raise AttributeError(name)
    value = getattr(obj, name)
    if callable(value):
        raise AttributeError(name)
    return value
