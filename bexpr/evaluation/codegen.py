"""Generated predicates: a whole filter as the source of one Python function.

The compiled closures (:mod:`bexpr.evaluation.closures`) pay one Python call
per clause. This tier writes the whole tree — ``and``/``or``/``not``, every
operator, map keys, ``any``/``all`` loops — as the source of one function,
compiles it, and runs that instead. Each value is tested with exact type
guards (``type(v) is str``); anything off that fast path — another container
type, a value that does not convert, a case that would be an error — raises
:class:`Bail`, and the record starts over on the compiled closures, which
give the reference's answer or error. Evaluation is pure, so starting over
is exact.

**Safe by construction.** The source is made only of fixed templates and
names the generator makes up (``k0``, ``c3``, ``f1``...): no character of it
comes from the expression or the data. Every key, literal, converted value,
compiled pattern and helper is bound in the function's namespace. The tests
check every generated source against a whitelist of tokens, on hostile input.

**Cached by shape.** The source depends on the tree's shape, not its
values, so it is compiled once per shape (``compile()`` costs 100-200 µs);
a new filter of a known shape costs one ``exec`` of the cached code.

Three entry points are generated: ``p(record)``, the predicate; ``fl(records)``,
which filters a list in one loop with no call per record; and
``fd(mapping)``, the same for the values of a mapping.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any, Final, NoReturn

from bexpr.evaluation.operations import canonical_int, plain_pattern, searcher
from bexpr.go import re2
from bexpr.go.strconv import INT64_MAX, INT64_MIN, ConversionError, Converted, convert
from bexpr.options import Options
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
from bexpr.syntax.visitor import Visitor, count_nodes

__all__ = ["MAX_NODES", "Bail", "Generated", "generate"]

MAX_NODES: Final = 256
"""Larger trees keep the compiled closures: their source would be long to
compile, and nesting that deep can pass Python's own parser limits."""

FILENAME: Final = "<bexpr>"


class Bail(Exception):
    """Raised by generated code for anything off its fast path. A
    ``KeyError`` means the same (a key whose absence is an error), and so
    does a ``TypeError`` (``str.join`` of a list not only of strings)."""


def _bail() -> NoReturn:
    raise Bail


class _Sentinel:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_MISSING: Final = _Sentinel("MISSING")  # a key missing from a dict


# The names every generated namespace holds, besides the filter's own.
_HELPERS: Final[Mapping[str, Any]] = {
    "M": _MISSING,
    "BAIL": Bail,
    "bail": _bail,
    "JOIN": "".join,
    "LO": INT64_MIN,
    "HI": INT64_MAX,
}

_PREDICATE: Final = """\
def p(root):
    if type(root) is dict:
{budget}        try:
            return {test}
        except (BAIL, KeyError, TypeError):
            pass
    return slow(root)
"""

_LIST_FILTER: Final = """\
def fl(records):
    out = []
    append = out.append
    for root in records:
        if type(root) is dict:
{budget}            try:
                if {test}:
                    append(root)
                continue
            except (BAIL, KeyError, TypeError):
                pass
        if slow(root):
            append(root)
    return out
"""

_DICT_FILTER: Final = """\
def fd(records):
    out = {{}}
    for key, root in records.items():
        if type(root) is dict:
{budget}            try:
                if {test}:
                    out[key] = root
                continue
            except (BAIL, KeyError, TypeError):
                pass
        if slow(root):
            out[key] = root
    return out
"""


class _Unsupported(Exception):
    """The tree has something the generator leaves to the closures."""


# A name in scope: (the name in the expression, the generated variable, and
# "element" for an element of a list or map, "value" for an index or a key).
_Bound = tuple[str, str, str]


