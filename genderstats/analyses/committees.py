"""Committee composition: who sits on a committee, by gender, and whether the rule is met.

One notebook (``notebooks/committee_composition.ipynb``) serves every committee; everything
it shows is computed here from the roster (``committee_members``), so which sections a
report has is decided by the data, never by the committee's name:

- **全體委員**: counts and shares, the lower single-gender share (較低者單一性別比例) and the
  composition rule (任一性別不低於三分之一; minimum ``ceil(n × threshold)``).
- **Breakdowns** (:data:`BREAKDOWNS`), each present only when the roster has data for it:
  府內外聘 (when both occur), 委員身分 (when it splits the roster differently from 府內外聘,
  e.g. 當然委員/派聘委員), 工作小組 and 代表類別 (of the members who have one; 政府機關
  only restates 府內 and is left out, so the seed's sectors are those of the 外聘委員).
- **Terms**: the current term is the highest in the file; the one before it, when present,
  is compared with it (:func:`compare_terms`).
- **Meetings** of the 性別平等專案小組 (``task_force_meetings``): attendance as the results
  report prints it (「94.12%」, 「16/17」) and the experts present, masked.

Rounding: the composition shares (tables, charts, sentences) use the notebook's
``decimals`` (0 gives the seed analysis' whole percents: 44%, 56%, 86%). Figures of the
results-report form (（較低者）單一性別比例 in its table and its sentence, 出席比率, the key
figure) are always printed as the form prints them (:func:`genderstats.numbers.form_pct`:
26.67%, 35.29%, 94.12%; 100%, 40%).

The rule threshold and whether ex-officio members (身分 當然委員) count are explicit
arguments of every function that checks the rule; the displayed composition always shows
everyone.

>>> import pandas as pd
>>> roster = pd.DataFrame({"committee": ["甲"] * 9, "term": pd.array([None] * 9, "Int64"),
...     "name": list("ABCDEFGHI"), "gender": ["男"] * 7 + ["女"] * 2,
...     "affiliation": ["府內"] * 9})
>>> c = composition(roster, "甲")
>>> bool(c.rule["符合"]), c.rule["缺少性別"], int(c.rule["缺少人數"])
(False, '女', 1)
>>> key_figure(c)
'9人，女性2人（22.22%），未達三分之一原則（尚缺女性1人）'

Over 500 lines because one notebook serves every committee: composition, meetings,
the one-third verdict and its wording are computed from the same roster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import pandas as pd

from genderstats.analyses.narrative import composition_sentence, minority_sentence, rule_sentence
from genderstats.config import GENDERS, TOTAL
from genderstats.data import absence
from genderstats.names import mask_name
from genderstats.numbers import (
    form_pct,
    format_count,
    format_pct,
    parse_threshold,
    pct_points,
    threshold_words,
)
from genderstats.present.model import Findings, Group, Heading, Paragraph, Table
from genderstats.present.tables import GENDER_WORDS, frame_block
from genderstats.stats import (
    ONE_THIRD,
    gender_table,
    is_total_label,
    one_third_rule,
    rule_population,
)
from genderstats.years import roc_date

__all__ = [
    "ABSENT_BREAKDOWNS",
    "ALL_MEMBERS",
    "BREAKDOWNS",
    "EX_OFFICIO",
    "TASK_FORCE",
    "Breakdown",
    "BreakdownSpec",
    "Composition",
    "attendance_rate",
    "breakdown_sentences",
    "committee_roster",
    "compare_terms",
    "comparison_table",
    "comparison_sentences",
    "composition",
    "composition_table",
    "counted_people",
    "expert_attendance",
    "form_table",
    "has_experts",
    "heading",
    "headcount_sentence",
    "indicator_tables",
    "key_figure",
    "meetings_frame",
    "meetings_table",
    "meetings_outputs",
    "meetings_sentences",
    "members_frame",
    "members_block",
    "missing_breakdowns",
    "new_categories",
    "no_terms",
    "note",
    "overall_sentences",
    "previous_term",
    "terms",
]

TASK_FORCE = "性別平等專案小組"
"""The committee whose meetings ``task_force_meetings`` describes."""
EX_OFFICIO = "當然委員"
"""The 身分 (role) left out of the rule's count when ``exclude_ex_officio`` is set."""
ALL_MEMBERS = "全體委員"
UNFILLED = "（未填）"

_NAME_SPLIT = re.compile(r"[、,，;；/／\s]+")


# --------------------------------------------------------------------------- wording


def _short_threshold(threshold: Fraction) -> str:
    """「1/3」 as the seed's table footer writes it; a percentage when not a simple fraction."""
    if threshold.denominator <= 10 and threshold.numerator < threshold.denominator:
        if threshold.denominator in (3, 4, 6, 7, 8, 9) or threshold.numerator == 1:
            return f"{threshold.numerator}/{threshold.denominator}"
    return form_pct(threshold)


def _rule_name(threshold: Fraction) -> str:
    """「三分之一原則」 for 1/3, 「任一性別不低於40%原則」 otherwise."""
    text = threshold_words(threshold)
    return "三分之一原則" if threshold == ONE_THIRD else f"任一性別不低於{text}原則"


