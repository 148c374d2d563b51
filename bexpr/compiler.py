"""Lower a syntax tree to Python closures.

Everything that does not depend on the data is done here, once: the value's
text is converted for every type it may meet (:func:`bexpr.coercion.convert`),
regular expressions are compiled, selector paths become specialised accessor
functions (:mod:`bexpr.lookup`), ``not`` over a match folds into the match.
The result is a predicate ``f(datum) -> bool``.

Closures outside any collection expression take the datum only. Inside a
collection body they also take the *scope*: the names the enclosing ``any`` /
``all`` bound, resolved the way the reference resolves them (see
:func:`_resolve`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

from bexpr import re2
from bexpr.ast import And, BindingMode, Collection, CollectionOp, Match, MatchOp, Node, Not, Or
from bexpr.coercion import INT64_MAX, INT64_MIN, ConversionError, Converted, convert
from bexpr.errors import EvaluationError
from bexpr.fastpath import fused_match, literal_search
from bexpr.lookup import ABSENT, accessor, kind_name, pointer_text, walk
from bexpr.options import Options

__all__ = ["Predicate", "compile_tree"]

Predicate = Callable[[Any], bool]
Test = Callable[[Any], bool]
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

_CANONICAL_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")


def _raise_conversion(error: ConversionError, selector: str) -> bool:
    raise EvaluationError(
        f"cannot convert {error.text!r} to the type of the data ({error})", selector
    )


def _equal_test(conv: Converted, selector: str) -> Test:
    """``selector == value`` on a looked-up value (not ABSENT)."""
    raw = conv.raw
    as_int, as_float, as_bool = conv.as_int, conv.as_float, conv.as_bool

    def test(value: Any) -> bool:
        if type(value) is str:  # the common case first
            return bool(value == raw)
        if isinstance(value, bool):
            if isinstance(as_bool, ConversionError):
                return _raise_conversion(as_bool, selector)
            return value is as_bool
        if isinstance(value, int):
            if INT64_MIN <= value <= INT64_MAX:
                if isinstance(as_int, ConversionError):
                    return _raise_conversion(as_int, selector)
                return int(value) == as_int
            try:
                value = float(value)
            except OverflowError:
                raise EvaluationError(f"the number {value} is too large", selector) from None
        if isinstance(value, float):
            if isinstance(as_float, ConversionError):
                return _raise_conversion(as_float, selector)
            return float(value) == as_float
        if isinstance(value, str):
            return str(value) == raw
        raise EvaluationError(f"cannot compare a {kind_name(value)} with {raw!r}", selector)

    return test


def _element_test(conv: Converted, selector: str) -> Test:
    """Whether a list element equals the value, for ``in``/``contains``.

    The reference decodes JSON numbers as text, so a number in a list matches
    a value spelled the way JSON spells it; a value that cannot be read as the
    element's type is skipped (docs/compatibility.md).
    """
    raw = conv.raw
    as_bool = None if isinstance(conv.as_bool, ConversionError) else conv.as_bool
    as_float = None if isinstance(conv.as_float, ConversionError) else conv.as_float
    as_int = int(raw) if _CANONICAL_INT.match(raw) and raw != "-0" else None

    def test(element: Any) -> bool:
        if isinstance(element, str):
            return str(element) == raw
        if isinstance(element, bool):
            return as_bool is not None and element is as_bool
        if isinstance(element, int):
            return as_int is not None and int(element) == as_int
        if isinstance(element, float):
            return as_float is not None and float(element) == as_float
        raise EvaluationError(
            f"cannot look for {raw!r} in a list holding a {kind_name(element)}", selector
        )

    return test


def _contains_test(conv: Converted, selector: str) -> Test:
    raw = conv.raw
    element_test = _element_test(conv, selector)

    def test(value: Any) -> bool:
        if isinstance(value, str):
            return raw in value
        if isinstance(value, Mapping):
            return raw in value
        if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
            return any(element_test(element) for element in value)
        raise EvaluationError(f"cannot look for {raw!r} in a {kind_name(value)}", selector)

    return test


def _empty_test(selector: str) -> Test:
    def test(value: Any) -> bool:
        if isinstance(value, str | Mapping) or (
            isinstance(value, list | tuple) and not hasattr(value, "_fields")
        ):
            return len(value) == 0
        raise EvaluationError(f"cannot test whether a {kind_name(value)} is empty", selector)

    return test


def _nil_test(selector: str) -> Test:
    def test(value: Any) -> bool:
        if value is None:
            return True
        if isinstance(value, bool | int | float | str):
            raise EvaluationError(f"cannot test whether a {kind_name(value)} is nil", selector)
        return False

    return test


@functools.lru_cache(maxsize=512)
def _searcher(raw: str, selector: str, timeout: float | None) -> Callable[[str], bool]:
    """Compile a ``matches`` pattern to ``search(text) -> bool``; raises
    :class:`bexpr.re2.RE2SyntaxError` for a pattern RE2 rejects."""
    literal = literal_search(raw, translated=False) or literal_search(re2.translate(raw))
    if literal is not None:
        return literal
    pattern_search = re2.compile(raw).search

    def search(text: str) -> bool:
        try:
            return pattern_search(text, timeout=timeout) is not None
        except TimeoutError:
            raise EvaluationError(
                f"matching {raw!r} took longer than regex_timeout={timeout}s", selector
            ) from None

    return search


def _matches_test(conv: Converted, selector: str, timeout: float | None) -> Test:
    raw = conv.raw
    try:
        search = _searcher(raw, selector, timeout)
        problem = None
    except re2.RE2SyntaxError as err:
        problem = f"invalid regular expression {raw!r}: {err}"

    def test(value: Any) -> bool:
        if not isinstance(value, str):
            raise EvaluationError(f"cannot match a {kind_name(value)} against {raw!r}", selector)
        if problem is not None:
            # Reported only when reached, as in the reference: an unreached
            # clause with a bad pattern is not an error.
            raise EvaluationError(problem, selector)
        return search(str(value))

    return test


def _operator_test(node: Match, selector: str, options: Options) -> Test:
    op = node.op
    conv = convert(node.value.raw) if node.value is not None else convert("")
    if op in (MatchOp.EQUAL, MatchOp.NOT_EQUAL):
        return _equal_test(conv, selector)
    if op in (MatchOp.IN, MatchOp.NOT_IN):
        return _contains_test(conv, selector)
    if op in (MatchOp.IS_EMPTY, MatchOp.IS_NOT_EMPTY):
        return _empty_test(selector)
    if op in (MatchOp.MATCHES, MatchOp.NOT_MATCHES):
        return _matches_test(conv, selector, options.regex_timeout)
    return _nil_test(selector)


_NEGATIVE = frozenset(
    {
        MatchOp.NOT_EQUAL,
        MatchOp.NOT_IN,
        MatchOp.IS_NOT_EMPTY,
        MatchOp.NOT_MATCHES,
        MatchOp.IS_NOT_NIL,
    }
)


def _match_on_value(node: Match, negate: bool, selector: str, options: Options) -> Test:
    """The match as a function of the looked-up value (or ABSENT)."""
    test = _operator_test(node, selector, options)
    flip = (node.op in _NEGATIVE) != negate
    missing = node.op.when_missing != negate

    if flip:

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
                    f"{name!r} is a {kind_name(data)} (an index or a key), so it has no "
                    f"{pointer_text(path[1:])[1:]!r}"
                )
            return VALUE, data, ()
        if kind == ELEMENT:
            return ELEMENT, data, path[1:]
        path = data + path[1:]
    return PATH, None, path


class _Compiler:
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

    def match(self, node: Match, negate: bool, names: frozenset[str]) -> Any:
        selector = str(node.selector)
        path = node.selector.path
        if path[0] in names:
            on_value = _match_on_value(node, negate, selector, options=self.options)
            get_scoped = self.scoped_getter(path, selector)

            def scoped(root: Any, scope: Scope) -> bool:
                return on_value(get_scoped(root, scope))

            fast = self.fused(node, negate, selector, _slow, nested=True)
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
            on_value = _match_on_value(node, negate, selector, options=options)
            get = accessor(path, options, selector)

            def general(root: Any) -> bool:
                return on_value(get(root))

            return general

        fused_path = self.fused(node, negate, selector, _Deferred(build))
        predicate: Predicate = fused_path or build()
        if not names:
            return predicate

        def unscoped(root: Any, scope: Scope) -> bool:
            return predicate(root)

        return unscoped

    def fused(
        self, node: Match, negate: bool, selector: str, slow: Predicate, nested: bool = False
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
        if node.op in (MatchOp.MATCHES, MatchOp.NOT_MATCHES):
            try:
                search = _searcher(conv.raw, selector, options.regex_timeout)
            except re2.RE2SyntaxError:
                return None
        missing = node.op.when_missing != negate
        path = node.selector.path[1:] if nested else node.selector.path
        return fused_match(node.op, path, conv, negate, missing, search, slow, nested)

    def node(self, node: Node, names: frozenset[str], negate: bool = False) -> Any:
        """Compile ``node``; with ``names`` (bound names in scope) the result
        takes ``(root, scope)``, otherwise ``(root)``."""
        if isinstance(node, Not):
            # `not` over a match folds into it; elsewhere it wraps.
            return self.node(node.operand, names, not negate)
        if isinstance(node, Match):
            return self.match(node, negate, names)
        if isinstance(node, And | Or):
            return self.junction(node, names, negate)
        inner = self.collection(node, names)
        if not negate:
            return inner
        if names:
            return lambda root, scope: not inner(root, scope)
        return lambda root: not inner(root)

    def junction(self, node: And | Or, names: frozenset[str], negate: bool) -> Any:
        parts = tuple(self.node(op, names) for op in node.operands)
        is_and = isinstance(node, And)
        if names:
            if is_and:

                def conj(root: Any, scope: Scope) -> bool:
                    return all(p(root, scope) for p in parts)

                inner: Any = conj
            else:

                def disj(root: Any, scope: Scope) -> bool:
                    return any(p(root, scope) for p in parts)

                inner = disj
            if negate:
                return lambda root, scope: not inner(root, scope)
            return inner
        if len(parts) == 2:
            first: Predicate = parts[0]
            second: Predicate = parts[1]
            if is_and:

                def and2(root: Any) -> bool:
                    return first(root) and second(root)

                inner = and2
            else:

                def or2(root: Any) -> bool:
                    return first(root) or second(root)

                inner = or2
        elif is_and:

            def and_n(root: Any) -> bool:
                # A loop, not all(): no generator object per call.
                for p in parts:  # noqa: SIM110
                    if not p(root):
                        return False
                return True

            inner = and_n
        else:

            def or_n(root: Any) -> bool:
                for p in parts:  # noqa: SIM110
                    if p(root):
                        return True
                return False

            inner = or_n
        if negate:
            return lambda root: not inner(root)
        return inner

    def element_test(self, node: Collection, direct: bool) -> Callable[[Any], Any] | None:
        """For a list bound `as v` (or `as _, v`) whose body is one match on
        `v`: the fused test on an element, or None."""
        if not direct or node.binding.mode not in (BindingMode.DEFAULT, BindingMode.VALUE):
            return None
        found = _element_body(node)
        if found is None:
            return None
        match, negate = found
        return self.fused(match, negate, str(match.selector), _slow, nested=True)

    def collection(self, node: Collection, names: frozenset[str]) -> Any:
        binding = node.binding
        body: ScopedPredicate = self.node(node.body, names | set(binding.names))
        path = node.selector.path
        selector = str(node.selector)
        text = node.selector.text
        is_all = node.op is CollectionOp.ALL
        mode = binding.mode
        both_same = mode is BindingMode.INDEX_VALUE and binding.index == binding.value
        index_name, value_name = str(binding.index), str(binding.value)
        options = self.options
        # Elements can be bound directly unless something could make looking
        # them up again from the root give another value (see Local).
        direct = options.hook is None and options.resolver is None and not options.has_unknown
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
            elif isinstance(value, list | tuple) and not hasattr(value, "_fields"):
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


def _element_body(node: Collection) -> tuple[Match, bool] | None:
    """The body as (match, negated) when it is one match on the bound element."""
    body, negate = node.body, False
    while isinstance(body, Not):
        body, negate = body.operand, not negate
    name = node.binding.value
    if isinstance(body, Match) and name is not None and body.selector.path[0] == name:
        return body, negate
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


def compile_tree(tree: Node, options: Options) -> Predicate:
    """Compile a syntax tree into a predicate over one datum."""
    predicate: Predicate = _Compiler(options).node(tree, frozenset())
    return predicate
