"""Sphinx configuration of the previs documentation.

Build with ``make docs`` (warnings are errors, nitpicky cross-references). The API
reference is generated here, at build time, from the package itself: one page per
public module found by walking ``previs`` (so modules added, moved or removed by a
refactoring need no edit here), a table of ``previs.__all__`` (the lazy facade) and,
for each subpackage, its docstring and the names it re-exports. The notebooks
under ``notebooks/`` (stored without outputs) are copied in and executed by
myst-nb, offline.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import os
import pkgutil
import shutil
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))  # the source tree's previs, also when it is not installed

import previs  # noqa: E402

# -- Project ---------------------------------------------------------------------------
project = "previs"
author = "previs developers"
copyright = "previs developers"  # noqa: A001 (Sphinx's name)
release = previs.__version__
version = ".".join(release.split(".")[:2])

# -- General ---------------------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_automodapi.automodapi",
    "sphinx_automodapi.smart_resolver",
    "numpydoc",
    "sphinxarg.ext",
    "myst_nb",
    "sphinx_copybutton",
]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "notebooks/data", "README.md"]
templates_path = ["_templates"]
nitpicky = True

# Offline builds cannot fetch other projects' inventories, so names from other
# packages (numpy, astropy, shapely, regions, matplotlib, ipywidgets, the standard
# library) in signatures and docstrings are not links; previs's own names must resolve.
_EXTERNAL = (
    "numpy", "np", "astropy", "shapely", "regions", "matplotlib", "ipywidgets", "ipympl",
    "traitlets", "argparse", "collections", "datetime", "dt", "_dt", "pathlib", "typing",
    "os", "io", "json", "enum", "erfa", "PIL", "voila", "types", "abc", "contextlib",
    "mpl_toolkits", "jupyter_server", "jupyter_client", "t",
)  # fmt: skip
_BUILTINS = (
    "str", "int", "float", "bool", "bytes", "object", "None", "list", "dict", "tuple",
    "set", "frozenset", "type", "callable", "Callable", "Iterable", "Iterator", "Sequence",
    "Mapping", "Any", "Path", "ndarray", "array", "array_like", "optional", "default",
    "Self", "Literal", "Enum", "ValueError", "OSError", "Exception", "TypeError",
    "KeyError", "NamedTuple", "os.PathLike", "PathLike", "date", "datetime", "Table",
    "SkyCoord", "WCS", "Figure", "Axes", "Polygon", "MultiPolygon", "Geometry", "Regions",
    "BaseGeometry",
)  # fmt: skip
nitpick_ignore_regex = [
    (r"py:.*", rf"({'|'.join(_EXTERNAL)})(\..*)?"),
    (r"py:.*", rf"({'|'.join(_BUILTINS)})"),
    # Private modules and names (previs._files, ...) are not documented: plain text.
    (r"py:.*", r"(.*\.)?_[a-z][\w.]*"),
]

# -- autodoc, automodapi, numpydoc -----------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"show-inheritance": True}
autosummary_generate = False  # stubs come from automodapi; autosummary only makes tables
automodapi_inheritance_diagram = False  # needs graphviz
automodapi_toctreedirnm = "api/generated"
automodsumm_inherited_members = False
numpydoc_show_class_members = False  # automodapi lists members
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- myst-nb: the notebooks run at build time, offline ---------------------------------
nb_execution_mode = "force"  # notebooks are stored without outputs
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
_SNAPSHOT = json.loads((ROOT / "previs" / "data" / "siaf_snapshot.json").read_text())
myst_substitutions = {
    "siaf_prd": _SNAPSHOT["prd_version"],
    "siaf_pysiaf": _SNAPSHOT["pysiaf_version"],
}
myst_heading_anchors = 3

# -- HTML ------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"previs {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
}
html_context = {"default_mode": "light"}

# -- Generated sources -----------------------------------------------------------------
API_DIR = DOCS / "api"
NOTEBOOK_DIR = DOCS / "notebooks"
#: Notebooks of the source tree rendered in the docs (the dashboard app is shown by
#: screenshots instead: its widgets need a live kernel).
RENDERED_NOTEBOOKS = ("tutorial", "scripting")


def public_modules() -> list[str]:
    """Every importable public module of previs: no component starts with ``_``."""
    names = ["previs"]
    for info in pkgutil.walk_packages(previs.__path__, prefix="previs."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def _bound_names(target: ast.expr) -> list[str]:
    """Names an assignment target binds (``A``, ``A, B = ...``, ``[A, *B] = ...``)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _bound_names(element)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def _assigns(module: object, name: str) -> bool:
    """Whether ``module``'s own source binds ``name`` at top level (not an import)."""
    try:
        tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    except (OSError, TypeError):
        return False
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        if any(name in _bound_names(target) for target in targets):
            return True
    return False


