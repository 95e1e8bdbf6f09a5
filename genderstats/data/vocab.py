"""Text normalisation and the closed vocabularies (gender above all) shared by every dataset."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from genderstats.config import GENDERS
from genderstats.data.errors import DataError, Problem

GENDER_DTYPE = pd.CategoricalDtype(list(GENDERS), ordered=False)

# Keys are compared after match_key(): NFKC, case-folded, without spaces.
GENDER_ALIASES: dict[str, tuple[str, ...]] = {
    "男": ("男", "男性", "男生", "m", "male", "man"),
    "女": ("女", "女性", "女生", "f", "female", "woman"),
    "其他": ("其他", "其它", "x", "other"),
}
GENDER_HELP = "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。"

_WHITESPACE = re.compile(r"\s+")
# Dashes people type or paste into codes such as 112-1; NFKC leaves these alone.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63]")


def nfkc(text: str) -> str:
    """NFKC-normalise (full-width "１１２－１" becomes "112-1") and trim surrounding space."""
    return unicodedata.normalize("NFKC", text).strip()


def match_key(text: str) -> str:
    """The form used to compare user spellings: NFKC, case-folded, all spaces removed."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def clean_code(text: str) -> str:
    """An id or code as stored: NFKC, one kind of dash, no spaces at the ends."""
    return _DASHES.sub("-", nfkc(text))


def alias_table(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """``{canonical: spellings}`` → ``{match_key(spelling): canonical}``, canonical included."""
    table: dict[str, str] = {}
    for canonical, spellings in aliases.items():
        for spelling in (canonical, *spellings):
            table[match_key(spelling)] = canonical
    return table


_GENDER_TABLE = alias_table(GENDER_ALIASES)


def map_values(values: pd.Index, table: Mapping[str, str]) -> np.ndarray:
    """Map distinct user spellings to canonical values; unknown spellings become None."""
    return np.array([table.get(match_key(str(v))) for v in values], dtype=object)


def normalize_gender(series: pd.Series | Iterable[object]) -> pd.Series:
    """Return a Categorical series of 男, 女, 其他 (in that category order).

    Accepts 男性/女性, 男生/女生, M/F/X, male/female/other and 其它, in any case and with
    spaces. Missing values stay missing (whether a value is required is the schema's
    business); any other value raises DataError listing each distinct bad value.
    """
    s = series if isinstance(series, pd.Series) else pd.Series(list(series), dtype=object)
    cat = pd.Categorical(s.astype(object).where(s.notna(), None))
    mapped = map_values(pd.Index(cat.categories), _GENDER_TABLE)
    bad = [str(v) for v, m in zip(cat.categories, mapped, strict=True) if m is None]
    if bad:
        column = str(s.name) if s.name is not None else None
        raise DataError(
            Problem(None, None, column, v, f"「{v}」不是可接受的性別。{GENDER_HELP}") for v in bad
        )
    codes = cat.codes
    values = np.append(mapped, None)[codes] if len(mapped) else np.full(len(codes), None)
    out = pd.Categorical(values, dtype=GENDER_DTYPE)
    return pd.Series(out, index=s.index, name=s.name)


def join_choices(choices: Iterable[str]) -> str:
    """『男、女 或 其他』."""
    items = list(choices)
    if len(items) <= 1:
        return "".join(items)
    return f"{'、'.join(items[:-1])} 或 {items[-1]}"
