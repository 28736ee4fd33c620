"""The shape of the package, checked from its source: dependencies point one way, no module
imports itself back through others, and no module grows past 400 lines.

Every `import` and `from ... import` in incidentdesk/ is read with `ast` — at module level, inside
functions (lazy imports are still dependencies) and under `if TYPE_CHECKING:` — so an import
hidden from start-up is not hidden from this test. Each edge is checked against LAYERS, the
packages each top-level package may import; a package missing from LAYERS is an error (say where
it sits before it grows). The module graph must have no cycle: a cycle through a lazy import still
means neither module can be read, tested or moved without the other. And no import may hide from
this reading: no importlib, no __import__, no module-level __getattr__ proxy. Libraries that
belong to a layer (SQLAlchemy, Textual, the receiver's HTTP stack) stay in it.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "incidentdesk"
MAX_LINES = 400

# Top-level part of incidentdesk -> the top-level parts it may import (itself always allowed).
# Bottom to top: domain < store < config < services < runtime < ingest, notify, tui < cli, devtools.
LAYERS: dict[str, set[str]] = {
    "domain": set(),                                    # pure: nothing of ours but domain
    "store": {"domain"},
    "config": {"domain", "store"},                      # store.files: the config file's permissions
    "services": {"domain", "store", "config"},
    "runtime": {"domain", "store", "config", "services"},
    "ingest": {"domain", "store", "config", "services"},
    "notify": {"domain", "store", "config", "services"},
    "tui": {"domain", "store", "config", "services", "runtime"},  # store: read queries, the change feed
    "cli": {"domain", "store", "config", "services", "runtime", "ingest", "notify", "tui", "devtools"},
    "devtools": {"domain", "store", "config", "services", "runtime", "ingest", "notify", "tui"},
    "__main__": {"cli"},
    "": set(),                                          # incidentdesk/__init__.py: the version only
}

# Libraries that belong to a layer: only the parts named may import them (DESIGN.md: the domain is
# pure Python, SQL lives in store/ and the services' transactions, Textual only in tui/, the
# receiver's HTTP stack only in ingest/). Other libraries are free, except in domain/ (stdlib only).
LIBRARIES: dict[str, set[str]] = {
    "sqlalchemy": {"store", "services", "ingest", "devtools"},
    "alembic": {"store"},
    "psycopg": {"store"},
    "textual": {"tui", "devtools"},
    "rich": {"tui", "devtools"},
    "starlette": {"ingest"},
    "uvicorn": {"ingest"},
    "h11": {"ingest"},
}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}


@dataclass(frozen=True)
class Edge:
    source: str  # module that imports, e.g. incidentdesk.services.alerts
    target: str  # module imported (a package's __init__ is named by the package)
    line: int
    path: str = ""  # the importing file, relative to the repository

    def where(self) -> str:
        return f"{self.path or self.source.replace('.', '/') + '.py'}:{self.line}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module a dotted name lands in: itself, or the nearest enclosing module (a name in it)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _edges(modules: dict[str, Path]) -> list[Edge]:
    edges = []
    for mod, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: from the module's package, `level` steps up
                    base = mod.split(".") if is_package else mod.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    prefix = ".".join(base + ([node.module] if node.module else []))
                else:
                    prefix = node.module or ""
                # `from pkg import name`: name is a submodule or something defined in pkg.
                targets = [f"{prefix}.{a.name}" for a in node.names]
            for target in targets:
                if target.split(".")[0] != "incidentdesk":
                    continue
                resolved = _resolve(target, modules)
                if resolved is not None and resolved != mod:
                    edges.append(Edge(mod, resolved, node.lineno, str(path.relative_to(PACKAGE.parent))))
    return list(dict.fromkeys(edges))  # `from m import a, b` is one edge


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(edges: list[Edge]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(v: str) -> None:  # recursive: the depth is one import path, a few dozen at most
        nonlocal counter
        index[v] = low[v] = counter
        counter += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def upward_imports(edges: list[Edge]) -> list[str]:
    problems = []
    for e in edges:
        src, dst = _part(e.source), _part(e.target)
        if src == dst or dst == "":  # the package root holds only __version__: anyone may read it
            continue
        if src not in LAYERS:
            problems.append(f"{e.where()}: package {src!r} has no place in LAYERS (tests/test_layers.py)")
        elif dst not in LAYERS[src]:
            problems.append(f"{e.where()}: {src} must not import {dst} ({e.source} imports {e.target})")
    return problems


def misplaced_libraries(modules: dict[str, Path]) -> list[str]:
    out = []
    for mod, path in modules.items():
        part = _part(mod)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            for top in {n.split(".")[0] for n in names} - STDLIB - {"incidentdesk"}:
                allowed = LIBRARIES.get(top)
                if (part == "domain" and allowed is None) or (allowed is not None and part not in allowed):
                    where = "domain/ (stdlib only)" if allowed is None else f"{part}/ (only {', '.join(sorted(allowed))})"
                    out.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {top} imported in {where}")
    return out


def hidden_imports(modules: dict[str, Path]) -> list[str]:
    """Imports a reader (and this test) cannot see: importlib, __import__, a module-level __getattr__
    (PEP 562) or any class's __getattr__ that imports — a proxy that turns an attribute into a module."""
    out = []
    for mod, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] == "importlib" for n in names):
                    out.append(f"{where}:{node.lineno}: imports importlib: import the module by name")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                out.append(f"{where}:{node.lineno}: calls __import__: import the module by name")
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name == "__getattr__":
                out.append(f"{where}:{node.lineno}: module-level __getattr__ hides what the module provides")
    return out


