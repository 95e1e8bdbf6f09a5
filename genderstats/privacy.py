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

__all__ = ["MASK", "mask_name", "mask_names", "suppression_mask", "secondary_mask",
           "determined_cells", "escape"]

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


def secondary_mask(
    table: pd.DataFrame, threshold: int | None = 3, *, total_label: str = TOTAL
) -> pd.DataFrame:
    """The classic cell-suppression rule; on its own it can leak (use :func:`suppression_mask`).

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
    >>> m = secondary_mask(counts_table({"甲": {"男": 2, "女": 5, "其他": 4}}))
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




def _equations(table: pd.DataFrame, cols: list[str]) -> list[tuple[list[tuple[int, int]],
                                                               tuple[int, int]]]:
    """Every sum a reader can use: per row 男+女+其他 = 合計; per column body = 合計 row."""
    pos = {c: j for j, c in enumerate(cols)}
    parts = [pos[g] for g in GENDERS if g in pos]
    eqs: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    if TOTAL in pos:
        eqs += [([(i, j) for j in parts], (i, pos[TOTAL])) for i in range(len(table))]
    total_rows = [i for i, k in enumerate(table.index) if is_total_label(k)]
    if total_rows:
        t = total_rows[-1]
        body = [i for i in range(len(table)) if i not in total_rows]
        eqs += [([(i, j) for i in body], (t, j)) for j in range(len(cols))]
    return eqs


_Sums = tuple[list[int], int | None, list[int], int | None]


def _tighten(m_lo: np.ndarray, m_hi: np.ndarray, t_lo: np.ndarray, t_hi: np.ndarray,
             axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One pass over the sums ``Σ members (along axis) = total``, all at once.

    Each total is bounded by its members' bounds; each member by its total less the rest.
    Lower bounds are finite; an infinite upper bound is counted apart so inf − inf never
    occurs.
    """
    inf = np.isinf(m_hi)
    n_inf = inf.sum(axis=axis, keepdims=True)
    finite_hi = np.where(inf, 0.0, m_hi)
    fin = finite_hi.sum(axis=axis, keepdims=True)
    s_lo = m_lo.sum(axis=axis, keepdims=True)
    s_hi = np.where(n_inf > 0, np.inf, fin)
    t_lo = np.maximum(t_lo, s_lo.squeeze(axis))
    t_hi = np.minimum(t_hi, s_hi.squeeze(axis))
    others_lo = s_lo - m_lo
    others_hi = np.where(n_inf - inf > 0, np.inf, fin - finite_hi)
    m_lo = np.maximum(m_lo, np.expand_dims(t_lo, axis) - others_hi)
    m_hi = np.minimum(m_hi, np.expand_dims(t_hi, axis) - others_lo)
    return m_lo, m_hi, t_lo, t_hi


def _bounds(values: np.ndarray, hidden: np.ndarray, primary: np.ndarray, threshold: int,
            gender_cols: np.ndarray, shape: _Sums) -> tuple[np.ndarray, np.ndarray]:
    """What a reader can deduce about each hidden cell, as [lo, hi] integer bounds.

    The reader knows the rules: zeros are never hidden, 「<n」 is 1..n-1, a 「*」 gender
    count is at least n (smaller ones would read 「<n」); the sums then narrow them.
    Interval propagation over every row and column sum, repeated until nothing changes
    (the order of the passes does not change where it ends).
    """
    lo = values.astype(float).copy()
    hi = values.astype(float).copy()
    lo[hidden], hi[hidden] = 0.0, math.inf
    lo[hidden & primary], hi[hidden & primary] = 1.0, float(threshold - 1)
    lo[hidden & ~primary & gender_cols] = float(threshold)
    parts, total, body, total_row = shape
    for _ in range(100_000):
        before_lo, before_hi = lo.copy(), hi.copy()
        if total is not None and parts:
            m_lo, m_hi, t_lo, t_hi = _tighten(lo[:, parts], hi[:, parts], lo[:, total],
                                              hi[:, total], axis=1)
            lo[:, parts], hi[:, parts], lo[:, total], hi[:, total] = m_lo, m_hi, t_lo, t_hi
        if total_row is not None and body:
            m_lo, m_hi, t_lo, t_hi = _tighten(lo[body, :], hi[body, :], lo[total_row, :],
                                              hi[total_row, :], axis=0)
            lo[body, :], hi[body, :], lo[total_row, :], hi[total_row, :] = m_lo, m_hi, t_lo, t_hi
        if np.array_equal(lo, before_lo) and np.array_equal(hi, before_hi):
            break
    return lo, hi


