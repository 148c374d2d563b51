"""The input format of the fuzz harness: expression bytes, a NUL, JSON data.

``fuzz_bexpr.py`` reads its inputs with :func:`decode`, ``make_kit.py``
writes the seed corpus with :func:`encode`, and ``tests/test_fuzz_kit.py``
checks that the two agree. The format is plain bytes rather than
``atheris.FuzzedDataProvider`` calls so that a seed can be written by hand
(``printf 'a == 1\\0{"a": 1}'``), a crash file reads as the expression that
failed, and the dictionary's tokens (``fuzz/bexpr.dict``) land in the
expression exactly as spelled. This module does not import atheris, so the
kit can be built and checked without it.

>>> decode(encode("a == 1", {"a": 1}))
('a == 1', {'a': 1})
>>> decode(b"a == 1")[0], sorted(decode(b"a == 1")[1])
('a == 1', ['L', 'a', 'm', 's'])
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = ["NO_DATUM", "SEPARATOR", "decode", "default_datum", "encode"]

SEPARATOR: Final = b"\x00"
"""Ends the expression. A filter holds a NUL only inside a quoted string
(``"\\x00"`` spells the same value), so little is lost by reserving it, and
inputs that lack it, or mutations that move it, still mean something."""


NO_DATUM: Final = object()
"""Tells :func:`encode` to write the expression alone (JSON ``null`` is a datum)."""


def default_datum(raw: bytes) -> dict[str, Any]:
    """The datum for an input without valid JSON after the separator.

    It has a value of most kinds, so that a mutated expression still finds
    something to select (the seeds written for it name ``a``, ``L``, ``m``).
    """
    return {"a": 1, "L": [1, "x", None], "m": {"k": "v"}, "s": raw.decode("latin-1")}


def decode(data: bytes) -> tuple[str, Any]:
    """The expression and the datum that a fuzz input stands for."""
    text, _, raw = data.partition(SEPARATOR)
    # Invalid UTF-8 becomes U+FFFD rather than lone surrogates: the harness
    # tests text that a caller could have read from a UTF-8 source.
    expression = text.decode("utf-8", "replace")
    if not raw:
        return expression, default_datum(raw)
    try:
        return expression, json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        # Mutations break JSON often; still evaluate on something.
        return expression, default_datum(raw)


def encode(expression: str, datum: Any = NO_DATUM) -> bytes:
    """A fuzz input that :func:`decode` reads as ``expression`` and ``datum``
    (without a datum: the expression alone, read with :func:`default_datum`)."""
    if "\x00" in expression:
        raise ValueError(f"an expression with a NUL cannot be encoded: {expression!r}")
    data = expression.encode("utf-8")
    if datum is NO_DATUM:
        return data
    # Compact and key-sorted: the same seed always has the same bytes (and so
    # the same file name).
    return data + SEPARATOR + json.dumps(datum, sort_keys=True, separators=(",", ":")).encode()
