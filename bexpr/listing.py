"""List endpoints in the style of Nomad's HTTP API: filter, pagination, ordering.

:func:`query` takes an iterable of records and returns one :class:`Page`,
with the semantics of Nomad's list endpoints:

- records come in ascending order of their key (``ID`` by default), or
  descending with ``reverse=True``; keys must be unique;
- ``next_token`` is the key of the first record of the requested page: the
  page starts at the first record whose key is ``>=`` the token (``<=`` when
  reversed), whether or not a record has exactly that key;
- then the filter applies, and ``per_page`` counts matching records only;
- :attr:`Page.next_token` is the key of the next matching record, as a
  string; it is ``None`` on the last page.

Every failure is a :class:`ListingError` (a :class:`bexpr.BexprError`) whose
``status`` is the HTTP status to answer with: ``400`` for a bad parameter, an
invalid filter (with its position) or a filter that cannot be evaluated on a
record, ``500`` for records that cannot be listed (a missing, duplicated or
unsortable key).

:func:`query_params` is the one call for a web handler: it takes the raw
query parameters (strings) and validates them::

    >>> from bexpr import listing
    >>> jobs = [{"ID": "b", "Port": 80}, {"ID": "a", "Port": 80}, {"ID": "c", "Port": 22}]
    >>> page = listing.query_params(jobs, {"filter": "Port == 80", "per_page": "1"})
    >>> page.items, page.next_token
    ([{'ID': 'a', 'Port': 80}], 'b')
    >>> listing.query_params(jobs, {"filter": "Port == 80", "next_token": "b"}).items
    [{'ID': 'b', 'Port': 80}]
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Generic, TypeAlias, TypeVar, Unpack, overload
from urllib.parse import parse_qsl

from bexpr.api import Errors, Expression, RecordError
from bexpr.api import compile as compile_expression
from bexpr.data.fields import NotFound, struct_field
from bexpr.errors import BexprError, EvaluationError, ParseError
from bexpr.options import CompileOptions

__all__ = [
    "BAD_REQUEST",
    "MAX_PER_PAGE",
    "NEXT_TOKEN_HEADER",
    "SERVER_ERROR",
    "Index",
    "KeySpec",
    "KeyValue",
    "ListingError",
    "Page",
    "Params",
    "QueryParams",
    "Rows",
    "aquery",
    "format_token",
    "query",
    "query_params",
]

T = TypeVar("T")

BAD_REQUEST: Final = 400
"""The status of errors the request can fix: parameters, the filter."""

SERVER_ERROR: Final = 500
"""The status of errors in the records or the listing's configuration."""

NEXT_TOKEN_HEADER: Final = "X-Nomad-Nexttoken"
"""The response header Nomad puts the next page's token in."""

MAX_PER_PAGE: Final = 2**31 - 1
"""The largest ``per_page`` accepted: Nomad's limit (an int32)."""

KeyValue: TypeAlias = str | int | tuple[str | int, ...]
"""A record's key: a string, an integer, or a tuple of them (a composite key)."""

KeySpec: TypeAlias = str | tuple[str, ...] | Callable[[Any], KeyValue]
"""How to find a record's key: a field name, a tuple of field names, or a function."""

QueryParams: TypeAlias = str | Mapping[str, str | Sequence[str]] | Iterable[tuple[str, str]]
"""Raw query parameters: a query string, a mapping, or (name, value) pairs."""

_TOKEN_SEPARATOR: Final = "."
# Go's strconv.ParseInt in base 10, bounded so that int() is never slow: no
# spaces or underscores, which Python's int() would accept.
_INTEGER = re.compile(r"[+-]?[0-9]{1,64}")
_PER_PAGE = re.compile(r"[0-9]{1,10}")
_SHOWN: Final = 60  # how much of a bad value an error message repeats


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


