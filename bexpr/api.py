"""The public API: compiled expressions and the module-level functions.

:func:`compile` parses an expression (:mod:`bexpr.syntax.parser`) and lowers
the tree to closures (:mod:`bexpr.evaluation.closures`); an
:class:`Expression` holds the result. :func:`evaluate` and :func:`filter`
cache what they compile. Everything here is re-exported by :mod:`bexpr`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, Unpack, overload

from bexpr.errors import BexprError, EvaluationError, ParseError
from bexpr.evaluation.closures import Predicate, compile_tree
from bexpr.evaluation.codegen import Generated, generate
from bexpr.options import MISSING, CompileOptions, Options, Path, options_from
from bexpr.syntax.ast import Node
from bexpr.syntax.parser import parse as parse_text

__all__ = [
    "Errors",
    "Expression",
    "RecordError",
    "check_errors",
    "compile",
    "evaluate",
    "filter",
    "format",
    "parse",
    "validate",
]

T = TypeVar("T")
K = TypeVar("K")

CACHE_SIZE = 256
"""How many compiled expressions :func:`evaluate` and :func:`filter` keep."""


def _wrap(err: Exception) -> EvaluationError:
    """An exception raised by the caller's own data or hook, as an EvaluationError."""
    wrapped = EvaluationError(f"the data raised {type(err).__name__}: {err}")
    wrapped.__cause__ = err
    return wrapped


@dataclass(frozen=True, slots=True)
class RecordError:
    """A record that a filter could not evaluate (see ``errors=``)."""

    key: Any
    """The record's index in a list or iterable, or its key in a mapping."""
    record: Any
    error: EvaluationError


Errors = Literal["fail", "skip"] | Callable[[RecordError], object]


def check_errors(errors: object) -> None:
    """Raise ``ValueError`` unless ``errors`` is an :data:`Errors` mode
    (shared by every ``filter`` that takes one)."""
    if errors != "fail" and errors != "skip" and not callable(errors):
        raise ValueError('errors must be "fail", "skip" or a callable')


# When generating pays: building the generated tier costs about 30 µs for a
# shape seen before and 250-350 µs (Python's compile()) for a new one, and
# saves about 0.3-3 µs per record (docs/performance.md).
WARMUP_CALLS: Final = 256
"""Evaluations after which an expression switches to its generated tier."""
WARMUP_RECORDS: Final = 128
"""A list or mapping at least this large is filtered by the generated tier at once."""

_NOT_YET: Final = object()


class _Tier:
    """An expression's generated tier: not built yet, None, or built."""

    __slots__ = ("generated",)

    def __init__(self) -> None:
        self.generated: object = _NOT_YET


class _Warmup:
    """The predicate of a new expression: the closures, counting calls until
    generating one function pays (``compile()`` costs 100-200 µs)."""

    __slots__ = ("calls", "expression")

    def __init__(self, expression: Expression) -> None:
        self.expression = expression
        self.calls = 0

    def __call__(self, datum: Any) -> bool:
        expression = self.expression
        self.calls += 1
        if self.calls == WARMUP_CALLS:
            expression._promote()
        return expression._closures(datum)


