"""ROC (民國) and AD years: 112 and 2023 name the same year."""

from __future__ import annotations

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
