"""The committee's table (tables.csv) beside the statistics office's indicators.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_index import manifest

from genderstats.pipeline import outputs
from genderstats.pipeline.index import render_index
from genderstats.pipeline.outputs import write_table, write_table_if_changed
from genderstats.pipeline.registry import Report
from genderstats.pipeline.staff_page import render_staff
from genderstats.pipeline.state import LastGood, ReportState
from genderstats.report_status import Status

BOM = b"\xef\xbb\xbf"
HEADER = "年度,報告,表格,類別,性別,人數,比例\r\n"
LINK = ('<a href="tables.csv" download="112年性別統計表.csv">'
        "各報告的分性別人數與比例（CSV，可用 Excel 開啟）</a>")



def _state(key: str = "k", indicators: list | None = None) -> ReportState:
    """A report's state after a good run that recorded ``indicators``."""
    last = LastGood(key, "2024-01-01T00:00:00+08:00", 1.0, {}, [], [], indicators or [],
                    None, {}, {})
    return ReportState(Status.OK, None, 1.0, last.built, {}, {}, last)

def _report(rid: str, title: str) -> Report:
    return Report(id=rid, title=title, notebook=Path(f"{rid}.ipynb"))


def _row(report: str, category: str, gender: str, count, share) -> dict:
    return {"year": 112, "report": report, "table": "表", "category": category,
            "gender": gender, "count": count, "share": share}


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_table_has_titles_printed_figures_and_no_formula(tmp_path):
    reports = [_report("r", "=HYPERLINK(\"http://x.example\",\"報告\")"), _report("s", "訓練")]
    rows = [_row("s", "合計", "女", 2084, 2084 / 2676),
            _row("s", "合計", "合計", 2676, 1.0),
            _row("r", "@SUM(A1)", "男", 0, None),
            _row("r", "-1+1", "女", "+cmd|' /C calc'!A0", "=1+1"),
            _row("r", "一般市民", "其他", None, 0.0)]
    write_table(tmp_path / "t.csv", rows, reports)
    raw = (tmp_path / "t.csv").read_bytes()
    assert raw.startswith(BOM + HEADER.encode())
    assert raw.decode("utf-8-sig").splitlines()[1] == "112,訓練,表,合計,女,\"2,084\",77.88%"
    hostile = "'=HYPERLINK(\"http://x.example\",\"報告\")"
    assert _read(tmp_path / "t.csv")[1:] == [
        ["112", "訓練", "表", "合計", "女", "2,084", "77.88%"],
        ["112", "訓練", "表", "合計", "合計", "2,676", "100.00%"],
        ["112", hostile, "表", "'@SUM(A1)", "男", "0", "-"],  # a zero total: no share
        ["112", hostile, "表", "'-1+1", "女", "'+cmd|' /C calc'!A0", "'=1+1"],
        ["112", hostile, "表", "一般市民", "其他", "-", "0.00%"],
    ]


def test_table_is_written_again_only_when_it_would_differ(tmp_path, monkeypatch):
    written = []
    real = outputs.write_table

    def counted(path, rows, reports):
        written.append(path)
        real(path, rows, reports)

    monkeypatch.setattr(outputs, "write_table", counted)
    reports = [_report("s", "訓練")]
    rows = [_row("s", "合計", "女", 93, 1.0)]
    states = {"s": _state(key="k1")}
    out = tmp_path / "112"
    out.mkdir()
    write_table_if_changed(out, "tables.csv", rows, reports, states)
    write_table_if_changed(out, "tables.csv", rows, reports, states)
    assert len(written) == 1
    assert _read(out / "tables.csv")[1] == ["112", "訓練", "表", "合計", "女", "93", "100.00%"]
    (out / "tables.csv").write_text("edited", encoding="utf-8")
    write_table_if_changed(out, "tables.csv", rows, reports, states)
    assert len(written) == 2 and _read(out / "tables.csv")[1][1] == "訓練"
    write_table_if_changed(out, "tables.csv", rows, [_report("s", "數位訓練")], states)
    assert len(written) == 3 and _read(out / "tables.csv")[1][1] == "數位訓練"
    # A report run again (new code or inputs) may format differently: written again.
    write_table_if_changed(out, "tables.csv", rows, [_report("s", "數位訓練")],
                           {"s": _state(key="k2")})
    assert len(written) == 4
    (out / ".state" / "table.json").write_text("{", encoding="utf-8")
    write_table_if_changed(out, "tables.csv", rows, [_report("s", "數位訓練")],
                           {"s": _state(key="k2")})
    assert len(written) == 5


def test_index_links_the_table_and_the_staff_page_the_indicators(tmp_path):
    index = render_index(tmp_path, manifest({}))
    assert LINK in index
    assert "indicators.csv" not in index
    staff = render_staff(tmp_path, manifest({}))
    assert ('<a href="indicators.csv">indicators.csv</a>：各報告的分性別人數與比例，'
            "供統計單位彙整") in staff
    assert "tables.csv" not in staff


@pytest.mark.slow
def test_sample_year_table_reads_as_the_pages(sample_build, sample_indicators):
    out = sample_build["out"]
    raw = (out / "tables.csv").read_bytes()
    assert raw.startswith(BOM + HEADER.encode())
    text = raw.decode("utf-8-sig")
    for line in [
        "112,本局駐點工程師職別與性別統計分析,駐點工程師人數,駐點工程師,男,26,70.27%",
        "112,本局駐點工程師職別與性別統計分析,駐點工程師人數,駐點工程師,女,11,29.73%",
        "112,臺北市民免費數位訓練性別統計分析,參訓人次（依開班對象）,合計,女,\"2,084\",77.88%",
        "112,臺北市民免費數位訓練性別統計分析,參訓人次（依開班對象）,合計,合計,\"2,676\",100.00%",
        "112,性別平等專案小組成員性別統計分析,委員性別,全體委員,男,6,35.29%",
    ]:
        assert f"\r\n{line}\r\n" in text, line
    # The same records as indicators.csv, in the same (registry) order.
    titles = {e["id"]: e["title"] for e in manifest({})["reports"]}
    assert [row[1:5] for row in _read(out / "tables.csv")[1:]] == [
        [titles[r["report"]], r["table"], r["category"], r["gender"]] for r in sample_indicators]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert LINK in index and "indicators.csv" not in index
    assert '<a href="indicators.csv">' in (out / "staff.html").read_text(encoding="utf-8")


def test_a_record_cannot_name_another_year_or_report(tmp_path):
    from genderstats.pipeline.outputs import indicators_frame_rows

    recorded = {"report": "=cmd", "year": "=1+1", "table": "表", "category": "甲",
                "gender": "男", "count": 3, "share": 1.0}
    rows = indicators_frame_rows(112, [_report("s", "訓練")],
                                 {"s": _state(indicators=[recorded])})
    assert rows == [{**recorded, "year": 112, "report": "s"}]
    write_table(tmp_path / "t.csv", rows, [_report("s", "訓練")])
    assert _read(tmp_path / "t.csv")[1] == ["112", "訓練", "表", "甲", "男", "3", "100.00%"]
