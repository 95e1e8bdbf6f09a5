"""The year index is for the committee: statuses in plain words, nothing meant for staff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import published_reports

from genderstats.pipeline.index import render_index

STAFF_TEXT = ["DataError", "壞資料", "failed/", "錯誤詳情", "承辦人", "manifest.json",
              "雜湊", "genderstats 0.", "0.1.0", "logs/", ".ipynb"]


def manifest(statuses: dict[str, str]) -> dict:
    """A manifest of the registry's reports; ``statuses`` overrides 「ok」 per report id."""
    reports = []
    for r in published_reports():
        status = statuses.get(r.id, "ok")
        bad = status in ("failed", "unbuilt")
        reports.append({
            "id": r.id, "title": r.title, "status": status,
            "html": None if status == "unbuilt" else f"{r.id}.html",
            "built": None if status == "unbuilt" else "2024-02-22T09:30:00+08:00",
            "key_figure": ("130班、2,676人次，女性77.88%" if r.id == "digital-training"
                           else "上一版的數字" if bad else None),
            "error": "DataError: data/112/x.csv 第 3 列：壞資料" if status == "failed" else None,
            "failed_html": f"failed/{r.id}.html" if status == "failed" else None,
            "notebook": f"notebooks/{r.id}.ipynb", "seconds": 1.5,
            "inputs": {"data/112/x.csv": "ab" * 32},
        })
    return {"year": 112, "reports": reports, "finished": "2024-02-22T09:31:00+08:00",
            "genderstats_version": "0.1.0", "python": "3.11.2", "packages": {"pandas": "2.2"}}


def test_index_lists_status_key_figures_and_links_previous_years(tmp_path: Path):
    for year in (110, 111):
        folder = tmp_path / str(year)
        folder.mkdir()
        for name in ("index.html", "r.html"):
            (folder / name).write_text("x", encoding="utf-8")
        (folder / "manifest.json").write_text(
            json.dumps({"reports": [{"id": "r", "status": "ok", "html": "r.html"}]}),
            encoding="utf-8")
    (tmp_path / "109").mkdir()  # no index: not linked
    out = tmp_path / "112"
    out.mkdir()
    page = render_index(out, manifest({}))
    assert "<title>112年（2023）性別統計報告一覽｜臺北市政府資訊局</title>" in page
    assert '<td data-label="重點數字">130班、2,676人次，女性77.88%</td>' in page
    assert page.count("已產製") == len(published_reports())
    assert ('<a href="tables.csv" download="112年性別統計表.csv">各報告的分性別人數與比例'
            "（CSV，可用 Excel 開啟）</a>") in page
    assert '<a href="../111/index.html">111年（2022）</a>' in page
    assert '<a href="../110/index.html">110年（2021）</a>' in page
    assert "../109/" not in page
    assert page.index("../111/") < page.index("../110/")


@pytest.mark.parametrize("status", ["failed", "unbuilt"])
def test_an_unfinished_report_says_so_without_error_links_or_old_figures(tmp_path, status):
    page = render_index(tmp_path, manifest({"onsite-engineers": status}))
    assert page.count("本報告尚未完成") == 1
    assert page.count("已產製") == len(published_reports()) - 1
    for text in [*STAFF_TEXT, "上一版的數字", "產製失敗", "未產製"]:
        assert text not in page, text
    if status == "failed":  # the last good page stays readable, and says it is the old one
        assert '<a href="onsite-engineers.html">' in page
        assert "連結為前一次完成的版本。" in page
    else:
        assert '<a href="onsite-engineers.html">' not in page


def test_index_carries_no_version_hash_or_manifest_link(tmp_path):
    page = render_index(tmp_path, manifest({}))
    for text in STAFF_TEXT:
        assert text not in page, text
    assert '<footer class="gs-footer"><p>臺北市政府資訊局</p></footer>' in page


def test_printed_index_names_itself_in_the_page_footer(tmp_path):
    page = render_index(tmp_path, manifest({}))
    assert '@bottom-left { content: "112年（2023）性別統計報告一覽"' in page
    assert 'counter(page) " / " counter(pages)' in page
