"""Onsite engineers: the seed's 26/11, breakdowns, one-third gaps, skipped breakdowns."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import indicator, run_notebook

from genderstats.analyses import engineers as eng

REPORT = "onsite-engineers"


def people(rows: list[tuple[str, ...]], columns: tuple[str, ...] = ("job_category", "gender")):
    return pd.DataFrame(rows, columns=list(columns))


# --------------------------------------------------------------------------- package functions


def test_totals_and_key_figure_count_every_engineer():
    df = people([("甲", "男")] * 26 + [("乙", "女")] * 11)
    totals = eng.totals_table(df)
    assert totals.loc["駐點工程師", ["男", "女", "其他", "合計"]].tolist() == [26, 11, 0, 37]
    assert eng.key_figure(df) == "37人：男性26人、女性11人（29.73%）"
    assert eng.overall_sentence(totals, 112) == (
        "112年在局內駐點之駐點工程師（男性：26人，女性：11人）共37人，女性佔29.73%，未達三分之一"
    )


def test_key_figure_mentions_other_gender_only_when_present():
    df = people([("甲", "男")] * 3 + [("甲", "女")] * 3 + [("甲", "其他")] * 3)
    assert eng.key_figure(df) == "9人：男性3人、女性3人（33.33%）、其他性別3人"
    small = people([("甲", "男"), ("甲", "女"), ("甲", "其他")])
    assert eng.key_figure(small) == "男性未達3人、女性未達3人、其他性別未達3人"
    assert eng.key_figure(small, None) == "3人：男性1人、女性1人（33.33%）、其他性別1人"


def test_breakdown_orders_by_name_and_keeps_blank_cells_in_the_total():
    # By name, not by size (資安 has 3, 網路 2): with the totals, an order by size pins
    # hidden counts.
    df = people(
        [("網路", "男")] * 2 + [("資安", "男"), ("資安", "女"), ("資安", "女"), (None, "女"),
                               ("  ", "男")],
    )
    table = eng.breakdown_table(df, "job_category")
    assert list(table.index) == ["網路", "資安", "未填", "合計"]
    assert table.index.name == "職別"
    assert table.loc["未填", ["男", "女"]].tolist() == [1, 1]
    assert table.loc["合計", "合計"] == len(df)


def test_gaps_call_out_absent_and_under_a_third_but_not_exactly_a_third():
    df = people(
        [("網路", "男")] * 6
        + [("資安", "男")] * 5 + [("資安", "女")]
        + [("策略", "男")] + [("策略", "女")] * 2     # 1 of 3 is a third: meets the rule
        + [("客服", "男")] * 3 + [("客服", "女")] * 3
    )
    table = eng.breakdown_table(df, "job_category")
    found = eng.gaps(table)
    assert found["情形"].to_dict() == {"網路": "無女性", "資安": "女性未達三分之一"}
    sentences = eng.gap_sentences(table, "職別")
    assert sentences == [
        "職別「網路」（6人）男女比例為女性佔0.00%、男性佔100.00%，則缺女性代表",
        "職別「資安」（6人）男女比例為女性佔16.67%、男性佔83.33%，則男多於女，女性未達三分之一",
    ]


def test_gaps_name_men_when_men_are_the_few():
    table = eng.breakdown_table(people([("客服", "女")] * 4 + [("客服", "男")]), "job_category")
    assert eng.gaps(table).loc["客服", "情形"] == "男性未達三分之一"


def test_missing_or_blank_breakdowns_are_skipped_and_typos_are_errors():
    df = pd.DataFrame({"gender": ["男", "女"], "job_category": ["甲", "乙"],
                       "vendor": [None, "  "]})
    assert eng.usable_breakdowns(df, ["job_category", "centre", "vendor"]) == ["job_category"]
    assert eng.usable_breakdowns(df, ["job_category", "job_category"]) == ["job_category"]
    with pytest.raises(ValueError, match="可用的分類欄位"):
        eng.usable_breakdowns(df, ["centr"])


def test_seniority_bands_are_left_closed_and_missing_years_are_unfilled():
    df = pd.DataFrame({"gender": ["男", "女", "男", "女", "男"],
                       "seniority_years": [0.99, 1.0, 3.0, 10.0, None]})
    table = eng.breakdown_table(df, "seniority_years")
    assert list(table.index) == ["未滿1年", "1年以上未滿3年", "3年以上未滿5年",
                                 "5年以上未滿10年", "10年以上", "未填", "合計"]
    assert table["合計"].tolist() == [1, 1, 1, 0, 1, 1, 5]
    summary = eng.seniority_summary(df)
    assert summary.loc["男", "人數"] == 2  # the blank one has no years to average
    assert summary.loc["女", "平均年資"] == pytest.approx(5.5)


def test_breakdown_object_names_its_indicator_table():
    part = eng.breakdown(people([("甲", "男"), ("甲", "女")]), "job_category")
    assert (part.name, part.label, part.sentences) == ("駐點工程師依職別", "職別", [])


# --------------------------------------------------------------------------- the sample year


@pytest.mark.slow
def test_sample_totals_match_the_seed(sample_indicators):
    got = {g: int(indicator(sample_indicators, REPORT, "駐點工程師人數", "駐點工程師", g)["count"])
           for g in ("男", "女", "合計")}
    assert got == {"男": 26, "女": 11, "合計": 37}


@pytest.mark.slow
def test_sample_job_categories_record_only_rows_shown_in_full(sample_indicators):
    # 資安工程師 (5 men, 1 woman) and the others with 1 or 2 of a gender are protected, and
    # so is 客服工程師 (rows by name: 系統工程師 stays), whose cells would give those back.
    expected = {"系統工程師": (7, 3), "網路工程師": (6, 0), "含隱藏格之類別合併": (13, 8),
                "合計": (26, 11)}
    rows = [r for r in sample_indicators
            if r["report"] == REPORT and r["table"] == "駐點工程師依職別"]
    assert {r["category"] for r in rows} == set(expected)
    for job, (men, women) in expected.items():
        row = [int(indicator(sample_indicators, REPORT, "駐點工程師依職別", job, g)["count"])
               for g in ("男", "女")]
        assert row == [men, women], job
    tables = {r["table"] for r in sample_indicators if r["report"] == REPORT}
    assert tables == {"駐點工程師人數", "駐點工程師依職別", "駐點工程師依科室",
                      "駐點工程師依廠商", "駐點工程師依年資"}


@pytest.mark.slow
def test_sample_page_shows_the_seed_figures_and_calls_out_gaps(sample_build, sample_manifest):
    page = (sample_build["out"] / f"{REPORT}.html").read_text(encoding="utf-8")
    assert "駐點工程師（男性：26人，女性：11人）共37人" in page
    assert "市府內公共空間亦設有性別友善廁所及哺乳室等性別友善措施供其使用" in page
    findings = page[page.index('class="gs-findings"'):]
    assert "職別「網路工程師」（6人）男女比例為女性佔0.00%、男性佔100.00%，則缺女性代表" in findings
    assert "女性佔16.67%" not in page  # 資安工程師's one woman is protected
    assert ("職別「客服工程師」、「專案經理」、「資安工程師」、「資料庫管理師」"
            "有部分人數為保護個人隱私未公開（未達3人，或可據以推算者），不列出其性別比例分析"
            ) in findings
    assert "職別「客服工程師」（" not in findings  # 3 and 3: nothing to call out
    assert re.search(r'<th scope="row">網路工程師</th><td class="gs-num">6</td>'
                     r'<td class="gs-num">0</td>', page)
    assert re.search(r'<th scope="row">資安工程師</th><td class="gs-num">5</td>'
                     r'<td class="gs-num gs-suppressed">&lt;3</td><td class="gs-num">0</td>'
                     r'<td class="gs-num gs-suppressed">[*]</td>', page)
    entry = next(r for r in sample_manifest["reports"] if r["id"] == REPORT)
    assert entry["key_figure"] == "37人：男性26人、女性11人（29.73%）"


def test_one_engineer_of_gender_other_is_never_shown_as_one():
    df = pd.DataFrame({"gender": ["男"] * 26 + ["女"] * 11 + ["其他"],
                       "job_category": ["甲"] * 20 + ["乙"] * 17 + ["甲"]})
    totals = eng.protected_totals(df)
    assert [totals.text("駐點工程師", c) for c in ("男", "女", "其他", "合計")] == [
        "26", "11", "<3", "*"]
    assert eng.key_figure(df) == "男性26人、女性11人、其他性別未達3人"
    assert eng.protected_sentence(totals, 112) == (
        "112年在局內駐點之駐點工程師：男性26人、女性11人、其他性別未達3人")
    part = eng.breakdown(df, "job_category", suppress_below=3)
    p = part.protected
    assert p.marks.loc["合計"].tolist() == totals.marks.iloc[0].tolist()
    assert p.text("甲", "其他") == "<3"
    from genderstats import privacy
    assert not privacy.recoverable_cells(p.table, p.marks, 3).to_numpy().any()
    rec = p.record()
    assert "合計" not in rec.index or rec.loc["合計", "其他"] != 1
    for key in rec.index:
        assert p.row_shown(key)


@pytest.mark.slow
def test_notebook_with_one_engineer_of_gender_other(tmp_path):
    year_dir = tmp_path / "112"
    year_dir.mkdir()
    rows = ["系統工程師,男,甲中心"] * 9 + ["系統工程師,女,乙中心"] * 6
    rows += ["網路工程師,男,乙中心"] * 5
    rows += ["網路工程師,女,甲中心"] * 4 + ["網路工程師,其他,甲中心"]
    (year_dir / "onsite_engineers.csv").write_text("職別,性別,駐點科室\n" + "\n".join(rows) + "\n",
                                                   encoding="utf-8")
    run = run_notebook("onsite_engineers", tmp_path, tmp_path, title="駐點工程師")
    assert run.stderr == ""
    import html as html_lib
    from html.parser import HTMLParser

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows, self._cell = [], None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self._cell = []

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self._cell is not None:
                self.rows[-1].append("".join(self._cell).strip())
                self._cell = None

        def handle_data(self, data):
            if self._cell is not None:
                self._cell.append(data)

    parser = Cells()
    parser.feed(run.page)
    other_cells = [r[3] for r in parser.rows
                   if len(r) >= 8 and r[0] not in ("類別", "職別", "科室")]
    assert other_cells and "1" not in other_cells and "<3" in other_cells
    assert "其他性別：1人" not in run.page and "其他性別1人" not in html_lib.unescape(run.page)
    assert "其他性別未達3人" in run.page
    for r in run.indicators:
        if r["gender"] == "其他":
            assert int(r["count"]) != 1, r


@pytest.mark.slow
def test_notebook_skips_breakdowns_the_data_lacks(tmp_path):
    year_dir = tmp_path / "112"
    year_dir.mkdir()
    (year_dir / "onsite_engineers.csv").write_text(
        "職別,性別\n系統工程師,男\n系統工程師,女\n網路工程師,男\n網路工程師,男\n",
        encoding="utf-8",
    )
    # Four engineers would be protected almost entirely; this test is about skipped columns.
    run = run_notebook("onsite_engineers", tmp_path, tmp_path,
                       title="本局駐點工程師職別與性別統計分析", suppress_below=0)
    assert run.stderr == ""
    assert sorted({r["table"] for r in run.indicators}) == ["駐點工程師人數", "駐點工程師依職別"]
    page = run.page
    assert "依職別" in page
    # The file has no 科室, 廠商 or 年資 column: each section says so, with no table or chart.
    for column, statement in eng.ABSENT.items():
        assert f"<h3>依{eng.breakdown_label(column)}</h3>" in page
        assert statement.say() in page
    for absent in ("各科室性別比例", "各廠商性別比例", "各年資區間人數"):
        assert absent not in page
    assert "職別「網路工程師」（2人）男女比例為女性佔0.00%、男性佔100.00%，則缺女性代表" in page
    assert "駐點工程師（男性：3人，女性：1人）共4人" in page
