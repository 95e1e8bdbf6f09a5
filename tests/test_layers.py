"""The package's layers: imports point down, and markup is written only in present/."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import genderstats as gs

PACKAGE = Path(gs.__file__).parent
LAYERS = ("data", "analyses", "present", "pipeline")
# What each layer may import besides itself ("shared": the modules at the package's top).
ALLOWED = {
    "data": {"shared"},
    "shared": {"data"},
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


@pytest.mark.parametrize("name", ["charts", "tables", "committees", "narrative", "registry"])
def test_notebooks_written_before_the_layers_still_find_their_modules(name):
    assert getattr(gs, name).__name__.split(".")[-1] == name
