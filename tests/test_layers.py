"""The package's layers: imports point down with no circle, no module imports another's
private names, and markup is written only in present/."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import genderstats as gs

PACKAGE = Path(gs.__file__).parent
LAYERS = ("data", "analyses", "present", "pipeline")
# What each layer may import besides itself ("shared": the modules at the package's top,
# which data builds on: they import no data module).
ALLOWED = {
    "data": {"shared"},
    "shared": set(),
    "present": {"shared", "data"},
    "analyses": {"present", "shared", "data"},
    "pipeline": {"analyses", "present", "shared", "data"},
}
HTML_TAGS = ("a|p|h[1-6]|ul|ol|li|table|thead|tbody|tfoot|tr|td|th|caption|colgroup|div|span|"
             "section|nav|figure|figcaption|img|picture|source|details|summary|br|strong|em")
# (?<!P): a regular expression's named group (?P<a>…) is not a tag.
TAG = re.compile(rf"(?<!P)</?(?:{HTML_TAGS})(?:\s[^<>]*)?/?>")


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "shared"


def modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        out.append((name.removesuffix(".__init__"), path))
    return out


def imported(path: Path) -> set[str]:
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "genderstats"):
            if node.module == "genderstats":
                targets |= {f"genderstats.{a.name}" for a in node.names}
            else:
                targets.add(node.module)
        elif isinstance(node, ast.Import):
            targets |= {a.name for a in node.names if a.name.startswith("genderstats.")}
    return targets - {"genderstats"}


def test_every_module_imports_only_its_own_layer_or_a_lower_one():
    wrong = []
    for name, path in modules():
        if name == "genderstats":
            continue  # the lazy loader of every name
        mine = layer_of(name)
        for target in imported(path):
            theirs = layer_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                wrong.append(f"{name} ({mine}) imports {target} ({theirs})")
    assert wrong == []


def test_the_check_sees_an_upward_import(tmp_path):
    bad = tmp_path / "m.py"
    bad.write_text("from genderstats.pipeline import build\nfrom genderstats import charts\n")
    assert imported(bad) == {"genderstats.pipeline", "genderstats.charts"}
    assert layer_of("genderstats.pipeline.build") == "pipeline"
    assert "pipeline" not in ALLOWED["analyses"] and "analyses" not in ALLOWED["present"]


def markup_literals(path: Path) -> list[str]:
    """String constants (docstrings aside) holding an HTML tag."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)):
            docstrings.add(id(body[0].value))
    return [f"{path.name}:{node.lineno} {node.value[:40]!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings and TAG.search(node.value)]


def test_markup_is_written_only_in_the_present_layer():
    found = [hit for name, path in modules() if layer_of(name) != "present"
             for hit in markup_literals(path)]
    assert found == []
    assert markup_literals(PACKAGE / "present" / "html.py")  # the check does see markup


# --------------------------------------------------------------------------- circles


NOTEBOOK_API = {"record_table", "record_summary", "record_figures", "roc_year"}
"""The functions notebooks call as gs.<name> (docs/architecture.md 〈筆記本的 API〉)."""


def module_names(root: Path = PACKAGE) -> dict[str, Path]:
    """``{dotted name: path}`` of every module below ``root`` (a package's is its __init__)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, str, int]]:
    """Every import of ``path`` (module ``name``), function-local ones included, as
    (module imported, name imported from it or "", line). ``from a import b`` imports the
    module a.b when there is one, else the name b of a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, "", node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in known:
                    yield full, "", node.lineno
                else:
                    yield base, alias.name, node.lineno


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """``{module: modules of the package it imports}``."""
    modules = module_names(root)
    return {name: {target for target, _, _ in imports_of(name, path, set(modules))
                   if target in modules and target != name}
            for name, path in modules.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph``: its strongly connected components of more than one
    module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_another_that_imports_it_back():
    assert circles(import_graph()) == []


def fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    """A package ``genderstats`` in ``tmp_path`` with ``files`` ({path: source}) and an
    empty __init__ in every folder."""
    package = tmp_path / "genderstats"
    for relative, source in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
        for folder in (path.parent, *path.parent.parents):
            if folder == tmp_path:
                break
            (folder / "__init__.py").touch()
    return package


def test_the_check_sees_a_circle_closed_inside_a_function(tmp_path):
    package = fake_package(tmp_path, {
        "data/a.py": "from genderstats.data.b import f\n",
        "data/b.py": "def f():\n    from genderstats import stats\n",
        "stats.py": "def g():\n    from genderstats.data import a\n    return a\n",
        "names.py": "from genderstats.data import b\n",
    })
    assert circles(import_graph(package)) == [
        ["genderstats.data.a", "genderstats.data.b", "genderstats.stats"]]


# --------------------------------------------------------------------------- private names


def private_uses(root: Path = PACKAGE) -> list[str]:
    """Where a module imports a name starting with "_" from another module (dunders such as
    ``__version__`` aside), or reaches one through a module it imported (``charts._render``)."""
    modules = module_names(root)
    found = []
    for name, path in modules.items():
        bound: dict[str, str] = {}
        for target, what, line in imports_of(name, path, set(modules)):
            if not target.startswith("genderstats"):
                continue
            if what.startswith("_") and not what.startswith("__"):
                found.append(f"{name}:{line} imports {what} from {target}")
            if not what:
                bound[target.rpartition(".")[2]] = target
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in bound and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                found.append(f"{name}:{node.lineno} uses {bound[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names():
    assert private_uses() == []


def test_the_check_sees_a_private_import_and_a_private_attribute(tmp_path):
    package = fake_package(tmp_path, {
        "present/charts.py": "def _render(): ...\n",
        "present/html.py": ("from genderstats.present.charts import _render\n"
                            "from genderstats import __version__\n"),
        "present/odf.py": ("def f():\n    from genderstats.present import charts\n"
                           "    return charts._render()\n"),
    })
    assert private_uses(package) == [
        "genderstats.present.html:1 imports _render from genderstats.present.charts",
        "genderstats.present.odf:3 uses genderstats.present.charts._render",
    ]


# --------------------------------------------------------------------------- notebooks


def gs_names(notebook: Path) -> set[str]:
    """The names a notebook's code reaches as ``gs.<name>``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    names = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "gs"):
                names.add(node.attr)
    return names


def test_notebooks_reach_modules_by_their_own_path(sample_registry):
    top = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")} | {
        p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    notebooks = [*sample_registry.parent.glob("*.ipynb"),
                 PACKAGE / "templates" / "scaffold" / "template.ipynb"]
    used = {(nb.name, n) for nb in notebooks for n in gs_names(nb)}
    assert {n for _, n in used} >= {"record_table", "data", "present"}  # the scan sees them
    assert sorted((nb, n) for nb, n in used if n not in top | NOTEBOOK_API) == []
    for name in NOTEBOOK_API:
        assert getattr(gs, name).__module__ in ("genderstats.record", "genderstats.years")
    with pytest.raises(AttributeError):
        gs.committees  # noqa: B018  (the layers' modules have no short names)


# --------------------------------------------------------------------------- size

LONG = 500


def test_a_module_over_500_lines_says_at_its_top_why_it_is_one_module():
    unexplained = []
    for name, path in modules():
        text = path.read_text(encoding="utf-8")
        lines = text.count("\n")
        if lines > LONG and "Over 500 lines" not in (ast.get_docstring(ast.parse(text)) or ""):
            unexplained.append(f"{name}: {lines} lines")
    assert unexplained == []
