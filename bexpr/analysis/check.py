"""Diagnostics for UIs: what is wrong with a filter, before running it.

:func:`check` returns a list of :class:`Diagnostic` (JSON-serializable)
instead of raising. Without a schema it reports what needs none: syntax,
limits, invalid patterns and duplicate bindings, each an error on every
record that reaches it. With one (:mod:`bexpr.analysis.schema`) it also
reports, all at once:

=====================  ========  ===============================================
code                   severity  meaning
=====================  ========  ===============================================
``syntax``             error     the expression does not parse
``limit``              error     the expression is over a size limit
``unknown-selector``   error     no such field (with did-you-mean suggestions)
``not-an-index``       error     a list is indexed with something not a number
``cannot-index``       error     the selector steps into a string, number...
``operator-type``      error     the operator cannot apply to the field's type
``invalid-value``      error     the value cannot convert to the field's type
``invalid-regex``      error     the pattern is not valid RE2
``not-a-collection``   error     ``any``/``all`` over something not a list/map
``duplicate-binding``  error     ``as x, x``
``binding-no-fields``  error     ``i.x`` where ``i`` is an index or a key
``never-matches``      warning   the value is not among the field's values
``nullable``           warning   the value may be null, which is an error here
``optional``           warning   a top-level key that may be missing
``binding-shadows``    warning   a bound name hides a top-level field
``index-range``        warning   a list index, which is an error when out of range
``may-be-missing``     warning   a key that may be missing, with more path after it
=====================  ========  ===============================================

A check that a field is not nil earlier in an ``and`` chain silences the
``nullable`` warnings after it: ``Meta is not nil and Meta.env == prod``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Unpack

from bexpr.analysis.schema import ANY, Type, schema_of, type_at, type_of
from bexpr.errors import BexprError, Diagnostic, ParseError, Severity
from bexpr.go import re2
from bexpr.go.strconv import ConversionError, parse_bool, parse_float, parse_int
from bexpr.options import CompileOptions, Path, options_from
from bexpr.syntax.ast import And, BindingMode, Collection, Match, MatchOp, Node, Selector
from bexpr.syntax.operators import OPERATORS
from bexpr.syntax.parser import parse
from bexpr.syntax.visitor import Visitor

__all__ = ["Diagnostic", "check"]

# An `X is not nil` or `X is not empty` that held means X is not null.
_GUARDS = frozenset({MatchOp.IS_NOT_NIL, MatchOp.IS_NOT_EMPTY})


def _suggest(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else None


@dataclass(frozen=True)
class _Bound:
    name: str
    type: Type
    plain: bool  # an index, a key or a variable's value: it has no fields
    what: str = "an index or a key"


def _variables(root: Type, variables: tuple[tuple[str, Any], ...]) -> tuple[_Bound, ...]:
    """The ``variables`` option as names in scope around the whole expression."""
    bound: tuple[_Bound, ...] = ()
    for name, value in variables:
        if isinstance(value, Path):
            scope = {b.name: b.type for b in bound}
            bound += (_Bound(name, type_at(root, value.keys, scope) or ANY, False),)
        else:
            bound += (_Bound(name, type_of(value), True, "a variable with a value"),)
    return bound


class _Checker(Visitor[None]):
    """Walks the tree with the names in scope and the selectors an earlier
    ``is not nil`` guards; ``not`` and ``or`` just visit their operands."""

    def __init__(self, root: Type) -> None:
        self.root = root
        self.found: list[Diagnostic] = []

    def report(
        self,
        code: str,
        message: str,
        span: Node | Selector | Any,
        severity: Severity = "error",
        hint: str | None = None,
    ) -> None:
        self.found.append(Diagnostic(code, message, span.start, span.end, severity, hint))

    def visit_and(
        self, node: And, scope: tuple[_Bound, ...], guards: frozenset[tuple[str, ...]]
    ) -> None:
        # `X is not nil and X.y == 1`: later operands may rely on earlier checks.
        for operand in node.operands:
            self.visit(operand, scope, guards)
            if isinstance(operand, Match) and operand.op in _GUARDS:
                guards = guards | {operand.selector.path}

    def resolve(
        self, selector: Selector, scope: tuple[_Bound, ...], guards: frozenset[tuple[str, ...]]
    ) -> Type | None:
        """The type a selector reaches, reporting what is wrong on the way."""
        path = selector.path
        bound = next((b for b in reversed(scope) if b.name == path[0]), None)
        if bound is not None:
            if bound.plain and len(path) > 1:
                self.report(
                    "binding-no-fields",
                    f"{bound.name!r} is {bound.what} ({bound.type.kind}); it has no fields",
                    selector,
                )
                return None
            current = bound.type
        else:
            top = self.field(self.root, path[0], selector, scope, top=True)
            if top is None:
                return None
            current = top
        # A missing top-level key is reported as `optional` already.
        may_be_missing = False
        for depth, part in enumerate(path[1:], start=1):
            prefix = path[:depth]
            if may_be_missing:
                self.report(
                    "may-be-missing",
                    f"{'.'.join(prefix)} may be missing, and looking up {part!r} in a missing"
                    " key is an error",
                    selector,
                    "warning",
                )
            may_be_missing = False
            if current.nullable and current.kind != "null" and prefix not in guards:
                self.report(
                    "nullable",
                    f"{'.'.join(prefix)} may be null, and looking up {part!r} in null is an error",
                    selector,
                    "warning",
                    f"check it first: {'.'.join(prefix)} is not nil and ...",
                )
            if current.kind == "any":
                return ANY
            if current.kind == "object":
                found = self.field(current, part, selector, scope, top=False)
                if found is None:
                    return None
                current = found
                may_be_missing = found.optional
            elif current.kind == "map":
                current = current.items or ANY
                may_be_missing = True  # any key may be absent from a map
            elif current.kind == "array":
                try:
                    parse_int(part or "0")
                except ConversionError:
                    self.report(
                        "not-an-index",
                        f"{'.'.join(prefix)} is a list: {part!r} is not an index",
                        selector,
                    )
                    return None
                self.report(
                    "index-range",
                    f"{'.'.join(prefix)}.{part}: an index past the end of the list is an error",
                    selector,
                    "warning",
                    f"any {'.'.join(prefix)} as x {{ ... }} looks at every element",
                )
                current = current.items or ANY
            else:
                self.report(
                    "cannot-index",
                    f"{'.'.join(prefix)} is {_a(current.describe())}; it has no {part!r}",
                    selector,
                )
                return None
        return current

    def field(
        self,
        parent: Type,
        name: str,
        selector: Selector,
        scope: tuple[_Bound, ...],
        top: bool,
    ) -> Type | None:
        if parent.kind == "any":
            return ANY
        if parent.kind == "map":
            return parent.items or ANY
        found = parent.fields.get(name)
        if found is None:
            candidates = list(parent.fields)
            if top:
                candidates += [b.name for b in scope]
            self.report(
                "unknown-selector",
                f"unknown selector {name!r}",
                selector,
                hint=_suggest(name, candidates),
            )
            return None
        if top and found.optional:
            self.report(
                "optional",
                f"{name!r} may be missing from a record, and a missing top-level key is an error",
                selector,
                "warning",
            )
        return found

    def visit_match(
        self, node: Match, scope: tuple[_Bound, ...], guards: frozenset[tuple[str, ...]]
    ) -> None:
        found = self.resolve(node.selector, scope, guards)
        op, name = node.op, str(node.selector)
        check_value = _VALUE_CHECKS.get(op.positive)
        if found is None or found.kind == "any":
            # The type is unknown: check only what needs none (a pattern).
            if check_value is not None:
                check_value(self, node, ANY)
            return
        if found.kind not in op.applies_to:
            self.report(
                "operator-type",
                f"'{op.value}' cannot apply to {name}, {_a(found.describe())}",
                node,
                hint=self.operators_hint(found),
            )
            return
        if found.nullable and "null" not in op.applies_to and node.selector.path not in guards:
            self.report(
                "nullable",
                f"{name} may be null, and '{op.value}' on null is an error",
                node,
                "warning",
                f"check it first: {name} is not nil and ...",
            )
        if check_value is not None:
            check_value(self, node, found)

    def convertible(self, node: Match, found: Type) -> None:
        """``==``: the value must convert to the field's type, and be one of its values."""
        assert node.value is not None
        raw = node.value.raw
        parse = {"integer": parse_int, "number": parse_float, "boolean": parse_bool}.get(found.kind)
        if parse is not None:
            try:
                parse(raw)
            except ConversionError:
                assert node.value is not None
                self.report(
                    "invalid-value",
                    f"{raw!r} cannot be read as {'an' if found.kind == 'integer' else 'a'} "
                    f"{found.kind}, the type of {node.selector}",
                    node.value,
                )
                return
        if found.enum and raw not in {
            str(v).lower() if isinstance(v, bool) else str(v) for v in found.enum
        }:
            assert node.value is not None
            choices = [str(v) for v in found.enum]
            self.report(
                "never-matches",
                f"{raw!r} is not one of the values of {node.selector}: {', '.join(choices)}",
                node.value,
                "warning",
                _suggest(raw, choices),
            )

    def element(self, node: Match, found: Type) -> None:
        """``in`` over a list: the value must be able to equal an element."""
        if found.kind != "array":
            return
        item = found.items or ANY
        assert node.value is not None
        raw = node.value.raw
        if item.kind in ("object", "map", "array", "null"):
            self.report(
                "operator-type",
                f"'{node.op.value}' cannot look through {node.selector}, a list of {item.kind}s",
                node,
            )
            return
        if item.nullable:
            self.report(
                "nullable",
                f"{node.selector} may hold null elements, which make '{node.op.value}' an error",
                node,
                "warning",
            )
        readable = {
            "integer": lambda: raw == str(int(raw)) if raw.lstrip("-").isdigit() else False,
            "number": lambda: _parses(parse_float, raw),
            "boolean": lambda: _parses(parse_bool, raw),
        }.get(item.kind)
        if readable is not None and not readable():
            assert node.value is not None
            self.report(
                "never-matches",
                f"{raw!r} can never equal an element of {node.selector}, a list of {item.kind}s",
                node.value,
                "warning",
            )

    def pattern(self, node: Match, found: Type) -> None:
        """``matches``: the pattern must be valid RE2."""
        assert node.value is not None
        try:
            re2.translate(node.value.raw)
        except re2.RE2SyntaxError as err:
            self.report("invalid-regex", f"invalid regular expression: {err}", node.value)

    @staticmethod
    def operators_hint(found: Type) -> str:
        usable = [
            ", ".join(text for op in (row.op, row.negation) for _, text in op.spellings)
            for row in OPERATORS
            if found.kind in row.applies_to
        ]
        return f"for {_a(found.kind)} use: {'; '.join(usable)}" if usable else ""

    def visit_collection(
        self, node: Collection, scope: tuple[_Bound, ...], guards: frozenset[tuple[str, ...]]
    ) -> None:
        found = self.resolve(node.selector, scope, guards)
        binding = node.binding
        if binding.mode is BindingMode.INDEX_VALUE and binding.index == binding.value:
            self.report(
                "duplicate-binding",
                f"{binding.index!r} cannot name both the index and the value",
                node.selector,
            )
        for name in binding.names:
            if name in self.root.fields and not any(b.name == name for b in scope):
                self.report(
                    "binding-shadows",
                    f"{name!r} hides the top-level field of the same name inside the braces",
                    node.selector,
                    "warning",
                )
        kind = found.kind if found is not None else "any"
        if found is not None and kind not in ("array", "map", "any"):
            self.report(
                "not-a-collection",
                f"{node.op.value} needs a list or a map; {node.selector} is {_a(found.describe())}",
                node.selector,
            )
            kind = "any"
        if (
            found is not None
            and found.nullable
            and kind != "any"
            and node.selector.path not in guards
        ):
            self.report(
                "nullable",
                f"{node.selector} may be null, and {node.op.value} over null is an error",
                node.selector,
                "warning",
            )
        items = (found.items if found is not None else None) or ANY
        key = Type("string") if kind == "map" else Type("integer") if kind == "array" else ANY
        bound: list[_Bound] = []
        if binding.mode is BindingMode.DEFAULT:
            # `as v`: the element of a list, the key of a map.
            is_key = kind == "map"
            bound.append(_Bound(str(binding.value), key if is_key else items, is_key))
        else:
            if binding.index is not None:
                bound.append(_Bound(binding.index, key, kind != "any"))
            if binding.value is not None:
                bound.append(_Bound(binding.value, items, False))
        self.visit(node.body, scope + tuple(bound), guards)


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _parses(parse: Any, raw: str) -> bool:
    try:
        parse(raw)
    except ConversionError:
        return False
    return True


