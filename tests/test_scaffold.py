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


def _edit(path, change):
    """Rewrite the notebook at ``path``: ``change(cells)`` returns its new cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"] = change(nb["cells"])
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def _replace(old, new):
    def change(cells):
        for cell in cells:
            cell["source"] = "".join(cell["source"]).replace(old, new)
        return cells
    return change


UNFINISHED = (
    "筆記本 hackathon_participants.ipynb 仍是 genderstats new 建立的草稿，不能發布給委員："
    "仍有範本的文字「這本筆記本由 `genderstats new` 建立，是一份草稿。」等 {n} 句；"
    "參數 dataset 仍是範本的範例資料「onsite_engineers」。請改寫或刪除範本的文字，"
    "並在參數格的 dataset 選定這份報告的資料（檔名見 data/README.md）；"
    "仍在撰寫中的報告，請在 reports.yml 加上 draft: true。")


def test_new_analysis_is_a_draft_until_no_template_text_nor_example_data_is_left(
        notebooks, tmp_path, sample_data, capsys):
    registry = notebooks / "reports.yml"
    code = main(["new", "hackathon-participants", "--title", "黑客松參賽者「性別」統計",
                 "--registry", str(registry)])
    assert code == 0
    assert "以草稿（draft: true）加入報告清單" in capsys.readouterr().out
    path = notebooks / "hackathon_participants.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    # The page prints the title as its heading; the notebook's text does not repeat it.
    assert 'title = "黑客松參賽者「性別」統計"\n' in "".join(nb["cells"][3]["source"])
    assert not [c for c in nb["cells"]
                if c["cell_type"] == "markdown" and "黑客松" in "".join(c["source"])]
    report = load_registry(registry)[-1]
    assert (report.id, report.title, report.notebook, report.draft) == (
        "hackathon-participants", "黑客松參賽者「性別」統計", path, True)
    # It offers its headcounts to the results report's prose, as every report may.
    assert report.figures == {"men": "黑客松參賽者「性別」統計：男性人數",
                              "women": "黑客松參賽者「性別」統計：女性人數"}
    assert "# id 不可更改" in registry.read_text(encoding="utf-8")  # comments kept
    out = tmp_path / "out" / "112"

    def run(**kw):
        lines: list[str] = []
        result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path / "out",
                                    registry=registry, echo=lines.append, **kw))
        return result, lines

    def pages():
        """The committee's index, table and indicators; the staff page."""
        return ([(out / name).read_text(encoding="utf-8-sig")
                 for name in ("index.html", "tables.csv", "indicators.csv")],
                (out / "staff.html").read_text(encoding="utf-8"))

    # A scheduled build skips the draft, says so in one line, and publishes nothing of it;
    # the staff page lists it as a draft, and why.
    result, lines = run(only=["onsite-engineers"])
    assert [r.id for r in result.results] == ["onsite-engineers"]
    skipped = [line for line in lines if "草稿" in line]
    assert len(skipped) == 1
    assert skipped[0].endswith("略過 1 份草稿：hackathon-participants（reports.yml 中 draft: true；"
                               "加上 --drafts 可試產製）")
    committee, staff = pages()
    assert not [p for p in committee if "黑客松參賽者" in p or "hackathon" in p]
    assert not (out / "hackathon-participants.html").exists()
    assert ("<h3>黑客松參賽者「性別」統計（hackathon-participants）：草稿（未產製）</h3>\n"
            "  <p>reports.yml 中標為 draft: true：build 不產製它（加上 --drafts 可試產製）；"
            "要發布時，刪除 draft 這一行。</p>") in staff

    # --drafts tries it: the template runs on the sample data and shows no Python repr. The
    # trial is on the staff page only: not on the index, nor in the tables.
    result, _ = run(only=["hackathon-participants"], drafts=True)
    assert result.results[0].status == "ok", result.results[0].error
    page = (out / "hackathon-participants.html").read_text(encoding="utf-8")
    assert "依職別" in page and "<img" in page
    assert "'共 " not in page and "&#39;共" not in page
    assert page.count("黑客松參賽者「性別」統計</h1>") == 1  # the page's heading only
    assert "黑客松參賽者「性別」統計<a" not in page
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["reports"] if e["id"] == "hackathon-participants")
    assert entry["key_figure"] == "共 37 人，女性 29.73%"
    committee, staff = pages()
    assert not [p for p in committee if "黑客松參賽者" in p or "hackathon" in p]
    assert "草稿（已產製）" in staff and '<a href="hackathon-participants.html">頁面</a>' in staff

    # Published (draft line removed) while the template is left in it: refused, clearly, and
    # still on no committee page, the results report's list included.
    text = registry.read_text(encoding="utf-8")
    registry.write_text("\n".join(line for line in text.splitlines() if "draft: true" not in line)
                        + "\n", encoding="utf-8")
    assert not load_registry(registry)[-1].draft
    result, _ = run(only=["hackathon-participants", "annual-report"])
    res = next(r for r in result.results if r.id == "hackathon-participants")
    assert res.status == "failed"
    assert res.error == UNFINISHED.format(n=6)
    # The trial page made from the template is withdrawn.
    assert not (out / "hackathon-participants.html").exists()
    committee, staff = pages()
    assert not [p for p in committee if "黑客松參賽者" in p or "hackathon" in p]
    annual = (out / "annual-report.html").read_text(encoding="utf-8")
    assert "黑客松參賽者" not in annual and "本報告尚未完成" in annual  # others are unbuilt here
    status = json.loads((out / ".state" / "report-status.json").read_text(encoding="utf-8"))
    assert "hackathon-participants" not in status["reports"]
    assert f"<p>{UNFINISHED.format(n=6)}</p>" in staff
    assert "1 份報告未完成" not in staff  # a draft is not a failure the committee sees

    # The recommendation written is not enough: the guide, the introduction and the example
    # data are the template's too. Nothing runs.
    _edit(path, _replace("（請在此寫下對委員的建議，委員會逐字閱讀。）",
                         "建議各委員會提高女性委員比例。"))
    (res,) = run(only=["hackathon-participants"])[0].results
    assert (res.status, res.error) == ("failed", UNFINISHED.format(n=5))

    # Written through, the guide deleted, its own data chosen: it publishes, on the index too.
    _edit(path, lambda cells: _replace(
        "（請在此說明這份分析：統計的對象、資料來源與目的，委員會逐字閱讀。）",
        "本分析統計各委員會委員的性別組成。")(cells[1:]))
    _edit(path, _replace('dataset: str = "onsite_engineers"', 'dataset: str = "committee_members"'))
    _edit(path, _replace('by: str = "job_category"', 'by: str = "committee"'))
    from genderstats.pipeline.scaffold import committee_reports, draft_reason

    assert draft_reason(load_registry(registry)[-1]) is None
    assert committee_reports(load_registry(registry))[-1].id == "hackathon-participants"
    result, _ = run(only=["hackathon-participants"])
    assert result.results[0].status == "ok", result.results[0].error
    page = (out / "hackathon-participants.html").read_text(encoding="utf-8")
    assert "建議各委員會提高女性委員比例。" in page and "本分析統計各委員會委員的性別組成。" in page
    assert 'href="hackathon-participants.html"' in (out / "index.html").read_text(encoding="utf-8")
    recorded = json.loads((out / ".state" / "hackathon-participants.json").read_text("utf-8"))
    assert set(recorded["last_good"]["figures"]) == {"men", "women"}
    assert all(v and v.replace(",", "").isdigit()
               for v in recorded["last_good"]["figures"].values())


