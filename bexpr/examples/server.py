"""An example Nomad-style HTTP API whose list endpoints filter with bexpr.

Two list endpoints over bundled example records, with the query parameters,
headers and status codes of Nomad's HTTP API (see docs/listing.md):

- ``GET /v1/jobs``: jobs in ascending order of ``ID``;
- ``GET /v1/deployments``: deployments in ascending order of
  ``CreateIndex`` (then ``ID``), as Nomad lists them; their tokens look like
  ``54.58fd0616-ce64-d14b-6917-03d0ab5af67e``.

Both take ``filter``, ``per_page``, ``next_token``, ``reverse=true`` and
``prefix`` (an ID prefix, which cannot be combined with ``filter``).
``GET /v1/filter/check`` and ``GET /v1/filter/complete`` help a UI write
filters for them (``resource=jobs|deployments``): diagnostics and the
canonical form, or what may be typed at a cursor, against a schema inferred
once from the resource's records (see :func:`infer_schema`). ``GET /ui`` is
such a UI: a filter editor in the browser (static files shipped in the
package, ``bexpr/examples/ui/``) that underlines problems as you type,
completes selectors and operators, and pages through the results. The
next page's token comes in the ``X-Nomad-Nexttoken`` header; ``?pretty``
indents the JSON, which is minimized otherwise; responses are gzipped for a
client that sends ``Accept-Encoding: gzip``. Errors are JSON objects with an
``error`` message: 400 for a bad parameter or filter (with the filter
error's position), 404 for an unknown path.

The records are the bundled examples in memory (sorted once, in a
:class:`bexpr.listing.Index`), or ``--data FILE``'s, or rows of a database
(``--database [URL]``: SQLite by default, in a file built from the
records, or PostgreSQL), where the listing runs in SQL
(:class:`bexpr.listing.Rows`) on worker threads, off the event loop.

Run it with ``python -m bexpr.examples.server [--host 127.0.0.1] [--port 4646]``
(or ``bexpr serve``) and open http://127.0.0.1:4646/ui for the editor;
it listens on the loopback interface unless told otherwise. It needs
``starlette`` and ``uvicorn``, which this module imports only when an app is
created or served (and SQLAlchemy, the ``sql`` extra, for a database).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bexpr import listing
from bexpr.analysis.check import check
from bexpr.analysis.complete import complete
from bexpr.analysis.schema import ANY, Type
from bexpr.api import parse

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEPLOYMENTS_KEY",
    "EXAMPLES",
    "EXCLUSIVE",
    "JOBS_KEY",
    "Database",
    "create_app",
    "infer_schema",
    "load_data",
    "load_example",
    "main",
    "open_database",
]

DEFAULT_HOST: Final = "127.0.0.1"
"""Where the server listens by default: this machine only."""

DEFAULT_PORT: Final = 4646
"""Nomad's HTTP port, so that Nomad's documented ``curl`` commands work."""

JOBS_KEY: Final = "ID"
"""Jobs are listed by ID."""

DEPLOYMENTS_KEY: Final = ("CreateIndex", "ID")
"""Deployments are listed by creation, as Nomad does: ``CreateIndex``, then ``ID``."""

EXCLUSIVE: Final = ("prefix",)
"""The index-backed filtering parameters that ``filter`` cannot be combined with."""

EXAMPLES: Final = ("jobs", "deployments")
"""The names of the bundled example data sets."""

_DATA_PACKAGE: Final = "bexpr.examples"
# From bexpr/examples/server.py up to the root of a source checkout.
_CHECKOUT_EXAMPLES: Final = Path(__file__).resolve().parents[2] / "examples"


def load_example(name: str) -> list[dict[str, Any]]:
    """The bundled example records called ``name`` (``"jobs"`` or ``"deployments"``).

    An installed wheel has them in the package (``bexpr/examples/data/``);
    a source checkout in ``examples/`` at its root.

    >>> from bexpr.examples.server import load_example
    >>> sorted(job["ID"] for job in load_example("jobs"))[:3]
    ['countdash', 'example', 'log-shipper']
    """
    if name not in EXAMPLES:
        raise ValueError(f"no example data called {name!r}; there are {', '.join(EXAMPLES)}")
    filename = f"{name}.json"
    packaged = resources.files(_DATA_PACKAGE).joinpath("data").joinpath(filename)
    if packaged.is_file():
        text = packaged.read_text(encoding="utf-8")
    else:
        checkout = _CHECKOUT_EXAMPLES / filename
        if not checkout.is_file():
            raise FileNotFoundError(
                f"example data {filename} is neither installed with bexpr "
                f"(bexpr/examples/data/) nor in a source checkout ({checkout})"
            )
        text = checkout.read_text(encoding="utf-8")
    records = json.loads(text)
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"example data {filename} is not a JSON array of objects")
    return records


def load_data(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The records in a JSON file: ``{"jobs": [...], "deployments": [...]}``
    (either may be left out), or an array of jobs. Jobs need an ``ID``,
    deployments a ``CreateIndex`` and an ``ID``; raises ``ValueError``
    saying what is wrong, or ``OSError``."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ValueError(f"{path} is not JSON: {err}") from None
    if isinstance(data, list):
        data = {"jobs": data}
    if not isinstance(data, dict) or not set(data) <= set(EXAMPLES):
        raise ValueError(
            f"{path} must hold an array of jobs or an object with "
            f"{' and/or '.join(repr(name) for name in EXAMPLES)}"
        )
    found: dict[str, list[dict[str, Any]]] = {}
    for name, records in data.items():
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ValueError(f"{path}: {name} must be an array of objects")
        found[name] = records
    return found


class Database:
    """The example's two tables, in a database an SQLAlchemy engine reaches.

    ``jobs`` is (``id`` text, the key; ``doc`` the record as JSON);
    ``deployments`` is (``create_index``, ``id``, ``doc``), keyed by both, as
    Nomad lists them. On PostgreSQL the key columns are ``COLLATE "C"``
    (code point order, which the listing uses) and ``doc`` is ``jsonb``
    with a GIN index.
    """

    def __init__(self, engine: Any) -> None:
        # SQLAlchemy is the optional [sql] extra: imported only for a database.
        import sqlalchemy as sa
        from sqlalchemy.dialects.postgresql import JSONB

        self.engine = engine
        postgres = engine.dialect.name == "postgresql"
        json_type = JSONB if postgres else sa.JSON
        text = sa.Text(collation="C") if postgres else sa.Text()
        self.metadata = sa.MetaData()
        self.jobs = sa.Table(
            "jobs",
            self.metadata,
            sa.Column("id", text, primary_key=True),
            sa.Column("doc", json_type, nullable=False),
        )
        self.deployments = sa.Table(
            "deployments",
            self.metadata,
            sa.Column("create_index", sa.BigInteger, primary_key=True),
            sa.Column("id", text, primary_key=True),
            sa.Column("doc", json_type, nullable=False),
        )
        if postgres:
            for table in (self.jobs, self.deployments):
                sa.Index(f"{table.name}_doc", table.c.doc, postgresql_using="gin")

    def create(
        self, jobs: Sequence[Mapping[str, Any]], deployments: Sequence[Mapping[str, Any]]
    ) -> None:
        """Create the tables and fill them, unless they exist."""
        import sqlalchemy as sa  # the optional [sql] extra: only for a database

        if sa.inspect(self.engine).has_table("jobs"):
            return
        self.metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            self.insert(connection, jobs, deployments)

    def insert(
        self,
        connection: Any,
        jobs: Sequence[Mapping[str, Any]],
        deployments: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Add records to the tables (a job's key is its ``ID``)."""
        if jobs:
            connection.execute(self.jobs.insert(), [{"id": j["ID"], "doc": j} for j in jobs])
        if deployments:
            connection.execute(
                self.deployments.insert(),
                [{"create_index": d["CreateIndex"], "id": d["ID"], "doc": d} for d in deployments],
            )

    def page(self, name: str, params: listing.Params, prefix: str) -> listing.Page[Any]:
        """One page of ``name``'s records: runs the listing in the database."""
        import sqlalchemy as sa  # the optional [sql] extra: only for a database

        table = self.jobs if name == "jobs" else self.deployments
        key = table.c.id if name == "jobs" else (table.c.create_index, table.c.id)
        select = sa.select(table.c.doc)
        if prefix:
            # substr, not LIKE: '%' and '_' in a prefix are characters.
            select = select.where(sa.func.substr(table.c.id, 1, len(prefix)) == prefix)
        try:
            connection = self.engine.connect()
        except Exception as err:  # its text may describe the server
            raise listing.ListingError(
                listing.SERVER_ERROR, f"the database is unavailable: {type(err).__name__}"
            ) from err
        with connection:
            return params.query(listing.Rows(connection, select, key, document=table.c.doc))


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    # WAL: readers see the last commit while a writer writes, instead of
    # failing with "database is locked"; a writer waits for another.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(
    url: Any,
    *,
    jobs: Sequence[Mapping[str, Any]] | None = None,
    deployments: Sequence[Mapping[str, Any]] | None = None,
) -> Database:
    """The example tables at ``url`` (a URL or an SQLAlchemy engine), created
    and filled with ``jobs`` and ``deployments`` (the bundled examples by
    default) if they do not exist yet."""
    import sqlalchemy as sa  # the optional [sql] extra: only for a database

    if isinstance(url, sa.Engine):
        engine = url
    else:
        # pool_pre_ping: a connection the server dropped is replaced, not used.
        engine = sa.create_engine(url, pool_pre_ping=True)
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
    database = Database(engine)
    database.create(
        load_example("jobs") if jobs is None else jobs,
        load_example("deployments") if deployments is None else deployments,
    )
    return database


