"""Numbers as the pages and the results-report form print them: one home for every style.

Rounding is half up (四捨五入), as a reader rounds by hand; Python's ``round`` and float
formatting round half to even and see 2.675 as 2.67499…. The styles:

- :func:`form_pct`: the form's columns and rates (（較低者）單一性別比例, 出席比率, 完成比率,
  參訓率) and the key figures: two decimals, a whole value without them:
  「26.67%」 (4 of 15), 「35.29%」, 「94.12%」, 「100%」.
- :func:`format_pct`: a fixed number of decimals. Two for the share columns of the tables and
  the seed's counted sentences (「男性為592人（22.12%）」, 「0.00%」); none for the seed's
  composition sentences and age table (「女性佔40%」, 「佔77%」, 「13%」). ``whole=True`` prints
  a whole value without decimals, as the committee pages print theirs.
- :func:`format_count`: thousands separators, 「2,676」.
- :func:`threshold_words`: a rule's threshold as the form words it, 「三分之一」, 「三分之二」.

A missing value (None, NaN, ``pd.NA``) prints 「-」.

Floats: a share computed as count / total is the float nearest the exact quotient, and its
``repr`` (the shortest text that reads back as the same float) is that quotient whenever it
ends, the only case where half up differs from the nearest. So rounding starts from
``Decimal(str(x))``: 57/200 is 0.285 and prints 「28.50%」 (28.5 at one decimal), and
5689/20000 prints 「28.45%」 where float arithmetic (28.444999…) prints 28.44. A
:class:`~fractions.Fraction` is rounded exactly.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "FORM_DECIMALS",
    "MISSING",
    "form_pct",
    "format_count",
    "format_fixed",
    "format_pct",
    "half_up",
    "is_missing",
    "parse_threshold",
    "pct_points",
    "pct_value",
    "round_half_up",
    "threshold_words",
]

FORM_DECIMALS = 2
"""Decimals of the results-report form's shares and rates: 35.29%, 94.12%."""
MISSING = "-"
"""What a missing share or count prints."""

_CN_DIGITS = {2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "七", 8: "八", 9: "九", 10: "十"}


def is_missing(x: Any) -> bool:
    """True for None, ``pd.NA`` and NaN.

    >>> is_missing(None), is_missing(float("nan")), is_missing(0)
    (True, True, False)
    """
    if x is None or x is pd.NA:
        return True
    try:
        return bool(isinstance(x, float | np.floating) and math.isnan(x))
    except TypeError:
        return False


def half_up(x: Any, decimals: int = 0) -> Decimal:
    """``x`` rounded half up to ``decimals`` places, as a Decimal; a rounded zero has no sign.

    >>> half_up(2.5), half_up(2.675, 2), half_up(Fraction(1, 8), 2), half_up(-0.001, 2)
    (Decimal('3'), Decimal('2.68'), Decimal('0.13'), Decimal('0.00'))
    """
    if isinstance(x, Fraction):
        value = Decimal(x.numerator) / Decimal(x.denominator)
    else:
        # str() is the decimal the reader sees (2.675), not the binary 2.67499… below it.
        value = x if isinstance(x, Decimal) else Decimal(str(x))
    result = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result


def round_half_up(x: Any, decimals: int = 0) -> Any:
    """:func:`half_up` as a float, on a scalar, a Series or an array; NaN stays NaN.

    >>> round_half_up(2.5), round_half_up(2.675, 2), round_half_up(0.125, 2)
    (3.0, 2.68, 0.13)
    """
    if isinstance(x, pd.Series):
        return x.map(lambda v: round_half_up(v, decimals)).astype("float64")
    if isinstance(x, np.ndarray):
        return np.array([round_half_up(v, decimals) for v in x.ravel()], dtype="float64").reshape(
            x.shape
        )
    if is_missing(x):
        return float("nan")
    return float(half_up(x, decimals))


def _percent(share: Any, decimals: int) -> Decimal:
    if isinstance(share, Fraction):
        return half_up(share * 100, decimals)
    # Scale in Decimal: 0.145 * 100 in floats is 14.499999…, which would round down.
    return half_up(Decimal(str(share)) * 100, decimals)


def pct_value(share: Any, decimals: int = 2) -> Any:
    """A share (0..1) as a half-up rounded percentage number; NaN stays NaN.

    >>> pct_value(6 / 17), pct_value(6 / 7, 0)
    (35.29, 86.0)
    """
    if isinstance(share, pd.Series):
        return share.map(lambda v: pct_value(v, decimals)).astype("float64")
    if is_missing(share):
        return float("nan")
    return float(_percent(share, decimals))


