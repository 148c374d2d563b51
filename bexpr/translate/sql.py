"""A bexpr filter as a SQLAlchemy Core expression, exact by construction.

Every node becomes a SQL boolean that is TRUE (the record certainly
matches), FALSE (it certainly does not, and the reference raises no error
on it) or NULL ("maybe": the database cannot decide it cheaply, or the
reference would raise an error there). A query keeps ``WHERE m IS NOT
FALSE`` and the rows where ``m`` is NULL are re-checked by the Python
evaluator on the row's record (:func:`bexpr.sql.execute`), which accepts,
rejects or raises exactly as the reference does. So the database only ever
answers what it can answer the reference's way:

- the data is never cast: the literal is converted at translation time into
  each of its Go readings (``ParseBool``, ``ParseInt``, ``ParseFloat``, the
  string) and the test dispatches on the value's JSON type (``json_type``,
  ``jsonb_typeof``);
- JSON null, SQL NULL and a missing key stay apart; a missing key below an
  object gives the operator's fixed result, anything else (a missing key at
  the top, a step into a list or a scalar) is left to Python;
- ``and``/``or`` keep go-bexpr's left-to-right order (a NULL on the left is
  NULL, whatever the right says), and ``not`` keeps NULL as NULL;
- substrings use ``instr``/``strpos``, never ``LIKE``; a pattern is decided
  in SQL only when it is a plain prefix, suffix, equality or substring, or
  on SQLite through a registered function that runs bexpr's own matcher
  (:func:`register_sqlite`);
- every key, value and pattern is a bound parameter: no text of the filter
  is ever formatted into SQL.

Records are (a) JSON documents in one column (SQLite JSON1 text, PostgreSQL
``jsonb``), (b) typed columns, each the value of a top-level selector, or
(c) both: a mapping may send a selector to a JSON column, below which the
path continues inside the document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from bexpr.evaluation.operations import canonical_int, plain_pattern, searcher
from bexpr.go import re2
from bexpr.go.strconv import (
    INT64_MAX,
    INT64_MIN,
    ConversionError,
    Converted,
    convert,
    parse_int,
)
from bexpr.options import Options
from bexpr.syntax.ast import And, Match, MatchOp, Node, Or
from bexpr.syntax.visitor import Visitor
from bexpr.translate.core import Logic, Translator, undecidable

__all__ = ["MATCHES_FUNCTION", "Translation", "register_sqlite", "translate_tree"]

MATCHES_FUNCTION: Final = "bexpr_matches"
"""The SQLite function :func:`register_sqlite` registers for ``matches``."""

SQL = ColumnElement[Any]
_TRUE: Final = sa.true()
_FALSE: Final = sa.false()
_NULL: Final = sa.cast(sa.null(), sa.Boolean)  # typed: PostgreSQL types CASE by its results

# A JSON number whose text has 18 digits or fewer is an int64, whatever its value.
_INT_TEXT: Final = r"^-?[0-9]{1,18}$"


@dataclass(frozen=True)
class Translation:
    """A filter as SQL: ``where`` is TRUE, FALSE or NULL ("maybe") per row.

    ``exact`` says that ``where`` is never NULL, so no row needs the Python
    re-check: select with ``WHERE where`` and be done.
    """

    where: SQL
    exact: bool
    prefilter: SQL | None = None
    """A condition every row whose record matches satisfies, written so an
    index can answer it (``doc @> '{"Name": "web"}'`` for a GIN index on a
    ``jsonb`` column, ``name = 'web'`` for a typed column), or None.

    It may only be added to a query whose records that fail are skipped
    (``errors="skip"``): a record the reference fails on need not satisfy
    it, and with ``errors="fail"`` that record must still be found, so every
    row has to be read. :func:`bexpr.sql.execute` adds it when it may.
    """


def _literal(value: Any) -> SQL:
    """A bound parameter holding ``value``."""
    return sa.literal(value)


class _SqlLogic(Logic[SQL]):
    """The three values as SQL booleans: TRUE, FALSE and NULL.

    A simple CASE reads its operand once: a CASE that tested ``left IS
    NULL`` and then ``left`` would hold it twice, and a nested filter's SQL
    would double in size at each level.
    """

    @property
    def true(self) -> SQL:
        return _TRUE

    @property
    def false(self) -> SQL:
        return _FALSE

    @property
    def maybe(self) -> SQL:
        return _NULL

    def and_(self, left: SQL, right: SQL) -> SQL:
        # SQL's own FALSE AND NULL is FALSE where the reference raises on the left.
        return sa.case({True: right, False: _FALSE}, value=left)

    def or_(self, left: SQL, right: SQL) -> SQL:
        return sa.case({True: _TRUE, False: right}, value=left)

    def not_(self, operand: SQL) -> SQL:
        # Not SQL's NOT, though it keeps NULL too: a bare ``NOT CASE ... END``
        # under ``IS NOT FALSE`` would parse as ``NOT (... IS NOT FALSE)``.
        return sa.case({True: _FALSE, False: _TRUE}, value=operand)


_LOGIC: Final = _SqlLogic()
_not = _LOGIC.not_


class _Path:
    """A path into a JSON document, as the dialect addresses it."""

    def __init__(self, dialect: str, document: SQL, keys: tuple[str, ...]) -> None:
        self.dialect = dialect
        self.document = document
        self.keys = keys

    @property
    def addressable(self) -> bool:
        # SQLite's JSON path syntax has no escape inside a quoted label, and
        # it matches a label against a key's text as stored: keys with '"'
        # or a backslash are left to Python.
        return self.dialect != "sqlite" or all(
            '"' not in key and "\\" not in key for key in self.keys
        )

    def absent(self, result: SQL) -> SQL:
        """``result`` where the key is missing. SQLite (before 3.45) matches
        path labels against keys as stored, so a key written with an escape
        (``"\\u65e5"``) looks missing: it is only believed missing when the
        document holds no backslash at all."""
        if self.dialect != "sqlite":
            return result
        return sa.case((sa.func.instr(self.document, _literal("\\")) == 0, result), else_=_NULL)

    def _sqlite_path(self, keys: tuple[str, ...]) -> SQL:
        return _literal("$" + "".join(f'."{key}"' for key in keys))

    def _pg_path(self, keys: tuple[str, ...]) -> SQL:
        return sa.literal(list(keys), sa.ARRAY(sa.Text))

    def kind(self, keys: tuple[str, ...] | None = None) -> SQL:
        """The JSON type name of the value at ``keys`` (default: this path); NULL if missing."""
        keys = self.keys if keys is None else keys
        if self.dialect == "sqlite":
            return sa.func.json_type(self.document, self._sqlite_path(keys))
        return sa.func.jsonb_typeof(self.document.op("#>")(self._pg_path(keys)))

    def text(self) -> SQL:
        """The value as SQL text (a JSON string's content; numbers' text on PostgreSQL)."""
        if self.dialect == "sqlite":
            return sa.func.json_extract(self.document, self._sqlite_path(self.keys))
        return self.document.op("#>>", return_type=sa.Text)(self._pg_path(self.keys))

    def value(self) -> SQL:
        """The value as the dialect holds it (SQLite: native; PostgreSQL: jsonb)."""
        if self.dialect == "sqlite":
            return sa.func.json_extract(self.document, self._sqlite_path(self.keys))
        return self.document.op("#>")(self._pg_path(self.keys))

    def child(self, key: str) -> _Path:
        return _Path(self.dialect, self.document, (*self.keys, key))


# The JSON type names each dialect gives.
_KINDS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "sqlite": {
        "string": ("text",),
        "boolean": ("true", "false"),
        "integer": ("integer",),
        "float": ("real",),
        "number": ("integer", "real"),
        "null": ("null",),
        "array": ("array",),
        "object": ("object",),
    },
    "postgresql": {
        "string": ("string",),
        "boolean": ("boolean",),
        "number": ("number",),
        "null": ("null",),
        "array": ("array",),
        "object": ("object",),
    },
}


class _Translator(Translator[SQL]):
    """Each node to a TRUE/FALSE/NULL SQL expression."""

    def __init__(
        self,
        options: Options,
        dialect: str,
        document: SQL | None,
        columns: Mapping[str, Any],
    ) -> None:
        super().__init__(_LOGIC)
        self.options = options
        self.dialect = dialect
        self.document = document
        self.columns = columns
        self.kinds = _KINDS[dialect]

    def is_kind(self, kind_expression: SQL, kind: str) -> SQL:
        names = self.kinds[kind]
        return kind_expression == names[0] if len(names) == 1 else kind_expression.in_(names)

    # -- matches ---------------------------------------------------------------
    def visit_match(self, node: Match, *args: Any) -> SQL:
        op = node.op
        positive = op.positive
        conv = convert(node.value.raw if node.value is not None else "")
        head, rest = node.selector.path[0], node.selector.path[1:]
        column = self.columns.get(head)
        if column is not None and not _is_json(column):
            if rest:
                return self.maybe()  # a typed column has no fields
            result = self.typed(positive, conv, column, node)
        elif column is not None:
            result = self.document_match(positive, conv, _Path(self.dialect, column, rest), 0, node)
        elif self.document is not None:
            path = _Path(self.dialect, self.document, node.selector.path)
            result = self.document_match(positive, conv, path, 1, node)
        else:
            return self.maybe()  # a selector no column maps: Python decides
        return _not(result) if op.negative else result

    def typed(self, op: MatchOp, conv: Converted, column: Any, node: Match) -> SQL:
        """A match on a typed column: its SQL type is the value's Go type."""
        python = _python_type(column)
        if python is None:
            return self.maybe()
        if op is MatchOp.IS_NIL:
            # A typed column holds a scalar (nil is an error) or NULL (nil).
            self.exact = False
            return sa.case((column.is_(None), _TRUE), else_=_NULL)
        if getattr(column, "nullable", True):
            self.exact = False  # a NULL is None to the reference: an error here
        if python is str:
            test = self.string_test(op, conv, column)
        elif op is MatchOp.EQUAL:
            reading = {bool: conv.as_bool, int: conv.as_int, float: conv.as_float}[python]
            if isinstance(reading, ConversionError):
                return self.maybe()  # the reference: a conversion error
            test = column == _literal(reading)
        else:
            return self.maybe()  # in/empty/matches on a number or bool: an error
        if test is None:
            return self.maybe()
        return sa.case((column.is_(None), _NULL), else_=test)

    def string_test(self, op: MatchOp, conv: Converted, text: SQL) -> SQL | None:
        """An operator on a SQL text value; None when SQL cannot decide it."""
        raw = conv.raw
        if op is MatchOp.EQUAL:
            return text == _literal(raw)
        if op is MatchOp.IN:
            return self.position(text, raw) > 0
        if op is MatchOp.IS_EMPTY:
            return text == _literal("")
        if op is MatchOp.MATCHES:
            return self.pattern(text, raw)
        return None

    def position(self, text: SQL, raw: str) -> SQL:
        function = sa.func.instr if self.dialect == "sqlite" else sa.func.strpos
        return function(text, _literal(raw))

    def pattern(self, text: SQL, raw: str) -> SQL | None:
        try:
            found = plain_pattern(raw)
            searcher(raw, "", self.options.regex_timeout)
        except re2.RE2SyntaxError:
            return None  # the reference reports the invalid pattern
        if found is not None:
            kind, literal = found
            if literal == "" and kind != "equal":
                return _TRUE
            size = _literal(len(literal))
            if kind == "equal":
                return text == _literal(literal)
            if kind == "contains":
                return self.position(text, literal) > 0
            start: SQL = sa.literal(1)
            if kind == "suffix":
                start = sa.func.length(text) - size + 1
            test: SQL = sa.func.substr(text, start, size) == _literal(literal)
            return test
        if self.dialect == "sqlite":
            # Registered on the connection: bexpr's own matcher, NULL on a timeout.
            self.exact = False
            matched: SQL = getattr(sa.func, MATCHES_FUNCTION)(_literal(raw), text) == 1
            return matched
        return None

    def document_match(
        self, op: MatchOp, conv: Converted, path: _Path, depth: int, node: Match
    ) -> SQL:
        """A match on a path inside a JSON document. ``depth`` is 1 for a
        document holding the whole record (its first key is the record's
        top, where a missing key is an error) and 0 below a mapped JSON column
        (already one level down)."""
        self.exact = False  # documents are checked in SQL, but a key may be missing
        if not path.addressable:
            return _NULL
        keys = path.keys
        if not keys:
            return self.value_test(op, conv, path)
        conditions: list[tuple[SQL, SQL]] = []
        # The record itself, and every step above the last, must be an
        # object: a list, a scalar or a missing key there is Python's.
        for size in range(len(keys)):
            conditions.append((path.kind(keys[:size]).is_distinct_from("object"), _NULL))
        missing = _NULL if len(keys) == 1 and depth == 1 else sa.literal(op.when_missing)
        conditions.append((path.kind().is_(None), path.absent(missing)))
        return sa.case(*conditions, else_=self.value_test(op, conv, path))

    def value_test(self, op: MatchOp, conv: Converted, path: _Path) -> SQL:
        """An operator on the JSON value at ``path``, known to be present."""
        kind = path.kind()
        branches: list[tuple[SQL, SQL]] = []
        if op is MatchOp.IS_NIL:
            branches.append((self.is_kind(kind, "null"), _TRUE))
            branches.append((kind.in_(self.kinds["array"] + self.kinds["object"]), _FALSE))
            return sa.case(*branches, else_=_NULL)
        string = self.string_test(op, conv, path.text())
        if string is not None:
            branches.append((self.is_kind(kind, "string"), string))
        if op is MatchOp.EQUAL:
            branches += self.scalar_equal(conv, path, kind)
        elif op is MatchOp.IN:
            branches += self.container_in(conv, path, kind)
        elif op is MatchOp.IS_EMPTY:
            branches += self.container_empty(path, kind)
        if not branches:
            return self.maybe()
        return sa.case(*branches, else_=_NULL)

    def scalar_equal(self, conv: Converted, path: _Path, kind: SQL) -> list[tuple[SQL, SQL]]:
        branches: list[tuple[SQL, SQL]] = []
        if not isinstance(conv.as_bool, ConversionError):
            if self.dialect == "sqlite":
                wanted = "true" if conv.as_bool else "false"
                branches.append((self.is_kind(kind, "boolean"), kind == _literal(wanted)))
            else:
                reading = sa.cast(_literal(json.dumps(conv.as_bool)), _jsonb())
                branches.append((self.is_kind(kind, "boolean"), path.value() == reading))
        if self.dialect == "sqlite":
            # SQLite reads an integer past int64 as a real: Python's.
            int64 = sa.and_(kind == "integer", sa.func.typeof(path.value()) == "integer")
            if not isinstance(conv.as_int, ConversionError):
                branches.append((int64, path.value() == _literal(conv.as_int)))
            if not isinstance(conv.as_float, ConversionError):
                branches.append((kind == "real", path.value() == _literal(conv.as_float)))
        elif not isinstance(conv.as_int, ConversionError):
            # An integer's text is canonical in jsonb; larger numbers and
            # floats (whose text is not theirs) are Python's.
            integer = path.text().regexp_match(_INT_TEXT)
            equal = path.text() == _literal(str(conv.as_int))
            branches.append((sa.and_(self.is_kind(kind, "number"), integer), equal))
        return branches

    def container_in(self, conv: Converted, path: _Path, kind: SQL) -> list[tuple[SQL, SQL]]:
        raw = conv.raw
        branches: list[tuple[SQL, SQL]] = []
        if self.dialect == "sqlite":
            key = path.child(raw)
            if key.addressable:
                found = sa.case((key.kind().is_not(None), _TRUE), else_=key.absent(_FALSE))
                branches.append((kind == "object", found))
        else:
            value = path.value()
            branches.append((kind == "object", value.op("?")(_literal(raw))))
        branches.append((self.is_kind(kind, "array"), self.array_contains(conv, path)))
        return branches

    def array_contains(self, conv: Converted, path: _Path) -> SQL:
        """``raw in list``: element by element, as the reference converts the
        value per element type; NULL where an element would be an error."""
        raw = conv.raw
        if self.dialect == "sqlite":
            elements = sa.func.json_each(path.document, path._sqlite_path(path.keys)).table_valued(
                "type", "value"
            )
            element_kind: SQL = elements.c.type
            element = elements.c.value
            matches = [sa.and_(element_kind == "text", element == _literal(raw))]
            if not isinstance(conv.as_bool, ConversionError):
                matches.append(element_kind == ("true" if conv.as_bool else "false"))
            # SQLite holds an integer past int64 as a real: Python's.
            int64 = sa.and_(element_kind == "integer", sa.func.typeof(element) == "integer")
            canonical = canonical_int(raw)
            if canonical is not None and INT64_MIN <= canonical <= INT64_MAX:
                matches.append(sa.and_(int64, element == _literal(canonical)))
            if not isinstance(conv.as_float, ConversionError):
                matches.append(sa.and_(element_kind == "real", element == _literal(conv.as_float)))
            bad = element_kind.in_(("null", "array", "object"))
            undecided = sa.and_(element_kind == "integer", sa.not_(int64))
        else:
            elements = sa.func.jsonb_array_elements(path.value()).table_valued("value")
            element = elements.c.value
            element_kind = sa.func.jsonb_typeof(element)
            matches = [
                sa.and_(
                    element_kind == "string",
                    element.op("#>>", return_type=sa.Text)(_pg_empty()) == _literal(raw),
                )
            ]
            if not isinstance(conv.as_bool, ConversionError):
                reading = sa.cast(_literal(json.dumps(conv.as_bool)), _jsonb())
                matches.append(sa.and_(element_kind == "boolean", element == reading))
            bad = element_kind.in_(("null", "array", "object"))
            # Numbers (int or float, by their text) are left to Python.
            undecided = element_kind == "number"
        hit = sa.exists(sa.select(1).select_from(elements).where(sa.or_(*matches)))
        error = sa.exists(sa.select(1).select_from(elements).where(bad))
        branches: list[tuple[SQL, SQL]] = [(error, _NULL), (hit, _TRUE)]
        if undecided is not None:
            branches.append((sa.exists(sa.select(1).select_from(elements).where(undecided)), _NULL))
        return sa.case(*branches, else_=_FALSE)

    def container_empty(self, path: _Path, kind: SQL) -> list[tuple[SQL, SQL]]:
        if self.dialect == "sqlite":
            document, where = path.document, path._sqlite_path(path.keys)
            return [
                (kind == "array", sa.func.json_array_length(document, where) == 0),
                (kind == "object", path.value() == _literal("{}")),
            ]
        value = path.value()
        return [
            (kind == "array", sa.func.jsonb_array_length(value) == 0),
            (kind == "object", value == sa.cast(_literal("{}"), _jsonb())),
        ]