_KINDS: Final[dict[type, Any]] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    list: "array",
    dict: "object",
}


def _infer(samples: Sequence[Any], top: bool = False) -> Type:
    """The type of the values seen at one place in the records.

    Nulls make it nullable; differing kinds (or only nulls) make it ``any``.
    A nested object whose values all have one kind is a ``map`` of that
    kind (Nomad's ``Meta``, ``JobSummary.Summary``, ``TaskGroups`` are keyed
    by names from the data), otherwise an ``object`` whose fields missing
    from some samples are optional.
    """
    present = [sample for sample in samples if sample is not None]
    nullable = len(present) < len(samples)
    kinds = {_KINDS.get(type(sample), "any") for sample in present}
    if kinds == {"integer", "number"}:
        kinds = {"number"}
    if len(kinds) != 1 or kinds == {"any"}:
        return ANY
    (kind,) = kinds
    if kind == "array":
        elements = [element for sample in present for element in sample]
        return Type("array", items=_infer(elements) if elements else None, nullable=nullable)
    if kind != "object":
        return Type(kind, nullable=nullable)
    if not top:
        values = [value for sample in present for value in sample.values()]
        if not values:
            return Type("map", nullable=nullable)
        items = _infer(values)
        if items.kind != "any":
            return Type("map", items=items, nullable=nullable)
    names = dict.fromkeys(name for sample in present for name in sample)
    fields: dict[str, Type] = {}
    for name in names:
        seen = [sample[name] for sample in present if name in sample]
        found = _infer(seen)
        if len(seen) < len(present):
            found = dataclasses.replace(found, optional=True)
        fields[name] = found
    return Type("object", fields=fields, nullable=nullable)