class Expression:
    """A compiled bexpr expression: immutable, reusable and thread-safe.

    Made by :func:`bexpr.compile` (not by calling the class): its
    ``expression`` is the text compiled, ``tree`` the syntax tree
    (:mod:`bexpr.syntax.ast`) and ``options`` the :class:`bexpr.options.Options`
    it was compiled with. Calling it is the same as :meth:`evaluate`::

        >>> import bexpr
        >>> expr = bexpr.compile('Meta.env == prod and "dc1" in Datacenters')
        >>> expr({"Meta": {"env": "prod"}, "Datacenters": ["dc1", "dc2"]})
        True
        >>> expr.filter([{"Meta": {"env": "dev"}, "Datacenters": []}])
        []
    """

    __slots__ = ("_closures", "_predicate", "_tier", "expression", "options", "tree")

    expression: str
    tree: Node
    options: Options
    _predicate: Predicate
    _closures: Predicate
    _tier: _Tier

    def __init__(self, expression: str, tree: Node, options: Options) -> None:
        object.__setattr__(self, "expression", expression)
        object.__setattr__(self, "tree", tree)
        object.__setattr__(self, "options", options)
        closures = compile_tree(tree, options)
        object.__setattr__(self, "_closures", closures)
        object.__setattr__(self, "_tier", _Tier())
        predicate: Predicate = closures
        if options.codegen is None:
            predicate = _Warmup(self)
        elif options.codegen:
            generated = self._generated()
            predicate = closures if generated is None else generated.predicate
        object.__setattr__(self, "_predicate", predicate)

    def _generated(self) -> Generated | None:
        """The generated tier (:mod:`bexpr.evaluation.codegen`), built on
        first need; None when this filter keeps the closures."""
        tier = self._tier
        if tier.generated is _NOT_YET:
            # Two threads may both build it; the results are equivalent.
            tier.generated = generate(self.tree, self.options, self._closures)
        generated: Generated | None = tier.generated  # type: ignore[assignment]
        return generated

    def _promote(self) -> None:
        """After the warm-up: evaluate with the generated tier from now on."""
        generated = self._generated()
        predicate = self._closures if generated is None else generated.predicate
        object.__setattr__(self, "_predicate", predicate)

    def _fast_filters(self, size: int) -> Generated | None:
        """The generated filters, for a collection of ``size`` records."""
        codegen = self.options.codegen
        if codegen is False or (codegen is None and size < WARMUP_RECORDS):
            return None
        return self._generated()

    @property
    def source(self) -> str | None:
        """The Python source of this filter's generated functions, or None
        when it keeps the compiled closures (see docs/performance.md). Every
        name in it that the templates do not define is bound to a value of
        the filter (:attr:`constants`)::

            >>> import bexpr
            >>> print(bexpr.compile("Name == web").source.splitlines()[3])
                        return ((v == c1) if (t := type(v := root[k0])) is str else bail())
        """
        generated = self._generated()
        return None if generated is None else generated.source

    @property
    def constants(self) -> dict[str, Any]:
        """The names the generated :attr:`source` uses for the filter's keys,
        values and patterns, with their values."""
        generated = self._generated()
        return {} if generated is None else dict(generated.namespace)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("bexpr.Expression is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("bexpr.Expression is immutable")

    def __repr__(self) -> str:
        return f"bexpr.compile({self.expression!r})"

    def __str__(self) -> str:
        return str(self.tree)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.expression, self.options))

    def evaluate(self, data: Any) -> bool:
        """Whether ``data`` matches the expression.

        Raises :class:`bexpr.EvaluationError` when the expression cannot be
        evaluated against ``data`` (a top-level key that is missing, a value
        that cannot be converted, ...).
        """
        try:
            return self._predicate(data)
        except BexprError:
            raise
        except Exception as err:
            raise _wrap(err) from err

    __call__ = evaluate

    @overload
    def filter(self, data: list[T] | tuple[T, ...], errors: Errors = "fail") -> list[T]: ...  # type: ignore[overload-overlap]
    @overload
    def filter(self, data: Mapping[K, T], errors: Errors = "fail") -> dict[K, T]: ...  # type: ignore[overload-overlap]
    @overload
    def filter(self, data: Iterable[T], errors: Errors = "fail") -> Iterator[T]: ...
    @overload
    def filter(self, data: AsyncIterable[T], errors: Errors = "fail") -> AsyncIterator[T]: ...

    def filter(self, data: Any, errors: Errors = "fail") -> Any:
        """The elements of ``data`` that match, in their original order.

        A list or tuple gives a list; a mapping gives a dict of the matching
        values under their keys; any other iterable gives a lazy iterator,
        and an async iterable (an async driver's cursor) an async iterator.
        What the caller's own iterable raises while it is read reaches the
        caller unchanged; what evaluating a record raises is an
        :class:`bexpr.EvaluationError`.

        ``errors`` says what a record that cannot be evaluated does:
        ``"fail"`` (the default, as in the reference) raises
        :class:`bexpr.EvaluationError` with the record's index or key in
        ``key``; ``"skip"`` leaves the record out; a callable is called with a
        :class:`RecordError` for each such record, which is left out::

            >>> import bexpr
            >>> expr = bexpr.compile("Port == 80")
            >>> problems = []
            >>> expr.filter([{"Port": 80}, {"Name": "x"}], errors=problems.append)
            [{'Port': 80}]
            >>> problems[0].key, problems[0].error.reason
            (1, "no key 'Port'")
        """
        check_errors(errors)
        if isinstance(data, list | tuple):
            items: Any = enumerate(data)
            shape = "list"
        elif isinstance(data, Mapping):
            items = data.items()
            shape = "dict"
        elif data is None or isinstance(data, str | bytes | bytearray | int | float):
            raise EvaluationError(f"only lists and maps can be filtered, not {type(data).__name__}")
        elif isinstance(data, Iterable):
            return self._iterate(data, errors)
        elif isinstance(data, AsyncIterable):
            return self._aiterate(data, errors)
        else:
            raise EvaluationError(
                f"only lists, maps and iterables can be filtered, not {type(data).__name__}"
            )
        predicate = self._predicate
        # Optimistically, the whole collection in one loop: when no record
        # fails, every errors mode keeps the same records.
        fast = self._fast_filters(len(data))
        try:
            if fast is not None:
                return fast.filter_list(data) if shape == "list" else fast.filter_dict(data)
            if shape == "list":
                return [item for item in data if predicate(item)]
            return {key: item for key, item in data.items() if predicate(item)}
        except Exception:
            pass  # found again below, with the record's key
        # Evaluation is pure, so running again finds the same failures, and
        # handles each as errors says.
        kept = [(key, item) for key, item in items if self._keep(key, item, errors)]
        if shape == "list":
            return [item for _, item in kept]
        return dict(kept)

    def _keep(self, key: Any, item: Any, errors: Errors) -> bool:
        """Evaluate one record of a filter, handling its error as ``errors`` says."""
        try:
            return self._predicate(item)
        except Exception as err:
            error = err if isinstance(err, EvaluationError) else _wrap(err)
            if errors == "fail":
                raised = error.with_key(key)
                raise raised from (err if err is not error else err.__cause__)
            if callable(errors):
                errors(RecordError(key, item, error))
            return False

    def _iterate(self, data: Iterable[Any], errors: Errors) -> Iterator[Any]:
        # Only evaluating a record is wrapped (in _keep): what the caller's
        # iterable raises (an OSError from the file it reads) stays its own.
        for index, item in enumerate(data):
            if self._keep(index, item, errors):
                yield item

    async def _aiterate(self, data: AsyncIterable[Any], errors: Errors) -> AsyncIterator[Any]:
        index = 0
        async for item in data:
            if self._keep(index, item, errors):
                yield item
            index += 1


