"""The annual results report: the seed's tables, the budget change, agreement with the reports."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import indicator, published_reports, run_notebook

from genderstats import config, report_status
from genderstats.analyses import annual
from genderstats.analyses.budget import budget_change, budget_items, change_text
from genderstats.pipeline.runner import collect_records

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
         "全體委員出席比率(%) (代理出席仍可列計)": "100% (17/17)",
         "專家學者委員出席者": "王○明、林○華"},
        {"會議": "112-2", "首長": "", "副首長": "", "主秘": "", "其他": "V（主任秘書代理）",
         "全體委員出席比率(%) (代理出席仍可列計)": "94.12% (16/17)", "專家學者委員出席者": "林○華"},
    ]


def test_meetings_form_without_the_experts_column_has_no_experts_column():
    meetings = pd.DataFrame({
        "meeting_id": ["113-1"], "date": pd.to_datetime(["2024-03-20"]), "chair": ["首長"],
        "chair_title": [pd.NA], "members_total": [17], "members_present": [16],
        "experts_present": [pd.NA]})
    meetings.attrs["absent_columns"] = ("experts_present",)
    assert annual.meetings_form(meetings).to_dict("records") == [
        {"會議": "113-1", "首長": "V", "副首長": "", "主秘": "", "其他": "",
         "全體委員出席比率(%) (代理出席仍可列計)": "94.12% (16/17)"}]


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
    executed = sample_build["out"] / "notebooks" / "annual-report.ipynb"
    params = json.loads(executed.read_text(encoding="utf-8"))["metadata"]["papermill"][
        "parameters"]
    assert params["report_status"].endswith(".state/report-status.json")
    page = (sample_build["out"] / "annual-report.html").read_text(encoding="utf-8")
    figures = {e["id"]: e["key_figure"] for e in sample_manifest["reports"]}
    for report in published_reports():
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


# ------------------------------------------------------------------ 四: honest links

REGISTRY = published_reports()
OTHERS = [r for r in REGISTRY if r.id != annual.ANNUAL_ID]


def _status_file(tmp_path, year: int = 112, **overrides) -> str:
    """A status file as the build writes it: every report ok unless ``overrides`` say."""
    reports = {r.id: {"title": r.title, "status": "ok", "page": f"{r.id}.html",
                      "key_figure": f"{r.id} 的重點數字", "subject": r.subject,
                      "figures": {n: {"meaning": m, "value": None} for n, m in r.figures.items()}}
               for r in OTHERS}
    for rid, entry in overrides.items():
        key = rid.replace("_", "-")
        reports[key] = {"title": reports[key]["title"], "figures": reports[key]["figures"],
                        **entry}
    path = tmp_path / "status.json"
    path.write_text(json.dumps({"year": year, "reports": reports}, ensure_ascii=False),
                    encoding="utf-8")
    return str(path)


def _rows(html: str) -> dict[str, str]:
    """Title cell (with its markup) → figure cell text, per row of the 四 table."""
    return dict(re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html))


def test_only_built_reports_are_linked_with_their_recorded_figure(tmp_path):
    status = report_status.load_status(_status_file(
        tmp_path, onsite_engineers={"status": "failed", "page": None, "key_figure": None},
        digital_training={"status": "unbuilt", "page": None, "key_figure": "舊的數字"},
        gender_training={"status": "ok", "page": None, "key_figure": "沒有頁面"}), 112)
    del status["procurement-review-committee"]  # not mentioned: not built
    html = annual.summaries_table(annual.report_entries(REGISTRY, status), "表").html
    rows = _rows(html)
    title = {r.id: r.title for r in OTHERS}
    tf = "gender-equality-task-force"
    assert rows[f'<a href="{tf}.html">{title[tf]}</a>'] == f"{tf} 的重點數字"
    for rid in ("onsite-engineers", "digital-training", "gender-training",
                "procurement-review-committee"):
        assert rows[title[rid]] == "本報告尚未完成", rid
        assert f"{rid}.html" not in html
    assert "舊的數字" not in html and "沒有頁面" not in html
    assert len(rows) == len(OTHERS)


def test_without_a_status_file_no_link_and_no_figure(tmp_path):
    html = annual.summaries_table(annual.report_entries(REGISTRY, None), "表", built=False).html
    assert "<a " not in html and "重點數字" not in html.replace(annual.PENDING_NOTE, "")
    assert annual.PENDING_NOTE in html
    assert [t for t in re.findall(r"<li>(.*?)</li>", html)] == [r.title for r in OTHERS]


def test_a_status_file_of_another_year_is_refused(tmp_path):
    with pytest.raises(ValueError, match="實際的年度為 113"):
        report_status.load_status(_status_file(tmp_path, year=113), 112)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"year": 112, "reports": {"x": {"status": "done"}}}),
                   encoding="utf-8")
    with pytest.raises(ValueError, match="「x」的 status 應為 ok、failed、unbuilt 之一"):
        report_status.load_status(bad, 112)


def _copy_112(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR / "112", data / "112")
    return data


def _text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.mark.slow
def test_annual_page_with_the_build_status_and_a_failed_report(tmp_path):
    data = _copy_112(tmp_path)
    engineers = data / "112" / "onsite_engineers.csv"
    lines = engineers.read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace("男性", "Q", 1)  # one bad cell: that report fails
    engineers.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    status = _status_file(tmp_path, onsite_engineers={"status": "failed", "page": None,
                                                      "key_figure": None})
    run = run_notebook("annual_report", data, tmp_path, title="成果報告", report_status=status)
    page, text = run.page, _text(run.page)
    for r in OTHERS:
        if r.id == "onsite-engineers":
            assert f"{r.title} 本報告尚未完成" in re.sub(r"\s+", " ", text)
            assert f'href="{r.id}.html"' not in page
        else:
            assert f'<a href="{r.id}.html">{r.title}</a>' in page
            assert f"{r.id} 的重點數字" in page
    for leak in ("無法計算", "onsite_engineers.csv", "第 3 列", "「Q」", "data/"):
        assert leak not in text, leak
    assert str(Path(status).resolve()) in collect_records(run.notebook)["read"]


@pytest.mark.slow
def test_annual_page_without_the_build_status_lists_titles_only(tmp_path, sample_data):
    run = run_notebook("annual_report", sample_data, tmp_path, title="成果報告")
    assert annual.PENDING_NOTE in run.page
    page = run.page
    section = page[page.rindex("本年度各項分析報告"):page.rindex("五、性別影響評估")]
    assert not re.search(r'href="[^"#]*\.html"', section)
    assert "本報告尚未完成" not in section and "的重點數字" not in section
    assert collect_records(run.notebook)["summary"] == (
        "性平小組較低者單一性別比例35.29%；性別預算5,842,500元")


# ------------------------------------------------------------------ each input missing

MISSING = {
    "committee_members": (["本年度無委員名單資料。", "94.12% (16/17)", "64.29%（72/112）",
                           "5,842,500"], ["35.29%", "17人（含3名外聘委員）"]),
    "task_force_meetings": (["本年度無性別平等專案小組會議資料。", "35.29%"],
                            ["94.12%", "16/17", "未召開"]),
    "staff_training": (["本年度無性別主流化訓練參訓資料。", "完成比率100%",
                        "總計73人 男38人 女35人"],
                       ["64.29%", "總人數：112人", "主管總人數"]),
    "contact_training": (["本年度無性平聯絡人培力時數資料。", "64.29%（72/112）", "總計73人"],
                         ["完成比率100%"]),
    "training_courses": (["本年度無自辦訓練資料。", "64.29%（72/112）", "完成比率100%"],
                         ["未自辦", "總計73人"]),
    "gender_budget": (["本年度無性別預算資料。", "35.29%", "64.29%（72/112）"],
                      ["5,842,500", "性別預算編列情形"]),
}
FULL_SUMMARY = "性平小組較低者單一性別比例35.29%；性別預算5,842,500元"
FULL_TABLES = {"性別平等專案小組成員", "一般公務人員性別主流化訓練完成情形",
               "主管人員性別主流化訓練完成情形"}


@pytest.mark.slow
@pytest.mark.parametrize("dataset", list(MISSING))
def test_annual_report_with_one_input_missing(tmp_path, dataset):
    data = _copy_112(tmp_path)
    (path,) = (data / "112").glob(f"{dataset}.*")
    path.unlink()
    run = run_notebook("annual_report", data, tmp_path, title="成果報告")
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = re.sub(r"\s+", " ", _text(run.page)).replace("（ ", "（")
    present, absent = MISSING[dataset]
    for expected in present:
        assert expected in text, expected
    for unexpected in absent:
        assert unexpected not in text, unexpected
    tables = {r["table"] for r in run.indicators}
    summary = collect_records(run.notebook)["summary"]
    if dataset == "committee_members":
        assert tables == FULL_TABLES - {"性別平等專案小組成員"}
        assert summary == "性別預算5,842,500元"
    elif dataset == "staff_training":
        assert tables == {"性別平等專案小組成員"}
    elif dataset == "gender_budget":
        assert summary == "性平小組較低者單一性別比例35.29%"
    else:
        assert tables == FULL_TABLES and summary == FULL_SUMMARY


def test_task_force_section_of_a_roster_without_the_task_force(tmp_path):
    data = tmp_path / "data"
    (data / "112").mkdir(parents=True)
    source = config.DATA_DIR / "112" / "committee_members.csv"
    lines = source.read_text(encoding="utf-8-sig").splitlines()
    kept = [lines[0], *[line for line in lines[1:] if "性別平等專案小組" not in line]]
    assert len(kept) > 10
    (data / "112" / "committee_members.csv").write_text("\n".join(kept) + "\n",
                                                         encoding="utf-8-sig")
    text = _text("".join(o.html for o in annual.task_force_outputs(112, data)))
    assert "112年委員名單中沒有性別平等專案小組。" in text
    assert "本年度無性別平等專案小組會議資料。" in text
    assert annual.task_force(112, data) is None
    assert annual.key_figure(None, None, 112) == "112年成果報告統計表"
