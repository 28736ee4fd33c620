"""The import graph of incidentdesk/: no cycles, no upward arrows (issue 11).

Every `import` and `from … import` of an incidentdesk module counts, also those inside functions
(a lazy import is still a dependency: the console's main screen and its filter dialog imported
each other that way). Layers, lowest first: domain imports only domain; store imports domain;
services import store and domain; the console (tui) and the command line (cli) sit on top.

    python tests/test_import_graph.py     # prints every cycle and upward arrow found
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "incidentdesk"

# package -> the packages it must not import (upward arrows)
FORBIDDEN = {
    "domain": {"store", "services", "tui", "cli", "ingest", "notify", "devtools", "runtime", "config"},
    "store": {"services", "tui", "cli", "ingest", "notify", "devtools", "runtime"},
    "services": {"tui", "cli"},
    "tui": {"cli"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target.startswith("incidentdesk"):
                    edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(10_000)

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def upward(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in edges.items() for b in targets
                  if layer(b) in FORBIDDEN.get(layer(a), set()))


def test_the_graph_is_read():
    edges = graph()
    assert "incidentdesk.domain.queue_view" in edges["incidentdesk.tui.screens.filter"]
    assert "incidentdesk.tui.screens.filter" in edges["incidentdesk.tui.screens.main"]  # a lazy import counts


def test_the_console_is_in_no_import_cycle():
    tangled = [c for c in cycles(graph()) if any(layer(m) == "tui" for m in c)]
    assert tangled == []


def test_no_import_cycle_anywhere():
    assert cycles(graph()) == []


def test_the_pure_and_lower_layers_import_nothing_above_them():
    assert [(a, b) for a, b in upward(graph()) if layer(a) in ("domain", "store", "tui")] == []


if __name__ == "__main__":
    g = graph()
    for c in cycles(g):
        print("cycle:", " <-> ".join(c))
    for a, b in upward(g):
        print("upward:", a, "->", b)