def _rebuild(expression: str, options: Options) -> Expression:
    return _compile(expression, options)


def _compile(expression: str, options: Options) -> Expression:
    tree = parse_text(expression, options.limits)
    try:
        return Expression(expression, tree, options)
    except RecursionError:
        # Only reachable when max_depth was raised far above its default.
        raise ParseError(
            f"expression nested too deeply to compile; lower max_depth "
            f"(now {options.limits.max_depth})",
            expression,
            0,
        ) from None


def compile(expression: str, **options: Unpack[CompileOptions]) -> Expression:
    """Parse and compile ``expression`` once, to evaluate it many times.

    ``options`` are keyword arguments, each documented in
    :class:`bexpr.options.CompileOptions`: ``unknown`` (a value for keys that
    are not found), ``hook``, ``resolver``, ``tag_name``, ``aliases``,
    ``codegen``, ``variables`` and the limits. A name that is not an option
    raises ``TypeError`` with a suggestion. Raises :class:`bexpr.ParseError`
    for an invalid expression.

    >>> import bexpr
    >>> bexpr.compile("Port == 80")({"Port": 80})
    True
    """
    return _compile(expression, options_from(options))


@functools.lru_cache(maxsize=CACHE_SIZE)
def _cached(expression: str, _key: tuple[Any, ...], options: Options) -> Expression:
    return _compile(expression, options)


_CACHEABLE = (str, int, float, bool, type(None))