def canonical_name(name: str, obj: object, modules: list[str]) -> str | None:
    """Where ``obj`` (exported as ``name``) is documented: its defining module."""
    if inspect.isclass(obj) or inspect.isroutine(obj) or hasattr(obj, "__wrapped__"):
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if module and qualname and module in modules:
            return f"{module}.{qualname}"
    for modname in modules:
        module = sys.modules.get(modname) or importlib.import_module(modname)
        if getattr(module, name, None) is obj and _assigns(module, name):
            return f"{modname}.{name}"
    return None


def foreign_names(modname: str) -> list[str]:
    """Names automodapi would list for ``modname`` that the module does not define.

    They are documented where they are defined (a module without ``__all__`` holds
    its imports too; a package's ``__all__`` re-exports its modules' names), so
    automodapi skips them here and the re-export table links to them.
    """
    from sphinx_automodapi.utils import find_mod_objs

    module = importlib.import_module(modname)
    skipped = []
    for name, _, obj in zip(*find_mod_objs(modname), strict=True):
        if inspect.isclass(obj) or inspect.isroutine(obj) or hasattr(obj, "__wrapped__"):
            local = getattr(obj, "__module__", None) == modname
        else:
            local = _assigns(module, name) and not _is_type_alias(obj)
        if not local:
            skipped.append(name)
    return skipped


def _is_type_alias(obj: object) -> bool:
    """``typing`` constructs (``Callable[...]`` aliases) have no page of their own."""
    return type(obj).__module__ in ("typing", "types", "collections.abc")


def _underline(text: str, char: str) -> str:
    return f"{text}\n{char * len(text)}\n"


def _reexport_table(package: str, modules: list[str]) -> str:
    module = importlib.import_module(package)
    names = [n for n in getattr(module, "__all__", []) if not n.startswith("_")]
    rows = []
    for name in names:
        target = canonical_name(name, getattr(module, name), modules)
        if target is None:
            raise RuntimeError(f"docs: cannot find where {package}.{name} is defined")
        if target != f"{package}.{name}":
            rows.append(f"   ~{target}")
    if not rows:
        return ""
    return (
        ".. currentmodule:: None\n\n.. autosummary::\n   :nosignatures:\n\n"
        + "\n".join(rows)
        + "\n"
    )


def _module_page(name: str, modules: list[str]) -> str:
    children = [m for m in modules if m.rpartition(".")[0] == name]
    skip = "".join(f"   :skip: {n}\n" for n in foreign_names(name))
    text = [
        _underline(name, "="),
        f".. automodapi:: {name}\n   :no-heading:\n   :include-all-objects:\n"
        f"   :headings: -~\n{skip}",
    ]
    table = _reexport_table(name, modules)
    if table:
        text += [_underline("Re-exported names", "-"), f"Importable from ``{name}``:\n", table]
    if children:
        text.append(_underline("Modules", "-"))
        text.append(".. toctree::\n   :maxdepth: 1\n\n" + "".join(f"   {c}\n" for c in children))
    return "\n".join(text)


def write_api_pages() -> None:
    """One page per public module under ``docs/api`` (rewritten only when changed)."""
    modules = public_modules()
    pages = {f"{name}.rst": _module_page(name, modules) for name in modules if name != "previs"}
    top = [m for m in modules if m.count(".") == 1]
    pages["previs.rst"] = "\n".join(
        [
            _underline("API reference", "="),
            ".. automodule:: previs\n",
            "``previs.__version__`` is the version string. The names below are importable "
            "from ``previs`` itself (``from previs import Plan``; they are imported on first "
            "use) and documented in the module that defines them.\n",
            _reexport_table("previs", modules),
            _underline("Subpackages and modules", "-"),
            ".. toctree::\n   :maxdepth: 2\n\n" + "".join(f"   {m}\n" for m in top),
        ]
    )
    API_DIR.mkdir(exist_ok=True)
    for stale in API_DIR.glob("*.rst"):
        if stale.name not in pages:
            stale.unlink()
    # automodapi's stubs of names that no longer exist would be orphan pages.
    shutil.rmtree(API_DIR / "generated", ignore_errors=True)
    for filename, text in pages.items():
        path = API_DIR / filename
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def copy_notebooks() -> None:
    """Copy the rendered notebooks and their data folder next to the docs sources."""
    source = ROOT / "notebooks"
    NOTEBOOK_DIR.mkdir(exist_ok=True)
    for name in RENDERED_NOTEBOOKS:
        src, dst = source / f"{name}.ipynb", NOTEBOOK_DIR / f"{name}.ipynb"
        if not dst.is_file() or dst.read_bytes() != src.read_bytes():
            shutil.copyfile(src, dst)
    if (source / "data").is_dir():
        shutil.copytree(source / "data", NOTEBOOK_DIR / "data", dirs_exist_ok=True)


