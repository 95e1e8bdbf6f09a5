"""genderstats.privacy: small-cell suppression, escaping."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd

from genderstats import privacy
from genderstats.stats import counts_table


def test_escape():
    assert privacy.escape("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert privacy.escape('a"b&') == "a&quot;b&amp;"
    assert privacy.escape(None) == "" and privacy.escape(float("nan")) == ""
    assert privacy.escape(12) == "12"


def test_suppression_primary_keeps_zeros_and_large_counts():
    t = counts_table({"甲": {"男": 0, "女": 2, "其他": 1}, "乙": {"男": 3, "女": 4}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.columns.tolist() == ["男", "女", "其他", "合計"]
    assert m.loc["甲"].tolist() == [False, True, True, False]
    assert m.loc["乙"].tolist() == [False, False, False, False]


def test_suppression_threshold_none_hides_nothing():
    t = counts_table({"甲": {"男": 1, "女": 1}})
    assert not privacy.suppression_mask(t, None).to_numpy().any()


def test_suppression_secondary_in_row():
    # 男 1 alone hidden: 合計 − 女 − 其他 would give it back, so the row's 合計 goes too
    # (rather than a gender count: the split of the others stays readable).
    t = counts_table({"甲": {"男": 1, "女": 9, "其他": 4}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲"].tolist() == [True, False, False, True]
    assert not privacy.recoverable_cells(t, m, 3).to_numpy().any()


def test_suppression_secondary_hides_row_total_when_no_other_part():
    t = counts_table({"甲": {"男": 1, "女": 0}})
    m = privacy.suppression_mask(t, threshold=3)
    assert m.loc["甲"].tolist() == [True, False, False, True]


def test_suppression_without_total_row_checks_rows_only():
    t = counts_table({"甲": {"男": 2, "女": 1}, "乙": {"男": 5, "女": 7}})
    m = privacy.suppression_mask(t, threshold=3)
    # 合計 3 with two 「<3」 cells: 1+2 or 2+1, so the total may stay.
    assert m.loc["甲"].tolist() == [True, True, False, False]
    assert not m.loc["乙"].any()
    ranges = privacy.cell_ranges(t, m, 3)
    assert ranges[["最小", "最大"]].values.tolist() == [[1, 2], [1, 2]]


def test_two_ones_summing_to_two_are_caught_by_the_solver():
    # 甲 男1 女1 合計2: with both counts hidden as "<3", the row total still gives 1 and 1.
    t = counts_table({"甲": {"男": 1, "女": 1}, "乙": {"男": 9, "女": 8}, "丙": {"男": 7, "女": 6}},
                     total=True)
    leaky = pd.DataFrame(False, index=t.index, columns=["男", "女", "其他", "合計"])
    leaky.loc["甲", ["男", "女"]] = True
    ranges = privacy.cell_ranges(t, leaky, 3).set_index(["類別", "欄"])
    assert ranges.loc[("甲", "男"), ["最小", "最大"]].tolist() == [1, 1]
    assert privacy.recoverable_cells(t, leaky, 3).loc["甲", ["男", "女"]].all()
    safe = privacy.suppression_mask(t, threshold=3)
    assert safe.loc["甲"].tolist() == [True, True, False, True]
    assert not privacy.recoverable_cells(t, safe, 3).to_numpy().any()


# The table of issue 13: the page used to print 日本/其他 and 緬甸/男 as <3 while the sums
# forced them to 1 and 2.
ISSUE_13 = {"中華民國": (47, 34, 1), "越南": (5, 0, 4), "印尼": (4, 0, 3), "日本": (5, 0, 1),
            "泰國": (2, 0, 0), "緬甸": (2, 3, 2)}


def _table(rows: dict[str, tuple[int, ...]], total: bool = True) -> pd.DataFrame:
    return counts_table({k: dict(zip(("男", "女", "其他"), v, strict=False))
                         for k, v in rows.items()}, total=total)


def test_issue_13_table_recoded_then_suppressed_holds():
    table = privacy.recode_small(_table(ISSUE_13), 10, label="其他國籍", keep=("未填",))
    assert list(table.index) == ["中華民國", "其他國籍", "合計"]
    assert table.loc["其他國籍", ["男", "女", "其他", "合計"]].tolist() == [18, 3, 10, 31]
    p = privacy.protect_people_table(table, 3)
    texts = {k: [p.text(k, c) for c in ("男", "女", "其他", "合計")] for k in table.index}
    # The main group keeps its men and women; the grand totals stay.
    assert texts == {"中華民國": ["47", "34", "<3", "*"], "其他國籍": ["18", "3", "*", "*"],
                     "合計": ["65", "37", "11", "113"]}
    ranges = privacy.cell_ranges(table, p.hidden, 3).set_index(["類別", "欄"])
    assert ranges.loc[("中華民國", "其他"), ["最小", "最大"]].tolist() == [1, 2]
    assert not ranges["可推算"].any()
    # Recorded rows: only 合計 (every body row has a hidden cell), and the merged row.
    rec = p.record()
    assert list(rec.index) == ["含隱藏格之類別合併", "合計"]


def test_issue_13_table_without_recoding_still_holds():
    table = _table(ISSUE_13)
    hidden = privacy.suppression_mask(table, 3)
    assert not privacy.recoverable_cells(table, hidden, 3).to_numpy().any()
    small = [(k, g) for k in ISSUE_13 for g in ("男", "女", "其他") if 0 < table.loc[k, g] < 3]
    assert all(hidden.loc[k, g] for k, g in small)


def test_recode_small_keeps_unknown_and_a_lone_small_category():
    t = _table({"甲": (30, 40), "乙": (1, 0), "未填": (1, 1)})
    assert privacy.recode_small(t, 10, keep=("未填",)) is t  # one small row: nothing to merge
    t = _table({"甲": (30, 40), "乙": (1, 0), "丙": (0, 2), "未填": (1, 1)})
    out = privacy.recode_small(t, 10, label="其他國籍", keep=("未填",), last=("未填",))
    assert list(out.index) == ["甲", "其他國籍", "未填", "合計"]
    assert out.loc["其他國籍", ["男", "女"]].tolist() == [1, 2]
    assert out.loc["合計", "合計"] == t.loc["合計", "合計"]
    assert privacy.recode_small(t, None) is t


def test_fixed_total_row_is_kept_as_another_table_printed_it():
    # The overall table printed 男 26, 女 11, 其他 <3, 合計 *; a breakdown's 合計 row must
    # print the same, and its body is protected around it.
    overall = privacy.protect_people_table(_table({"駐點工程師": (26, 11, 1)}, total=False), 3)
    assert overall.hidden.loc["駐點工程師"].tolist() == [False, False, True, True]
    t = _table({"甲": (13, 6, 1), "乙": (13, 5, 0)})
    m = privacy.suppression_mask(t, 3, fixed=overall.marks.loc["駐點工程師"])
    assert m.loc["合計"].tolist() == [False, False, True, True]
    assert m.loc["甲", "其他"]
    assert not privacy.recoverable_cells(t, m, 3).to_numpy().any()


def brute_force_recovered(table: pd.DataFrame, marks: pd.DataFrame, t: int) -> set:
    """Hidden 「<t」 cells left with a narrower range than 1..t-1, by enumeration.

    Independent of the solver: every value of every hidden body gender count (「<t」: 1..t-1,
    「*」: 0 up to a search limit, which can make this oracle report a leak that is not one
    but never miss one), row by row; a row's hidden 合計 follows
    from its counts, and a table is kept when its column sums agree with what the 合計 row
    prints (shown cells, 「<t」 as 1..t-1, 「*」 as any count).
    """
    if marks.to_numpy().dtype == bool:  # a mask: hidden small counts print 「<t」
        small_cells = (table[marks.columns] > 0) & (table[marks.columns] < t)
        small_cells[["合計"]] = False
        marks = marks.where(~marks, np.where(small_cells, "<", "*")).where(marks, "")
    hidden = marks != ""
    genders = ["男", "女", "其他"]
    body = [k for k in table.index if k != "合計"]
    val = {(k, c): int(table.loc[k, c]) for k in table.index for c in [*genders, "合計"]}
    has_total = "合計" in table.index
    # A search limit only: fewer tables tried can make a range look narrower, never wider,
    # so an empty answer is still a proof.
    cap = min(int(table.loc[body, genders].to_numpy().sum()), 2 * t)

    def small(k, c):
        return c in genders and 0 < val[(k, c)] < t

    def fits(k, c, v):
        if not hidden.loc[k, c]:
            return v == val[(k, c)]
        if marks.loc[k, c] == "<":
            return 1 <= v < t
        return v >= 0

    def domain(k, g):
        if marks.loc[k, g] == "<":
            return range(1, t)
        hi = cap  # no count exceeds a printed total of its row or column
        if not hidden.loc[k, "合計"]:
            hi = min(hi, val[(k, "合計")])
        if has_total and not hidden.loc["合計", g]:
            hi = min(hi, val[("合計", g)])
        return range(0, hi + 1)

    options = []
    for k in body:
        cells = [g for g in genders if hidden.loc[k, g]]
        rows = []
        for combo in itertools.product(*(domain(k, g) for g in cells)):
            row = {g: val[(k, g)] for g in genders} | dict(zip(cells, combo, strict=True))
            if fits(k, "合計", sum(row.values())):
                rows.append(row)
        options.append(rows)
    if has_total:  # keep only row options whose column sums can still reach the 合計 row
        shown = [g for g in genders if not hidden.loc["合計", g]]
        for pos, rows in enumerate(options):
            others = [o for i, o in enumerate(options) if i != pos]
            lo = {g: sum(min(r[g] for r in o) for o in others) for g in shown}
            options[pos] = [r for r in rows if all(r[g] + lo[g] <= val[("合計", g)]
                                                   for g in shown)]
    seen: dict[tuple, set] = {(k, g): set() for k in table.index for g in genders
                              if hidden.loc[k, g] and small(k, g)}
    starred = {c for c in seen if marks.loc[c] == "*"}
    for rows in itertools.product(*options):
        if has_total:
            sums = {g: sum(r[g] for r in rows) for g in genders}
            if not (all(fits("合計", g, sums[g]) for g in genders)
                    and fits("合計", "合計", sum(sums.values()))):
                continue
            for g in genders:
                if ("合計", g) in seen:
                    seen[("合計", g)].add(sums[g])
        for k, r in zip(body, rows, strict=True):
            for g in genders:
                if (k, g) in seen:
                    seen[(k, g)].add(r[g])
    # A 「<t」 cell must admit 1..t-1; a small count printed 「*」 must admit 0 or t or more.
    return {c for c, vs in seen.items()
            if (c in starred and not (0 in vs or max(vs, default=0) >= t))
            or (c not in starred and vs != set(range(1, t)))}


def test_brute_force_oracle_finds_the_leak_it_should():
    t = _table({"甲": (1, 1), "乙": (9, 8)})
    leaky = pd.DataFrame(False, index=t.index, columns=["男", "女", "其他", "合計"])
    leaky.loc["甲", ["男", "女"]] = True
    assert brute_force_recovered(t, leaky, 3) == {("甲", "男"), ("甲", "女")}
    starred = leaky.astype(object).where(~leaky, "*").where(leaky, "")
    starred.loc["甲", "合計"] = "*"
    assert brute_force_recovered(t, starred, 3) == {("甲", "男"), ("甲", "女")}  # 10 − 9
    starred.loc["合計", ["男", "女", "合計"]] = "*"
    assert brute_force_recovered(t, starred, 3) == set()


def _random_table(rng: np.random.Generator, rows: int, values: list[int], other: bool):
    return _table({f"國{i}": (int(rng.choice(values)), int(rng.choice(values)),
                              int(rng.choice([0, 0, 1, 2, 4])) if other else 0)
                   for i in range(rows)}, total=bool(rng.random() < 0.85))


def test_randomised_audit_no_hidden_small_cell_is_recoverable():
    """≥200 random tables: the solver's own audit and, for the tiny ones, enumeration."""
    rng = np.random.default_rng(20240613)
    checked = enumerated = hidden_small = starred_small = 0
    started = time.perf_counter()
    for n in range(200):
        tiny = n < 140
        table = _random_table(rng, int(rng.integers(2, 4)) if tiny else int(rng.integers(3, 6)),
                              [0, 1, 2, 3, 4] if tiny else [0, 1, 2, 3, 5, 8, 20, 60],
                              other=not tiny or n % 3 == 0)
        marks = privacy.suppression_marks(table, 3)
        hidden = marks != ""
        counts = table[["男", "女", "其他"]]
        small = (counts > 0) & (counts < 3)
        assert hidden[["男", "女", "其他"]][small].fillna(True).all().all()
        starred_small += int(((marks[["男", "女", "其他"]] == "*") & small).to_numpy().sum())
        assert not privacy.recoverable_cells(table, marks, 3).to_numpy().any(), table
        if tiny:
            assert brute_force_recovered(table, marks, 3) == set(), table
            enumerated += 1
        checked += 1
        hidden_small += int(small.to_numpy().sum())
    assert (checked, enumerated) == (200, 140)
    assert hidden_small > 200  # the tables really had small cells to protect
    assert time.perf_counter() - started < 180


def test_protected_table_texts_record_and_note():
    p = privacy.protect_people_table(_table({"甲": (26, 11, 1)}, total=False), 3)
    assert [p.text("甲", c) for c in ("男", "女", "其他", "合計", "男%")] == [
        "26", "11", "<3", "*", "-"]
    assert p.note() == ("註：「<3」表示人數未達3；「*」表示為避免推算出前述數字而一併隱藏，"
                        "以保護個人隱私。")
    assert p.record().empty  # the only row has hidden cells, and there is no 合計 row
    assert p.shown_rows().empty
