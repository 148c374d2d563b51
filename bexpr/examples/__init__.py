"""Runnable examples built on bexpr.

- :mod:`bexpr.examples.server`: a small Nomad-style HTTP API (``/v1/jobs``,
  ``/v1/deployments``) whose list endpoints take ``filter``, ``per_page``,
  ``next_token`` and ``reverse`` through :mod:`bexpr.listing`. It needs the
  ``starlette`` and ``uvicorn`` packages; run it with
  ``python -m bexpr.examples.server``.

The example records ship in the wheel as ``bexpr/examples/data/*.json`` and
live in ``examples/`` in a source checkout.
"""
