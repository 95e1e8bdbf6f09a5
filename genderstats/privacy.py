"""Disclosure control of person-level tables, and HTML escaping (names: genderstats.names).

Person-level gender tables of people who are not public appointees (citizens in training,
onsite engineers, staff) are protected before they are published: rare categories are
recoded (:func:`recode_small`), small counts hidden and the hiding audited by solving the
printed sums as an integer program (:func:`suppression_mask`, :func:`protect_people_table`).
Rosters of public committees are published exactly. data/README.md states the policy.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genderstats.config import GENDERS, TOTAL
from genderstats.stats import (
    COUNT_COLUMNS,
    counts_table,
    format_count,
    format_pct,
    is_total_label,
)

SECONDARY = "*"
"""How a count hidden to protect a small one prints."""

__all__ = ["SECONDARY", "escape", "suppression_marks",
           "suppression_mask", "cell_ranges", "recoverable_cells", "recode_small", "record_rows",
           "ProtectedTable", "protect_people_table"]


def escape(text: Any) -> str:
    """HTML-escape any value for output; None and NaN give "".

    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if text is None or text is pd.NA or (isinstance(text, float) and math.isnan(text)):
        return ""
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- disclosure control
#
# A published protected table prints each count of a person-level gender table as the number,
# as 「<t」 (a count from 1 to t-1) or as 「*」 (not shown: any number, 0 included). Zeros and
# large counts are shown. A reader who knows this and every printed sum (rows 男+女+其他 = 合計,
# columns body = 合計 row) may solve the whole system of sums at once; the audit below does
# exactly that with an integer program (SciPy's milp, HiGHS). The rule a table must meet:
#
# - a 「<t」 cell admits every value from 1 to t-1 (the sums tell nothing beyond 「<t」);
# - a small count printed 「*」 admits 0 or a value of t or more (nobody can confirm it is a
#   small non-zero count).
#
# Marks: "" shown, "<" printed 「<t」, "*" printed 「*」.

SHOWN, SMALL, STAR = "", "<", "*"


def _count_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in (*GENDERS, TOTAL) if c in table.columns]


Cell = tuple[int, int]


@dataclass(frozen=True)
class _Shape:
    """Where a gender table's sums are: which columns are parts, the 合計 column and row."""

    values: np.ndarray
    genders: np.ndarray  # bool per column
    total_col: int | None
    total_row: int | None
    body: list[int]

    @classmethod
    def of(cls, table: pd.DataFrame, cols: list[str]) -> _Shape:
        total_rows = [i for i, k in enumerate(table.index) if is_total_label(k)]
        total_row = total_rows[-1] if total_rows else None
        return cls(
            values=table[cols].to_numpy(dtype="float64"),
            genders=np.array([c in GENDERS for c in cols]),
            total_col=cols.index(TOTAL) if TOTAL in cols else None,
            total_row=total_row,
            body=[i for i in range(len(table)) if i not in total_rows],
        )

    def equations(self) -> list[list[tuple[Cell, int]]]:
        """Every printed sum as [(cell, coefficient)] adding up to 0, its total last."""
        rows, cols = self.values.shape
        parts = [j for j in range(cols) if self.genders[j]]
        eqs = []
        if self.total_col is not None and parts:
            for i in range(rows):
                eqs.append([((i, j), 1) for j in parts] + [((i, self.total_col), -1)])
        if self.total_row is not None and self.body:
            for j in range(cols):
                eqs.append([((i, j), 1) for i in self.body] + [((self.total_row, j), -1)])
        return eqs

    def cost(self, cell: Cell) -> tuple[bool, float, bool, Cell]:
        """Which visible cell to hide first: the 合計 row last (every reader uses it), then
        the smallest value, a 合計 before a gender count of the same value."""
        i, j = cell
        return (i == self.total_row, float(self.values[cell]), j != self.total_col, cell)

    def small(self, threshold: int) -> np.ndarray:
        """The counts from 1 to threshold-1: those to protect."""
        return self.genders[None, :] & (self.values > 0) & (self.values < threshold)


def _cells(mask: np.ndarray) -> list[Cell]:
    return [(int(i), int(j)) for i, j in np.argwhere(mask)]


