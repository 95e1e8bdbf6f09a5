"""The age bands the reports use, and reading bands people typed themselves."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

AGE_BANDS: tuple[str, ...] = ("50歲以下", "51-60歲", "61-70歲", "71-80歲", "80歲以上")
"""Ages 0–50, 51–60, 61–70, 71–80, and 81 and over (「80歲以上」 means over 80)."""

AGE_BAND_DTYPE = pd.CategoricalDtype(list(AGE_BANDS), ordered=True)
_EDGES = [-np.inf, 50, 60, 70, 80, np.inf]

# Spellings seen in survey sheets, reduced by _band_key() before lookup.
_BAND_SPELLINGS: dict[str, tuple[str, ...]] = {
    "50歲以下": ("50以下", "0-50", "<=50", "≦50", "≤50", "未滿51"),
    "51-60歲": ("51-60",),
    "61-70歲": ("61-70",),
    "71-80歲": ("71-80",),
    "80歲以上": ("80以上", "81以上", "80+", "81+", ">80", "超過80"),
}
_SEPARATORS = re.compile(r"[~〜至到–—－‐]")


def _band_key(text: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return _SEPARATORS.sub("-", text.replace("歲", ""))


_BAND_TABLE = {
    _band_key(spelling): band
    for band, spellings in _BAND_SPELLINGS.items()
    for spelling in (band, *spellings)
}


def age_band(ages: pd.Series | Iterable[float]) -> pd.Series:
    """Ages → ordered Categorical of AGE_BANDS (missing ages stay missing).

    >>> age_band(pd.Series([50, 51, 80, 81])).tolist()
    ['50歲以下', '51-60歲', '71-80歲', '80歲以上']
    """
    s = ages if isinstance(ages, pd.Series) else pd.Series(list(ages))
    numeric = pd.to_numeric(s, errors="coerce").astype("float64")
    bands = pd.cut(numeric, bins=_EDGES, labels=list(AGE_BANDS), right=True)
    return pd.Series(pd.Categorical(bands, dtype=AGE_BAND_DTYPE), index=s.index, name="age_band")


def parse_band_label(text: str) -> str | None:
    """A typed band label (『61~70歲』, 『80以上』) → its AGE_BANDS label, or None."""
    return _BAND_TABLE.get(_band_key(text))
