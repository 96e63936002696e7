"""Imports in crm_backend point one way: interfaces -> bounded contexts -> core.

A small AST check over every module (imports inside functions included), with no list of
exceptions:
- `core` imports nothing else of crm_backend;
- a bounded context defines no routes, imports only core and other contexts, and the
  contexts form no cycle;
- an interface (api, bot_api, console, web) imports core, contexts and its own package, never
  another interface, and its route modules are imported only by its own assembler;
- nothing but a composition root imports a composition root (main, cli, models, demo_data,
  every `__main__`, the migrations).
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = "crm_backend"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE
INTERFACES = {"api", "bot_api", "console", "web"}
ROOT_MODULES = {"main", "cli", "models", "demo_data", "__main__", "migrations"}
ASSEMBLER = "router"  # `router.py` and a package's `__init__` may include its route modules

Graph = dict[str, set[str]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every crm_backend module that `module` imports, anywhere in its body."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


def project_graph() -> tuple[Graph, set[str], set[str]]:
    """Module -> the crm_backend modules it imports; the modules that define an APIRouter; and
    the assemblers (`router` modules and package `__init__`s)."""
    graph: Graph = {}
    routers: set[str] = set()
    assemblers: set[str] = set()
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text()
        name = module_name(path)
        tree = ast.parse(source, filename=str(path))
        graph[name] = imported_modules(tree, name, path.name == "__init__.py")
        if "APIRouter(" in source:
            routers.add(name)
        if path.name == "__init__.py" or path.stem == ASSEMBLER:
            assemblers.add(name)
    known = set(graph)
    # `from crm_backend.orders import service` names a module; `... import Order` names a class.
    graph = {name: {target for target in targets if target in known} for name, targets in graph.items()}
    return graph, routers, assemblers


def layer(module: str) -> tuple[str, str]:
    """(kind, package) of a module: kind is root, core, interface or context."""
    parts = module.split(".")
    if len(parts) == 1:
        return "root", PACKAGE
    package = parts[1]
    if package in ROOT_MODULES or parts[-1] == "__main__":
        return "root", package
    if package == "core":
        return "core", package
    if package in INTERFACES:
        return "interface", package
    return "context", package


def violations(graph: Graph, routers: set[str], assemblers: set[str] = frozenset()) -> list[str]:
    """Every import that points back, and every cycle between contexts."""
    found = [f"context module {name} defines routes" for name in sorted(routers) if layer(name)[0] == "context"]
    context_edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in sorted(graph.items()):
        kind, package = layer(source)
        for target in sorted(targets):
            target_kind, target_package = layer(target)
            if kind == "root" or target_package == package:
                if kind == "interface" and target in routers and source not in assemblers and target != source:
                    found.append(f"{source} imports the routes of {target}")
                continue
            if target_kind == "root":
                found.append(f"{source} imports the composition root {target}")
            elif kind == "core":
                found.append(f"core module {source} imports {target}")
            elif kind == "context" and target_kind == "interface":
                found.append(f"context module {source} imports the interface {target}")
            elif kind == "interface" and target_kind == "interface":
                found.append(f"interface module {source} imports another interface's {target}")
            elif kind == "context" and target_kind == "context":
                context_edges[package].add(target_package)
    found.extend(f"contexts form a cycle: {' -> '.join(cycle)}" for cycle in cycles(context_edges))
    return found


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a path back to its start) per strongly connected group of packages."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm; the graph has a few dozen nodes
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_path_through(group, edges) for group in groups]


def _path_through(group: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A concrete cycle inside a strongly connected group, e.g. [orders, returns, orders]."""
    members = set(group)
    path = [group[0]]
    while True:
        nxt = min(edges[path[-1]] & members)
        if nxt in path:
            return [*path[path.index(nxt) :], nxt]
        path.append(nxt)


def test_crm_backend_imports_point_one_way():
    graph, routers, assemblers = project_graph()
    assert len(graph) > 100 and len(routers) > 10, "the check must see the whole package"
    assert violations(graph, routers, assemblers) == []


def web_framework_imports(tree: ast.AST) -> set[str]:
    """The fastapi/starlette modules a module imports (HTTP belongs to the interfaces)."""
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return {name for name in names if name.split(".")[0] in {"fastapi", "starlette"}}


def test_bounded_contexts_know_nothing_of_http():
    """Services raise `core.errors` kinds; only interfaces and core speak FastAPI."""
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        name = module_name(path)
        if layer(name)[0] == "context":
            found = web_framework_imports(ast.parse(path.read_text()))
            if found:
                offenders[name] = sorted(found)
    assert offenders == {}


@pytest.mark.parametrize(
    ("graph", "routers", "expected"),
    [
        ({"crm_backend.core.db": {"crm_backend.orders.models"}}, set(), "core module"),
        ({"crm_backend.orders.router": set()}, {"crm_backend.orders.router"}, "defines routes"),
        ({"crm_backend.orders.service": {"crm_backend.api.deps"}}, set(), "imports the interface"),
        ({"crm_backend.insights.jobs": {"crm_backend.models"}}, set(), "composition root"),
        ({"crm_backend.console.deps": {"crm_backend.api.deps"}}, set(), "another interface"),
        (
            {"crm_backend.console.routes_a": {"crm_backend.console.routes_b"}},
            {"crm_backend.console.routes_a", "crm_backend.console.routes_b"},
            "imports the routes of",
        ),
        (
            {
                "crm_backend.orders.service": {"crm_backend.returns.models"},
                "crm_backend.returns.models": {"crm_backend.orders.models"},
            },
            set(),
            "cycle: orders -> returns -> orders",
        ),
    ],
)
def test_the_check_catches_each_kind_of_back_pointing_import(graph, routers, expected):
    found = violations(graph, routers)
    assert len(found) == 1 and expected in found[0], found


def test_assemblers_and_composition_roots_may_import_routes():
    graph = {
        "crm_backend.api.router": {"crm_backend.api.routes_auth"},
        "crm_backend.main": {"crm_backend.api.router", "crm_backend.console.router"},
    }
    routers = {"crm_backend.api.routes_auth", "crm_backend.api.router"}
    assert violations(graph, routers, {"crm_backend.api.router"}) == []