def heading(text: str, level: int = 2, anchor: str | None = None) -> Heading:
    """A section heading for a section that exists only when the data has it.

    The anchor lets the page's table of contents link to it.

    >>> heading("工作 小組").anchor
    '工作-小組'
    """
    return Heading(text, level, anchor or re.sub(r"\s+", "-", text.strip()))


def note(text: str) -> Paragraph:
    """A note: the small print under a table.

    >>> note("無成員").note
    True
    """
    return Paragraph(text, note=True)


# --------------------------------------------------------------------------- roster


def committee_roster(members: pd.DataFrame, committee: str) -> pd.DataFrame:
    """The rows of ``committee`` in the ``committee_members`` data (every term).

    Raises ValueError naming the committees the file has when there is none.
    """
    rows = members[members["committee"] == committee]
    if rows.empty:
        known = "、".join(str(c) for c in pd.unique(members["committee"].dropna()))
        raise ValueError(
            f"委員名單中沒有「{committee}」的委員。檔案中的委員會有：{known or '（無）'}。"
            "請確認 reports.yml 的 committee 參數與委員名單的「委員會」欄一致。"
        )
    return rows


def terms(roster: pd.DataFrame) -> list[int]:
    """The terms (屆) of a committee's roster, ascending; [] for a committee without terms.

    A roster where some rows have a term and others do not is ambiguous and raises.
    """
    if "term" not in roster.columns:
        return []
    term = roster["term"]
    if term.isna().all():
        return []
    if term.isna().any():
        raise ValueError(
            f"「{roster['committee'].iloc[0]}」有 {int(term.isna().sum())} 位委員沒有填「屆」，"
            "其他委員有填；請補上屆次（或全部留空）。"
        )
    return sorted(int(t) for t in pd.unique(term))


def previous_term(roster: pd.DataFrame, term: int | None) -> int | None:
    """The term before ``term`` in the roster (the highest lower one), or None."""
    if term is None:
        return None
    earlier = [t for t in terms(roster) if t < term]
    return earlier[-1] if earlier else None


def counted_people(roster: pd.DataFrame, exclude_ex_officio: bool) -> pd.DataFrame:
    """The members the composition rule counts: everyone, or everyone but 當然委員."""
    if not exclude_ex_officio or "role" not in roster.columns:
        return roster
    return rule_population(roster, {"role": EX_OFFICIO})


# --------------------------------------------------------------------------- breakdowns


@dataclass(frozen=True)
class BreakdownSpec:
    """How one roster column becomes a breakdown section.

    ``whole``: the breakdown covers every member (府內外聘, 身分); otherwise only the members
    with a value, minus ``skip`` values that merely restate 府內 (代表類別 政府機關).
    ``suffix`` turns a category into the subject of a sentence (產業 → 產業代表).
    """

    column: str
    label: str
    suffix: str = ""
    relabel: bool = False
    whole: bool = False
    skip: tuple[str, ...] = ()
    grouping: str = ""


BREAKDOWNS: tuple[BreakdownSpec, ...] = (
    BreakdownSpec("affiliation", "府內外聘", suffix="委員", relabel=True, whole=True,
                  grouping="以府內、外聘分群"),
    BreakdownSpec("role", "委員身分", whole=True, grouping="以委員身分分群"),
    BreakdownSpec("working_group", "工作小組", grouping="以工作小組分群"),
    BreakdownSpec("sector", "代表類別", suffix="代表", skip=("政府機關",)),
)
"""The breakdowns a roster may have, in the order the report shows them."""
ABSENT_BREAKDOWNS = {"working_group": absence.WORKING_GROUP, "sector": absence.SECTOR}
"""The breakdowns whose column, when the file lacks it, the page says it has no data of."""


@dataclass(frozen=True)
class Breakdown:
    """One breakdown of a committee: its gender table, rule check and population."""

    spec: BreakdownSpec
    population: str
    table: pd.DataFrame
    rules: pd.DataFrame

    @property
    def key(self) -> str:
        return self.spec.column

    @property
    def name(self) -> str:
        """The indicator table's name: 「府內外聘」, 「工作小組（外聘委員）」."""
        if self.population == ALL_MEMBERS:
            return self.spec.label
        return f"{self.spec.label}（{self.population}）"

    @property
    def categories(self) -> list[Any]:
        return [k for k in self.table.index if not is_total_label(k)]

    def subject(self, category: Any) -> str:
        """The category as a sentence's subject: 產業 → 產業代表, 府內委員 stays."""
        text = str(category)
        if self.spec.suffix and not text.endswith(self.spec.suffix):
            return text + self.spec.suffix
        return text

    @property
    def grouping(self) -> str:
        """「以工作小組分群」, 「以產業、學界、法人分群」."""
        return self.spec.grouping or f"以{'、'.join(map(str, self.categories))}分群"


def _order(values: pd.Series) -> list[Any]:
    present = list(pd.unique(values.dropna()))
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if c in present]
    return present


def _population(rows: pd.DataFrame) -> str:
    kinds = set(rows["affiliation"].dropna().astype(str)) if "affiliation" in rows else set()
    if len(kinds) == 1:
        return f"{kinds.pop()}委員"
    return ALL_MEMBERS


def _same_partition(roster: pd.DataFrame, a: str, b: str) -> bool:
    pairs = roster[[a, b]].astype(object).fillna(UNFILLED)
    return bool(pairs.groupby(a)[b].nunique().max() == 1
                and pairs.groupby(b)[a].nunique().max() == 1)


