"""`genderstats new`: a scaffolded analysis is a draft, tried with --drafts, then published."""

from __future__ import annotations

import json

import pytest
from conftest import copy_registry

from genderstats import config
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.cli import main
from genderstats.pipeline.registry import RegistryError, load_registry


@pytest.fixture
def notebooks(tmp_path):
    return copy_registry(tmp_path / "notebooks").parent


def test_new_analysis_is_a_draft_until_its_placeholder_is_replaced(notebooks, tmp_path,
                                                                   sample_data, capsys):
    registry = notebooks / "reports.yml"
    code = main(["new", "hackathon-participants", "--title", "黑客松參賽者「性別」統計",
                 "--registry", str(registry)])
    assert code == 0
    assert "以草稿（draft: true）加入報告清單" in capsys.readouterr().out
    path = notebooks / "hackathon_participants.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert nb["cells"][0]["source"][0] == "# 黑客松參賽者「性別」統計\n"
    report = load_registry(registry)[-1]
    assert (report.id, report.title, report.notebook, report.draft) == (
        "hackathon-participants", "黑客松參賽者「性別」統計", path, True)
    assert "# id 不可更改" in registry.read_text(encoding="utf-8")  # comments kept
    out = tmp_path / "out" / "112"

    def run(**kw):
        lines: list[str] = []
        result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path / "out",
                                    registry=registry, echo=lines.append, **kw))
        return result, lines

    # A scheduled build skips the draft, says so in one line, and publishes nothing of it.
    result, lines = run(only=["onsite-engineers"])
    assert [r.id for r in result.results] == ["onsite-engineers"]
    skipped = [line for line in lines if "草稿" in line]
    assert len(skipped) == 1
    assert skipped[0].endswith("略過 1 份草稿：hackathon-participants（reports.yml 中 draft: true；"
                               "加上 --drafts 可試產製）")
    assert "hackathon" not in (out / "index.html").read_text(encoding="utf-8")
    assert not (out / "hackathon-participants.html").exists()

    # --drafts tries it: the template runs on the sample data and shows no Python repr.
    result, _ = run(only=["hackathon-participants"], drafts=True)
    assert result.results[0].status == "ok", result.results[0].error
    page = (out / "hackathon-participants.html").read_text(encoding="utf-8")
    assert "依職別" in page and "<img" in page
    assert "'共 " not in page and "&#39;共" not in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["reports"] if e["id"] == "hackathon-participants")
    assert entry["key_figure"] == "共 37 人，女性 29.73%"

    # Published (draft line removed) while still holding the placeholder: refused, clearly.
    text = registry.read_text(encoding="utf-8")
    registry.write_text("\n".join(line for line in text.splitlines() if "draft: true" not in line)
                        + "\n", encoding="utf-8")
    assert not load_registry(registry)[-1].draft
    result, _ = run(only=["hackathon-participants"])
    (res,) = result.results
    assert res.status == "failed"
    assert res.error == (
        "筆記本 hackathon_participants.ipynb 仍有範本的佔位文字「（請在此寫下對委員的建議，"
        "委員會逐字閱讀。）」，不能發布給委員。請改寫為這份報告的內容；仍在撰寫中的報告，"
        "請在 reports.yml 加上 draft: true。")
    # The trial page made from the placeholder is withdrawn; the index says it is not ready.
    assert not (out / "hackathon-participants.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "本報告尚未完成" in index and 'href="hackathon-participants.html"' not in index

    # Once the analyst writes the recommendation, it publishes.
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        cell["source"] = [line.replace("（請在此寫下對委員的建議，委員會逐字閱讀。）",
                                       "建議各廠商提高女性工程師比例。") for line in cell["source"]]
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    result, _ = run(only=["hackathon-participants"])
    assert result.results[0].status == "ok", result.results[0].error
    assert "建議各廠商提高女性工程師比例。" in (out / "hackathon-participants.html").read_text(
        encoding="utf-8")


def test_only_a_draft_without_drafts_is_a_usage_error(notebooks, sample_data, tmp_path):
    from genderstats.pipeline.build import BuildUsageError
    from genderstats.pipeline.scaffold import new_analysis

    registry = notebooks / "reports.yml"
    new_analysis("x-draft", "草稿", registry=registry)
    with pytest.raises(BuildUsageError, match="x-draft 是草稿"):
        build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path / "out",
                           registry=registry, only=["x-draft"], echo=lambda s: None))
    assert not (tmp_path / "out").exists()


def test_list_prints_commands_that_run_as_printed(notebooks, capsys):
    import shlex
    import sys
    from pathlib import Path

    code = main(["list", "--year", "112", "--registry", str(notebooks / "reports.yml")])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    command = shlex.split(lines[1])
    exe = Path(command[0])
    assert exe.is_absolute() and exe.is_file(), command
    assert exe.parent == Path(sys.executable).parent
    assert Path(command[1]) == notebooks / "committee_composition.ipynb"
    assert command[2:] == ["gender-equality-task-force.ipynb", "-p", "year", "112",
                           "-p", "data_dir", str(config.DATA_DIR), "-p", "committee",
                           "性別平等專案小組", "-p", "decimals", "2"]


def test_new_refuses_a_taken_id_and_writes_nothing(notebooks):
    registry = notebooks / "reports.yml"
    before = registry.read_text(encoding="utf-8")
    with pytest.raises(RegistryError, match="id「digital-training」已在"):
        from genderstats.pipeline.scaffold import new_analysis

        new_analysis("digital-training", "重複", registry=registry)
    assert registry.read_text(encoding="utf-8") == before


def test_new_from_an_existing_notebook_copies_it_without_outputs(notebooks):
    from genderstats.pipeline.scaffold import new_analysis

    path = new_analysis("another-committee", "另一個委員會", source="committee_composition",
                        registry=notebooks / "reports.yml")
    copy = json.loads(path.read_text(encoding="utf-8"))
    original = json.loads((notebooks / "committee_composition.ipynb").read_text(encoding="utf-8"))
    assert [c["source"] for c in copy["cells"]] == [c["source"] for c in original["cells"]]
    with pytest.raises(RegistryError, match="找不到範本筆記本 nope.ipynb"):
        new_analysis("x", "X", source="nope", registry=notebooks / "reports.yml")
