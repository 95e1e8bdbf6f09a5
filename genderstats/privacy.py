"""Disclosure control of person-level tables, and HTML escaping (names: genderstats.names).

Person-level gender counts of people who are not public appointees (citizens in training,
onsite engineers, staff) are published only through one engine, :class:`Population`: every
table of a year that describes the same people is protected together, rare categories
recoded first (:func:`recode_small`), small counts hidden and the hiding audited by solving
everything printed as one integer program. A single table is a population of its rows
(:func:`protect_people_table`, :func:`suppression_marks`). Rosters of public committees are
published exactly. data/README.md states the policy.

Over 500 lines because it is the one disclosure engine: every protected table of a year
goes through it, so no second set of rules can publish what this one withholds.
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from genderstats.config import GENDERS, TOTAL
from genderstats.numbers import format_count, format_pct
from genderstats.stats import COUNT_COLUMNS, counts_table, is_total_label

SECONDARY = "*"
"""How a count hidden to protect a small one prints."""

__all__ = ["SECONDARY", "escape", "Population", "Share",
           "table_population", "suppression_marks", "suppression_mask", "cell_ranges",
           "recoverable_cells", "recode_small", "record_rows", "ProtectedTable",
           "protect_people_table", "PROTECTION", "carry", "protection_of", "printable",
           "masked"]


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
# Every people-level count is published through a :class:`Population`: all the tables of a
# year that describe the same people (the digital training's target groups, senior age bands,
# all ages and nationalities; the engineers by job, centre, vendor and seniority; the staff by
# type and completion) are protected together, so every page that prints them prints the same
# marks. The people are split into atoms, the finest cells any of the tables needs (target
# group × age band × gender, …); every printed count is a sum of atoms, and splits of the same
# people that no table crosses (facets, e.g. by nationality) share their per-gender totals.
# A count prints as the number, as 「<t」 (a count from 1 to t-1) or as 「*」 (not shown: any
# number, 0 included). A reader who knows this and everything printed may solve for any count;
# the audit does exactly that with an integer program over the atoms (SciPy's milp, HiGHS),
# printed shares included as intervals. The rule every count must meet:
#
# - a 「<t」 count admits every value from 1 to t-1;
# - a small count printed 「*」 admits 0 or a value of t or more;
# - a small count never printed but implied (a complement such as headcount minus
#   completed) admits 0 or t or more, or else every value from 1 to t-1.
#
# Rows are printed in a data-independent order (the form's, or by name), never by size: an
# order by size tells the reader which of two hidden counts is the larger.
#
# Marks: "" shown, "<" printed 「<t」, "*" printed 「*」.

SHOWN, SMALL, STAR = "", "<", "*"
COUNTS: tuple[str, ...] = (*GENDERS, TOTAL)
WHOLE = "全體"
"""The canonical key of a count over every atom: the same cell in every facet and table."""

Key = tuple


@dataclass
class _Cell:
    atoms: list[int]
    value: int
    gender: bool  # a 男/女/其他 count; a 合計 is protected only through its parts


@dataclass
class _Layout:
    """Where one printed table's cells are: their keys by row and column, and its 合計 row."""

    labels: list[Any]
    columns: list[str]
    keys: list[list[Key]]
    total_row: int | None
    index_name: str | None
    facet: str
    rows: list[list[Hashable]]  # the atoms of each row

    def sums(self) -> list[tuple[list[Key], bool]]:
        """Every printed sum as (cell keys, total last; whether it is a row)."""
        out: list[tuple[list[Key], bool]] = []
        parts = [j for j, c in enumerate(self.columns) if c in GENDERS]
        if TOTAL in self.columns and parts:
            tc = self.columns.index(TOTAL)
            out += [([row[j] for j in parts] + [row[tc]], True) for row in self.keys]
        if self.total_row is not None and len(self.keys) > 1:
            body = [i for i in range(len(self.keys)) if i != self.total_row]
            for j in range(len(self.columns)):
                out.append(([self.keys[i][j] for i in body] + [self.keys[self.total_row][j]],
                            False))
        return out


