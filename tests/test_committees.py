"""Committee composition: the seed's figures, the rule, breakdowns decided by the data, masking.

Package functions are checked on small hand-made rosters; the three reports of the sample
year through the shared sample build (indicators.csv and the published pages); the
notebook itself with papermill on hand-made data folders.
"""

from __future__ import annotations

import csv
import re
import shutil
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_notebook

from genderstats import config
from genderstats.analyses import committees as cm
from genderstats.data import absence, load

NOTEBOOK = config.NOTEBOOKS_DIR / "committee_composition.ipynb"
TASK_FORCE = "gender-equality-task-force"
DATA_GOVERNANCE = "data-governance-committee"
PROCUREMENT = "procurement-review-committee"


def roster(genders: str, *, committee: str = "測試小組", roles: str | None = None,
           affiliation: str | None = None) -> pd.DataFrame:
    """A roster from genders 「男男女」 (X = 其他), roles 「當派」 and affiliations 「府外」."""
    n = len(genders)
    return pd.DataFrame({
        "committee": [committee] * n,
        "term": pd.array([None] * n, dtype="Int64"),
        "name": [f"測試委員{i:02d}" for i in range(n)],
        "gender": [{"X": "其他"}.get(g, g) for g in genders],
        "affiliation": [{"府": "府內", "外": "外聘"}[a] for a in (affiliation or "府" * n)],
        "role": [{"當": "當然委員", "派": "派聘委員"}[r] for r in roles] if roles else [None] * n,
    })


def _masked3(name: str) -> str:
    """The published mask of a three-character name, written out: 王小明 → 王○明."""
    assert len(name) == 3, name
    return f"{name[0]}○{name[2]}"


def sample_members() -> pd.DataFrame:
    return load("committee_members", 112, config.DATA_DIR)


def text_of(page: str) -> str:
    """The page's visible text: tags and the inlined CSS and images removed."""
    page = re.sub(r"<style>.*?</style>", "", page, flags=re.S)
    page = re.sub(r"<img[^>]*>", "", page)
    return re.sub(r"<[^>]+>", "", page)


# ------------------------------------------------------------------ the rule


def test_two_women_of_nine_fail_the_one_third_rule_short_of_one_woman():
    comp = cm.composition(roster("男" * 7 + "女" * 2), "測試小組")
    rule = comp.rule
    assert (int(rule["人數"]), int(rule["最低人數"])) == (9, 3)
    assert not bool(rule["符合"])
    assert (rule["缺少性別"], int(rule["女缺少人數"]), int(rule["男缺少人數"])) == ("女", 1, 0)
    assert cm.overall_sentences(comp)[-1] == (
        "測試小組全體委員未達任一性別不低於三分之一之規定，尚缺女性1人")
    assert cm.headcount_sentence(comp) == (
        "委員人數分別為男性7人、女性2人，女性比例低於全部委員三分之一，尚缺女性1人")
    assert cm.key_figure(comp) == "9人，女性2人（22.22%），未達三分之一原則（尚缺女性1人）"
    html = cm.form_table(comp).frame
    assert html.iloc[0].tolist() == ["9人", "7人", "2人", "22.22%", "未達（尚缺女性1人）"]


def test_three_women_of_nine_meet_one_third_but_not_forty_percent():
    people = roster("男" * 6 + "女" * 3)
    assert bool(cm.composition(people, "測試小組").rule["符合"])
    comp = cm.composition(people, "測試小組", threshold="40%")
    assert comp.threshold == Fraction(2, 5)
    assert (int(comp.rule["最低人數"]), int(comp.rule["女缺少人數"])) == (4, 1)
    assert cm.overall_sentences(comp)[-1].endswith("未達任一性別不低於40%之規定，尚缺女性1人")
    assert cm.key_figure(comp).endswith("未達任一性別不低於40%原則（尚缺女性1人）")


