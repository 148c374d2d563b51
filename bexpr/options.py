"""Compile options, the analogue of the reference's ``With...`` options.

:class:`CompileOptions` lists them, one documented key each; every function
that compiles or parses takes them as keyword arguments, typed, so a type
checker and an IDE know them and a misspelt name fails at the call.
:class:`LimitOptions` are the limits among them (see docs/security.md):
going past one raises a ``ParseError`` or an ``EvaluationError`` that names
it. :func:`options_from` turns the keywords into the :class:`Options` an
expression keeps.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, TypedDict

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_EXPRESSIONS",
    "DEFAULT_MAX_LENGTH",
    "DEFAULT_MAX_STEPS",
    "DEFAULT_REGEX_TIMEOUT",
    "DEFAULT_TAG_NAME",
    "MISSING",
    "CompileOptions",
    "Hook",
    "LimitOptions",
    "Limits",
    "Options",
    "Path",
    "Resolver",
    "options_from",
]

DEFAULT_MAX_EXPRESSIONS: Final = 10_000
"""The default ``max_expressions``: expression nodes in one filter."""
DEFAULT_MAX_LENGTH: Final = 65_536
"""The default ``max_length``: characters in one filter."""
DEFAULT_MAX_DEPTH: Final = 32
"""The default ``max_depth``: nesting of parentheses and collection expressions."""
DEFAULT_REGEX_TIMEOUT: Final = 0.1
"""The default ``regex_timeout``: seconds one ``matches`` may take on one value."""
DEFAULT_MAX_STEPS: Final = 100_000
"""The default ``max_steps``: elements collection expressions may visit per datum."""
DEFAULT_TAG_NAME: Final = "bexpr"
"""The default ``tag_name``: the field metadata key that renames or hides a field."""

Hook = Callable[[Any], Any]
"""The type of ``hook``: the value a selector step found, to what to use instead."""
Resolver = Callable[[Any, str], Any]
"""The type of ``resolver``: ``resolver(obj, name)``, the value of field ``name``."""


class _Missing:
    """The type of :data:`MISSING`."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""Marks an option that was not given (``None`` is a real ``unknown`` value)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on an expression's text, checked while parsing."""

    max_length: int = DEFAULT_MAX_LENGTH
    max_depth: int = DEFAULT_MAX_DEPTH
    max_expressions: int = DEFAULT_MAX_EXPRESSIONS


@dataclass(frozen=True, slots=True, init=False)
class Path:
    """A local variable that stands for a path in the data (see ``variables``).

    >>> import bexpr
    >>> meta = {"m": bexpr.Path("Meta")}
    >>> bexpr.evaluate("m.env == prod", {"Meta": {"env": "prod"}}, variables=meta)
    True
    """

    keys: tuple[str, ...]

    def __init__(self, *keys: str) -> None:
        if not keys or not all(isinstance(key, str) for key in keys):
            raise TypeError("a Path is one or more keys, each a str")
        object.__setattr__(self, "keys", keys)


class LimitOptions(TypedDict, total=False):
    """The size limits every function that parses takes, as keyword arguments.

    ``None`` means the default. See docs/security.md for what each bounds.

    >>> import bexpr
    >>> bexpr.validate("a == 1 and b == 2", max_expressions=2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    bexpr.errors.ParseError: expression too large: ...
    """

    max_length: int | None
    """The longest expression accepted, in characters (:data:`DEFAULT_MAX_LENGTH`)."""
    max_depth: int | None
    """How deeply parentheses and collection expressions may nest
    (:data:`DEFAULT_MAX_DEPTH`)."""
    max_expressions: int | None
    """The largest expression accepted, in expression nodes
    (:data:`DEFAULT_MAX_EXPRESSIONS`)."""


class CompileOptions(LimitOptions, total=False):
    """The keyword options of :func:`bexpr.compile` and of everything that compiles.

    ``bexpr.compile``, ``evaluate``, ``filter``, ``parse``, ``format``,
    ``validate``, ``check``, ``complete``, ``listing.Params.parse`` and the
    SQL and dataframe functions take these as keyword arguments
    (``**options: Unpack[CompileOptions]``), so a type checker and an IDE know
    them; a name that is not one of them raises ``TypeError`` at the call,
    with a suggestion. Functions that only parse use the limits and accept
    (and check) the rest.

    >>> import bexpr
    >>> bexpr.evaluate("Meta.env == prod", {}, unknown="prod")
    True
    >>> bexpr.evaluate("Port == 80", {}, unkown=None)
    Traceback (most recent call last):
      ...
    TypeError: unknown bexpr option 'unkown': did you mean 'unknown'? ...
    """

    unknown: Any
    """A value used for every key that is not found, at any depth (the
    reference's ``WithUnknownValue``). Absent by default; ``None`` is a real
    value: missing keys then behave like JSON ``null``."""
    hook: Hook | None
    """A function applied to every value a selector steps through, after each
    step (the reference's ``WithHookFn``): it sees the value found for
    ``Meta``, then for ``Meta.env``, and returns what to use instead."""
    resolver: Resolver | None
    """``resolver(obj, name)`` looks ``name`` up in an object that is not a
    mapping or a sequence, replacing the default data-only field access;
    it raises ``LookupError`` or ``AttributeError`` for a name not there."""
    tag_name: str
    """The metadata key that renames or hides a dataclass or attrs field
    (``metadata={"bexpr": "Name"}`` by default; the reference's ``WithTagName``)."""
    aliases: bool
    """Also name pydantic fields by their alias (serialization alias first) and
    attrs fields by an explicit ``alias``, as their JSON form does."""
    codegen: bool | None
    """Generate one Python function for the filter: ``True`` at compile time,
    ``False`` never, ``None`` (the default) once it has run on enough records
    to pay for it."""
    variables: Mapping[str, Any] | None
    """Local variables (the reference's ``WithLocalVariable``): names to values,
    or to :class:`Path` for a name that stands for a path in the data."""
    regex_timeout: float | None
    """Seconds one ``matches`` may take on one value
    (:data:`DEFAULT_REGEX_TIMEOUT`; ``None`` for no limit)."""
    max_steps: int | None
    """How many elements collection expressions may visit while evaluating
    one datum (:data:`DEFAULT_MAX_STEPS`)."""