@dataclass(frozen=True)
class Share:
    """A printed share: ``numerator`` / ``denominator`` (cell keys) printed as ``pct`` with
    ``decimals`` places, rounded half-up (「63.01%」 is 63.01, 2)."""

    numerator: Key
    denominator: Key
    pct: Decimal
    decimals: int

    def rows(self, num: np.ndarray, den: np.ndarray) -> list[tuple[np.ndarray, float, float]]:
        """count/total in [p − ½·10⁻ᵏ, p + ½·10⁻ᵏ) %, as integer rows: with s = 10ᵏ and
        P = p·s, 200·s·count − (2P − 1)·total ≥ 0 and 200·s·count − (2P + 1)·total ≤ −1."""
        s = 10 ** self.decimals
        big_p = int(self.pct * s)
        return [(200 * s * num - (2 * big_p - 1) * den, 0.0, np.inf),
                (200 * s * num - (2 * big_p + 1) * den, -np.inf, -1.0)]


class Population:
    """Every table published about one population, protected and audited together.

    >>> pop = Population(3)
    >>> pop.add_facet("對象", counts_table({"甲": {"男": 1, "女": 9}, "乙": {"男": 9, "女": 9}}))
    >>> pop.add_table("表", "對象", {"甲": ["甲"], "乙": ["乙"]})
    >>> [pop.protect()["表"].text("甲", c) for c in COUNTS]
    ['<3', '9', '0', '*']
    """

    def __init__(self, threshold: int | None = 3) -> None:
        self.threshold = threshold
        self._values: list[int] = []
        self._facets: dict[str, dict[Hashable, list[int]]] = {}
        self._cells: dict[Key, _Cell] = {}
        self._order: dict[Key, int] = {}
        self._layouts: dict[str, _Layout] = {}
        self._latent: dict[Key, _Cell] = {}
        self._shares: list[Share] = []
        self._fixed: dict[Key, str] = {}
        self._keep: set[Key] = set()
        self._revealed: dict[Key, str] = {}
        self._pool: list[np.ndarray] = []
        self._marks: dict[Key, str] | None = None

    # ------------------------------------------------------------------ describing it

    def add_facet(self, name: str, counts: pd.DataFrame) -> None:
        """One split of the people: ``counts`` indexed by atom (any hashable: a label or a
        tuple such as (target group, age band)), columns 男, 女, 其他 (absent ones 0).
        Every facet counts the same people, so their per-gender totals must agree."""
        atoms: dict[Hashable, list[int]] = {}
        for key, row in zip(counts.index, counts.reindex(columns=list(GENDERS), fill_value=0)
                            .to_numpy(dtype="int64"), strict=True):
            atoms[key] = list(range(len(self._values), len(self._values) + len(GENDERS)))
            self._values.extend(int(v) for v in row)
        if self._facets:
            first = next(iter(self._facets.values()))
            for g in range(len(GENDERS)):
                if self._sum([a[g] for a in first.values()]) != self._sum(
                        [a[g] for a in atoms.values()]):
                    raise ValueError(f"「{name}」的各性別合計與同一母體的其他分類不一致")
        self._facets[name] = atoms
        self._marks = None

    def _sum(self, atoms: list[int]) -> int:
        return int(sum(self._values[a] for a in atoms))

    def _cell(self, facet: str, atom_keys: Sequence[Hashable], column: str) -> Key:
        atoms = self._facets[facet]
        keys = frozenset(atom_keys)
        unknown = [k for k in keys if k not in atoms]
        if unknown:
            raise KeyError(f"「{facet}」沒有這些類別：{unknown[:5]}")
        genders = range(len(GENDERS)) if column == TOTAL else [GENDERS.index(column)]
        ids = sorted(atoms[k][g] for k in keys for g in genders)
        key: Key = (WHOLE, column) if keys == set(atoms) else (facet, keys, column)
        if key not in self._cells:
            self._cells[key] = _Cell(ids, self._sum(ids), column in GENDERS)
            self._order[key] = len(self._order)
        return key

    def add_table(self, name: str, facet: str, rows: Mapping[Any, Sequence[Hashable]], *,
                  total: bool = True, columns: Sequence[str] = COUNTS,
                  index_name: str | None = None, keep_totals: bool = False,
                  whole: bool = False) -> None:
        """A printed table: one row per label (in the order given, which must not depend on
        the counts), each the sum of the listed atoms of ``facet``; with ``total`` a 合計
        row of all of them. ``columns`` are those printed, among 男, 女, 其他, 合計. With
        ``keep_totals`` its 合計 column is hidden last (it carries the overall rates); with
        ``whole`` its 合計 row counts every atom of the facet (rows of nobody left out)."""
        labels = list(rows)
        groups = [list(rows[k]) for k in labels]
        if total:
            labels.append(TOTAL)
            groups.append(list(self._facets[facet]) if whole else [a for g in groups for a in g])
        keys = [[self._cell(facet, g, c) for c in columns] for g in groups]
        if keep_totals and TOTAL in columns:
            self._keep |= {row[list(columns).index(TOTAL)] for row in keys}
        self._layouts[name] = _Layout(labels, list(columns), keys,
                                      len(labels) - 1 if total else None, index_name, facet,
                                      groups)
        self._marks = None

    def add_latent(self, facet: str, atom_keys: Sequence[Hashable]) -> None:
        """Counts never printed but implied by what is (e.g. who did not complete, headcount
        minus completed): per gender, each must not be pinned to 1..t-1 either."""
        for g in GENDERS:
            key = self._cell(facet, atom_keys, g)
            self._latent[key] = self._cells.pop(key)
            self._order.pop(key, None)
        self._marks = None

    def add_share(self, share: Share) -> None:
        """A share printed elsewhere (a sentence): the audit reads it as an interval."""
        self._shares.append(share)
        self._marks = None

    def fix(self, table: str, row: Any, marks: Mapping[str, str]) -> None:
        """Print one row as another publication already printed it (e.g. the year's totals
        in last year's trend); its marks are kept."""
        layout = self._layouts[table]
        i = layout.labels.index(row)
        for j, c in enumerate(layout.columns):
            self._fixed[layout.keys[i][j]] = marks.get(c, SHOWN)
        self._marks = None

    def reveal(self, marks: Mapping[Key, str]) -> None:
        """Cells another publication prints (e.g. a later year's trend row): :meth:`printed`
        reads them as printed there, whatever this population's own marks."""
        self._revealed.update(marks)

    def printed(self) -> dict[Key, str]:
        """Every cell as a reader finds it over all publications: the marks, with a count
        any publication prints as a number read as a number."""
        out = dict(self.marks())
        out.update({k: m for k, m in self._revealed.items() if k in out and m == SHOWN})
        return out

    def key(self, table: str, row: Any, column: str) -> Key:
        """The key of one printed cell (for :class:`Share`)."""
        layout = self._layouts[table]
        return layout.keys[layout.labels.index(row)][layout.columns.index(column)]

    # ------------------------------------------------------------------ protecting it

    def marks(self) -> dict[Key, str]:
        """What every printed count prints (computed once; see the module comment)."""
        if self._marks is None:
            self._marks = self._protect()
        return self._marks

    def table(self, name: str) -> ProtectedTable:
        """One printed table with its marks."""
        layout = self._layouts[name]
        marks = self.marks()
        atoms = self._facets[layout.facet]
        data = {lab: {g: self._sum([atoms[a][i] for a in row]) for i, g in enumerate(GENDERS)}
                for lab, row in zip(layout.labels, layout.rows, strict=True)}
        frame = (counts_table(data, index_name=layout.index_name) if data else
                 counts_table({"": {"男": 0, "女": 0}}).iloc[:0])
        frame.index = pd.Index(layout.labels, name=layout.index_name, dtype=object)
        out = pd.DataFrame([[marks[k] for k in row] for row in layout.keys],
                           index=frame.index, columns=layout.columns, dtype=object)
        return ProtectedTable(frame, out, self.threshold)

    def protect(self) -> dict[str, ProtectedTable]:
        """Every table of the population, protected together."""
        return {name: self.table(name) for name in self._layouts}

    def leaks(self, marks: Mapping[Key, str] | None = None) -> list[dict[str, Any]]:
        """The small counts a reader can pin from everything printed (empty when the rule
        holds): one dict per count with 表, 類別, 欄, 最小, 最大."""
        marks = self.marks() if marks is None else marks
        audit = _Audit(self, marks)
        where = {k: (name, lab, col) for name, lay in self._layouts.items()
                 for lab, row in zip(lay.labels, lay.keys, strict=True)
                 for col, k in zip(lay.columns, row, strict=True)}
        out = []
        for k in audit.leaking():
            name, lab, col = where.get(k, ("（隱含）", str(k[1]) if len(k) > 2 else WHOLE, k[-1]))
            lo, hi = audit.range(k)
            out.append({"表": name, "類別": lab, "欄": col, "最小": lo, "最大": hi})
        return out

    def _small(self, cell: _Cell) -> bool:
        t = self.threshold or 0
        return cell.gender and 0 < cell.value < t

    def _rank(self, key: Key) -> tuple:
        # Which visible count to hide first: a 合計 row last (every reader uses it), then the
        # smallest value, a 合計 before a gender count of the same value.
        in_total = any(key in lay.keys[lay.total_row] for lay in self._layouts.values()
                       if lay.total_row is not None)
        return (in_total or key[0] == WHOLE or key in self._keep, self._cells[key].value,
                key[-1] != TOTAL, self._order[key])

    def _sums(self) -> list[tuple[list[Key], bool]]:
        return [s for lay in self._layouts.values() for s in lay.sums()]

    def _close(self, marks: dict[Key, str], sums: list[tuple[list[Key], bool]]) -> None:
        """Give every printed sum with a single hidden cell a second one (one unknown in a
        sum gives it away without any solving): in a row its 合計, else the cheapest."""
        changed = True
        while changed:
            changed = False
            for keys, in_row in sums:
                if sum(marks[k] != SHOWN for k in keys) != 1:
                    continue
                free = [k for k in keys if marks[k] == SHOWN and k not in self._fixed
                        and self._cells[k].value > 0]
                if not free:
                    continue
                first = in_row and keys[-1] not in self._keep
                marks[min(free, key=lambda k: (not (first and k == keys[-1]),
                                               self._rank(k)))] = STAR
                changed = True

    def _near(self, leaks: list[Key], sums: list[tuple[list[Key], bool]]) -> set[Key]:
        near = {k for keys, _ in sums if set(keys) & set(leaks) for k in keys}
        for k in leaks:
            if k in self._latent:
                atoms = set(self._latent[k].atoms)
                near |= {c for c, cell in self._cells.items() if atoms & set(cell.atoms)}
        return near

    def _scopes(self) -> list[frozenset[int] | None]:
        """The parts protected one after the other: each facet alone (its gender totals as
        printed), then, unless every gender total is printed as a number (the facets then
        share nothing unknown), all of them together. Solving the small parts first makes
        the joint pass short."""
        if len(self._facets) < 2:
            return [None]
        each: list[frozenset[int] | None] = [
            frozenset(i for ids in atoms.values() for i in ids)
            for atoms in self._facets.values()]
        if all(self._fixed.get((WHOLE, g)) == SHOWN for g in GENDERS):
            return each
        return [*each, None]

    def _protect(self) -> dict[Key, str]:
        t = self.threshold
        marks = {k: SHOWN for k in self._cells}
        if t is None or t < 2 or not self._cells:
            return marks
        for k, cell in self._cells.items():
            if self._small(cell):
                marks[k] = SMALL
        marks.update(self._fixed)
        sums = self._sums()
        self._close(marks, sums)
        for scope in self._scopes():
            marks = self._protect_scope(marks, sums, scope)
        return marks

    def _in(self, key: Key, scope: frozenset[int] | None) -> bool:
        return scope is None or set(self._cells[key].atoms) <= scope

    def _protect_scope(self, marks: dict[Key, str], sums: list[tuple[list[Key], bool]],
                       scope: frozenset[int] | None) -> dict[Key, str]:
        cells = [k for k in self._cells if self._in(k, scope)]
        while leaks := _Audit(self, marks, scope).leaking(first=True):
            near = self._near(leaks, sums)
            movable = [k for k in cells if marks[k] == SHOWN and k not in self._fixed
                       and self._cells[k].value > 0]
            free = [k for k in movable if k in near] or movable
            moves = [(k, STAR) for k in sorted(free, key=self._rank)]
            if not moves:  # only the 「<t」 marks themselves give it away (1 + 1 under 「<3」)
                leaks = _Audit(self, marks, scope).leaking()
                moves = [(k, STAR) for k in leaks if marks.get(k) == SMALL]
                moves += [(k, STAR) for k in sorted(near & set(cells), key=self._rank)
                          if marks[k] == SHOWN and k not in self._fixed]
            found = self._greedy(marks, moves, sums, scope) if moves else None
            if found is None or found == marks:
                for k in cells:
                    if k not in self._fixed and self._cells[k].value > 0:
                        marks[k] = STAR
                if _Audit(self, marks, scope).leaking(first=True):
                    marks.update({k: STAR for k in cells})
                break
            marks = found
        return marks

    def _greedy(self, marks: dict[Key, str], moves: list[tuple[Key, str]],
                sums: list[tuple[list[Key], bool]],
                scope: frozenset[int] | None) -> dict[Key, str] | None:
        """The first of the cheapest moves (after closing the sums) that stops every leak,
        else the cheapest one; None when there is no move."""
        trials = []
        for key, mark in moves[:_MOVES]:
            trial = dict(marks)
            trial[key] = mark
            self._close(trial, sums)
            if not _Audit(self, trial, scope).leaking(first=True):
                return trial
            trials.append(trial)
        return trials[0] if trials else None


