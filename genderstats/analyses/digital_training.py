"""Citizens' digital training (臺北市民免費數位訓練, 數位平權推動計畫): the analysis.

Pure functions over the loaded frames (``training_classes`` and ``training_participations``
of genderstats.data): the year's classes and participations by gender, the seed report's
senior learners' table, target groups, nationality with small-cell protection, and the
trend over several years. The notebook ``digital_training.ipynb`` only calls them, and the
annual report takes its figures from :func:`key_figures`, so both print the same numbers.

A participation (人次) is one learner in one class: someone who attends two classes counts
twice. The seed report writes 「參訓人數」 for the same count; these reports say 人次.

>>> classes = pd.DataFrame({"class_id": ["A", "B"], "target_group": ["銀髮族", "婦女專班"]})
>>> parts = pd.DataFrame({"class_id": ["A", "A", "B"], "gender": ["男", "女", "女"],
...                       "age": [65, 72, 40], "nationality": ["中華民國", "越南", None]})
>>> kf = key_figures(prepare(parts, classes), classes, 112)
>>> kf.summary()
'2班、3人次，女性66.67%'

Over 500 lines because one report's tables, sentences and recorded figures belong
together: they read the same frames and share their categories and their protection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from genderstats import config
from genderstats.analyses.narrative import count_sentence, trend_sentence
from genderstats.config import GENDERS, TOTAL
from genderstats.data import absence
from genderstats.data.absence import NO_DATA
from genderstats.data.bands import AGE_BANDS, age_band
from genderstats.data.specs import TARGET_GROUPS
from genderstats.numbers import format_count, format_pct, pct_value
from genderstats.present.model import Block, Paragraph, Table
from genderstats.present.tables import GENDER_WORDS, column_headers, frame_block, gender_block
from genderstats.privacy import (
    SHOWN,
    Population,
    ProtectedTable,
    carry,
    recode_small,
    record_rows,
    suppression_marks,
)
from genderstats.stats import COUNT_COLUMNS, counts_table, gender_table, trend

__all__ = [
    "TOPIC",
    "SENIOR",
    "WOMEN_ONLY",
    "DOMESTIC",
    "UNKNOWN",
    "SENIOR_BANDS",
    "TARGET_ORDER",
    "KeyFigures",
    "load_year",
    "load_history",
    "trend_years",
    "prepare",
    "key_figures",
    "class_counts",
    "target_group_table",
    "senior_age_table",
    "has_ages",
    "seniors_outside_bands",
    "outside_bands_sentence",
    "OTHER_NATIONALITIES",
    "RECODE_BELOW",
    "nationality_block",
    "nationality_table",
    "SUPPRESS_BELOW",
    "Protected",
    "protect",
    "protected_trend",
    "record_safe_table",
    "yearly_trend",
    "trend_display",
    "trend_record",
    "display_table",
    "counts_display",
    "nationality_sentence",
    "findings",
]

TOPIC = "數位訓練"
"""The topic of data/<year>/recommendations.yml read by this report."""
SENIOR = "銀髮族"
WOMEN_ONLY = "婦女專班"
DOMESTIC = "中華民國"
UNKNOWN = "未填"
"""Label for a blank nationality or age: blank means not known, never 中華民國."""
SENIOR_BANDS: tuple[str, ...] = AGE_BANDS[1:]
"""The seed's columns for senior learners: 51-60歲, 61-70歲, 71-80歲, 80歲以上."""
TARGET_ORDER: tuple[str, ...] = tuple(TARGET_GROUPS)

PARTICIPATIONS = "training_participations"
CLASSES = "training_classes"


# --------------------------------------------------------------------------- loading


def load_year(year: int | str, data_dir: str | Path | None = None) -> tuple[pd.DataFrame,
                                                                             pd.DataFrame]:
    """The year's (participations, classes), validated by genderstats.data.

    A bad file raises :class:`genderstats.data.DataError` naming the file, row and column.
    """
    from genderstats import data

    root = config.resolve_data_dir(data_dir)
    classes = data.load(CLASSES, year, root)
    parts = data.load(PARTICIPATIONS, year, root)
    return parts, classes


def trend_years(year: int, count: int) -> list[int]:
    """The ``count`` years ending with ``year``: ``trend_years(112, 5) == [108, …, 112]``.

    >>> trend_years(112, 5)
    [108, 109, 110, 111, 112]
    """
    if count < 1:
        raise ValueError(f"趨勢年數至少為 1：{count}")
    return list(range(int(year) - count + 1, int(year) + 1))