def _compile_maybe_cached(
    expression: str, options: Mapping[str, Any] | CompileOptions
) -> Expression:
    opts = options_from(options)
    if not isinstance(expression, str):
        raise TypeError(f"a bexpr expression must be a str, not {type(expression).__name__}")
    values = [opts.unknown, *(value for _, value in opts.variables)]
    if not all(
        value is MISSING or type(value) in _CACHEABLE or isinstance(value, Path) for value in values
    ):
        return _compile(expression, opts)
    # The types are part of the key: 1, 1.0 and True are equal but do not
    # behave alike as values.
    return _cached(expression, tuple((type(value), value) for value in values), opts)


def evaluate(expression: str, data: Any, **options: Unpack[CompileOptions]) -> bool:
    """Whether ``data`` matches ``expression``.

    Compiled expressions are cached (the last 256, ``bexpr.api.CACHE_SIZE``), so calling
    this repeatedly with the same string costs a dictionary lookup.

    >>> import bexpr
    >>> bexpr.evaluate('"web" in Tags', {"Tags": ["web", "prod"]})
    True
    """
    return _compile_maybe_cached(expression, options).evaluate(data)


# A list is also an Iterable: the first match wins, as mypy and IDEs read overloads.
@overload
def filter(  # type: ignore[overload-overlap]
    expression: str,
    data: list[T] | tuple[T, ...],
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> list[T]: ...
@overload
def filter(  # type: ignore[overload-overlap]
    expression: str, data: Mapping[K, T], errors: Errors = "fail", **options: Unpack[CompileOptions]
) -> dict[K, T]: ...
@overload
def filter(
    expression: str, data: Iterable[T], errors: Errors = "fail", **options: Unpack[CompileOptions]
) -> Iterator[T]: ...
@overload
def filter(
    expression: str,
    data: AsyncIterable[T],
    errors: Errors = "fail",
    **options: Unpack[CompileOptions],
) -> AsyncIterator[T]: ...


def filter(
    expression: str, data: Any, errors: Errors = "fail", **options: Unpack[CompileOptions]
) -> Any:
    """The elements of ``data`` that match ``expression`` (see :meth:`Expression.filter`,
    which also explains ``errors``).

    An empty expression returns ``data`` unchanged, as in the reference.

    >>> import bexpr
    >>> bexpr.filter("Port == 80", [{"Port": 80}, {"Port": 81}])
    [{'Port': 80}]
    """
    if expression == "":
        return data
    return _compile_maybe_cached(expression, options).filter(data, errors)


def parse(expression: str, **options: Unpack[CompileOptions]) -> Node:
    """Parse ``expression`` into its syntax tree (:mod:`bexpr.syntax.ast`).

    Takes the same limit options as :func:`compile`; raises
    :class:`bexpr.ParseError` for an invalid expression.

    >>> import bexpr
    >>> print(bexpr.parse('Tags contains "web" and not Stop == true'))
    "web" in Tags and not Stop == true
    """
    return parse_text(expression, options_from(options).limits)


def format(expression: str, **options: Unpack[CompileOptions]) -> str:
    """The canonical, readable form of ``expression`` (it parses to the same tree).

    >>> import bexpr
    >>> bexpr.format('Meta["env"]=="prod"   and not (Stop==true)')
    'Meta.env == "prod" and not Stop == true'
    """
    try:
        return str(parse(expression, **options))
    except RecursionError:
        # Only reachable when max_depth was raised far above its default.
        raise ParseError(
            "expression nested too deeply to print; lower max_depth", expression, 0, code="limit"
        ) from None


def validate(expression: str, **options: Unpack[CompileOptions]) -> None:
    """Raise :class:`bexpr.ParseError` if ``expression`` is not valid, else return None.

    It accepts exactly what the reference accepts (and the options' size
    limit), without evaluating anything.

    >>> import bexpr
    >>> bexpr.validate('Name == "web"')
    >>> bexpr.validate("Name ==")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    bexpr.errors.ParseError: expected a value after '==', found the end of ... (line 1, column 8)
      Name ==
             ^
    """
    parse_text(expression, options_from(options).limits)
