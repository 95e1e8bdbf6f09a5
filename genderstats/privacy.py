"""Name masking, small-cell suppression and HTML escaping for published output.

Internal figures (indicators, charts for the working group) use the exact counts; these
helpers only decide what a published table may show.

>>> mask_name("王小明"), mask_name("歐陽小明"), mask_name("Mary Chen")
('王○明', '歐陽○明', 'M. C.')
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from genderstats.config import GENDERS, TOTAL
from genderstats.stats import is_total_label

MASK = "○"

__all__ = ["MASK", "mask_name", "mask_names", "suppression_mask", "escape"]

_SPACES = re.compile(r"\s+")


def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def mask_name(name: Any) -> str:
    """Mask a personal name the way the published reports do.

    2 chars keep the first (王明 → 王○); 3 keep first and last (王小明 → 王○明);
    4 keep the first two and the last, since four-character names usually carry a
    compound or double surname (歐陽小明 → 歐陽○明); 5+ keep first and last with one ○
    per hidden char; 1 char → ○. A three-character name with a compound surname loses
    half of it (歐陽明 → 歐○明): still masked, and no surname list to maintain. Names
    with Latin letters become initials (Mary Chen → M. C.). Spaces are removed;
    None, NaN and blank give "".

    >>> mask_name("王明"), mask_name("司馬相如如"), mask_name("  "), mask_name(None)
    ('王○', '司○○○如', '', '')
    """
    if name is None or name is pd.NA or (isinstance(name, float) and math.isnan(name)):
        return ""
    text = str(name).strip()
    if not text:
        return ""
    if any(_is_latin(ch) for ch in text):
        tokens = [t for t in re.split(r"[\s,，、]+", text) if t]
        initials = []
        for token in tokens:
            letters = [ch for ch in token if ch.isalpha()]
            if letters:
                initials.append(f"{letters[0].upper()}.")
        return " ".join(initials)
    text = _SPACES.sub("", text)
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


def escape(text: Any) -> str:
    """HTML-escape any value for output; None and NaN give "".

    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


def suppression_mask(
    table: pd.DataFrame, threshold: int | None = 3, *, total_label: str = TOTAL
) -> pd.DataFrame:
    """Which count cells of a gender table to hide before publishing.

    Returns a boolean DataFrame (same index) over the count columns present among
    男, 女, 其他, 合計; True = hide.

    - Primary: a 男/女/其他 count with ``0 < count < threshold``. Zeros stay visible, as
      published government statistics do: a zero identifies nobody.
    - Secondary: each row is an equation 男 + 女 + 其他 = 合計, and, when the table has a
      合計 row, each column is an equation body rows = 合計 row. An equation with exactly
      one hidden cell would give that cell away, so the smallest visible non-zero part is
      hidden too, or the equation's total when no such part exists (e.g. 男 1, 女 0, 其他 0
      hides the row's 合計). Repeated until no equation has a single hidden cell.

    ``threshold=None`` hides nothing.

    >>> from genderstats.stats import counts_table
    >>> m = suppression_mask(counts_table({"甲": {"男": 2, "女": 5, "其他": 4}}))
    >>> m.loc["甲"].tolist()
    [True, False, True, False]
    """
    cols = [c for c in (*GENDERS, TOTAL) if c in table.columns]
    mask = pd.DataFrame(False, index=table.index, columns=cols)
    if threshold is None or table.empty:
        return mask
    parts = [c for c in GENDERS if c in cols]
    values = table[cols].to_numpy(dtype="float64")
    hidden = np.zeros(values.shape, dtype=bool)
    for j, c in enumerate(cols):
        if c in parts:
            hidden[:, j] = (values[:, j] > 0) & (values[:, j] < threshold)

    col_pos = {c: j for j, c in enumerate(cols)}
    equations: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    if TOTAL in cols:
        for i in range(len(table)):
            equations.append(([(i, col_pos[c]) for c in parts], (i, col_pos[TOTAL])))
    total_rows = [i for i, k in enumerate(table.index) if is_total_label(k, total_label)]
    if total_rows:
        t = total_rows[-1]
        body = [i for i in range(len(table)) if i not in total_rows]
        for j in range(len(cols)):
            equations.append(([(i, j) for i in body], (t, j)))

    changed = True
    while changed:
        changed = False
        for members, total_cell in equations:
            cells = [*members, total_cell]
            if sum(hidden[c] for c in cells) != 1:
                continue
            candidates = [c for c in members if not hidden[c] and values[c] > 0]
            if candidates:
                pick = min(candidates, key=lambda c: values[c])
            elif not hidden[total_cell]:
                pick = total_cell
            else:  # pragma: no cover - the single hidden cell is then a part, handled above
                continue
            hidden[pick] = True
            changed = True
    mask.loc[:, :] = hidden
    return mask