def infer_schema(records: Sequence[Mapping[str, Any]]) -> Type | None:
    """A schema for ``records``, for :func:`bexpr.check` and
    :func:`bexpr.complete`, inferred from the values they hold; ``None``
    (syntax only) when there are none.

    >>> from bexpr.examples.server import infer_schema
    >>> schema = infer_schema([{"ID": "a", "Meta": {"env": "prod"}}, {"ID": "b", "Meta": None}])
    >>> schema.fields["ID"].kind, schema.fields["Meta"].describe()
    ('string', 'nullable map')
    """
    if not records:
        return None
    return _infer([dict(record) for record in records], top=True)


_SCHEMA_SAMPLE: Final = 1000
"""How many rows of each table a database's schemas are inferred from."""


def _database_schemas(database: Database) -> dict[str, Type | None]:
    """The tables' schemas, inferred from their first rows."""
    import sqlalchemy as sa  # the optional [sql] extra: only for a database

    schemas: dict[str, Type | None] = {}
    with database.engine.connect() as connection:
        for name, table in (("jobs", database.jobs), ("deployments", database.deployments)):
            rows = connection.execute(sa.select(table.c.doc).limit(_SCHEMA_SAMPLE))
            schemas[name] = infer_schema([doc for (doc,) in rows if isinstance(doc, dict)])
    return schemas