def test_ex_officio_members_can_be_left_out_of_the_rule_but_stay_in_the_tables():
    # 當然委員: 1 man, 5 women; 派聘委員: 5 men, 1 woman.
    people = roster("男女女女女女" + "男男男男男女", roles="當" * 6 + "派" * 6)
    everyone = cm.composition(people, "測試小組")
    assert bool(everyone.rule["符合"]) and everyone.counted == 12
    appointed = cm.composition(people, "測試小組", exclude_ex_officio=True)
    assert appointed.counted == 6
    assert (bool(appointed.rule["符合"]), int(appointed.rule["女缺少人數"])) == (False, 1)
    assert int(appointed.row["合計"]) == 12  # the composition still shows everyone
    by_role = appointed.breakdown("role")
    assert by_role is not None
    assert by_role.rules.loc["當然委員", "人數"] == 0  # nobody counted there
    html = cm.composition_table(by_role.table, "身分", rules=by_role.rules, counted=True)
    assert "計入人數" in html.frame.columns
    assert html.frame.loc["合計", "計入人數"] == "6"
    assert "當然委員不計入，計入6人" in cm.overall_sentences(appointed)[-1]
    assert "全部委員（不計當然委員）" in cm.headcount_sentence(appointed)


def test_a_member_of_other_gender_is_counted_shown_and_the_rule_checks_men_and_women():
    comp = cm.composition(roster("男男女女女女女女X"), "測試小組")
    assert [int(comp.row[g]) for g in ("男", "女", "其他", "合計")] == [2, 6, 1, 9]
    assert (bool(comp.rule["符合"]), comp.rule["缺少性別"], int(comp.rule["缺少人數"])) == (
        False, "男", 1)
    frame = cm.composition_table(comp.overall, "委員", rules=comp.rules).frame
    assert frame.loc["全體委員", "其他性別人數"] == "1"
    assert frame.loc["全體委員", "其他性別比例"] == "11%"
    assert frame.loc["全體委員", "任一性別不低於三分之一"] == "未達（尚缺男性1人）"
    assert "其他性別佔11%" in cm.overall_sentences(comp)[1]
    assert cm.key_figure(comp) == (
        "9人，女性6人（66.67%），其他性別1人，未達三分之一原則（尚缺男性1人）")
    assert cm.form_table(comp).frame.loc["全體委員", "其他性別人數"] == "1人"
    assert "其他性別1人" in cm.headcount_sentence(comp)
    assert "其他性別人數" not in cm.composition_table(
        cm.composition(roster("男女女"), "測試小組").overall, "x").frame.columns


def test_a_share_prints_the_same_in_the_findings_and_the_tables():
    comp = cm.composition(roster("男" * 8 + "女" * 12), "測試小組")
    form = cm.form_table(comp).frame.iloc[0]
    table = cm.composition_table(comp.overall, "示例", rules=comp.rules, decimals=2).frame
    sentences = cm.overall_sentences(comp, 2)
    assert form["（較低者）單一性別比例"] == "40%"
    assert table.loc["全體委員", ["男性比例", "女性比例"]].tolist() == ["40%", "60%"]
    assert sentences[:2] == ["全體委員20人，較低者單一性別（男性）比例為40%",
                             "全體委員男女比例為女性佔60%、男性佔40%"]
    comp = cm.composition(roster("男" * 7 + "女" * 9), "測試小組")
    assert cm.overall_sentences(comp, 2)[1] == "全體委員男女比例為女性佔56.25%、男性佔43.75%"
    assert cm.composition_table(comp.overall, "示例", decimals=2).frame.loc[
        "全體委員", "男性比例"] == "43.75%"


