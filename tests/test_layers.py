"""The package's shape: what each module imports, and what importing costs.

Which layer may import which is the import-linter contract in pyproject.toml
(`lint-imports`, run by .ci/run); these tests cover what it does not.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import bexpr

PACKAGE = Path(bexpr.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
# The layers above the API may use the package's public face, `bexpr`.
TOP = {"bexpr.cli", "bexpr.listing", "bexpr.__main__", "bexpr.examples"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, and whether it is inside a function or class."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, nested))
            inner = nested or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            )
            visit(child, inner)

    visit(tree, False)
    return found


def test_the_scan_sees_every_module() -> None:
    names = {module_name(path) for path in MODULES}
    assert {"bexpr", "bexpr.syntax.ast", "bexpr.evaluation.closures", "bexpr.api"} <= names
    assert len(names) == len(MODULES) >= 30


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_a_deferred_import_says_why(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for node, nested in imports(ast.parse(source)):
        if not nested:
            continue
        here = lines[node.lineno - 1]
        # One comment may explain a block of imports: look above the block.
        first = node.lineno - 1
        while first > 0 and lines[first - 1].strip().startswith(("from ", "import ")):
            first -= 1
        above = lines[first - 1].strip() if first > 0 else ""
        assert "#" in here or above.startswith("#"), (
            f"{module_name(path)}:{node.lineno} imports inside a function without a "
            f"comment saying why: {here.strip()}"
        )


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_only_the_top_layers_use_the_public_facade(path: Path) -> None:
    # `bexpr` imports its public names from every layer: a lower layer that
    # imported it would depend on the layers above it.
    name = module_name(path)
    if name == "bexpr" or any(name == top or name.startswith(top + ".") for top in TOP):
        return
    for node, _ in imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            assert all(alias.name != "bexpr" for alias in node.names), name
        elif node.module == "bexpr" and node.level == 0:
            for alias in node.names:
                assert (PACKAGE / alias.name).is_dir() or (
                    PACKAGE / f"{alias.name}.py"
                ).is_file(), f"{name} imports {alias.name!r} from the facade"


def test_the_facade_lists_where_each_public_name_lives() -> None:
    assert set(bexpr.__all__) == set(bexpr._HOMES)  # type: ignore[attr-defined]
    for name in bexpr.__all__:
        assert getattr(bexpr, name) is not None
    assert bexpr.re2 is sys.modules["bexpr.go.re2"]
    with pytest.raises(AttributeError):
        bexpr.no_such_name  # type: ignore[attr-defined]  # noqa: B018


def run_fresh(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_importing_errors_or_the_tree_loads_no_parser() -> None:
    loaded = run_fresh(
        "import sys, bexpr, bexpr.errors, bexpr.syntax.ast, bexpr.syntax.visitor\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('parsimonious', 'regex')"
        " or m in ('bexpr.api', 'bexpr.syntax.parser', 'bexpr.go.re2')))"
    )
    assert loaded == "[]"


def test_the_grammar_is_built_on_first_parse_only() -> None:
    out = run_fresh(
        "import bexpr.syntax.parser as p, bexpr.syntax.grammar as g\n"
        "print(g.rules.cache_info().currsize)\n"
        "p.parse('a == 1')\n"
        "print(g.rules.cache_info().currsize)"
    )
    assert out.split() == ["0", "1"]


def test_the_public_name_re2_is_the_module_its_setting_lives_in() -> None:
    out = run_fresh(
        "import bexpr.re2, bexpr.go.re2\n"
        "bexpr.re2.GO_1_25_PROPERTY_NAMES = True\n"
        "print(bexpr.go.re2.GO_1_25_PROPERTY_NAMES, bexpr.re2 is bexpr.go.re2)"
    )
    assert out == "True True"


def test_listing_and_re2_are_reachable_after_a_plain_import() -> None:
    out = run_fresh(
        "import bexpr\n"
        "print(bexpr.listing.query([{'ID': 'a'}]).items, bexpr.re2.translate('a') != '')"
    )
    assert out == "[{'ID': 'a'}] True"
