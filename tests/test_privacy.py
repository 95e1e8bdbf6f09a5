"""genderstats.privacy: name masking, small-cell suppression, escaping."""

from __future__ import annotations

import pandas as pd
import pytest

from genderstats import privacy
from genderstats.stats import counts_table


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王○明"),
        ("王明", "王○"),
        ("歐陽小明", "歐陽○明"),
        ("歐陽明", "歐○明"),
        ("司馬相如如", "司○○○如"),
        ("王", "○"),
        ("Mary Chen", "M. C."),
        ("  mary   chen ", "M. C."),
        (" 王 小明 ", "王○明"),
        ("", ""),
        ("   ", ""),
        (None, ""),
        (float("nan"), ""),
        # Published names are already masked; masking again changes nothing.
        ("蕭○勻", "蕭○勻"),
    ],
)
def test_mask_name(name, masked):
    assert privacy.mask_name(name) == masked


def test_mask_names_keeps_index():
    s = pd.Series(["高志煌", None, "Ann Lee"], index=[3, 5, 9])
    out = privacy.mask_names(s)
    assert out.index.tolist() == [3, 5, 9]
    assert out.tolist() == ["高○煌", "", "A. L."]


def test_escape():
    assert privacy.escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert privacy.escape('a"b&') == "a&quot;b&amp;"
    assert privacy.escape(None) == "" and privacy.escape(float("nan")) == ""
    assert privacy.escape(12) == "12"


def test_suppression_primary_keeps_zeros_and_large_counts():
    t = counts_table({"甲": {"男": 0, "女": 2, "其他": 1}, "乙": {"男": 3, "女": 4}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.columns.tolist() == ["男", "女", "其他", "合計"]
    assert m.loc["甲"].tolist() == [False, True, True, False]
    assert m.loc["乙"].tolist() == [False, False, False, False]


def test_suppression_threshold_none_hides_nothing():
    t = counts_table({"甲": {"男": 1, "女": 1}})
    assert not privacy.suppression_mask(t, None).to_numpy().any()


def test_suppression_secondary_in_row():
    # 男 1 alone hidden: 合計 − 女 would give it back, so the next smallest (其他 4) goes too.
    t = counts_table({"甲": {"男": 1, "女": 9, "其他": 4}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲"].tolist() == [True, False, True, False]


def test_suppression_secondary_hides_row_total_when_no_other_part():
    t = counts_table({"甲": {"男": 1, "女": 0}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲"].tolist() == [True, False, False, True]


def test_suppression_secondary_down_a_column():
    # Row 甲 hides 男 and 女 (two cells: safe in the row), but column 男 then has one hidden
    # cell against the 合計 row, so the smallest other 男 (乙, 5) is hidden as well.
    t = counts_table(
        {"甲": {"男": 2, "女": 1}, "乙": {"男": 5, "女": 7}, "丙": {"男": 6, "女": 8}}, total=True
    )
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲", ["男", "女"]].tolist() == [True, True]
    assert m.loc["乙", "男"] and not m.loc["丙", "男"]
    assert m.loc["乙", "女"]  # column 女 likewise: 7 < 8
    assert not m.loc["合計"].any()
    # No row or column equation is left with exactly one hidden cell.
    assert (m.sum(axis=1) != 1).all()
    assert (m.sum(axis=0) != 1).all()


def test_suppression_without_total_row_checks_rows_only():
    t = counts_table({"甲": {"男": 2, "女": 1}, "乙": {"男": 5, "女": 7}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲", ["男", "女"]].tolist() == [True, True]
    assert not m.loc["乙"].any()


def test_suppression_leaves_no_small_count_recoverable_from_the_sums():
    # 甲 男1 女1 合計2: with both counts hidden as "<3", the row total still gives 1 and 1.
    t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 8}, "丙": {"男": 7, "女": 6}},
                     total=True)
    leaky = privacy.secondary_mask(t, threshold=3)
    assert privacy.determined_cells(t, leaky, 3).loc["甲", ["男", "女"]].all()
    safe = privacy.suppression_mask(t, threshold=3)
    assert safe.loc["甲", ["男", "女"]].all()
    assert not privacy.determined_cells(t, safe, 3).to_numpy().any()
