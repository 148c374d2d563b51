"""Lower a syntax tree to Python closures.

Everything that does not depend on the data is done here, once: the value's
text is converted for every type it may meet (:func:`bexpr.go.strconv.convert`),
regular expressions are compiled (:mod:`bexpr.evaluation.operations`), selector
paths become specialised accessor functions (:mod:`bexpr.data.lookup`), and
``not`` over a match folds into the match. Matches over plain dicts get a
fused fast path (:mod:`bexpr.evaluation.fastpath`). The result is a predicate
``f(datum) -> bool``.

Closures outside any collection expression take the datum only. Inside a
collection body they also take the *scope*: the names the enclosing ``any`` /
``all`` bound, resolved the way the reference resolves them (see
:func:`_resolve`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from bexpr.data.kinds import a_kind, is_sequence, plain
from bexpr.data.lookup import ABSENT, accessor, path_text, walk
from bexpr.errors import EvaluationError
from bexpr.evaluation.fastpath import fused_match
from bexpr.evaluation.operations import OPERATIONS, Test, searcher
from bexpr.go import re2
from bexpr.go.strconv import convert
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

__all__ = ["Predicate", "compile_tree"]

Predicate = Callable[[Any], bool]
# A bound name: (name, kind, data). VALUE: data is a list index or map key.
# PATH: data is the path the reference binds (selector path + index or key),
# looked up again from the root at each use, which is what the reference
# does. ELEMENT: data is the element itself; it is used when no hook,
# resolver or unknown value can make the two differ, and saves the walk.
Local = tuple[str, int, Any]
VALUE, PATH, ELEMENT = 0, 1, 2
# The scope inside collection bodies: the evaluation's step budget (a
# one-item list, shared by nested collections), then the bound names.
Scope = tuple[Any, ...]
_SLOW: Any = object()
ScopedPredicate = Callable[[Any, Scope], bool]


def _match_on_value(node: Match, selector: str, options: Options) -> Test:
    """The match as a function of the looked-up value (or ABSENT)."""
    op = node.op
    conv = convert(node.value.raw if node.value is not None else "")
    test = OPERATIONS[op.positive](conv, selector, options.regex_timeout)
    missing = op.when_missing

    if op.negative:

        def on_value(value: Any) -> bool:
            if value is ABSENT:
                return missing
            return not test(value)

    else:

        def on_value(value: Any) -> bool:
            if value is ABSENT:
                return missing
            return test(value)

    return on_value


def _negated(node: Match) -> Match:
    """``not`` over a match, folded into it: ``not a == 1`` is ``a != 1``.

    The two agree on every datum, errors and missing keys included (see
    :attr:`bexpr.syntax.operators.MatchOp.negation`).
    """
    return dataclasses.replace(node, op=node.op.negation)


def _resolve(path: tuple[str, ...], scope: Scope) -> tuple[int, Any, tuple[str, ...]]:
    """Resolve bound names in ``path`` as the reference's getValue does.

    Returns (kind, base, rest): VALUE with the bound value as ``base``;
    ELEMENT with an element as ``base`` and ``rest`` to walk from it; or
    PATH with ``rest`` the full path to walk from the root.
    """
    for i in range(len(scope) - 1, 0, -1):
        name, kind, data = scope[i]
        if path[0] != name:
            continue
        if kind == VALUE:
            if len(path) > 1:
                raise EvaluationError(
                    f"{name!r} stands for {a_kind(data)}, so {path_text(path)} is invalid"
                )
            return VALUE, data, ()
        if kind == ELEMENT:
            return ELEMENT, data, path[1:]
        path = data + path[1:]
    return PATH, None, path


class _Compiler(Visitor[Any]):
    """Compiles a node to a closure. With ``names`` (the names bound by the
    enclosing collections) the closure takes ``(root, scope)``, otherwise
    ``(root)``."""

    def __init__(self, options: Options) -> None:
        self.options = options

    def scoped_getter(self, path: tuple[str, ...], selector: str) -> Callable[[Any, Scope], Any]:
        options = self.options

        def get(root: Any, scope: Scope) -> Any:
            kind, base, rest = _resolve(path, scope)
            if kind == VALUE:
                return base
            if kind == ELEMENT:
                return walk(base, rest, options, selector, nested=True) if rest else base
            return walk(root, rest, options, selector)

        return get

    def visit_match(self, node: Match, names: frozenset[str]) -> Any:
        selector = str(node.selector)
        path = node.selector.path
        if path[0] in names:
            on_value = _match_on_value(node, selector, self.options)
            get_scoped = self.scoped_getter(path, selector)

            def scoped(root: Any, scope: Scope) -> bool:
                return on_value(get_scoped(root, scope))

            fast = self.fused(node, selector, _slow, nested=True)
            if fast is None:
                return scoped
            name = path[0]

            def scoped_fast(root: Any, scope: Scope) -> bool:
                # The common case: the selector starts with the innermost
                # binding, an element, and the fused test decides on it.
                local = scope[-1]
                if local[0] == name and local[1] == ELEMENT:
                    result = fast(local[2])
                    if result is not _SLOW:
                        return result
                return scoped(root, scope)

            return scoped_fast
        options = self.options

        def build() -> Predicate:
            on_value = _match_on_value(node, selector, options)
            get = accessor(path, options, selector)

            def general(root: Any) -> bool:
                return on_value(get(root))

            return general

        fused_path = self.fused(node, selector, _Deferred(build))
        predicate: Predicate = fused_path or build()
        if not names:
            return predicate

        def unscoped(root: Any, scope: Scope) -> bool:
            return predicate(root)

        return unscoped

    def fused(
        self, node: Match, selector: str, slow: Predicate, nested: bool = False
    ) -> Predicate | None:
        """The single-closure fast path for this match, if it has one.

        ``nested``: the path starts with a bound element, which is not part
        of the path handed to the fast path.
        """
        options = self.options
        if options.hook is not None or options.resolver is not None or options.has_unknown:
            return None  # these change what a lookup finds: only the general path knows
        conv = convert(node.value.raw if node.value is not None else "")
        search = None
        if node.op.positive is MatchOp.MATCHES:
            try:
                search = searcher(conv.raw, selector, options.regex_timeout)
            except re2.RE2SyntaxError:
                return None
        path = node.selector.path[1:] if nested else node.selector.path
        return fused_match(node.op, path, conv, search, slow, nested)

    def visit_not(self, node: Not, names: frozenset[str]) -> Any:
        operand = node.operand
        if isinstance(operand, Match):
            return self.visit_match(_negated(operand), names)
        if isinstance(operand, Not):  # `not not X` is X
            return self.visit(operand.operand, names)
        inner = self.visit(operand, names)
        if names:
            return lambda root, scope: not inner(root, scope)
        return lambda root: not inner(root)

    def visit_and(self, node: And, names: frozenset[str]) -> Any:
        return self.junction(node, names)

    def visit_or(self, node: Or, names: frozenset[str]) -> Any:
        return self.junction(node, names)

    def junction(self, node: And | Or, names: frozenset[str]) -> Any:
        parts = tuple(self.visit(op, names) for op in node.operands)
        is_and = isinstance(node, And)
        if names:
            if is_and:

                def conj(root: Any, scope: Scope) -> bool:
                    return all(p(root, scope) for p in parts)

                return conj

            def disj(root: Any, scope: Scope) -> bool:
                return any(p(root, scope) for p in parts)

            return disj
        if len(parts) == 2:
            first: Predicate = parts[0]
            second: Predicate = parts[1]
            if is_and:

                def and2(root: Any) -> bool:
                    return first(root) and second(root)

                return and2

            def or2(root: Any) -> bool:
                return first(root) or second(root)

            return or2
        if is_and:

            def and_n(root: Any) -> bool:
                # A loop, not all(): no generator object per call.
                for p in parts:  # noqa: SIM110
                    if not p(root):
                        return False
                return True

            return and_n

        def or_n(root: Any) -> bool:
            for p in parts:  # noqa: SIM110
                if p(root):
                    return True
            return False

        return or_n

    def element_test(self, node: Collection, direct: bool) -> Callable[[Any], Any] | None:
        """For a list bound `as v` (or `as _, v`) whose body is one match on
        `v`: the fused test on an element, or None."""
        if not direct or node.binding.mode not in (BindingMode.DEFAULT, BindingMode.VALUE):
            return None
        match = _element_body(node)
        if match is None:
            return None
        return self.fused(match, str(match.selector), _slow, nested=True)

    def visit_collection(self, node: Collection, names: frozenset[str]) -> Any:
        binding = node.binding
        body: ScopedPredicate = self.visit(node.body, names | set(binding.names))
        path = node.selector.path
        selector = str(node.selector)
        text = node.selector.text
        is_all = node.op is CollectionOp.ALL
        mode = binding.mode
        both_same = mode is BindingMode.INDEX_VALUE and binding.index == binding.value
        index_name, value_name = str(binding.index), str(binding.value)
        options = self.options
        # Elements can be bound directly unless something could make looking
        # them up again from the root give another value (see Local): a hook,
        # a resolver, an unknown value, or an index named like the selector's
        # first name (`all tags as tags, v {...}`), which the reference's
        # lookup of v's path (tags.0) then finds instead of the list.
        direct = (
            options.hook is None
            and options.resolver is None
            and not options.has_unknown
            and binding.index != path[0]
        )
        if path[0] in names:
            get_scoped = self.scoped_getter(path, selector)
        else:
            get = accessor(path, options, selector)

            def get_scoped(root: Any, scope: Scope) -> Any:
                return get(root)

        max_steps = options.max_steps

        # The common body, `any L as x { x.f == v }`, also gets the fused
        # test on the element, tried before building a scope for the body.
        element_test = self.element_test(node, direct)

        def bound_value(position: Any, element: Any) -> Local:
            if direct:
                return (value_name, ELEMENT, element)
            return (value_name, PATH, (*path, str(position)))

        def run(root: Any, scope: Scope) -> bool:
            budget = scope[0]
            value = get_scoped(root, scope)
            if value is ABSENT:
                return is_all
            value = plain(value)
            if element_test is not None and type(value) is list:
                for element in value:
                    budget[0] -= 1
                    if budget[0] < 0:
                        break  # the general loop below reports it
                    result = element_test(element)
                    if result is _SLOW:
                        result = body(root, (*scope, (value_name, ELEMENT, element)))
                    if result:
                        if not is_all:
                            return True
                    elif is_all:
                        return False
                else:
                    return is_all
            if isinstance(value, Mapping):
                items: Any = value.items()
                is_map = True
            elif is_sequence(value):
                items = enumerate(value)
                is_map = False
            else:
                raise EvaluationError(f"{text} is not a list or a map", selector)
            for key, element in items:
                budget[0] -= 1
                if budget[0] < 0:
                    raise EvaluationError(
                        f"collection expressions visited more than max_steps={max_steps} "
                        "elements for one record",
                        selector,
                    )
                if both_same:
                    raise EvaluationError(
                        f"{index_name!r} cannot name both the index and the value", selector
                    )
                if is_map and not isinstance(key, str):
                    raise EvaluationError(
                        f"{node.op.value} can only iterate over maps whose keys are strings",
                        selector,
                    )
                if mode is BindingMode.DEFAULT:
                    # `as v`: the element of a list, the key of a map.
                    if is_map:
                        bound: Scope = ((value_name, VALUE, key),)
                    else:
                        bound = (bound_value(key, element),)
                elif mode is BindingMode.VALUE:
                    bound = (bound_value(key, element),)
                elif mode is BindingMode.INDEX:
                    bound = ((index_name, VALUE, key),)
                else:
                    bound = ((index_name, VALUE, key), bound_value(key, element))
                if body(root, scope + bound):
                    if not is_all:
                        return True
                elif is_all:
                    return False
            return is_all

        if names:
            return run
        return lambda root: run(root, ([max_steps],))


def _element_body(node: Collection) -> Match | None:
    """The body when it is one match on the bound element (with any ``not``
    over it folded in)."""
    body, negate = node.body, False
    while isinstance(body, Not):
        body, negate = body.operand, not negate
    name = node.binding.value
    if isinstance(body, Match) and name is not None and body.selector.path[0] == name:
        return _negated(body) if negate else body
    return None


class _Deferred:
    """The general path behind a fused one, built when first needed.

    Most records never leave the fast path, so most compiled expressions
    never build their general paths: that halves what a compiled expression
    holds. Two threads may both build it at once; both results are the same
    closure, so either may win.
    """

    __slots__ = ("_build", "_predicate")

    def __init__(self, build: Callable[[], Predicate]) -> None:
        self._build = build
        self._predicate: Predicate | None = None

    def __call__(self, root: Any) -> bool:
        predicate = self._predicate
        if predicate is None:
            predicate = self._predicate = self._build()
        return predicate(root)


def _slow(_element: Any) -> Any:
    return _SLOW


def _variables(options: Options) -> tuple[Local, ...]:
    """The ``variables`` option as bound names, outermost first."""
    return tuple(
        (name, PATH, value.keys) if isinstance(value, Path) else (name, VALUE, value)
        for name, value in options.variables
    )


def compile_tree(tree: Node, options: Options) -> Predicate:
    """Compile a syntax tree into a predicate over one datum."""
    variables = _variables(options)
    if not variables:
        predicate: Predicate = _Compiler(options).visit(tree, frozenset())
        return predicate
    # The variables are names bound around the whole expression, like an
    # enclosing collection's, before any that a collection binds.
    scoped: ScopedPredicate = _Compiler(options).visit(
        tree, frozenset(name for name, _, _ in variables)
    )
    max_steps = options.max_steps

    def with_variables(root: Any) -> bool:
        return scoped(root, ([max_steps], *variables))

    return with_variables