# Every option name, in the order the class declares them (for messages).
OPTION_NAMES: Final = tuple(CompileOptions.__annotations__)


@dataclass(frozen=True, slots=True)
class Options:
    """The options an expression was compiled with (:attr:`bexpr.Expression.options`).

    Made by :func:`options_from` from the keywords of :class:`CompileOptions`,
    whose keys document the fields; the three size limits are grouped in
    ``limits`` and ``variables`` is a tuple of pairs, so that an ``Options``
    is hashable and can key the expression cache.
    """

    unknown: Any = MISSING
    hook: Hook | None = None
    resolver: Resolver | None = None
    limits: Limits = Limits()
    regex_timeout: float | None = DEFAULT_REGEX_TIMEOUT
    max_steps: int = DEFAULT_MAX_STEPS
    tag_name: str = DEFAULT_TAG_NAME
    aliases: bool = False
    variables: tuple[tuple[str, Any], ...] = ()
    """The local variables, in the order given: a later one wins."""
    codegen: bool | None = None
    """Whether to generate one function for the filter: always, never, or
    (None) once it has evaluated or is filtering enough records to pay."""

    @property
    def max_expressions(self) -> int:
        """The node limit (``limits.max_expressions``)."""
        return self.limits.max_expressions

    @property
    def has_unknown(self) -> bool:
        """Whether missing keys are replaced with :attr:`unknown`."""
        return self.unknown is not MISSING


def _limit(options: dict[str, Any], name: str, default: int) -> int:
    value = options.pop(name, None)
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int")
    if value < 1:
        raise ValueError(f"{name} must be at least 1")
    return value


def _unknown_options(names: list[str]) -> TypeError:
    """The error for option names that are not options, with suggestions."""
    parts = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, OPTION_NAMES, n=1, cutoff=0.6)
        hint = f": did you mean {close[0]!r}?" if close else ""
        parts.append(f"{name!r}{hint}")
    noun = "option" if len(parts) == 1 else "options"
    return TypeError(
        f"unknown bexpr {noun} {'; '.join(parts)} (the options are: {', '.join(OPTION_NAMES)})"
    )


_DEFAULT: Final = Options()


def options_from(given: Mapping[str, Any] | CompileOptions) -> Options:
    """The :class:`Options` for the keyword options of :func:`bexpr.compile`.

    Raises ``TypeError`` for an unknown option name or a value of the wrong
    type, ``ValueError`` for a value out of range: a mistake in the calling
    code, not in an expression.

    >>> options_from({"max_depth": 4}).limits.max_depth
    4
    """
    if not given:
        return _DEFAULT  # the common call: no options, nothing to check
    options: dict[str, Any] = dict(given)
    unknown = options.pop("unknown", MISSING)
    hook: Hook | None = options.pop("hook", None)
    resolver: Resolver | None = options.pop("resolver", None)
    limits = Limits(
        max_length=_limit(options, "max_length", DEFAULT_MAX_LENGTH),
        max_depth=_limit(options, "max_depth", DEFAULT_MAX_DEPTH),
        max_expressions=_limit(options, "max_expressions", DEFAULT_MAX_EXPRESSIONS),
    )
    max_steps = _limit(options, "max_steps", DEFAULT_MAX_STEPS)
    regex_timeout = options.pop("regex_timeout", DEFAULT_REGEX_TIMEOUT)
    tag_name = options.pop("tag_name", DEFAULT_TAG_NAME)
    if not isinstance(tag_name, str) or not tag_name:
        raise TypeError("tag_name must be a non-empty str")
    aliases = options.pop("aliases", False)
    if not isinstance(aliases, bool):
        raise TypeError("aliases must be a bool")
    codegen = options.pop("codegen", None)
    if codegen is not None and not isinstance(codegen, bool):
        raise TypeError("codegen must be True, False or None")
    variables = options.pop("variables", None) or {}
    if not isinstance(variables, Mapping) or not all(isinstance(k, str) for k in variables):
        raise TypeError("variables must be a mapping of names (str) to values or bexpr.Path")
    if options:
        raise _unknown_options(list(options))
    if regex_timeout is not None and (
        not isinstance(regex_timeout, int | float)
        or isinstance(regex_timeout, bool)
        or not regex_timeout > 0
    ):
        raise ValueError("regex_timeout must be a positive number of seconds, or None")
    for name, function in (("hook", hook), ("resolver", resolver)):
        if function is not None and not callable(function):
            raise TypeError(f"{name} must be callable")
    return Options(
        unknown=unknown,
        hook=hook,
        resolver=resolver,
        limits=limits,
        regex_timeout=regex_timeout,
        max_steps=max_steps,
        tag_name=tag_name,
        aliases=aliases,
        variables=tuple(variables.items()),
        codegen=codegen,
    )