class _Generator(Visitor[str]):
    """Writes each node as a Python expression; collections as functions."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.namespace: dict[str, Any] = {}
        self.functions: list[str] = []
        self.numbers = itertools.count()

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(self.numbers)}"

    def bind(self, prefix: str, value: Any) -> str:
        """A new name for ``value`` in the namespace."""
        name = self.name(prefix)
        self.namespace[name] = value
        return name

    # -- selectors -------------------------------------------------------------
    def lookup(
        self, path: tuple[str, ...], scope: tuple[_Bound, ...], when_missing: bool
    ) -> tuple[str, str]:
        """The expression for a selector's value, and the one for its result
        when the last key is missing from a map (``bail()`` where a missing
        key is an error: at the top of the record)."""
        for name, variable, kind in reversed(scope):
            if name == path[0]:
                if kind == "value":
                    if len(path) > 1:
                        return "bail()", "bail()"  # an index or a key has no fields
                    return variable, "bail()"
                base, rest, nested = variable, path[1:], True
                break
        else:
            base, rest, nested = "root", path, False
        if not rest:
            return base, "bail()"
        current = f"({base} if type({base}) is dict else bail())" if nested else base
        # A key whose absence is an error (any but a nested path's last) is
        # read with [] (KeyError, like Bail, starts the record over); the
        # last key of a nested path is read with .get, since its absence is
        # the operator's missing-key result.
        for key in rest[:-1]:
            step = self.name("d")
            current = (
                f"({step} if type({step} := {current}[{self.bind('k', key)}]) is dict else bail())"
            )
        last = self.bind("k", rest[-1])
        if nested or len(rest) > 1:
            return f"{current}.get({last}, M)", str(when_missing)
        return f"{current}[{last}]", "bail()"

    # -- matches ---------------------------------------------------------------
    def visit_match(self, node: Match, scope: tuple[_Bound, ...]) -> str:
        positive = node.op.positive
        value, missing = self.lookup(node.selector.path, scope, positive.when_missing)
        # What a value that is no type the operator handles gives: the
        # missing-key result, or a bail (an error, or a case for the closures).
        if missing != "bail()":
            missing = f"({missing} if v is M else bail())"
        write = _OPERATORS.get(positive)
        if write is None:
            raise _Unsupported  # an operator with no template runs on the closures
        raw = node.value.raw if node.value is not None else ""
        test = write(self, convert(raw), value, missing, str(node.selector))
        return f"(not {test})" if node.op.negative else test

    def converted(self, conversion: int | float | bool | ConversionError) -> str | None:
        return None if isinstance(conversion, ConversionError) else self.bind("c", conversion)

    def equal(self, conv: Converted, value: str, missing: str, selector: str) -> str:
        # One branch per type the value converts to. The branches are
        # disjoint, so their order is free: the type the value's spelling
        # suggests (1 an int, true a bool) is tested first.
        branches = [(f"v == {self.bind('c', conv.raw)}", "t is str")]
        as_int = self.converted(conv.as_int)
        if as_int is not None:
            branches.append((f"v == {as_int}", "t is int and LO <= v <= HI"))
        as_float = self.converted(conv.as_float)
        if as_float is not None:
            branches.append((f"v == {as_float}", "t is float"))
        as_bool = self.converted(conv.as_bool)
        if as_bool is not None:
            branches.append((f"v is {as_bool}", "t is bool"))
        if canonical_int(conv.raw) is not None:
            branches.insert(0, branches.pop(1))
        elif as_bool is not None and conv.raw in ("true", "false"):
            branches.insert(0, branches.pop())
        result, condition = branches[0]
        rest = missing
        for later_result, later_condition in reversed(branches[1:]):
            rest = f"({later_result} if {later_condition} else {rest})"
        first = condition.replace("t is", "(t := type(v := " + value + ")) is", 1)
        return f"(({result}) if {first} else {rest})"

    def contains(self, conv: Converted, value: str, missing: str, selector: str) -> str:
        # A list of strings is searched in C; for a list holding anything
        # else str.join raises TypeError, and the record starts over.
        text = self.bind("c", conv.raw)
        return (
            f"(({text} in v if JOIN(v) is not None else False) if (t := type(v := {value}))"
            f" is list else (({text} in v) if t is str or t is dict else {missing}))"
        )

    def empty(self, conv: Converted, value: str, missing: str, selector: str) -> str:
        return (
            f"((not v) if (t := type(v := {value})) is str or t is dict or t is list"
            f" else {missing})"
        )

    def nil(self, conv: Converted, value: str, missing: str, selector: str) -> str:
        return (
            f"(True if (v := {value}) is None else (False if (t := type(v)) is dict or t is list"
            f" else {missing}))"
        )

    def matches(self, conv: Converted, value: str, missing: str, selector: str) -> str:
        try:
            found = plain_pattern(conv.raw)
            search = searcher(conv.raw, selector, self.options.regex_timeout)
        except re2.RE2SyntaxError:
            return "bail()"  # the closures report the invalid pattern
        if found is None:
            test = f"{self.bind('s', search)}(v)"
        else:
            kind, literal = found
            text = self.bind("c", literal)
            test = {
                "prefix": f"v.startswith({text})",
                "suffix": f"v.endswith({text})",
                "equal": f"v == {text}",
                "contains": f"{text} in v",
            }[kind]
        return f"({test} if type(v := {value}) is str else {missing})"

    # -- structure ---------------------------------------------------------------
    def visit_not(self, node: Not, scope: tuple[_Bound, ...]) -> str:
        operand = node.operand
        if isinstance(operand, Match):
            # `not` over a match is the match with the negated operator.
            return self.visit_match(
                Match(operand.op.negation, operand.selector, operand.value), scope
            )
        if isinstance(operand, Not):
            return self.visit(operand.operand, scope)
        return f"(not {self.visit(operand, scope)})"

    def visit_and(self, node: And, scope: tuple[_Bound, ...]) -> str:
        return "(" + " and ".join(self.visit(op, scope) for op in node.operands) + ")"

    def visit_or(self, node: Or, scope: tuple[_Bound, ...]) -> str:
        return "(" + " or ".join(self.visit(op, scope) for op in node.operands) + ")"

    def visit_collection(self, node: Collection, scope: tuple[_Bound, ...]) -> str:
        binding = node.binding
        path = node.selector.path
        if binding.index is not None and binding.index in (binding.value, path[0]):
            # `as x, x` is an error to report; an index named like the
            # selector changes how the reference resolves the element: both
            # are left to the closures.
            raise _Unsupported
        function = self.name("f")
        parameters = ", ".join(["root", "b", *(variable for _, variable, _ in scope)])
        value, missing = self.lookup(path, scope, node.op.when_missing)
        is_any = node.op is CollectionOp.ANY
        lines = [
            f"def {function}({parameters}):",
            f"    L = {value}",
            "    if L is M:",
            f"        return {missing}",
            "    T = type(L)",
        ]
        for container in ("list", "dict"):
            loop, key, bound = self.loop(binding, container)
            body = self.visit(node.body, scope + bound)
            lines += [
                f"    if T is {container}:",
                "        b[0] -= len(L)",
                "        if b[0] < 0:",
                "            bail()",
                f"        {loop}",
            ]
            if container == "dict":
                lines += [f"            if type({key}) is not str:", "                bail()"]
            if is_any:
                lines += [f"            if {body}:", "                return True"]
            else:
                lines += [f"            if not {body}:", "                return False"]
            lines.append(f"        return {not is_any}")
        lines.append("    bail()")
        self.functions.append("\n".join(lines) + "\n")
        return f"{function}({parameters})"

    def loop(self, binding: Any, container: str) -> tuple[str, str, tuple[_Bound, ...]]:
        """The ``for`` statement over ``L``, the variable of a map's keys,
        and the names it binds."""
        element, index = self.name("x"), self.name("i")
        mode = binding.mode
        if container == "list":
            if mode in (BindingMode.DEFAULT, BindingMode.VALUE):
                return f"for {element} in L:", index, ((str(binding.value), element, "element"),)
            if mode is BindingMode.INDEX:
                statement = f"for {index} in range(len(L)):"
                return statement, index, ((str(binding.index), index, "value"),)
            return (
                f"for {index}, {element} in enumerate(L):",
                index,
                (
                    (str(binding.index), index, "value"),
                    (str(binding.value), element, "element"),
                ),
            )
        # A map: `as k` and `as k, _` bind its keys, `as _, v` its values.
        if mode in (BindingMode.DEFAULT, BindingMode.INDEX):
            name = binding.value if mode is BindingMode.DEFAULT else binding.index
            return f"for {index} in L:", index, ((str(name), index, "value"),)
        bound: tuple[_Bound, ...] = ((str(binding.value), element, "element"),)
        if mode is BindingMode.INDEX_VALUE:
            bound = ((str(binding.index), index, "value"), *bound)
        return f"for {index}, {element} in L.items():", index, bound

    def templates(self, test: str) -> dict[str, str]:
        """The three entry points' sources, each around the filter's ``test``."""
        budget = "b = [MS]\n" if self.functions else ""
        return {
            "p": _PREDICATE.format(test=test, budget=_indent(budget, 8)),
            "fl": _LIST_FILTER.format(test=test, budget=_indent(budget, 12)),
            "fd": _DICT_FILTER.format(test=test, budget=_indent(budget, 12)),
        }


def _indent(text: str, width: int) -> str:
    return " " * width + text if text else ""


_OPERATORS: Final[dict[MatchOp, Callable[..., str]]] = {
    MatchOp.EQUAL: _Generator.equal,
    MatchOp.IN: _Generator.contains,
    MatchOp.MATCHES: _Generator.matches,
    MatchOp.IS_EMPTY: _Generator.empty,
    MatchOp.IS_NIL: _Generator.nil,
}
"""How each positive operator is written; a negated one is ``not`` of it."""


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> tuple[str, CodeType]:
    """Compile a generated source once per shape (the source holds no values).
    The source comes back too, so that filters of one shape share one copy."""
    return source, compile(source, FILENAME, "exec")


class Generated:
    """A filter's generated functions, each compiled when first used.

    ``compile()`` of a source costs 100-400 µs the first time its shape is
    seen, so a filter only ever used on lists does not pay for the others.
    """

    __slots__ = ("_entries", "_globals", "_helpers", "_templates", "namespace")

    def __init__(
        self,
        helpers: str,
        templates: dict[str, str],
        namespace: dict[str, Any],
        globals_: dict[str, Any],
    ) -> None:
        self._helpers = helpers
        self._templates = templates
        self.namespace: Mapping[str, Any] = namespace
        """The filter's own names in the source: keys, values, patterns."""
        self._globals = globals_
        self._entries: dict[str, Callable[..., Any]] = {}

    @property
    def source(self) -> str:
        """The Python source of all three functions; every name in it that
        the templates do not define is bound in :attr:`namespace`."""
        return "\n".join([self._helpers, *self._templates.values()]).lstrip("\n")

    def _entry(self, name: str) -> Callable[..., Any]:
        entry = self._entries.get(name)
        if entry is None:
            # Two threads may both compile it: both get the same function.
            try:
                _, code = _compiled(self._helpers + "\n" + self._templates[name])
            except (SyntaxError, RecursionError, MemoryError):
                # Nesting past Python's own parser limits: the closures do it.
                entry = _FALLBACKS[name](self._globals["slow"])
            else:
                exec(code, self._globals)  # our templates; no text from the filter
                entry = self._globals[name]
            self._entries[name] = entry
        return entry

    @property
    def predicate(self) -> Callable[[Any], bool]:
        """``predicate(record) -> bool``."""
        return self._entry("p")

    @property
    def filter_list(self) -> Callable[[Any], list[Any]]:
        """The matching records of a list, in one loop."""
        return self._entry("fl")

    @property
    def filter_dict(self) -> Callable[[Any], dict[Any, Any]]:
        """The matching values of a mapping, under their keys."""
        return self._entry("fd")