def _breakdown(
    roster: pd.DataFrame, spec: BreakdownSpec, threshold: Fraction, exclude_ex_officio: bool
) -> Breakdown | None:
    col = spec.column
    if col not in roster.columns:
        return None
    values = roster[col]
    if spec.whole:
        values = values.astype(object).where(values.notna(), UNFILLED)
        if values.nunique() < 2:
            return None
        if col == "role" and "affiliation" in roster.columns and _same_partition(
            roster, "role", "affiliation"
        ):
            return None  # 機關代表委員 = 府內, 專家學者委員 = 外聘: already shown
        rows = roster
        order = _order(roster[col]) + ([UNFILLED] if (values == UNFILLED).any() else [])
    else:
        keep = values.notna() & ~values.isin(spec.skip)
        if not keep.any():
            return None
        rows, values = roster[keep], values[keep]
        order = _order(values)
    labels = {v: (f"{v}{spec.suffix}" if spec.relabel else v) for v in order}
    frame = pd.DataFrame({"gender": rows["gender"], col: values.astype(object).map(labels)})
    wanted = [labels[v] for v in order]
    table = gender_table(frame, by=col, order=wanted)
    table.index.name = spec.label
    counted = counted_people(rows, exclude_ex_officio)
    rules = one_third_rule(
        gender_table(frame.loc[counted.index], by=col, order=wanted), threshold=threshold
    )
    return Breakdown(spec, ALL_MEMBERS if spec.whole else _population(rows), table, rules)


# --------------------------------------------------------------------------- composition


@dataclass(frozen=True)
class Composition:
    """One term of one committee: overall table, rule check and breakdowns.

    ``overall`` is the gender table of everyone (one row, 全體委員); ``rules`` its rule
    check, on the members the rule counts (see :func:`counted_people`).
    """

    committee: str
    term: int | None
    roster: pd.DataFrame
    overall: pd.DataFrame
    rules: pd.DataFrame
    breakdowns: tuple[Breakdown, ...]
    threshold: Fraction
    exclude_ex_officio: bool

    @property
    def term_label(self) -> str:
        """「第2屆」, or "" for a committee without terms."""
        return f"第{self.term}屆" if self.term is not None else ""

    @property
    def label(self) -> str:
        """「第2屆資料治理委員會」."""
        return f"{self.term_label}{self.committee}"

    @property
    def rule(self) -> pd.Series:
        """The rule check of the whole committee (a row of :attr:`rules`)."""
        return self.rules.loc[ALL_MEMBERS]

    @property
    def row(self) -> pd.Series:
        """The 全體委員 row of :attr:`overall`."""
        return self.overall.loc[ALL_MEMBERS]

    @property
    def threshold_text(self) -> str:
        return threshold_words(self.threshold)

    @property
    def counted(self) -> int:
        """How many members the rule counts."""
        return int(self.rule["人數"])

    def breakdown(self, key: str) -> Breakdown | None:
        """The breakdown by ``key`` (a roster column), or None when the data has none."""
        return next((b for b in self.breakdowns if b.key == key), None)


def composition(
    members: pd.DataFrame,
    committee: str,
    *,
    term: int | None = None,
    threshold: Fraction | float | str = ONE_THIRD,
    exclude_ex_officio: bool = False,
) -> Composition:
    """The composition of ``committee`` in ``term`` (default: its highest term).

    ``members`` is the ``committee_members`` data (all committees, or just this one);
    ``threshold`` the rule's minimum share of each of 男 and 女 (1/3, "40%", 0.4);
    ``exclude_ex_officio`` leaves 當然委員 out of the rule's count (they still appear in
    every table).
    """
    t = parse_threshold(threshold)
    roster = committee_roster(members, committee)
    available = terms(roster)
    if term is None:
        term = available[-1] if available else None
    elif term not in available:
        raise ValueError(f"「{committee}」沒有第{term}屆；委員名單中有：{available or '無屆次'}")
    if term is not None:
        roster = roster[roster["term"] == term]
    overall = gender_table(roster, label=ALL_MEMBERS)
    counted = gender_table(counted_people(roster, exclude_ex_officio), label=ALL_MEMBERS)
    rules = one_third_rule(counted, threshold=t)
    found = (_breakdown(roster, spec, t, exclude_ex_officio) for spec in BREAKDOWNS)
    return Composition(committee, term, roster, overall, rules,
                       tuple(b for b in found if b is not None), t, exclude_ex_officio)


def missing_breakdowns(members: pd.DataFrame) -> list[Any]:
    """For each breakdown whose column the roster's file lacks (:data:`ABSENT_BREAKDOWNS`),
    its section's heading and the statement that there is no such data."""
    out: list[Any] = []
    for spec in BREAKDOWNS:
        statement = ABSENT_BREAKDOWNS.get(spec.column)
        if statement is not None and statement.holds(members):
            out += [heading(f"{spec.label}性別統計"), note(statement.say())]
    return out


def indicator_tables(comp: Composition, *, prefix: str = "") -> dict[str, pd.DataFrame]:
    """Every composition table of ``comp`` by indicator name, to record one by one.

    「委員性別」, then one per breakdown (「府內外聘」, 「工作小組（外聘委員）」…). A previous
    term's tables take a prefix: ``prefix="第1屆"`` gives 「第1屆委員性別」.
    """
    tables = {f"{prefix}委員性別": comp.overall}
    for b in comp.breakdowns:
        tables[f"{prefix}{b.name}"] = b.table
    return tables