_FILTER_PARAMETERS: Final = ("resource", "filter", "cursor")
_CURSOR: Final = re.compile(r"[0-9]{1,9}")


def _filter_parameters(
    request: Request, schemas: Mapping[str, Type | None]
) -> tuple[Type | None, str, str | None]:
    """The schema of ``resource``, the ``filter`` and the raw ``cursor``;
    a 400 :class:`listing.ListingError` for a missing or unknown resource or
    one of the three given twice. Other parameters are ignored, as the
    list endpoints ignore theirs."""
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in _FILTER_PARAMETERS and name in values:
            raise listing.ListingError(
                listing.BAD_REQUEST, f"{name} is given more than once", parameter=name
            )
        values.setdefault(name, value)
    resource = values.get("resource", "")
    known = ", ".join(schemas)
    if not resource:
        raise listing.ListingError(
            listing.BAD_REQUEST, f"resource is required: one of {known}", parameter="resource"
        )
    if resource not in schemas:
        raise listing.ListingError(
            listing.BAD_REQUEST,
            f"unknown resource {resource[:40]!r}: expected one of {known}",
            parameter="resource",
        )
    return schemas[resource], values.get("filter", ""), values.get("cursor")


def _check_endpoint(schemas: Mapping[str, Type | None]) -> Callable[[Request], Awaitable[Response]]:
    """``GET /v1/filter/check``: the filter's diagnostics and canonical form."""

    async def endpoint(request: Request) -> Response:
        try:
            schema, text, _ = _filter_parameters(request, schemas)
        except listing.ListingError as err:
            return _json(request, err.to_dict(), err.status)
        diagnostics = check(text, schema)
        canonical = None
        if not any(d.severity == "error" for d in diagnostics):
            canonical = str(parse(text))
        body = {"diagnostics": [d.to_json() for d in diagnostics], "canonical": canonical}
        return _json(request, body)

    return endpoint


