"""Sex-disaggregated tables, shares, the one-third rule and trends.

Every table here has the same shape (a "gender table"): one row per category and the
columns ``男, 女, 其他, 合計`` (int64 counts; 其他 always present) followed by
``男%, 女%, 其他%`` (float shares of the row's 合計 in 0..1, unrounded; NaN when the
合計 is 0). Counts stay exact; rounding happens only when a number is displayed
(:mod:`genderstats.numbers`).

>>> import pandas as pd
>>> members = pd.DataFrame({"gender": ["男", "女", "女"], "group": ["甲", "甲", "乙"]})
>>> t = gender_table(members, by="group")
>>> list(t.index), t["女"].tolist(), t["合計"].tolist()
(['甲', '乙', '合計'], [1, 1, 2], [2, 1, 3])
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from fractions import Fraction
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

from genderstats.config import GENDERS, TOTAL
from genderstats.numbers import is_missing, parse_threshold

COUNT_COLUMNS: list[str] = [*GENDERS, TOTAL]
SHARE_COLUMNS: list[str] = [f"{g}%" for g in GENDERS]
TABLE_COLUMNS: list[str] = [*COUNT_COLUMNS, *SHARE_COLUMNS]
DEFAULT_INDEX_NAME = "類別"
ONE_THIRD = Fraction(1, 3)

__all__ = [
    "COUNT_COLUMNS",
    "SHARE_COLUMNS",
    "TABLE_COLUMNS",
    "ONE_THIRD",
    "gender_table",
    "counts_table",
    "minority_share",
    "one_third_rule",
    "rule_population",
    "trend",
    "change",
    "is_total_label",
]


# --------------------------------------------------------------------------- tables


def is_total_label(key: Any, label: str = TOTAL) -> bool:
    """True for a total row's index key: ``"合計"`` or a tuple starting with it.

    >>> is_total_label("合計"), is_total_label(("合計", "")), is_total_label("甲")
    (True, True, False)
    """
    if isinstance(key, tuple):
        return len(key) > 0 and key[0] == label and all(k == "" for k in key[1:])
    return key == label


def _checked_genders(df: pd.DataFrame, gender: str) -> pd.Series:
    if gender not in df.columns:
        raise KeyError(f"找不到性別欄「{gender}」；現有欄位：{list(df.columns)}")
    values = df[gender]
    # Check the distinct values only: cheap on a million rows, Categorical or not.
    if any(is_missing(v) or v not in GENDERS for v in pd.unique(values)):
        bad = ~values.isin(GENDERS)
        shown = sorted({str(v) for v in values[bad]})[:5]
        raise ValueError(
            f"性別欄「{gender}」有 {int(bad.sum())} 筆不是 男／女／其他 的值：{shown}"
            "（請先以 genderstats.data 正規化）"
        )
    return values


def _table(values: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """The gender table of a count matrix (rows × GENDERS), built in one step: it is made
    dozens of times per report, and column-by-column pandas work costs ten times more."""
    totals = values.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = values / np.where(totals > 0, totals, np.nan)[:, None]
    data: dict[str, np.ndarray] = {g: values[:, i] for i, g in enumerate(GENDERS)}
    data[TOTAL] = totals
    data.update({f"{g}%": shares[:, i] for i, g in enumerate(GENDERS)})
    return pd.DataFrame(data, index=index, columns=TABLE_COLUMNS)


def _with_totals_and_shares(counts: pd.DataFrame) -> pd.DataFrame:
    counts = counts.reindex(columns=list(GENDERS), fill_value=0)
    return _table(counts.to_numpy(dtype="int64"), counts.index)


def _level_order(
    values: pd.Series, column: Hashable, order: Sequence[Any] | Mapping[Any, Sequence] | None
) -> list[Any]:
    wanted = order.get(column) if isinstance(order, Mapping) else order
    present = list(pd.unique(values))
    if wanted is not None:
        wanted = list(wanted)
        missing = [v for v in present if v not in wanted]
        if missing:
            # Dropping them would silently change the 合計; say so instead.
            raise ValueError(f"「{column}」有不在 order 中的類別：{missing[:5]}")
        return wanted
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return present


def gender_table(
    df: pd.DataFrame,
    by: Hashable | Sequence[Hashable] | None = None,
    *,
    gender: str = "gender",
    order: Sequence[Any] | Mapping[Any, Sequence[Any]] | None = None,
    total: bool = True,
    label: str = TOTAL,
) -> pd.DataFrame:
    """Count people (rows) by gender, overall or per category, with shares.

    - ``by=None``: one row labelled ``label``.
    - ``by="col"``: one row per category, in ``order`` if given, else the column's
      Categorical order (unused categories kept as rows of zeros), else order of first
      appearance; then a final ``label`` (合計) row when ``total``.
    - ``by=["a", "b"]``: MultiIndex rows (a, b) for the combinations present, ordered by
      each level's order (``order`` may map column → sequence); the total row is keyed
      ``("合計", "")``.

    Columns: ``男, 女, 其他, 合計`` (int64) then ``男%, 女%, 其他%`` (unrounded, NaN when
    合計 is 0). A gender value other than 男/女/其他, a missing category, or a category
    outside ``order`` raises ValueError rather than silently changing the totals.

    >>> t = gender_table(pd.DataFrame({"gender": ["男", "女", "女"]}))
    >>> t.columns.tolist()
    ['男', '女', '其他', '合計', '男%', '女%', '其他%']
    >>> int(t.loc["合計", "女"]), int(t.loc["合計", "合計"]), round(float(t.loc["合計", "女%"]), 4)
    (2, 3, 0.6667)
    """
    genders = _checked_genders(df, gender)
    if by is None:
        counts = genders.value_counts().reindex(list(GENDERS), fill_value=0)
        one_row = pd.DataFrame(
            [counts.to_numpy()],
            columns=list(GENDERS),
            index=pd.Index([label], name=DEFAULT_INDEX_NAME),
        )
        return _with_totals_and_shares(one_row)

    by_cols = [by] if isinstance(by, str) or not isinstance(by, Sequence) else list(by)
    for col in by_cols:
        if col not in df.columns:
            raise KeyError(f"找不到分組欄「{col}」；現有欄位：{list(df.columns)}")
        if df[col].isna().any():
            raise ValueError(f"分組欄「{col}」有 {int(df[col].isna().sum())} 筆缺值；請先補上類別")
    if order is None or isinstance(order, Mapping) or len(by_cols) == 1:
        orders = [_level_order(df[c], c, order) for c in by_cols]
    else:
        raise ValueError("多個分組欄時，order 請用 {欄名: 順序} 的對照表")

    # .array keeps Categorical columns categorical (no per-row object conversion).
    keys = {f"_k{i}": df[c].array for i, c in enumerate(by_cols)}
    frame = pd.DataFrame({**keys, "_g": genders.array})
    key_cols = list(keys)
    counts = (
        frame.groupby([*key_cols, "_g"], sort=False, observed=True)
        .size()
        .unstack("_g", fill_value=0)
        if len(frame)
        else pd.DataFrame(
            columns=list(GENDERS), index=pd.MultiIndex.from_tuples([], names=key_cols)
        )
    )

    if len(by_cols) == 1:
        present = counts.index.get_level_values(0) if len(counts) else []
        counts.index = pd.Index(list(present), dtype=object)
        counts = counts.reindex(orders[0], fill_value=0)
        index: pd.Index = pd.Index(orders[0], name=by_cols[0], dtype=object)
    else:
        rank = [{v: i for i, v in enumerate(o)} for o in orders]
        tuples = sorted(
            counts.index, key=lambda t: tuple(r[v] for r, v in zip(rank, t, strict=True))
        )
        if len(counts):  # plain object levels, so reindexing by tuples cannot miss
            counts.index = pd.MultiIndex.from_tuples(list(counts.index))
        counts = counts.reindex(tuples)
        index = pd.MultiIndex.from_tuples(tuples, names=by_cols) if tuples else pd.MultiIndex(
            levels=[[]] * len(by_cols), codes=[[]] * len(by_cols), names=by_cols
        )
    counts.columns = pd.Index(list(counts.columns), dtype=object)
    counts = counts.reindex(columns=list(GENDERS), fill_value=0).fillna(0)
    counts.index = index
    table = _with_totals_and_shares(counts)
    if total:
        table = _append_total(table, label)
    return table


def _append_total(table: pd.DataFrame, label: str = TOTAL) -> pd.DataFrame:
    nlevels = table.index.nlevels
    key: Any = label if nlevels == 1 else (label, *[""] * (nlevels - 1))
    if any(is_total_label(k, label) for k in table.index):
        raise ValueError(f"類別中已有「{label}」，無法再加合計列")
    values = table[list(GENDERS)].to_numpy(dtype="int64")
    values = np.vstack([values, values.sum(axis=0, keepdims=True)])
    if nlevels == 1:
        index = pd.Index([*table.index, key], name=table.index.name, dtype=object)
    else:
        index = pd.MultiIndex.from_tuples([*table.index, key], names=table.index.names)
    return _table(values, index)


def _count_value(value: Any, where: str) -> int:
    if is_missing(value):
        raise ValueError(f"{where} 缺值")
    if isinstance(value, bool) or not isinstance(value, Number | np.number):
        raise ValueError(f"{where} 不是數字：{value!r}")
    if value < 0 or value != int(value):
        raise ValueError(f"{where} 必須是非負整數：{value!r}")
    return int(value)


def counts_table(
    data: Mapping[Any, Any] | pd.DataFrame | pd.Series,
    *,
    order: Sequence[Any] | None = None,
    total: bool = False,
    label: str = TOTAL,
    index_name: str | None = None,
) -> pd.DataFrame:
    """A gender table from counts already aggregated.

    ``data`` is one of: a flat mapping or Series ``{"男": 38, "女": 35}`` (one row
    labelled ``label``); a mapping of category → counts
    ``{"全體委員": {"男": 6, "女": 11}}``; or a DataFrame with columns 男, 女 and optionally
    其他 and 合計 (a given 合計 must equal 男+女+其他). A missing 其他 column counts as
    0, and so does a gender left out of a mapping; a NaN count raises ValueError.
    ``total=True`` appends a 合計 row (off by default: aggregated inputs often already
    carry their whole).

    >>> counts_table({"全體委員": {"男": 6, "女": 11}}).loc["全體委員", ["合計", "男%"]].round(4)
    合計    17.0000
    男%     0.3529
    Name: 全體委員, dtype: float64
    """
    if isinstance(data, pd.Series):
        data = data.to_dict()
    if isinstance(data, Mapping):
        values = list(data.values())
        if values and all(isinstance(v, Mapping | pd.Series) for v in values):
            # A gender left out of a category's mapping means nobody of it: {"男": 3}.
            frame = pd.DataFrame.from_dict(
                {k: {g: 0 for g in GENDERS} | dict(v) for k, v in data.items()},
                orient="index",
            )
        elif all(k in COUNT_COLUMNS for k in data):
            frame = pd.DataFrame([dict(data)], index=[label])
        else:
            raise ValueError("counts_table 需要 {性別: 人數} 或 {類別: {性別: 人數}}")
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
    else:
        raise TypeError(f"counts_table 不支援 {type(data).__name__}")

    unknown = [c for c in frame.columns if c not in COUNT_COLUMNS and c not in SHARE_COLUMNS]
    if unknown:
        raise ValueError(f"無法辨識的欄位：{unknown}（只接受 男／女／其他／合計）")
    if "男" not in frame.columns or "女" not in frame.columns:
        raise ValueError("counts_table 需要「男」與「女」兩欄")
    if "其他" not in frame.columns:
        frame["其他"] = 0
    counts = pd.DataFrame(
        {
            g: [_count_value(v, f"{k}／{g}") for k, v in frame[g].items()]
            for g in GENDERS
        },
        index=frame.index,
    )
    if TOTAL in frame.columns:
        for key, given in frame[TOTAL].items():
            expected = int(counts.loc[key].sum())
            if _count_value(given, f"{key}／{TOTAL}") != expected:
                raise ValueError(f"「{key}」的合計 {given} 不等於 男+女+其他 = {expected}")
    if order is not None:
        extra = [k for k in counts.index if k not in list(order)]
        if extra:
            raise ValueError(f"有不在 order 中的類別：{extra[:5]}")
        counts = counts.reindex(list(order), fill_value=0)
    table = _with_totals_and_shares(counts)
    table.index.name = index_name or frame.index.name or DEFAULT_INDEX_NAME
    if total:
        table = _append_total(table, label)
    return table


# --------------------------------------------------------------------------- indicators


def minority_share(table: pd.DataFrame) -> pd.Series:
    """Per row, the lower of 男% and 女% (較低者單一性別比例); NaN when 合計 is 0.

    >>> round(float(minority_share(counts_table({"全體委員": {"男": 6, "女": 11}})).iloc[0]), 6)
    0.352941
    """
    out = table[["男%", "女%"]].min(axis=1, skipna=False)
    out.name = "較低者單一性別比例"
    return out


def one_third_rule(
    table: pd.DataFrame,
    *,
    threshold: Fraction | float | str = ONE_THIRD,
    exclude_mask: pd.Series | Sequence[bool] | None = None,
) -> pd.DataFrame:
    """Check 任一性別不低於 threshold (default 1/3) on every row of a gender table.

    Columns: 人數 (合計, everyone incl. 其他), 最低人數 = ceil(人數 × threshold) computed
    exactly, 男符合, 女符合, 符合, 男缺少人數, 女缺少人數, 缺少性別 ("男", "女",
    "男、女" or None) and 缺少人數 (total shortfall). The shortfall is at the current size,
    i.e. how many members would have to be replaced; adding members raises the minimum.
    A row with 0 people passes vacuously. ``exclude_mask`` (True = leave out) drops rows
    the rule does not cover, e.g. the 合計 row. To leave ex-officio members out of the
    count, filter the people first with :func:`rule_population`.

    >>> r = one_third_rule(counts_table({"小組": {"男": 7, "女": 2}}))
    >>> row = r.loc["小組"]
    >>> int(row["最低人數"]), bool(row["符合"]), row["缺少性別"], int(row["缺少人數"])
    (3, False, '女', 1)
    """
    t = parse_threshold(threshold)
    rows = table
    if exclude_mask is not None:
        mask = pd.Series(exclude_mask, index=table.index) if not isinstance(
            exclude_mask, pd.Series
        ) else exclude_mask.reindex(table.index)
        rows = table[~mask.fillna(False).astype(bool)]
    n = rows[TOTAL].astype("int64")
    minimum = n.map(lambda v: math.ceil(Fraction(int(v)) * t)).astype("int64")
    out = pd.DataFrame(index=rows.index)
    out["人數"] = n
    out["最低人數"] = minimum
    for g in ("男", "女"):
        out[f"{g}符合"] = rows[g].astype("int64") >= minimum
    out["符合"] = out["男符合"] & out["女符合"]
    for g in ("男", "女"):
        out[f"{g}缺少人數"] = (minimum - rows[g].astype("int64")).clip(lower=0).astype("int64")

    def missing(row: pd.Series) -> str | None:
        gs = [g for g in ("男", "女") if not row[f"{g}符合"]]
        return "、".join(gs) if gs else None

    out["缺少性別"] = pd.Series(
        [missing(r) for _, r in out.iterrows()], index=out.index, dtype=object
    )
    out["缺少人數"] = (out["男缺少人數"] + out["女缺少人數"]).astype("int64")
    return out


def rule_population(
    df: pd.DataFrame,
    exclude: pd.Series | Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The people a composition rule counts: ``df`` without the excluded rows.

    ``exclude`` is a boolean Series (True = leave out) or a mapping column → value(s), e.g.
    ``{"role": "當然委員"}`` for rules that do not count ex-officio members. Tabulate the
    result with :func:`gender_table` and check it with :func:`one_third_rule`.

    >>> people = pd.DataFrame({"gender": ["男", "女", "男"], "role": ["當然委員", "派聘", "派聘"]})
    >>> rule_population(people, {"role": "當然委員"})["gender"].tolist()
    ['女', '男']
    """
    if exclude is None:
        return df
    if isinstance(exclude, Mapping):
        mask = pd.Series(False, index=df.index)
        for col, values in exclude.items():
            scalar = isinstance(values, str) or not isinstance(values, Iterable)
            wanted = [values] if scalar else list(values)
            mask |= df[col].isin(wanted)
    else:
        mask = pd.Series(exclude, index=df.index).fillna(False).astype(bool)
    return df[~mask]