# --------------------------------------------------------------------------- sentences


def _short_fall(rule_row: pd.Series) -> str:
    parts = [f"{GENDER_WORDS[g]}{int(rule_row[f'{g}缺少人數'])}人" for g in ("男", "女")
             if int(rule_row[f"{g}缺少人數"]) > 0]
    return "尚缺" + "、".join(parts)


def _counts_text(row: pd.Series, sep: str = "、") -> str:
    parts = [f"男性{int(row['男'])}人", f"女性{int(row['女'])}人"]
    if int(row["其他"]):
        parts.append(f"其他性別{int(row['其他'])}人")
    return sep.join(parts)


def headcount_sentence(comp: Composition, *, lead: str = "") -> str:
    """The seed's procurement sentence, for any committee.

    「委員人數分別為男性8人、女性8人，無任一性別比例低於全部委員三分之一之情形」, or
    「…，女性比例低於全部委員三分之一，尚缺女性1人」.
    """
    return f"{lead}委員人數分別為{_counts_text(comp.row)}，{verdict_clause(comp)}"


def verdict_clause(comp: Composition) -> str:
    """The one-third verdict in the form's words: 「無任一性別比例低於全部委員三分之一之情形」,
    or 「女性比例低於全部委員三分之一，尚缺女性3人」."""
    scope = "全部委員" if not comp.exclude_ex_officio else f"全部委員（不計{EX_OFFICIO}）"
    if bool(comp.rule["符合"]):
        return f"無任一性別比例低於{scope}{comp.threshold_text}之情形"
    low = "、".join(GENDER_WORDS[g] for g in ("男", "女") if not bool(comp.rule[f"{g}符合"]))
    return f"{low}比例低於{scope}{comp.threshold_text}，{_short_fall(comp.rule)}"


def compliance_clause(comp: Composition) -> str:
    """Whether the committee meets its rule: 「符合相關規定」, or 「未符合相關規定（女性比例低於
    全部委員三分之一，尚缺女性3人）」."""
    if bool(comp.rule["符合"]):
        return "符合相關規定"
    return f"未符合相關規定（{verdict_clause(comp)}）"


def figures(comp: Composition) -> dict[str, str | None]:
    """The committee's named figures for the results report's prose (``record_figures``):
    headcounts, shares as the form writes them in sentences (「60%」), by 府內/外聘 when
    the roster says so, and the verdicts."""
    row = comp.row
    out: dict[str, str | None] = {
        "term": None if comp.term is None else str(comp.term),
        "men": format_count(row["男"]), "women": format_count(row["女"]),
        "men-share": format_pct(row["男%"], 0), "women-share": format_pct(row["女%"], 0),
    }
    affiliation = comp.breakdown("affiliation")
    for key, label in (("internal", "府內委員"), ("external", "外聘委員")):
        shown = affiliation is not None and label in affiliation.table.index
        part = affiliation.table.loc[label] if shown else None
        out[f"{key}-men-share"] = format_pct(part["男%"], 0) if part is not None else None
        out[f"{key}-women-share"] = format_pct(part["女%"], 0) if part is not None else None
    out["verdict"] = verdict_clause(comp)
    out["compliance"] = compliance_clause(comp)
    return out


def overall_sentences(comp: Composition, decimals: int = 0) -> list[str]:
    """The findings on the whole committee, in the seed's wording.

    「全體委員17人，較低者單一性別（男性）比例為35.29%」, 「全體委員男女比例為女性佔40%、
    男性佔60%」, 「府內委員…」, 「外聘委員…」, the headcount and the rule sentence. Every
    composition share is printed as the page's tables print it (``decimals``, whole without);
    the lower share as the form prints it.
    """
    row = comp.row
    men, women, total = int(row["男"]), int(row["女"]), int(row[TOTAL])
    out = []
    if total and (men or women) and men != women:  # equal: the next sentence says 各佔50%
        out.append(minority_sentence(ALL_MEMBERS, row))
    out.append(composition_sentence(ALL_MEMBERS, row, decimals=decimals, balance=False,
                                    whole=True))
    affiliation = comp.breakdown("affiliation")
    if affiliation is not None:
        out += [composition_sentence(affiliation.subject(k), affiliation.table.loc[k],
                                     decimals=decimals, balance=False, whole=True)
                for k in affiliation.categories]
    out.append(headcount_sentence(comp))
    out.append(rule_sentence(comp.rule, subject=f"{comp.label}{ALL_MEMBERS}",
                             threshold_text=comp.threshold_text)
               + (f"（{EX_OFFICIO}不計入，計入{comp.counted}人）"
                  if comp.exclude_ex_officio else ""))
    return out


