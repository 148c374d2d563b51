"""The exceptions bexpr raises.

Every failure that an expression string or a piece of data can cause surfaces
as a :class:`BexprError`: a :class:`ParseError` when the expression itself is
wrong, an :class:`EvaluationError` when it cannot be evaluated against the
data it is given. :class:`Diagnostic` is the same information as plain data,
for tools that report problems instead of raising them (:func:`bexpr.check`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = [
    "BexprError",
    "Diagnostic",
    "EvaluationError",
    "ParseError",
    "Severity",
    "excerpt",
    "located",
]

Severity = Literal["error", "warning"]


class BexprError(Exception):
    """Base class of every error bexpr raises."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem in an expression, located by character offsets.

    ``start``/``end`` delimit the offending text (``end`` exclusive); ``hint``
    suggests a fix, when there is one. :func:`bexpr.check` returns these, and
    :meth:`ParseError.diagnostic` gives one for a parse error.
    """

    code: str
    message: str
    start: int
    end: int
    severity: Severity = "error"
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The diagnostic as a JSON-serializable dict."""
        return asdict(self)

    def format(self, expression: str) -> str:
        """The message with its line and column in ``expression``, and the
        source line with carets under the span, as a :class:`ParseError` prints.

        >>> print(Diagnostic("invalid-regex", "bad pattern", 10, 14).format('a matches "(("'))
        bad pattern (line 1, column 11)
          a matches "(("
                    ^^^^
        """
        return located(self.message, expression, self.start, self.end - self.start)


def located(message: str, source: str, offset: int, width: int = 1) -> str:
    """``message (line L, column C)`` and the :func:`excerpt`, indented."""
    offset = max(0, min(offset, len(source)))
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    snippet = "\n".join("  " + text for text in excerpt(source, offset, width).split("\n"))
    return f"{message} (line {line}, column {column})\n{snippet}"


def excerpt(source: str, offset: int, width: int = 1) -> str:
    """Return the line of ``source`` holding ``offset`` with a caret line under it.

    >>> print(excerpt("a == 1 and and", 11))
    a == 1 and and
               ^
    """
    offset = max(0, min(offset, len(source)))
    start = source.rfind("\n", 0, offset) + 1
    end = source.find("\n", offset)
    if end == -1:
        end = len(source)
    line = source[start:end]
    # Tabs keep their width in the caret line so the caret lands under the spot.
    pad = "".join("\t" if ch == "\t" else " " for ch in line[: offset - start])
    width = max(1, min(width, end - offset))
    return f"{line}\n{pad}{'^' * width}"


class ParseError(BexprError):
    """The expression is not valid bexpr syntax.

    ``line`` and ``column`` are 1-based, ``offset`` is the 0-based index of the
    offending character in ``expression``. ``str()`` gives the message, the
    position and the source line with a caret under the spot::

        >>> import bexpr
        >>> try:
        ...     bexpr.compile("Name ==")
        ... except bexpr.ParseError as err:
        ...     print(err)
        expected a value after '==', found the end of the expression (line 1, column 8)
          Name ==
                 ^
    """

    def __init__(
        self,
        message: str,
        expression: str,
        offset: int,
        length: int = 1,
        code: str = "syntax",
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.code = code
        self.hint = hint
        self.expression = expression
        self.offset = max(0, min(offset, len(expression)))
        self.length = max(1, length)
        self.line = expression.count("\n", 0, self.offset) + 1
        self.column = self.offset - (expression.rfind("\n", 0, self.offset) + 1) + 1
        super().__init__(message)

    def excerpt(self) -> str:
        """The source line with a caret line under the error position."""
        return excerpt(self.expression, self.offset, self.length)

    def diagnostic(self) -> Diagnostic:
        """The same information as a :class:`Diagnostic`."""
        end = min(self.offset + self.length, len(self.expression))
        return Diagnostic(
            self.code, self.message, self.offset, max(end, self.offset), "error", self.hint
        )

    def __str__(self) -> str:
        return located(self.message, self.expression, self.offset, self.length)

    def __reduce__(self) -> tuple[object, ...]:
        return (
            type(self),
            (self.message, self.expression, self.offset, self.length, self.code, self.hint),
        )


class EvaluationError(BexprError):
    """The expression could not be evaluated against the given data.

    ``selector`` is the selector being evaluated when the error happened (or
    ``None`` when the error is not about one), ``reason`` the cause in words,
    ``hint`` how to proceed, when there is a usual way. When raised by
    ``filter``, ``key`` is the index (or mapping key) of the record that
    failed; otherwise it is ``None``.
    """

    def __init__(
        self,
        reason: str,
        selector: str | None = None,
        key: object = None,
        hint: str | None = None,
    ) -> None:
        self.reason = reason
        self.selector = selector
        self.key = key
        self.hint = hint
        message = reason if selector is None else f"{reason} at {selector}"
        if key is not None:
            message = f"record {key!r}: {message}"
        if hint is not None:
            message = f"{message} ({hint})"
        super().__init__(message)

    def with_key(self, key: object) -> EvaluationError:
        """The same error, for the record ``key`` of a collection."""
        return EvaluationError(self.reason, self.selector, key, self.hint)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.reason, self.selector, self.key, self.hint))
