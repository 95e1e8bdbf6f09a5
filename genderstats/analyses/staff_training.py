"""Gender-mainstreaming training of the department's own staff (性別意識培力).

Pure functions on the loaded ``staff_training``, ``contact_training`` and
``training_courses`` frames (see data/README.md). They give the results report's tables
(一)–(五) exactly; the notebook ``gender_training.ipynb`` and the annual report call them::

    staff = gs.data.load("staff_training", year, data_dir)
    completion_table(staff, "一般公務人員")   # (一) 整體完成人數 | 整體完成比率 | 男性… | 女性…
    in_person_rate(staff)                    # (二) 72/112 → 0.642857…
    completion_table(staff, "主管人員")       # (三)
    contact_table(contacts)                  # (四) masked names, hours, met or not
    courses_table(courses)                   # (五) 辦理日期 | 訓練班期名稱 | … | 參加人數
    key_figure(staff)                        # 「一般公務人員完成率100%、實體課程參訓率64.29%」

Rates are unrounded shares (0..1, NaN when nobody is counted), printed as the form prints
its rates (:func:`genderstats.numbers.form_pct`: 「64.29%」, 「100%」).

Staff are not public appointees, so their counts are protected (data/README.md): a gender
with 1 or 2 staff of a type prints 「未達3人」 for its headcount, completion count and rate,
and :func:`protected_counts` hides more (「*」) until nothing printed gives it away, nor
who did not complete (headcount − completed).

Over 500 lines because one report's five tables of the form, its sentences and recorded
figures read the same frames and share their categories and their protection.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from genderstats import form
from genderstats.config import GENDERS, TOTAL
from genderstats.data import absence
from genderstats.data.loader import has_column
from genderstats.data.specs import SATISFIED
from genderstats.names import mask_name, mask_names
from genderstats.numbers import form_pct, format_count, format_pct
from genderstats.present.model import Paragraph, Table
from genderstats.present.tables import GENDER_WORDS, frame_block
from genderstats.privacy import (
    Population,
    ProtectedTable,
    carry,
    protect_people_table,
)
from genderstats.stats import counts_table
from genderstats.years import roc_date

__all__ = [
    "GENERAL",
    "NO_CONTACTS",
    "NO_COURSES",
    "SUPERVISOR",
    "STAFF_TYPES",
    "REQUIRED_HOURS",
    "IN_PERSON_HOURS",
    "CONTACT_REQUIRED_HOURS",
    "CONTACT_ADVANCED_HOURS",
    "SUPPRESS_BELOW",
    "HEADCOUNT",
    "COMPLETED",
    "IN_PERSON",
    "protected_counts",
    "population",
    "format_hours",
    "staff_of_type",
    "completed",
    "completed_in_person",
    "completion_counts",
    "completion_table",
    "completion_rate",
    "in_person_counts",
    "in_person_table",
    "in_person_rate",
    "rates_by_gender",
    "contact_met",
    "contact_table",
    "contact_completion_rate",
    "shortfall_counts",
    "shortfall_contacts",
    "courses_table",
    "course_participants",
    "protected_participants",
    "population_sentence",
    "Rules",
    "SECTIONS",
    "footnote",
    "section",
    "in_person_sentence",
    "findings",
    "key_figure",

    "rate_table",
]

GENERAL = "一般公務人員"
SUPERVISOR = "主管人員"
STAFF_TYPES: tuple[str, ...] = (GENERAL, SUPERVISOR)

REQUIRED_HOURS: float = 3
"""Hours of gender-mainstreaming training every staff member must complete each year."""
IN_PERSON_HOURS: float = 1
"""In-person hours (among the required ones) that count someone in the 實體課程參訓率."""
CONTACT_REQUIRED_HOURS: float = 18
"""Annual hours for 性平聯絡人 and staff handling gender-equality work."""
CONTACT_ADVANCED_HOURS: float = 6
"""Of which at least this many must be advanced courses."""

_DECIMALS = 2

SUPPRESS_BELOW: int = 3
"""A gender with fewer staff of a type than this (but some) is not published."""
_STAR = "*"

# A file without rows is "none" (the seed's 「本局未自辦」); no file is no data, said in
# genderstats.data.absence's words.
NO_CONTACTS = "本年度無性平聯絡人及辦理性別平等業務相關人員。"
NO_COURSES = "本年度本局未自辦性別意識培力訓練。"
TOO_FEW = "人數過少，為保護個人隱私不公開"
"""Said (with what is not published) when the overall figures of a staff type are hidden."""


def format_hours(h: float) -> str:
    """Hours as the report writes them: 3 → "3", 3.5 → "3.5".

    >>> format_hours(3.0), format_hours(3.5)
    ('3', '3.5')
    """
    return str(int(h)) if float(h).is_integer() else str(h)


# --------------------------------------------------------------------------- staff


def staff_of_type(staff: pd.DataFrame, staff_type: str) -> pd.DataFrame:
    """The rows of one staff type (一般公務人員 or 主管人員).

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員", "主管人員"], "gender": ["男", "女"]})
    >>> len(staff_of_type(df, "主管人員"))
    1
    """
    if staff_type not in STAFF_TYPES:
        raise ValueError(f"人員類別須為 {'、'.join(STAFF_TYPES)}：{staff_type!r}")
    return staff[(staff["staff_type"].astype(object) == staff_type).to_numpy()]


def completed(staff: pd.DataFrame, required_hours: float = REQUIRED_HOURS) -> pd.Series:
    """True where a person completed at least ``required_hours`` (3 hours: ≥ 3, so 3 counts).

    >>> completed(pd.DataFrame({"hours": [2, 3, 3.5]})).tolist()
    [False, True, True]
    """
    return (pd.to_numeric(staff["hours"], errors="coerce") >= required_hours).fillna(False)


def completed_in_person(
    staff: pd.DataFrame,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
) -> pd.Series:
    """True where a person completed the required hours, at least ``in_person_hours`` of
    them in person (the 實體課程參訓率 counts these).

    >>> df = pd.DataFrame({"hours": [3, 3, 2], "in_person_hours": [1, 0.5, 2]})
    >>> completed_in_person(df).tolist()
    [True, False, False]
    """
    in_person = pd.to_numeric(staff["in_person_hours"], errors="coerce") >= in_person_hours
    return completed(staff, required_hours) & in_person.fillna(False)


def _gender_counts(people: pd.DataFrame, mask: pd.Series | None = None) -> dict[str, int]:
    genders = people["gender"].astype(object)
    if mask is not None:
        genders = genders[mask.to_numpy()]
    return {g: int((genders == g).sum()) for g in GENDERS}


HEADCOUNT = "總人數"
COMPLETED = "完成人數"
IN_PERSON = "含實體課程完成人數"
_NOT_DONE, _DONE, _DONE_IN_PERSON = "未完成", "完成", "完成含實體課程"


def protected_counts(staff: pd.DataFrame, staff_type: str,
                     threshold: int | None = SUPPRESS_BELOW,
                     required_hours: float = REQUIRED_HOURS,
                     in_person_hours: float = IN_PERSON_HOURS) -> ProtectedTable:
    """What a page may print of one staff type's counts: rows 總人數, 完成人數 and (一般公務
    人員) 含實體課程完成人數 by gender, protected together
    (:class:`genderstats.privacy.Population`). The people are split by completion, so the
    complements (headcount − completed: who did not complete) are protected too; the
    合計 column is hidden last, as it carries the overall rates.

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 8, "hours": [3] * 8,
    ...                    "gender": ["男"] * 4 + ["女"] * 3 + ["其他"]})
    >>> protected_counts(df, "一般公務人員").marks.loc["總人數"].tolist()
    ['', '*', '<', '']
    """
    key = (id(staff), staff_type, threshold, required_hours, in_person_hours)
    known = _PROTECTED.get(key)
    if known is not None and known[0]() is staff:
        return known[1]
    out = population(staff, staff_type, threshold, required_hours,
                     in_person_hours).table(staff_type)
    if len(_PROTECTED) > 8:  # a page asks for two staff types, a few rule sets at most
        _PROTECTED.clear()
    _PROTECTED[key] = (weakref.ref(staff), out)
    return out


_PROTECTED: dict[tuple, tuple[weakref.ref, ProtectedTable]] = {}
"""Recent :func:`protected_counts` by frame (weakly) and rules: every table, sentence and
key figure of a page asks for the same protection, solved once."""


def population(staff: pd.DataFrame, staff_type: str, threshold: int | None = SUPPRESS_BELOW,
               required_hours: float = REQUIRED_HOURS,
               in_person_hours: float = IN_PERSON_HOURS) -> Population:
    """The :class:`genderstats.privacy.Population` :func:`protected_counts` solves: one
    facet, the staff type's people by completion (未完成, 完成, 完成含實體課程) and gender."""
    people = staff_of_type(staff, staff_type)
    done = completed(people, required_hours).to_numpy()
    in_person = (completed_in_person(people, required_hours, in_person_hours).to_numpy()
                 if "in_person_hours" in people.columns else np.zeros(len(people), dtype=bool))
    status = np.where(in_person, _DONE_IN_PERSON, np.where(done, _DONE, _NOT_DONE))
    genders = people["gender"].astype(object).to_numpy()
    counts = counts_table({k: {g: int(((status == k) & (genders == g)).sum()) for g in GENDERS}
                           for k in (_NOT_DONE, _DONE, _DONE_IN_PERSON)})
    rows = {HEADCOUNT: [_NOT_DONE, _DONE, _DONE_IN_PERSON], COMPLETED: [_DONE, _DONE_IN_PERSON]}
    if staff_type == GENERAL:
        rows[IN_PERSON] = [_DONE_IN_PERSON]
    pop = Population(threshold)
    pop.add_facet(staff_type, counts)
    pop.add_table(staff_type, staff_type, rows, total=False, index_name="項目", keep_totals=True)
    pop.add_latent(staff_type, [_NOT_DONE])
    if staff_type == GENERAL:
        pop.add_latent(staff_type, [_DONE])
    return pop


