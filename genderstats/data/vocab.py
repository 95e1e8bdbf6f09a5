"""Text normalisation and the closed vocabularies (gender above all) shared by every dataset."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from genderstats.characters import BIDI, CONTROLS, FORMAT, NONCHARACTERS, SURROGATES
from genderstats.config import GENDERS

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


# ── characters nobody can see (the rule: see visible_text) ────────────────────────────────

_REFUSED = re.compile(f"[{CONTROLS}{NONCHARACTERS}{SURROGATES}]")
_BIDI = re.compile(f"[{BIDI}]")
_UNSAFE = re.compile(f"[{CONTROLS}{NONCHARACTERS}{SURROGATES}{FORMAT}]")
_STRIPPED = re.compile(f"[{FORMAT}]")  # the bidirectional controls are among them
_NONCHARACTER = re.compile(f"[{NONCHARACTERS}]")


def code_point(char: str) -> str:
    """『U+001B』."""
    return f"U+{ord(char):04X}"


def visible_text(text: str, *, name: bool = False) -> tuple[str, str | None]:
    """``text`` under the one rule for characters nobody can see: (the text without the
    characters the rule strips or refuses, the first refused character or None).

    The rule holds for every text read from a data file (each cell of a CSV, .xlsx or .ods)
    and from the text files (each string of results_report.yml and recommendations.yml):

    - Control characters (C0 and C1, DEL; tab, line feed and carriage return excepted), lone
      surrogates and Unicode noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF and the last two
      of every plane) are refused. Excel, LibreOffice and Google Sheets never write them (a
      line break in a cell is a line feed), so one in a cell means a damaged file, a binary
      pasted in or an attempt to garble the pages; stripping it would publish a silently
      altered text, and refusing blocks no ordinary export.
    - Invisible formatting characters (soft hyphen, zero-width space, joiners, word joiner,
      a byte-order mark inside the text…) are stripped: they come with text copied from web
      pages and Word, refusing them would block ordinary files, and removing them changes
      nothing anyone sees.
    - Bidirectional controls (embeddings, overrides, isolates, LRM/RLM, ALM) are refused in
      personal names (``name``), where they can show one name as another, and stripped
      elsewhere: no text of these reports is written right to left.

    Callers report a refused character with :func:`refused_character`; the cleaned text
    lets their other checks go on.
    """
    if not _UNSAFE.search(text):
        return text, None
    refused = _REFUSED.search(text) or (_BIDI.search(text) if name else None)
    cleaned = _REFUSED.sub("", _STRIPPED.sub("", text))
    return cleaned, refused.group() if refused else None


def all_visible(text: str) -> bool:
    """Whether ``text`` holds nothing the rule strips or refuses (a quick look first)."""
    return _UNSAFE.search(text) is None


def strip_unsafe(text: str) -> str:
    """``text`` with every character the rule refuses or strips removed: for text that is
    matched, never shown (a header row's cells)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def refused_character(char: str) -> str:
    """Why a text with the refused ``char`` is not read, and the fix, as a message ends."""
    point = code_point(char)
    if _BIDI.fullmatch(char):
        return (f"姓名中含有改變文字方向的控制字元 {point}，會讓姓名顯示成另一個樣子。"
                "請刪除這個看不見的字元（重新打字最簡單）後再存檔。")
    if _NONCHARACTER.fullmatch(char):
        return (f"含有不是文字的字碼 {point}（Unicode 非字元），多半是檔案損壞或轉碼錯誤。"
                "請刪除這個看不見的字元（重新打字最簡單）後再存檔。")
    return (f"含有看不見的控制字元 {point}，多半是從其他系統複製或匯出時帶入的。"
            "請刪除這個看不見的字元（重新打字最簡單）後再存檔。")


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


def map_values(values: pd.Index, table: Mapping[str, str]) -> np.ndarray:
    """Map distinct user spellings to canonical values; unknown spellings become None."""
    return np.array([table.get(match_key(str(v))) for v in values], dtype=object)