def check(
    expression: str, schema: Any = None, **options: Unpack[CompileOptions]
) -> list[Diagnostic]:
    """Every problem found in ``expression``, as diagnostics, without raising.

    ``schema`` describes the records (see :func:`bexpr.schema_of`); without
    one, what needs no schema is checked: syntax, limits, patterns that are
    not RE2 and duplicate bindings (the reference accepts such a filter and
    fails on every record that reaches the bad part). ``options`` are those
    of :func:`bexpr.compile`: its limits, how fields are named (``tag_name``,
    ``aliases``) and its ``variables``.

    >>> import dataclasses, bexpr
    >>> @dataclasses.dataclass
    ... class Job:
    ...     Name: str
    ...     Port: int
    >>> [d.code for d in bexpr.check("Nmae == web and Port == abc and Port matches x", Job)]
    ['unknown-selector', 'invalid-value', 'operator-type']
    >>> bexpr.check("Nmae == web", Job)[0].hint
    "did you mean 'Name'?"
    >>> [d.code for d in bexpr.check('Name matches "^web-(?=1)"')]
    ['invalid-regex']
    """
    opts = options_from(options)
    try:
        tree = parse(expression, opts.limits)
    except ParseError as err:
        return [err.diagnostic()]
    try:
        root = (
            ANY
            if schema is None
            else schema_of(schema, tag_name=opts.tag_name, aliases=opts.aliases)
        )
    except Exception as err:
        raise BexprError(f"not a schema bexpr can read: {err}") from err
    checker = _Checker(root)
    try:
        checker.visit(tree, _variables(root, opts.variables), frozenset())
    except RecursionError:
        # Only reachable with max_depth raised far above its default.
        checker.found.append(
            Diagnostic("limit", "expression nested too deeply to check", 0, len(expression))
        )
    return sorted(checker.found, key=lambda d: (d.start, d.end))


# What each operator asks of its value, beyond applying to the field's kind.
_VALUE_CHECKS = {
    MatchOp.EQUAL: _Checker.convertible,
    MatchOp.IN: _Checker.element,
    MatchOp.MATCHES: _Checker.pattern,
}
