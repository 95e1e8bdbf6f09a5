"""The staff page (staff.html) and the failure pages: errors, logs and inputs, for staff."""

from __future__ import annotations

from datetime import datetime

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from test_index import manifest

from genderstats.pipeline.publish import notebook_to_html
from genderstats.pipeline.staff_page import render_staff


def test_staff_page_shows_errors_links_inputs_and_versions(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "onsite-engineers.log").write_text("warn", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "onsite-engineers.ipynb").write_text("{}", encoding="utf-8")
    m = manifest({"onsite-engineers": "failed", "annual-report": "unbuilt"})
    for e in m["reports"]:
        e["executed_notebook"] = f"notebooks/{e['id']}.ipynb"
    page = render_staff(tmp_path, m)
    assert "<h1>112年（2023）產製紀錄（承辦人用）</h1>" in page
    assert "<h2>2 份報告未完成</h2>" in page
    assert "<pre>DataError: data/112/x.csv 第 3 列：壞資料</pre>" in page
    assert '<a href="failed/onsite-engineers.html">失敗的頁面</a>' in page
    assert '<a href="logs/onsite-engineers.log">紀錄檔</a>' in page
    # Links only to files that exist: one log, one executed notebook.
    assert page.count('href="logs/') == 2  # in the alert and in the table
    assert page.count('href="notebooks/') == 1
    assert '<td class="gs-status-unbuilt">未產製</td>' in page
    assert '<td class="gs-status-failed">產製失敗</td>' in page
    assert page.count('<td class="gs-status-ok">已產製</td>') == len(m["reports"]) - 2
    assert f"（SHA-256 <code>{'ab' * 32}</code>）" in page
    assert '<a href="manifest.json">manifest.json</a>' in page
    assert "genderstats 0.1.0・Python 3.11.2" in page and "<code>pandas</code> 2.2" in page


def test_staff_page_escapes_what_it_shows(tmp_path):
    m = manifest({"onsite-engineers": "failed"})
    m["reports"][0]["error"] = "ValueError: <script>alert(1)</script>"
    m["reports"][0]["status"] = "failed"
    page = render_staff(tmp_path, m)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _failed_notebook():
    """A notebook as papermill leaves it when cell 3 raised: banner cells and an error output."""
    nb = new_notebook()
    banner = new_markdown_cell(
        "<span style=\"color:red\">An Exception was encountered at "
        "'<a href=\"#papermill-error-cell\">In [3]</a>'.</span>",
        metadata={"tags": ["papermill-error-cell-tag"]})
    anchor = new_markdown_cell(
        '<span id="papermill-error-cell">Execution using papermill encountered an exception '
        "here and stopped:</span>", metadata={"tags": ["papermill-error-cell-tag"]})
    cell = new_code_cell("gs.load()", execution_count=3, outputs=[new_output(
        "error", ename="DataError", evalue="data/110：找不到「委員名單」的資料檔。",
        traceback=["Traceback (most recent call last)", "DataError: ..."])])
    nb.cells = [banner, new_markdown_cell("## 一、委員組成"), anchor, cell]
    return nb


def test_a_failed_page_explains_the_error_in_chinese_without_papermill_banners():
    page = notebook_to_html(_failed_notebook(), title="報告", year=112,
                            built=datetime(2024, 2, 22, 9, 30).astimezone(),
                            error="DataError: data/110：找不到「委員名單」的資料檔。")
    assert "An Exception was encountered" not in page
    assert "Execution using papermill" not in page
    assert "DataError" not in page and "Traceback" not in page
    assert "<h2>這份報告沒有產製成功</h2>" in page
    assert "<pre>data/110：找不到「委員名單」的資料檔。</pre>" in page
    # The cell says only that it failed: an error's text may be a library's English.
    assert "<p><strong>此段計算失敗。</strong></p>" in page
    assert page.count("找不到「委員名單」的資料檔。") == 1  # in the alert at the top