def _complete_endpoint(
    schemas: Mapping[str, Type | None],
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /v1/filter/complete``: what may be typed at ``cursor`` in the filter."""

    async def endpoint(request: Request) -> Response:
        try:
            schema, text, raw = _filter_parameters(request, schemas)
            cursor = len(text)
            if raw:
                if not _CURSOR.fullmatch(raw) or int(raw) > len(text):
                    raise listing.ListingError(
                        listing.BAD_REQUEST,
                        f"invalid cursor {raw[:40]!r}: expected an offset "
                        f"from 0 to {len(text)}, the filter's length",
                        parameter="cursor",
                    )
                cursor = int(raw)
        except listing.ListingError as err:
            return _json(request, err.to_dict(), err.status)
        found = complete(text, cursor, schema)
        return _json(request, {"completions": [c.to_json() for c in found]})

    return endpoint


def _pretty(request: Request) -> bool:
    """Whether the client asked for indented JSON: ``?pretty``, unless ``pretty=0|false``."""
    value = request.query_params.get("pretty")
    return value is not None and value not in ("0", "false")


def _json(
    request: Request,
    data: Any,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.responses import Response

    if _pretty(request):
        body = json.dumps(data, indent=4, ensure_ascii=False) + "\n"
    else:
        body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status, headers, media_type="application/json")


def _matches_prefix(record: Mapping[str, Any], prefix: str) -> bool:
    identifier = record.get("ID")
    return isinstance(identifier, str) and identifier.startswith(prefix)


def _answer(request: Request, page: listing.Page[Any]) -> Response:
    token = page.next_token
    if token is not None and not (token.isascii() and token.isprintable()):
        # HTTP headers carry ASCII; Nomad's IDs always are.
        error = {"error": f"the next token {token!r} cannot be sent in a header", "status": 500}
        return _json(request, error, 500)
    return _json(request, page.items, headers=page.headers())


def _list_endpoint(
    records: Sequence[Mapping[str, Any]], key: listing.KeySpec
) -> Callable[[Request], Awaitable[Response]]:
    """A handler listing ``records`` by ``key`` as the request's parameters say."""
    broken: listing.ListingError | None = None
    try:
        index = listing.Index(records, key)  # sorted once, not per request
    except listing.ListingError as err:
        # Records that cannot be listed: every request says so (a 500).
        index, broken = listing.Index([]), err

    async def endpoint(request: Request) -> Response:
        try:
            if broken is not None:
                raise broken
            # multi_items keeps repeated parameters, which Params rejects.
            params = listing.Params.parse(request.query_params.multi_items(), exclusive=EXCLUSIVE)
            prefix = params.others.get("prefix", "")
            # Stands in for the index lookup that makes prefix cheap in Nomad.
            chosen: Any = [r for r in index if _matches_prefix(r, prefix)] if prefix else index
            page = params.query(chosen, key=key)
        except listing.ListingError as err:
            return _json(request, err.to_dict(), err.status)
        return _answer(request, page)

    return endpoint


def _database_endpoint(database: Database, name: str) -> Callable[[Request], Awaitable[Response]]:
    """A handler listing a table of ``database``, in SQL, on a worker thread."""
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.concurrency import run_in_threadpool

    async def endpoint(request: Request) -> Response:
        try:
            params = listing.Params.parse(request.query_params.multi_items(), exclusive=EXCLUSIVE)
            prefix = params.others.get("prefix", "")
            # A blocking driver: the event loop keeps serving meanwhile.
            page = await run_in_threadpool(database.page, name, params, prefix)
        except listing.ListingError as err:
            return _json(request, err.to_dict(), err.status)
        return _answer(request, page)

    return endpoint


async def _http_error(request: Request, exc: Exception) -> Response:
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.exceptions import HTTPException

    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        message = f"unknown path {request.url.path}"
    elif isinstance(exc, HTTPException) and exc.detail:
        message = exc.detail.lower()
    else:
        message = "internal server error"
    headers = exc.headers if isinstance(exc, HTTPException) else None
    return _json(request, {"error": message, "status": status}, status, headers)


_UI_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_UI_HEADERS: Final = {
    # Only the page's own files and the API on this origin: the page has no
    # inline script, style or handler, so an injected one would not run.
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Small files: revalidated on every load, so an upgraded package shows at once.
    "Cache-Control": "no-cache",
}


def _ui_files() -> dict[str, tuple[bytes, str]]:
    """The filter editor's files by name, read once: their bytes and media type.

    Read through :mod:`importlib.resources`, so they come from an installed
    wheel as from a checkout. Only these names are ever served: a request
    never reaches the file system, so no path can climb out of the folder.
    """
    folder: Traversable = resources.files(_DATA_PACKAGE).joinpath("ui")
    if not folder.is_dir():
        return {}
    files: dict[str, tuple[bytes, str]] = {}
    for entry in folder.iterdir():
        media_type = _UI_TYPES.get(Path(entry.name).suffix)
        if media_type is not None and entry.is_file():
            files[entry.name] = (entry.read_bytes(), media_type)
    return files


def _ui_endpoint(
    files: Mapping[str, tuple[bytes, str]],
) -> Callable[[Request], Awaitable[Response]]:
    """``GET /ui`` (the page) and ``GET /ui/<file>`` (its scripts and styles)."""
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.exceptions import HTTPException
    from starlette.responses import Response

    async def endpoint(request: Request) -> Response:
        name = request.path_params.get("name", "index.html")
        if name not in files:
            raise HTTPException(404)  # answered as JSON by _http_error
        body, media_type = files[name]
        return Response(body, headers=_UI_HEADERS, media_type=media_type)

    return endpoint


def create_app(
    *,
    jobs: Sequence[Mapping[str, Any]] | None = None,
    deployments: Sequence[Mapping[str, Any]] | None = None,
    database: Database | None = None,
    gzip_minimum_size: int = 0,
) -> Starlette:
    """The ASGI application, serving ``jobs`` and ``deployments`` (the bundled examples by default).

    With ``database`` (see :func:`open_database`), the records are its
    tables' rows instead, listed in SQL; ``app.state.database`` is it.
    The schemas of ``/v1/filter/check`` and ``/v1/filter/complete`` are
    inferred here, once, from the records (a database's first rows);
    ``app.state.schemas`` holds them. ``GET /ui`` serves the filter editor,
    whose files are read here, once.
    ``gzip_minimum_size`` is the smallest body that is compressed for a
    client that accepts gzip (0: every response, as Nomad does).
    """
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Route

    if database is not None:
        endpoints = {name: _database_endpoint(database, name) for name in EXAMPLES}
        schemas = _database_schemas(database)
    else:
        job_records = list(load_example("jobs") if jobs is None else jobs)
        deployment_records = list(
            load_example("deployments") if deployments is None else deployments
        )
        endpoints = {
            "jobs": _list_endpoint(job_records, JOBS_KEY),
            "deployments": _list_endpoint(deployment_records, DEPLOYMENTS_KEY),
        }
        # Inferred once: every check and completion request uses them.
        schemas = {
            "jobs": infer_schema(job_records),
            "deployments": infer_schema(deployment_records),
        }
    routes = [Route(f"/v1/{name}", endpoints[name], methods=["GET"]) for name in EXAMPLES]
    routes.append(Route("/v1/filter/check", _check_endpoint(schemas), methods=["GET"]))
    routes.append(Route("/v1/filter/complete", _complete_endpoint(schemas), methods=["GET"]))
    ui = _ui_endpoint(_ui_files())
    routes.append(Route("/ui", ui, methods=["GET"]))
    # /ui/ explicitly: it would otherwise be redirected to /ui.
    routes.append(Route("/ui/", ui, methods=["GET"]))
    routes.append(Route("/ui/{name}", ui, methods=["GET"]))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=gzip_minimum_size)],
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
    )
    app.state.database = database
    app.state.schemas = schemas
    return app


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return port


