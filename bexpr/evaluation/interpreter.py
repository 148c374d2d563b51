"""The reference interpreter: a plain walk over the syntax tree.

It follows the reference implementation's ``evaluate.go`` step by step and
converts values when it meets data, exactly as the reference does. It is
written to be obviously right, not fast; the compiled closures
(:mod:`bexpr.evaluation.closures`) must agree with it on every expression and
datum, which the property tests check. It shares only the Go ``strconv``
ports, the RE2 translation, field access and the operator table with the
compiler, so a slip in either evaluator shows up as a disagreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bexpr.data.fields import NotFound, struct_field
from bexpr.data.kinds import plain
from bexpr.data.lookup import pointer_text
from bexpr.errors import EvaluationError
from bexpr.go import re2
from bexpr.go.strconv import (
    INT64_MAX,
    INT64_MIN,
    ConversionError,
    parse_bool,
    parse_float,
    parse_int,
)
from bexpr.options import Options, Path
from bexpr.syntax.ast import (
    And,
    BindingMode,
    Collection,
    CollectionOp,
    Match,
    MatchOp,
    Node,
    Not,
    Or,
)
from bexpr.syntax.visitor import Visitor

__all__ = ["interpret"]


@dataclass(frozen=True)
class _Local:
    """A name bound by a collection expression: a path into the datum (list
    elements, map values) or a plain value (list indexes, map keys)."""

    name: str
    path: tuple[str, ...] | None
    value: Any = None


class _NotFound(Exception):
    pass


def _kind(value: Any) -> str:
    """The Go kind the reference would see for a Python value."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return "slice"
    return "struct"


def _get(datum: Any, path: tuple[str, ...], options: Options) -> Any:
    """pointerstructure's Pointer.Get: walk ``path`` from ``datum``."""
    current = plain(datum)
    for i, part in enumerate(path):
        kind = _kind(current)
        if kind == "map":
            if part not in current:
                raise _NotFound(part)
            current = current[part]
        elif kind == "slice":
            try:
                index = parse_int(part if part else "0")
            except ConversionError:
                raise EvaluationError(
                    f"couldn't convert value {part!r} to a list index at part {i}",
                    pointer_text(path),
                ) from None
            if index < 0 or index >= len(current):
                raise EvaluationError(
                    f"index {index} is out of range (length = {len(current)}) at part {i}",
                    pointer_text(path),
                )
            current = current[index]
        elif kind == "struct":
            # Which fields an object exposes is policy, not semantics: the
            # interpreter shares it with the compiler (bexpr.data.fields).
            try:
                current = struct_field(
                    current, part, options.resolver, options.tag_name, options.aliases
                )
            except NotFound:
                raise _NotFound(part) from None
        else:
            raise EvaluationError(
                f"cannot look up key {part!r} in a value of type {kind} at part {i}",
                pointer_text(path),
            )
        if options.hook is not None:
            current = options.hook(current)
        # A str/int/float subclass or a numpy value is the value it holds.
        current = plain(current)
    return current


def _get_value(
    datum: Any, path: tuple[str, ...], options: Options, scope: tuple[_Local, ...]
) -> tuple[Any, bool]:
    """evaluate.go's getValue: resolve bound names, look the path up, and
    apply the missing-key rules. Returns (value, present)."""
    for local in reversed(scope):
        if path[0] != local.name:
            continue
        if local.path is None:
            if len(path) > 1:
                kind = "int" if isinstance(local.value, int) else "string"
                raise EvaluationError(
                    f"{pointer_text(path[:1])} references a {kind} "
                    f"so {pointer_text(path)} is invalid"
                )
            return plain(local.value), True
        path = local.path + path[1:]
    try:
        return _get(datum, path, options), True
    except _NotFound as missing:
        if options.has_unknown:
            return options.unknown, True
        if len(path) >= 2:
            try:
                parent = _get(datum, path[:-1], options)
            except (_NotFound, EvaluationError):
                parent = None
            if _kind(parent) == "map":
                return None, False
        raise EvaluationError(f"couldn't find key {str(missing)!r}", pointer_text(path)) from None


def _match_value(raw: str, kind: str) -> Any:
    """evaluate.go's getMatchExprValue: the value's text converted to ``kind``."""
    if kind == "bool":
        return parse_bool(raw)
    if kind == "int64":
        return parse_int(raw)
    if kind == "float64":
        return parse_float(raw)
    return raw


def _equal(node: Match, value: Any) -> bool:
    kind = _kind(value)
    if kind not in ("bool", "int64", "float64", "string"):
        raise EvaluationError(
            f"cannot compare a value of type {kind} with {node.value.raw if node.value else ''!r}",
            str(node.selector),
        )
    assert node.value is not None
    try:
        converted = _match_value(node.value.raw, kind)
    except ConversionError as err:
        raise EvaluationError(f"error getting match value: {err}", str(node.selector)) from None
    return bool(converted == value)


def _element_matches(raw: str, element: Any, selector: str) -> bool:
    """One element of a list for `in`: the reference decodes JSON numbers as
    text (json.Number), so numbers in lists compare by their text; see
    docs/compatibility.md."""
    element = plain(element)
    kind = _kind(element)
    if kind == "string":
        return bool(raw == element)
    if kind == "bool":
        try:
            return bool(parse_bool(raw) == element)
        except ConversionError:
            return False
    if kind == "int64":
        return raw == str(element)
    if kind == "float64":
        try:
            return bool(parse_float(raw) == element)
        except ConversionError:
            return False
    raise EvaluationError(f"cannot look for {raw!r} among list elements of type {kind}", selector)