def _sums(table: pd.DataFrame, cols: list[str]) -> _Sums:
    """(part columns, 合計 column, body rows, 合計 row): the shape of a gender table's sums."""
    parts = [j for j, c in enumerate(cols) if c in GENDERS]
    total = cols.index(TOTAL) if TOTAL in cols else None
    total_rows = [i for i, k in enumerate(table.index) if is_total_label(k)]
    total_row = total_rows[-1] if total_rows else None
    body = [i for i in range(len(table)) if i not in total_rows]
    return parts, total, body, total_row


def _primary(values: np.ndarray, gender_cols: np.ndarray, threshold: int) -> np.ndarray:
    return gender_cols[None, :] & (values > 0) & (values < threshold)


def determined_cells(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Hidden small counts (「<n」) a reader could still work out exactly from the sums.

    True where a primary-suppressed cell's value follows from the visible cells, e.g. a row
    男 1, 女 1, 合計 2 with both counts hidden (two cells of at least 1 summing to 2).
    """
    cols = list(hidden.columns)
    values = table[cols].to_numpy(dtype="float64")
    gender_cols = np.array([c in GENDERS for c in cols])
    mask = hidden.to_numpy(dtype=bool)
    primary = _primary(values, gender_cols, threshold)
    lo, hi = _bounds(values, mask, primary, threshold, np.broadcast_to(gender_cols,
                     values.shape), _sums(table, cols))
    return pd.DataFrame(mask & primary & (lo == hi), index=table.index, columns=cols)


def _close(hidden: np.ndarray, values: np.ndarray, eqs: list) -> None:
    """Give every sum with a single hidden cell a second one, as :func:`secondary_mask` does."""
    changed = True
    while changed:
        changed = False
        for members, total in eqs:
            cells = [*members, total]
            if sum(bool(hidden[c]) for c in cells) != 1:
                continue
            candidates = [c for c in members if not hidden[c] and values[c] > 0]
            pick = min(candidates, key=lambda c: (values[c], c)) if candidates else total
            if not hidden[pick]:
                hidden[pick] = True
                changed = True


def suppression_mask(table: pd.DataFrame, threshold: int | None = 3) -> pd.DataFrame:
    """Cells of a gender table to hide so no count under ``threshold`` can be recovered.

    Starts from :func:`secondary_mask` (primary cells, and a second
    cell wherever a sum has exactly one hidden cell), then checks what a reader could still
    deduce from all row and column sums together (:func:`determined_cells`): two hidden
    「<3」 cells whose row reads 合計 2 must both be 1. While a small count is recoverable,
    one more cell is hidden in a sum touching the deduced cells (then every sum left with a
    single hidden cell gets a second one): the choice leaving the fewest recoverable counts,
    then hiding the fewest cells, then the smallest value.
    ``threshold`` None or below 2 hides nothing.

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 9}}, total=True)
    >>> suppression_mask(t).loc["甲"].tolist()
    [True, True, False, True]
    """
    if threshold is None or threshold < 2:
        return secondary_mask(table, None)
    base = secondary_mask(table, threshold)
    cols = list(base.columns)
    values = table[cols].to_numpy(dtype="float64")
    gender_cols = np.broadcast_to(np.array([c in GENDERS for c in cols]), values.shape)
    primary = _primary(values, gender_cols[0], threshold)
    eqs = _equations(table, cols)
    shape = _sums(table, cols)
    hidden = base.to_numpy(dtype=bool).copy()

    def pinned(mask: np.ndarray) -> np.ndarray:
        lo, hi = _bounds(values, mask, primary, threshold, gender_cols, shape)
        return mask & (lo == hi)

    def visible(eq: tuple) -> list[tuple[int, int]]:
        members, total = eq
        return [c for c in [*members, total] if not hidden[c] and (values[c] > 0 or c == total)]

    known = pinned(hidden)
    while (known & primary).any():
        # Try the cells of the sums through the pinned small counts: all of a row's, and of a
        # long column only the three smallest and the largest (usually the domestic row,
        # which hides the most), so a table of many nationalities stays quick.
        near = {tuple(int(x) for x in c) for c in np.argwhere(known & primary)}
        candidates: set[tuple[int, int]] = set()
        for eq in eqs:
            if not near & {*eq[0], eq[1]}:
                continue
            cells = sorted(visible(eq), key=lambda c: (values[c], c))
            candidates.update(cells if len(cells) <= 4 else [*cells[:3], cells[-1]])
        if not candidates:
            candidates = {c for eq in eqs if any(known[x] for x in [*eq[0], eq[1]])
                          for c in visible(eq)}
        best = None
        for c in sorted(candidates):
            trial = hidden.copy()
            trial[c] = True
            _close(trial, values, eqs)
            score = (int((pinned(trial) & primary).sum()), int(trial.sum()), values[c], c)
            if best is None or score < best[0]:
                best = (score, trial)
        if best is None:  # pragma: no cover - nothing visible is left near the pinned cells
            hidden |= values > 0
            break
        hidden = best[1]
        known = pinned(hidden)
    return pd.DataFrame(hidden, index=table.index, columns=cols)