def long_modules(modules: dict[str, Path]) -> list[str]:
    out = []
    for mod, path in modules.items():
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES:
            out.append(f"{path.relative_to(PACKAGE.parent)}: {n} lines (at most {MAX_LINES}; split it by job)")
    return out


@pytest.fixture(scope="module")
def graph():
    modules = _modules()
    return modules, _edges(modules)


def test_the_walk_sees_the_package(graph):
    """Guards the test itself: the walk finds the modules and the imports everybody knows are there."""
    modules, edges = graph
    assert {"incidentdesk.domain.enums", "incidentdesk.services.incidents", "incidentdesk.tui.app"} <= set(modules)
    pairs = {(e.source, e.target) for e in edges}
    assert ("incidentdesk.services.timeline", "incidentdesk.store.models") in pairs
    assert ("incidentdesk.cli", "incidentdesk") in pairs  # `from incidentdesk import __version__`
    lazy = [e for e in edges if e.source == "incidentdesk.cli.admin" and _part(e.target) == "services"]
    assert lazy, "imports inside functions are dependencies too"


def test_no_upward_import(graph):
    _, edges = graph
    problems = upward_imports(edges)
    assert not problems, "\n".join(problems)


def test_no_import_cycle(graph):
    _, edges = graph
    cycles = _cycles(edges)
    assert not cycles, "import cycles (each line one set of modules that import each other):\n" + "\n".join(
        " <-> ".join(c) for c in cycles)


def test_libraries_stay_in_their_layer(graph):
    modules, _ = graph
    problems = misplaced_libraries(modules)
    assert not problems, "\n".join(problems)


def test_no_hidden_import(graph):
    modules, _ = graph
    problems = hidden_imports(modules)
    assert not problems, "\n".join(problems)


def test_no_module_over_400_lines(graph):
    modules, _ = graph
    problems = long_modules(modules)
    assert not problems, "\n".join(problems)


# -- the checks themselves catch what they are for --

def test_checks_catch_an_upward_import_and_a_cycle():
    edges = [
        Edge("incidentdesk.domain.alerts", "incidentdesk.store.models", 3),
        Edge("incidentdesk.services.alerts", "incidentdesk.ingest.app", 4),
        Edge("incidentdesk.tui.app", "incidentdesk.cli", 5),
        Edge("incidentdesk.store.models", "incidentdesk.domain.enums", 6),  # fine: downward
        Edge("incidentdesk.wizard.x", "incidentdesk.domain.enums", 7),
    ]
    problems = upward_imports(edges)
    assert len(problems) == 4
    assert problems[0].startswith("incidentdesk/domain/alerts.py:3: domain must not import store")
    assert "services must not import ingest" in problems[1] and "tui must not import cli" in problems[2]
    assert "'wizard' has no place in LAYERS" in problems[3]
    cycle = [Edge("incidentdesk.tui.a", "incidentdesk.tui.b", 1), Edge("incidentdesk.tui.b", "incidentdesk.tui.c", 1),
             Edge("incidentdesk.tui.c", "incidentdesk.tui.a", 9), Edge("incidentdesk.tui.c", "incidentdesk.tui.d", 1)]
    assert _cycles(cycle) == [["incidentdesk.tui.a", "incidentdesk.tui.b", "incidentdesk.tui.c"]]
    assert _cycles(cycle[:2] + cycle[3:]) == []


def test_relative_and_from_imports_resolve(tmp_path, monkeypatch):
    pkg = tmp_path / "incidentdesk"
    (pkg / "tui").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "tui" / "__init__.py").write_text("from . import app\n")
    (pkg / "tui" / "app.py").write_text("def f():\n    from ..tui.format import x\n    from incidentdesk.tui import format\n")
    (pkg / "tui" / "format.py").write_text("import incidentdesk.tui.app\n" + "x = 1\n" * MAX_LINES)
    (pkg / "tui" / "proxy.py").write_text("def __getattr__(name):\n    import importlib\n"
                                        "    return importlib.import_module('incidentdesk.tui.' + name)\n"
                                        "def g():\n    return __import__('incidentdesk.tui.app')\n")
    (pkg / "domain").mkdir()
    (pkg / "domain" / "rules.py").write_text("import re\nimport yaml\nfrom sqlalchemy import select\n")
    (pkg / "tui" / "table.py").write_text("from textual.widgets import DataTable\nimport sqlalchemy.orm\n")
    monkeypatch.setitem(globals(), "PACKAGE", pkg)
    modules = _modules()
    pairs = sorted({(e.source, e.target) for e in _edges(modules)})
    assert pairs == [("incidentdesk.tui", "incidentdesk.tui.app"), ("incidentdesk.tui.app", "incidentdesk.tui.format"),
                     ("incidentdesk.tui.format", "incidentdesk.tui.app")]
    assert _cycles(_edges(modules)) == [["incidentdesk.tui.app", "incidentdesk.tui.format"]]
    assert long_modules(modules) == [f"incidentdesk/tui/format.py: {MAX_LINES + 1} lines (at most {MAX_LINES}; split it by job)"]
    assert misplaced_libraries(modules) == [
        "incidentdesk/domain/rules.py:2: yaml imported in domain/ (stdlib only)",
        "incidentdesk/domain/rules.py:3: sqlalchemy imported in domain/ (only devtools, ingest, services, store)",
        "incidentdesk/tui/table.py:2: sqlalchemy imported in tui/ (only devtools, ingest, services, store)",
    ]
    assert [p.split(": ", 1)[0] for p in hidden_imports(modules)] == [
        "incidentdesk/tui/proxy.py:2", "incidentdesk/tui/proxy.py:5", "incidentdesk/tui/proxy.py:1"]
