"""The annual results report: the seed's tables, the budget change, agreement with the reports."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from conftest import indicator, run_notebook

from genderstats import annual, config
from genderstats.budget import budget_change, budget_items, change_text
from genderstats.registry import load_registry

BUDGET = pd.DataFrame({
    "year": [112, 112, 113, 113],
    "item": ["數位平權推動相關費用", "專家學者出席費", "數位平權推動相關費用", "專家學者出席費"],
    "amount": [5_820_000, 22_500, 5_820_000, 22_500],
})


def test_budget_items_total_the_seed_figure():
    items = budget_items(BUDGET, 112)
    assert items["預算數"].tolist() == [5_820_000, 22_500, 5_842_500]
    assert items["項次"].tolist() == ["1", "2", "總計"]


def test_unchanged_budget_reads_none():
    assert change_text(budget_change(BUDGET, 112, 113), 112, 113) == "無"


def test_budget_change_is_computed_when_next_year_differs():
    changed = BUDGET.copy()
    changed.loc[3, "amount"] = 30_000
    changed.loc[4] = [113, "性別友善設施", 100_000]
    table = budget_change(changed, 112, 113)
    assert table.set_index("計畫項目名稱")["增減"].to_dict() == {
        "數位平權推動相關費用": 0, "專家學者出席費": 7_500, "性別友善設施": 100_000,
        "總計": 107_500}
    assert change_text(table, 112, 113) == (
        "113年較112年增加107,500元（1.84%）：「專家學者出席費」增加7,500元；"
        "新增「性別友善設施」100,000元。")
    dropped = BUDGET[BUDGET["item"] != "專家學者出席費"].copy()
    dropped.loc[9] = [112, "專家學者出席費", 22_500]
    assert "「專家學者出席費」未編列（112年22,500元）" in change_text(
        budget_change(dropped, 112, 113), 112, 113)


def test_meetings_form_marks_the_chair_and_prints_attendance_like_the_form():
    meetings = pd.DataFrame({
        "meeting_id": ["112-1", "112-2"], "date": pd.to_datetime(["2023-03-20", "2023-08-28"]),
        "chair": ["首長", "其他"], "chair_title": [pd.NA, "主任秘書代理"],
        "members_total": [17, 17], "members_present": [17, 16],
        "experts_present": ["王大明、林小華", "林小華"]})
    form = annual.meetings_form(meetings)
    assert form.to_dict("records") == [
        {"會議": "112-1", "首長": "V", "副首長": "", "主秘": "", "其他": "",
         "全體委員出席比率(%)": "100% (17/17)", "專家學者委員出席者": "王○明、林○華"},
        {"會議": "112-2", "首長": "", "副首長": "", "主秘": "", "其他": "V（主任秘書代理）",
         "全體委員出席比率(%)": "94.12% (16/17)", "專家學者委員出席者": "林○華"},
    ]


@pytest.mark.slow
def test_annual_report_shows_the_seed_tables(sample_build, sample_indicators):
    page = (sample_build["out"] / "annual-report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", page)
    # 二、性別平等專案小組 (一) 成員 and (二) 運作情形
    assert "17人 (含3名外聘委員)" in text or "17人（含3名外聘委員）" in text
    assert "35.29%" in text
    for cell in ("100% (17/17)", "94.12% (16/17)"):
        assert cell in text
    # 性別意識培力 (一)–(五)
    assert "總人數：112人；男性人數：59人；女性人數：53人" in text
    assert "64.29%（72/112）" in text
    assert "主管總人數：24人；男性主管人數：13人；女性主管人數：11人" in text
    assert "總計73人 男38人 女35人" in text
    # 六、性別預算
    assert text.count("5,842,500") == 2
    change = re.search(r"下年度與本年度相較之增減</h3>.*?<p>(.*?)</p>", page, re.S)
    assert change and change.group(1) == "無"
    # Counts recorded for indicators.csv
    assert indicator(sample_indicators, "annual-report", "性別平等專案小組成員", "全體委員",
                     "女")["count"] == "11"
    assert indicator(sample_indicators, "annual-report", "一般公務人員性別主流化訓練完成情形",
                     "完成人數", "男")["count"] == "59"


@pytest.mark.slow
def test_annual_summaries_agree_with_each_report_and_link_to_it(sample_build, sample_manifest):
    page = (sample_build["out"] / "annual-report.html").read_text(encoding="utf-8")
    figures = {e["id"]: e["key_figure"] for e in sample_manifest["reports"]}
    for report in load_registry():
        if report.id == "annual-report":
            continue
        assert f'<a href="{report.id}.html">{report.title}</a>' in page
        assert figures[report.id], report.id
        assert figures[report.id] in page, (report.id, figures[report.id])


@pytest.mark.slow
def test_annual_report_computes_the_change_when_113_differs(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR / "112", data / "112")
    budget = data / "112" / "gender_budget.csv"
    lines = budget.read_text(encoding="utf-8-sig").splitlines()
    lines[-1] = lines[-1].replace('"22,500"', '"30,000"')
    budget.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    page = run_notebook("annual_report", data, tmp_path, title="成果報告").page
    assert ("113年較112年增加7,500元（0.13%）："
            "「專家學者出席費支付有關性別平等相關費用」增加7,500元。") in page
    assert "5,850,000" in page