def test_every_template_sentence_and_the_example_data_mark_a_draft(notebooks):
    from genderstats.pipeline.scaffold import (
        committee_reports,
        example_dataset,
        new_analysis,
        template_sentences,
        unfinished,
    )

    assert example_dataset() == "onsite_engineers"
    assert template_sentences() == (
        "這本筆記本由 `genderstats new` 建立，是一份草稿。",
        "依序修改：參數格（要分析哪一種資料、依哪一欄分組；範例是駐點工程師名單）、"
        "下一段的說明與最後的建議，改好後刪除這一段。",
        "範本的文字或範例資料還在時，build 不會發布這份報告。",
        "表格、圖表與分析發現由 `genderstats` 套件產生，不必改寫。",
        "（請在此說明這份分析：統計的對象、資料來源與目的，委員會逐字閱讀。）",
        "（請在此寫下對委員的建議，委員會逐字閱讀。）",
        # The earlier wording, still in notebooks made from it.
        "這本筆記本由 `genderstats new` 建立。",
        "依序修改：參數（要分析哪一種資料、依哪一欄分組）、說明文字與建議。",
        "表格、圖表與分析文字都由 `genderstats` 套件產生，所有報告因此採用同一套四捨五入、"
        "三分之一原則與隱私規則。")
    registry = notebooks / "reports.yml"
    path = new_analysis("x-report", "某分析", registry=registry)
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("    draft: true", "    parameters: {dataset: staff_training}"
                                     "\n    draft: true"), encoding="utf-8")

    def left(change):
        _edit(path, change)
        return unfinished(load_registry(registry)[-1])

    # Chosen in reports.yml, the dataset is no longer the template's example.
    assert "範例資料" not in left(lambda cells: cells)
    # Each sentence alone keeps it a draft, however the analyst re-wraps it.
    for sentence in template_sentences():
        why = left(lambda cells, s=sentence: [
            {"cell_type": "markdown", "metadata": {}, "source": s.replace("，", "，\n  ")},
            *[c for c in cells if c["cell_type"] == "code"]])
        assert why.startswith("筆記本 x_report.ipynb 仍是 genderstats new 建立的草稿")
        assert f"仍有範本的文字「{sentence}」。" in why
    # Headings are structure, not text to replace; the published notebooks hold none of it.
    assert left(lambda cells: [{"cell_type": "markdown", "metadata": {}, "source": "## 建議"},
                               *cells[-2:-1]]) is None
    published = load_registry(registry)[:-1]
    assert committee_reports(published) == published
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
