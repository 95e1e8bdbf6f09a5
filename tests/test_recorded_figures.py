"""Figures and verdicts in the results report's prose: read from what each report records,
declared once in the registry, and the prose checked against them (typed numbers, typed
verdicts) by validate and by the build alike."""

from __future__ import annotations

import importlib.util
import json

import pytest
from conftest import copy_registry, copy_sample_data
from test_results_report import text_of

from genderstats import config, data
from genderstats.analyses import annual, committees
from genderstats.analyses import results_report as rr
from genderstats.data import results_text as rt
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.cli import main
from genderstats.pipeline.registry import RegistryError, figure_catalog, load_registry
from genderstats.pipeline.runner import collect_records
from genderstats.pipeline.state import STATE_DIR
from genderstats.record import FIGURES_MIME
from genderstats.report_status import STATUS_FILE

TEXTS = "data/112/results_report.yml"
PROCUREMENT = "採購工作及審查小組"


def catalog() -> rt.Catalog:
    return annual.text_catalog(annual.report_info("", 112, load_registry()))


def parse_problems(text: str) -> list[str]:
    with pytest.raises(data.DataError) as info:
        rt.parse_results_text(text, TEXTS, catalog=catalog())
    return [str(p) for p in info.value.problems]


# ---------------------------------------------------------------- the registry of figures

def test_the_registry_declares_each_reports_figures():
    names = figure_catalog(load_registry())
    assert names["procurement-review-committee.verdict"].startswith(
        "採購工作及審查小組任一性別比例的判定")
    assert names["digital-training.participations"] == (
        "數位訓練本年度參訓人次，所有對象（如 2,676）")
    assert "annual-report.men" not in names
    assert len(names) == 34


def test_a_bad_figures_entry_is_a_registry_error(tmp_path):
    registry = copy_registry(tmp_path)
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("      men: 男性駐點工程師人數（如 26）",
                                     "      Men: 男性駐點工程師人數（如 26）"), encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(registry)
    assert str(info.value).endswith(
        "（onsite-engineers）：figures 的名稱「Men」只能用小寫英文字母、數字與連字號"
        "（如 men-share）。")


def test_the_build_collects_the_recorded_figures():
    cell = {"outputs": [{"data": {FIGURES_MIME: {"men": "8", "term": None}}}]}
    nb = type("NB", (), {"cells": [cell]})()
    assert collect_records(nb)["figures"] == {"men": "8", "term": None}


