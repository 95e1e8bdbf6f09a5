"""genderstats.analyses.narrative: the seed's sentences and the cases the seed never had."""

from __future__ import annotations

import pandas as pd
import pytest

from genderstats.analyses import narrative
from genderstats.present.model import Findings
from genderstats.stats import counts_table, one_third_rule, trend


def row(m: int, w: int, o: int = 0, label: str = "x") -> pd.Series:
    return counts_table({label: {"男": m, "女": w, "其他": o}}).loc[label]


# --------------------------------------------------------------------------- composition


@pytest.mark.parametrize(
    ("label", "m", "w", "expected"),
    [
        ("全體委員", 21, 14, "全體委員男女比例為女性佔40%、男性佔60%"),
        ("府內委員", 11, 6, "府內委員男女比例為女性佔35%、男性佔65%"),
        ("外聘委員", 10, 8, "外聘委員男女比例為女性佔44%、男性佔56%"),
        ("空間資訊組", 3, 1, "空間資訊組男女比例為女性佔25%、男性佔75%"),
    ],
)
def test_seed_composition_sentences_without_clause(label, m, w, expected):
    assert narrative.composition_sentence(label, row(m, w), balance=False) == expected


@pytest.mark.parametrize(
    ("label", "m", "w", "expected"),
    [
        ("整合應用組", 1, 6, "整合應用組男女比例為女性佔86%、男性佔14%，則女多於男"),
        ("產業代表", 2, 5, "產業代表男女比例為女性佔71%、男性佔29%，則女多於男"),
        ("學界代表", 6, 1, "學界代表男女比例為女性佔14%、男性佔86%，則男多於女"),
        ("法人代表", 2, 2, "法人代表男女比例各佔50%，則男女平衡"),
        ("開放資料組", 3, 0, "開放資料組男女比例為女性佔0%、男性佔100%，則缺女性代表"),
    ],
)
def test_seed_composition_sentences_with_clause(label, m, w, expected):
    assert narrative.composition_sentence(label, row(m, w)) == expected


def test_composition_edge_cases():
    assert narrative.composition_sentence("甲組", row(0, 4)) == (
        "甲組男女比例為女性佔100%、男性佔0%，則缺男性代表"
    )
    assert narrative.composition_sentence("乙組", row(0, 0)) == "乙組無成員，無法計算男女比例"
    assert narrative.composition_sentence("丙組", row(0, 0, 2)) == (
        "丙組成員皆為其他性別，則無男性及女性代表"
    )
    assert narrative.composition_sentence("丁組", row(2, 2, 1)) == (
        "丁組男女比例為女性佔40%、男性佔40%、其他性別佔20%，則男女平衡"
    )
    assert narrative.composition_sentence("戊組", row(1, 2), decimals=2) == (
        "戊組男女比例為女性佔66.67%、男性佔33.33%，則女多於男"
    )


def test_balance_clause_uses_counts_not_rounded_shares():
    # 1001 vs 999 both print as 50%, but there are more women.
    assert narrative.balance_clause(row(999, 1001)) == "，則女多於男"
    assert narrative.balance_clause(row(0, 0)) == ""


# --------------------------------------------------------------------------- rule


def test_rule_sentences():
    rules = one_third_rule(
        counts_table(
            {
                "全體委員": {"男": 21, "女": 14},
                "小組": {"男": 7, "女": 2},
                "空": {"男": 0, "女": 0},
                "混合": {"男": 1, "女": 1, "其他": 3},
                "男少": {"男": 1, "女": 8},
            }
        )
    )
    assert narrative.rule_sentence(rules.loc["全體委員"], subject="全體委員") == (
        "全體委員符合任一性別不低於三分之一之規定"
    )
    assert narrative.rule_sentence(rules.loc["小組"]) == (
        "未達任一性別不低於三分之一之規定，尚缺女性1人"
    )
    assert narrative.rule_sentence(rules.loc["男少"]) == (
        "未達任一性別不低於三分之一之規定，尚缺男性2人"
    )
    assert narrative.rule_sentence(rules.loc["混合"]).endswith("尚缺男性1人、女性1人")
    assert narrative.rule_sentence(rules.loc["空"], subject="該組") == (
        "該組無成員，不適用任一性別不低於三分之一之規定"
    )
    forty = one_third_rule(counts_table({"x": {"男": 7, "女": 3}}), threshold="40%").loc["x"]
    assert narrative.rule_sentence(forty, threshold_text="百分之四十") == (
        "未達任一性別不低於百分之四十之規定，尚缺女性1人"
    )


# --------------------------------------------------------------------------- minority


def test_minority_sentences():
    assert narrative.minority_sentence("全體委員", row(6, 11)) == (
        "全體委員17人，較低者單一性別（男性）比例為35.29%"
    )
    assert narrative.minority_sentence("開放資料組", row(3, 0)) == (
        "開放資料組3人，較低者單一性別（女性）比例為0%"
    )
    assert narrative.minority_sentence("採購小組", row(8, 8)) == "採購小組16人，男女各佔50%"
    assert narrative.minority_sentence("空", row(0, 0)) == "空無成員"
    assert narrative.minority_sentence("其", row(0, 0, 1)) == (
        "其1人，皆為其他性別，無男性及女性代表"
    )