# --------------------------------------------------------------------------- trends


def trend(
    counts_by_year: pd.DataFrame,
    years: Iterable[int],
    *,
    year: str = "year",
    gender: str = "gender",
    count: str | None = None,
) -> pd.DataFrame:
    """Counts and shares per requested year, with changes from the previous row.

    ``counts_by_year`` is tidy: one row per person/participation with ``year`` and
    ``gender`` columns (or, with ``count="n"``, rows carrying a count to sum). Columns:
    男, 女, 其他, 合計, 男%, 女%, 其他%, 女%變化 (percentage points), 合計變化. A requested
    year without data is NaN in every column (missing, not zero), and so is the change
    right after it. Changes compare with the previous requested year. Year values are
    compared as integers, so data and ``years`` must use the same calendar (ROC or AD).

    >>> df = pd.DataFrame({"year": [111, 111, 112, 112], "gender": ["男", "女", "女", "女"]})
    >>> trend(df, [110, 111, 112])["女%變化"].tolist()
    [nan, nan, 50.0]
    """
    wanted = [int(y) for y in years]
    if len(set(wanted)) != len(wanted):
        raise ValueError(f"年度重複：{wanted}")
    genders = _checked_genders(counts_by_year, gender)
    if counts_by_year[year].isna().any():
        raise ValueError(f"年度欄「{year}」有缺值")
    if count is None:
        weights = np.ones(len(counts_by_year), dtype="int64")
    else:
        w = counts_by_year[count]
        if not pd.api.types.is_numeric_dtype(w) or w.isna().any() or (w < 0).any() or (
            w != np.floor(w)
        ).any():
            raise ValueError(f"人數欄「{count}」必須是非負整數且不可缺值")
        weights = w.to_numpy().astype("int64")
    # Convert each distinct year once ("112", "112年", 112 and 112.0 all mean 112).
    codes, uniques = pd.factorize(counts_by_year[year])
    as_int = np.array([_year_number(u) for u in uniques], dtype="int64")
    frame = pd.DataFrame({"y": as_int[codes], "g": genders.array, "w": weights})
    counts = frame.groupby(["y", "g"], observed=True).w.sum().unstack("g", fill_value=0)
    counts.columns = pd.Index(list(counts.columns), dtype=object)
    counts = counts.reindex(columns=list(GENDERS), fill_value=0)
    present = _with_totals_and_shares(counts) if len(counts) else pd.DataFrame(
        columns=TABLE_COLUMNS
    )
    out = present.astype("float64").reindex(wanted)
    out.index = pd.Index(wanted, name="year")
    out["女%變化"] = out["女%"].diff() * 100
    out["合計變化"] = out[TOTAL].diff()
    return out[[*COUNT_COLUMNS, *SHARE_COLUMNS, "女%變化", "合計變化"]]


def _year_number(value: Any) -> int:
    if isinstance(value, Number | np.number) and float(value).is_integer():
        return int(value)
    text = str(value).strip().removesuffix("年")
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"年度「{value}」不是整數年") from None


def change(before: Any, after: Any) -> pd.DataFrame:
    """Budget-style comparison: 前期, 本期, 增減 (本期 − 前期), 增減率 (增減 / 前期).

    Takes scalars or Series aligned on their index; 增減率 is NaN when 前期 is 0.

    >>> change(5842500, 5842500)[["增減", "增減率"]].iloc[0].tolist()
    [0.0, 0.0]
    """
    if isinstance(before, pd.Series) or isinstance(after, pd.Series):
        out = pd.DataFrame({"前期": before, "本期": after})
    else:
        out = pd.DataFrame({"前期": [before], "本期": [after]})
    out = out.astype("float64")
    out["增減"] = out["本期"] - out["前期"]
    out["增減率"] = out["增減"] / out["前期"].where(out["前期"] != 0)
    return out
