"""Completion for editors: what may come next at the cursor.

:func:`complete` looks at the text before the cursor and offers selectors
(from the schema), operators valid for the field's type, keywords and known
values. Each :class:`Completion` says what text to put over which span.

>>> import dataclasses, bexpr
>>> @dataclasses.dataclass
... class Job:
...     Name: str
...     Priority: int
...     Stop: bool
>>> [c.text for c in bexpr.complete("Pri", 3, Job)]
['Priority']
>>> [c.text for c in bexpr.complete("Stop ", 5, Job)]
['==', '!=']
>>> [c.text for c in bexpr.complete("Stop == ", 8, Job)]
['true', 'false']
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal, Unpack

from bexpr.analysis.schema import ANY, Type, schema_of, type_at, type_of
from bexpr.errors import BexprError
from bexpr.options import CompileOptions, Path, options_from
from bexpr.syntax.operators import CollectionOp, Form, MatchOp
from bexpr.syntax.tokens import AND, AS, NOT, OR, spellings

__all__ = ["Completion", "complete"]

CompletionKind = Literal["selector", "operator", "keyword", "value"]


@dataclass(frozen=True, slots=True)
class Completion:
    """Put ``text`` over ``start``..``end`` (the partial word at the cursor)."""

    text: str
    kind: CompletionKind
    start: int
    end: int
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The completion as a JSON-serializable dict."""
        return asdict(self)


_TOKEN = re.compile(r'"[^"]*"|`[^`]*`|==|!=|[()\[\]{},]|[A-Za-z0-9_/.\-]+|\S')
_PARTIAL = re.compile(r"[A-Za-z0-9_/.]*\Z")
_BINDING = re.compile(
    r"\b(any|all)\s+([A-Za-z][A-Za-z0-9_/.]*)\s+as\s+([A-Za-z_][A-Za-z0-9_/]*)"
    r"(?:\s*,\s*([A-Za-z_][A-Za-z0-9_/]*))?\s*\{"
)

# `is` and what may follow it: the unary operators without their first word.
_IS = {text.split()[0] for text, _ in spellings(Form.UNARY)}
_AFTER_IS = [(text.split(" ", 1)[1], op) for text, op in spellings(Form.UNARY)]
_UNARY_ENDS = {text.split()[-1] for text, _ in spellings(Form.UNARY)}
# The last words of binary operators and of `in`: a value or selector follows.
_BINARY = {text.split()[-1] for text, _ in spellings(Form.BINARY)}
_IN = {text.split()[-1] for text, _ in spellings(Form.IN)}
_COLLECTION_OPS = {op.value for op in CollectionOp}
# What may follow a selector: every operator written selector first.
_OPERATORS = [(text, op) for text, op in spellings() if text.split()[-1] not in _IN]
# Where an expression may start.
_STARTS = {"", AND, OR, NOT, "(", "{"}


def _scope(before: str, root: Type, scope: dict[str, Type]) -> dict[str, Type]:
    """``scope`` and the names bound by collection expressions still open
    before the cursor."""
    scope = dict(scope)
    for m in _BINDING.finditer(before):
        if before.count("{", m.end()) - before.count("}", m.end()) < 0:
            continue  # that collection was closed already
        collection = type_at(root, m.group(2).split("."), scope) or ANY
        items = collection.items or ANY
        key = Type("string") if collection.kind == "map" else Type("integer")
        first, second = m.group(3), m.group(4)
        if second is None:
            scope[first] = key if collection.kind == "map" else items
        else:
            if first != "_":
                scope[first] = key
            if second != "_":
                scope[second] = items
    return scope