def _database_url(url: str) -> str:
    """The URL to open: ``url``, or a new SQLite file in a temporary directory."""
    if url:
        return url

    directory = tempfile.mkdtemp(prefix="bexpr-serve-")
    path = Path(directory) / "examples.sqlite3"
    print(f"serving from the SQLite database {path}", file=sys.stderr)
    return f"sqlite:///{path}"


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Serve the example API with uvicorn until interrupted; the exit status."""
    parser = argparse.ArgumentParser(
        prog=prog or "python -m bexpr.examples.server",
        description="Serve an example Nomad-style API (/v1/jobs, /v1/deployments) "
        "whose list endpoints take a bexpr filter, per_page, next_token and reverse, "
        "and a filter editor for them in the browser at /ui "
        f"(http://{DEFAULT_HOST}:{DEFAULT_PORT}/ui by default).",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help=f"the port to listen on (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="uvicorn's log level (default info)",
    )
    parser.add_argument(
        "--data",
        metavar="FILE",
        help="serve the records in FILE (JSON: an array of jobs, or an object with "
        '"jobs" and/or "deployments" arrays) instead of the bundled examples',
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        nargs="?",
        const="",
        help="list the records in a database, in SQL: an SQLAlchemy URL "
        "(sqlite:///file.db, postgresql+psycopg://...), whose jobs and deployments "
        "tables are created and filled if missing; with no URL, a new SQLite file",
    )
    args = parser.parse_args(argv)
    try:
        # uvicorn is the optional [server] extra: imported only when serving.
        import uvicorn

        data = load_data(args.data) if args.data else {}
        records = {"jobs": data.get("jobs"), "deployments": data.get("deployments")}
        if args.data:
            # Only what the file holds: no example records beside the user's.
            records = {name: found or [] for name, found in records.items()}
        database = None
        if args.database is not None:
            database = open_database(
                _database_url(args.database),
                jobs=records["jobs"],
                deployments=records["deployments"],
            )
        app: ASGIApp = create_app(
            jobs=records["jobs"], deployments=records["deployments"], database=database
        )
    except ImportError as err:
        print(
            f"the example server needs starlette and uvicorn ({err}); install them with:\n"
            "  python3 -m pip install 'bexpr[server]'   (from a checkout: '.[server]')\n"
            "and for --database, SQLAlchemy: 'bexpr[server,sql]'",
            file=sys.stderr,
        )
        return 2
    except listing.ListingError as err:
        print(f"cannot serve the records: {err}", file=sys.stderr)
        return 3
    except (OSError, ValueError, KeyError) as err:
        print(f"cannot load the records: {err}", file=sys.stderr)
        return 3
    except Exception as err:  # the database: a bad URL, a server that refuses
        print(f"cannot open the database: {type(err).__name__}: {err}", file=sys.stderr)
        return 3
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