def _hidden_text(shown: ProtectedTable, row: str, column: str) -> str:
    """What a table prints for a hidden count: 「未達3人」 or 「*」."""
    return f"未達{shown.threshold}人" if shown.is_small(row, column) else _STAR


def _rate_shown(shown: ProtectedTable, row: str, column: str) -> bool:
    """A rate prints only when its count and the headcount under it both do."""
    return shown.shown(row, column) and shown.shown(HEADCOUNT, column)


def _note(shown: ProtectedTable) -> str:
    """The foot note of a table with hidden cells ("" when nothing is hidden)."""
    if not shown.any_hidden:
        return ""
    notes = []
    if (shown.marks == "<").to_numpy().any():
        notes.append(f"「未達{shown.threshold}人」表示該性別人數未達{shown.threshold}人，"
                     "其人數、完成人數及比率均不公開")
    if shown.any_secondary:
        notes.append(f"「{_STAR}」表示為避免推算出前述數字（含未完成人數）而一併隱藏")
    return "註：" + "；".join(notes) + "，以保護個人隱私。"


def _publishable(table: pd.DataFrame, shown: ProtectedTable, rows: Iterable[str]) -> pd.DataFrame:
    """The columns of a gender table (rows counting ``rows`` of ``shown``) that the page
    prints in every one of them, with their shares; none when that leaves no count."""
    rows = list(rows)
    keep = [c for c in (*GENDERS, TOTAL) if all(shown.shown(r, c) for r in rows)]
    if TOTAL not in keep:
        return table.iloc[0:0]
    drop = [c for g in GENDERS if g not in keep for c in (g, f"{g}%") if c in table.columns]
    return table.drop(columns=drop)


