"""The committee page template and the index page, checked without a browser."""

from __future__ import annotations

from datetime import datetime

import nbformat
import pytest
from conftest import published_reports
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from genderstats.publish import notebook_to_html
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
    assert "<dd>2024-02-22 09:30</dd>" in page
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


def test_a_failed_run_shows_its_error_plainly_at_the_top():
    page = notebook_to_html(_notebook(), title="報告", year=112, built=BUILT,
                            error="DataError: data/112/x.csv 第 5 列「性別」欄："
                                  "「<Q>」不是可接受的性別。")
    top = page.index('class="gs-failed"')
    assert top < page.index('id="gs-content"')
    assert "<pre>data/112/x.csv 第 5 列「性別」欄：「&lt;Q&gt;」不是可接受的性別。</pre>" in page
    assert "DataError" not in page


@pytest.mark.slow
@pytest.mark.parametrize("rid", [r.id for r in published_reports()])
def test_report_pages_stay_well_under_two_megabytes(sample_build, rid):
    size = (sample_build["out"] / f"{rid}.html").stat().st_size
    assert size < 1_000_000, f"{rid}.html is {size:,} bytes"
