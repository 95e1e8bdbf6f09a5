"""genderstats.numbers: half-up rounding and every percentage style, with the seed's figures."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from genderstats import numbers

# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.125, 2, 0.13),
        (2.675, 2, 2.68),
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (2.5, 0, 3.0),
        (85.714, 0, 86.0),
        (35.294, 2, 35.29),
        (-2.5, 0, -3.0),
        (1.005, 2, 1.01),
    ],
)
def test_round_half_up(value, decimals, expected):
    assert numbers.round_half_up(value, decimals) == expected


def test_round_half_up_differs_from_builtin_round():
    # The reason the module exists: Python rounds these down.
    assert round(2.5) == 2 and round(2.675, 2) == 2.67 and f"{0.125:.2f}" == "0.12"
    assert numbers.round_half_up(2.5) == 3 and numbers.round_half_up(2.675, 2) == 2.68
    assert numbers.half_up(0.125, 2) == Decimal("0.13")


def test_round_half_up_series_and_nan():
    out = numbers.round_half_up(pd.Series([0.5, np.nan, 2.5], index=["a", "b", "c"]))
    assert out.index.tolist() == ["a", "b", "c"]
    assert out["a"] == 1 and out["c"] == 3 and math.isnan(out["b"])
    assert numbers.round_half_up(np.array([[0.5, 1.5]])).tolist() == [[1.0, 2.0]]
    assert math.isnan(numbers.round_half_up(float("nan"), 2))
    assert math.isnan(numbers.round_half_up(None))


# --------------------------------------------------------------------------- the seed's shares


@pytest.mark.parametrize(
    ("num", "den", "decimals", "text"),
    [
        (6, 17, 2, "35.29%"),
        (16, 17, 2, "94.12%"),
        (592, 2676, 2, "22.12%"),
        (2084, 2676, 2, "77.88%"),
        (72, 112, 2, "64.29%"),
        (6, 7, 0, "86%"),
        (5, 7, 0, "71%"),
        (1, 7, 0, "14%"),
        (7, 52, 0, "13%"),
        (45, 52, 0, "87%"),
        (246, 1211, 0, "20%"),
        (965, 1211, 0, "80%"),
        (272, 1005, 0, "27%"),
        (733, 1005, 0, "73%"),
        (61, 258, 0, "24%"),
        (197, 258, 0, "76%"),
        (8, 18, 0, "44%"),
        (10, 18, 0, "56%"),
        (6, 17, 0, "35%"),
        (11, 17, 0, "65%"),
        (14, 35, 0, "40%"),
        (17, 17, 0, "100%"),
    ],
)
def test_seed_percentages(num, den, decimals, text):
    assert numbers.format_pct(num / den, decimals) == text
    assert numbers.format_pct(Fraction(num, den), decimals) == text


# --------------------------------------------------------------------------- half up, not to even


@pytest.mark.parametrize(
    ("num", "den", "decimals", "text"),
    [
        (29, 200, 0, "15%"),     # 14.5: 0.145 * 100 in floats is 14.4999…
        (69, 200, 0, "35%"),     # 34.5: round() gives 34 (half to even)
        (1, 8, 0, "13%"),        # 12.5
        (5, 8, 0, "63%"),        # 62.5: round() gives 62
        (1, 8, 1, "12.5%"),
        (1, 800, 2, "0.13%"),    # 0.125
        (57, 200, 2, "28.50%"),  # 0.285: not 28.499999…
        (57, 200, 1, "28.5%"),
        (57, 200, 0, "29%"),
        (31, 40, 2, "77.50%"),   # 0.775
        (5689, 20000, 2, "28.45%"),  # 28.445: the float 0.28445 is 0.284449999…
        (1, 3, 2, "33.33%"),
        (2, 3, 2, "66.67%"),
    ],
)
def test_half_up_at_the_boundary_from_floats_and_fractions(num, den, decimals, text):
    assert numbers.format_pct(num / den, decimals) == text
    assert numbers.format_pct(Fraction(num, den), decimals) == text
    # Exact decimal arithmetic agrees: the float's shortest text is the exact quotient.
    exact = (Decimal(num) * 100 / Decimal(den)).quantize(Decimal(1).scaleb(-decimals),
                                                         rounding=ROUND_HALF_UP)
    assert text == f"{exact}%"


def test_float_formatting_would_round_the_same_cases_differently():
    # What the styles replace: float formatting rounds 28.445 and 62.5 down.
    assert f"{5689 / 20000 * 100:.2f}" == "28.44" and f"{62.5:.0f}" == "62"


# --------------------------------------------------------------------------- the styles


def test_form_style_two_decimals_whole_without():
    # The form's 「（較低者）單一性別比例」 and rate columns: a committee of 15 with 4 women.
    assert numbers.form_pct(4 / 15) == "26.67%"
    assert numbers.form_pct(Fraction(4, 15)) == "26.67%"
    assert [numbers.form_pct(x) for x in (6 / 17, 16 / 17, 72 / 112, 1, 0.4, 0.5, 0)] == [
        "35.29%", "94.12%", "64.29%", "100%", "40%", "50%", "0%"]
    assert numbers.form_pct(0.99999) == "100%"  # whole once rounded
    assert numbers.form_pct(1 / 800) == "0.13%"
    assert numbers.form_pct(None) == numbers.form_pct(float("nan")) == "-"


def test_fixed_style_as_tables_and_counted_sentences_print():
    # 「男性為592人（22.12%），女性為2,084人（77.88%）」; tables keep 0.00% and 100.00%.
    assert numbers.format_pct(592 / 2676) == "22.12%"
    assert numbers.format_pct(0) == "0.00%" and numbers.format_pct(1.0) == "100.00%"
    assert numbers.format_pct(-0.00001) == "0.00%"  # no "-0.00%"
    # The seed's whole percents: 「女性佔40%」, 「佔77%」.
    assert numbers.format_pct(14 / 35, 0) == "40%" and numbers.format_pct(1555 / 2017, 0) == "77%"
    assert numbers.format_pct(0.4, whole=True) == "40%"
    assert numbers.format_pct(0.125, whole=True) == "12.50%"
    assert numbers.format_pct(float("nan")) == "-"
    assert numbers.format_pct(None, missing="無資料") == "無資料"


def test_counts_and_fixed_numbers():
    assert numbers.format_count(2676) == "2,676"
    assert numbers.format_count(5842500) == "5,842,500"
    assert numbers.format_count(np.int64(0)) == "0"
    assert numbers.format_count(float("nan")) == "-"
    assert numbers.format_count(None, missing="") == ""
    assert numbers.format_count(1234.5) == "1,235"  # half up, not 1,234
    assert numbers.format_count(1234.25, 1) == "1,234.3"
    assert numbers.format_fixed(8.345) == "8.35" and numbers.format_fixed(3) == "3.00"


def test_pct_value_and_points():
    assert numbers.pct_value(6 / 17) == 35.29
    assert numbers.pct_value(6 / 7, 0) == 86
    assert math.isnan(numbers.pct_value(float("nan")))
    assert numbers.pct_value(pd.Series([592 / 2676])).tolist() == [22.12]
    # The difference of the printed values: 77.88 − 76.92, exactly.
    assert numbers.pct_points(2084 / 2676, 0.7692) == Decimal("0.96")
    assert numbers.pct_points(0.4, 0.32, 0) == Decimal("8")
    assert numbers.pct_points(0.125, 0.115, 0) == Decimal("1")  # 13 − 12, not 0.01 rounded


# --------------------------------------------------------------------------- thresholds


def test_threshold_words_one_wording_for_every_page():
    assert [numbers.threshold_words(t) for t in (
        "1/3", Fraction(1, 3), 1 / 3, "1/4", Fraction(2, 3), 2 / 3, "40%", 0.4, "45.5%")] == [
        "三分之一", "三分之一", "三分之一", "四分之一", "三分之二", "三分之二", "40%", "40%",
        "45.50%"]


def test_parse_threshold():
    assert numbers.parse_threshold(0.4) == Fraction(2, 5)
    assert numbers.parse_threshold("40%") == Fraction(2, 5)
    assert numbers.parse_threshold(" 1/3 ") == Fraction(1, 3)
    with pytest.raises(ValueError, match="門檻須介於 0 與 1 之間"):
        numbers.parse_threshold(0)
    with pytest.raises(ValueError, match="門檻須介於 0 與 1 之間"):
        numbers.parse_threshold("150%")
    with pytest.raises(TypeError, match="門檻不能是布林值"):
        numbers.parse_threshold(True)


def test_numbers_is_a_leaf_of_the_package():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(numbers.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("genderstats")} - {"genderstats.config"}