def _slow_list(slow: Callable[[Any], bool]) -> Callable[[Any], list[Any]]:
    return lambda records: [record for record in records if slow(record)]


def _slow_dict(slow: Callable[[Any], bool]) -> Callable[[Any], dict[Any, Any]]:
    return lambda records: {key: value for key, value in records.items() if slow(value)}


_FALLBACKS: Final[dict[str, Callable[[Callable[[Any], bool]], Callable[..., Any]]]] = {
    "p": lambda slow: slow,
    "fl": _slow_list,
    "fd": _slow_dict,
}


def generate(tree: Node, options: Options, slow: Callable[[Any], bool]) -> Generated | None:
    """Generate the functions for ``tree``, or None when it keeps the closures.

    ``slow`` is the compiled closures' predicate: where a record leaves the
    fast path, it starts over there. A hook, a resolver, an ``unknown`` value
    or variables change what lookups find, so those filters are not
    generated; nor are trees over :data:`MAX_NODES` nodes.
    """
    if (
        options.hook is not None
        or options.resolver is not None
        or options.has_unknown
        or options.variables
        or count_nodes(tree) > MAX_NODES
    ):
        return None
    generator = _Generator(options)
    try:
        test = generator.visit(tree, ())
    except (_Unsupported, RecursionError):
        return None
    globals_ = {**_HELPERS, **generator.namespace, "slow": slow, "MS": options.max_steps}
    templates = {name: _shared(text) for name, text in generator.templates(test).items()}
    return Generated(
        _shared("\n".join(generator.functions)), templates, generator.namespace, globals_
    )


@functools.lru_cache(maxsize=2048)
def _shared(text: str) -> str:
    """One copy of a source text for all filters of its shape."""
    return text