class _Prefilter(Visitor[SQL | None]):
    """A sargable condition that every matching record satisfies, or None.

    Only what is exact is emitted: ``==`` (never negated) whose literal has
    no numeric reading, on a path of object keys. A number is not: the
    reference compares float64s, so ``5.0000000000000001`` equals ``5`` to
    it but not to ``jsonb``, and a key that reads as a list index (``0``,
    ``""``) might step into a list. ``in`` is not: ``"dc2" in Datacenters``
    also matches a string that contains ``dc2`` and an object with that key,
    which no containment test covers.
    """

    def __init__(self, dialect: str, document: SQL | None, columns: Mapping[str, Any]) -> None:
        self.dialect = dialect
        self.document = document
        self.columns = columns

    def visit_and(self, node: And, *args: Any) -> SQL | None:
        # Every operand of a kept record is true: each condition holds.
        found = [c for c in (self.visit(o) for o in node.operands) if c is not None]
        return sa.and_(*found) if found else None

    def visit_or(self, node: Or, *args: Any) -> SQL | None:
        # One operand is true: one of their conditions holds, if each has one.
        found = [self.visit(o) for o in node.operands]
        return None if any(c is None for c in found) else sa.or_(*found)  # type: ignore[arg-type]

    def visit_match(self, node: Match, *args: Any) -> SQL | None:
        if node.op is not MatchOp.EQUAL or node.value is None:
            return None
        conv = convert(node.value.raw)
        head, rest = node.selector.path[0], node.selector.path[1:]
        column = self.columns.get(head)
        if column is not None and not _is_json(column):
            return None if rest else self.typed(conv, column)
        if column is not None:
            return self.contains(conv, column, rest)
        if self.document is not None:
            return self.contains(conv, self.document, node.selector.path)
        return None

    def typed(self, conv: Converted, column: Any) -> SQL | None:
        python = _python_type(column)
        if python is str:
            return column == _literal(conv.raw)  # type: ignore[no-any-return]
        if python is None:
            return None
        reading = {bool: conv.as_bool, int: conv.as_int, float: conv.as_float}.get(python)
        if reading is None or isinstance(reading, ConversionError):
            return None
        return column == _literal(reading)  # type: ignore[no-any-return]

    def contains(self, conv: Converted, document: SQL, keys: tuple[str, ...]) -> SQL | None:
        if self.dialect != "postgresql" or any(_index_like(key) for key in keys):
            return None
        if not isinstance(conv.as_int, ConversionError) or not isinstance(
            conv.as_float, ConversionError
        ):
            return None
        readings: list[Any] = [conv.raw]
        if not isinstance(conv.as_bool, ConversionError):
            readings.append(conv.as_bool)
        tests = []
        for reading in readings:
            wanted: Any = reading
            for key in reversed(keys):
                wanted = {key: wanted}
            tests.append(document.op("@>")(sa.cast(_literal(json.dumps(wanted)), _jsonb())))
        return sa.or_(*tests)