def load_history(
    years: Sequence[int],
    data_dir: str | Path | None,
    current_year: int,
    current_parts: pd.DataFrame,
    current_classes: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participations, classes) of ``years`` with a ``year`` column, for :func:`yearly_trend`.

    The current year's frames are passed in, not read again (on a million rows that saves
    the second load); only the columns the trend needs are kept. Years without files are
    simply absent, so the trend shows them as missing.
    """
    from genderstats import data

    root = config.resolve_data_dir(data_dir)
    earlier = [y for y in years if y != current_year]
    old_parts = data.load_years(PARTICIPATIONS, earlier, root)
    old_classes = data.load_years(CLASSES, earlier, root)
    frames_p = [old_parts[["year", "gender"]]]
    frames_c = [old_classes[["year", "class_id"]]]
    if current_year in years:
        frames_p.append(pd.DataFrame({
            "year": np.full(len(current_parts), current_year, dtype=np.int64),
            "gender": current_parts["gender"].array,
        }))
        frames_c.append(pd.DataFrame({
            "year": np.full(len(current_classes), current_year, dtype=np.int64),
            "class_id": current_classes["class_id"].array,
        }))
    parts = pd.concat([f for f in frames_p if len(f)] or frames_p[:1], ignore_index=True)
    classes = pd.concat([f for f in frames_c if len(f)] or frames_c[:1], ignore_index=True)
    return parts, classes


# --------------------------------------------------------------------------- tidy frame


def _categorical(values: pd.Series, fill: str, first: Sequence[str] = ()) -> pd.Categorical:
    """Text → Categorical, blanks as ``fill``; computed per distinct value (fast on 1M rows)."""
    codes, uniques = pd.factorize(values)  # missing values get code -1
    labels = [str(u).strip() or fill for u in uniques]
    present = list(dict.fromkeys(labels + ([fill] if (codes < 0).any() else [])))
    cats = [c for c in first if c in present] + [c for c in present if c not in first]
    pos = {c: i for i, c in enumerate(cats)}
    lookup = np.array([pos[lab] for lab in labels] + [pos.get(fill, -1)], dtype=np.int64)
    return pd.Categorical.from_codes(lookup[codes], categories=cats)


def prepare(parts: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """One row per participation, only what the analysis uses, all Categorical.

    Columns: ``gender``; ``group`` (the class's target group, 班次對象, from ``classes``);
    ``age_band`` (as gs.data derived it; in a hand-made frame from ``age`` when given, else
    the typed ``age_band`` column; blank → 未填);
    ``nationality`` (blank → 未填). Groups follow the class rather than a learner's own
    身分別, so classes and their participations are counted in the same row.
    A class id absent from ``classes`` raises ValueError (the loader already checks this).
    """
    for col in ("class_id", "gender"):
        if col not in parts.columns:
            raise KeyError(f"參訓紀錄缺少「{col}」欄")
    class_ids = pd.Index(classes["class_id"].astype(str).to_numpy(dtype=object))
    codes, uniques = pd.factorize(parts["class_id"])
    where = class_ids.get_indexer(pd.Index([str(u) for u in uniques], dtype=object))
    if (where < 0).any():
        unknown = [str(u) for u, w in zip(uniques, where, strict=True) if w < 0][:5]
        raise ValueError(f"參訓紀錄的班次代碼不在班次檔中：{unknown}")
    if (codes < 0).any():
        raise ValueError("參訓紀錄有空白的班次代碼")
    group_dtype = pd.CategoricalDtype(list(TARGET_ORDER))
    class_groups = pd.Categorical(classes["target_group"].astype(object), dtype=group_dtype)
    if pd.isna(class_groups).any():
        bad = sorted({str(v) for v in classes["target_group"][pd.isna(class_groups)]})[:5]
        raise ValueError(f"班次對象不是 {'、'.join(TARGET_ORDER)}：{bad}")
    group_codes = class_groups.codes[where][codes]
    group = pd.Categorical.from_codes(group_codes, dtype=group_dtype)

    loaded_bands = "age_band" in parts.columns and isinstance(
        parts["age_band"].dtype, pd.CategoricalDtype) and tuple(
        parts["age_band"].cat.categories) == tuple(AGE_BANDS)
    if loaded_bands:  # gs.data has already derived the bands from the ages
        bands = parts["age_band"].array
    elif "age" in parts.columns and parts["age"].notna().any():
        bands = age_band(parts["age"]).array
        if "age_band" in parts.columns:  # a typed band fills in where the age is blank
            typed = pd.Categorical(parts["age_band"].astype(object), dtype=bands.dtype)
            bands = pd.Categorical.from_codes(
                np.where(bands.codes >= 0, bands.codes, typed.codes), dtype=bands.dtype)
    elif "age_band" in parts.columns:
        bands = pd.Categorical(parts["age_band"].astype(object), categories=list(AGE_BANDS),
                               ordered=True)
    else:
        bands = pd.Categorical([None] * len(parts), categories=list(AGE_BANDS), ordered=True)
    band_dtype = pd.CategoricalDtype([*AGE_BANDS, UNKNOWN], ordered=True)
    band_codes = np.where(bands.codes >= 0, bands.codes, len(AGE_BANDS))
    band = pd.Categorical.from_codes(band_codes, dtype=band_dtype)

    if "nationality" in parts.columns:
        nationality = _categorical(parts["nationality"], UNKNOWN, first=(DOMESTIC,))
    else:
        nationality = pd.Categorical([UNKNOWN] * len(parts), categories=[UNKNOWN])
    if isinstance(parts["gender"].dtype, pd.CategoricalDtype):  # as loaded: no per-row work
        gender = parts["gender"].cat.set_categories(list(GENDERS)).array
    else:
        gender = pd.Categorical(parts["gender"].astype(object), categories=list(GENDERS))
    if pd.isna(gender).any():  # gs.data has normalised loaded files; hand-made frames may not be
        bad = sorted({str(v) for v in parts["gender"][pd.isna(gender)]})[:5]
        raise ValueError(f"性別不是 男／女／其他：{bad}")
    return pd.DataFrame({
        "gender": gender,
        "group": group,
        "age_band": band,
        "nationality": nationality,
    }, index=pd.RangeIndex(len(parts)))


# --------------------------------------------------------------------------- tables


def class_counts(classes: pd.DataFrame) -> pd.Series:
    """Number of classes per target group (TARGET_ORDER), int64.

    >>> class_counts(pd.DataFrame({"target_group": ["銀髮族", "銀髮族", "新住民"]})).tolist()
    [2, 0, 1, 0, 0]
    """
    groups = pd.Categorical(classes["target_group"].astype(object),
                            categories=list(TARGET_ORDER))
    counts = pd.Series(groups).value_counts(sort=False).reindex(list(TARGET_ORDER),
                                                                fill_value=0)
    counts.index = pd.Index(list(TARGET_ORDER), name="對象")
    return counts.astype("int64").rename("班數")


def target_group_table(prepared: pd.DataFrame, classes: pd.DataFrame) -> pd.DataFrame:
    """Classes and participations by gender per target group, with a 合計 row.

    A gender table (男, 女, 其他, 合計, shares) indexed by 對象 with 班數 first; groups with
    no class and no participation are left out (an empty 一般市民 row says nothing).
    """
    table = gender_table(prepared, by="group", order=list(TARGET_ORDER), total=False)
    n = class_counts(classes)
    table.insert(0, "班數", n.reindex(table.index).to_numpy())
    table = table[(table["班數"] > 0) | (table[TOTAL] > 0)]
    totals = gender_table(prepared)
    totals.insert(0, "班數", [int(n.sum())])
    out = pd.concat([table, totals])
    out.index = pd.Index([*table.index, TOTAL], name="對象", dtype=object)
    return out.astype({c: "int64" for c in ["班數", *COUNT_COLUMNS]})


def senior_age_table(prepared: pd.DataFrame, bands: Sequence[str] = SENIOR_BANDS) -> pd.DataFrame:
    """The seed's senior learners' table: participations in 銀髮族 classes by age band.

    One row per band in ``bands`` (a band with nobody is a row of zeros), no 合計 row, as
    :func:`genderstats.present.tables.band_block` expects. Seniors outside the bands are
    counted by :func:`seniors_outside_bands`. The table carries the year's protection
    (:func:`protect`, :func:`genderstats.privacy.carry`), so a page or a chart handed it
    prints only what that allows.
    """
    seniors = prepared[prepared["group"] == SENIOR]
    seniors = seniors[seniors["age_band"].isin(list(bands))]
    frame = pd.DataFrame({
        "age_band": pd.Categorical(seniors["age_band"].astype(object), categories=list(bands),
                                   ordered=True),
        "gender": seniors["gender"].array,
    })
    table = gender_table(frame, by="age_band", total=False)
    table.index = pd.Index(list(bands), name="年齡區間", dtype=object)
    if tuple(bands) == SENIOR_BANDS and len(prepared):
        carry(table, protect(prepared).senior)
    return table


def has_ages(parts: pd.DataFrame) -> bool:
    """Whether the participations carry ages (an 年齡 or age-band column with a value).

    Without them the age analyses say so (:data:`~genderstats.data.absence.SENIOR_AGES`,
    ``ALL_AGES``) instead of counting everyone as 未填.
    """
    if absence.SENIOR_AGES.holds(parts):
        return False
    return any(parts[c].notna().any() for c in absence.SENIOR_AGES.columns if c in parts)


def seniors_outside_bands(prepared: pd.DataFrame,
                          bands: Sequence[str] = SENIOR_BANDS) -> dict[str, int]:
    """Participations in 銀髮族 classes not in ``bands``: ``{"50歲以下": n, "未填": m}``.

    Only bands with at least one participation are listed.
    """
    seniors = prepared.loc[prepared["group"] == SENIOR, "age_band"]
    counts = seniors[~seniors.isin(list(bands))].value_counts(sort=False)
    return {str(k): int(v) for k, v in counts.items() if v > 0}


def outside_bands_sentence(outside: dict[str, int],
                           protected: ProtectedTable | None = None) -> str:
    """「另有銀髮族班次參訓者50歲以下3人次、年齡未填2人次，未列入上表」; "" when none. With
    ``protected`` (:attr:`Protected.outside`) a hidden count reads 「未達3人次」 or is left out."""
    parts = []
    for k, v in outside.items():
        word = "年齡未填" if k == UNKNOWN else k
        if protected is None or protected.shown(k, TOTAL):
            parts.append(f"{word}{format_count(v)}人次")
        elif protected.is_small(k, TOTAL):
            parts.append(f"{word}未達{protected.threshold}人次")
    if not parts:
        return ""
    return f"註：另有{SENIOR}班次參訓者{'、'.join(parts)}，未列入上表。"


OTHER_NATIONALITIES = "其他國籍"
"""The row into which nationalities with few participations are merged."""
RECODE_BELOW = 10
"""Nationalities with fewer participations than this are merged into 其他國籍 by default."""
SUPPRESS_BELOW = 3
"""Participations of one gender fewer than this (but some) are not published (citizens)."""


def nationality_table(prepared: pd.DataFrame, *, recode_below: int | None = None,
                      other_label: str = OTHER_NATIONALITIES) -> pd.DataFrame:
    """Participations by nationality (國籍) and gender, with a 合計 row.

    Order: 中華民國, then the others by name (never by size: an order by size would tell
    which of two hidden counts is larger), 未填 last. With ``recode_below`` the
    nationalities with fewer participations are merged into one ``other_label`` row
    (before 未填; see
    :func:`genderstats.privacy.recode_small`), so that suppression need not hide the
    large groups.
    """
    totals = prepared["nationality"].value_counts(sort=False)
    others = [str(k) for k in totals.index if str(k) not in (DOMESTIC, UNKNOWN) and totals[k]]
    others.sort()
    order = [k for k in (DOMESTIC,) if totals.get(k, 0)] + others
    order += [UNKNOWN] if totals.get(UNKNOWN, 0) else []
    frame = pd.DataFrame({"nationality": prepared["nationality"].astype(object).array,
                          "gender": prepared["gender"].array})
    table = gender_table(frame, by="nationality", order=order)
    table.index.name = "國籍"
    return recode_small(table, recode_below, label=other_label, keep=(DOMESTIC, UNKNOWN),
                        last=(UNKNOWN,))


def nationality_block(parts: pd.DataFrame, shown: ProtectedTable, year: int) -> Block:
    """The 依國籍 table as ``shown`` (the year's :func:`protect`) prints it; where the file
    has no 國籍 column, the statement that there is no such data
    (:data:`~genderstats.data.absence.NATIONALITY`), never a table of 未填."""
    if absence.NATIONALITY.holds(parts):
        return Paragraph(absence.NATIONALITY.say(year))
    return gender_block(shown.table, f"{year}年數位訓練參訓人次：依國籍", index_label="國籍",
                        count_label="人次", protected=shown)


# --------------------------------------------------------------------------- protection


@dataclass(frozen=True)
class Protected:
    """The year's participations as the pages may print them, protected together
    (:class:`genderstats.privacy.Population`): every table, sentence and chart of the
    digital-training page and of the annual report takes its counts from here."""

    totals: ProtectedTable
    groups: ProtectedTable
    senior: ProtectedTable
    outside: ProtectedTable
    ages: ProtectedTable
    nationality: ProtectedTable
    population: Population

    @property
    def hidden_nationality(self) -> pd.DataFrame:
        """The nationality table's hidden cells (for :func:`nationality_sentence`)."""
        return self.nationality.hidden


_PROTECTED: dict[tuple, Protected] = {}
"""The last :func:`protect`, by the counts it protected: the tables, sentences and carried
protection of one year (each report prepares its own frame) are solved once."""


def _totals_marks(counts: Mapping[str, int], threshold: int | None) -> dict[str, str]:
    """How a year's overall counts print, from those counts alone: the trend of a later
    year prints this year's row the same way, whatever the year's other tables are."""
    row = counts_table({"全體": {g: int(counts.get(g, 0)) for g in GENDERS}})
    return suppression_marks(row, threshold).iloc[0].to_dict()


def protect(prepared: pd.DataFrame, *, suppress_below: int | None = SUPPRESS_BELOW,
            recode_below: int | None = RECODE_BELOW,
            other_label: str = OTHER_NATIONALITIES) -> Protected:
    """Protect every people-level table of the year together (see :class:`Protected`).

    Atoms are target group × age band × gender, and nationality × gender (sharing the
    gender totals); printed are the target-group table, the senior age bands (with the
    seniors outside them), all ages and nationalities, all in fixed order. The overall row
    prints as :func:`_totals_marks` says, so the trend of any year agrees with it.
    Solved once for the same counts and parameters.
    """
    groups = list(TARGET_ORDER)
    bands = list(prepared["age_band"].cat.categories)
    cross = pd.crosstab([prepared["group"], prepared["age_band"]], prepared["gender"],
                        dropna=False).reindex(columns=list(GENDERS), fill_value=0)
    cross = cross.reindex(pd.MultiIndex.from_product([groups, bands]), fill_value=0)
    nationality = nationality_table(prepared, recode_below=recode_below,
                                    other_label=other_label)
    body = [k for k in nationality.index if k != TOTAL]
    key = (suppress_below, tuple(bands), cross.to_numpy().tobytes(), tuple(body),
           nationality.loc[body, list(GENDERS)].to_numpy().tobytes())
    if key in _PROTECTED:
        return _PROTECTED[key]
    pop = Population(suppress_below)
    pop.add_facet("對象與年齡", cross)
    pop.add_facet("國籍", nationality.loc[body])
    present = [g for g in groups if cross.loc[g].to_numpy().sum() > 0]
    pop.add_table("groups", "對象與年齡", {g: [(g, b) for b in bands] for g in present},
                  index_name="對象", whole=True)
    pop.add_table("senior", "對象與年齡", {b: [(SENIOR, b)] for b in SENIOR_BANDS},
                  total=False, index_name="年齡區間")
    outside = [b for b in bands if b not in SENIOR_BANDS]
    pop.add_table("outside", "對象與年齡", {b: [(SENIOR, b)] for b in outside}, total=False,
                  columns=[TOTAL], index_name="年齡區間")
    for b in outside:  # the seniors of these bands by gender follow from the tables
        pop.add_latent("對象與年齡", [(SENIOR, b)])
    ages = [b for b in bands if b != UNKNOWN or cross.xs(b, level=1).to_numpy().sum() > 0]
    pop.add_table("ages", "對象與年齡", {b: [(g, b) for g in groups] for b in ages},
                  index_name="年齡區間", whole=True)
    pop.add_table("nationality", "國籍", {k: [k] for k in body}, index_name="國籍")
    totals = cross.sum().to_dict()
    pop.fix("groups", TOTAL, _totals_marks(totals, suppress_below))
    tables = pop.protect()
    whole = pop.table("groups")
    out = Protected(
        totals=ProtectedTable(whole.table.loc[[TOTAL]], whole.marks.loc[[TOTAL]],
                              suppress_below),
        groups=tables["groups"], senior=tables["senior"], outside=tables["outside"],
        ages=tables["ages"], nationality=tables["nationality"], population=pop)
    _PROTECTED.clear()  # one year at a time: the page's and the annual report's
    _PROTECTED[key] = out
    return out


def protected_trend(trend_table: pd.DataFrame,
                    suppress_below: int | None = SUPPRESS_BELOW) -> ProtectedTable:
    """The trend's counts as printed: each year's row as that year's own page prints its
    overall row (:func:`_totals_marks`), so this year's trend and last year's pages agree.
    Years without data keep their NaN rows and print 「無資料」."""
    counts = trend_table[COUNT_COLUMNS]
    marks = pd.DataFrame(SHOWN, index=trend_table.index, columns=COUNT_COLUMNS, dtype=object)
    for y in trend_table.index:
        if not pd.isna(counts.loc[y, TOTAL]):
            marks.loc[y] = pd.Series(_totals_marks(counts.loc[y].to_dict(), suppress_below))
    return ProtectedTable(trend_table, marks, suppress_below)


def record_safe_table(table: pd.DataFrame, hidden: pd.DataFrame, *,
                      merged_label: str = "含隱藏格之國籍合併") -> pd.DataFrame:
    """The rows of a protected table that may go into indicators.csv
    (:func:`genderstats.privacy.record_rows`): rows shown in full, one ``merged_label`` row
    for the rest (合計 minus the rows shown in full) and 合計; only the full rows when the
    合計 row has a hidden cell."""
    mask = hidden if hidden.to_numpy().dtype == bool else hidden != ""
    return record_rows(table, mask, merged_label=merged_label)


# --------------------------------------------------------------------------- trend


def yearly_trend(participations: pd.DataFrame, classes: pd.DataFrame,
                 years: Iterable[int]) -> pd.DataFrame:
    """Per year: 班數, participations by gender, shares, and the changes from the year before.

    ``participations`` and ``classes`` carry a ``year`` column (as from
    :func:`genderstats.data.load_years` or :func:`load_history`). Columns: 班數, then
    :func:`genderstats.stats.trend`'s (男, 女, 其他, 合計, 男%, 女%, 其他%, 女%變化,
    合計變化) and 男%變化 (percentage points). A year without data is NaN throughout —
    missing, never 0 — and so are the changes of the year after it.
    """
    years = [int(y) for y in years]
    out = trend(participations, years)
    n = classes.groupby("year").size() if len(classes) else pd.Series(dtype="int64")
    out.insert(0, "班數", n.reindex(years).astype("float64").to_numpy())
    out["男%變化"] = out["男%"].diff() * 100
    out["班數變化"] = out["班數"].diff()
    return out


def trend_record(trend_table: pd.DataFrame,
                 protected: ProtectedTable | None = None) -> pd.DataFrame:
    """The years with data as a gender table for indicators.csv, categories 「108年」….

    Years without data are left out (a missing year has no count to record), and so are
    the years whose row ``protected`` (:func:`protected_trend`) does not print in full.
    """
    present = trend_table[trend_table[TOTAL].notna()]
    if protected is not None:
        present = present[[protected.row_shown(y) for y in present.index]]
    out = present[COUNT_COLUMNS].astype("int64")
    out.index = pd.Index([f"{y}年" for y in present.index], name="年度", dtype=object)
    return out


def _pp_change(now: float, before: float, decimals: int) -> str:
    """Change of the printed percentages, signed: 77.88% after 77.70% is 「+0.18」."""
    if pd.isna(now) or pd.isna(before):
        return "-"
    diff = Decimal(str(pct_value(now, decimals))) - Decimal(str(pct_value(before, decimals)))
    return f"{diff:+.{decimals}f}" if diff else f"{Decimal(0):.{decimals}f}"


def trend_display(trend_table: pd.DataFrame, *, count_label: str = "人次",
                  decimals: int = 2, protected: ProtectedTable | None = None) -> pd.DataFrame:
    """The trend as the cells a committee reads: 「無資料」 for a year without data.

    Columns: 年度, 班數, 男性人次, 女性人次, 其他性別人次, 總人次, 男性比例, 女性比例,
    女性比例增減 (percentage points; 其他性別比例 is left out to keep the table narrow, its
    count is shown). The change is the difference of the printed percentages, so it agrees
    with the findings; 「-」 where there is nothing to compare. With ``protected``
    (:func:`protected_trend`) a hidden count prints 「<3」 or 「*」, and a share or change
    beside it 「-」.
    """
    heads = column_headers(count_label)
    change_head = "女性比例增減"
    rows = []
    years = list(trend_table.index)

    def text(y: int, column: str) -> str:
        if protected is None:
            return (format_pct(trend_table.loc[y, column], decimals) if column.endswith("%")
                    else format_count(trend_table.loc[y, column]))
        return protected.text(y, column, decimals)

    for i, y in enumerate(years):
        row = trend_table.loc[y]
        cells = {"年度": f"{y}年"}
        cells["班數"] = NO_DATA if pd.isna(row["班數"]) else format_count(row["班數"])
        no_data = pd.isna(row[TOTAL])
        for c in COUNT_COLUMNS:
            cells[heads[c]] = NO_DATA if no_data else text(y, c)
        for g in ("男", "女"):
            cells[heads[f"{g}%"]] = NO_DATA if no_data else text(y, f"{g}%")
        if no_data:
            cells[change_head] = NO_DATA
        elif i == 0 or (protected is not None and "-" in (text(y, "女%"),
                                                          text(years[i - 1], "女%"))):
            cells[change_head] = "-"
        else:
            before = trend_table.loc[years[i - 1], "女%"]
            cells[change_head] = _pp_change(row["女%"], before, decimals)
        rows.append(cells)
    return pd.DataFrame(rows)


def counts_display(table: pd.DataFrame, *, index_label: str, count_label: str = "人次",
                   decimals: int = 2, protected: ProtectedTable | None = None) -> pd.DataFrame:
    """A gender table (optionally with 班數 first) as display cells, category first; with
    ``protected`` its counts print as that table's marks say (rows it lacks are zeros)."""
    heads = column_headers(count_label)
    rows = []
    for key, row in table.iterrows():
        cells = {index_label: str(key)}
        if "班數" in table.columns:
            cells["班數"] = format_count(row["班數"])
        marked = protected is not None and key in protected.table.index
        for c in [*COUNT_COLUMNS, *(f"{g}%" for g in GENDERS)]:
            if marked:
                cells[heads[c]] = protected.text(key, c, decimals)
            elif c.endswith("%"):
                cells[heads[c]] = format_pct(row[c], decimals)
            else:
                cells[heads[c]] = format_count(row[c])
        rows.append(cells)
    return pd.DataFrame(rows)


def display_table(display: pd.DataFrame, caption: str, note: str = "") -> Table:
    """Display cells (from :func:`counts_display` or :func:`trend_display`) as a table."""
    return frame_block(display, caption, numeric_cols=list(display.columns[1:]),
                       mark_total=True, note=note)


# --------------------------------------------------------------------------- key figures


def _protected_counts(table: ProtectedTable, key: str, *, label: str, unit: str = "人次") -> str:
    """A row's counts as a sentence from what ``table`` prints: 「參訓人次為151人次，男性為
    44人次、其他性別未達3人次」; shares only beside a printed count and total."""
    total_shown = table.shown(key, TOTAL)
    parts = [f"{label}為{format_count(table.table.loc[key, TOTAL])}{unit}"] if total_shown else []
    for g in GENDERS:
        count = table.table.loc[key, g]
        if table.shown(key, g):
            if g == "其他" and count == 0:
                continue
            text = f"{GENDER_WORDS[g]}為{format_count(count)}{unit}"
            if total_shown and table.table.loc[key, TOTAL]:
                text += f"（{format_pct(table.table.loc[key, f'{g}%'])}）"
            parts.append(text)
        elif table.is_small(key, g):
            parts.append(f"{GENDER_WORDS[g]}未達{table.threshold}{unit}")
    return "，".join(parts)


@dataclass(frozen=True)
class KeyFigures:
    """The year's headline numbers; the annual report prints these, never its own."""

    year: int
    classes: int
    participations: int
    men: int
    women: int
    other: int
    senior_classes: int
    senior_participations: int
    senior_women: int
    women_only_classes: int
    women_only_participations: int

    @property
    def women_share(self) -> float:
        """Women's share of participations (0..1, NaN when there are none)."""
        return self.women / self.participations if self.participations else math.nan

    @property
    def senior_women_share(self) -> float:
        """Women's share of the participations in 銀髮族 classes (the seed's 77%)."""
        n = self.senior_participations
        return self.senior_women / n if n else math.nan

    def table(self) -> pd.DataFrame:
        """The year's participations as a one-row gender table labelled 合計."""
        from genderstats.stats import counts_table

        return counts_table({"男": self.men, "女": self.women, "其他": self.other})

    def named(self, protected: Protected) -> dict[str, str | None]:
        """The figures the results report's prose may use (``record_figures``), as this
        page prints them: a count the year's protection hides reads as its table does
        (「<3」, 「*」), a share beside it 「-」."""
        totals, groups = protected.totals, protected.groups
        out: dict[str, str | None] = {
            "classes": format_count(self.classes),
            "participations": totals.text(TOTAL, TOTAL),
            "men": totals.text(TOTAL, "男"),
            "women": totals.text(TOTAL, "女"),
            "men-share": totals.text(TOTAL, "男%"),
            "women-share": totals.text(TOTAL, "女%"),
            "senior-classes": format_count(self.senior_classes),
            "women-classes": format_count(self.women_only_classes),
        }
        for key, group in (("senior", SENIOR), ("women", WOMEN_ONLY)):
            shown = group in groups.table.index
            out[f"{key}-participations"] = groups.text(group, TOTAL) if shown else "0"
        out["senior-women-share"] = (groups.text(SENIOR, "女%", 0)
                                     if SENIOR in groups.table.index else "-")
        return out

    def summary(self, protected: Protected | None = None) -> str:
        """The index page's key figure: 「130班、2,676人次，女性77.88%」 (without the share or
        the count that ``protected`` hides)."""
        totals = protected.totals if protected is not None else None
        if totals is None or totals.row_shown(TOTAL):
            return (f"{format_count(self.classes)}班、{format_count(self.participations)}人次，"
                    f"女性{format_pct(self.women_share)}")
        text = f"{format_count(self.classes)}班"
        if totals.shown(TOTAL, TOTAL):
            text += f"、{format_count(self.participations)}人次"
        if totals.shown(TOTAL, TOTAL) and totals.shown(TOTAL, "女"):
            text += f"，女性{format_pct(self.women_share)}"
        return text

    def sentence(self, protected: Protected | None = None) -> str:
        """The seed's opening sentence, in 人次:
        「112年總計開班130班，參訓人次為2,676人次，男性為592人次（22.12%），…」; with
        ``protected`` a hidden count reads 「未達3人次」 or is left out."""
        lead = f"{self.year}年總計開班{format_count(self.classes)}班，"
        if protected is None or protected.totals.row_shown(TOTAL):
            return count_sentence(self.table().iloc[0], label="參訓人次", unit="人次", lead=lead)
        return lead + _protected_counts(protected.totals, TOTAL, label="參訓人次")

    def senior_sentence(self, protected: Protected | None = None) -> str:
        """「銀髮族課程開設121班，總計2,526人次，其中女性1,940人次，高齡女性參與數位課程佔77%」
        (the women's figures only when ``protected`` prints them)."""
        if not self.senior_classes and not self.senior_participations:
            return f"{self.year}年未開設{SENIOR}課程"
        text = f"{SENIOR}課程開設{format_count(self.senior_classes)}班"
        groups = protected.groups if protected is not None else None
        if groups is not None and SENIOR in groups.table.index and not groups.row_shown(SENIOR):
            return f"{text}，" + _protected_counts(groups, SENIOR, label="總計")
        text += f"，總計{format_count(self.senior_participations)}人次"
        if not self.senior_participations:
            return text
        return (f"{text}，其中女性{format_count(self.senior_women)}人次，"
                f"{self.year}年高齡女性參與數位課程佔{format_pct(self.senior_women_share, 0)}")

    def women_only_sentence(self, protected: Protected | None = None) -> str:
        """「針對女性開設婦女專班5班，總計93人次」 (the count only when printed)."""
        if not self.women_only_classes:
            return f"{self.year}年未開設{WOMEN_ONLY}"
        groups = protected.groups if protected is not None else None
        if groups is not None and WOMEN_ONLY in groups.table.index and not groups.shown(
                WOMEN_ONLY, TOTAL):
            return (f"針對女性開設數位工具學習專班（{WOMEN_ONLY}）"
                    f"{format_count(self.women_only_classes)}班")
        return (f"針對女性開設數位工具學習專班（{WOMEN_ONLY}）"
                f"{format_count(self.women_only_classes)}班，"
                f"總計{format_count(self.women_only_participations)}人次")


def key_figures(prepared: pd.DataFrame, classes: pd.DataFrame, year: int) -> KeyFigures:
    """Classes, participations by gender, senior and women-only figures of one year.

    ``prepared`` comes from :func:`prepare`; senior and women-only figures count the
    classes whose target group is 銀髮族 / 婦女專班 and the participations in them.
    """
    g = prepared["gender"].value_counts().reindex(list(GENDERS), fill_value=0)
    n = class_counts(classes)
    seniors = prepared.loc[prepared["group"] == SENIOR, "gender"]
    women_only = prepared["group"] == WOMEN_ONLY
    return KeyFigures(
        year=int(year),
        classes=int(len(classes)),
        participations=int(len(prepared)),
        men=int(g["男"]),
        women=int(g["女"]),
        other=int(g["其他"]),
        senior_classes=int(n[SENIOR]),
        senior_participations=int(len(seniors)),
        senior_women=int((seniors == "女").sum()),
        women_only_classes=int(n[WOMEN_ONLY]),
        women_only_participations=int(women_only.sum()),
    )


# --------------------------------------------------------------------------- findings


def _band_findings(senior: pd.DataFrame | ProtectedTable) -> list[str]:
    """The senior bands' sentences from what the page prints: the leading bands only when
    every band's total is printed, the comparison of men and women only for bands printed
    in full (a hidden count is never compared)."""
    protected = senior if isinstance(senior, ProtectedTable) else ProtectedTable(
        senior, pd.DataFrame(SHOWN, index=senior.index, columns=COUNT_COLUMNS), None)
    senior_table = protected.table
    body = senior_table[senior_table[TOTAL] > 0]
    if body.empty:
        return []
    out = []
    if all(protected.shown(b, TOTAL) for b in senior_table.index):
        whole = int(senior_table[TOTAL].sum())
        top = body[TOTAL].sort_values(ascending=False, kind="stable")
        lead = list(top.index[:2])
        named = "及".join(f"{b}區間（{format_count(top[b])}人次）" for b in lead)
        share = format_pct(int(top[lead].sum()) / whole)
        if len(lead) > 1:
            out.append(f"課程統計數據中，{named}的{SENIOR}參與程度較高，"
                       f"合計佔{SENIOR}各年齡區間參訓人次的{share}")
        else:
            out.append(f"課程統計數據中，{named}的{SENIOR}參與程度最高，"
                       f"佔{SENIOR}各年齡區間參訓人次的{share}")
    full = body[[protected.row_shown(b) for b in body.index]]
    if full.empty:
        return out
    kinds: dict[str, list[str]] = {"女多於男": [], "男多於女": [], "男女人次相同": []}
    for b in full.index:
        men, women = full.loc[b, "男"], full.loc[b, "女"]
        kind = "女多於男" if women > men else "男多於女" if men > women else "男女人次相同"
        kinds[kind].append(b)
    share_w = full["女%"]
    hi, lo = share_w.idxmax(), share_w.idxmin()
    if len(kinds["女多於男"]) == len(body):
        text = f"{SENIOR}各年齡區間皆為女多於男，女性比例以{hi}最高（{format_pct(share_w[hi], 0)}）"
        if lo != hi:
            text += f"、{lo}最低（{format_pct(share_w[lo], 0)}）"
        out.append(text)
    else:
        parts = [f"{'、'.join(bands)}{kind}" for kind, bands in kinds.items() if bands]
        out.append(f"{SENIOR}各年齡區間中，" + "，".join(parts))
    return out


def _trend_findings(trend_table: pd.DataFrame, year: int,
                    protected: ProtectedTable | None = None) -> list[str]:
    """The trend's sentences; with ``protected`` (:func:`protected_trend`) a year whose
    figures the table hides is left out of what needs them."""
    def shown(y: int, *columns: str) -> bool:
        return protected is None or all(protected.shown(y, c) for c in columns)

    out: list[str] = []
    years = list(trend_table.index)
    if len(years) > 1 and year in years:
        pos = years.index(year)
        prev = years[pos - 1] if pos else None
        if prev is None or (shown(year, "男", TOTAL) and shown(prev, "男", TOTAL)):
            out.append(trend_sentence(trend_table, year=year, gender="男", label="參訓人次"))
        if prev is not None and not pd.isna(trend_table.loc[prev, TOTAL]) and not pd.isna(
                trend_table.loc[year, TOTAL]) and shown(year, TOTAL) and shown(prev, TOTAL):
            now, before = int(trend_table.loc[year, TOTAL]), int(trend_table.loc[prev, TOTAL])
            diff = now - before
            text = f"{year}年參訓人次較{prev}年"
            if diff == 0:
                text += "持平"
            else:
                text += f"{'增加' if diff > 0 else '減少'}{format_count(abs(diff))}人次"
                if before:
                    text += f"（{format_pct(abs(diff) / before)}）"
            c_now, c_before = trend_table.loc[year, "班數"], trend_table.loc[prev, "班數"]
            if not pd.isna(c_now) and not pd.isna(c_before):
                d = int(c_now) - int(c_before)
                text += "，開班數" + (f"{'增加' if d > 0 else '減少'}{abs(d)}班" if d else "持平")
            out.append(text)
    present = trend_table[trend_table[TOTAL].notna() & (trend_table[TOTAL] > 0)]
    present = present[[shown(y, "男", "女", TOTAL) for y in present.index]]
    if len(present) > 1:
        share = present["女%"]
        hi, lo = share.idxmax(), share.idxmin()
        out.append(f"{years[0]}至{years[-1]}年間，女性參訓人次比例介於{format_pct(share[lo])}"
                   f"（{lo}年）至{format_pct(share[hi])}（{hi}年），各年皆以女性為多"
                   if (present["女"] > present["男"]).all() else
                   f"{years[0]}至{years[-1]}年間，女性參訓人次比例介於{format_pct(share[lo])}"
                   f"（{lo}年）至{format_pct(share[hi])}（{hi}年）")
    gaps = [y for y in years if pd.isna(trend_table.loc[y, TOTAL])]
    if gaps:
        out.append("、".join(f"{y}年" for y in gaps) + "無參訓資料，趨勢表與圖中標示為「無資料」")
    return out


def nationality_sentence(table: pd.DataFrame, hidden: pd.DataFrame) -> str:
    """「國籍為中華民國以外者共37人次（1.38%），國籍未填者5人次」 from shown cells only.

    Uses the 合計 column of 中華民國, 未填 and the 合計 row, and only when the page shows
    them; "" when it does not (or there is nobody of another nationality).
    """
    def shown_total(key: str) -> int | None:
        if key not in table.index:
            return 0
        return None if hidden.loc[key, TOTAL] else int(table.loc[key, TOTAL])

    total = shown_total(TOTAL) if TOTAL in table.index else None
    domestic, unknown = shown_total(DOMESTIC), shown_total(UNKNOWN)
    if not total or domestic is None:
        return ""
    if unknown is None:
        rest = total - domestic
        return (f"國籍為{DOMESTIC}以外或未填者共{format_count(rest)}人次"
                f"（{format_pct(rest / total)}）") if rest else ""
    foreign = total - domestic - unknown
    if not foreign:
        return ""
    text = f"國籍為{DOMESTIC}以外者共{format_count(foreign)}人次（{format_pct(foreign / total)}）"
    if unknown:
        text += f"，國籍未填者{format_count(unknown)}人次"
    return text


def findings(kf: KeyFigures, senior_table: pd.DataFrame | ProtectedTable,
             trend_table: pd.DataFrame,
             nationality: pd.DataFrame | None = None,
             hidden: pd.DataFrame | None = None, *,
             protected: Protected | None = None) -> list[str]:
    """The findings, in the seed report's words, all generated from the tables shown.

    With ``protected`` (:func:`protect`) every figure is one the page prints: the senior
    bands, the nationalities and the overall counts come from it, and the trend is read as
    :func:`protected_trend` prints it. Without it, ``nationality`` and its ``hidden`` marks
    add a sentence on other nationalities from the cells the page shows.
    """
    trend_view = None
    if protected is not None:
        senior_table = protected.senior
        nationality, hidden = protected.nationality.table, protected.hidden_nationality
        trend_view = protected_trend(trend_table, protected.population.threshold)
    out = [kf.sentence(protected), kf.senior_sentence(protected)]
    out += _band_findings(senior_table)
    out.append(kf.women_only_sentence(protected))
    out += _trend_findings(trend_table, kf.year, trend_view)
    if nationality is not None and hidden is not None:
        out.append(nationality_sentence(nationality, hidden))
    return [s for s in out if s]