def breakdown_sentences(
    breakdown: Breakdown,
    decimals: int = 0,
    *,
    new: Iterable[Any] = (),
    new_prefix: str = "",
    threshold: Fraction | float | str = ONE_THIRD,
    compositions: bool = True,
) -> list[str]:
    """One sentence per category, then the rule read across the categories.

    Categories in ``new`` (absent from the previous term) read 「在第2屆新增的開放資料組…」
    with ``new_prefix="在第2屆新增的"``. ``compositions=False`` gives the rule line only
    (for 府內外聘, whose shares the overall findings already state).
    """
    new = set(new)
    out = []
    if compositions:
        for k in breakdown.categories:
            subject = breakdown.subject(k)
            if k in new and new_prefix:
                subject = f"{new_prefix}{subject}"
            out.append(composition_sentence(subject, breakdown.table.loc[k], decimals=decimals,
                                            whole=True))
    rules = breakdown.rules
    counted = [k for k in breakdown.categories if int(rules.loc[k, "人數"])]
    short = [f"{breakdown.subject(k)}{_short_fall(rules.loc[k])}"
             for k in counted if not bool(rules.loc[k, "符合"])]
    text = threshold_words(threshold)
    if short:
        out.append(f"以任一性別不低於{text}檢視各{breakdown.spec.label}（僅供參考，規定適用於"
                   f"全體委員）：{'、'.join(short)}")
    elif counted:
        names = "、".join(breakdown.subject(k) for k in counted)
        out.append(f"{names}皆符合任一性別不低於{text}")
    return out


def key_figure(comp: Composition) -> str:
    """The index page's one line: 「17人，女性11人（64.71%），符合三分之一原則」.

    A committee with terms starts with the term (「第2屆35人，…」).
    """
    row = comp.row
    total, women, other = int(row[TOTAL]), int(row["女"]), int(row["其他"])
    text = f"{comp.term_label}{total}人"
    if total:
        text += f"，女性{women}人（{form_pct(women / total)}）"
    if other:
        text += f"，其他性別{other}人"
    name = _rule_name(comp.threshold)
    if bool(comp.rule["符合"]):
        return f"{text}，符合{name}"
    return f"{text}，未達{name}（{_short_fall(comp.rule)}）"


# --------------------------------------------------------------------------- HTML


def _rule_cell(rule_row: pd.Series) -> str:
    if int(rule_row["人數"]) == 0:
        return "無成員"
    if bool(rule_row["符合"]):
        return "符合"
    return f"未達（{_short_fall(rule_row)}）"


def composition_table(
    table: pd.DataFrame,
    caption: str,
    *,
    rules: pd.DataFrame | None = None,
    decimals: int = 0,
    threshold: Fraction | float | str = ONE_THIRD,
    show_other: bool | None = None,
    counted: bool = False,
    index_label: str | None = None,
) -> Table:
    """A gender table with, per row, the rule's minimum and result.

    Columns: category | 男性人數 | 女性人數 | [其他性別人數] | 總人數 | 男性比例 | 女性比例 |
    [其他性別比例] | [計入人數] | 任一性別最低人數 | 任一性別不低於三分之一. The 其他
    columns appear when someone in the table is 其他 (``show_other`` forces either way);
    計入人數 (the people the rule counts) when ``counted`` (ex-officio members left out).
    """
    if show_other is None:
        show_other = bool((table["其他"] > 0).any())
    genders = [g for g in GENDERS if show_other or g != "其他"]
    heads = {g: f"{GENDER_WORDS[g]}人數" for g in GENDERS}
    cols: dict[str, list[str]] = {heads[g]: [format_count(v) for v in table[g]] for g in genders}
    cols["總人數"] = [format_count(v) for v in table[TOTAL]]
    for g in genders:
        cols[f"{GENDER_WORDS[g]}比例"] = [format_pct(v, decimals, whole=True)
                                          for v in table[f"{g}%"]]
    numeric = list(cols)
    text = threshold_words(threshold)
    if rules is not None:
        rules = rules.reindex(table.index)
        if counted:
            cols["計入人數"] = [format_count(v) for v in rules["人數"]]
        cols["任一性別最低人數"] = [format_count(v) for v in rules["最低人數"]]
        cols[f"任一性別不低於{text}"] = [_rule_cell(r) for _, r in rules.iterrows()]
        numeric += [c for c in ("計入人數", "任一性別最低人數") if c in cols]
    frame = pd.DataFrame(cols, index=table.index)
    frame.index.name = index_label or table.index.name or "類別"
    return frame_block(frame, caption, numeric_cols=numeric, index=True, mark_total=True)


def form_table(comp: Composition, caption: str | None = None) -> Table:
    """The results-report form's 「成員」 row: totals with 外聘 in brackets, the lower share.

    總人數 「17人（含3名外聘委員）」 | 男性人數 「6人（含1名外聘委員）」 | 女性人數 … |
    (較低者)單一性別比例 「35.29%」 | 任一性別不低於三分之一 「符合」.
    """
    row = comp.row
    externals = comp.roster[comp.roster["affiliation"] == "外聘"] if (
        "affiliation" in comp.roster.columns) else comp.roster.iloc[0:0]
    ext_counts = externals["gender"].value_counts()

    def cell(n: int, ext: int) -> str:
        return f"{n}人（含{ext}名外聘委員）" if len(externals) else f"{n}人"

    data = {"總人數": cell(int(row[TOTAL]), len(externals))}
    for g in GENDERS:
        if g == "其他" and not int(row["其他"]):
            continue
        data[f"{GENDER_WORDS[g]}人數"] = cell(int(row[g]), int(ext_counts.get(g, 0)))
    lower = min(row["男%"], row["女%"]) if int(row[TOTAL]) else None
    data["（較低者）單一性別比例"] = form_pct(lower)
    rule_head = f"任一性別不低於{comp.threshold_text}"
    if comp.exclude_ex_officio:
        rule_head += f"（不計{EX_OFFICIO}）"
    data[rule_head] = _rule_cell(comp.rule)
    frame = pd.DataFrame([data], index=pd.Index([ALL_MEMBERS], name="成員"))
    return frame_block(frame, caption or f"{comp.label}成員", numeric_cols=[], index=True)


