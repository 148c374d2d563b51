"""Which parts of a Python object a selector may reach.

A selector reaches data, never code. In an object that is not a mapping or a
sequence (the reference's "struct") it finds:

- dataclass fields (``metadata={"bexpr": "name"}`` renames one, ``"-"``
  hides it, the analogue of the reference's struct tags), attrs fields,
  pydantic model fields and namedtuple fields;
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
from bexpr.options import Resolver

__all__ = ["NotFound", "attribute_resolver", "struct_field"]


class NotFound(Exception):
    """A key or field that is not there (the reference's ErrNotFound)."""

    def __init__(self, part: str) -> None:
        self.part = part
        super().__init__(part)


_HIDDEN: Final = object()

# Per class: public name -> attribute name, or _HIDDEN for a field hidden
# with metadata={"bexpr": "-"}; None for classes without declared fields.
_TABLES: dict[type, dict[str, Any] | None] = {}
_TABLES_LOCK = threading.Lock()


def _tagged_table(fields: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a field table from (name, metadata) pairs, honouring tags."""
    table: dict[str, Any] = {}
    tagged: dict[str, str] = {}
    for name, metadata in fields:
        if name.startswith("_"):
            continue
        tag = str((metadata or {}).get("bexpr", "")).split(",")[0]
        if tag == "-":
            table.setdefault(name, _HIDDEN)
        elif tag:
            tagged[tag] = name
        else:
            table[name] = name
    # A tag wins over a field name, as in the reference's struct lookup.
    table.update(tagged)
    return table


def _declared_fields(cls: type) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(cls):
        return _tagged_table([(f.name, f.metadata) for f in dataclasses.fields(cls)])
    attrs_fields = cls.__dict__.get("__attrs_attrs__")
    if attrs_fields is not None:
        return _tagged_table([(a.name, a.metadata) for a in attrs_fields])
    model_fields = getattr(cls, "model_fields", None)  # pydantic 2
    if isinstance(model_fields, dict) and hasattr(cls, "model_dump"):
        return _tagged_table([(name, None) for name in model_fields])
    v1_fields = cls.__dict__.get("__fields__")  # pydantic 1
    if isinstance(v1_fields, dict) and hasattr(cls, "dict"):
        return _tagged_table([(name, None) for name in v1_fields])
    if issubclass(cls, tuple) and isinstance(cls.__dict__.get("_fields"), tuple):
        return {name: name for name in cls.__dict__["_fields"] if not name.startswith("_")}
    return None


def _table(cls: type) -> dict[str, Any] | None:
    try:
        return _TABLES[cls]
    except KeyError:
        pass
    table = _declared_fields(cls)
    with _TABLES_LOCK:
        _TABLES[cls] = table
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


def struct_field(obj: Any, name: str, resolver: Resolver | None = None) -> Any:
    """Look ``name`` up in a struct-like object, or raise :class:`NotFound`.

    With a ``resolver``, it decides instead; it signals a missing name with
    ``LookupError`` or ``AttributeError``.
    """
    if resolver is not None:
        try:
            return resolver(obj, name)
        except (LookupError, AttributeError):
            raise NotFound(name) from None
    if name.startswith("_"):
        raise NotFound(name)
    table = _table(type(obj))
    if table is not None:
        attribute = table.get(name)
        if attribute is None:
            raise NotFound(name)
        if attribute is _HIDDEN:
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