class ListingError(BexprError):
    """A list request that cannot be answered, with the HTTP status to answer with.

    ``status`` is :data:`BAD_REQUEST` (400) when the request is at fault and
    :data:`SERVER_ERROR` (500) when the records or the listing's
    configuration are. ``message`` says why, for the client; ``parameter``
    names the query parameter at fault, if any.

    For an invalid filter, ``line``, ``column`` (1-based), ``offset``
    (0-based), ``length`` and ``expression`` locate the error, as in
    :class:`bexpr.ParseError` (which is the ``__cause__``), and ``str()``
    adds the caret excerpt. For a filter that cannot be evaluated on a
    record, ``selector`` names the selector and ``key`` is the record's key
    (kept out of ``message``). Other attributes are ``None``.

    >>> from bexpr import listing
    >>> try:
    ...     listing.query([], filter="Name ==")
    ... except listing.ListingError as err:
    ...     print(err.status, err.parameter, err.column)
    ...     print(err)
    400 filter 8
    invalid filter: expected a value after '==', found the end of the expression (line 1, column 8)
      Name ==
             ^
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        parameter: str | None = None,
        expression: str | None = None,
        line: int | None = None,
        column: int | None = None,
        offset: int | None = None,
        length: int | None = None,
        selector: str | None = None,
        key: object = None,
    ) -> None:
        self.status = status
        self.message = message
        self.parameter = parameter
        self.expression = expression
        self.line = line
        self.column = column
        self.offset = offset
        self.length = length
        self.selector = selector
        self.key = key
        super().__init__(message)

    @classmethod
    def from_parse_error(cls, err: ParseError, parameter: str = "filter") -> ListingError:
        """A 400 for an invalid filter, positioned like ``err``."""
        error = cls(
            BAD_REQUEST,
            f"invalid {parameter}: {err.message}",
            parameter=parameter,
            expression=err.expression,
            line=err.line,
            column=err.column,
            offset=err.offset,
            length=err.length,
        )
        error.__cause__ = err
        return error

    def excerpt(self) -> str | None:
        """The filter's line with a caret under the error, for a positioned error."""
        if self.expression is None or self.offset is None:
            return None
        return ParseError(self.message, self.expression, self.offset, self.length or 1).excerpt()

    def __str__(self) -> str:
        snippet = self.excerpt()
        if snippet is None:
            return self.message
        indented = "\n".join("  " + line for line in snippet.split("\n"))
        return f"{self.message} (line {self.line}, column {self.column})\n{indented}"

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON-ready response body.

        ``error`` (the message) and ``status`` always; ``parameter``,
        ``selector``, and ``line``, ``column``, ``offset``, ``length`` and
        ``excerpt`` when they apply. The record's key is left out: it is for
        the server's logs.
        """
        body: dict[str, Any] = {"error": self.message, "status": self.status}
        if self.parameter is not None:
            body["parameter"] = self.parameter
        if self.selector is not None:
            body["selector"] = self.selector
        if self.offset is not None:
            body.update(
                line=self.line,
                column=self.column,
                offset=self.offset,
                length=self.length,
                excerpt=self.excerpt(),
            )
        return body

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_error, (type(self), dict(self.__dict__)))


def _restore_error(cls: type[ListingError], state: dict[str, Any]) -> ListingError:
    error = cls(state.pop("status"), state.pop("message"))
    error.__dict__.update(state)
    return error


def _bad(message: str, parameter: str | None = None) -> ListingError:
    return ListingError(BAD_REQUEST, message, parameter=parameter)


def _broken(message: str) -> ListingError:
    return ListingError(SERVER_ERROR, message)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its records and where the next page starts."""

    items: list[T]
    """The matching records of this page, in order."""
    next_token: str | None = None
    """The token of the next page (the string form of its first key), or ``None``."""
    next_key: KeyValue | None = None
    """The key of the next page's first record, as a key value, or ``None``."""

    @property
    def last(self) -> bool:
        """Whether this is the last page: there is nothing more to return."""
        return self.next_token is None

    def headers(self, name: str = NEXT_TOKEN_HEADER) -> dict[str, str]:
        """The response headers for this page: the next token's header unless it is the last.

        >>> from bexpr.listing import Page
        >>> Page([1], "b").headers(), Page([2]).headers()
        ({'X-Nomad-Nexttoken': 'b'}, {})
        """
        return {} if self.next_token is None else {name: self.next_token}