_POOL = 400
"""Solutions kept while protecting one population (each later audit checks them first)."""
_MOVES = 6
"""Moves tried per step of the greedy search, cheapest first: each costs a whole audit, and
the cheapest cells near a leak are nearly always the ones that stop it."""


class _Audit:
    """The integer program of a population: what the reader knows, and any count's range."""

    def __init__(self, pop: Population, marks: Mapping[Key, str],
                 scope: frozenset[int] | None = None) -> None:
        from scipy.optimize import Bounds, LinearConstraint

        self.pop, self.marks = pop, marks
        t = pop.threshold or 0
        n = len(pop._values)
        rows, lo, hi = [], [], []

        def expr(cell: _Cell) -> np.ndarray:
            v = np.zeros(n)
            v[cell.atoms] = 1.0
            return v

        facets = [f for f in pop._facets.values()
                  if f and (scope is None or next(iter(f.values()))[0] in scope)]
        for g, gender in enumerate(GENDERS):  # a printed gender total bounds every facet
            whole = pop._cells.get((WHOLE, gender))
            mark = marks.get((WHOLE, gender))
            if whole is None or mark == STAR:
                continue
            for f in facets:
                v = np.zeros(n)
                v[[a[g] for a in f.values()]] = 1.0
                rows.append(v)
                lo.append(whole.value if mark == SHOWN else 1.0)
                hi.append(whole.value if mark == SHOWN else float(t - 1))
        for other in facets[1:]:
            for g in range(len(GENDERS)):
                v = np.zeros(n)
                v[[a[g] for a in facets[0].values()]] += 1.0
                v[[a[g] for a in other.values()]] -= 1.0
                rows.append(v)
                lo.append(0.0)
                hi.append(0.0)
        for k, cell in pop._cells.items():
            if not pop._in(k, scope):
                continue
            mark = marks[k]
            if mark == SHOWN:
                rows.append(expr(cell))
                lo.append(cell.value)
                hi.append(cell.value)
            elif mark == SMALL:
                rows.append(expr(cell))
                lo.append(1.0)
                hi.append(float(t - 1))
        for share in pop._shares:
            if marks.get(share.numerator) == SHOWN and marks.get(share.denominator) == SHOWN:
                continue  # both printed: the share tells nothing more
            if not (pop._in(share.numerator, scope) and pop._in(share.denominator, scope)):
                continue
            for v, a, b in share.rows(expr(pop._cells[share.numerator]),
                                      expr(pop._cells[share.denominator])):
                rows.append(v)
                lo.append(a)
                hi.append(b)
        self.constraints = [LinearConstraint(np.array(rows), lo, hi)] if rows else []
        self.bounds = Bounds(np.zeros(n), np.full(n, np.inf))
        self.n = n
        self.targets = {k: c for k, c in [*pop._cells.items(), *pop._latent.items()]
                        if c.gender and 0 < c.value < t
                        and (scope is None or set(c.atoms) <= scope)}
        self.exprs = {k: expr(c) for k, c in self.targets.items()}
        self.seen_lo: dict[Key, float] = {}
        self.seen_hi: dict[Key, float] = {}
        self._note(np.array(pop._values, dtype="float64"))  # the true population
        # Solutions found for other marks still bound the ranges when they fit these.
        if rows and pop._pool:
            matrix, low, high = np.array(rows), np.array(lo), np.array(hi)
            for x in pop._pool:
                y = matrix @ x
                if (y >= low - 1e-6).all() and (y <= high + 1e-6).all():
                    self._note(x)

    def _note(self, x: np.ndarray) -> None:
        # Every solution found bounds every count, so a bound already reached is not solved
        # for again: most audits need a handful of solves, not two per count.
        x = np.round(x)
        for k, e in self.exprs.items():
            v = float(e @ x)
            self.seen_lo[k] = min(self.seen_lo.get(k, np.inf), v)
            self.seen_hi[k] = max(self.seen_hi.get(k, -np.inf), v)

    def _solve(self, key: Key, sense: float) -> float:
        from scipy.optimize import milp

        res = milp(sense * self.exprs[key], constraints=self.constraints,
                   integrality=np.ones(self.n), bounds=self.bounds)
        if res.x is None:  # unbounded: only a count without an upper bound can be
            return np.inf
        self._note(res.x)
        if len(self.pop._pool) < _POOL:
            self.pop._pool.append(np.round(res.x))
        return float(round(float(self.exprs[key] @ np.round(res.x))))

    def range(self, key: Key) -> tuple[float, float]:
        """Smallest and largest value of a count given everything printed."""
        t = self.pop.threshold or 0
        small = self.marks.get(key) == SMALL
        floor, ceil = (1.0, float(t - 1)) if small else (0.0, np.inf)
        lo = floor if self.seen_lo[key] == floor else self._solve(key, 1.0)
        hi = ceil if self.seen_hi[key] == ceil else self._solve(key, -1.0)
        return lo, hi

    def leaks(self, key: Key) -> bool:
        """Whether a small count breaks the rule (see the comment above)."""
        t = self.pop.threshold or 0
        if self.marks.get(key) == SMALL:
            return self.range(key) != (1.0, float(t - 1))
        if self.marks.get(key) == SHOWN:
            return True
        if self.seen_lo[key] == 0 or self.seen_hi[key] >= t:
            return False
        lo, hi = self.range(key)
        if key in self.pop._latent and (lo, hi) == (1.0, float(t - 1)):
            return False  # no more than a 「<t」 beside it says
        return not (lo == 0 or hi >= t)

    def leaking(self, *, first: bool = False) -> list[Key]:
        out = []
        for k in self.targets:
            if self.leaks(k):
                out.append(k)
                if first:
                    break
        return out