os.environ.setdefault("MPLBACKEND", "Agg")
write_api_pages()
copy_notebooks()


def _resolve_alias(target: str) -> str | None:
    """The documented name of ``target`` when it names a re-export (``previs.Plan``).

    ``previs.__all__`` is lazy (PEP 562) and subpackages re-export names of their
    modules; references written as ``previs.Plan`` or ``previs.catalog.Catalog`` go to
    the page of the module that defines the object.
    """
    if not target.startswith("previs."):
        return None
    parts = target.split(".")
    modules = public_modules()
    for cut in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:cut])
        if modname not in modules:
            continue
        obj: object = importlib.import_module(modname)
        try:
            head = obj = getattr(obj, parts[cut])
            for attr in parts[cut + 1 :]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        canonical = canonical_name(parts[cut], head, modules)
        if canonical is None or canonical == ".".join(parts[: cut + 1]):
            return None
        return ".".join([canonical, *parts[cut + 1 :]])
    return None


def _exists(target: str) -> bool:
    """Whether ``target`` names an attribute of a previs module (documented or not)."""
    parts = target.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        modname = ".".join(parts[:cut])
        if not modname.startswith("previs"):
            return False
        try:
            obj: object = importlib.import_module(modname)
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def _missing_reference(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"]
    candidates = [target]
    module = node.get("py:module") or ""
    while module:  # the current module, then its enclosing packages (their re-exports)
        candidates.append(f"{module}.{target}")
        module = module.rpartition(".")[0]
    for candidate in candidates:
        canonical = _resolve_alias(candidate)
        if canonical is not None:
            domain = env.domains["py"]
            for role in (node["reftype"], "obj"):
                resolved = domain.resolve_xref(
                    env, node["refdoc"], app.builder, role, canonical, node, contnode
                )
                if resolved is not None:
                    return resolved
    # A name that exists in a previs module but is not in its public API (a constant
    # outside ``__all__``): shown as code, not a link. Stale names still fail.
    if any(_exists(candidate) for candidate in candidates):
        return contnode
    return None


def _drop_type_docstring(app, what, name, obj, options, lines):
    """A constant without a ``#:`` comment would show its type's docstring (``int([x])``)."""
    if what not in ("data", "attribute") or inspect.isclass(obj) or inspect.isroutine(obj):
        return
    type_doc = inspect.getdoc(type(obj)) or ""
    text = " ".join(line.strip() for line in lines if line.strip())
    if type_doc and text.startswith(type_doc.splitlines()[0].strip()):
        lines.clear()


def _factory_defaults(app, what, name, obj, options, signature, return_annotation):
    """Write a dataclass field's ``<factory>`` default as the call it stands for.

    ``<factory>`` is not Python, so Sphinx would fall back to splitting the signature at
    commas, breaking annotations such as ``dict[str, SourceCounts]`` into bogus targets.
    """
    if not signature or "<factory>" not in signature or not dataclasses.is_dataclass(obj):
        return None
    factories = [
        getattr(f.default_factory, "__qualname__", "factory")
        for f in dataclasses.fields(obj)
        if f.init and f.default_factory is not dataclasses.MISSING
    ]
    for factory in factories:
        if "<factory>" not in signature or "<" in factory:  # a lambda: leave it
            break
        signature = signature.replace("<factory>", f"{factory}()", 1)
    return signature, return_annotation


def setup(app):
    """Resolve references to re-exported names before automodapi's own resolver."""
    app.connect("missing-reference", _missing_reference, priority=400)
    app.connect("autodoc-process-docstring", _drop_type_docstring, priority=100)  # before numpydoc
    app.connect("autodoc-process-signature", _factory_defaults)
    return {"parallel_read_safe": True}
