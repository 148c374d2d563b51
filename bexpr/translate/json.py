"""The syntax tree as JSON-serializable data, for UIs that store filters.

>>> import bexpr, json
>>> data = bexpr.to_json(bexpr.parse('Meta.env == prod and "dc2" in Datacenters'))
>>> data["type"], data["operands"][0]["selector"]
('and', {'path': ['Meta', 'env'], 'pointer': False})
>>> json.loads(json.dumps(data)) == data
True
>>> bexpr.from_json(data) == bexpr.parse('Meta.env == prod and "dc2" in Datacenters')
True

The format: every node is an object with a ``type`` (``match``, ``not``,
``and``, ``or``, ``collection``) and the node's parts; selectors are
``{"path": [...], "pointer": bool}``; values ``{"raw": text, "kind": ...}``;
positions are kept as ``start``/``end`` when present. Each node writes its
own part (``node.to_json()``, see :mod:`bexpr.syntax.ast`), as it prints its
own text; reading is here: :func:`from_json` accepts exactly what
:func:`to_json` produces (positions optional) and raises
:class:`bexpr.BexprError` for anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bexpr.errors import BexprError
from bexpr.syntax.ast import (
    And,
    Binding,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
    Not,
    Or,
    Selector,
    Value,
)

__all__ = ["from_json", "to_json"]

_MAX_DEPTH = 500


def to_json(node: Node) -> dict[str, Any]:
    """The tree as nested dicts and lists of plain JSON values (``node.to_json()``)."""
    return node.to_json()


def _need(condition: bool, what: str) -> None:
    if not condition:
        raise BexprError(f"not a bexpr tree: {what}")


def _text(data: Mapping[str, Any], key: str, optional: bool = False) -> Any:
    value = data.get(key)
    if optional and value is None:
        return None
    _need(isinstance(value, str), f"{key!r} must be a string")
    return value


def _position(data: Mapping[str, Any]) -> tuple[int, int]:
    start, end = data.get("start", 0), data.get("end", 0)
    _need(isinstance(start, int) and isinstance(end, int), "start/end must be integers")
    return start, end


def _read_selector(data: Any) -> Selector:
    _need(isinstance(data, Mapping), "a selector must be an object")
    path = data.get("path")
    _need(
        isinstance(path, list) and bool(path) and all(isinstance(p, str) for p in path),
        "a selector path must be a non-empty list of strings",
    )
    return Selector(tuple(path), bool(data.get("pointer", False)))


def from_json(data: Any) -> Node:
    """Rebuild a tree from :func:`to_json` output, checking its shape (and
    that it can be written as an expression)."""
    node = _from_json(data, 0)
    try:
        str(node)
    except (ValueError, TypeError) as err:
        raise BexprError(f"not a bexpr tree: {err}") from None
    return node


def _from_json(data: Any, _depth: int) -> Node:
    _need(_depth < _MAX_DEPTH, "nested too deeply")
    _need(isinstance(data, Mapping), "a node must be an object")
    kind = data.get("type")
    start, end = _position(data)
    if kind == "match":
        try:
            op = MatchOp(_text(data, "op"))
        except ValueError:
            raise BexprError(f"not a bexpr tree: unknown operator {data.get('op')!r}") from None
        value = None
        if op.takes_value:
            raw = data.get("value")
            _need(isinstance(raw, Mapping), f"operator {op.value!r} needs a value")
            value = Value(_text(raw, "raw"), str(raw.get("kind", "string")))
        else:
            _need(data.get("value") is None, f"operator {op.value!r} takes no value")
        return Match(op, _read_selector(data.get("selector")), value, start, end)
    if kind == "not":
        return Not(_from_json(data.get("operand"), _depth + 1), start, end)
    if kind in ("and", "or"):
        operands = data.get("operands")
        _need(isinstance(operands, list) and len(operands) >= 2, f"{kind} needs 2+ operands")
        nodes = tuple(_from_json(op, _depth + 1) for op in operands)
        return And(nodes, start, end) if kind == "and" else Or(nodes, start, end)
    if kind == "collection":
        try:
            collection_op = CollectionOp(_text(data, "op"))
            binding = data.get("binding")
            _need(isinstance(binding, Mapping), "a collection needs a binding")
            mode = BindingMode(_text(binding, "mode"))
        except ValueError:
            raise BexprError("not a bexpr tree: unknown collection operator or binding") from None
        index, value = _text(binding, "index", True), _text(binding, "value", True)
        wanted = {
            BindingMode.DEFAULT: (False, True),
            BindingMode.INDEX_VALUE: (True, True),
            BindingMode.INDEX: (True, False),
            BindingMode.VALUE: (False, True),
        }[mode]
        _need((index is not None, value is not None) == wanted, f"binding {mode.value} names")
        return Collection(
            collection_op,
            _read_selector(data.get("selector")),
            Binding(mode, index, value),
            _from_json(data.get("body"), _depth + 1),
            start,
            end,
        )
    raise BexprError(f"not a bexpr tree: unknown node type {kind!r}")
