"""ROC (民國) and AD years: 112 and 2023 name the same year."""

from __future__ import annotations

from datetime import date, datetime

ROC_OFFSET = 1911


def roc_year(year: int | str) -> int:
    """Return the ROC year for an ROC or AD year.

    >>> roc_year(2023), roc_year("112"), roc_year("112年")
    (112, 112, 112)
    """
    text = str(year).strip().removesuffix("年")
    if text.startswith("民國"):
        text = text[2:]
    try:
        value = int(text)
    except ValueError:
        raise ValueError(
            f"年度「{year}」無法辨識：請寫民國年（如 112）或西元年（如 2023）。"
        ) from None
    if 1 <= value <= 300:
        return value
    if 1912 <= value <= 2211:
        return value - ROC_OFFSET
    raise ValueError(f"年度「{year}」超出範圍：請寫民國年（如 112）或西元年（如 2023）。")


def ad_year(year: int | str) -> int:
    """Return the AD year for an ROC or AD year (112 → 2023)."""
    return roc_year(year) + ROC_OFFSET


def year_label(year: int | str) -> str:
    """『112年（2023）』, as report headers print it."""
    return f"{roc_year(year)}年（{ad_year(year)}）"


def roc_date(value: date | datetime | None, *, time: bool = False, pad: bool = True,
             sep: str = "/") -> str:
    """A date as the pages and the form write it, 『112/08/28』 (``pad=False``: 『112/8/28』;
    ``sep="-"``: 『112-08-28』, as the form's course and meeting tables write it); with
    ``time`` and a datetime also the time of day, 『115/12/06 14:05』. A missing date (None,
    NaT) gives "".

    >>> roc_date(date(2023, 8, 28)), roc_date(datetime(2026, 12, 6, 14, 5), time=True)
    ('112/08/28', '115/12/06 14:05')
    >>> roc_date(date(2023, 8, 28), pad=False), roc_date(date(2023, 9, 1), sep="-")
    ('112/8/28', '112-09-01')
    """
    if value is None or value != value:  # NaT (and NaN) is not equal to itself
        return ""
    if not pad:
        return f"{value.year - ROC_OFFSET}{sep}{value.month}{sep}{value.day}"
    text = f"{value.year - ROC_OFFSET}{sep}{value.month:02d}{sep}{value.day:02d}"
    if time and isinstance(value, datetime):
        text += f" {value.hour:02d}:{value.minute:02d}"
    return text


def roc_date_words(value: date) -> str:
    """A date as the form's sentences write it, 『113年2月22日』.

    >>> roc_date_words(date(2024, 2, 22))
    '113年2月22日'
    """
    return f"{value.year - ROC_OFFSET}年{value.month}月{value.day}日"