def _index_like(key: str) -> bool:
    """Whether a list would take ``key`` as an index (an empty key is 0)."""
    if key == "":
        return True
    try:
        parse_int(key)
    except ConversionError:
        return False
    return True


def _jsonb() -> Any:
    # The PostgreSQL dialect's module is loaded only when it is translated for.
    from sqlalchemy.dialects.postgresql import JSONB

    return JSONB


def _pg_empty() -> SQL:
    return sa.literal([], sa.ARRAY(sa.Text))


def _is_json(column: Any) -> bool:
    return isinstance(getattr(column, "type", None), sa.JSON)


def _python_type(column: Any) -> type | None:
    """The Python type a typed column's values have, or None if unknown."""
    try:
        python = column.type.python_type
    except (AttributeError, NotImplementedError):
        return None
    if python is bool or python is str:
        return python
    if issubclass(python, bool):
        return bool
    if issubclass(python, int):
        return int
    if issubclass(python, float):
        return float
    return None


def translate_tree(
    tree: Node,
    options: Options,
    dialect: str,
    document: SQL | None = None,
    columns: Mapping[str, Any] | None = None,
) -> Translation:
    """Translate a syntax tree for ``dialect`` (``"sqlite"`` or ``"postgresql"``)."""
    if dialect not in _KINDS:
        raise ValueError(f"bexpr.sql supports sqlite and postgresql, not {dialect!r}")
    if undecidable(options):
        return Translation(_NULL, False)  # every row is re-checked
    translator = _Translator(options, dialect, document, columns or {})
    where = translator.visit(tree)
    prefilter = _Prefilter(dialect, document, columns or {}).visit(tree)
    return Translation(where, translator.exact, prefilter)


def register_sqlite(dbapi_connection: Any, options: Options | None = None) -> None:
    """Register the ``matches`` function on a ``sqlite3`` connection.

    ``bexpr_matches(pattern, text)`` runs bexpr's own RE2 matcher: 1 or 0, or
    NULL when the pattern is invalid or a match runs past ``regex_timeout``
    (the row is then re-checked in Python, which reports it). Call it from an
    engine's ``connect`` event, or let :func:`bexpr.sql.execute` do it.
    """
    timeout = (options or Options()).regex_timeout

    def matches(pattern: Any, text: Any) -> int | None:
        if not isinstance(pattern, str) or not isinstance(text, str):
            return None
        try:
            return int(searcher(pattern, "", timeout)(text))
        except Exception:  # an invalid pattern or a timeout: Python decides
            return None

    dbapi_connection.create_function(MATCHES_FUNCTION, 2, matches, deterministic=True)
