"""Onsite engineers (駐點工程師): who the contractors station in the department, by gender.

Pure functions on the loaded ``onsite_engineers`` frame (see data/README.md); the notebook
``onsite_engineers.ipynb`` and the annual report both call them::

    engineers = gs.data.load("onsite_engineers", year, data_dir)
    totals_table(engineers)                      # one row 駐點工程師: 男 26, 女 11, 合計 37
    breakdown_table(engineers, "job_category")   # 職別 × gender, largest first, 合計 last
    gaps(breakdown_table(engineers, "centre"))   # categories lacking a gender or under 1/3
    key_figure(engineers)                        # 「37人：男性26人、女性11人（29.73%）」

Breakdowns are columns of the data (``job_category``, ``centre``, ``vendor``,
``seniority_years`` …). A breakdown column that is absent or blank in a year's file is
skipped by :func:`usable_breakdowns`, so adding one for the gender impact assessment is a
column in the data plus, if it needs a nicer name, an entry in :data:`BREAKDOWN_LABELS`.
Where the file lacks a column of :data:`ABSENT`, the page says so in that breakdown's place
(:func:`breakdown_sections`).

Over 500 lines because one report's tables, sentences and recorded figures belong
together: they read the same frame and share its categories and their protection.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from genderstats.analyses.narrative import composition_sentence
from genderstats.config import GENDERS, TOTAL
from genderstats.data import absence
from genderstats.data.specs import DATASETS
from genderstats.numbers import format_count, format_fixed, format_pct, threshold_words
from genderstats.present.model import Heading, Paragraph
from genderstats.privacy import Population, ProtectedTable, carry, protect_people_table
from genderstats.stats import ONE_THIRD, gender_table, one_third_rule

__all__ = [
    "ABSENT",
    "BREAKDOWN_LABELS",
    "DEFAULT_BREAKDOWNS",
    "SENIORITY_COLUMN",
    "SENIORITY_EDGES",
    "POPULATION",
    "UNFILLED",
    "Breakdown",
    "breakdown_label",
    "usable_breakdowns",
    "totals_table",
    "seniority_bands",
    "breakdown_table",
    "breakdown",
    "gaps",
    "gap_sentences",
    "overall_sentence",
    "seniority_summary",
    "seniority_sentence",
    "key_figure",
    "SUPPRESS_BELOW",
    "protected_totals",
    "protect",
    "population",
    "protected_sentence",
    "summary_paragraph",
    "breakdown_outputs",
    "breakdown_sections",
]

DATASET = "onsite_engineers"
POPULATION = "駐點工程師"
"""The row label of :func:`totals_table` and the subject of the sentences."""

BREAKDOWN_LABELS: dict[str, str] = {
    "job_category": "職別",
    "centre": "科室",
    "vendor": "廠商",
    "seniority_years": "年資",
}
"""Chinese names of the breakdown columns; a column not listed here uses its data-contract
label (so a column added to the contract works without touching this module)."""

DEFAULT_BREAKDOWNS: tuple[str, ...] = ("job_category", "centre", "vendor")
SENIORITY_COLUMN = "seniority_years"
SENIORITY_EDGES: tuple[float, ...] = (1, 3, 5, 10)
"""Band limits in years: 未滿1年, 1年以上未滿3年, 3年以上未滿5年, 5年以上未滿10年, 10年以上."""

ABSENT: dict[str, absence.Statement] = {
    "centre": absence.CENTRE, "vendor": absence.VENDOR, SENIORITY_COLUMN: absence.SENIORITY}
"""The optional breakdown columns and what the page says where the file lacks one."""

UNFILLED = "未填"
"""Category for engineers whose breakdown cell is blank, so every table still sums to 合計."""

_PCT_DECIMALS = 2
"""Shares print as the tables print them (0.00% included), so findings and tables agree."""
SUPPRESS_BELOW = 3
"""Engineers are not public appointees: counts under this are protected (see data/README.md)."""


def protected_totals(engineers: pd.DataFrame,
                     suppress_below: int | None = SUPPRESS_BELOW) -> ProtectedTable:
    """:func:`totals_table` protected by :func:`genderstats.privacy.protect_people_table`:
    one engineer of gender 其他 prints 「<3」, and the 合計 then 「*」."""
    return protect_people_table(totals_table(engineers), suppress_below)


def breakdown_label(column: str) -> str:
    """The Chinese name of a breakdown column: 職別, 科室, 廠商, 年資 ….

    >>> breakdown_label("centre"), breakdown_label("vendor")
    ('科室', '廠商')
    """
    if column in BREAKDOWN_LABELS:
        return BREAKDOWN_LABELS[column]
    spec = DATASETS[DATASET]
    if column in spec.names:
        return spec.column(column).label
    known = "、".join(dict.fromkeys([*BREAKDOWN_LABELS, *spec.names]))
    raise ValueError(f"「{column}」不是駐點工程師資料的欄位；可用的分類欄位有：{known}")


def _has_data(engineers: pd.DataFrame, column: str) -> bool:
    if column not in engineers.columns:
        return False
    values = engineers[column]
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        values = values.astype("string").str.strip().replace("", pd.NA)
    return bool(values.notna().any())


def usable_breakdowns(engineers: pd.DataFrame, breakdowns: Iterable[str]) -> list[str]:
    """The requested breakdowns that have data this year, in order, each once.

    A column missing from the frame or blank in every row is left out without a word (a
    year's file need not carry every column); a name that is neither in
    :data:`BREAKDOWN_LABELS` nor in the data contract raises ValueError, since it is a typo.
    ``breakdowns`` may also be a single column name.

    >>> df = pd.DataFrame({"gender": ["男"], "job_category": ["系統工程師"], "centre": [None]})
    >>> usable_breakdowns(df, ["job_category", "centre", "vendor"])
    ['job_category']
    """
    wanted = [breakdowns] if isinstance(breakdowns, str) else list(breakdowns)
    out: list[str] = []
    for column in wanted:
        breakdown_label(column)  # raises on an unknown name
        if column not in out and _has_data(engineers, column):
            out.append(column)
    return out


def totals_table(engineers: pd.DataFrame) -> pd.DataFrame:
    """One gender-table row labelled 駐點工程師: counts 男, 女, 其他, 合計 and shares.

    >>> t = totals_table(pd.DataFrame({"gender": ["男", "男", "女"]}))
    >>> t.loc["駐點工程師", ["男", "女", "合計"]].tolist()
    [2, 1, 3]
    """
    return gender_table(engineers, label=POPULATION)


def _band_labels(edges: Sequence[float]) -> list[str]:
    def num(x: float) -> str:
        return str(int(x)) if float(x).is_integer() else str(x)

    labels = [f"未滿{num(edges[0])}年"]
    labels += [f"{num(a)}年以上未滿{num(b)}年" for a, b in zip(edges[:-1], edges[1:], strict=True)]
    labels.append(f"{num(edges[-1])}年以上")
    return labels


def seniority_bands(years: pd.Series, edges: Sequence[float] = SENIORITY_EDGES) -> pd.Series:
    """Years of service → ordered bands (left-closed: exactly 3 years is 「3年以上未滿5年」).

    Missing years stay missing.

    >>> seniority_bands(pd.Series([0.7, 3, 9.9, 10, None])).tolist()
    ['未滿1年', '3年以上未滿5年', '5年以上未滿10年', '10年以上', nan]
    """
    limits = [float(e) for e in edges]
    if not limits or any(b <= a for a, b in zip(limits[:-1], limits[1:], strict=True)):
        raise ValueError(f"年資分組界限必須遞增：{list(edges)}")
    labels = _band_labels(limits)
    numbers = pd.to_numeric(years, errors="coerce").astype("float64")
    bands = pd.cut(numbers, bins=[-np.inf, *limits, np.inf], labels=labels, right=False)
    dtype = pd.CategoricalDtype(labels, ordered=True)
    return pd.Series(pd.Categorical(bands, dtype=dtype), index=years.index, name=years.name)


def breakdown_table(
    engineers: pd.DataFrame,
    column: str,
    *,
    edges: Sequence[float] = SENIORITY_EDGES,
) -> pd.DataFrame:
    """Gender table by one breakdown column, with 合計 as the last row.

    Categories are ordered by name (never by size: with the totals, an order by size tells
    which of two hidden counts is larger), except seniority, which is banded with
    :func:`seniority_bands` and kept in band order (empty bands included). Blank cells
    become the category 「未填」 (listed last) rather than being dropped, so the 合計 is always
    every engineer. The index is named after the breakdown (e.g. 職別).

    >>> df = pd.DataFrame({"gender": ["男", "女", "男"], "centre": ["乙", "甲", None]})
    >>> breakdown_table(df, "centre")["合計"].to_dict()
    {'乙': 1, '甲': 1, '未填': 1, '合計': 3}
    """
    label = breakdown_label(column)
    if column not in engineers.columns:
        raise KeyError(f"資料中沒有「{label}」（{column}）欄")
    frame = engineers[["gender"]].copy()
    if column == SENIORITY_COLUMN:
        bands = seniority_bands(engineers[column], edges)
        order = list(bands.cat.categories)
        if bands.isna().any():
            bands = bands.cat.add_categories([UNFILLED]).fillna(UNFILLED)
            order.append(UNFILLED)
        frame[label] = bands
    else:
        values = engineers[column].astype("string").str.strip().replace("", pd.NA)
        blank = values.isna()
        frame[label] = values.fillna(UNFILLED).astype(object)
        order = sorted(frame.loc[~blank.to_numpy(), label].unique(), key=str)
        if blank.any():
            order.append(UNFILLED)
    return gender_table(frame, by=label, order=order)


@dataclass(frozen=True)
class Breakdown:
    """One breakdown ready for the page: its table, the recorded table name and findings."""

    column: str
    label: str
    table: pd.DataFrame
    name: str
    gaps: pd.DataFrame
    sentences: list[str] = field(default_factory=list)
    protected: ProtectedTable | None = None


def protect(engineers: pd.DataFrame, columns: Sequence[str],
            suppress_below: int | None = SUPPRESS_BELOW, *,
            edges: Sequence[float] = SENIORITY_EDGES) -> dict[str, ProtectedTable]:
    """Every table of the year's engineers, protected together
    (:class:`genderstats.privacy.Population`): :data:`POPULATION` gives the totals (printed
    as :func:`protected_totals` prints them), each breakdown column its table; every table's
    合計 row is the totals, and a count hidden in one is solved with all the others."""
    return population(engineers, columns, suppress_below, edges=edges).protect()


def population(engineers: pd.DataFrame, columns: Sequence[str],
               suppress_below: int | None = SUPPRESS_BELOW, *,
               edges: Sequence[float] = SENIORITY_EDGES) -> Population:
    """The :class:`genderstats.privacy.Population` :func:`protect` solves (for the year's
    audit, :mod:`genderstats.analyses.year_audit`)."""
    pop = Population(suppress_below)
    totals = totals_table(engineers)
    pop.add_facet(POPULATION, totals)
    pop.add_table(POPULATION, POPULATION, {POPULATION: [POPULATION]}, total=False,
                  index_name=totals.index.name)
    pop.fix(POPULATION, POPULATION, protected_totals(engineers, suppress_below).marks.iloc[0])
    for column in columns:
        table = breakdown_table(engineers, column, edges=edges)
        body = [k for k in table.index if k != TOTAL]
        pop.add_facet(column, table.loc[body])
        pop.add_table(column, column, {k: [k] for k in body}, index_name=table.index.name)
    return pop


def breakdown(
    engineers: pd.DataFrame,
    column: str,
    *,
    threshold: Fraction | float | str = ONE_THIRD,
    edges: Sequence[float] = SENIORITY_EDGES,
    suppress_below: int | None = None,
    protected: ProtectedTable | None = None,
) -> Breakdown:
    """:func:`breakdown_table`, its :func:`gaps` and :func:`gap_sentences` in one object.

    ``name`` (e.g. 「駐點工程師依職別」) is the table name recorded in indicators.csv. The
    table is protected as ``protected`` says (the year's :func:`protect`), else, with
    ``suppress_below``, as :func:`protect` of this breakdown alone; the sentences then use
    only rows shown in full. Record ``protected.record()``, never ``table``.
    """
    table = breakdown_table(engineers, column, edges=edges)
    label = breakdown_label(column)
    found = gaps(table, threshold=threshold)
    sentences = gap_sentences(table, label, threshold=threshold)
    if protected is None:
        protected = protect(engineers, [column], suppress_below, edges=edges)[column]
    if protected.any_hidden:
        shown = [k for k in table.index if protected.row_shown(k)]
        found = found[[k in shown for k in found.index]]
        body = [k for k in shown if k != TOTAL]
        sentences = gap_sentences(table.loc[body], label, threshold=threshold) if body else []
        partial = [str(k) for k in table.index if k != TOTAL and not protected.row_shown(k)]
        if partial:
            sentences.append(
                f"{label}「{'」、「'.join(partial)}」有部分人數為保護個人隱私未公開"
                f"（未達{protected.threshold}人，或可據以推算者），不列出其性別比例分析")
    return Breakdown(
        column=column,
        label=label,
        table=table,
        name=f"{POPULATION}依{label}",
        gaps=found,
        sentences=sentences,
        protected=protected,
    )


def gaps(table: pd.DataFrame, *, threshold: Fraction | float | str = ONE_THIRD) -> pd.DataFrame:
    """Categories where men or women are absent or below ``threshold`` (default 1/3).

    Uses :func:`genderstats.stats.one_third_rule` (exact: 1 of 3 meets a third) on every row
    but 合計 and 未填. Columns: 人數, 男, 女, 較少性別 (男/女), 情形 (「無女性」 or
    「女性未達三分之一」). Empty when every category meets the rule.

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"網路": {"男": 6, "女": 0}, "資安": {"男": 5, "女": 1},
    ...                   "客服": {"男": 3, "女": 3}})
    >>> gaps(t)["情形"].to_dict()
    {'網路': '無女性', '資安': '女性未達三分之一'}
    """
    body = table[[k != TOTAL and k != UNFILLED for k in table.index]]
    rules = one_third_rule(body, threshold=threshold)
    rows = []
    for key, rule in rules.iterrows():
        if bool(rule["符合"]) or int(rule["人數"]) == 0:
            continue
        men, women = int(body.loc[key, "男"]), int(body.loc[key, "女"])
        fewer = "女" if women < men else "男"
        word = "女性" if fewer == "女" else "男性"
        count = women if fewer == "女" else men
        what = f"無{word}" if count == 0 else f"{word}未達{threshold_words(threshold)}"
        rows.append({"類別": key, "人數": int(rule["人數"]), "男": men, "女": women,
                     "較少性別": fewer, "情形": what})
    out = pd.DataFrame(rows, columns=["類別", "人數", "男", "女", "較少性別", "情形"])
    return out.set_index("類別")


def gap_sentences(
    table: pd.DataFrame, label: str, *, threshold: Fraction | float | str = ONE_THIRD
) -> list[str]:
    """One findings sentence per category that lacks a gender or is under the threshold.

    In the seed's wording, with the headcount so a small category reads as small:

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"網路工程師": {"男": 6, "女": 0}, "資安工程師": {"男": 5, "女": 1}})
    >>> gap_sentences(t, "職別")[0]
    '職別「網路工程師」（6人）男女比例為女性佔0.00%、男性佔100.00%，則缺女性代表'
    >>> gap_sentences(t, "職別")[1]
    '職別「資安工程師」（6人）男女比例為女性佔16.67%、男性佔83.33%，則男多於女，女性未達三分之一'
    """
    found = gaps(table, threshold=threshold)
    sentences = []
    for key, gap in found.iterrows():
        row = table.loc[key]
        head = f"{label}「{key}」（{format_count(row[TOTAL])}人）"
        text = composition_sentence(head, row, decimals=_PCT_DECIMALS)
        if not gap["情形"].startswith("無"):
            text += f"，{gap['情形']}"
        sentences.append(text)
    return sentences


def protected_sentence(totals: ProtectedTable, year: int | None = None) -> str:
    """:func:`overall_sentence` from the cells the page prints: when the totals row has a
    hidden cell (e.g. one engineer of gender 其他), only the shown counts are named.

    >>> t = protected_totals(pd.DataFrame({"gender": ["男"] * 5 + ["女"] * 4 + ["其他"]}))
    >>> protected_sentence(t, 112)
    '112年在局內駐點之駐點工程師：男性5人、女性4人、其他性別未達3人'
    """
    key = totals.table.index[0]
    if totals.row_shown(key):
        return overall_sentence(totals.table, year)
    words = {"男": "男性", "女": "女性", "其他": "其他性別"}
    parts = []
    for g in GENDERS:
        text = totals.text(key, g)
        if text == "0" and g == "其他":
            continue
        if totals.is_small(key, g):
            parts.append(f"{words[g]}未達{totals.threshold}人")
        elif text != "*":
            parts.append(f"{words[g]}{text}人")
    lead = f"{year}年" if year is not None else ""
    return f"{lead}在局內駐點之{POPULATION}：" + "、".join(parts)


def overall_sentence(totals: pd.DataFrame, year: int | None = None) -> str:
    """The headline sentence, e.g. 「112年在局內駐點之駐點工程師（男性：26人，女性：11人）
    共37人，女性佔29.73%，未達三分之一」.

    >>> overall_sentence(totals_table(pd.DataFrame({"gender": ["男", "女", "女"]})))
    '在局內駐點之駐點工程師（男性：1人，女性：2人）共3人，男性佔33.33%，符合任一性別不低於三分之一'
    """
    row = totals.iloc[-1]
    men, women, other, total = (int(row[c]) for c in (*GENDERS, TOTAL))
    lead = f"{year}年" if year is not None else ""
    if total == 0:
        return f"{lead}無在局內駐點之駐點工程師資料"
    counts = f"男性：{format_count(men)}人，女性：{format_count(women)}人"
    if other:
        counts += f"，其他性別：{format_count(other)}人"
    text = f"{lead}在局內駐點之駐點工程師（{counts}）共{format_count(total)}人"
    fewer, count = ("女", women) if women <= men else ("男", men)
    word = "女性" if fewer == "女" else "男性"
    text += f"，{word}佔{format_pct(count / total, _PCT_DECIMALS)}"
    if count * 3 >= total:
        return text + "，符合任一性別不低於三分之一"
    return text + "，未達三分之一"


def seniority_summary(engineers: pd.DataFrame) -> pd.DataFrame:
    """Years of service per gender: rows 男, 女 (其他 when present) and 合計; columns 人數
    (with a value), 平均年資 and 年資中位數 (years, unrounded; NaN with nobody).

    >>> df = pd.DataFrame({"gender": ["男", "男", "女"], "seniority_years": [2.0, 4.0, 9.0]})
    >>> seniority_summary(df)["平均年資"].to_dict()
    {'男': 3.0, '女': 9.0, '合計': 5.0}
    """
    if SENIORITY_COLUMN not in engineers.columns:
        raise KeyError(f"資料中沒有「年資」（{SENIORITY_COLUMN}）欄")
    years = pd.to_numeric(engineers[SENIORITY_COLUMN], errors="coerce").astype("float64")
    genders = engineers["gender"].astype(object)
    rows: dict[str, dict[str, Any]] = {}
    for g in GENDERS:
        values = years[(genders == g).to_numpy()].dropna()
        if g == "其他" and not (genders == g).any():
            continue
        rows[g] = _summary(values)
    rows[TOTAL] = _summary(years.dropna())
    return pd.DataFrame.from_dict(rows, orient="index")[["人數", "平均年資", "年資中位數"]]


def _summary(values: pd.Series) -> dict[str, Any]:
    n = int(len(values))
    return {
        "人數": n,
        "平均年資": float(values.mean()) if n else math.nan,
        "年資中位數": float(values.median()) if n else math.nan,
    }


def seniority_sentence(summary: pd.DataFrame, suppress_below: int | None = None) -> str:
    """「平均年資：女性8.35年、男性9.45年（中位數：女性6.40年、男性10.35年）」.

    >>> df = pd.DataFrame({"gender": ["男", "男", "女"], "seniority_years": [2.0, 4.0, 9.0]})
    >>> seniority_sentence(seniority_summary(df))
    '平均年資：女性9.00年、男性3.00年（中位數：女性9.00年、男性3.00年）'
    """
    def years(g: str, col: str) -> str:
        value = summary.loc[g, col] if g in summary.index else math.nan
        return absence.NO_DATA if pd.isna(value) else f"{format_fixed(value, 2)}年"

    # A gender of fewer people than the threshold would have their years published.
    shown = [g for g in ("女", "男", "其他") if g in summary.index
             and not (suppress_below and 0 < summary.loc[g, "人數"] < suppress_below)]
    words = {"女": "女性", "男": "男性", "其他": "其他性別"}
    means = "、".join(f"{words[g]}{years(g, '平均年資')}" for g in shown)
    medians = "、".join(f"{words[g]}{years(g, '年資中位數')}" for g in shown)
    return f"平均年資：{means}（中位數：{medians}）"


def named_figures(totals: ProtectedTable) -> dict[str, str | None]:
    """The figures the results report's prose may use (``record_figures``), as the page's
    protected total table prints them (the engineers are not public servants)."""
    return {"men": totals.text(POPULATION, "男"), "women": totals.text(POPULATION, "女")}


def key_figure(engineers: pd.DataFrame, suppress_below: int | None = SUPPRESS_BELOW) -> str:
    """The index page's one line: 「37人：男性26人、女性11人（29.73%）」 (the share is women's).

    Protected as the page is: when the totals row hides a cell, the shown counts only
    (「男性5人、女性4人、其他性別未達3人」).

    >>> key_figure(pd.DataFrame({"gender": ["男"] * 4 + ["女"] * 3}))
    '7人：男性4人、女性3人（42.86%）'
    >>> key_figure(pd.DataFrame({"gender": ["男"] * 4 + ["女"] * 3 + ["其他"]}))
    '男性4人、女性3人、其他性別未達3人'
    """
    protected = protected_totals(engineers, suppress_below)
    if not protected.row_shown(POPULATION):
        return protected_sentence(protected).split("：", 1)[1]
    row = totals_table(engineers).iloc[0]
    men, women, other, total = (int(row[c]) for c in (*GENDERS, TOTAL))
    share = format_pct(women / total if total else None, _PCT_DECIMALS)
    text = (f"{format_count(total)}人：男性{format_count(men)}人、"
            f"女性{format_count(women)}人（{share}）")
    if other:
        text += f"、其他性別{format_count(other)}人"
    return text


# --------------------------------------------------------------------------- page pieces


def summary_paragraph(totals: pd.DataFrame | ProtectedTable, year: int | None = None
                      ) -> Paragraph:
    """:func:`overall_sentence` (:func:`protected_sentence` for a protected table) as the
    page's paragraph."""
    text = (protected_sentence(totals, year) if isinstance(totals, ProtectedTable)
            else overall_sentence(totals, year))
    return Paragraph(f"{text}。")