# A key's shape: the type of each component, and whether it is a tuple.
_Shape: TypeAlias = tuple[bool, tuple[type, ...]]


def _component(value: object) -> str | int | None:
    """A key component as a plain str or int, or None if it cannot be one."""
    if isinstance(value, bool):
        return None  # an int to Python, but not a key anyone means
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str.__str__(value)  # a plain str, whatever the subclass's __str__ says
    return None


def _normalize(value: object, position: int) -> tuple[KeyValue, _Shape]:
    """A record's key as a plain key value, with its shape; 500 when it is not a key."""
    if isinstance(value, tuple) and value:
        parts = tuple(_component(part) for part in value)
        if all(part is not None for part in parts):
            plain = tuple(part for part in parts if part is not None)
            return plain, (True, tuple(type(part) for part in plain))
    else:
        single = _component(value)
        if single == "":
            # Its token would be empty, which means "from the start".
            raise _broken(f"record {position} has an empty key: keys must not be empty")
        if single is not None:
            return single, (False, (type(single),))
    raise _broken(
        f"record {position} has a key of type {type(value).__name__}: keys must be "
        "strings, integers or non-empty tuples of them"
    )


def _describe(shape: _Shape) -> str:
    names = ["integer" if kind is int else "string" for kind in shape[1]]
    if not shape[0]:
        return "an integer" if names[0] == "integer" else "a string"
    return f"{len(names)} parts separated by {_TOKEN_SEPARATOR!r} ({', '.join(names)})"


def format_token(key: KeyValue) -> str:
    """The token (a string) for a key: composite keys are joined with ``.`` as in Nomad.

    >>> from bexpr.listing import format_token
    >>> format_token("web"), format_token(54), format_token((54, "58fd0616"))
    ('web', '54', '54.58fd0616')
    """
    if not isinstance(key, tuple):
        return str(key)
    parts = [str(part) for part in key]
    for part, value in zip(parts[:-1], key[:-1], strict=True):
        # Only the last part may hold the separator, or parsing would split it.
        if isinstance(value, str) and _TOKEN_SEPARATOR in part:
            raise _broken(
                f"key component {_shown(value)} contains {_TOKEN_SEPARATOR!r}: in a composite "
                "key only the last component may"
            )
    return _TOKEN_SEPARATOR.join(parts)


def _parse_integer(text: str, token: str, shape: _Shape) -> int:
    if not _INTEGER.fullmatch(text):
        raise _bad(f"invalid next_token {_shown(token)}: expected {_describe(shape)}", "next_token")
    return int(text)


def _parse_token(token: object, shape: _Shape) -> KeyValue:
    """The next_token as a key of ``shape``: a string token is parsed, a key is checked."""
    if not isinstance(token, str):
        if _is_key(token):
            plain, token_shape = _normalize(token, 0)
            if token_shape == shape:
                return plain
        raise _bad(f"invalid next_token {_shown(token)}: expected {_describe(shape)}", "next_token")
    composite, kinds = shape
    if not composite:
        return token if kinds[0] is str else _parse_integer(token, token, shape)
    parts = token.split(_TOKEN_SEPARATOR, len(kinds) - 1)
    if len(parts) != len(kinds):
        raise _bad(f"invalid next_token {_shown(token)}: expected {_describe(shape)}", "next_token")
    return tuple(
        part if kind is str else _parse_integer(part, token, shape)
        for part, kind in zip(parts, kinds, strict=True)
    )


def _is_key(value: object) -> bool:
    try:
        _normalize(value, 0)
    except ListingError:
        return False
    return True


def _field(record: Any, name: str, position: int) -> Any:
    """The value of the key field ``name`` of a record; 500 when it has none."""
    try:
        if isinstance(record, Mapping):
            return record[name]
        return struct_field(record, name)
    except (KeyError, NotFound, EvaluationError):
        raise _broken(f"record {position} has no {name!r} field to be listed by") from None


