"""The house: imports point one way between previs's subpackages, and never in a circle.

Read from the source with ``ast`` (every import statement, including those inside
functions and under ``TYPE_CHECKING``), so a lazy import cannot hide a wrong
direction. The layers, lowest first::

    base (errors, _validate, _files, _recent, style)  <- geometry <- planning <- catalog <- io
        <- plotting <- dashboard, cli

A module may import its own layer and those below. Nothing below ``dashboard``
imports ipywidgets, ipympl or IPython; nothing below ``plotting`` imports
matplotlib; nothing at run time imports pysiaf (the build scripts may).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "previs"
LAYERS = {
    "base": 0,
    "geometry": 1,
    "planning": 2,
    "catalog": 3,
    "io": 4,
    "plotting": 5,
    "dashboard": 6,
    "cli": 6,
}
BASE_MODULES = {"errors", "_validate", "_files", "_recent", "style"}
BUILD_SCRIPTS = {"previs.geometry.siaf_build"}  # may import pysiaf (make siaf)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "data" not in p.parts}


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import statement, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((base, node.lineno))
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _layer(module: str) -> tuple[str, int] | None:
    parts = module.split(".")
    if parts[0] != "previs" or len(parts) < 2:
        return None
    if parts[1] in BASE_MODULES:
        return "base", LAYERS["base"]
    if parts[1] in LAYERS:
        return parts[1], LAYERS[parts[1]]
    return None


def _internal_edges() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target, _ in _imports(name, path):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target.startswith("previs") and target != name:
                edges[name].add(target)
    return edges


def test_every_module_belongs_to_a_layer():
    unplaced = [m for m in _modules() if m not in ("previs", "previs.__main__") and not _layer(m)]
    assert not unplaced, f"modules outside the layers: {unplaced}"


def test_imports_point_down_the_layers():
    wrong = []
    for name, path in _modules().items():
        source = _layer(name)
        if source is None:
            continue
        for target, line in _imports(name, path):
            layer = _layer(target)
            if layer is None or layer[0] == source[0]:
                continue
            if layer[1] > source[1] or (layer[1] == source[1] and layer[0] != source[0]):
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("libraries", "lowest"),
    [
        (("ipywidgets", "ipympl", "IPython", "voila"), "dashboard"),
        (("matplotlib", "mpl_toolkits"), "plotting"),
    ],
)
def test_ui_libraries_stay_in_their_layers(libraries, lowest):
    wrong = []
    for name, path in _modules().items():
        layer = _layer(name)
        if layer is None or layer[1] >= LAYERS[lowest]:
            continue
        for target, line in _imports(name, path):
            if target.split(".")[0] in libraries:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert not wrong, f"below {lowest}:\n" + "\n".join(wrong)


def test_nothing_at_run_time_imports_pysiaf():
    wrong = [
        f"{name}:{line}"
        for name, path in _modules().items()
        if name not in BUILD_SCRIPTS
        for target, line in _imports(name, path)
        if target.split(".")[0] == "pysiaf"
    ]
    assert not wrong, f"pysiaf imported at run time: {wrong}"


def test_no_import_cycles():
    edges = _internal_edges()
    # A package's __init__ importing its own submodules is how it re-exports them.
    for name in list(edges):
        if (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists():
            edges[name] = {t for t in edges[name] if not t.startswith(name + ".")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
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
                cycles.append(sorted(component))

    for v in list(edges):
        if v not in index:
            visit(v)
    assert not cycles, f"import cycles: {cycles}"


def test_no_private_names_imported_across_modules():
    wrong = []
    for name, path in _modules().items():
        for target, line in _imports(name, path):
            leaf = target.rpartition(".")[2]
            if target.startswith("previs") and leaf.startswith("_") and not leaf.startswith("__"):
                if (
                    leaf not in {"_validate", "_files", "_recent", "_common"}
                    or target.count(".") > 2
                ):
                    wrong.append(f"{name}:{line} imports {target}")
    assert not wrong, f"private names imported: {wrong}"


def test_modules_and_classes_stay_small():
    big_modules, big_classes = [], []
    for name, path in _modules().items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > 600:
            big_modules.append(f"{name}: {source.count(chr(10))} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 400:
                big_classes.append(f"{name}.{node.name}: {node.end_lineno - node.lineno + 1}")
    assert not big_modules and not big_classes, (big_modules, big_classes)


def test_no_private_members_reached_across_objects():
    """``other._member`` is reaching into another object's insides: use its public interface."""
    wrong = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            attr = node.attr
            if not attr.startswith("_") or attr.startswith("__"):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                continue
            wrong.append(f"{name}:{node.lineno} .{attr}")
    assert not wrong, f"private members reached: {wrong}"
