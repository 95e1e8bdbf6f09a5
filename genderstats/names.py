"""Personal names: one normal form, one mask, and one filter for every free text.

A name is compared and masked in its normal form (:func:`normalise_name`: NFKC, invisible
and format characters removed, no spaces inside a Chinese name), so one person always has
one mask: 劉\u200b幸娟, 吳 惠貞 and 魏信霖\u200b mask like 劉幸娟, 吳惠貞, 魏信霖.
:class:`NameFilter` masks every name known to a year wherever it appears in a text, and
:func:`suspected_names` points at text that looks like a name nobody listed.
data/README.md〈姓名〉 states the policy.

>>> mask_name("王小明"), mask_name("歐陽小明"), mask_name("Mary Chen")
('王○明', '歐陽○明', 'M. C.')
>>> NameFilter(["林立", "吳惠貞"]).mask("講師林立、吳 惠貞老師")
'講師林○、吳○貞老師'
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Iterable
from functools import lru_cache
from typing import Any

import pandas as pd

from genderstats.characters import FORMAT

MASK = "○"
"""What stands for each hidden character of a name."""
MAX_NAME = 40
"""The longest text of a name column taken for a name (a Latin name with its spaces)."""

SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧梁趙"
    "顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董温溫唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫鐘"
    "黎涂凃龔嚴韓袁金童陸夏柳邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒"
)
"""The most common surnames in Taiwan (the household registry's ranking), one character each."""
COMPOUND_SURNAMES = ("張簡", "歐陽", "范姜", "司馬", "諸葛", "上官", "司徒", "東方", "端木",
                     "皇甫", "公孫", "夏侯", "令狐", "慕容", "長孫", "宇文", "尉遲")
"""Two-character surnames: 歐陽小明 masks as 歐陽○明, and 歐陽明 is also name-shaped."""

# A name split by an invisible character must still be the name.
_FORMAT = re.compile(f"[{FORMAT}]")
_SPACES = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
_LATIN_SPLIT = re.compile(r"[\s,，、]+")
_NUMERALS = frozenset("一二三四五六七八九十百千萬億零〇兩廿卅")
# A run of Chinese ending in one of these names a unit, a place, a post or a thing, not a
# person (資訊局, 高雄市, 林組長, 王老師 is caught by the known-name filter instead).
_NOT_A_NAME_END = frozenset(
    "局處科室組會所院部署府校系館隊班課股區市縣鄉鎮村里路街段號樓站場廠司社團協黨庫園"
    "長師員官任授生士主委者人們類別項目式案法費額表單冊書籍報率數量度點性化業界制權利問"
    "期年月日時週天季次件份種位個名套台臺間線網站機器具材料品物錄議畫告"
)


def strip_invisible(text: str) -> str:
    """``text`` without format characters (zero-width space, soft hyphen, bidi marks…)."""
    return _FORMAT.sub("", text)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def normalise_name(name: Any) -> str:
    """A name as it is compared and masked: NFKC, without format characters, trimmed; a
    Chinese name loses every space (吳 惠貞 → 吳惠貞), a Latin one keeps single spaces.

    >>> normalise_name("劉\\u200b幸娟"), normalise_name(" Mary  Chen ")
    ('劉幸娟', 'Mary Chen')
    """
    if _is_missing(name):
        return ""
    text = strip_invisible(unicodedata.normalize("NFKC", str(name))).strip()
    if any(_is_latin(ch) for ch in text):
        return _SPACES.sub(" ", text)
    return _SPACES.sub("", text)


def mask_name(name: Any) -> str:
    """Mask a personal name the way the published reports do, after :func:`normalise_name`.

    2 chars keep the first (王明 → 王○); 3 keep first and last (王小明 → 王○明);
    4 keep the first two and the last, since four-character names usually carry a
    compound or double surname (歐陽小明 → 歐陽○明); 5+ keep first and last with one ○
    per hidden char; 1 char → ○. A three-character name with a compound surname loses
    half of it (歐陽明 → 歐○明): still masked. Names with Latin letters become initials
    (Mary Chen → M. C.). None, NaN and blank give "".

    >>> mask_name("王明"), mask_name("司馬相如如"), mask_name("  "), mask_name(None)
    ('王○', '司○○○如', '', '')
    >>> mask_name("魏信霖\\u200b"), mask_name("吳 惠貞")
    ('魏○霖', '吳○貞')
    """
    text = normalise_name(name)
    if not text:
        return ""
    if any(_is_latin(ch) for ch in text):
        initials = []
        for token in _LATIN_SPLIT.split(text):
            letters = [ch for ch in token if ch.isalpha()]
            if letters:
                initials.append(f"{letters[0].upper()}.")
        return " ".join(initials)
    n = len(text)
    if n == 1:
        return MASK
    if n == 2:
        return text[0] + MASK
    if n == 4:
        return text[:2] + MASK + text[-1]
    return text[0] + MASK * (n - 2) + text[-1]


def mask_names(names: pd.Series) -> pd.Series:
    """:func:`mask_name` over a Series, keeping its index and name.

    >>> mask_names(pd.Series(["林美珍", None])).tolist()
    ['林○珍', '']
    """
    return names.map(mask_name, na_action=None).astype(object)


def split_names(cell: Any) -> list[str]:
    """The names of a cell listing people (「、」, commas or semicolons between them),
    each normalised; blanks dropped.

    >>> split_names("王小明、 林\\u00ad立,Mary Chen")
    ['王小明', '林立', 'Mary Chen']
    """
    if _is_missing(cell):
        return []
    text = strip_invisible(unicodedata.normalize("NFKC", str(cell)))
    return [n for n in (normalise_name(p) for p in re.split(r"[、,;；\n]+", text)) if n]


# ── the filter ───────────────────────────────────────────────────────────────────────────


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Characters NFKC turns into another one (compatibility ideographs, Kangxi radicals,
    full-width letters), by the character they become: a name typed with them still
    matches."""
    out: dict[str, list[str]] = {}
    for lo, hi in ((0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF), (0x2F800, 0x2FA1F)):
        for code in range(lo, hi + 1):
            ch = chr(code)
            folded = unicodedata.normalize("NFKC", ch)
            if len(folded) == 1 and folded != ch:
                out.setdefault(folded, []).append(ch)
    return {k: "".join(v) for k, v in out.items()}


def _char(ch: str, variants: dict[str, str]) -> str:
    extra = variants.get(ch, "")
    if ch.isalpha() and ch.isascii():
        extra += variants.get(ch.swapcase(), "")
    return f"[{re.escape(ch)}{re.escape(extra)}]" if extra else re.escape(ch)


def _trie_pattern(names: Iterable[str], variants: dict[str, str]) -> str:
    """One regular expression matching any of ``names`` (Chinese, spaces allowed between
    characters), factored as a trie so a text is scanned once whatever the number of names.
    Longer names win: 林立偉 before 林立."""
    trie: dict[str, Any] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any], first: bool) -> str:
        branches = [_char(ch, variants) + emit(child, False)
                    for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        piece = body if first else rf"\s*{body}"
        return f"(?:{piece})?" if "" in node else piece

    return emit(trie, True)


class NameFilter:
    """Masks every known name wherever it appears in a text (:meth:`mask`).

    Names are matched in their normal form: a name split by a zero-width space, a soft
    hyphen or spaces, or typed with compatibility characters, is still found, and its mask
    is the one :func:`mask_name` gives the name itself. Names of one character are ignored
    (they would mask single characters of any text), and so are cells longer than
    :data:`MAX_NAME` characters (no name is that long).
    """

    def __init__(self, names: Iterable[Any] = ()) -> None:
        keys = {k for k in map(normalise_name, names) if 2 <= len(k) <= MAX_NAME}
        chinese = sorted(k for k in keys if not any(map(_is_latin, k)))
        latin = sorted((k for k in keys if any(map(_is_latin, k))), key=len, reverse=True)
        self.names: frozenset[str] = frozenset(chinese) | frozenset(latin)
        parts = []
        if chinese:
            parts.append(_trie_pattern(chinese, _variants()))
        if latin:
            words = [r"\s+".join(re.escape(w) for w in k.split()) for k in latin]
            parts.append(rf"(?i:\b(?:{'|'.join(words)})\b)")
        self._regex = re.compile("|".join(parts)) if parts else None

    def __bool__(self) -> bool:
        return self._regex is not None

    def mask(self, text: str) -> str:
        """``text`` without format characters and with every known name masked."""
        text = strip_invisible(text)
        if self._regex is None:
            return text
        return self._regex.sub(lambda m: mask_name(m.group()), text)

    def mask_value(self, value: Any) -> Any:
        """:meth:`mask` for a string; any other value (None, NaN, numbers) as it is."""
        return self.mask(value) if isinstance(value, str) else value


# ── what looks like a name ───────────────────────────────────────────────────────────────


def _name_shaped(run: str) -> bool:
    if run[-1] in _NOT_A_NAME_END or all(ch in _NUMERALS for ch in run):
        return False
    if run[:2] in COMPOUND_SURNAMES:
        return 3 <= len(run) <= 4
    return run[0] in SURNAMES and 2 <= len(run) <= 3


def suspected_names(text: str, vocabulary: Collection[str] = frozenset(),
                    known: NameFilter | None = None) -> list[str]:
    """Words of ``text`` shaped like a personal name nobody listed: a common surname and one
    or two more characters, standing alone (between punctuation, spaces or the text's ends),
    not a word of ``vocabulary`` and not already a ``known`` name. Masked, in order.

    >>> suspected_names("講師：曾啟毅（教授）", vocabulary={"講師"})
    ['曾○毅']
    """
    if not text:
        return []
    found: dict[str, None] = {}
    flat = strip_invisible(unicodedata.normalize("NFKC", text))
    for run in _HAN_RUN.findall(flat):
        if run in vocabulary or not _name_shaped(run):
            continue
        if known is not None and run in known.names:
            continue
        found[mask_name(run)] = None
    return list(found)


def could_be_name(value: str, vocabulary: Collection[str] = frozenset()) -> bool:
    """Whether a quoted value may be a personal name: 2 to 4 Chinese characters (after
    :func:`normalise_name`) led by a common surname, not ending like a unit or a post, and
    not a word of ``vocabulary``. Other words (「不詳」「很好」) are quoted as typed; a name
    with a rarer surname is masked when it is a known name (:class:`NameFilter`).

    >>> could_be_name("曾啟毅"), could_be_name("男性", {"男性"}), could_be_name("不詳")
    (True, False, False)
    """
    text = normalise_name(value)
    if not (2 <= len(text) <= 4 and all(_HAN.fullmatch(ch) for ch in text)):
        return False
    led = text[:2] in COMPOUND_SURNAMES or text[0] in SURNAMES
    return led and text[-1] not in _NOT_A_NAME_END and text not in vocabulary