def _key_function(key: KeySpec) -> Callable[[Any, int], object]:
    """A function (record, position) -> raw key value, for a key specification."""
    if isinstance(key, str):
        return lambda record, position: _field(record, key, position)
    if isinstance(key, tuple) and key and all(isinstance(name, str) for name in key):
        names: tuple[str, ...] = key
        return lambda record, position: tuple(_field(record, n, position) for n in names)
    if callable(key):
        return lambda record, position: key(record)
    raise _broken("key must be a field name, a non-empty tuple of field names or a function")


def _expression(filter: str | Expression | None) -> Expression | None:
    if filter is None or filter == "":
        return None  # as in the reference, an empty filter keeps everything
    if isinstance(filter, Expression):
        return filter
    if not isinstance(filter, str):
        raise _bad(f"filter must be a string, not {type(filter).__name__}", "filter")
    try:
        return compile_expression(filter)
    except ParseError as err:
        raise ListingError.from_parse_error(err) from err


def _bad_per_page(per_page: object) -> ListingError:
    return _bad(
        f"invalid per_page {_shown(per_page)}: expected a positive integer "
        f"no larger than {MAX_PER_PAGE}",
        "per_page",
    )


def _per_page(per_page: object) -> int | None:
    if per_page is None:
        return None
    if (
        isinstance(per_page, bool)
        or not isinstance(per_page, int)
        or not 1 <= per_page <= MAX_PER_PAGE
    ):
        raise _bad_per_page(per_page)
    return per_page


def _names(names: Iterable[str]) -> list[str]:
    """Parameter names, sorted; a single name may be given as a string."""
    return sorted({names} if isinstance(names, str) else {str(name) for name in names})


def _check_errors(errors: object) -> None:
    if errors != "fail" and errors != "skip" and not callable(errors):
        raise _broken('errors must be "fail", "skip" or a function')


def _keyed(items: Iterable[T], key: KeySpec) -> tuple[list[tuple[KeyValue, T]], _Shape | None]:
    """Every record with its key, sorted ascending; 500 for bad or duplicate keys."""
    get = _key_function(key)
    keyed: list[tuple[KeyValue, T]] = []
    shape: _Shape | None = None
    try:
        for position, record in enumerate(items):
            value, record_shape = _normalize(get(record, position), position)
            if shape is None:
                shape = record_shape
            elif record_shape != shape:
                raise _broken(
                    f"record {position} has a key of another type ({_describe(record_shape)}) "
                    f"than the records before it ({_describe(shape)})"
                )
            keyed.append((value, record))
    except BexprError:
        raise
    except Exception as err:  # raised by the caller's iterable or key function
        # Its text may describe the server's internals: it stays in __cause__.
        raise _broken(f"the records cannot be listed: {type(err).__name__}") from err
    # Keys of one shape compare with each other, so sorting cannot fail.
    keyed.sort(key=lambda pair: pair[0])
    for (before, _), (after, _) in itertools.pairwise(keyed):
        if before == after:
            # A page could end between two equal keys; the next would repeat one.
            raise _broken(f"two records have the key {_shown(before)}: keys must be unique")
    return keyed, shape


class Index(Generic[T]):
    """Records sorted by key once, to be listed many times.

    :func:`query` sorts an iterable's records on every call; a server that
    lists the same records for each request builds an ``Index`` when they
    change and passes that instead. It is immutable: for new records, build
    a new one. Its ``key`` is the records' key, as in :func:`query`; bad or
    duplicate keys raise :class:`ListingError` (500) here.

    >>> from bexpr import listing
    >>> index = listing.Index([{"ID": "b", "Port": 80}, {"ID": "a", "Port": 22}])
    >>> listing.query(index, filter="Port == 80").items
    [{'ID': 'b', 'Port': 80}]
    >>> len(index)
    2
    """

    __slots__ = ("_keyed", "_keys", "_shape", "key")

    def __init__(self, items: Iterable[T], key: KeySpec = "ID") -> None:
        self.key = key
        self._keyed, self._shape = _keyed(items, key)
        self._keys = [pair[0] for pair in self._keyed]

    def __len__(self) -> int:
        return len(self._keyed)

    def __iter__(self) -> Iterator[T]:
        """The records in ascending order of key."""
        return (record for _, record in self._keyed)