def pct_points(after: Any, before: Any, decimals: int = 2) -> Decimal:
    """The change from share ``before`` to ``after`` in percentage points, as the two are
    printed: a reader who subtracts the printed 76.92% from 77.88% gets exactly 0.96.

    >>> pct_points(0.7788, 0.7692), pct_points(0.4, 0.32, 0)
    (Decimal('0.96'), Decimal('8'))
    """
    return _percent(after, decimals) - _percent(before, decimals)


def format_pct(share: Any, decimals: int = 2, *, whole: bool = False,
               missing: str = MISSING) -> str:
    """A share (0..1) as a percentage with ``decimals`` places, half up; missing gives 「-」.

    ``whole=True`` drops the decimals only when the rounded value is whole (「100%」, 「40%」,
    but 「12.50%」).

    >>> format_pct(6 / 17), format_pct(44 / 100, 0), format_pct(None), format_pct(1)
    ('35.29%', '44%', '-', '100.00%')
    >>> format_pct(0.4, whole=True), format_pct(0.125, whole=True), format_pct(0.99999, whole=True)
    ('40%', '12.50%', '100%')
    """
    if is_missing(share):
        return missing
    value = _percent(share, decimals)
    if whole and value == value.to_integral_value():
        return f"{value:.0f}%"
    return f"{value:.{decimals}f}%"


def form_pct(share: Any) -> str:
    """A share as the results-report form prints it: two decimals, a whole value without.

    >>> form_pct(4 / 15), form_pct(6 / 17), form_pct(1), form_pct(0), form_pct(None)
    ('26.67%', '35.29%', '100%', '0%', '-')
    """
    return format_pct(share, FORM_DECIMALS, whole=True)


def format_count(n: Any, decimals: int = 0, *, missing: str = MISSING) -> str:
    """A count with thousands separators; missing gives 「-」.

    >>> format_count(2676), format_count(5842500.0), format_count(None)
    ('2,676', '5,842,500', '-')
    """
    if is_missing(n):
        return missing
    return f"{half_up(n, decimals):,.{decimals}f}"


def format_fixed(x: Any, decimals: int = 2) -> str:
    """A number (not a share) with ``decimals`` places, half up: 「8.35」 years.

    >>> format_fixed(8.345), format_fixed(3)
    ('8.35', '3.00')
    """
    return f"{half_up(x, decimals):.{decimals}f}"


def parse_threshold(threshold: Fraction | float | int | str) -> Fraction:
    """A threshold as an exact Fraction: ``Fraction(1, 3)``, ``0.4``, ``"40%"``, ``"1/3"``.

    Floats go through their decimal text (0.4 → 2/5, not 0.40000000000000002…).

    >>> parse_threshold(0.4), parse_threshold("40%"), parse_threshold("1/3")
    (Fraction(2, 5), Fraction(2, 5), Fraction(1, 3))
    """
    if isinstance(threshold, bool):
        raise TypeError("門檻不能是布林值")
    if isinstance(threshold, Fraction):
        value = threshold
    elif isinstance(threshold, int):
        value = Fraction(threshold)
    elif isinstance(threshold, float):
        value = Fraction(str(threshold))
    elif isinstance(threshold, Decimal):
        value = Fraction(threshold)
    elif isinstance(threshold, str):
        text = threshold.strip()
        value = Fraction(text[:-1].strip()) / 100 if text.endswith("%") else Fraction(text)
    else:
        raise TypeError(f"無法辨識的門檻：{threshold!r}")
    if not 0 < value <= 1:
        raise ValueError(f"門檻須介於 0 與 1 之間（不含 0）：{threshold!r}")
    return value


def threshold_words(threshold: Fraction | float | int | str) -> str:
    """A rule's threshold as the form words it: 「三分之一」, 「四分之一」, 「三分之二」; any
    other as :func:`form_pct` (「40%」). A float within float precision of a simple
    fraction (``1 / 3``) is that fraction.

    >>> threshold_words("1/3"), threshold_words(2 / 3), threshold_words("40%")
    ('三分之一', '三分之二', '40%')
    """
    t = parse_threshold(threshold)
    simple = t.limit_denominator(max(_CN_DIGITS))
    if abs(simple - t) < Fraction(1, 10**12):
        t = simple
    if t.numerator == 1 and t.denominator in _CN_DIGITS:
        return f"{_CN_DIGITS[t.denominator]}分之一"
    if t == Fraction(2, 3):
        return "三分之二"
    return form_pct(t)