def members_frame(roster: pd.DataFrame) -> pd.DataFrame:
    """The members list as the seed's table: 小組成員 | 職稱 | 姓名 | 性別 (names masked).

    小組成員 is the 身分 and any 兼任 duty: 「當然委員 兼召集人」. 府內外聘, 工作小組 and
    代表類別 columns are added when the roster has them (府內外聘: when both occur). A column
    the file lacks reads 無資料 in every cell (:data:`~genderstats.data.absence.ROLE`,
    ``DUTY``, ``TITLE``); without 身分 or 兼任 the two stand apart, so that neither is
    guessed: a missing 身分 never reads 「委員」, a missing 兼任 never reads as none.
    """
    def member(role: Any, duty: Any) -> str:
        text = _text(role)
        if _text(duty):
            text = f"{text or '委員'} 兼{duty}"
        return text or "委員"

    def column(name: str) -> pd.Series:
        return roster[name] if name in roster else pd.Series(pd.NA, index=roster.index)

    role, duty = column("role"), column("duty")
    if absence.ROLE.holds(roster) or absence.DUTY.holds(roster):
        members = {"小組成員": absence.ROLE.cells(roster, map(_text, role)),
                   absence.DUTY.label: absence.DUTY.cells(roster, map(_text, duty))}
    else:
        members = {"小組成員": [member(r, d) for r, d in zip(role, duty, strict=True)]}
    out = pd.DataFrame({
        **members,
        absence.TITLE.label: absence.TITLE.cells(roster, map(_text, column("title"))),
        "姓名": [mask_name(n) for n in roster["name"]],
        "性別": roster["gender"].astype(str).to_numpy(),
    }, index=pd.RangeIndex(len(roster)))
    if "affiliation" in roster and roster["affiliation"].nunique() > 1:
        out["府內外聘"] = roster["affiliation"].astype(object).fillna("").to_numpy()
    for col, label, skip in (("working_group", "工作小組", ()),
                             ("sector", "代表類別", ("政府機關",))):
        if col in roster and (roster[col].notna() & ~roster[col].isin(skip)).any():
            values = roster[col].astype(object)
            out[label] = [("" if pd.isna(v) or v in skip else str(v)) for v in values]
    return out


def _text(value: Any) -> str:
    return "" if pd.isna(value) else str(value)


def members_block(comp: Composition, caption: str | None = None) -> Group:
    """The members table (names masked) and the seed's footer line under it.

    「男性8人／女性8人，無任一性別低於1/3之情形。」
    """
    table = frame_block(members_frame(comp.roster), caption or f"{comp.label}委員名單",
                       mask_cols=["姓名"])
    short = _short_threshold(comp.threshold)
    counts = _counts_text(comp.row, sep="／")
    if bool(comp.rule["符合"]):
        tail = f"無任一性別低於{short}之情形。"
    else:
        tail = f"未達任一性別不低於{short}，{_short_fall(comp.rule)}。"
    return Group((table, note(f"{counts}，{tail}")))


# --------------------------------------------------------------------------- terms


def no_terms(members: pd.DataFrame) -> list[Any]:
    """Where the roster's file has no 屆 column: the comparison section's heading and the
    statement that terms are unknown (:data:`~genderstats.data.absence.TERM`); else []."""
    if not absence.TERM.holds(members):
        return []
    return [heading("與前一屆比較"), note(absence.TERM.say())]


def compare_terms(previous: Composition, current: Composition, decimals: int = 0
                  ) -> pd.DataFrame:
    """Women's share per breakdown in two terms and the change in percentage points.

    Rows (分組, 類別): 全體委員, then each breakdown's categories (its 合計 row left out, it
    repeats a row above). Columns: 前期女性, 前期人數, 前期女性比例, 本期女性, 本期人數,
    本期女性比例 (unrounded, NaN where the term has no such category) and 增減（百分點）,
    the difference of the two shares *as printed* at ``decimals`` (so a reader subtracting
    the printed numbers gets it), NaN when either is missing.
    """
    def rows_of(comp: Composition) -> dict[tuple[str, Any], pd.Series]:
        found = {("全體", ALL_MEMBERS): comp.row}
        for b in comp.breakdowns:
            for k in b.categories:
                found[(b.spec.label, b.subject(k) if b.spec.relabel else k)] = b.table.loc[k]
        return found

    before, after = rows_of(previous), rows_of(current)
    keys = list(after) + [k for k in before if k not in after]
    # Group rows by breakdown, in the order of BREAKDOWNS.
    group_order = ["全體", *[s.label for s in BREAKDOWNS]]
    keys.sort(key=lambda k: group_order.index(k[0]) if k[0] in group_order else len(group_order))
    records = []
    for key in keys:
        rec: dict[str, Any] = {}
        for tag, source in (("前期", before), ("本期", after)):
            row = source.get(key)
            rec[f"{tag}女性"] = float(row["女"]) if row is not None else float("nan")
            rec[f"{tag}人數"] = float(row[TOTAL]) if row is not None else float("nan")
            rec[f"{tag}女性比例"] = float(row["女%"]) if row is not None else float("nan")
        a, b = rec["前期女性比例"], rec["本期女性比例"]
        if pd.isna(a) or pd.isna(b):
            rec["增減（百分點）"] = float("nan")
        else:
            rec["增減（百分點）"] = float(pct_points(b, a, decimals))
        records.append(rec)
    index = pd.MultiIndex.from_tuples(keys, names=["分組", "類別"])
    return pd.DataFrame(records, index=index)