class _Audit:
    """The integer program of one page: what the reader knows, and the range of any cell."""

    def __init__(self, shape: _Shape, marks: np.ndarray, threshold: int) -> None:
        from scipy.optimize import Bounds, LinearConstraint

        self.shape, self.marks, self.threshold = shape, marks, threshold
        self.cells = _cells(marks != SHOWN)
        self.index = {c: k for k, c in enumerate(self.cells)}
        n = len(self.cells)
        self.lo = np.zeros(n)
        self.hi = np.full(n, np.inf)
        for k, c in enumerate(self.cells):
            if marks[c] == SMALL:
                self.lo[k], self.hi[k] = 1.0, float(threshold - 1)
        rows_a, rhs = [], []
        for eq in shape.equations():
            coef = np.zeros(n)
            const = 0.0
            for cell, sign in eq:
                if cell in self.index:
                    coef[self.index[cell]] += sign
                else:
                    const += sign * shape.values[cell]
            if coef.any():
                rows_a.append(coef)
                rhs.append(-const)
        self.constraints = [LinearConstraint(np.array(rows_a), rhs, rhs)] if rows_a else []
        self.bounds = Bounds(self.lo, self.hi)
        self.seen_lo: dict[int, float] = {}
        self.seen_hi: dict[int, float] = {}
        self._note(np.array([shape.values[c] for c in self.cells]))  # the true table

    def _note(self, x: np.ndarray) -> None:
        # Every solution found bounds every cell, so a bound already reached is not solved
        # for again: most audits need a handful of solves, not two per cell.
        for k, v in enumerate(np.round(x)):
            self.seen_lo[k] = min(self.seen_lo.get(k, np.inf), v)
            self.seen_hi[k] = max(self.seen_hi.get(k, -np.inf), v)

    def _solve(self, k: int, sense: float) -> float:
        from scipy.optimize import milp

        c = np.zeros(len(self.cells))
        c[k] = sense
        res = milp(c, constraints=self.constraints, integrality=np.ones(len(self.cells)),
                   bounds=self.bounds)
        if res.x is None:  # unbounded: only a cell without an upper bound can be
            return np.inf
        self._note(res.x)
        return float(round(res.x[k]))

    def range(self, cell: Cell) -> tuple[float, float]:
        """Smallest and largest value of a hidden cell over all tables printing this page."""
        k = self.index[cell]
        lo = self.lo[k] if self.seen_lo[k] == self.lo[k] else self._solve(k, 1.0)
        hi = self.hi[k] if self.seen_hi[k] == self.hi[k] else self._solve(k, -1.0)
        return lo, hi

    def leaks(self, cell: Cell) -> bool:
        """Whether a hidden small count breaks the rule (see the comment above)."""
        t = self.threshold
        k = self.index[cell]
        if self.marks[cell] == SMALL:
            return self.range(cell) != (1.0, float(t - 1))
        if self.seen_lo[k] == 0 or self.seen_hi[k] >= t:
            return False
        lo, hi = self.range(cell)
        return not (lo == 0 or hi >= t)

    def leaking(self, *, first: bool = False) -> list[Cell]:
        small = self.shape.small(self.threshold)
        out = []
        for c in self.cells:
            if small[c] and self.leaks(c):
                out.append(c)
                if first:
                    break
        return out