@dataclass(frozen=True)
class Rows:
    """Records in a database, for :func:`query`: a SQLAlchemy ``select`` (or
    table) run on ``connection``, listed by the ``key`` column (or a tuple
    of columns, for a composite key).

    The page is read in key order with keyset pagination (``ORDER BY key``,
    ``key >= token``, a ``LIMIT``, more batches until the page is full or
    the rows end), the filter pushed down by :func:`bexpr.sql.pushdown` and
    the rows it leaves undecided re-checked in Python, so a page is the one
    :func:`query` returns for the same records in memory.

    ``document`` and ``columns`` say where the records are, as in
    :func:`bexpr.sql.execute` (with neither, the select's columns by name);
    the page's items are those records. ``key`` columns are integers or
    strings, whose order is code point order: on PostgreSQL the comparisons
    use ``COLLATE "C"`` (declare the column so for its index to serve them).
    Keys must be unique (a primary key or a unique index): a repeated or
    out-of-order key among the rows read is a 500.
    """

    connection: Any
    select: Any
    key: Any
    document: Any = None
    columns: Mapping[str, Any] | None = None


@overload
def query(
    items: Rows,
    *,
    filter: str | Expression | None = None,
    per_page: int | None = None,
    next_token: str | KeyValue | None = None,
    reverse: bool = False,
    key: KeySpec = "ID",
    errors: Errors = "fail",
    conflicting: Iterable[str] = (),
) -> Page[Any]: ...
@overload
def query(
    items: Iterable[T],
    *,
    filter: str | Expression | None = None,
    per_page: int | None = None,
    next_token: str | KeyValue | None = None,
    reverse: bool = False,
    key: KeySpec = "ID",
    errors: Errors = "fail",
    conflicting: Iterable[str] = (),
) -> Page[T]: ...


def query(
    items: Iterable[T] | Rows,
    *,
    filter: str | Expression | None = None,
    per_page: int | None = None,
    next_token: str | KeyValue | None = None,
    reverse: bool = False,
    key: KeySpec = "ID",
    errors: Errors = "fail",
    conflicting: Iterable[str] = (),
) -> Page[Any]:
    """One page of ``items``, ordered by key, from ``next_token``, filtered.

    ``items`` is an iterable of records (sorted here, on every call), an
    :class:`Index` (sorted once; its own key is used) or :class:`Rows` in a
    database (sorted and filtered there; its own key columns are used).

    - ``filter``: a bexpr expression (a string, compiled here, or an
      :class:`~bexpr.Expression`); ``None`` or ``""`` keeps every record.
    - ``per_page``: how many matching records a page holds (a positive
      integer); ``None`` for all of them.
    - ``next_token``: where the page starts: a token from
      :attr:`Page.next_token` (a string, parsed to the key's type: an integer
      key needs an integer token) or a key value. ``None`` or ``""`` starts
      at the beginning. A token that is no record's key is fine: the page
      starts at the next key after it.
    - ``reverse``: descending order of key instead of ascending.
    - ``key``: a record's key: a top-level field name (``"ID"``,
      ``"CreateIndex"``; a mapping key or an object's field as selectors see
      it), a tuple of field names (a composite key, compared part by part,
      whose token joins the parts with ``.`` like Nomad's
      ``<CreateIndex>.<ID>``), or a function record -> key. Keys are strings,
      integers or tuples of them, all of one shape, and unique.
    - ``errors``: a record the filter cannot be evaluated on: ``"fail"``
      raises a 400 :class:`ListingError` (as Nomad does), ``"skip"`` leaves
      it out, a function is called with a :class:`bexpr.RecordError`
      (whose ``key`` is the record's listing key) and the record left out.
    - ``conflicting``: the names of other filtering query parameters the
      request used (index-backed ones such as ``prefix``); with a filter, a
      400, since the two cannot be combined.

    Only the records from the token to the end of the page (and the first
    match after it) are evaluated. Raises :class:`ListingError` and nothing
    else.
    """
    _check_errors(errors)
    expression = _expression(filter)
    used = _names(conflicting)
    if expression is not None and used:
        raise _bad(
            f"filter cannot be combined with {', '.join(used)}: use one or the other", "filter"
        )
    limit = _per_page(per_page)
    if not isinstance(reverse, bool):
        raise _bad(f"reverse must be a bool, not {type(reverse).__name__}", "reverse")

    if isinstance(items, Rows):
        return _query_rows(items, expression, limit, next_token, reverse, errors)
    if isinstance(items, Index):
        keyed, shape, keys = items._keyed, items._shape, items._keys
    else:
        keyed, shape = _keyed(items, key)
        keys = [pair[0] for pair in keyed]
    start: KeyValue | None = None
    if next_token is not None and next_token != "" and shape is not None:
        start = _parse_token(next_token, shape)
    if reverse:
        end = len(keys) if start is None else bisect.bisect_right(keys, start)
        order: Iterable[int] = range(end - 1, -1, -1)
    else:
        first = 0 if start is None else bisect.bisect_left(keys, start)
        order = range(first, len(keys))

    page: list[T] = []
    for index in order:
        record_key, record = keyed[index]
        if expression is not None and not _matches(expression, record_key, record, errors):
            continue
        if limit is not None and len(page) == limit:
            return Page(page, format_token(record_key), record_key)
        page.append(record)
    return Page(page)


