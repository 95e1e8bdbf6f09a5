"""genderstats.stats: table shape, rules, trends."""

from __future__ import annotations

import math
from fractions import Fraction

import pandas as pd
import pytest

from genderstats import stats
from genderstats.record import indicator_rows


def people(**groups: tuple[int, int, int]) -> pd.DataFrame:
    """Tidy rows: group=(men, women, other)."""
    rows = []
    for group, (m, w, o) in groups.items():
        rows += [{"group": group, "gender": g} for g, n in (("男", m), ("女", w), ("其他", o))
                 for _ in range(n)]
    return pd.DataFrame(rows, columns=["group", "gender"])


# --------------------------------------------------------------------------- tables


def test_gender_table_shape_and_values():
    t = stats.gender_table(people(甲=(2, 1, 0), 乙=(0, 3, 1)), by="group")
    assert t.columns.tolist() == ["男", "女", "其他", "合計", "男%", "女%", "其他%"]
    assert t.index.tolist() == ["甲", "乙", "合計"]
    assert t.index.name == "group"
    assert t.loc["甲", ["男", "女", "其他", "合計"]].tolist() == [2, 1, 0, 3]
    assert t.loc["合計", ["男", "女", "其他", "合計"]].tolist() == [2, 4, 1, 7]
    assert all(t[c].dtype == "int64" for c in ["男", "女", "其他", "合計"])
    assert all(t[c].dtype == "float64" for c in ["男%", "女%", "其他%"])
    assert t.loc["乙", "女%"] == pytest.approx(0.75)
    assert t.loc["合計", "男%"] == pytest.approx(2 / 7)


def test_gender_table_overall_row_and_label():
    t = stats.gender_table(people(x=(6, 11, 0)), label="全體委員")
    assert t.index.tolist() == ["全體委員"]
    assert t.index.name == "類別"
    assert t.loc["全體委員", "男%"] == pytest.approx(6 / 17)


def test_gender_table_order_categorical_and_first_appearance():
    df = people(乙=(1, 0, 0), 甲=(0, 1, 0))
    assert stats.gender_table(df, by="group").index.tolist() == ["乙", "甲", "合計"]
    t = stats.gender_table(df, by="group", order=["甲", "乙", "丙"], total=False)
    assert t.index.tolist() == ["甲", "乙", "丙"]
    assert t.loc["丙", "合計"] == 0 and math.isnan(t.loc["丙", "男%"])
    df["group"] = pd.Categorical(df["group"], categories=["丙", "甲", "乙"])
    df["gender"] = pd.Categorical(df["gender"], categories=["男", "女", "其他"])
    assert stats.gender_table(df, by="group").index.tolist() == ["丙", "甲", "乙", "合計"]


def test_gender_table_rejects_what_would_change_totals():
    df = people(甲=(1, 1, 0))
    with pytest.raises(ValueError, match="order"):
        stats.gender_table(df, by="group", order=["乙"])
    with pytest.raises(ValueError, match="男／女／其他"):
        stats.gender_table(pd.DataFrame({"gender": ["男", "M"]}))
    with pytest.raises(ValueError, match="缺值"):
        stats.gender_table(pd.DataFrame({"gender": ["男"], "group": [None]}), by="group")


def test_gender_table_multiindex_total_row():
    df = pd.DataFrame(
        {"a": ["外聘", "外聘", "府內"], "b": ["組1", "組2", "組1"], "gender": ["男", "女", "女"]}
    )
    t = stats.gender_table(df, by=["a", "b"], order={"a": ["府內", "外聘"]})
    assert t.index.tolist() == [("府內", "組1"), ("外聘", "組1"), ("外聘", "組2"), ("合計", "")]
    assert t.index.names == ["a", "b"]
    assert t.loc[("合計", ""), "合計"] == 3


def test_gender_table_zero_rows_share_is_nan_not_zero():
    t = stats.gender_table(people(), by="group")
    assert t.index.tolist() == ["合計"]
    assert t.loc["合計", "合計"] == 0 and t[["男%", "女%", "其他%"]].isna().all(axis=None)


def test_counts_table_from_mapping_and_frame():
    t = stats.counts_table({"全體委員": {"男": 6, "女": 11}, "外聘委員": {"男": 1, "女": 2}})
    assert t.loc["全體委員", ["男", "女", "其他", "合計"]].tolist() == [6, 11, 0, 17]
    assert t.index.name == "類別"
    course = stats.counts_table({"男": 38, "女": 35}, label="從AI技術看性別化差異")
    assert course.loc["從AI技術看性別化差異", "合計"] == 73
    frame = pd.DataFrame({"男": [26], "女": [11]}, index=["駐點工程師"])
    assert stats.counts_table(frame, total=True).loc["合計", "合計"] == 37
    with pytest.raises(ValueError, match="合計"):
        stats.counts_table(pd.DataFrame({"男": [1], "女": [1], "合計": [3]}))
    with pytest.raises(ValueError, match="非負整數"):
        stats.counts_table({"男": -1, "女": 2})


def test_record_reads_gender_tables():
    rows = indicator_rows(stats.counts_table({"全體委員": {"男": 6, "女": 11}}), "委員")
    got = {r["gender"]: (r["count"], r["share"]) for r in rows}
    assert got["男"] == (6, pytest.approx(6 / 17))
    assert got["其他"] == (0, 0.0) and got["合計"] == (17, 1.0)


# --------------------------------------------------------------------------- indicators