def test_threshold_words_and_form_percentages():
    two_thirds = cm.composition(roster("男" * 6 + "女" * 3), "測試小組", threshold=Fraction(2, 3))
    assert two_thirds.threshold_text == "三分之二"
    assert cm.composition(roster("男男女"), "測試小組", threshold=0.4).threshold_text == "40%"
    assert [cm.attendance_rate(p, 17) for p in (17, 16, 0)] == ["100%", "94.12%", "0%"]
    assert cm.attendance_rate(2, 3) == "66.67%"  # half-up: 66.666… → 66.67


def test_the_lower_share_reads_as_the_form_column_at_every_decimals():
    # 15 members, 4 women: the form's column and its sentence read 26.67%, never 27%.
    comp = cm.composition(roster("男" * 11 + "女" * 4), "測試小組")
    assert cm.form_table(comp).frame.loc["全體委員", "（較低者）單一性別比例"] == "26.67%"
    for decimals in (0, 1, 2):
        assert cm.overall_sentences(comp, decimals)[0] == (
            "全體委員15人，較低者單一性別（女性）比例為26.67%")
    # The composition shares follow the page's decimals, as its tables do.
    assert cm.overall_sentences(comp)[1] == "全體委員男女比例為女性佔27%、男性佔73%"
    assert cm.composition_table(comp.overall, "示例").frame.loc[
        "全體委員", ["男性比例", "女性比例"]].tolist() == ["73%", "27%"]


def test_an_unknown_committee_names_the_ones_the_file_has():
    with pytest.raises(ValueError, match="沒有「不存在小組」.*測試小組"):
        cm.composition(roster("男女女"), "不存在小組")


# ------------------------------------------------------------------ sample data, package level


def test_task_force_composition_from_the_sample_data():
    comp = cm.composition(sample_members(), "性別平等專案小組")
    assert [int(comp.row[g]) for g in ("男", "女", "其他", "合計")] == [6, 11, 0, 17]
    assert cm.form_table(comp).frame.iloc[0].tolist() == [
        "17人（含3名外聘委員）", "6人（含1名外聘委員）", "11人（含2名外聘委員）", "35.29%", "符合"]
    assert [b.key for b in comp.breakdowns] == ["affiliation"]  # 身分 repeats 府內/外聘
    assert "全體委員17人，較低者單一性別（男性）比例為35.29%" in cm.overall_sentences(comp, 2)
    # At whole percents the composition reads 35%; the lower share stays the form's 35.29%.
    assert cm.overall_sentences(comp)[:2] == ["全體委員17人，較低者單一性別（男性）比例為35.29%",
                                              "全體委員男女比例為女性佔65%、男性佔35%"]


def test_data_governance_breakdowns_and_terms_from_the_sample_data():
    members = sample_members()
    comp = cm.composition(members, "資料治理委員會")
    assert comp.term == 2 and comp.label == "第2屆資料治理委員會"
    assert [b.name for b in comp.breakdowns] == [
        "府內外聘", "工作小組（外聘委員）", "代表類別（外聘委員）"]
    wg = comp.breakdown("working_group").table
    assert wg.loc[["整合應用組", "空間資訊組", "個資保護組", "開放資料組"], "女"].tolist() == [
        6, 1, 1, 0]
    sector = comp.breakdown("sector").table
    assert list(sector.index) == ["產業", "學界", "法人", "合計"]  # no 政府機關 row
    assert sector["女"].tolist() == [5, 1, 2, 8]
    assert sector["合計"].tolist() == [7, 7, 4, 18]

    previous = cm.composition(members, "資料治理委員會", term=1)
    assert cm.previous_term(cm.committee_roster(members, "資料治理委員會"), 2) == 1
    comparison = cm.compare_terms(previous, comp)
    assert comparison.loc[("全體", "全體委員"), "增減（百分點）"] == 8
    assert comparison.loc[("府內外聘", "外聘委員"), "增減（百分點）"] == 11
    assert pd.isna(comparison.loc[("工作小組", "開放資料組"), "前期人數"])
    sentences = cm.comparison_sentences(comparison, previous, comp)
    assert sentences[0] == "第2屆全體委員女性比例為40%，較第1屆（32%）增加8個百分點"
    assert "第2屆新增開放資料組" in sentences
    assert sentences[-1].startswith("第1屆全體委員未達任一性別不低於三分之一之規定，尚缺女性1人")
    new = cm.new_categories(previous, comp.breakdown("working_group"))
    assert new == ["開放資料組"]
    bullets = cm.breakdown_sentences(comp.breakdown("working_group"), new=new,
                                     new_prefix="在第2屆新增的")
    assert bullets[3] == "在第2屆新增的開放資料組男女比例為女性佔0%、男性佔100%，則缺女性代表"


