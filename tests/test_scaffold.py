"""`genderstats new`: a scaffolded analysis is registered, builds, and appears in the index."""

from __future__ import annotations

import json
import shutil

import pytest

from genderstats import config
from genderstats.build import BuildOptions, build
from genderstats.cli import main
from genderstats.registry import RegistryError, load_registry


@pytest.fixture
def notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(config.NOTEBOOKS_DIR, folder,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return folder


def test_new_analysis_is_registered_and_published(notebooks, tmp_path, capsys):
    registry = notebooks / "reports.yml"
    code = main(["new", "hackathon-participants", "--title", "黑客松參賽者「性別」統計",
                 "--registry", str(registry)])
    assert code == 0
    assert "已建立" in capsys.readouterr().out
    path = notebooks / "hackathon_participants.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert nb["cells"][0]["source"][0] == "# 黑客松參賽者「性別」統計\n"
    report = load_registry(registry)[-1]
    assert (report.id, report.title, report.notebook) == (
        "hackathon-participants", "黑客松參賽者「性別」統計", path)
    assert "# id 不可更改" in registry.read_text(encoding="utf-8")  # comments kept

    result = build(BuildOptions(year=112, data_dir=config.DATA_DIR, out_dir=tmp_path / "out",
                                registry=registry, only=["hackathon-participants"],
                                echo=lambda s: None))
    assert result.results[0].status == "ok", result.results[0].error
    out = tmp_path / "out" / "112"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a href="hackathon-participants.html">黑客松參賽者「性別」統計</a>' in index
    page = (out / "hackathon-participants.html").read_text(encoding="utf-8")
    assert "依職別" in page and "<img" in page


def test_new_refuses_a_taken_id_and_writes_nothing(notebooks):
    registry = notebooks / "reports.yml"
    before = registry.read_text(encoding="utf-8")
    with pytest.raises(RegistryError, match="id「digital-training」已在"):
        from genderstats.scaffold import new_analysis

        new_analysis("digital-training", "重複", registry=registry)
    assert registry.read_text(encoding="utf-8") == before


def test_new_from_an_existing_notebook_copies_it_without_outputs(notebooks):
    from genderstats.scaffold import new_analysis

    path = new_analysis("another-committee", "另一個委員會", source="committee_composition",
                        registry=notebooks / "reports.yml")
    copy = json.loads(path.read_text(encoding="utf-8"))
    original = json.loads((notebooks / "committee_composition.ipynb").read_text(encoding="utf-8"))
    assert [c["source"] for c in copy["cells"]] == [c["source"] for c in original["cells"]]
    with pytest.raises(RegistryError, match="找不到範本筆記本 nope.ipynb"):
        new_analysis("x", "X", source="nope", registry=notebooks / "reports.yml")
