"""The house has floors, not circles: no import cycle among the app's own modules, and no
import of one of them tucked inside a function (the usual way a cycle is hidden).

Read from the source with `ast`, so the test sees every import, including the ones a test
run never executes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OWN_PACKAGES = ("core", "ui", "views", "web")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _own_sources() -> dict[str, Path]:
    sources = {"app": ROOT / "app.py"}
    for package in OWN_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            sources[_module_name(path)] = path
    return sources


SOURCES = _own_sources()


def _resolve(node: ast.Import | ast.ImportFrom, importer: str) -> list[str]:
    """The app modules an import statement names (a `from pkg import mod` names pkg.mod)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = importer.split(".")
            if SOURCES[importer].name != "__init__.py":
                anchor = anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        names = [
            f"{base}.{alias.name}" if f"{base}.{alias.name}" in SOURCES else base
            for alias in node.names
        ]
    found = []
    for name in names:
        while name and name not in SOURCES:
            name = name.rpartition(".")[0]
        if name and name != importer:
            found.append(name)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.top: set[str] = set()
        self.inside_functions: list[tuple[int, str]] = []
        self._depth = 0

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node):
            return  # annotations only: nothing imported when the app runs
        self.generic_visit(node)

    def _function(self, node: ast.AST) -> None:
        self._depth += 1
        self.generic_visit(node)
        self._depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        for name in _resolve(node, self.module):
            if self._depth:
                self.inside_functions.append((node.lineno, name))
            else:
                self.top.add(name)

    visit_Import = visit_ImportFrom = _import


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    graph: dict[str, set[str]] = {}
    hidden: list[str] = []
    for module, path in SOURCES.items():
        visitor = _Imports(module)
        visitor.visit(ast.parse(path.read_text(), filename=str(path)))
        graph[module] = visitor.top
        hidden += sorted(
            {f"{module}:{line} imports {name}" for line, name in visitor.inside_functions}
        )
    return graph, hidden


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    graph, _ = _graph()
    assert _cycles(graph) == []


def test_no_app_module_is_imported_inside_a_function() -> None:
    _, hidden = _graph()
    assert hidden == []


def test_core_never_reaches_the_streamlit_floors() -> None:
    graph, _ = _graph()
    upward = {
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("core")
        for target in targets
        if not target.startswith("core")
    }
    assert upward == set()


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]], expected: list) -> None:
    assert _cycles(graph) == expected


def test_an_import_inside_a_function_is_seen() -> None:
    module = next(name for name in SOURCES if name.startswith("core."))
    visitor = _Imports(module)
    visitor.visit(ast.parse("def later():\n    from core import clock\n"))
    assert visitor.inside_functions == [(2, "core.clock")]
    assert visitor.top == set()