async def aquery(
    items: AsyncIterable[T] | Iterable[T],
    *,
    filter: str | Expression | None = None,
    per_page: int | None = None,
    next_token: str | KeyValue | None = None,
    reverse: bool = False,
    key: KeySpec = "ID",
    errors: Errors = "fail",
    conflicting: Iterable[str] = (),
) -> Page[T]:
    """:func:`query` for records that come from an async iterable (an async
    database driver's cursor). A page is ordered by key, so every record is
    read first; raises :class:`ListingError` and nothing else.

    >>> import asyncio
    >>> async def jobs():
    ...     for job in [{"ID": "b", "Stop": False}, {"ID": "a", "Stop": True}]:
    ...         yield job
    >>> asyncio.run(aquery(jobs(), filter="Stop == false")).items
    [{'ID': 'b', 'Stop': False}]
    """
    if isinstance(items, AsyncIterable):
        try:
            records: Iterable[T] = [record async for record in items]
        except Exception as err:  # raised by the caller's iterable, as in query()
            raise _broken(f"the records cannot be listed: {type(err).__name__}") from err
    else:
        records = items
    return query(
        records,
        filter=filter,
        per_page=per_page,
        next_token=next_token,
        reverse=reverse,
        key=key,
        errors=errors,
        conflicting=conflicting,
    )


# The rows read per query when the page has no size, and the most a batch grows to.
_BATCH: Final = 1000


def _column_kind(column: Any) -> type:
    """int or str: the key type a column holds; 500 for any other."""
    try:
        python = column.type.python_type
    except (AttributeError, NotImplementedError):
        python = None
    if python is not None and issubclass(python, str):
        return str
    if python is not None and issubclass(python, int) and not issubclass(python, bool):
        return int
    raise _broken(
        f"the key column {getattr(column, 'key', column)!r} must hold integers or strings"
    )