def test_minority_share():
    t = stats.counts_table({"全體": {"男": 6, "女": 11}, "空": {"男": 0, "女": 0}})
    ms = stats.minority_share(t)
    assert ms["全體"] == pytest.approx(0.352941, abs=1e-6)
    assert math.isnan(ms["空"])


def test_ceil_one_third_exact_for_1_to_20():
    expected = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7]
    t = stats.counts_table({n: {"男": n, "女": 0} for n in range(1, 21)})
    assert stats.one_third_rule(t)["最低人數"].tolist() == expected


@pytest.mark.parametrize("threshold", [0.4, "40%", Fraction(2, 5), "2/5"])
def test_forty_percent_threshold(threshold):
    t = stats.counts_table({5: {"男": 3, "女": 2}, 10: {"男": 7, "女": 3}, 7: {"男": 4, "女": 3}})
    r = stats.one_third_rule(t, threshold=threshold)
    assert r["最低人數"].tolist() == [2, 4, 3]  # ceil(2), ceil(4), ceil(2.8)
    assert r["符合"].tolist() == [True, False, True]
    assert r.loc[10, "缺少性別"] == "女" and r.loc[10, "缺少人數"] == 1


def test_committee_of_nine_with_two_women_fails():
    r = stats.one_third_rule(stats.counts_table({"小組": {"男": 7, "女": 2}})).loc["小組"]
    assert r["人數"] == 9 and r["最低人數"] == 3
    assert not r["符合"] and r["男符合"] and not r["女符合"]
    assert r["缺少性別"] == "女" and r["缺少人數"] == 1


def test_one_third_rule_seed_cases_and_per_row():
    t = stats.counts_table(
        {
            "全體委員": {"男": 21, "女": 14},
            "開放資料組": {"男": 3, "女": 0},
            "採購小組": {"男": 8, "女": 8},
        }
    )
    r = stats.one_third_rule(t)
    assert r["符合"].tolist() == [True, False, True]
    assert r.loc["開放資料組", "缺少人數"] == 1


def test_one_third_rule_counts_other_in_n_and_can_miss_both():
    r = stats.one_third_rule(stats.counts_table({"x": {"男": 1, "女": 1, "其他": 3}})).loc["x"]
    assert r["人數"] == 5 and r["最低人數"] == 2
    assert r["缺少性別"] == "男、女" and r["缺少人數"] == 2


def test_one_third_rule_exclude_mask_and_rule_population():
    t = stats.counts_table({"甲": {"男": 2, "女": 1}, "乙": {"男": 1, "女": 0}}, total=True)
    r = stats.one_third_rule(t, exclude_mask=t.index == "乙")
    assert r.index.tolist() == ["甲", "合計"]
    members = pd.DataFrame(
        {"gender": ["男", "男", "男", "女", "女"], "role": ["當然", "當然", "派聘", "派聘", "派聘"]}
    )
    counted = stats.rule_population(members, {"role": "當然"})
    assert counted["gender"].tolist() == ["男", "女", "女"]
    by_mask = stats.rule_population(members, members["role"].eq("當然"))
    assert len(by_mask) == 3


# --------------------------------------------------------------------------- trends


def test_trend_missing_year_is_nan_not_zero():
    df = pd.DataFrame(
        {
            "year": [110] * 4 + [112] * 5 + [113] * 4,
            "gender": list("男女女女") + list("男女女女女") + list("男男女女"),
        }
    )
    t = stats.trend(df, [110, 111, 112, 113])
    assert t.index.name == "year" and t.index.tolist() == [110, 111, 112, 113]
    assert t.loc[111].isna().all()
    assert t.loc[110, "合計"] == 4 and t.loc[110, "女%"] == pytest.approx(0.75)
    assert math.isnan(t.loc[110, "女%變化"])  # first year: nothing to compare
    assert math.isnan(t.loc[112, "女%變化"]) and math.isnan(t.loc[112, "合計變化"])
    assert t.loc[113, "女%變化"] == pytest.approx((0.5 - 0.8) * 100)
    assert t.loc[113, "合計變化"] == -1


def test_trend_with_count_column():
    df = pd.DataFrame({"year": [111, 111, 112, 112], "gender": ["男", "女"] * 2,
                       "n": [500, 1500, 592, 2084]})
    t = stats.trend(df, [111, 112], count="n")
    assert t.loc[112, "合計"] == 2676
    assert t.loc[112, "女%變化"] == pytest.approx((2084 / 2676 - 0.75) * 100)


def test_trend_year_text_and_unused_gender_category():
    df = pd.DataFrame({"year": ["111年", "111年", "112", "112"],
                       "gender": pd.Categorical(["男", "女", "女", "女"],
                                                categories=["男", "女", "其他", "未填"])})
    t = stats.trend(df, [111, 112])
    assert t["合計"].tolist() == [2, 2]
    assert math.isnan(t.loc[111, "女%變化"]) and t.loc[112, "女%變化"] == 50
    with pytest.raises(ValueError, match="非負整數"):
        stats.trend(df.assign(n=[1, None, 2, 3]), [111], count="n")
    with pytest.raises(ValueError, match="重複"):
        stats.trend(df, [111, 111])


def test_change():
    out = stats.change(5842500, 5842500)
    assert out.loc[0, "增減"] == 0 and out.loc[0, "增減率"] == 0
    out = stats.change(pd.Series({"a": 100, "b": 0}), pd.Series({"a": 150, "b": 5}))
    assert out.loc["a", "增減率"] == pytest.approx(0.5)
    assert math.isnan(out.loc["b", "增減率"])