def test_readme_lists_the_placeholders_the_registry_declares():
    spec = importlib.util.spec_from_file_location(
        "figures_doc", config.PROJECT_ROOT / "scripts" / "figures_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (config.DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert module.rewritten(readme) == readme, "data/README.md: run make docs"
    assert "| `{procurement-review-committee.verdict}` |" in readme


def test_the_figures_command_lists_them(capsys):
    assert main(["figures"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "{year}\t本年度（民國年，如 112）"
    assert "{onsite-engineers.women}\t女性駐點工程師人數（如 11）" in out


# ---------------------------------------------------------------- verdicts are figures

def test_a_committee_records_its_verdict_in_the_forms_words(sample_data):
    members = data.load("committee_members", 112, sample_data)
    met = committees.figures(committees.composition(members, PROCUREMENT))
    assert (met["men"], met["women"]) == ("8", "8")
    assert met["verdict"] == "無任一性別比例低於全部委員三分之一之情形"
    assert met["compliance"] == "符合相關規定"
    assert met["term"] is None and met["internal-men-share"] is None
    members = members.copy()
    women = members.index[(members["committee"] == PROCUREMENT) & (members["gender"] == "女")]
    members.loc[women[:5], "gender"] = "男"
    short = committees.figures(committees.composition(members, PROCUREMENT))
    assert (short["men"], short["women"]) == ("13", "3")
    assert short["verdict"] == "女性比例低於全部委員三分之一，尚缺女性3人"
    assert short["compliance"] == "未符合相關規定（女性比例低於全部委員三分之一，尚缺女性3人）"


# ---------------------------------------------------------------- the claim check

def test_a_typed_verdict_names_the_line_and_the_placeholder():
    assert parse_problems(
        "其他相關成果: |\n  採購工作及審查小組委員男性8人、女性8人，"
        "無任一性別比例低於全部委員三分之一之情形。\n"
        "特色或亮點: 資料治理委員會的組成符合相關規定。\n") == [
        f"{TEXTS}：第 3 行「一、特色或亮點」：「符合相關規定」是直接打字的判定，"
        "資料改變時它可能不實。請改用佔位符 {data-governance-committee.compliance}，由資料判定。",
        f"{TEXTS}：第 2 行「八、其他相關成果」：「無任一性別比例低於」是直接打字的判定，"
        "資料改變時它可能不實。請改用佔位符 {procurement-review-committee.verdict}，由資料判定。",
    ]


def test_rules_and_questions_are_not_verdicts():
    text = ("其他相關成果: |\n  依規定任一性別比例不得低於全部委員三分之一。"
            "藉由性別分析了解委員會是否有性別比例不夠均衡的情形。"
            "資料治理委員會將持續促進委員性別比例均衡，並確保遴選程序符合相關規定。\n")
    assert rt.parse_results_text(text, TEXTS, catalog=catalog()).other_results


def test_unknown_names_suggest_the_closest_by_spelling_words_and_meaning():
    assert parse_problems("其他相關成果: 女性佔{digital-training.female-ratio}\n") == [
        f"{TEXTS}：第 1 行「八、其他相關成果」：「{{digital-training.female-ratio}}」"
        "不是已知的數字名稱。"
        "是不是 {digital-training.women-share}（數位訓練女性人次比率，小數 2 位）"
        " 或 {digital-training.senior-women-share}（銀髮族班次中女性人次比率，整數）"
        " 或 {digital-training.men-share}（數位訓練男性人次比率，小數 2 位）？"
        "可用的名稱見 data/README.md〈results_report.yml〉；數字請用佔位符，不要直接打字。"]
    (problem,) = parse_problems("其他相關成果: 女性{駐點工程師女性}人\n")
    assert "「{駐點工程師女性}」不是有效的佔位符。是不是 {onsite-engineers.women}" in problem


def test_typed_numbers_equal_or_close_to_a_figure_are_refused(sample_data):
    text = rt.load_results_text(112, sample_data, catalog=catalog())
    typed = rt.parse_results_text(
        "其他相關成果: |\n  總計2,676人次，男性占22.1%；課程1至3小時，6大主題，"
        "依府授第130號函辦理。\n", TEXTS,
        catalog=catalog())
    values = {"digital-training.participations": "2,676", "digital-training.men-share": "22.12%",
              "digital-training.classes": "130", "year": "112"}
    assert [str(p) for p in rt.check_claims(typed, values, catalog())] == [
        f"{TEXTS}：第 2 行「八、其他相關成果」：「2,676人次」是直接打字的數字，與資料算出的"
        "{digital-training.participations}（本年度為 2,676）相符：請改寫成佔位符 "
        "{digital-training.participations}，資料更新時它才會跟著改變。",
        f"{TEXTS}：第 2 行「八、其他相關成果」：「22.1%」是直接打字的數字，與資料算出的"
        "{digital-training.men-share}（本年度為 22.12%）相符：請改寫成佔位符 "
        "{digital-training.men-share}，資料更新時它才會跟著改變。",
    ]
    # The sample's prose types none of the year's figures.
    assert rt.check_claims(text, values, catalog()) == []


def test_validate_refuses_typed_verdicts_and_compares_numbers_with_the_last_build(
        tmp_path, capsys):
    data_dir = copy_sample_data(tmp_path / "data", years=("112",))
    path = data_dir / "112" / "results_report.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("{procurement-review-committee.verdict}",
                                     "無任一性別比例低於全部委員三分之一之情形"), encoding="utf-8")
    out_dir = tmp_path / "out"
    assert main(["validate", "--year", "112", "--data-dir", str(data_dir),
                 "--out-dir", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert ("「無任一性別比例低於」是直接打字的判定，資料改變時它可能不實。"
            "請改用佔位符 {procurement-review-committee.verdict}，由資料判定。") in err
    # Typed numbers: checked against what the year's last build recorded.
    path.write_text(original.replace("{onsite-engineers.men}", "26"), encoding="utf-8")
    status = out_dir / "112" / STATE_DIR / STATUS_FILE
    status.parent.mkdir(parents=True)
    status.write_text(json.dumps({"year": 112, "reports": {"onsite-engineers": {
        "status": "ok", "figures": {"men": {"meaning": "m", "value": "26"}}}}}), "utf-8")
    assert main(["validate", "--year", "112", "--data-dir", str(data_dir),
                 "--out-dir", str(out_dir)]) == 2
    assert "「26人」是直接打字的數字，與資料算出的{onsite-engineers.men}（本年度為 26）相符" \
        in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") != original  # inputs are never modified


# ---------------------------------------------------------------- the report reads records

def test_run_by_hand_the_figures_wait_for_the_build(sample_data):
    inputs = rr.load_inputs(112, sample_data, catalog=catalog())
    report = rr.build(inputs, recorded=None, charts=False)
    seven = text_of(report.part("七").html)
    assert f"112年共開設{rr.PENDING_FIGURE}班" in seven
    report = rr.build(inputs, recorded={}, charts=False)
    assert f"112年共開設{rr.MISSING_FIGURE}班" in text_of(report.part("七").html)


def test_a_recorded_figure_is_printed_as_recorded(sample_data):
    inputs = rr.load_inputs(112, sample_data, catalog=catalog())
    report = rr.build(inputs, recorded={
        "procurement-review-committee.men": "13", "procurement-review-committee.women": "3",
        "procurement-review-committee.verdict": "女性比例低於全部委員三分之一，尚缺女性3人"},
        charts=False)
    assert ("截至112年底，委員人數分別為男性13人、女性3人，女性比例低於全部委員三分之一，"
            "尚缺女性3人。") in text_of(report.part("七").html)


def test_a_typed_figure_stops_the_report_before_anything_is_made(sample_data, tmp_path):
    data_dir = copy_sample_data(tmp_path / "data", years=("112",))
    path = data_dir / "112" / "results_report.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{onsite-engineers.women}", "11"), encoding="utf-8")
    inputs = rr.load_inputs(112, data_dir, catalog=catalog())
    with pytest.raises(data.DataError) as info:
        rr.build(inputs, recorded={"onsite-engineers.women": "11"}, charts=False)
    (problem,) = info.value.problems
    assert "「11人」是直接打字的數字，與資料算出的{onsite-engineers.women}（本年度為 11）相符" \
        in str(problem)


@pytest.mark.slow
def test_five_women_turned_men_change_the_filed_report_and_a_typed_verdict_fails_it(tmp_path):
    """The procurement committee with 13 men and 3 women: the page and the annual report say
    so in the same words; a verdict typed into the prose fails the annual report and keeps its
    last good page."""
    data_dir = copy_sample_data(tmp_path / "data", years=("112",))
    registry = copy_registry(tmp_path / "notebooks")
    roster = data_dir / "112" / "committee_members.csv"
    lines = roster.read_text(encoding="utf-8-sig").splitlines()
    turned = 0
    for i, line in enumerate(lines):
        if line.startswith(PROCUREMENT) and ",女," in line and turned < 5:
            lines[i] = line.replace(",女,", ",男,")
            turned += 1
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    only = ["procurement-review-committee", "data-governance-committee", "annual-report"]
    result = build(BuildOptions(year=112, data_dir=data_dir, out_dir=out, registry=registry,
                                only=only, echo=lambda _: None))
    assert all(r.status == "ok" for r in result.results)
    year = out / "112"
    page = text_of((year / "procurement-review-committee.html").read_text("utf-8"))
    assert "尚缺女性3人" in page
    annual_page = text_of((year / "annual-report.html").read_text("utf-8"))
    assert ("委員人數分別為男性13人、女性3人，女性比例低於全部委員三分之一，尚缺女性3人。"
            in annual_page)
    assert "女性13人" not in annual_page
    assert "女性比例為40%，符合相關規定。" in annual_page  # the data governance committee
    # A report that did not run this build records nothing: its figures are not printed.
    assert f"共開設{rr.MISSING_FIGURE}班" in annual_page
    good = (year / "annual-report.html").read_bytes()

    texts = data_dir / "112" / "results_report.yml"
    texts.write_text(texts.read_text(encoding="utf-8").replace(
        "{procurement-review-committee.verdict}", "無任一性別比例低於全部委員三分之一之情形"),
        encoding="utf-8")
    result = build(BuildOptions(year=112, data_dir=data_dir, out_dir=out, registry=registry,
                                only=["annual-report"], echo=lambda _: None))
    (annual_result,) = result.results
    assert annual_result.status == "failed" and annual_result.input_error
    assert ("「無任一性別比例低於」是直接打字的判定，資料改變時它可能不實。"
            "請改用佔位符 {procurement-review-committee.verdict}，由資料判定。"
            in annual_result.error)
    assert (year / "annual-report.html").read_bytes() == good


def test_the_satisfaction_needs_both_files(sample_data):
    from genderstats.analyses import staff_training as st

    courses = data.load("training_courses", 112, sample_data)
    evaluations = data.load("course_evaluations", 112, sample_data)
    assert st.named_figures(courses, evaluations) == {
        "satisfaction": "97.02%", "lecturer": "尤○涵"}
    # Without the courses the answers cannot be matched to the year's own courses.
    assert st.named_figures(None, evaluations) == {"satisfaction": None, "lecturer": None}
