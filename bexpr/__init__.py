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
"""

from bexpr.ast import Node
from bexpr.check import Diagnostic, check
from bexpr.complete import Completion, complete
from bexpr.errors import BexprError, EvaluationError, ParseError
from bexpr.expression import Expression, compile, evaluate, filter, format, parse, validate
from bexpr.fields import attribute_resolver
from bexpr.options import MISSING
from bexpr.schema import Type, schema_of
from bexpr.serialize import from_json, to_json

__all__ = [
    "MISSING",
    "BexprError",
    "Completion",
    "Diagnostic",
    "EvaluationError",
    "Expression",
    "Node",
    "ParseError",
    "Type",
    "attribute_resolver",
    "check",
    "compile",
    "complete",
    "evaluate",
    "filter",
    "format",
    "from_json",
    "parse",
    "schema_of",
    "to_json",
    "validate",
]

__version__ = "0.1.0"
