"""An example Nomad-style HTTP API whose list endpoints filter with bexpr.

Two list endpoints over bundled example records, with the query parameters,
headers and status codes of Nomad's HTTP API (see docs/listing.md):

- ``GET /v1/jobs``: jobs in ascending order of ``ID``;
- ``GET /v1/deployments``: deployments in ascending order of
  ``CreateIndex`` (then ``ID``), as Nomad lists them; their tokens look like
  ``54.58fd0616-ce64-d14b-6917-03d0ab5af67e``.

Both take ``filter``, ``per_page``, ``next_token``, ``reverse=true`` and
``prefix`` (an ID prefix, which cannot be combined with ``filter``). The
next page's token comes in the ``X-Nomad-Nexttoken`` header; ``?pretty``
indents the JSON, which is minimized otherwise; responses are gzipped for a
client that sends ``Accept-Encoding: gzip``. Errors are JSON objects with an
``error`` message: 400 for a bad parameter or filter (with the filter
error's position), 404 for an unknown path.

Run it with ``python -m bexpr.examples.server [--host 127.0.0.1] [--port 4646]``;
it listens on the loopback interface unless told otherwise. It needs
``starlette`` and ``uvicorn``, which this module imports only when an app is
created or served.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from bexpr import listing

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
    "create_app",
    "load_example",
    "main",
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


def _list_endpoint(
    records: Sequence[Mapping[str, Any]], key: listing.KeySpec
) -> Callable[[Request], Awaitable[Response]]:
    """A handler listing ``records`` by ``key`` as the request's parameters say."""

    async def endpoint(request: Request) -> Response:
        try:
            # multi_items keeps repeated parameters, which Params rejects.
            params = listing.Params.parse(request.query_params.multi_items(), exclusive=EXCLUSIVE)
            prefix = params.others.get("prefix", "")
            # Stands in for the index lookup that makes prefix cheap in Nomad.
            chosen = [r for r in records if _matches_prefix(r, prefix)] if prefix else records
            page = params.query(chosen, key=key)
        except listing.ListingError as err:
            return _json(request, err.to_dict(), err.status)
        token = page.next_token
        if token is not None and not (token.isascii() and token.isprintable()):
            # HTTP headers carry ASCII; Nomad's IDs always are.
            error = {"error": f"the next token {token!r} cannot be sent in a header", "status": 500}
            return _json(request, error, 500)
        return _json(request, page.items, headers=page.headers())

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


def create_app(
    *,
    jobs: Sequence[Mapping[str, Any]] | None = None,
    deployments: Sequence[Mapping[str, Any]] | None = None,
    gzip_minimum_size: int = 0,
) -> Starlette:
    """The ASGI application, serving ``jobs`` and ``deployments`` (the bundled examples by default).

    ``gzip_minimum_size`` is the smallest body that is compressed for a
    client that accepts gzip (0: every response, as Nomad does).
    """
    # starlette is the optional [server] extra: imported only when serving.
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.routing import Route

    job_records = list(load_example("jobs") if jobs is None else jobs)
    deployment_records = list(load_example("deployments") if deployments is None else deployments)
    routes = [
        Route("/v1/jobs", _list_endpoint(job_records, JOBS_KEY), methods=["GET"]),
        Route(
            "/v1/deployments",
            _list_endpoint(deployment_records, DEPLOYMENTS_KEY),
            methods=["GET"],
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(GZipMiddleware, minimum_size=gzip_minimum_size)],
        exception_handlers={HTTPException: _http_error, Exception: _http_error},
    )


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}")
    return port


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Serve the example API with uvicorn until interrupted; the exit status."""
    parser = argparse.ArgumentParser(
        prog=prog or "python -m bexpr.examples.server",
        description="Serve an example Nomad-style API (/v1/jobs, /v1/deployments) "
        "whose list endpoints take a bexpr filter, per_page, next_token and reverse.",
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
    args = parser.parse_args(argv)
    try:
        # uvicorn is the optional [server] extra: imported only when serving.
        import uvicorn

        app: ASGIApp = create_app()
    except ImportError as err:
        print(
            f"the example server needs starlette and uvicorn ({err}); install them with:\n"
            "  python3 -m pip install 'bexpr[server]'   (from a checkout: '.[server]')",
            file=sys.stderr,
        )
        return 2
    except (OSError, ValueError) as err:
        print(f"cannot load the example data: {err}", file=sys.stderr)
        return 3
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