def _pp(value: float, decimals: int) -> str:
    if pd.isna(value):
        return "-"
    text = f"{abs(value):.{decimals}f}"
    return "0" if float(text) == 0 else ("+" if value > 0 else "-") + text


def comparison_table(
    comparison: pd.DataFrame, previous: str, current: str, caption: str, decimals: int = 0
) -> Table:
    """:func:`compare_terms` as a table: 第1屆 女性/總人數 and 比例, 第2屆 the same, 增減."""
    def count(w: float, n: float) -> str:
        return "-" if pd.isna(n) else f"{int(w)}/{int(n)}"

    frame = pd.DataFrame({
        f"{previous}女性/總人數": [count(w, n) for w, n in
                               zip(comparison["前期女性"], comparison["前期人數"], strict=True)],
        f"{previous}女性比例": [format_pct(v, decimals, whole=True)
                                for v in comparison["前期女性比例"]],
        f"{current}女性/總人數": [count(w, n) for w, n in
                              zip(comparison["本期女性"], comparison["本期人數"], strict=True)],
        f"{current}女性比例": [format_pct(v, decimals, whole=True)
                               for v in comparison["本期女性比例"]],
        "增減（百分點）": [_pp(v, decimals) for v in comparison["增減（百分點）"]],
    }, index=comparison.index)
    return frame_block(frame, caption, numeric_cols=list(frame.columns), index=True)


def comparison_sentences(
    comparison: pd.DataFrame, previous: Composition, current: Composition, decimals: int = 0
) -> list[str]:
    """「第2屆全體委員女性比例為40%，較第1屆（32%）增加8個百分點」 for 全體 and 府內外聘;
    the categories one term lacks; and the rule in both terms."""
    p, c = previous.term_label, current.term_label
    out = []
    for (group, label), rec in comparison.iterrows():
        if group not in ("全體", "府內外聘"):
            continue
        if pd.isna(rec["前期女性比例"]) or pd.isna(rec["本期女性比例"]):
            continue
        now = format_pct(rec["本期女性比例"], decimals, whole=True)
        then = format_pct(rec["前期女性比例"], decimals, whole=True)
        diff = rec["增減（百分點）"]
        head = f"{c}{label}女性比例為{now}"
        if diff == 0:
            out.append(f"{head}，與{p}（{then}）持平")
        else:
            word = "增加" if diff > 0 else "減少"
            out.append(f"{head}，較{p}（{then}）{word}{abs(diff):.{decimals}f}個百分點")
    added = [label for (group, label), rec in comparison.iterrows()
             if group != "全體" and pd.isna(rec["前期人數"])]
    dropped = [label for (group, label), rec in comparison.iterrows()
               if group != "全體" and pd.isna(rec["本期人數"])]
    if added:
        out.append(f"{c}新增{'、'.join(map(str, added))}")
    if dropped:
        out.append(f"{p}之{'、'.join(map(str, dropped))}於{c}未設")
    before = rule_sentence(previous.rule, threshold_text=previous.threshold_text)
    after = rule_sentence(current.rule, threshold_text=current.threshold_text)
    out.append(f"{p}全體委員{before}；{c}全體委員{after}")
    return out


def new_categories(previous: Composition | None, breakdown: Breakdown) -> list[Any]:
    """Categories of ``breakdown`` that the previous term's same breakdown lacked."""
    if previous is None:
        return []
    before = previous.breakdown(breakdown.key)
    if before is None:
        return []
    return [k for k in breakdown.categories if k not in set(before.categories)]


# --------------------------------------------------------------------------- meetings


def attendance_rate(present: int, total: int) -> str:
    """出席比率 as the results report prints it (:func:`genderstats.numbers.form_pct`):
    「94.12%」; full attendance 「100%」.

    >>> attendance_rate(16, 17), attendance_rate(17, 17), attendance_rate(0, 17)
    ('94.12%', '100%', '0%')
    """
    if total <= 0:
        return "-"
    return form_pct(Fraction(int(present), int(total)))


def _names(text: Any) -> list[str]:
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [n for n in _NAME_SPLIT.split(str(text).strip()) if n]