def test_procurement_breakdown_by_role_and_member_labels():
    comp = cm.composition(sample_members(), "採購工作及審查小組")
    assert comp.term is None
    assert [b.key for b in comp.breakdowns] == ["role"]  # everyone is 府內: no 府內外聘
    role = comp.breakdown("role").table
    assert role.loc["當然委員", ["男", "女"]].tolist() == [4, 7]
    assert role.loc["派聘委員", ["男", "女"]].tolist() == [4, 1]
    frame = cm.members_frame(comp.roster)
    assert list(frame.columns) == ["小組成員", "職稱", "姓名", "性別"]
    first = comp.roster.iloc[0]
    assert frame.iloc[0].tolist() == ["當然委員 兼召集人", "副局長", _masked3(first["name"]), "男"]
    assert frame.iloc[5, 0] == "當然委員 兼執行秘書"


def test_a_roster_with_only_the_required_columns_has_no_breakdowns():
    people = roster("男男女女")[["committee", "name", "gender", "affiliation"]]
    comp = cm.composition(people, "測試小組")
    assert comp.breakdowns == () and comp.term is None
    assert list(cm.indicator_tables(comp)) == ["委員性別"]
    # No 身分, 兼任 or 職稱 column: each says 無資料, never 「委員」 or a blank.
    frame = cm.members_frame(people)
    assert list(frame.columns) == ["小組成員", "兼任", "職稱", "姓名", "性別"]
    assert frame.iloc[0, :3].tolist() == ["無資料"] * 3


def test_meetings_table_masks_experts_and_prints_attendance_as_the_form():
    members = sample_members()
    meetings = load("task_force_meetings", 112, config.DATA_DIR)
    frame = cm.meetings_frame(meetings)
    assert frame["出席"].tolist() == ["17/17", "16/17", "17/17"]
    assert frame["出席比率"].tolist() == ["100%", "94.12%", "100%"]
    assert frame["主席"].tolist() == ["首長"] * 3
    raw = pd.read_csv(config.DATA_DIR / "112" / "task_force_meetings.csv", encoding="utf-8-sig")
    expected = "、".join(_masked3(n) for n in raw.loc[1, "出席專家學者"].split("、"))
    assert frame.loc[1, "專家學者委員出席者"] == expected  # e.g. 彭○庭、姜○淳
    experts = cm.expert_attendance(meetings, cm.committee_roster(members, "性別平等專案小組"))
    assert experts.loc["112-2", ["男", "女"]].tolist() == [0, 2]
    # A name the roster lacks: no gender for them, so no table rather than a wrong one.
    assert cm.expert_attendance(meetings.assign(experts_present="某某某"), members) is None


# ------------------------------------------------------------------ the three sample reports


def _rows(indicators, report: str) -> dict[tuple[str, str, str], int]:
    return {(r["table"], r["category"], r["gender"]): int(r["count"])
            for r in indicators if r["report"] == report}


def _page(sample_build, report: str) -> str:
    return (sample_build["out"] / f"{report}.html").read_text(encoding="utf-8")