def _query_rows(
    rows: Rows,
    expression: Expression | None,
    limit: int | None,
    next_token: str | KeyValue | None,
    reverse: bool,
    errors: Errors,
) -> Page[Any]:
    """:func:`query` on records in a database (see :class:`Rows`)."""
    import sqlalchemy as sa  # the [sql] extra: imported only for a database

    from bexpr import sql  # it imports SQLAlchemy: only for a database

    composite = isinstance(rows.key, tuple)
    key_columns: tuple[Any, ...] = rows.key if composite else (rows.key,)
    shape: _Shape = (composite, tuple(_column_kind(column) for column in key_columns))
    start: KeyValue | None = None
    if next_token is not None and next_token != "":
        start = _parse_token(next_token, shape)
    connection = rows.connection
    # Code point order, as Python's: PostgreSQL's default collation may not be.
    collate = connection.dialect.name == "postgresql"
    ordered = [
        column.collate("C") if collate and kind is str else column
        for column, kind in zip(key_columns, shape[1], strict=True)
    ]
    select = rows.select if isinstance(rows.select, sa.Select) else sa.select(rows.select)
    document, columns = rows.document, rows.columns
    if document is None and columns is None:
        columns = {str(column.key): column for column in select.selected_columns}
    labels = [column.label(f"bexpr_key_{n}") for n, column in enumerate(key_columns)]
    select = select.add_columns(*labels)
    try:
        if expression is None:
            pushed = sql.everything(select, document=document, columns=columns)
        else:
            pushed = sql.pushdown(
                connection, select, expression, document=document, columns=columns, errors=errors
            )
        position = sa.tuple_(*ordered) if composite else ordered[0]
        base = pushed.statement.order_by(None).order_by(
            *(column.desc() if reverse else column.asc() for column in ordered)
        )

        def bound(value: KeyValue, inclusive: bool) -> Any:
            literal = sa.tuple_(*value) if isinstance(value, tuple) else value
            if reverse:
                return position <= literal if inclusive else position < literal
            return position >= literal if inclusive else position > literal

        page: list[Any] = []
        batch = _BATCH if limit is None else min(limit + 1, _BATCH)
        after: KeyValue | None = None
        while True:
            statement = base
            if after is not None:
                statement = statement.where(bound(after, False))
            elif start is not None:
                statement = statement.where(bound(start, True))
            fetched = connection.execute(statement.limit(batch)).all()
            for row in fetched:
                own, decided, record = pushed.split(row)
                raw = own[-len(key_columns) :]
                record_key, _ = _normalize(tuple(raw) if composite else raw[0], len(page))
                if after is not None and not _beyond(record_key, after, reverse):
                    raise _broken(
                        f"the database gave the key {_shown(record_key)} after {_shown(after)}: "
                        "keys must be unique and ordered as code points"
                    )
                after = record_key
                item = record()
                undecided = decided is None and expression is not None
                if undecided and not _matches(expression, record_key, item, errors):  # type: ignore[arg-type]
                    continue
                if limit is not None and len(page) == limit:
                    return Page(page, format_token(record_key), record_key)
                page.append(item)
            if len(fetched) < batch:
                return Page(page)
            batch = min(batch * 2, 8 * _BATCH)
    except BexprError:
        raise
    except Exception as err:  # the database: its text may describe the server
        raise _broken(f"the records cannot be listed: {type(err).__name__}") from err


def _beyond(key: Any, after: Any, reverse: bool) -> bool:
    """Whether ``key`` comes strictly after ``after`` in the listing's order."""
    return bool(key < after if reverse else key > after)


def _matches(expression: Expression, key: KeyValue, record: Any, errors: Errors) -> bool:
    try:
        return expression.evaluate(record)
    except EvaluationError as err:
        if errors == "fail":
            raise ListingError(
                BAD_REQUEST,
                f"failed to evaluate the filter: {err}",
                parameter="filter",
                selector=err.selector,
                key=key,
            ) from err
        if callable(errors):
            try:
                errors(RecordError(key, record, err))
            except BexprError:
                raise
            except Exception as raised:
                raise _broken(f"the errors function raised {type(raised).__name__}") from raised
        return False


def _single(params: QueryParams) -> dict[str, str]:
    """The parameters as name -> value; a 400 when one of ours is given twice."""
    pairs: list[tuple[object, object]] = []
    try:
        if isinstance(params, str):
            pairs.extend(parse_qsl(params, keep_blank_values=True))
        elif isinstance(params, Mapping):
            for name, value in params.items():
                if isinstance(value, str) or not isinstance(value, Sequence):
                    pairs.append((name, value))
                else:
                    pairs.extend((name, item) for item in value)
        else:
            pairs.extend((name, value) for name, value in params)
    except (TypeError, ValueError):
        raise _bad("query parameters must be a query string, a mapping or pairs") from None
    values: dict[str, str] = {}
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            raise _bad("query parameter names and values must be strings")
        if name in values and name in _OURS:
            raise _bad(f"{name} is given more than once", name)
        values.setdefault(name, value)
    return values