def _contains(node: Match, value: Any) -> bool:
    assert node.value is not None
    raw = node.value.raw
    kind = _kind(value)
    if kind == "map":
        return bool(raw in value)
    if kind == "slice":
        return any(_element_matches(raw, element, str(node.selector)) for element in value)
    if kind == "string":
        return bool(raw in value)
    raise EvaluationError(f"cannot use in/contains on a value of type {kind}", str(node.selector))


def _is_empty(node: Match, value: Any) -> bool:
    kind = _kind(value)
    if kind in ("map", "slice", "string"):
        return len(value) == 0
    raise EvaluationError(f"cannot use is empty on a value of type {kind}", str(node.selector))


def _is_nil(node: Match, value: Any) -> bool:
    kind = _kind(value)
    if kind == "invalid":
        return True
    if kind in ("map", "slice", "struct"):
        return False
    raise EvaluationError(f"cannot use is nil on a value of type {kind}", str(node.selector))


def _matches(node: Match, value: Any) -> bool:
    kind = _kind(value)
    if kind != "string":
        raise EvaluationError(f"cannot match a value of type {kind}", str(node.selector))
    assert node.value is not None
    try:
        pattern = re2.compile(node.value.raw)
    except re2.RE2SyntaxError as err:
        raise EvaluationError(
            f"invalid regular expression {node.value.raw!r}: {err}", str(node.selector)
        ) from None
    return pattern.search(value) is not None


def _number(value: Any) -> Any:
    """The reference turns JSON numbers into int64 when they fit, else float64."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not INT64_MIN <= value <= INT64_MAX
    ):
        try:
            return float(value)
        except OverflowError:
            raise EvaluationError(f"unable to convert number {value} to int or float") from None
    return value


# One function per positive operator; a negated one flips its answer.
_OPERATIONS = {
    MatchOp.EQUAL: _equal,
    MatchOp.IN: _contains,
    MatchOp.MATCHES: _matches,
    MatchOp.IS_EMPTY: _is_empty,
    MatchOp.IS_NIL: _is_nil,
}


class _Interpreter(Visitor[bool]):
    """evaluate.go's evaluate functions, one per kind of node."""

    def __init__(self, datum: Any, options: Options) -> None:
        self.datum = datum
        self.options = options

    def visit_match(self, node: Match, scope: tuple[_Local, ...]) -> bool:
        value, present = _get_value(self.datum, node.selector.path, self.options, scope)
        if not present:
            return node.op.when_missing
        value = _number(value)
        result = _OPERATIONS[node.op.positive](node, value)
        return not result if node.op.negative else result

    def visit_not(self, node: Not, scope: tuple[_Local, ...]) -> bool:
        return not self.visit(node.operand, scope)

    def visit_and(self, node: And, scope: tuple[_Local, ...]) -> bool:
        return all(self.visit(op, scope) for op in node.operands)

    def visit_or(self, node: Or, scope: tuple[_Local, ...]) -> bool:
        return any(self.visit(op, scope) for op in node.operands)

    def visit_collection(self, node: Collection, scope: tuple[_Local, ...]) -> bool:
        datum, options = self.datum, self.options
        value, present = _get_value(datum, node.selector.path, options, scope)
        if not present:
            return node.op.when_missing
        kind = _kind(value)
        if kind not in ("slice", "map"):
            raise EvaluationError(f"{node.selector.text} is not a list or a map")
        binding = node.binding
        path = node.selector.path
        for i, key in enumerate(list(value)):
            if binding.mode is BindingMode.INDEX_VALUE and binding.index == binding.value:
                raise EvaluationError(
                    f"{binding.index!r} cannot be used as a placeholder for both the index "
                    "and the value"
                )
            locals_: list[_Local] = []
            if kind == "map":
                if not isinstance(key, str):
                    raise EvaluationError(
                        f"{node.op.value} can only iterate over maps whose keys are strings"
                    )
                if binding.mode is BindingMode.DEFAULT:
                    locals_.append(_Local(str(binding.value), None, key))
                if binding.index is not None:
                    locals_.append(_Local(binding.index, None, key))
                if binding.value is not None and binding.mode is not BindingMode.DEFAULT:
                    locals_.append(_Local(binding.value, (*path, key)))
            else:
                if binding.index is not None:
                    locals_.append(_Local(binding.index, None, i))
                if binding.value is not None:
                    locals_.append(_Local(binding.value, (*path, str(i))))
            result = self.visit(node.body, scope + tuple(locals_))
            if result and node.op is CollectionOp.ANY:
                return True
            if not result and node.op is CollectionOp.ALL:
                return False
        return node.op is CollectionOp.ALL


def interpret(node: Node, datum: Any, options: Options | None = None) -> bool:
    """Evaluate ``node`` against ``datum`` by walking the tree.

    Raises :class:`bexpr.EvaluationError` where the reference reports an
    error (or crashes).
    """
    options = options or Options()
    # The reference's WithLocalVariable: a path to look up instead, or a value.
    variables = tuple(
        _Local(name, value.keys) if isinstance(value, Path) else _Local(name, None, value)
        for name, value in options.variables
    )
    return _Interpreter(datum, options).visit(node, variables)