def _sample_rows() -> list[dict[str, str]]:
    with open(config.DATA_DIR / "112" / "committee_members.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _sample_names() -> set[str]:
    return {row["姓名"] for row in _sample_rows()}


@pytest.mark.slow
def test_task_force_report_shows_the_seed_figures(sample_build, sample_indicators):
    got = _rows(sample_indicators, TASK_FORCE)
    assert got[("委員性別", "全體委員", "男")] == 6
    assert got[("委員性別", "全體委員", "女")] == 11
    assert got[("委員性別", "全體委員", "合計")] == 17
    assert got[("府內外聘", "外聘委員", "男")] == 1
    assert got[("府內外聘", "外聘委員", "女")] == 2
    assert got[("專家學者委員出席者（依會議）", "112-2", "女")] == 2
    assert not any(t.startswith(("工作小組", "代表類別", "委員身分")) for t, _, _ in got)
    text = text_of(_page(sample_build, TASK_FORCE))
    with open(config.DATA_DIR / "112" / "task_force_meetings.csv", encoding="utf-8-sig") as fh:
        second = list(csv.DictReader(fh))[1]["出席專家學者"].split("、")
    experts = "、".join(_masked3(n) for n in second)  # 彭○庭、姜○淳
    for expected in ("35.29%", "17人（含3名外聘委員）", "6人（含1名外聘委員）",
                     "11人（含2名外聘委員）", "94.12%", "16/17", "17/17",
                     "符合任一性別不低於三分之一之規定", experts, "運作情形"):
        assert expected in text, expected
    assert text.count("100%") >= 2
    assert "工作小組" not in text and "代表類別" not in text
    entry = next(e for e in sample_build_manifest(sample_build) if e["id"] == TASK_FORCE)
    assert "17人，女性11人（64.71%），符合三分之一原則" in entry["key_figure"]


@pytest.mark.slow
def test_data_governance_report_shows_the_seed_figures(sample_build, sample_indicators):
    got = _rows(sample_indicators, DATA_GOVERNANCE)
    assert (got[("委員性別", "全體委員", "女")], got[("委員性別", "全體委員", "合計")]) == (14, 35)
    assert (got[("府內外聘", "府內委員", "女")], got[("府內外聘", "府內委員", "合計")]) == (6, 17)
    assert (got[("府內外聘", "外聘委員", "女")], got[("府內外聘", "外聘委員", "合計")]) == (8, 18)
    women = {c: got[("工作小組（外聘委員）", c, "女")] for c in
             ("整合應用組", "空間資訊組", "個資保護組", "開放資料組")}
    assert women == {"整合應用組": 6, "空間資訊組": 1, "個資保護組": 1, "開放資料組": 0}
    assert got[("工作小組（外聘委員）", "開放資料組", "男")] == 3
    assert {c: got[("代表類別（外聘委員）", c, "女")] for c in ("產業", "學界", "法人")} == {
        "產業": 5, "學界": 1, "法人": 2}
    assert ("代表類別（外聘委員）", "政府機關", "合計") not in got
    assert got[("第1屆委員性別", "全體委員", "合計")] == 31
    assert got[("第1屆工作小組（外聘委員）", "整合應用組", "女")] == 3
    text = text_of(_page(sample_build, DATA_GOVERNANCE))
    for expected in (
        "全體委員男女比例為女性佔40%、男性佔60%",
        "府內委員男女比例為女性佔35%、男性佔65%",
        "外聘委員男女比例為女性佔44%、男性佔56%",
        "整合應用組男女比例為女性佔86%、男性佔14%，則女多於男",
        "空間資訊組男女比例為女性佔25%、男性佔75%",
        "個資保護組男女比例為女性佔25%、男性佔75%",
        "開放資料組男女比例為女性佔0%、男性佔100%，則缺女性代表",
        "產業代表男女比例為女性佔71%、男性佔29%，則女多於男",
        "學界代表男女比例為女性佔14%、男性佔86%，則男多於女",
        "法人代表男女比例各佔50%，則男女平衡",
        "以工作小組分群進行第2屆外聘委員性別分析",
        "以產業、學界、法人分群進行第2屆外聘委員性別分析",
        "第2屆資料治理委員會全體委員符合任一性別不低於三分之一之規定",
        "與第1屆比較", "第2屆全體委員女性比例為40%，較第1屆（32%）增加8個百分點",
        "建議各工作小組開會時，可邀請其他小組適合委員參加，以均衡各工作小組委員性別比例。",
    ):
        assert expected in text, expected
    page = _page(sample_build, DATA_GOVERNANCE)
    assert "圓餅圖：第2屆資料治理委員會委員性別統計" in page  # the donut's alt text
    assert "百分比堆疊橫條圖：第2屆資料治理委員會各工作小組性別比例" in page
    assert "參考線：三分之一。" in page
    assert "運作情形" not in text  # meetings belong to the task force only


@pytest.mark.slow
def test_procurement_report_shows_the_seed_figures(sample_build, sample_indicators):
    got = _rows(sample_indicators, PROCUREMENT)
    assert (got[("委員性別", "全體委員", "男")], got[("委員性別", "全體委員", "女")]) == (8, 8)
    assert got[("委員身分", "派聘委員", "女")] == 1
    assert not any(t.startswith(("工作小組", "代表類別", "府內外聘")) for t, _, _ in got)
    text = text_of(_page(sample_build, PROCUREMENT))
    convener = next(r for r in _sample_rows() if r["委員會"] == "採購工作及審查小組")
    assert f"當然委員 兼召集人副局長{_masked3(convener['姓名'])}男" in text  # one table row
    for expected in ("委員人數分別為男性8人、女性8人，無任一性別比例低於全部委員三分之一之情形",
                     "男性8人／女性8人，無任一性別低於1/3之情形。", "當然委員 兼召集人",
                     "當然委員 兼副召集人", "派聘委員",
                     "派聘委員每年改派時，持續注意任一性別不低於全部委員三分之一之規定。"):
        assert expected in text, expected
    assert "工作小組" not in text and "代表類別" not in text


@pytest.mark.slow
@pytest.mark.parametrize("report", [TASK_FORCE, DATA_GOVERNANCE, PROCUREMENT])
def test_no_full_name_of_the_roster_reaches_a_page(sample_build, report):
    page = _page(sample_build, report)
    leaked = sorted(n for n in _sample_names() if n in page)
    assert leaked == []
    assert "此段計算失敗" not in page


def sample_build_manifest(sample_build):
    import json

    return json.loads((sample_build["out"] / "manifest.json").read_text(encoding="utf-8"))[
        "reports"]


# ------------------------------------------------------------------ the notebook on hand-made data


def _write_roster(folder: Path, rows: list[dict[str, str]], header: list[str]) -> Path:
    year_dir = folder / "112"
    year_dir.mkdir(parents=True, exist_ok=True)
    with open(year_dir / "committee_members.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _run(tmp_path: Path, data_dir: Path, committee: str, **params) -> tuple[str, list]:
    run = run_notebook("committee_composition", data_dir, tmp_path, title=committee,
                       committee=committee, **params)
    return run.page, run.indicators


@pytest.fixture(scope="module")
def handmade(tmp_path_factory):
    """Two small committees with only the required columns (no 屆, 身分, 工作小組…)."""
    folder = tmp_path_factory.mktemp("data")
    names = ["王大明", "李小華", "張志強", "陳美玲", "林建宏", "黃淑芬", "吳承恩", "劉德仁",
             "蔡依林"]
    rows = [{"委員會": "審查小組", "姓名": n, "性別": g, "府內外聘": a}
            for n, g, a in zip(names, "男男男男男男男女女", "府府府府府外外外府", strict=True)]
    rows = [{**r, "府內外聘": {"府": "府內", "外": "外聘"}[r["府內外聘"]]} for r in rows]
    rows += [{"委員會": "多元小組", "姓名": f"{n}二", "性別": g, "府內外聘": "府內"}
             for n, g in zip(names, ["男", "男", "男", "女", "女", "女", "女", "其他", "女"],
                             strict=True)]
    return _write_roster(folder, rows, ["委員會", "姓名", "性別", "府內外聘"]), names


@pytest.mark.slow
def test_notebook_reports_a_committee_that_fails_the_rule(handmade, tmp_path):
    data_dir, names = handmade
    page, rows = _run(tmp_path, data_dir, "審查小組")
    text = text_of(page)
    assert "審查小組全體委員未達任一性別不低於三分之一之規定，尚缺女性1人" in text
    assert "委員人數分別為男性7人、女性2人，女性比例低於全部委員三分之一，尚缺女性1人" in text
    assert "未達（尚缺女性1人）" in text
    # decimals=0: the composition reads whole percents; the form's lower share keeps two
    # decimals, in its table and in its sentence.
    assert "9人（含3名外聘委員）" in text and "女性佔22%、男性佔78%" in text
    assert "22.22%未達（尚缺女性1人）" in text
    assert "全體委員9人，較低者單一性別（女性）比例為22.22%" in text
    # No 屆, 身分, 工作小組 or 代表類別 column in the file: each is said to be unknown where
    # its figures would stand, and nothing is computed from it.
    for statement in (absence.TERM, absence.WORKING_GROUP, absence.SECTOR):
        assert statement.say() in text, statement
    for absent in ("工作小組性別統計（", "委員身分性別統計", "女性比例增減", "運作情形",
                   "此段計算失敗"):
        assert absent not in text, absent
    assert not [n for n in names if n in page]
    assert "王○明" in text
    got = {(r["table"], r["category"], r["gender"]): r["count"] for r in rows}
    assert got[("委員性別", "全體委員", "女")] == 2
    assert got[("府內外聘", "外聘委員", "合計")] == 3


@pytest.mark.slow
def test_notebook_shows_a_member_of_other_gender(handmade, tmp_path):
    data_dir, _ = handmade
    page, rows = _run(tmp_path, data_dir, "多元小組", decimals=2)
    text = text_of(page)
    assert "其他性別人數" in text and "其他性別比例" in text
    assert "全體委員男女比例為女性佔55.56%、男性佔33.33%、其他性別佔11.11%" in text
    assert "符合任一性別不低於三分之一之規定" in text
    got = {(r["table"], r["category"], r["gender"]): r["count"] for r in rows}
    assert (got[("委員性別", "全體委員", "其他")], got[("委員性別", "全體委員", "合計")]) == (1, 9)
    assert "府內外聘" not in {r["table"] for r in rows}  # everyone is 府內


@pytest.mark.slow
def test_notebook_threshold_and_ex_officio_parameters(tmp_path):
    people = [("當然委員", "男"), ("當然委員", "女"), ("當然委員", "女"), ("當然委員", "女"),
              ("派聘委員", "男"), ("派聘委員", "男"), ("派聘委員", "男"), ("派聘委員", "女")]
    names = ["趙一鳴", "錢二妹", "孫三娘", "李四姐", "周五郎", "吳六郎", "鄭七郎", "王八妹"]
    rows = [{"委員會": "採購小組", "姓名": n, "性別": g, "府內外聘": "府內", "身分": r}
            for n, (r, g) in zip(names, people, strict=True)]
    data_dir = _write_roster(tmp_path / "data", rows, [*rows[0]])
    page, _ = _run(tmp_path, data_dir, "採購小組", threshold="40%", exclude_ex_officio=True)
    text = text_of(page)
    # 派聘委員 only: 3 men, 1 woman of 4; 40% of 4 rounds up to 2.
    assert ("採購小組全體委員未達任一性別不低於40%之規定，尚缺女性1人"
            "（當然委員不計入，計入4人）") in text
    assert "計入人數" in text and "當然委員不計入性別比例之計算" in text
    assert "委員身分性別統計" in text


# ------------------------------------------------------------------ missing meeting data


def _meetings(experts: list[str | None] | None) -> pd.DataFrame:
    """Two meetings; ``experts`` None: the file had no 出席專家學者 column."""
    frame = pd.DataFrame({
        "meeting_id": ["113-1", "113-2"], "date": pd.to_datetime(["2024-03-20", "2024-08-28"]),
        "chair": ["首長", "首長"], "chair_title": [pd.NA, pd.NA],
        "members_total": [17, 17], "members_present": [17, 16],
        "experts_present": experts if experts is not None else [pd.NA, pd.NA]})
    if experts is None:  # how the loader marks a column the file lacks
        frame.attrs["absent_columns"] = ("experts_present",)
    return frame


def _texts(outputs) -> str:
    return text_of("".join(o.html for o in outputs))


def test_meetings_without_the_experts_column_state_no_expert_figure():
    members = sample_members()
    outputs, experts = cm.meetings_outputs(_meetings(None), members, 113, 2)
    text = _texts(outputs)
    assert experts is None  # so nothing reaches indicators.csv
    assert absence.EXPERTS.say() in text
    assert "專家學者委員出席者" not in text and "0人次" not in text
    assert "113年共召開2次會議，主席皆為首長" in text and "94.12%（16/17）" in text
    assert list(cm.meetings_frame(_meetings(None)).columns) == [
        "會議", "日期", "主席", "出席", "出席比率"]
    assert cm.expert_attendance(_meetings(None), members) is None
    assert not any("專家學者" in s for s in cm.meetings_sentences(_meetings(None), None, 113))


def test_meetings_with_the_column_and_no_expert_present_count_zero():
    members = sample_members()
    outputs, experts = cm.meetings_outputs(_meetings([None, None]), members, 113, 2)
    assert experts[["男", "女", "其他"]].sum().tolist() == [0, 0, 0]
    assert absence.EXPERTS.say() not in _texts(outputs)


def test_no_meetings_file_says_so_and_an_empty_one_means_no_meeting():
    members = sample_members()
    outputs, experts = cm.meetings_outputs(None, members, 113)
    assert experts is None
    assert _texts(outputs) == "性別平等專案小組運作情形" + absence.MEETINGS.say()
    outputs, experts = cm.meetings_outputs(_meetings([None, None]).iloc[0:0], members, 113)
    assert experts is None and _texts(outputs).endswith("113年未召開會議。")


def _task_force_run(tmp_path: Path, edit) -> tuple[str, list]:
    data_dir = tmp_path / "data"
    shutil.copytree(config.DATA_DIR / "112", data_dir / "112")
    edit(data_dir / "112")
    return _run(tmp_path, data_dir, "性別平等專案小組", decimals=2)


@pytest.mark.slow
def test_task_force_page_without_meetings_file_says_meeting_data_is_missing(tmp_path):
    page, rows = _task_force_run(tmp_path, lambda d: (d / "task_force_meetings.csv").unlink())
    text = text_of(page)
    assert absence.MEETINGS.say() in text
    assert "35.29%" in text  # the composition is unaffected
    assert not [r for r in rows if r["table"].startswith("專家學者")]


@pytest.mark.slow
def test_task_force_page_without_the_experts_column_invents_no_zero(tmp_path):
    def drop_experts(folder: Path) -> None:
        path = folder / "task_force_meetings.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        path.write_text("\n".join(",".join(line.split(",")[:6]) for line in lines) + "\n",
                        encoding="utf-8-sig")

    page, rows = _task_force_run(tmp_path, drop_experts)
    text = text_of(page)
    assert absence.EXPERTS.say() in text
    assert "0人次" not in text and "專家學者委員共出席" not in text
    assert "94.12%" in text and "16/17" in text
    assert not [r for r in rows if r["table"].startswith("專家學者")]