def _count_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in COUNTS if c in table.columns]


def table_population(table: pd.DataFrame, threshold: int | None = 3, *,
                     name: str = "表") -> Population:
    """A population printed as one gender table: its body rows are the atoms (the 合計 row,
    if any, their sum)."""
    cols = _count_columns(table)
    body = [k for k in table.index if not is_total_label(k)]
    has_total = len(body) < len(table)
    pop = Population(threshold)
    pop.add_facet(name, table.loc[body, [c for c in cols if c in GENDERS]])
    pop.add_table(name, name, {k: [k] for k in body}, total=has_total, columns=cols,
                  index_name=table.index.name)
    return pop


def _given_marks(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Marks from a marks frame, or from a bool mask (a hidden small count prints 「<t」)."""
    if hidden.to_numpy().dtype != bool:
        return hidden
    cols = list(hidden.columns)
    values = table[cols].to_numpy(dtype="float64")
    small = np.array([c in GENDERS for c in cols])[None, :] & (values > 0) & (values < threshold)
    marks = np.where(hidden.to_numpy(), np.where(small, SMALL, STAR), SHOWN)
    return pd.DataFrame(marks, index=hidden.index, columns=cols, dtype=object)


def _marks_by_key(pop: Population, name: str, marks: pd.DataFrame) -> dict[Key, str]:
    layout = pop._layouts[name]
    return {k: marks.iloc[i][c] for i, row in enumerate(layout.keys)
            for c, k in zip(layout.columns, row, strict=True)}


def cell_ranges(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """What a reader can work out about every hidden cell of a protected table.

    ``hidden`` is a marks frame (:func:`suppression_marks`) or a bool mask (hidden small
    counts then print 「<t」). One row per hidden cell: 類別, 欄, 公開為 (「<3」 or 「*」),
    最小, 最大 (``inf`` when unbounded), 可推算 (the cell breaks the rule).

    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 8}}, total=True)
    >>> h = pd.DataFrame(False, index=t.index, columns=["男", "女", "其他", "合計"])
    >>> h.loc["甲", ["男", "女"]] = True
    >>> cell_ranges(t, h, 3)[["最小", "最大", "可推算"]].values.tolist()
    [[1.0, 1.0, True], [1.0, 1.0, True]]
    """
    pop = table_population(table[list(hidden.columns)], threshold)
    marks = _given_marks(table, hidden, threshold)
    by_key = _marks_by_key(pop, "表", marks)
    audit = _Audit(pop, by_key)
    layout = pop._layouts["表"]
    rows, done = [], set()
    for i, row in enumerate(layout.keys):
        for c, k in zip(layout.columns, row, strict=True):
            if by_key[k] == SHOWN or k in done:
                continue
            done.add(k)
            if k in audit.targets:
                lo, hi = audit.range(k)
                leak = audit.leaks(k)
            else:
                audit.exprs[k] = np.zeros(audit.n)
                audit.exprs[k][pop._cells[k].atoms] = 1.0
                audit.seen_lo[k], audit.seen_hi[k] = np.inf, -np.inf
                lo, hi = audit._solve(k, 1.0), audit._solve(k, -1.0)
                leak = False
            rows.append({"類別": layout.labels[i], "欄": c,
                         "公開為": f"<{threshold}" if by_key[k] == SMALL else SECONDARY,
                         "最小": lo, "最大": hi, "可推算": bool(leak)})
    return pd.DataFrame(rows, columns=["類別", "欄", "公開為", "最小", "最大", "可推算"])


def recoverable_cells(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """True where a hidden small count breaks the rule (see :func:`cell_ranges`); all False
    for a table that holds."""
    cols = list(hidden.columns)
    pop = table_population(table[cols], threshold)
    by_key = _marks_by_key(pop, "表", _given_marks(table, hidden, threshold))
    leaking = set(_Audit(pop, by_key).leaking())
    layout = pop._layouts["表"]
    out = [[k in leaking and by_key[k] != SHOWN for k in row] for row in layout.keys]
    return pd.DataFrame(out, index=table.index, columns=cols)


def suppression_marks(table: pd.DataFrame, threshold: int | None = 3, *,
                      fixed: pd.Series | None = None) -> pd.DataFrame:
    """What each count of one gender table prints: "" (the number), "<" (「<t」) or "*",
    by :class:`Population` (a table alone is a population of its rows).

    1. Primary: a 男/女/其他 count from 1 to ``threshold`` − 1 prints 「<t」. Zeros stay.
    2. Every printed sum left with a single hidden cell gets a second one: in a row its
       合計, else the smallest visible non-zero count (cells of the 合計 row last).
    3. Audit by solving: while a small count can be pinned, one more non-zero cell is
       hidden, greedily (of the visible cells in the sums through the leaking cells, the
       first that stops every leak, else the one leaving the fewest); then step 2 again.
    4. Only when no visible non-zero cell is left to hide, a leaking 「<t」 prints 「*」
       instead; as a last resort every count prints 「*」.

    ``fixed`` gives the marks (or bool mask) of the 合計 row when another table already
    printed that row; they are kept. ``threshold`` None or below 2 shows everything.

    >>> t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 9}}, total=True)
    >>> suppression_marks(t).loc["甲"].tolist()
    ['<', '<', '', '*']
    """
    cols = _count_columns(table)
    if threshold is None or threshold < 2 or table.empty:
        return pd.DataFrame(SHOWN, index=table.index, columns=cols, dtype=object)
    pop = table_population(table[cols], threshold)
    if fixed is not None and pop._layouts["表"].total_row is not None:
        given = fixed.reindex(cols)
        if all(isinstance(v, bool | np.bool_) for v in given.dropna()):
            row = table.loc[[TOTAL], cols]
            given = _given_marks(row, pd.DataFrame([given.fillna(False).astype(bool)],
                                                   index=row.index), threshold).iloc[0]
        pop.fix("表", TOTAL, given.fillna(SHOWN).to_dict())
    marks = pop.table("表").marks
    marks.index = table.index
    return marks


def suppression_mask(table: pd.DataFrame, threshold: int | None = 3, *,
                     fixed: pd.Series | None = None) -> pd.DataFrame:
    """The cells :func:`suppression_marks` hides, as a boolean DataFrame (True = hide).

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

    def __deepcopy__(self, memo: dict) -> ProtectedTable:
        # Immutable, and carried in DataFrame.attrs, which pandas deep-copies on every step.
        return self

    @property
    def hidden(self) -> pd.DataFrame:
        """True where a count is not printed as a number."""
        return self.marks != SHOWN

    @property
    def any_hidden(self) -> bool:
        """Whether any cell is hidden."""
        return bool(self.hidden.to_numpy().any())

    def shown(self, key: Any, column: str) -> bool:
        """Whether the cell prints its number (a column it does not print is not shown)."""
        return column in self.marks.columns and self.marks.loc[key, column] == SHOWN

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
    ``genderstats.present.tables.gender_block(table, caption, protected=…)``. ``fixed``: the
    marks of the 合計 row when another table already printed it.

    >>> from genderstats.stats import counts_table
    >>> p = protect_people_table(counts_table({"甲": {"男": 26, "女": 11, "其他": 1}}))
    >>> [p.text("甲", c) for c in ("男", "女", "其他", "合計")]
    ['26', '11', '<3', '*']
    """
    return ProtectedTable(table, suppression_marks(table, threshold, fixed=fixed), threshold)


PROTECTION = "genderstats.protection"
"""``DataFrame.attrs`` key: the :class:`ProtectedTable` that says what of a people-level
table may be printed, so a renderer handed the bare table still prints only that."""


def carry(table: pd.DataFrame, protected: ProtectedTable) -> pd.DataFrame:
    """``table`` with ``protected`` attached (see :data:`PROTECTION`)."""
    table.attrs[PROTECTION] = protected
    return table


def protection_of(table: pd.DataFrame) -> ProtectedTable | None:
    """The protection attached to ``table`` by :func:`carry`, if it still describes it."""
    protected = table.attrs.get(PROTECTION)
    if isinstance(protected, ProtectedTable) and all(
            k in protected.table.index for k in table.index):
        return protected
    return None


def printable(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``table`` that may be printed exactly (charts, alt text): all of them for
    a table without protection, else only those its protection prints in full."""
    protected = protection_of(table)
    if protected is None:
        return table
    out = table.loc[[k for k in table.index if protected.row_shown(k)]]
    out.attrs = {}
    return out


def masked(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with what its protection hides set to NaN: hidden counts, and the
    shares beside a hidden count or a hidden 合計 (for a chart that marks gaps)."""
    protected = protection_of(table)
    out = table.copy()
    out.attrs = {}
    if protected is None:
        return out
    for key in table.index:
        for g in GENDERS:
            hidden = not protected.shown(key, g) or not protected.shown(key, TOTAL)
            if not protected.shown(key, g) and g in out.columns:
                out.loc[key, g] = np.nan
            if hidden and f"{g}%" in out.columns:
                out.loc[key, f"{g}%"] = np.nan
        if not protected.shown(key, TOTAL) and TOTAL in out.columns:
            out.loc[key, TOTAL] = np.nan
    return out