def complete(
    expression: str, cursor: int, schema: Any = None, **options: Unpack[CompileOptions]
) -> list[Completion]:
    """What may be typed at ``cursor`` in ``expression``.

    With a ``schema`` (see :func:`bexpr.schema_of`), selectors come from its
    field names and operators are the ones valid for the field's type;
    without one, only keywords and operators are offered. ``options`` are
    those of :func:`bexpr.compile`: ``tag_name`` and ``aliases`` name the
    schema's fields, ``variables`` are offered as selectors.
    """
    opts = options_from(options)
    cursor = max(0, min(cursor, len(expression)))
    before = expression[:cursor]
    try:
        root = (
            ANY
            if schema is None
            else schema_of(schema, tag_name=opts.tag_name, aliases=opts.aliases)
        )
    except Exception as err:
        raise BexprError(f"not a schema bexpr can read: {err}") from err
    variables: dict[str, Type] = {}
    for name, value in opts.variables:
        if isinstance(value, Path):
            variables[name] = type_at(root, value.keys, variables) or ANY
        else:
            variables[name] = type_of(value)
    partial = _PARTIAL.search(before)
    start = partial.start() if partial else cursor
    word = before[start:]
    tokens = _TOKEN.findall(before[:start])
    last = tokens[-1] if tokens else ""
    scope = _scope(before, root, variables)

    def out(texts: list[tuple[str, CompletionKind, str | None]]) -> list[Completion]:
        return [
            Completion(text, kind, start, cursor, detail)
            for text, kind, detail in texts
            if text.startswith(word) and text != word
        ]

    # After a keyword that starts an expression: selectors and keywords.
    if last in _STARTS:
        return out(_selectors(root, scope, word) + _keywords(last))
    if last in _IS:
        target = type_at(root, tokens[-2].split("."), scope) if len(tokens) >= 2 else None
        return out(_unary(target, _AFTER_IS))
    if last == NOT and len(tokens) >= 2 and tokens[-2] in _IS:
        target = type_at(root, tokens[-3].split("."), scope) if len(tokens) >= 3 else None
        negated = [(text.split(" ", 1)[1], op) for text, op in _AFTER_IS if op.negative]
        return out(_unary(target, negated))
    if last in _IN:
        return out(_selectors(root, scope, word))
    if last in _BINARY:
        target = type_at(root, tokens[-2].split("."), scope) if len(tokens) >= 2 else None
        if len(tokens) >= 3 and tokens[-2] == NOT:
            target = type_at(root, tokens[-3].split("."), scope)
        return out(_values(target))
    if last in _COLLECTION_OPS:
        return out(_selectors(root, scope, word, collections_only=True))
    if len(tokens) >= 2 and tokens[-2] in _COLLECTION_OPS:
        return out([(AS, "keyword", None)])
    if (
        last in (")", "}")
        or last in _UNARY_ENDS
        or last.startswith(('"', "`"))
        or _is_value(tokens)
    ):
        joiners: list[tuple[str, CompletionKind, str | None]] = [
            (AND, "keyword", None),
            (OR, "keyword", None),
        ]
        if before.count("(") > before.count(")"):
            joiners.append((")", "keyword", None))
        return out(joiners)
    # After a selector: operators for its type.
    target = type_at(root, last.split("."), scope) if last else None
    if last and word == "" and before.endswith((" ", "\t", "\n")):
        return out(_operators(target))
    return out(_selectors(root, scope, word))


def _is_value(tokens: list[str]) -> bool:
    """Whether the tokens end with a complete match (`X == value`)."""
    return len(tokens) >= 3 and tokens[-2] in _BINARY | _IN


def _keywords(last: str) -> list[tuple[str, CompletionKind, str | None]]:
    words: list[tuple[str, CompletionKind, str | None]] = [(NOT, "keyword", None)]
    if last in ("", OR, "(", "{"):
        # The grammar takes a collection expression alone or last in an `or`.
        words += [(op.value, "keyword", None) for op in CollectionOp]
    words.append(("(", "keyword", None))
    return words


def _selectors(
    root: Type, scope: dict[str, Type], word: str, collections_only: bool = False
) -> list[tuple[str, CompletionKind, str | None]]:
    head, _, _ = word.rpartition(".")
    if head:
        parent = type_at(root, head.split("."), scope)
        fields = parent.fields if parent is not None and parent.kind == "object" else {}
        names = [(f"{head}.{name}", kind) for name, kind in fields.items()]
    else:
        names = [(name, t) for name, t in scope.items()]
        names += [(name, t) for name, t in root.fields.items() if name not in scope]
    return [
        (name, "selector", t.describe())
        for name, t in names
        if not collections_only or t.kind in ("array", "map", "any")
    ]


def _applies(op: MatchOp, target: Type | None) -> bool:
    """Whether ``op`` can apply to a value of the target's type (a nullable
    value may be null, which the nil tests accept)."""
    if target is None or target.kind == "any" or target.kind in op.applies_to:
        return True
    return target.nullable and "null" in op.applies_to


def _operators(target: Type | None) -> list[tuple[str, CompletionKind, str | None]]:
    return [(text, "operator", None) for text, op in _OPERATORS if _applies(op, target)]


def _unary(
    target: Type | None, words: list[tuple[str, MatchOp]]
) -> list[tuple[str, CompletionKind, str | None]]:
    return [(text, "keyword", None) for text, op in words if _applies(op, target)]


def _values(target: Type | None) -> list[tuple[str, CompletionKind, str | None]]:
    if target is None:
        return []
    if target.enum:
        return [
            (f'"{v}"' if isinstance(v, str) else str(v).lower(), "value", None) for v in target.enum
        ]
    if target.kind == "boolean":
        return [("true", "value", None), ("false", "value", None)]
    return []
