"""The committee page template and the index page, checked without a browser."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from conftest import published_reports
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from genderstats.pipeline.index import render_index
from genderstats.pipeline.publish import notebook_to_html
from genderstats.record import INDICATORS_MIME

BUILT = datetime(2024, 2, 22, 9, 30).astimezone()


def _notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    params = new_code_cell("year = 112", metadata={"tags": ["parameters"]})
    code = new_code_cell("secret_code_here = 1\ndisplay(chart)", outputs=[
        new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "圖"},
                   metadata={"image/png": {"alt": "圓餅圖：全體委員17人，女性11人（64.71%）"}}),
        new_output("display_data", data={INDICATORS_MIME: [], "text/plain": "已記錄"}),
        new_output("stream", name="stderr", text="FutureWarning: noise"),
        new_output("display_data", data={"text/html": "<p>表格</p>", "text/plain": "t"}),
    ], execution_count=3)
    headings = [new_markdown_cell(f"## 第{n}節\n\n內容") for n in "一二三"]
    nb.cells = [params, new_markdown_cell("# 報告"), code, *headings]
    return nb


def test_header_has_department_title_year_build_date_and_sources():
    page = notebook_to_html(_notebook(), title="委員會<性別>統計", year=112, built=BUILT,
                            sources=[{"name": "委員名單", "period": "112年"},
                                     {"name": "data/112/committee_members.csv",
                                      "modified": "檔案日期 2024-01-05"}])
    assert '<html lang="zh-Hant-TW">' in page
    assert "<title>委員會&lt;性別&gt;統計｜112年（2023）｜臺北市政府資訊局</title>" in page
    assert '<p class="gs-dept">臺北市政府資訊局</p>' in page
    assert "<dd>112年（2023）</dd>" in page
    assert ('<dd><time class="gs-roc" datetime="2024-02-22 09:30">113/02/22 09:30</time></dd>'
            in page)
    assert "<li>委員名單（112年）</li>" in page
    # A file path (the old form of a source) is for staff, never for the committee.
    assert "committee_members.csv" not in page and "檔案日期" not in page


def test_page_has_no_code_prompts_stderr_records_or_scripts():
    page = notebook_to_html(_notebook(), title="報告", year=112, built=BUILT)
    assert "secret_code_here" not in page and "year = 112" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "FutureWarning" not in page and "已記錄" not in page
    assert "<script" not in page and "mathjax" not in page.lower()
    assert "<p>表格</p>" in page


def test_images_carry_their_alt_text_and_long_pages_get_a_table_of_contents():
    page = notebook_to_html(_notebook(), title="報告", year=112, built=BUILT)
    assert 'alt="圓餅圖：全體委員17人，女性11人（64.71%）"' in page
    assert '<nav class="gs-toc" aria-label="目錄">' in page
    assert page.count('<li><a href="#') == 3


def test_the_page_is_the_one_nbconvert_would_make_without_its_soup_pass(sample_build):
    """The exporter skips nbconvert's closing BeautifulSoup pass: parsed, every page is the
    same document nbconvert's own HTMLExporter makes; CJK headings are characters, not
    numeric references."""
    bs4 = pytest.importorskip("bs4")
    from nbconvert import HTMLExporter

    from genderstats import config
    from genderstats.pipeline import publish
    from genderstats.present.html import with_contents

    stock = HTMLExporter(template_name=publish.TEMPLATE_NAME,
                         extra_template_basedirs=[str(config.TEMPLATES_DIR)],
                         exclude_input=True, exclude_input_prompt=True,
                         exclude_output_prompt=True)
    for path in sorted((sample_build["out"] / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        page = notebook_to_html(nb, title="報告", year=112, built=BUILT)
        resources = {"gs": {"title": "報告", "year_label": publish.year_label(112),
                            "department": publish.DEPARTMENT, "built": "2024-02-22 09:30",
                            "sources": [], "error": None, "version": publish.__version__,
                            "css": publish.page_css(), "index_href": "index.html",
                            "published": False}}
        theirs = with_contents(stock.from_notebook_node(
            publish.strip_for_committee(nb), resources=resources)[0])
        assert (str(bs4.BeautifulSoup(page, "html.parser"))
                == str(bs4.BeautifulSoup(theirs, "html.parser"))), path.name
        assert "&#" not in page, path.name


def test_a_page_checks_its_notebook_once(monkeypatch):
    """nbconvert checks the notebook after each of its dozen preprocessors unless told to
    check once, at the end."""
    nb = _notebook()  # (each new cell and output is checked when made)
    checked = []
    validate = nbformat.validate

    def counting(nb, *args, **kwargs):
        checked.append(1)
        return validate(nb, *args, **kwargs)

    monkeypatch.setattr(nbformat, "validate", counting)
    notebook_to_html(nb, title="報告", year=112, built=BUILT)
    assert len(checked) == 1


def test_numeric_references_become_characters_except_ascii_and_c1():
    from genderstats.pipeline.publish import _NUMERIC_REF, _literal

    text = "(&#19968;) &#24615;&#21029; &#60;b&#62; &#150; &amp;#19968; &#1114112;"
    assert _NUMERIC_REF.sub(_literal, text) == (
        "(一) 性別 &#60;b&#62; &#150; &amp;#19968; &#1114112;")


def test_a_failed_run_shows_its_error_plainly_at_the_top():
    page = notebook_to_html(_notebook(), title="報告", year=112, built=BUILT,
                            error="DataError: data/112/x.csv 第 5 列「性別」欄："
                                  "「<Q>」不是可接受的性別。")
    top = page.index('class="gs-failed"')
    assert top < page.index('id="gs-content"')
    assert "<pre>data/112/x.csv 第 5 列「性別」欄：「&lt;Q&gt;」不是可接受的性別。</pre>" in page
    assert "DataError" not in page
    assert "DataError" not in page
    # No page was ever published: the failed page must not promise one.
    assert "這份報告尚未有成功產製的版本，因此還沒有發布中的頁面" in page
    assert "上一次成功的版本" not in page
    again = notebook_to_html(_notebook(), title="報告", year=112, built=BUILT,
                             error="DataError: 壞資料", published=True)
    assert "發布中的頁面仍是上一次成功的版本" in again
    assert "尚未有成功產製的版本" not in again


def _manifest(statuses: dict[str, str]) -> dict:
    reports = [{"id": r.id, "title": r.title, "status": statuses.get(r.id, "ok"),
                "html": f"{r.id}.html", "built": "2024-02-22T09:30:00+08:00",
                "key_figure": ("130班、2,676人次，女性77.88%" if r.id == "digital-training"
                               else None),
                "error": "DataError: 壞資料" if statuses.get(r.id) == "failed" else None,
                "failed_html": f"failed/{r.id}.html" if statuses.get(r.id) == "failed" else None}
               for r in published_reports()]
    return {"year": 112, "reports": reports, "finished": "2024-02-22T09:31:00+08:00",
            "genderstats_version": "0.1.0"}


def _built_year(folder: Path, statuses: list[str], pages: bool = True) -> None:
    folder.mkdir()
    (folder / "index.html").write_text("x", encoding="utf-8")
    reports = [{"id": f"r{n}", "status": s, "html": f"r{n}.html" if pages else None}
               for n, s in enumerate(statuses)]
    if pages:
        for n, _ in enumerate(statuses):
            (folder / f"r{n}.html").write_text("x", encoding="utf-8")
    (folder / "manifest.json").write_text(json.dumps({"reports": reports}), encoding="utf-8")


def test_index_links_only_years_with_a_published_page(tmp_path: Path):
    _built_year(tmp_path / "111", ["ok", "failed"])
    _built_year(tmp_path / "110", ["failed"])  # failed since, but its last good page stands
    (tmp_path / "109").mkdir()  # no index: not linked
    _built_year(tmp_path / "108", ["failed"] * 7, pages=False)  # seven failures: not linked
    (tmp_path / "107").mkdir()  # an index without a manifest: not linked
    (tmp_path / "107" / "index.html").write_text("x", encoding="utf-8")
    _built_year(tmp_path / "106", ["ok"])
    (tmp_path / "106" / "manifest.json").write_text("[1, 2", encoding="utf-8")  # damaged
    out = tmp_path / "112"
    out.mkdir()
    page = render_index(out, _manifest({"onsite-engineers": "failed"}))
    assert '<a href="../111/index.html">111年（2022）</a>' in page
    assert '<a href="../110/index.html">110年（2021）</a>' in page
    assert "../109/" not in page and "../108/" not in page and "../107/" not in page
    assert "../106/" not in page
    assert page.index("../111/") < page.index("../110/")


def test_index_shows_unbuilt_reports_without_links(tmp_path: Path):
    manifest = _manifest({})
    entry = manifest["reports"][0]
    entry.update(status="unbuilt", html=None, failed_html=None, key_figure=None, built=None)
    (tmp_path / "112").mkdir()
    page = render_index(tmp_path / "112", manifest)
    assert f"<th scope=\"row\">{entry['title']}</th>" in page
    assert f'href="{entry["id"]}.html"' not in page
    assert page.count("本報告尚未完成") == 1
    assert page.count("已產製") == len(manifest["reports"]) - 1


@pytest.mark.slow
@pytest.mark.parametrize("rid", [r.id for r in published_reports()])
def test_report_pages_stay_well_under_two_megabytes(sample_build, rid):
    size = (sample_build["out"] / f"{rid}.html").stat().st_size
    assert size < 1_000_000, f"{rid}.html is {size:,} bytes"
