"""Reading the command's inputs: JSON or JSON Lines files, JSON pointers,
exit codes, and the count of records ``--errors skip`` leaves out.

Shared by the ``bexpr`` command (:mod:`bexpr.cli`) and ``bexpr bench``
(:mod:`bexpr.bench`), which read records the same way.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
from collections.abc import Iterator
from typing import Any, TextIO

from bexpr.api import RecordError

__all__ = [
    "EXIT_EVALUATION",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_USAGE",
    "Skipped",
    "UsageError",
    "add_input_arguments",
    "decoding",
    "input_name",
    "open_input",
    "read_input",
    "records_in",
    "select",
]

EXIT_OK = 0
EXIT_EVALUATION = 1
EXIT_USAGE = 2
EXIT_INPUT = 3


class UsageError(Exception):
    """A problem with the command line or an input, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def input_name(path: str) -> str:
    """An input's name for messages."""
    return "standard input" if path == "-" else path


def open_input(path: str, stdin: TextIO) -> TextIO:
    if path == "-":
        return stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror}", EXIT_INPUT) from None


def _first_line(stream: TextIO) -> str:
    for line in stream:
        if line.strip():
            return line
    return ""


def read_input(path: str, stream: TextIO, jsonl: bool) -> tuple[str, Any]:
    """Detect the input's shape: ("document", value) or ("lines", iterator)."""
    first = _first_line(stream)
    if jsonl:
        return "lines", _lines(path, [first], stream)
    try:
        value = json.loads(first)
    except ValueError:
        # Not one complete value on the first line: a document over many lines.
        try:
            return "document", json.loads(first + stream.read())
        except ValueError as err:
            raise UsageError(f"{input_name(path)}: not JSON: {err}", EXIT_INPUT) from None
    second = _first_line(stream)
    if not second:
        return "document", value
    return "lines", _lines(path, [first, second], stream)


def _lines(path: str, head: list[str], stream: TextIO) -> Iterator[Any]:
    """Parse JSON Lines lazily: ``head`` holds lines already read."""
    number = 0
    for line in itertools.chain(head, stream):
        number += 1
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except ValueError as err:
            raise UsageError(
                f"{input_name(path)}: line {number} is not JSON: {err}", EXIT_INPUT
            ) from None


def select(document: Any, pointer: str, path: str) -> Any:
    """The value at a JSON pointer (RFC 6901) inside a document."""
    if pointer in ("", "/"):
        return document
    if not pointer.startswith("/"):
        raise UsageError(f"--select takes a JSON pointer like /Jobs, not {pointer!r}", EXIT_USAGE)
    current = document
    for raw in pointer[1:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            raise UsageError(f"{path}: nothing at {pointer}", EXIT_INPUT)
    return current


class Skipped:
    """Counts the records ``--errors skip`` leaves out, for a warning at the end:
    a filter that fails on every record must not look like one that matches none."""

    def __init__(self) -> None:
        self.count = 0
        self.first: RecordError | None = None

    def __call__(self, problem: RecordError) -> None:
        self.count += 1
        if self.first is None:
            self.first = problem

    def report(self, stderr: TextIO) -> None:
        if self.first is None:
            return
        records = "record" if self.count == 1 else "records"
        stderr.write(
            f"bexpr: warning: skipped {self.count:,} {records} that could not be evaluated;"
            f" the first, record {self.first.key!r}: {self.first.error}\n"
        )


def add_input_arguments(parser: argparse.ArgumentParser, select_help: str) -> None:
    """The options both commands read records with: --jsonl, --unknown,
    --select (``select_help`` says what happens to the value found) and
    --progress."""
    parser.add_argument("--jsonl", action="store_true", help="read every input as JSON Lines")
    parser.add_argument(
        "--unknown", metavar="JSON", help="a JSON value to use for keys that are missing"
    )
    parser.add_argument("--select", metavar="POINTER", help=select_help)
    parser.add_argument(
        "--progress",
        choices=["auto", "always", "never"],
        default="auto",
        help="progress on stderr (auto: when stderr is a terminal)",
    )


def records_in(shape: str, content: Any, pointer: str | None, path: str) -> Any:
    """The records of an input :func:`read_input` gave as ``(shape, content)``:
    its JSON Lines, or the array or object at ``pointer`` in its document."""
    if shape == "lines":
        if pointer:
            raise UsageError(
                f"{path}: --select applies to JSON documents, not JSON Lines", EXIT_USAGE
            )
        return content
    data = select(content, pointer, path) if pointer else content
    if not isinstance(data, list | dict):
        where = f"at {pointer} " if pointer else ""
        raise UsageError(f"{path}: the value {where}must be a JSON array or object", EXIT_INPUT)
    return data


@contextlib.contextmanager
def decoding(path: str) -> Iterator[None]:
    """Input ``path`` that is not UTF-8, or nested past what the JSON decoder
    can read, as a :class:`UsageError` (JSON Lines are decoded while they are
    filtered, so the whole of an input's handling goes inside)."""
    try:
        yield
    except UnicodeDecodeError as err:
        raise UsageError(f"{input_name(path)}: not UTF-8: {err.reason}", EXIT_INPUT) from None
    except RecursionError:
        # json's decoder recurses per level of nesting.
        raise UsageError(f"{input_name(path)}: nested too deeply to read", EXIT_INPUT) from None