# --------------------------------------------------------------------------- trend


def trend_frame() -> pd.DataFrame:
    # 110: 3 of 4 women; 111 missing; 112: 2,084 of 2,676; 113: 2,084 of 2,676 again.
    counts = {110: (1, 3), 112: (592, 2084), 113: (592, 2084), 114: (600, 2000)}
    rows = [
        {"year": y, "gender": g, "n": n}
        for y, (m, w) in counts.items()
        for g, n in (("男", m), ("女", w))
    ]
    return trend(pd.DataFrame(rows), [110, 111, 112, 113, 114], count="n")


def test_trend_sentences():
    t = trend_frame()
    assert narrative.trend_sentence(t, year=110) == "110年女性參與人次佔75.00%"
    assert narrative.trend_sentence(t, year=111) == "111年無資料"
    assert narrative.trend_sentence(t, year=112) == (
        "112年女性參與人次佔77.88%，111年無資料，無法比較"
    )
    assert narrative.trend_sentence(t, year=113) == "113年女性參與人次佔77.88%，與112年持平"
    # 2000/2600 prints 76.92%, 113 printed 77.88%: the sentence says 0.96, the difference
    # of the printed values, although the unrounded change is −0.9545… pp.
    assert narrative.trend_sentence(t) == "114年女性參與人次佔76.92%，較113年減少0.96個百分點"
    assert narrative.trend_sentence(t, year=114, gender="男", label="參與人次") == (
        "114年男性參與人次佔23.08%，較113年增加0.96個百分點"
    )


def test_trend_sentence_zero_total_year():
    df = pd.DataFrame({"year": [111, 111, 112, 112, 113, 113], "gender": ["男", "女"] * 3,
                       "n": [1, 3, 0, 0, 1, 1]})
    t = trend(df, [111, 112, 113], count="n")
    assert narrative.trend_sentence(t, year=112) == "112年無參與人次"
    assert narrative.trend_sentence(t, year=113) == (
        "113年女性參與人次佔50.00%，112年無參與人次，無法比較"
    )


def test_trend_sentence_increase():
    df = pd.DataFrame({"year": [111, 111, 112, 112], "gender": ["男", "女"] * 2,
                       "n": [1000, 3000, 592, 2084]})
    assert narrative.trend_sentence(trend(df, [111, 112], count="n")) == (
        "112年女性參與人次佔77.88%，較111年增加2.88個百分點"
    )


# --------------------------------------------------------------------------- counts


def test_count_sentences():
    r = counts_table({"男": 592, "女": 2084}).iloc[0]
    assert narrative.count_sentence(r, lead="總計開班130班，") == (
        "總計開班130班，參訓人數為2,676人次，男性為592人次（22.12%），女性為2,084人次（77.88%）"
    )
    assert narrative.count_sentence(r, unit="人") == (
        "參訓人數為2,676人，男性為592人（22.12%），女性為2,084人（77.88%）"
    )
    assert narrative.count_sentence(row(26, 11, 1), label="駐點工程師", unit="人", decimals=0) == (
        "駐點工程師為38人，男性為26人（68%），女性為11人（29%），其他性別為1人（3%）"
    )
    assert narrative.count_sentence(row(0, 0)) == "參訓人數為0人次"


# --------------------------------------------------------------------------- findings


def test_findings_box_escapes_everything():
    h = Findings(
        ["全體委員男女比例為女性佔40%、男性佔60%", "<script>alert(1)</script>", "", None],
        title="發現<b>",
    )
    assert h.html == (
        '<section class="gs-findings"><h3>發現&lt;b&gt;</h3><ul>'
        "<li>全體委員男女比例為女性佔40%、男性佔60%</li>"
        "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li></ul></section>"
    )
    assert h._repr_html_() == h.html
    assert "<ul>" not in Findings([]).html


def test_no_recommendation_reads_plainly_with_no_staff_instruction(tmp_path):
    from genderstats.analyses import recommendations

    (tmp_path / "113").mkdir()
    # No recommendations.yml: nothing is known of them, and the page says so.
    items = recommendations.load("資料治理委員會", 113, tmp_path)
    assert items is None
    assert recommendations.recommendations_block(items).html == (
        '<p class="gs-note">本年度無建議事項資料。</p>')
    # A file that lists none for the committee: there are none.
    (tmp_path / "113" / "recommendations.yml").write_text("採購工作及審查小組:\n  - 甲\n",
                                                         encoding="utf-8")
    items = recommendations.load("資料治理委員會", 113, tmp_path)
    assert items == []
    assert recommendations.recommendations_block(items).html == (
        '<p class="gs-note">本年度無建議事項。</p>')
