"""The package's structure: layers that import downward only, no private names across
modules, no prints in library code, and every module importable on its own."""
from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "_corpus" in path.parts:
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _resolve(current: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = current.split(".")
    if not _is_package(current):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(name: str) -> list[tuple[str, str | None, ast.AST]]:
    """(imported module, imported name or None, node) of every import in a module, nested ones too."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.append((alias.name, None, node))
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, node)
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((sub, None, node) if sub in MODULES else (target, alias.name, node))
    return [(m, n, node) for m, n, node in found if m.split(".")[0] == "toolkit"]


def _graph() -> dict[str, set[str]]:
    return {name: {m for m, _n, _node in _imports(name) if m in MODULES and m != name} for name in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    # Every import counts, also those inside functions: a cycle hidden in a function is still one.
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# Each layer may import only the layers listed for it (and itself).
LAYERS = {
    "base": {"toolkit.errors", "toolkit.schema", "toolkit.textnorm", "toolkit.fileio", "toolkit.progress", "toolkit.stats"},
    "reading": {"toolkit.reading"},
    "parsing": {"toolkit.parsing"},
    "checks": {"toolkit.checks"},
    "corpus": {"toolkit.corpus"},
    "data": {"toolkit.data"},
    "analysis": {"toolkit.analysis", "toolkit.mining"},
    "plots": {"toolkit.plots"},
    "cli": {"toolkit.cli", "toolkit.__main__"},
}
ORDER = list(LAYERS)


def _layer(module: str) -> str | None:
    for layer, prefixes in LAYERS.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return layer
    return None


def test_layers_import_downward_only():
    upward = []
    graph = _graph()
    for name in MODULES:
        mine = _layer(name)
        if mine is None:
            continue
        for target in graph[name]:
            theirs = _layer(target)
            if theirs is not None and ORDER.index(theirs) > ORDER.index(mine):
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_every_module_has_a_layer():
    assert [m for m in MODULES if m != "toolkit" and _layer(m) is None] == []


def test_no_private_names_imported_across_modules():
    bad = []
    for name in MODULES:
        for module, imported, node in _imports(name):
            if imported and imported.startswith("_") and not imported.startswith("__") and module != name:
                bad.append(f"{name}: from {module} import {imported} (line {node.lineno})")
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        aliases = {a.asname or a.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                   for a in node.names if _resolve(name, node) + "." + a.name in MODULES}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id in aliases and node.attr.startswith("_") and not node.attr.startswith("__"):
                bad.append(f"{name}: {node.value.id}.{node.attr} (line {node.lineno})")
    assert bad == []


def test_library_code_does_not_print():
    printing = []
    for name, path in MODULES.items():
        if name in ("toolkit.cli", "toolkit.__main__"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                printing.append(f"{name}:{node.lineno}")
    assert printing == []


def _import_alone(module: str) -> tuple[str, int, str]:
    proc = subprocess.run([sys.executable, "-c", f"import importlib; importlib.import_module({module!r})"],
                          capture_output=True, text=True, timeout=120)
    return module, proc.returncode, proc.stderr[-2000:]


def test_every_module_imports_on_its_own():
    # A fresh interpreter per module: an import that works only after another module
    # was imported first (a hidden cycle or order dependence) fails here.
    modules = [m for m in MODULES if m != "toolkit.__main__"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        failures = [(m, err) for m, code, err in pool.map(_import_alone, modules) if code != 0]
    assert failures == []


def test_import_toolkit_is_light():
    code = ("import sys, toolkit; heavy = [m for m in ('pandas', 'sklearn', 'jieba', 'matplotlib') "
            "if m in sys.modules]; print(heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "[]"


def test_no_package_attribute_shadows_its_module():
    # `import toolkit.x.y as m` must give the module y, not a function of the same name
    # that the package x exported over it.
    import importlib
    import pkgutil

    import toolkit

    shadowed = []
    for info in pkgutil.walk_packages(toolkit.__path__, "toolkit."):
        if info.name.endswith(".__main__"):
            continue
        module = importlib.import_module(info.name)
        parent, leaf = info.name.rsplit(".", 1)
        if getattr(importlib.import_module(parent), leaf, None) is not module:
            shadowed.append(info.name)
    assert shadowed == []
