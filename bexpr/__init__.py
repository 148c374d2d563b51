"""bexpr: boolean filter expressions, exactly as HashiCorp's go-bexpr evaluates them.

The language Nomad, Consul, Vault and Boundary accept in their ``filter``
parameter, on Python data::

    >>> import bexpr
    >>> jobs = [
    ...     {"Name": "web-1", "Meta": {"env": "prod"}, "Datacenters": ["dc1", "dc2"]},
    ...     {"Name": "batch", "Meta": {"env": "dev"}, "Datacenters": ["dc2"]},
    ... ]
    >>> expr = bexpr.compile(
    ...     'Meta["env"] == "prod" and "dc2" in Datacenters and Name matches "^web-"'
    ... )
    >>> [job["Name"] for job in expr.filter(jobs)]
    ['web-1']

Errors are :class:`BexprError`: :class:`ParseError` for an invalid expression
(with ``line``, ``column``, ``offset`` and a caret excerpt) and
:class:`EvaluationError` when data cannot be evaluated.

Names are imported on first use, so importing bexpr loads only what is
used. How the package is put together: docs/design.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bexpr import listing, polars, re2, spark, sql, strategies
    from bexpr.analysis.check import check
    from bexpr.analysis.complete import Completion, complete
    from bexpr.analysis.schema import Type, schema_of
    from bexpr.api import (
        Expression,
        RecordError,
        compile,
        evaluate,
        filter,
        format,
        parse,
        validate,
    )
    from bexpr.data.fields import attribute_resolver
    from bexpr.errors import BexprError, Diagnostic, EvaluationError, ParseError
    from bexpr.options import MISSING, Path
    from bexpr.syntax.ast import Node
    from bexpr.translate.json import from_json, to_json

__all__ = [
    "MISSING",
    "BexprError",
    "Completion",
    "Diagnostic",
    "EvaluationError",
    "Expression",
    "Node",
    "ParseError",
    "Path",
    "RecordError",
    "Type",
    "attribute_resolver",
    "check",
    "compile",
    "complete",
    "evaluate",
    "filter",
    "format",
    "from_json",
    "listing",
    "parse",
    "polars",
    "re2",
    "schema_of",
    "spark",
    "sql",
    "strategies",
    "to_json",
    "validate",
]

__version__ = "0.1.0"

# Where each public name lives; a module's own name maps to None.
_HOMES: dict[str, str | None] = {
    "MISSING": "bexpr.options",
    "Path": "bexpr.options",
    "BexprError": "bexpr.errors",
    "Diagnostic": "bexpr.errors",
    "EvaluationError": "bexpr.errors",
    "ParseError": "bexpr.errors",
    "Node": "bexpr.syntax.ast",
    "attribute_resolver": "bexpr.data.fields",
    "from_json": "bexpr.translate.json",
    "to_json": "bexpr.translate.json",
    "Type": "bexpr.analysis.schema",
    "schema_of": "bexpr.analysis.schema",
    "check": "bexpr.analysis.check",
    "Completion": "bexpr.analysis.complete",
    "complete": "bexpr.analysis.complete",
    "Expression": "bexpr.api",
    "RecordError": "bexpr.api",
    "compile": "bexpr.api",
    "evaluate": "bexpr.api",
    "filter": "bexpr.api",
    "format": "bexpr.api",
    "parse": "bexpr.api",
    "validate": "bexpr.api",
    "listing": None,
    "polars": None,
    "re2": None,
    "spark": None,
    "sql": None,
    "strategies": None,
}


if not TYPE_CHECKING:  # type checkers see the imports above, and no catch-all

    def __getattr__(name: str) -> Any:
        """Import a public name on first use (PEP 562)."""
        home = _HOMES.get(name, "")
        if home == "":
            raise AttributeError(f"module 'bexpr' has no attribute {name!r}")
        value = importlib.import_module(f"bexpr.{name}" if home is None else home)
        if home is not None:
            value = getattr(value, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