def completion_counts(
    staff: pd.DataFrame, staff_type: str, required_hours: float = REQUIRED_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Gender table with rows 總人數 and 完成人數 for one staff type (what indicators.csv
    records; the shares are each row's gender composition). Only what the page prints:
    a gender hidden by :func:`protected_counts` has no column, and hidden overall figures leave
    no row (``suppress_below=None`` gives every count).

    >>> df = pd.DataFrame({"staff_type": ["主管人員"] * 3, "gender": ["男", "女", "女"],
    ...                    "hours": [3, 3, 1]})
    >>> t = completion_counts(df, "主管人員", suppress_below=None)
    >>> t[["男", "女", "合計"]].to_dict("index")
    {'總人數': {'男': 1, '女': 2, '合計': 3}, '完成人數': {'男': 1, '女': 1, '合計': 2}}
    """
    people = staff_of_type(staff, staff_type)
    table = counts_table(
        {
            "總人數": _gender_counts(people),
            "完成人數": _gender_counts(people, completed(people, required_hours)),
        },
        index_name="項目",
    )
    shown = protected_counts(staff, staff_type, suppress_below, required_hours)
    return _publishable(table, shown, [HEADCOUNT, COMPLETED])


def _rate_row(
    people: pd.DataFrame, ok: pd.Series, label: str, count_word: str, rate_word: str
) -> pd.DataFrame:
    """One row: 整體{count_word} | 整體{rate_word} | 男性… | 女性… (其他性別… when present)."""
    everyone = _gender_counts(people)
    met = _gender_counts(people, ok)
    row: dict[str, Any] = {}
    groups = [("整體", sum(met.values()), sum(everyone.values()))]
    groups += [(GENDER_WORDS[g], met[g], everyone[g]) for g in GENDERS
               if g != "其他" or everyone[g] > 0]
    for word, n, of in groups:
        row[f"{word}{count_word}"] = n
        row[f"{word}{rate_word}"] = n / of if of else math.nan
    return pd.DataFrame([row], index=pd.Index([label], name="項目"))


def completion_table(
    staff: pd.DataFrame, staff_type: str, required_hours: float = REQUIRED_HOURS
) -> pd.DataFrame:
    """The seed's completion table for one staff type, one row 「完成3小時性別主流化訓練」.

    Columns 整體完成人數, 整體完成比率, 男性完成人數, 男性完成比率, 女性完成人數, 女性完成比率
    (and 其他性別… when anyone of that type is recorded as 其他). Counts are ints, rates
    unrounded shares of each group's headcount (NaN when the group is empty).

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 3, "gender": ["男", "男", "女"],
    ...                    "hours": [3, 2, 4]})
    >>> t = completion_table(df, "一般公務人員")
    >>> row = t.loc["完成3小時性別主流化訓練"]
    >>> int(row["整體完成人數"]), int(row["男性完成人數"]), float(row["男性完成比率"])
    (2, 1, 0.5)
    """
    people = staff_of_type(staff, staff_type)
    label = f"完成{format_hours(required_hours)}小時性別主流化訓練"
    return _rate_row(people, completed(people, required_hours), label, "完成人數", "完成比率")


def completion_rate(
    staff: pd.DataFrame,
    staff_type: str,
    required_hours: float = REQUIRED_HOURS,
    gender: str | None = None,
) -> float:
    """Share of one staff type (optionally one gender) who completed the required hours.

    >>> df = pd.DataFrame({"staff_type": ["主管人員"] * 2, "gender": ["男", "女"],
    ...                    "hours": [3, 2]})
    >>> completion_rate(df, "主管人員"), completion_rate(df, "主管人員", gender="男")
    (0.5, 1.0)
    """
    people = staff_of_type(staff, staff_type)
    if gender is not None:
        people = people[(people["gender"].astype(object) == gender).to_numpy()]
    if not len(people):
        return math.nan
    return float(completed(people, required_hours).mean())


def in_person_counts(
    staff: pd.DataFrame,
    staff_type: str = GENERAL,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Gender table with one row 含實體課程完成人數 (for indicators.csv; only what the page
    prints, as :func:`completion_counts`).

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 2, "gender": ["男", "女"],
    ...                    "hours": [3, 3], "in_person_hours": [1, 0]})
    >>> t = in_person_counts(df, suppress_below=None)
    >>> t.loc["含實體課程完成人數", ["男", "女", "合計"]].tolist()
    [1, 0, 1]
    """
    people = staff_of_type(staff, staff_type)
    ok = completed_in_person(people, required_hours, in_person_hours)
    table = counts_table({IN_PERSON: _gender_counts(people, ok)}, index_name="項目")
    shown = protected_counts(staff, staff_type, suppress_below, required_hours, in_person_hours)
    return _publishable(table, shown, [HEADCOUNT, IN_PERSON])


def in_person_table(
    staff: pd.DataFrame,
    staff_type: str = GENERAL,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
) -> pd.DataFrame:
    """(二) as a table: 整體參訓人數 | 整體參訓率 | 男性參訓人數 | 男性參訓率 | 女性… , one
    row 「完成3小時且含實體課程1小時以上」; a rate is the share of that group's headcount.

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 3, "gender": ["男", "男", "女"],
    ...                    "hours": [3, 3, 3], "in_person_hours": [1, 0, 2]})
    >>> row = in_person_table(df).iloc[0]
    >>> float(row["整體參訓率"]), float(row["男性參訓率"]), float(row["女性參訓率"])
    (0.6666666666666666, 0.5, 1.0)
    """
    people = staff_of_type(staff, staff_type)
    ok = completed_in_person(people, required_hours, in_person_hours)
    label = (f"完成{format_hours(required_hours)}小時且含實體課程"
             f"{format_hours(in_person_hours)}小時以上")
    return _rate_row(people, ok, label, "參訓人數", "參訓率")


def in_person_rate(
    staff: pd.DataFrame,
    staff_type: str = GENERAL,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
) -> float:
    """實體課程參訓率: share of all staff of the type who completed the required hours with
    at least ``in_person_hours`` in person (112年: 72/112 = 64.29%).

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 4, "gender": ["男"] * 4,
    ...                    "hours": [3, 3, 3, 2], "in_person_hours": [1, 3, 0, 2]})
    >>> in_person_rate(df)
    0.5
    """
    people = staff_of_type(staff, staff_type)
    if not len(people):
        return math.nan
    return float(completed_in_person(people, required_hours, in_person_hours).mean())