def meetings_frame(meetings: pd.DataFrame) -> pd.DataFrame:
    """One row per meeting: 會議 | 日期 | 主席 | 出席 | 出席比率 | 專家學者委員出席者.

    主席 is 首長/副首長/主秘/其他 with the title in brackets when given; 出席 「16/17」;
    出席比率 from :func:`attendance_rate`; the experts' names masked, joined with 、. A file
    without the 出席專家學者 column has no 專家學者委員出席者 column here: a blank cell would
    read as "no expert came" (see :data:`~genderstats.data.absence.EXPERTS`).
    """
    def chair(c: Any, title: Any) -> str:
        text = "" if pd.isna(c) else str(c)
        if "chair_title" in meetings and not pd.isna(title) and str(title).strip():
            return f"{text}（{title}）" if text else str(title)
        return text

    titles = meetings["chair_title"] if "chair_title" in meetings else [pd.NA] * len(meetings)
    frame = pd.DataFrame({
        "會議": [str(m) for m in meetings["meeting_id"]],
        "日期": [roc_date(d, sep="-") for d in meetings["date"]],
        "主席": [chair(c, t) for c, t in zip(meetings["chair"], titles, strict=True)],
        "出席": [f"{int(p)}/{int(n)}" for p, n in
               zip(meetings["members_present"], meetings["members_total"], strict=True)],
        "出席比率": [attendance_rate(int(p), int(n)) for p, n in
                 zip(meetings["members_present"], meetings["members_total"], strict=True)],
    })
    if has_experts(meetings):
        frame["專家學者委員出席者"] = ["、".join(mask_name(n) for n in _names(e))
                              for e in meetings["experts_present"]]
    return frame


def has_experts(meetings: pd.DataFrame) -> bool:
    """True when the meetings file has its 出席專家學者 column (empty cells then mean that no
    expert attended; without the column nothing is known about the experts)."""
    return not absence.EXPERTS.holds(meetings)


def meetings_table(meetings: pd.DataFrame, caption: str) -> Table:
    """The meetings table (names masked)."""
    return frame_block(meetings_frame(meetings), caption, numeric_cols=["出席", "出席比率"])


def expert_attendance(meetings: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame | None:
    """The experts present at each meeting, by gender (genders from the roster).

    A gender table indexed by meeting (no 合計 row: the same people attend several
    meetings). None when a name is not in the roster, since that person's gender is unknown
    and a table without them would be wrong, or when the file has no 出席專家學者 column
    (:func:`has_experts`): a table of zeros would state that no expert came.
    """
    if not has_experts(meetings):
        return None
    genders = dict(zip(roster["name"].astype(str), roster["gender"].astype(str), strict=True))
    rows = []
    for meeting, text in zip(meetings["meeting_id"], meetings["experts_present"], strict=True):
        for name in _names(text):
            if name not in genders:
                return None
            rows.append({"會議": str(meeting), "gender": genders[name]})
    order = [str(m) for m in meetings["meeting_id"]]
    frame = pd.DataFrame(rows, columns=["會議", "gender"])
    return gender_table(frame, by="會議", order=order, total=False)


def meetings_sentences(
    meetings: pd.DataFrame, experts: pd.DataFrame | None, year: int, decimals: int = 0
) -> list[str]:
    """「112年共召開3次會議，主席皆為首長」, the attendance rates in order and, with the
    experts' gender table (:func:`expert_attendance`), their attendances by gender.

    A file without rows means no meeting was held: 「112年未召開會議」.
    """
    if meetings.empty:
        return [f"{year}年未召開會議"]
    frame = meetings_frame(meetings)
    chairs = list(frame["主席"])
    if len(set(chairs)) == 1:
        chair_text = f"主席皆為{chairs[0]}"
    else:
        chair_text = "主席依序為" + "、".join(chairs)
    rates = [f"{r}（{a}）" for r, a in zip(frame["出席比率"], frame["出席"], strict=True)]
    out = [f"{year}年共召開{len(frame)}次會議，{chair_text}",
           "全體委員出席比率（代理出席仍列計）依序為" + "、".join(rates)]
    if experts is not None and len(experts) and has_experts(meetings):
        people = experts[list(GENDERS)].sum()
        parts = [f"{GENDER_WORDS[g]}{int(people[g])}人次" for g in GENDERS
                 if g != "其他" or int(people[g])]
        out.append(f"專家學者委員共出席{int(people.sum())}人次，其中{'、'.join(parts)}")
    return out


def meetings_outputs(
    meetings: pd.DataFrame | None, roster: pd.DataFrame, year: int, decimals: int = 0,
    committee: str = TASK_FORCE,
) -> tuple[list[Any], pd.DataFrame | None]:
    """The 運作情形 section of the task force's page, and the experts' table to record.

    No file: the section says so (:data:`~genderstats.data.absence.MEETINGS`); a file
    without rows: 「未召開會議」; a file without the 出席專家學者 column: the meetings, and a
    note in place of the experts' table (:data:`~genderstats.data.absence.EXPERTS`). The
    table returned is None whenever there is nothing true to record.
    """
    out: list[Any] = [heading(f"{committee}運作情形")]
    if meetings is None:
        return [*out, note(absence.MEETINGS.say())], None
    if meetings.empty:
        return [*out, note(f"{year}年未召開會議。")], None
    out.append(meetings_table(meetings, f"{year}年{committee}會議出席情形"))
    experts = None
    if not has_experts(meetings):
        out.append(note(absence.EXPERTS.say()))
    else:
        experts = expert_attendance(meetings, roster)
        if experts is not None:
            out.append(composition_table(experts, f"{year}年各次會議專家學者委員出席者性別",
                                         decimals=decimals, index_label="會議"))
        else:
            out.append(note("部分出席專家學者不在委員名單中，無法依性別統計出席者。"))
    out.append(Findings(meetings_sentences(meetings, experts, year, decimals),
                        title="運作情形"))
    return out, experts