_OURS: Final = frozenset({"filter", "per_page", "next_token", "reverse"})


@dataclass(frozen=True, slots=True)
class Params:
    """The validated list parameters of a request (see :meth:`parse`)."""

    filter: Expression | None = None
    """The compiled filter, or ``None`` for none."""
    per_page: int | None = None
    """The page size, or ``None`` for everything."""
    next_token: str | None = None
    """The token of the page to return, or ``None`` for the first."""
    reverse: bool = False
    """Whether the order is descending."""
    others: Mapping[str, str] = field(default_factory=dict)
    """The other query parameters, for the handler (their first value)."""

    @classmethod
    def parse(
        cls,
        params: QueryParams,
        *,
        exclusive: Iterable[str] = (),
        **options: Unpack[CompileOptions],
    ) -> Params:
        """Validate raw query parameters: ``filter``, ``per_page``, ``next_token``, ``reverse``.

        ``params`` is a query string (``"filter=...&per_page=2"``), a mapping
        of names to strings (or to lists of strings, as ``parse_qs`` gives)
        or (name, value) pairs; an empty value is the same as no value.
        ``per_page`` is a positive decimal integer; ``reverse`` is ``true``
        or ``false``; one of these four given twice is a 400. ``exclusive``
        names the endpoint's other filtering parameters (index-backed ones
        like ``prefix``) that ``filter`` cannot be combined with: a request
        giving both is a 400. ``options`` go to :func:`bexpr.compile`.

        Raises :class:`ListingError` (400) and nothing else.
        """
        values = _single(params)
        per_page: int | None = None
        raw = values.get("per_page", "")
        if raw:
            if not _PER_PAGE.fullmatch(raw):
                raise _bad_per_page(raw)
            per_page = _per_page(int(raw))
        reverse_text = values.get("reverse", "")
        if reverse_text not in ("", "true", "false"):
            raise _bad(f"invalid reverse {_shown(reverse_text)}: expected true or false", "reverse")
        text = values.get("filter", "")
        expression: Expression | None = None
        if text:
            used = [name for name in _names(exclusive) if values.get(name)]
            if used:
                raise _bad(
                    f"filter cannot be combined with {', '.join(used)}: use one or the other",
                    "filter",
                )
            try:
                expression = compile_expression(text, **options)
            except ParseError as err:
                raise ListingError.from_parse_error(err) from err
        return cls(
            filter=expression,
            per_page=per_page,
            next_token=values.get("next_token") or None,
            reverse=reverse_text == "true",
            others={name: value for name, value in values.items() if name not in _OURS},
        )

    def query(
        self, items: Iterable[T] | Index[T] | Rows, *, key: KeySpec = "ID", errors: Errors = "fail"
    ) -> Page[Any]:
        """The requested page of ``items`` (see :func:`query`)."""
        return query(
            items,
            filter=self.filter,
            per_page=self.per_page,
            next_token=self.next_token,
            reverse=self.reverse,
            key=key,
            errors=errors,
        )

    async def aquery(
        self, items: AsyncIterable[T] | Iterable[T], *, key: KeySpec = "ID", errors: Errors = "fail"
    ) -> Page[T]:
        """The requested page of records from an async iterable (see :func:`aquery`)."""
        return await aquery(
            items,
            filter=self.filter,
            per_page=self.per_page,
            next_token=self.next_token,
            reverse=self.reverse,
            key=key,
            errors=errors,
        )


def query_params(
    items: Iterable[T] | Index[T] | Rows,
    params: QueryParams,
    *,
    key: KeySpec = "ID",
    exclusive: Iterable[str] = (),
    errors: Errors = "fail",
) -> Page[Any]:
    """The page of ``items`` that raw query parameters ask for: one call for a handler.

    :meth:`Params.parse` then :func:`query`; raises :class:`ListingError`
    and nothing else.
    """
    return Params.parse(params, exclusive=exclusive).query(items, key=key, errors=errors)