def rates_by_gender(
    staff: pd.DataFrame,
    staff_type: str = GENERAL,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> pd.DataFrame:
    """Completion and in-person rates per gender, shaped for ``charts.grouped_bars(value=
    "share")``: rows 完成N小時 and 含實體課程M小時以上, count columns = people who met it,
    and ``男%``/``女%``/``其他%`` = the rate **within** that gender (not a composition).
    Genders whose counts :func:`protected_counts` hides are left out (no rows when the
    overall is)."""
    people = staff_of_type(staff, staff_type)
    everyone = _gender_counts(people)
    rows = {
        f"完成{format_hours(required_hours)}小時": completed(people, required_hours),
        f"含實體課程{format_hours(in_person_hours)}小時以上":
            completed_in_person(people, required_hours, in_person_hours),
    }
    out = counts_table({k: _gender_counts(people, ok) for k, ok in rows.items()},
                       index_name="項目")
    for g in GENDERS:
        out[f"{g}%"] = out[g] / everyone[g] if everyone[g] else math.nan
    shown = protected_counts(staff, staff_type, suppress_below, required_hours, in_person_hours)
    rows = [HEADCOUNT, COMPLETED] + ([IN_PERSON] if staff_type == GENERAL else [])
    return _publishable(out, shown, rows)


# --------------------------------------------------------------------------- contacts


def contact_met(
    contacts: pd.DataFrame,
    required_hours: float = CONTACT_REQUIRED_HOURS,
    advanced_hours: float = CONTACT_ADVANCED_HOURS,
) -> pd.Series:
    """True where a contact person has ≥ ``required_hours`` in all and ≥ ``advanced_hours``
    of advanced courses.

    >>> df = pd.DataFrame({"total_hours": [18, 17, 20], "advanced_hours": [6, 6, 5]})
    >>> contact_met(df).tolist()
    [True, False, False]
    """
    total = pd.to_numeric(contacts["total_hours"], errors="coerce") >= required_hours
    advanced = pd.to_numeric(contacts["advanced_hours"], errors="coerce") >= advanced_hours
    return (total & advanced).fillna(False)


def contact_table(
    contacts: pd.DataFrame,
    required_hours: float = CONTACT_REQUIRED_HOURS,
    advanced_hours: float = CONTACT_ADVANCED_HOURS,
) -> pd.DataFrame:
    """(四): 身分 | 姓名 (masked) | 年度培力總時數 | 進階課程時數 | 是否完成 (已完成/未完成).

    >>> df = pd.DataFrame({"name": ["蕭美勻"], "role": ["性平聯絡人"], "total_hours": [23.0],
    ...                    "advanced_hours": [18.0]})
    >>> contact_table(df).loc[0, ["身分", "姓名", "是否完成"]].tolist()
    ['性平聯絡人', '蕭○勻', '已完成']
    """
    met = contact_met(contacts, required_hours, advanced_hours)
    return pd.DataFrame({
        "身分": contacts["role"].astype(object).to_numpy(),
        "姓名": mask_names(contacts["name"]).to_numpy(),
        "年度培力總時數": contacts["total_hours"].to_numpy(dtype="float64"),
        "進階課程時數": contacts["advanced_hours"].to_numpy(dtype="float64"),
        "是否完成": np.where(met.to_numpy(), "已完成", "未完成"),
    })


def contact_completion_rate(
    contacts: pd.DataFrame,
    required_hours: float = CONTACT_REQUIRED_HOURS,
    advanced_hours: float = CONTACT_ADVANCED_HOURS,
) -> float:
    """Share of contact persons who met both requirements (NaN when there are none)."""
    if not len(contacts):
        return math.nan
    return float(contact_met(contacts, required_hours, advanced_hours).mean())


# --------------------------------------------------------------------------- follow-up


def shortfall_counts(staff: pd.DataFrame,
                     required_hours: float = REQUIRED_HOURS) -> pd.DataFrame:
    """How many staff of each type are short of the required hours: 人員類別 | 未完成人數
    (types with nobody short left out). A count only: a list of 員工編號 beside the
    protected tables would tie an identifier to a gender or a small group, so the office
    follows up from its own files.

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 2, "staff_id": ["E1", "E2"],
    ...                    "gender": ["男", "女"], "hours": [2.0, 3.0]})
    >>> shortfall_counts(df).values.tolist()
    [['一般公務人員', 1]]
    """
    rows = [(kind, int((~completed(staff_of_type(staff, kind), required_hours)).sum()))
            for kind in STAFF_TYPES]
    return pd.DataFrame([r for r in rows if r[1]], columns=["人員類別", "未完成人數"])


def shortfall_contacts(
    contacts: pd.DataFrame,
    required_hours: float = CONTACT_REQUIRED_HOURS,
    advanced_hours: float = CONTACT_ADVANCED_HOURS,
) -> pd.DataFrame:
    """Contact persons short of a requirement: 身分 | 姓名 (masked) | 年度培力總時數 |
    進階課程時數 | 未達事項 (e.g. 「總時數未達18小時」「進階課程未達6小時」).

    >>> df = pd.DataFrame({"name": ["王小明", "林美"], "role": ["性平聯絡人"] * 2,
    ...                    "total_hours": [17.0, 20.0], "advanced_hours": [6.0, 5.0]})
    >>> shortfall_contacts(df)[["姓名", "未達事項"]].values.tolist()
    [['王○明', '總時數未達18小時'], ['林○', '進階課程未達6小時']]
    """
    table = contact_table(contacts, required_hours, advanced_hours)
    short = table[table["是否完成"] == "未完成"].drop(columns="是否完成")
    notes = []
    for _, row in short.iterrows():
        parts = []
        if not row["年度培力總時數"] >= required_hours:
            parts.append(f"總時數未達{format_hours(required_hours)}小時")
        if not row["進階課程時數"] >= advanced_hours:
            parts.append(f"進階課程未達{format_hours(advanced_hours)}小時")
        notes.append("、".join(parts))
    short = short.assign(未達事項=notes)
    return short.reset_index(drop=True)


# --------------------------------------------------------------------------- courses


def _participants_text(shown: ProtectedTable, key: Any) -> str:
    """「總計73人 男38人 女35人」 as ``shown`` prints the course's row (「未達3人」, 「*」)."""
    def value(column: str) -> str:
        if shown.shown(key, column):
            return f"{format_count(shown.table.loc[key, column])}人"
        return _hidden_text(shown, key, column)

    text = f"總計{value(TOTAL)} 男{value('男')} 女{value('女')}"
    other = shown.table.loc[key, "其他"]
    return text + (f" 其他{value('其他')}" if other or not shown.shown(key, "其他") else "")


def protected_participants(courses: pd.DataFrame,
                           threshold: int | None = SUPPRESS_BELOW) -> ProtectedTable:
    """:func:`course_participants` as the pages print it: participants are staff, so 1 or 2
    of a gender in a course print 「未達3人」 (protected as one table, rows in date order)."""
    return protect_people_table(course_participants(courses), threshold)


AUDIENCES = ("一般公務人員", "高階公務人員", "職工")
"""The form's 訓練對象 boxes; anything else is ticked as 「其他：…」."""
VARIED_FORMS = "多元形式"
"""The 訓練方式 the form explains in a footnote (:data:`genderstats.form.VARIED_FORMS`)."""
TICKED, UNTICKED = "☑", "☐"


def ticks(chosen: Any, options: Iterable[str], *, other: bool = False,
          marked: Iterable[str] = ()) -> str:
    """The form's tick boxes: 「☐ 基礎課程 ☑ 進階課程 …」 for the values in ``chosen``
    (joined with 、). With ``other`` a value outside ``options`` ticks 「其他：value」; the
    options in ``marked`` carry the form's footnote mark.

    >>> ticks("進階課程", ["基礎課程", "進階課程"], marked=["進階課程"])
    '☐ 基礎課程 ☑ 進階課程*'
    >>> ticks("一般公務人員、志工", AUDIENCES, other=True)
    '☑ 一般公務人員 ☐ 高階公務人員 ☐ 職工 ☑ 其他：志工'
    """
    values = [v.strip() for v in ("" if chosen is None or (not isinstance(chosen, str)
                                                           and pd.isna(chosen))
                                  else str(chosen)).split("、") if v.strip()]
    options = list(options)
    marks = set(marked)
    parts = [f"{TICKED if o in values else UNTICKED} {o}{form.MARK if o in marks else ''}"
             for o in options]
    if other:
        rest = [v for v in values if v not in options]
        parts.append(f"{TICKED} 其他：{'、'.join(rest)}" if rest else f"{UNTICKED} 其他")
    return " ".join(parts)


def lecturer_text(row: pd.Series) -> str:
    """講師資料 as the form writes it, the name masked: 「國立清華大學資工系尤○涵教授」."""
    def part(col: str) -> str:
        value = row.get(col)
        return "" if value is None or (not isinstance(value, str) and pd.isna(value)) \
            else str(value).strip()

    names = "、".join(mask_name(n) for n in part("lecturer").split("、") if n.strip())
    return f"{part('lecturer_unit')}{names}{part('lecturer_title')}"


def courses_table(courses: pd.DataFrame) -> pd.DataFrame:
    """(五) 自辦訓練 in the form's columns, in date order: 項次 | 辦理日期 | 訓練班期名稱 |
    訓練對象 | 訓練目標 | 講師資料 | 課程類別 | 訓練方式 | 時數 | 參加人數.

    訓練對象, 課程類別 and 訓練方式 print as the form's tick boxes (☑/☐); a column the file
    lacks reads 無資料 in every cell (a missing column is unknown, never unticked: see
    :mod:`genderstats.data.absence`); 講師資料 masks the lecturer's name. 參加人數 reads as
    the seed's 「總計73人 男38人 女35人」.

    >>> df = pd.DataFrame({"date": [pd.Timestamp("2023-09-01")], "title": ["講座"],
    ...                    "hours": [3.0], "audience": ["一般公務人員"], "men": [38],
    ...                    "women": [35], "other": [0]})
    >>> courses_table(df).loc[0, ["項次", "辦理日期", "參加人數"]].tolist()
    ['1.', '112-09-01', '總計73人 男38人 女35人']
    """
    from genderstats.data.specs import COURSE_CATEGORIES, TRAINING_METHODS

    ordered = courses.sort_values("date", kind="stable")

    def column(name: str) -> pd.Series:
        return ordered[name] if name in ordered else pd.Series(pd.NA, index=ordered.index)

    out = pd.DataFrame({
        "項次": [f"{i}." for i in range(1, len(ordered) + 1)],
        "辦理日期": [roc_date(d, sep="-") for d in ordered["date"]],
        "訓練班期名稱": ordered["title"].astype(object).to_numpy(),
    })
    for statement, values in (
            (absence.AUDIENCE, (ticks(a, AUDIENCES, other=True) for a in column("audience"))),
            (absence.GOAL, ("" if pd.isna(g) else str(g) for g in column("goal"))),
            (absence.LECTURER, (lecturer_text(row) for _, row in ordered.iterrows())),
            (absence.CATEGORIES, (ticks(c, COURSE_CATEGORIES) for c in column("categories"))),
            (absence.METHODS, (ticks(m, TRAINING_METHODS, marked=[VARIED_FORMS])
                               for m in column("methods")))):
        out[statement.label] = statement.cells(ordered, values)
    out["時數"] = ordered["hours"].to_numpy(dtype="float64")
    shown = protected_participants(courses)
    out["參加人數"] = [_participants_text(shown, key) for key in shown.table.index[:len(ordered)]]
    return out


def course_participants(courses: pd.DataFrame) -> pd.DataFrame:
    """Gender table of participants per self-run course (category = 訓練班期名稱, with the
    date added when a title repeats) plus a 合計 row.

    >>> df = pd.DataFrame({"date": [pd.Timestamp("2023-09-01")], "title": ["講座"],
    ...                    "men": [38], "women": [35], "other": [0]})
    >>> course_participants(df)[["男", "女", "合計"]].to_dict("index")
    {'講座': {'男': 38, '女': 35, '合計': 73}, '合計': {'男': 38, '女': 35, '合計': 73}}
    """
    ordered = courses.sort_values("date", kind="stable")
    titles = ordered["title"].astype(object)
    repeated = titles.duplicated(keep=False)
    other = ordered["other"] if "other" in ordered.columns else pd.Series(0, index=ordered.index)
    data: dict[str, dict[str, int]] = {}
    for title, rep, date, m, w, o in zip(titles, repeated, ordered["date"], ordered["men"],
                                         ordered["women"], other, strict=True):
        key = f"{title}（{roc_date(date, sep='-')}）" if rep else str(title)
        data[key] = {"男": int(m), "女": int(w), "其他": int(o)}
    if not data:
        return counts_table({"合計": {"男": 0, "女": 0}}, index_name="訓練班期名稱")
    return counts_table(data, total=True, index_name="訓練班期名稱")


# --------------------------------------------------------------------------- text


def population_sentence(staff: pd.DataFrame, staff_type: str,
                        suppress_below: int | None = SUPPRESS_BELOW,
                        required_hours: float = REQUIRED_HOURS) -> str:
    """The seed's headcount lines: 「總人數：112人；男性人數：59人；女性人數：53人」
    (主管人員: 「主管總人數：24人；男性主管人數：13人；女性主管人數：11人」). A headcount
    hidden by :func:`protected_counts` reads 「未達3人」 or 「不公開」."""
    counts = _gender_counts(staff_of_type(staff, staff_type))
    shown = protected_counts(staff, staff_type, suppress_below, required_hours)
    word = "主管" if staff_type == SUPERVISOR else ""

    def value(column: str, n: int) -> str:
        if shown.shown(HEADCOUNT, column):
            return f"{format_count(n)}人"
        return f"未達{shown.threshold}人" if shown.is_small(HEADCOUNT, column) else "不公開"

    parts = [f"{word}總人數：{value(TOTAL, sum(counts.values()))}",
             f"男性{word}人數：{value('男', counts['男'])}",
             f"女性{word}人數：{value('女', counts['女'])}"]
    if counts["其他"]:
        parts.append(f"其他性別{word}人數：{value('其他', counts['其他'])}")
    return "；".join(parts)


def in_person_sentence(
    staff: pd.DataFrame,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> str:
    """The seed's (二) line: 「實體課程參訓率（一般公務人員完成3小時性別主流化訓練且其中含實體
    課程1小時以上者）為64.29%（72/112）」."""
    people = staff_of_type(staff, GENERAL)
    if not _rate_shown(protected_counts(staff, GENERAL, suppress_below, required_hours,
                                        in_person_hours), IN_PERSON, TOTAL):
        return f"{GENERAL}{TOO_FEW}實體課程參訓率"
    n = int(completed_in_person(people, required_hours, in_person_hours).sum())
    rate = in_person_rate(staff, GENERAL, required_hours, in_person_hours)
    return (f"實體課程參訓率（一般公務人員完成{format_hours(required_hours)}小時"
            f"性別主流化訓練且其中含實體課程{format_hours(in_person_hours)}小時以上者）為{form_pct(rate)}"
            f"（{format_count(n)}/{format_count(len(people))}）")


def _of(total: int, met: int) -> str:
    """The population and who met the rule: 「118人中116人」, 「112人全數」 when everyone.

    >>> _of(118, 116), _of(112, 112)
    ('118人中116人', '112人全數')
    """
    if met == total:
        return f"{format_count(total)}人全數"
    return f"{format_count(total)}人中{format_count(met)}人"


def findings(
    staff: pd.DataFrame,
    contacts: pd.DataFrame | None = None,
    courses: pd.DataFrame | None = None,
    *,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
    contact_required_hours: float = CONTACT_REQUIRED_HOURS,
    contact_advanced_hours: float = CONTACT_ADVANCED_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> list[str]:
    """Findings sentences for the page (and the annual report's summary).

    A gender with nobody of a staff type, or hidden by :func:`disclosure`, is left out of
    that sentence's brackets; anyone short of a requirement is counted, pointing the reader
    to the follow-up list.

    >>> staff = pd.DataFrame({"staff_type": ["主管人員"] * 2, "gender": ["女", "女"],
    ...                       "hours": [3, 2], "in_person_hours": [0, 0], "unit": ["甲", "乙"]})
    >>> for sentence in findings(staff, suppress_below=None):
    ...     print(sentence)
    主管人員2人中1人完成3小時性別主流化訓練，完成率50%（女性50%）
    主管人員尚有1人未完成3小時，詳見未完成名單
    """
    h = format_hours(required_hours)
    out = []

    def by_gender(row: pd.Series, people: pd.DataFrame, rate: str, shown: ProtectedTable,
                  count_row: str) -> str:
        present = set(people["gender"].astype(object))
        parts = [f"{GENDER_WORDS[g]}{form_pct(row[f'{GENDER_WORDS[g]}{rate}'])}"
                 for g in GENDERS if g in present and _rate_shown(shown, count_row, g)]
        return f"（{'、'.join(parts)}）" if parts else ""

    for staff_type in STAFF_TYPES:
        people = staff_of_type(staff, staff_type)
        if not len(people):
            continue
        shown = protected_counts(staff, staff_type, suppress_below, required_hours,
                                 in_person_hours)
        if not _rate_shown(shown, COMPLETED, TOTAL):
            out.append(f"{staff_type}{TOO_FEW}完成情形")
            continue
        row = completion_table(staff, staff_type, required_hours).iloc[0]
        out.append(f"{staff_type}{_of(len(people), int(row['整體完成人數']))}完成{h}小時性別主流化"
                   f"訓練，完成率{form_pct(row['整體完成比率'])}"
                   + by_gender(row, people, "完成比率", shown, COMPLETED))
        if staff_type == GENERAL:
            t = in_person_table(staff, GENERAL, required_hours, in_person_hours).iloc[0]
            out.append(
                f"{GENERAL}{_of(len(people), int(t['整體參訓人數']))}完成{h}小時且其中含實體課程"
                f"{format_hours(in_person_hours)}小時以上，實體課程參訓率"
                f"{form_pct(t['整體參訓率'])}"
                + by_gender(t, people, "參訓率", shown, IN_PERSON))
    for staff_type in STAFF_TYPES:
        short = int((~completed(staff_of_type(staff, staff_type), required_hours)).sum())
        if short:
            out.append(f"{staff_type}尚有{short}人未完成{h}小時，詳見未完成名單")
    if contacts is not None and len(contacts):
        rule = (contact_required_hours, contact_advanced_hours)
        met = int(contact_met(contacts, *rule).sum())
        out.append(
            f"性平聯絡人及辦理性別平等業務相關人員{_of(len(contacts), met)}完成"
            f"{format_hours(contact_required_hours)}小時（其中進階課程"
            f"{format_hours(contact_advanced_hours)}小時以上），完成率"
            f"{form_pct(contact_completion_rate(contacts, *rule))}"
        )
        short = len(shortfall_contacts(contacts, *rule))
        if short:
            out.append(f"性平聯絡人及相關人員尚有{short}人未達培力時數規定，詳見未完成名單")
    if courses is not None and courses.empty:  # a file without rows: no course was run
        out.append(NO_COURSES)
    elif courses is not None:
        shown = protected_participants(courses, suppress_below)
        total = shown.table.loc[TOTAL]
        if not shown.shown(TOTAL, TOTAL):
            out.append(f"自辦訓練{len(courses)}班期，參加人數{TOO_FEW}")
            return out
        text = f"自辦訓練{len(courses)}班期，參加人數總計{format_count(total[TOTAL])}人"
        parts = [f"{GENDER_WORDS[g]}{format_count(total[g])}人"
                 f"（{format_pct(total[f'{g}%'], _DECIMALS)}）"
                 for g in GENDERS if (g != "其他" or total[g]) and shown.shown(TOTAL, g)]
        parts += [f"{GENDER_WORDS[g]}未達{shown.threshold}人" for g in GENDERS
                  if shown.is_small(TOTAL, g)]
        out.append(text + "，" + "、".join(parts) if total[TOTAL] else text)
    return out


def satisfaction(evaluations: pd.DataFrame) -> float | None:
    """The share of answers 滿意 or 非常滿意 (the seed's 97.02%); None without answers."""
    if evaluations.empty:
        return None
    return float(evaluations["rating"].astype(str).isin(SATISFIED).mean())


def satisfaction_block(courses: pd.DataFrame | None, evaluations: pd.DataFrame | None
                       ) -> list[Paragraph]:
    """The self-run courses' satisfaction as the page states it (the figure the results
    report quotes): 「…占全部作答的97.02%」, or why it cannot be given."""
    if evaluations is None:
        return [Paragraph(absence.SATISFACTION.say())]
    share = named_figures(courses, evaluations)["satisfaction"]
    if courses is None:
        return []  # the courses' own statement stands in (五): the answers match no course
    if share is None:
        return [Paragraph("本年度自辦訓練的滿意度問卷沒有作答。")]
    return [Paragraph(f"自辦訓練課程滿意度：「非常滿意」與「滿意」占全部作答的{share}。")]


def named_figures(courses: pd.DataFrame | None, evaluations: pd.DataFrame | None
                  ) -> dict[str, str | None]:
    """The figures the results report's prose may use (``record_figures``): the self-run
    courses' satisfaction (both files needed: the answers are checked against the courses)
    and the lecturers of the evaluated courses, masked."""
    share = (satisfaction(evaluations)
             if courses is not None and evaluations is not None else None)
    out: dict[str, str | None] = {"satisfaction": None if share is None else format_pct(share),
                                  "lecturer": None}
    if courses is not None and has_column(courses, "lecturer"):
        evaluated = courses
        if evaluations is not None and not evaluations.empty:
            titles = {str(t).replace(" ", "") for t in evaluations["course"]}
            evaluated = courses[[str(t).replace(" ", "") in titles for t in courses["title"]]]
        names = [mask_name(n.strip()) for cell in evaluated["lecturer"].dropna()
                 for n in str(cell).split("、") if n.strip()]
        out["lecturer"] = "、".join(dict.fromkeys(names)) or None
    return out


def key_figure(
    staff: pd.DataFrame,
    required_hours: float = REQUIRED_HOURS,
    in_person_hours: float = IN_PERSON_HOURS,
    suppress_below: int | None = SUPPRESS_BELOW,
) -> str:
    """「一般公務人員完成率100%、實體課程參訓率64.29%」 (no rates when :func:`protected_counts`
    hides the overall figures).

    >>> df = pd.DataFrame({"staff_type": ["一般公務人員"] * 2, "gender": ["男", "女"],
    ...                    "hours": [3, 3], "in_person_hours": [1, 0]})
    >>> key_figure(df, suppress_below=None)
    '一般公務人員完成率100%、實體課程參訓率50%'
    >>> key_figure(df)
    '一般公務人員人數過少，為保護個人隱私不公開完成率'
    """
    shown = protected_counts(staff, GENERAL, suppress_below, required_hours, in_person_hours)
    if not (_rate_shown(shown, COMPLETED, TOTAL) and _rate_shown(shown, IN_PERSON, TOTAL)):
        return f"{GENERAL}{TOO_FEW}完成率"
    rate = completion_rate(staff, GENERAL, required_hours)
    in_person = in_person_rate(staff, GENERAL, required_hours, in_person_hours)
    return f"一般公務人員完成率{form_pct(rate)}、實體課程參訓率{form_pct(in_person)}"


# --------------------------------------------------------------------------- page pieces


def _group_of(column: str) -> str:
    """The gender (or 合計) a rate-table column counts: 男性完成比率 → 男, 整體… → 合計."""
    for g in GENDERS:
        if column.startswith(GENDER_WORDS[g]):
            return g
    return TOTAL


def rate_table(table: pd.DataFrame, caption: str,
               protected: ProtectedTable | None = None, row: str = COMPLETED) -> Table:
    """A :func:`completion_table` / :func:`in_person_table` row as the seed's table, with
    counts as numbers and rates via :func:`genderstats.numbers.form_pct`. With ``protected``
    (:func:`protected_counts`; ``row`` is the count the table shows, 完成人數 or
    含實體課程完成人數) a hidden count prints 「未達3人」 or 「*」, and so does a rate whose
    count or headcount is hidden."""
    shown = table.copy().astype(object)
    rates = [c for c in table.columns if c.endswith(("比率", "參訓率"))]
    for col in rates:
        shown[col] = [form_pct(v) for v in table[col]]
    if protected is not None:
        for col in table.columns:
            group = _group_of(col)
            if col not in rates and not protected.shown(row, group):
                shown[col] = _hidden_text(protected, row, group)
            elif col in rates and not _rate_shown(protected, row, group):
                where = row if not protected.shown(row, group) else HEADCOUNT
                shown[col] = _hidden_text(protected, where, group)
    shown = shown.reset_index()
    # Rates are already text; listing them as numeric only right-aligns them.
    return frame_block(shown, caption, numeric_cols=list(table.columns))


@dataclass(frozen=True)
class Rules:
    """The hour requirements; the defaults are the city's rules."""

    required_hours: float = REQUIRED_HOURS
    in_person_hours: float = IN_PERSON_HOURS
    contact_required_hours: float = CONTACT_REQUIRED_HOURS
    contact_advanced_hours: float = CONTACT_ADVANCED_HOURS
    suppress_below: int | None = SUPPRESS_BELOW


SECTIONS: dict[str, str] = {
    "一": f"(一) 一般公務人員{form.MARK}參訓比率",
    "二": "(二) 實體課程參訓率",
    "三": f"(三) 主管人員{form.MARK}參訓比率",
    "四": f"(四) 性平聯絡人及辦理性別平等業務相關人員參訓時數{form.MARK}",
    "五": "(五) 自辦訓練",
}
"""The form's headings of 性別意識培力, with the marks of the footnotes :func:`section`
prints."""


def footnote(part: str, rules: Rules = Rules()) -> list[Paragraph]:
    """The form's footnote to part (一), (三) or (四) (marked in :data:`SECTIONS`): who the
    staff are and the hours they must complete, whatever the year's data."""
    if part in ("一", "三"):
        kind = GENERAL if part == "一" else SUPERVISOR
        return [Paragraph(f"{form.MARK}{form.STAFF_DEFINITIONS[kind]}每人每年均須完成"
                          f"{format_hours(rules.required_hours)}小時性別主流化訓練。")]
    if part == "四":
        return [Paragraph(f"{form.MARK}每人每年均須完成{format_hours(rules.contact_required_hours)}"
                          f"小時課程訓練，其中{format_hours(rules.contact_advanced_hours)}小時以上"
                          f"應屬進階課程。{form.CONTACT_JOB_CHANGE}")]
    return []


def section(part: str, year: int, staff: pd.DataFrame | None,
            contacts: pd.DataFrame | None = None, courses: pd.DataFrame | None = None,
            rules: Rules = Rules(), *, charts: bool = True) -> list[Any]:
    """The outputs of part (一)–(五) of the results report's 性別意識培力, in order.

    Both the gender-training report and the annual report display these, so the two can
    never disagree: ``display(*section("一", year, staff))``. A dataset that is None (the
    year has no file for it) gives a part that says so and nothing else; a file without
    rows means "none" (「本年度本局未自辦性別意識培力訓練。」).
    """
    hours = format_hours(rules.required_hours)
    note = footnote(part, rules)
    if part in ("一", "二", "三") and staff is None:
        return [*note, Paragraph(absence.STAFF.say())]
    if part in ("一", "三"):
        kind = GENERAL if part == "一" else SUPERVISOR
        who = "一般公務人員" if part == "一" else "主管人員"
        shown = protected_counts(staff, kind, rules.suppress_below, rules.required_hours,
                                 rules.in_person_hours)
        out: list[Any] = [
            *note,
            Paragraph(population_sentence(staff, kind, rules.suppress_below,
                                          rules.required_hours)),
            rate_table(completion_table(staff, kind, rules.required_hours),
                       f"{year}年{who}完成{hours}小時性別主流化訓練情形", shown)]
        return out + ([Paragraph(_note(shown))] if shown.any_hidden else [])
    if part == "二":
        shown = protected_counts(staff, GENERAL, rules.suppress_below, rules.required_hours,
                                 rules.in_person_hours)
        out = [
            Paragraph(in_person_sentence(staff, rules.required_hours,
                                              rules.in_person_hours, rules.suppress_below)
                           + "。"),
            rate_table(in_person_table(staff, GENERAL, rules.required_hours,
                                       rules.in_person_hours),
                       f"{year}年一般公務人員實體課程參訓情形", shown, IN_PERSON)]
        if shown.any_hidden:
            out.append(Paragraph(_note(shown)))
        bars = rates_by_gender(staff, GENERAL, rules.required_hours, rules.in_person_hours,
                               rules.suppress_below)
        if charts and not bars.empty:
            from genderstats.present.charts import grouped_bars

            out.append(grouped_bars(
                bars, title=f"{year}年一般公務人員各性別完成率與實體課程參訓率", value="share",
                digits=2))
        return out
    if part == "四":
        if contacts is None:
            return [*note, Paragraph(absence.CONTACTS.say())]
        if contacts.empty:
            return [*note, Paragraph(NO_CONTACTS)]
        rule = {"required_hours": rules.contact_required_hours,
                "advanced_hours": rules.contact_advanced_hours}
        rate = form_pct(contact_completion_rate(contacts, **rule))
        return [*note, Paragraph(f"完成比率{rate}。"),
                frame_block(contact_table(contacts, **rule),
                           f"{year}年性平聯絡人及辦理性別平等業務相關人員參訓時數",
                           numeric_cols=["年度培力總時數", "進階課程時數"])]
    if part == "五":
        if courses is None:
            return [Paragraph(absence.COURSES.say())]
        if courses.empty:
            return [Paragraph(NO_COURSES)]
        out = [frame_block(courses_table(courses), f"{year}年自辦訓練", numeric_cols=["時數"])]
        if has_column(courses, "methods"):
            out.append(Paragraph(f"{form.MARK}{form.VARIED_FORMS}"))
        if charts:
            from genderstats.present.charts import donut

            shown = protected_participants(courses, rules.suppress_below)
            if shown.row_shown(TOTAL):
                out.append(donut(carry(shown.table, shown), title=f"{year}年自辦訓練參加人數",
                                 label="參加人數", digits=2))
        return out
    raise ValueError(f"沒有「{part}」這一部分；可用：{'、'.join(SECTIONS)}。")