def breakdown_outputs(part: Breakdown, year: int, engineers: pd.DataFrame | None = None) -> list:
    """What the page shows for one breakdown: a heading, the table (shares to 2 decimals)
    and a chart. Most breakdowns get a 100%-stacked chart with the one-third line; seniority
    gets bars of headcounts per band and, given ``engineers``, the average-years sentence.
    """
    from genderstats.present import charts
    from genderstats.present.tables import gender_block

    out: list[Any] = [Heading(f"依{part.label}", level=3)]
    out.append(gender_block(
        part.table, f"{year}年{POPULATION}依{part.label}之性別統計", decimals=_PCT_DECIMALS,
        index_label=part.label, protected=part.protected,
        suppress_below=part.protected.threshold if part.protected else None,
    ))
    # A chart shows exact values, so it draws only the rows the table prints in full.
    shown = part.protected.shown_rows() if part.protected is not None else part.table
    body = shown[[k != TOTAL for k in shown.index]]
    if part.column == SENIORITY_COLUMN:
        if len(body) == len(part.table) - 1:
            out.append(charts.grouped_bars(
                body, title=f"{year}年{POPULATION}各年資區間人數", value="count", unit="人",
            ))
        if engineers is not None:
            sentence = seniority_sentence(seniority_summary(engineers),
                                          part.protected.threshold if part.protected else None)
            out.append(Paragraph(f"{sentence}。"))
    elif len(body):
        # The protected table: the chart draws the rows shown in full and says how many
        # it leaves out and why.
        table = carry(part.table.copy(), part.protected) if part.protected else part.table
        out.append(charts.stacked_100(
            table, title=f"{year}年{POPULATION}各{part.label}性別比例", rule=ONE_THIRD,
            digits=_PCT_DECIMALS,
        ))
    if part.protected is not None and len(body) < len(part.table) - 1 and (
            not len(body) or part.column == SENIORITY_COLUMN):
        out.append(Paragraph(f"部分{part.label}有未達門檻的人數，為保護個人隱私不繪製圖表。"))
    return out


def breakdown_sections(parts: Sequence[Breakdown], requested: Iterable[str], year: int,
                       engineers: pd.DataFrame) -> list:
    """Every requested breakdown in order: :func:`breakdown_outputs` of those in ``parts``;
    for a column the file lacks (:data:`ABSENT`), its heading and the statement that there
    is no such data. A column blank in every row is left out."""
    made = {part.column: part for part in parts}
    out: list[Any] = []
    for column in dict.fromkeys(requested):
        statement = ABSENT.get(column)
        if column in made:
            out += breakdown_outputs(made[column], year, engineers)
        elif statement is not None and statement.holds(engineers):
            out += [Heading(f"依{breakdown_label(column)}", level=3),
                    Paragraph(statement.say())]
    return out
