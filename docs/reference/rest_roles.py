"""A Griffe extension: bexpr's reST docstrings as the Markdown mkdocstrings renders.

bexpr's docstrings are written for ``help()`` and Sphinx: roles such as
:func:`compile`, literal blocks introduced by ``::``, doctests. The API
reference (docs/reference/) renders them as Markdown, so before it does:

- a role becomes a link to the object's entry in the reference, or stays
  code when the object has none (a private module); a name Griffe cannot
  resolve at all is a broken reference, and a warning fails the strict build;
- ``text::`` becomes ``text:``, and the indented block after it a fenced
  one, highlighted as a Python session (``>>>``), as Python, or as text;
- a doctest paragraph that is not in a literal block is fenced too.

mkdocs.yml loads this file by path (``extensions:`` of the Python handler).
"""

from __future__ import annotations

import ast
import builtins
import html
import re
import sys
import textwrap
from typing import Any

from griffe import Extension, Object, logger

ROLE = re.compile(r":(?P<role>func|meth|class|mod|data|attr|exc|obj):`(?P<target>[^`]+)`")
# Any other role would be shown as written.
OTHER_ROLE = re.compile(r":[a-z]+:`[^`]*`")


class RestRoles(Extension):
    """Rewrite every docstring of the loaded package once the tree is complete."""

    def on_package(self, *, pkg: Object, **kwargs: Any) -> None:
        # The package itself (bexpr); on_object sees everything below it.
        self.on_object(obj=pkg)

    def on_object(self, *, obj: Object, **kwargs: Any) -> None:
        if obj.docstring is not None and not obj.is_alias:
            obj.docstring.value = to_markdown(obj.docstring.value, obj)


def to_markdown(text: str, obj: Object) -> str:
    """``text`` (a docstring of ``obj``) with its reST spelled in Markdown."""
    text = _blocks(text)
    return _roles(text, obj)


# Names of other packages a docstring may mention: code, not links.
EXTERNAL = ("polars.", "pyspark.", "regex.", "hypothesis.", "sqlalchemy.")


def _known(path: str, obj: Object) -> bool:
    try:
        obj.modules_collection.get_member(path)
    except Exception:  # KeyError, or an alias Griffe cannot follow
        return False
    return True


def _resolve(target: str, obj: Object) -> str | None:
    """The full path ``target`` names from ``obj``, as Python would look it up.

    The first part of a dotted name is looked up in the scopes of ``obj``
    and its parents, then the whole name as an absolute one.
    """
    head, _, rest = target.partition(".")
    scope: Object | None = obj
    while scope is not None:
        try:
            found = scope.resolve(head)
        except Exception:  # griffe's NameResolutionError, or an alias it cannot follow
            scope = scope.parent
            continue
        path = f"{found}.{rest}" if rest else found
        if _known(path, obj):
            return path
        break
    return target if _known(target, obj) else None


def _roles(text: str, obj: Object) -> str:
    # Code blocks are left alone: only prose holds roles.
    parts = re.split(r"(^ *```.*?^ *```)", text, flags=re.S | re.M)
    for i in range(0, len(parts), 2):
        parts[i] = ROLE.sub(lambda m: _link(m, obj), parts[i])
        for other in OTHER_ROLE.findall(parts[i]):
            logger.warning("%s: the role %s has no Markdown spelling", obj.path, other)
    return "".join(parts)


def _link(match: re.Match[str], obj: Object) -> str:
    target = match["target"]
    shown = target
    if target.startswith("~"):
        target = target[1:]
        shown = target.rsplit(".", 1)[-1]
    code = f"<code>{html.escape(shown)}</code>"
    path = _resolve(target, obj)
    if path is None:
        external = target.startswith(EXTERNAL) or target.split(".")[0] in sys.stdlib_module_names
        if not external and not hasattr(builtins, target):
            logger.warning(
                "%s: :%s:`%s` names nothing in bexpr", obj.path, match["role"], match["target"]
            )
        return code
    # Optional: a name with no entry in the reference (a private module's)
    # stays code, without a warning.
    return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'


def _language(block: str) -> str:
    if block.lstrip().startswith(">>>"):
        return "pycon"
    try:
        ast.parse(block)
    except SyntaxError:
        return "text"
    return "python"


def _fence(block: str) -> list[str]:
    body = textwrap.dedent(block).strip("\n")
    return [f"```{_language(body)}", *body.splitlines(), "```"]


def _blocks(text: str) -> str:
    """Literal blocks after ``::`` and bare doctest paragraphs, fenced."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.rstrip()
        if stripped.endswith("::") and not stripped.lstrip().startswith(">>>"):
            # As in reST: "text::" reads "text:", "text ::" reads "text",
            # and a lone "::" reads nothing.
            lead = stripped[:-2].rstrip()
            if lead.strip():
                spaced = stripped[:-2] != lead
                out.append(lead if spaced or lead.endswith(":") else lead + ":")
            indent = len(line) - len(line.lstrip())
            j = i + 1
            block: list[str] = []
            while j < len(lines) and (
                not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent
            ):
                block.append(lines[j])
                j += 1
            while block and not block[-1].strip():
                block.pop()
                j -= 1
            if block:
                out.append("")
                prefix = " " * indent
                out.extend(prefix + fenced if fenced else "" for fenced in _fence("\n".join(block)))
                i = j
                continue
            i += 1
            continue
        if stripped.lstrip().startswith(">>>") and (not out or not out[-1].strip()):
            indent = len(line) - len(line.lstrip())
            j = i
            block = []
            while j < len(lines) and lines[j].strip():
                block.append(lines[j])
                j += 1
            prefix = " " * indent
            out.extend(prefix + fenced if fenced else "" for fenced in _fence("\n".join(block)))
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)