def _marks_of(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> np.ndarray:
    """Marks from a marks frame, or from a bool mask (a hidden small count prints 「<t」)."""
    cols = list(hidden.columns)
    values = hidden[cols].to_numpy()
    if values.dtype == bool:
        small = _Shape.of(table, cols).small(threshold)
        return np.where(values, np.where(small, SMALL, STAR), SHOWN).astype(object)
    return values.astype(object)


def cell_ranges(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """What a reader can work out about every hidden cell of a protected table.

    ``hidden`` is a marks frame (:func:`suppression_marks`) or a bool mask (hidden small
    counts then print 「<t」). One row per hidden cell: 類別, 欄, 公開為 (「<3」 or 「*」),
    最小, 最大 (``inf`` when unbounded), 可推算 (the cell breaks the rule).

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 8}}, total=True)
    >>> h = pd.DataFrame(False, index=t.index, columns=["男", "女", "其他", "合計"])
    >>> h.loc["甲", ["男", "女"]] = True
    >>> cell_ranges(t, h, 3)[["最小", "最大", "可推算"]].values.tolist()
    [[1.0, 1.0, True], [1.0, 1.0, True]]
    """
    cols = list(hidden.columns)
    shape = _Shape.of(table, cols)
    marks = _marks_of(table, hidden, threshold)
    audit = _Audit(shape, marks, threshold)
    small = shape.small(threshold)
    rows = []
    for c in audit.cells:
        lo, hi = audit.range(c)
        rows.append({"類別": table.index[c[0]], "欄": cols[c[1]],
                     "公開為": f"<{threshold}" if marks[c] == SMALL else SECONDARY,
                     "最小": lo, "最大": hi, "可推算": bool(small[c] and audit.leaks(c))})
    return pd.DataFrame(rows, columns=["類別", "欄", "公開為", "最小", "最大", "可推算"])


def recoverable_cells(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """True where a hidden small count breaks the rule (see :func:`cell_ranges`); all False
    for a table that holds."""
    cols = list(hidden.columns)
    audit = _Audit(_Shape.of(table, cols), _marks_of(table, hidden, threshold), threshold)
    out = np.zeros((len(table), len(cols)), dtype=bool)
    for c in audit.leaking():
        out[c] = True
    return pd.DataFrame(out, index=table.index, columns=cols)


def _close(marks: np.ndarray, shape: _Shape, locked: np.ndarray) -> None:
    """Give every sum with a single hidden cell a second one, the cheapest by
    :meth:`_Shape.cost` (a sum with one unknown gives it away without any solving)."""
    eqs = [[c for c, _ in eq] for eq in shape.equations()]
    changed = True
    while changed:
        changed = False
        for cells in eqs:
            if sum(marks[c] != SHOWN for c in cells) != 1:
                continue
            free = [c for c in cells
                    if marks[c] == SHOWN and not locked[c] and shape.values[c] > 0]
            if not free:
                continue
            in_row = len({i for i, _ in cells}) == 1
            # In a row, its 合計 goes first, so the row's men and women stay readable.
            marks[min(free, key=lambda c: (not (in_row and c == cells[-1]), shape.cost(c)))] = STAR
            changed = True


def _leaking(shape: _Shape, marks: np.ndarray, threshold: int, first: bool = False) -> list:
    return _Audit(shape, marks, threshold).leaking(first=first)


def _greedy(shape: _Shape, marks: np.ndarray, threshold: int, locked: np.ndarray,
            moves: list[tuple[Cell, str]]) -> np.ndarray | None:
    """The first move (after closing the sums) that stops every leak, else the one leaving
    the fewest; None when no move helps."""
    now = len(_leaking(shape, marks, threshold))
    best: tuple | None = None
    for cell, mark in moves:
        trial = marks.copy()
        trial[cell] = mark
        _close(trial, shape, locked)
        left = len(_leaking(shape, trial, threshold))
        score = (left, int((trial != SHOWN).sum()))
        if best is None or score < best[0]:
            best = (score, trial)
        if left == 0:
            break
    if best is None or (best[0][0] >= now and not moves):
        return None
    return best[1]


def suppression_marks(table: pd.DataFrame, threshold: int | None = 3, *,
                      fixed: pd.Series | None = None) -> pd.DataFrame:
    """What each count of a gender table prints: "" (the number), "<" (「<t」) or "*".

    Over the columns present among 男, 女, 其他, 合計. The one rule for every protected
    table:

    1. Primary: a 男/女/其他 count from 1 to ``threshold`` − 1 prints 「<t」. Zeros stay.
    2. Every printed sum left with a single hidden cell gets a second one: in a row its
       合計, else the smallest visible non-zero count (cells of the 合計 row last).
    3. Audit by solving (:func:`cell_ranges`): a 「<t」 cell must admit every value 1..t-1.
       While one does not, one more non-zero cell is hidden, greedily: of the visible cells
       in the sums through the leaking cells, in the order of step 2, the first that stops
       every leak, else the one leaving the fewest; then step 2 again, and re-audit.
    4. Only when no visible non-zero cell is left to hide (the 「<t」 marks themselves give
       the count away, e.g. 1 + 1 under a 「<3」 total), a leaking 「<t」 or a zero next to it
       prints 「*」 instead, and the audit then asks that such a small count may be 0 or t or
       more. As a last resort every count prints 「*」.

    ``fixed`` gives the marks of the 合計 row when another table already published that row
    (e.g. a breakdown's 合計 is the overall table); they are kept. ``threshold`` None or
    below 2 shows everything.

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 9}}, total=True)
    >>> suppression_marks(t).loc["甲"].tolist()
    ['<', '<', '', '*']
    """
    cols = _count_columns(table)
    out = pd.DataFrame(SHOWN, index=table.index, columns=cols, dtype=object)
    if threshold is None or threshold < 2 or table.empty:
        return out
    shape = _Shape.of(table, cols)
    small = shape.small(threshold)
    marks = np.where(small, SMALL, SHOWN).astype(object)
    locked = np.zeros(marks.shape, dtype=bool)
    if fixed is not None and shape.total_row is not None:
        given = fixed.reindex(cols, fill_value=SHOWN).to_numpy(dtype=object)
        if given.dtype == bool or all(isinstance(v, bool | np.bool_) for v in given):
            given = np.where(given.astype(bool), np.where(small[shape.total_row], SMALL, STAR),
                             SHOWN)
        marks[shape.total_row] = given
        locked[shape.total_row] = True
    _close(marks, shape, locked)
    eqs = [[c for c, _ in eq] for eq in shape.equations()]
    values = shape.values
    while leaks := _leaking(shape, marks, threshold, first=True):
        near = {c for cells in eqs if set(cells) & set(leaks) for c in cells}
        free = [c for c in near if marks[c] == SHOWN and not locked[c] and values[c] > 0]
        if not free:
            free = _cells((marks == SHOWN) & ~locked & (values > 0))
        moves = [(c, STAR) for c in sorted(free, key=shape.cost)]
        if not moves:  # step 4
            leaks = _leaking(shape, marks, threshold)
            moves = [(c, STAR) for c in leaks if marks[c] == SMALL]
            moves += [(c, STAR) for c in sorted(near, key=shape.cost)
                      if marks[c] == SHOWN and not locked[c]]
        found = _greedy(shape, marks, threshold, locked, moves) if moves else None
        if found is None or (found == marks).all():
            marks[values > 0] = STAR
            if _leaking(shape, marks, threshold):  # the fixed row gives it away: drop it too
                marks[:, :] = STAR
            break
        marks = found
    out.loc[:, :] = marks
    return out


def suppression_mask(table: pd.DataFrame, threshold: int | None = 3, *,
                     fixed: pd.Series | None = None) -> pd.DataFrame:
    """The cells :func:`suppression_marks` hides, as a boolean DataFrame (True = hide).

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 9}}, total=True)
    >>> suppression_mask(t).loc["甲"].tolist()
    [True, True, False, True]
    """
    return suppression_marks(table, threshold, fixed=fixed) != SHOWN


def recode_small(table: pd.DataFrame, below: int | None, *, label: str = "其他國籍",
                 keep: Sequence[str] = (), last: Sequence[str] = ()) -> pd.DataFrame:
    """Merge the categories with fewer than ``below`` people into one ``label`` row.

    Recoding comes before suppression, so the large groups stay in full: a table of many
    small nationalities would otherwise need so many hidden cells that even the largest
    row loses its split. Rows named in ``keep`` (e.g. 中華民國, or 未填: not known is not
    another nationality) and the 合計 row are never merged; the merged row goes after the
    others, before the rows named in ``last``. ``below`` None or below 2 changes nothing;
    so does a single small category (merging it alone would only rename it).

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 9, "女": 8}, "乙": {"男": 1}, "丙": {"女": 2}}, total=True)
    >>> recode_small(t, 5, label="其他")["合計"].to_dict()
    {'甲': 17, '其他': 3, '合計': 20}
    """
    if below is None or below < 2:
        return table
    total_rows = [k for k in table.index if is_total_label(k)]
    body = [k for k in table.index if k not in total_rows]
    small = [k for k in body if k not in keep and table.loc[k, TOTAL] < below]
    if len(small) < 2 and not (small and label in body):
        return table
    merged_in = [*small, *([label] if label in body and label not in small else [])]
    rest = [k for k in body if k not in merged_in]
    head = [k for k in rest if k not in last]
    tail = [k for k in rest if k in last]
    counts = {k: table.loc[k, list(GENDERS)].astype("int64").to_dict() for k in head}
    counts[label] = table.loc[merged_in, list(GENDERS)].sum().astype("int64").to_dict()
    counts.update({k: table.loc[k, list(GENDERS)].astype("int64").to_dict() for k in tail})
    out = counts_table(counts, total=bool(total_rows))
    out.index = pd.Index(list(out.index), name=table.index.name, dtype=object)
    return out


def record_rows(table: pd.DataFrame, hidden: pd.DataFrame, *,
                merged_label: str = "含隱藏格之類別合併") -> pd.DataFrame:
    """The counts of a protected table that may go into indicators.csv.

    Rows shown in full are kept; every row with a hidden cell is summed into one
    ``merged_label`` row. That row equals 合計 minus the rows shown in full, so it tells
    nothing the page does not. If the 合計 row itself has a hidden cell (or the table has
    no 合計 row), only the rows shown in full are returned.
    """
    body = [k for k in table.index if not is_total_label(k)]
    full = [k for k in body if not hidden.loc[k].any()]
    partial = [k for k in body if k not in full]
    total_rows = [k for k in table.index if is_total_label(k)]
    counts = table[COUNT_COLUMNS]
    if not total_rows or hidden.loc[total_rows[-1]].any():
        out = counts.loc[full].astype("int64")
    else:
        parts = [counts.loc[full]]
        if partial:
            parts.append(counts.loc[partial].sum().to_frame(merged_label).T)
        parts += [counts.loc[total_rows]]
        out = pd.concat(parts).astype("int64")
    out.index = pd.Index(list(out.index), name=table.index.name, dtype=object)
    return out


@dataclass(frozen=True)
class ProtectedTable:
    """A person-level gender table with what its page may print.

    ``table`` keeps the exact counts (never publish it as is); ``marks`` says what each
    count prints (:func:`suppression_marks`); ``hidden`` is the same as a bool mask.
    """

    table: pd.DataFrame
    marks: pd.DataFrame
    threshold: int | None

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a count is not printed as a number."""
        return self.marks != SHOWN

    @property
    def any_hidden(self) -> bool:
        """Whether any cell is hidden."""
        return bool(self.hidden.to_numpy().any())

    def is_small(self, key: Any, column: str) -> bool:
        """Whether the cell prints 「<t」."""
        return self.marks.loc[key, column] == SMALL

    @property
    def any_secondary(self) -> bool:
        """Whether any cell prints 「*」."""
        return bool((self.marks == STAR).to_numpy().any())

    def row_shown(self, key: Any) -> bool:
        """Whether every count of the row is printed."""
        return not bool(self.hidden.loc[key].any())

    def text(self, key: Any, column: str, decimals: int = 2) -> str:
        """What the page prints in one cell: a count, 「<t」, 「*」, a share or 「-」.

        A share prints 「-」 beside a hidden count or in a row whose 合計 is hidden."""
        if column.endswith("%"):
            gender = column[:-1]
            if self.marks.loc[key, TOTAL] != SHOWN or self.marks.loc[key, gender] != SHOWN:
                return "-"
            return format_pct(self.table.loc[key, column], decimals)
        mark = self.marks.loc[key, column]
        if mark == SMALL:
            return f"<{self.threshold}"
        if mark == STAR:
            return SECONDARY
        return format_count(self.table.loc[key, column])

    def shown_rows(self) -> pd.DataFrame:
        """The rows printed in full (for charts and sentences), 合計 included if shown."""
        keep = [k for k in self.table.index if self.row_shown(k)]
        return self.table.loc[keep]

    def record(self, merged_label: str = "含隱藏格之類別合併") -> pd.DataFrame:
        """:func:`record_rows`: what indicators.csv may carry."""
        return record_rows(self.table, self.hidden, merged_label=merged_label)

    def note(self, count_label: str = "人數") -> str:
        """The table's foot note (plain text), "" when nothing is hidden."""
        if not self.any_hidden:
            return ""
        notes = []
        if (self.marks == SMALL).to_numpy().any():
            notes.append(f"「<{self.threshold}」表示{count_label}未達{self.threshold}")
        if self.any_secondary:
            notes.append(f"「{SECONDARY}」表示為避免推算出前述數字而一併隱藏")
        return "註：" + "；".join(notes) + "，以保護個人隱私。"


def protect_people_table(table: pd.DataFrame, threshold: int | None = 3, *,
                         fixed: pd.Series | None = None) -> ProtectedTable:
    """Protect a person-level gender table (from :func:`genderstats.stats.gender_table`).

    Returns a :class:`ProtectedTable`: what each count prints (``.marks``,
    :func:`suppression_marks`; ``.hidden`` as a bool mask), the cell texts
    (``.text(key, column)``), the rows safe for indicators.csv (``.record()``) and the foot
    note (``.note()``). Render it with
    ``genderstats.present.tables.gender_table_html(table, caption, protected=…)``. ``fixed``: the
    marks of the 合計 row when another table already printed it.

    >>> from genderstats.stats import counts_table
    >>> p = protect_people_table(counts_table({"甲": {"男": 26, "女": 11, "其他": 1}}))
    >>> [p.text("甲", c) for c in ("男", "女", "其他", "合計")]
    ['26', '11', '<3', '*']
    """
    return ProtectedTable(table, suppression_marks(table, threshold, fixed=fixed), threshold)
