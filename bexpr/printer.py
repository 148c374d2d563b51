"""Print a syntax tree back as a canonical bexpr expression.

The output parses back to an equal tree: ``parse(format_node(t)) == t``.
Values are written as double-quoted strings (numbers and plain words as they
are), selectors in dotted form where the keys allow it, ``and``/``or`` get
parentheses only where precedence needs them.
"""

from __future__ import annotations

import re

import regex

from bexpr.ast import And, Collection, Match, Node, Not, Or, Selector, Value

__all__ = ["dump", "format_node", "format_selector", "format_value", "quote"]

_IDENT = re.compile(r"[a-zA-Z][a-zA-Z0-9_/]*\Z")
_DIGITS = re.compile(r"[0-9]+\Z")
_WORD = re.compile(r"[a-zA-Z][a-zA-Z0-9_/]*(?:\.(?:[a-zA-Z][a-zA-Z0-9_/]*|[0-9]+))*\Z")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?\Z")
_KEYWORDS = frozenset({"and", "or", "not", "in", "is", "contains", "matches", "any", "all", "as"})
_COLLECTION_CLASH = frozenset({"in", "contains", "matches"})
_POINTER_SEGMENT = regex.compile(r"[\p{L}\p{N}\-_.~:|]+\Z")

_SIMPLE_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': "\\x22"}


def quote(text: str) -> str:
    """Quote ``text`` as a double-quoted bexpr string that unquotes back to it.

    A double quote is written ``\\x22`` because bexpr strings end at the first
    ``"`` whatever precedes it; a leading ``/`` is escaped so the string is not
    read as a JSON pointer.
    """
    out = []
    for i, ch in enumerate(text):
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ch == "/" and i == 0:
            out.append("\\x2f")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\x{ord(ch):02x}")
        elif 0xDC80 <= ord(ch) <= 0xDCFF:
            # A byte that was not valid UTF-8 in the source (see coercion.unquote).
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _pointer_segment(part: str) -> str | None:
    escaped = part.replace("~", "~0").replace("/", "~1")
    if _POINTER_SEGMENT.match(escaped):
        return escaped
    return None


def _as_pointer(path: tuple[str, ...]) -> str | None:
    if path == ("",):
        return '""'
    segments = [_pointer_segment(p) for p in path]
    if any(s is None for s in segments):
        return None
    return '"/' + "/".join(s for s in segments if s is not None) + '"'


def _as_dotted(path: tuple[str, ...]) -> str | None:
    if not path or not _IDENT.match(path[0]):
        return None
    parts = [path[0]]
    for part in path[1:]:
        if _IDENT.match(part) or _DIGITS.match(part):
            parts.append("." + part)
        else:
            parts.append("[" + quote(part) + "]")
    return "".join(parts)


def format_selector(selector: Selector) -> str:
    """Print a selector, as a JSON pointer if it was written as one."""
    first, second = _as_pointer, _as_dotted
    if not selector.pointer:
        first, second = second, first
    text = first(selector.path) or second(selector.path)
    if text is None:
        raise ValueError(f"selector path {selector.path!r} cannot be written in bexpr")
    return text


def format_value(value: Value) -> str:
    """Print a value: numbers and plain words as written, anything else quoted."""
    raw = value.raw
    if value.kind == "number" and _NUMBER.match(raw):
        return raw
    if value.kind == "word" and _WORD.match(raw) and raw not in _KEYWORDS:
        return raw
    return quote(raw)


def _format_match(node: Match) -> str:
    selector = format_selector(node.selector)
    if node.value is None:
        return f"{selector} {node.op.value}"
    value = format_value(node.value)
    if selector == "not" and node.op.value.startswith("not "):
        # `not not matches x` would read as a negation.
        selector = '"/not"'
    if node.op.value in ("in", "not in"):
        return f"{value} {node.op.value} {selector}"
    return f"{selector} {node.op.value} {value}"


def _wrap(node: Node, bare: tuple[type, ...]) -> str:
    text = format_node(node)
    return text if isinstance(node, bare) else f"({text})"


def format_node(node: Node) -> str:
    """Print a tree as a canonical expression."""
    # An explicit stack would avoid recursion, but the parser bounds nesting
    # depth well below the recursion limit, so plain recursion is clearer here.
    if isinstance(node, Match):
        return _format_match(node)
    if isinstance(node, Not):
        operand = _wrap(node.operand, (Match, Not))
        if operand.startswith("not "):
            # `not not ...` would read as a double negation or as a selector
            # named `not`; parentheses keep the tree as it is.
            operand = f"({operand})"
        return "not " + operand
    if isinstance(node, And):
        return " and ".join(_wrap(op, (Match, Not)) for op in node.operands)
    if isinstance(node, Or):
        last = len(node.operands) - 1
        # The grammar only accepts a collection expression as the last operand of `or`.
        return " or ".join(
            _wrap(op, (Match, Not, And, Collection) if i == last else (Match, Not, And))
            for i, op in enumerate(node.operands)
        )
    if isinstance(node, Collection):
        body = format_node(node.body)
        selector = format_selector(node.selector)
        if selector in _COLLECTION_CLASH:
            # `any in as x {...}` reads as the match `any in as`: use a pointer.
            selector = f'"/{selector}"'
        return f"{node.op.value} {selector} as {node.binding} {{ {body} }}"
    raise TypeError(f"not a bexpr syntax tree node: {node!r}")


def _describe(node: Node) -> str:
    if isinstance(node, Match):
        text = f"Match {node.op.value}  selector={format_selector(node.selector)}"
        if node.value is not None:
            text += f"  value={quote(node.value.raw)}"
        return text
    if isinstance(node, Collection):
        return (
            f"Collection {node.op.value}  selector={format_selector(node.selector)}"
            f"  as {node.binding}"
        )
    return type(node).__name__


def dump(node: Node, indent: str = "  ") -> str:
    """The tree, one node per line, children indented under their parent.

    >>> import bexpr
    >>> print(dump(bexpr.parse('a == 1 and not "x" in Tags')))
    And
      Match ==  selector=a  value="1"
      Not
        Match in  selector=Tags  value="x"
    """
    lines: list[str] = []
    stack: list[tuple[Node, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        lines.append(indent * depth + _describe(current))
        if isinstance(current, Not):
            children: tuple[Node, ...] = (current.operand,)
        elif isinstance(current, And | Or):
            children = current.operands
        elif isinstance(current, Collection):
            children = (current.body,)
        else:
            children = ()
        stack.extend((child, depth + 1) for child in reversed(children))
    return "\n".join(lines)
