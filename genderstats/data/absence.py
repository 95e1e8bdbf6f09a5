"""What a page says where an input is missing: one declaration for the pages and validate.

Absence is stated, never inferred. Each :class:`Statement` ties a missing input (a data
file, or the analyst's recommendations) or missing optional columns of it to the exact words a
page prints where the figure would stand (a sentence in place of a section, or 無資料 in
every cell of a table column), and names the pages (notebooks) that print it. The analyses
print :meth:`Statement.say`; ``genderstats validate`` announces, report by report, the
statements its page will show (:func:`statements`). Neither keeps a wording of its own, so
the two cannot diverge.

A page in :data:`DECLARED` prints no other 無資料 statement. For any other page (a new
analysis, the results report's own parts) validate says only which input is missing and
that its parts will say 無資料.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from genderstats.data.loader import has_column

NO_DATA = "無資料"
"""The word in each cell of a table column whose source column is missing."""

COMMITTEE = "committee_composition"
ENGINEERS = "onsite_engineers"
DIGITAL = "digital_training"
TRAINING = "gender_training"
ANNUAL = "annual_report"
DECLARED = (COMMITTEE, ENGINEERS, DIGITAL, TRAINING)
"""Pages (notebook names) whose every 無資料 statement is declared here."""


@dataclass(frozen=True)
class Statement:
    """What ``pages`` print when ``dataset`` is missing, or when its file lacks ``columns``.

    ``columns`` are canonical names: the statement holds when the file lacks every one of
    them (講師資料 needs none of 講師, 講師單位 and 講師職稱). ``text`` is the sentence, or
    :data:`NO_DATA` for the cells of the table column headed ``label``; a sentence may
    name ``{year}``. ``place`` says where it stands, for validate's note.
    """

    dataset: str
    columns: tuple[str, ...]
    text: str
    place: str
    pages: tuple[str, ...]
    label: str = ""

    def say(self, year: int | None = None) -> str:
        """The words on the page (the year filled in)."""
        return self.text.format(year=year) if year is not None else self.text

    def shown(self, year: int) -> str:
        """How the statement reads on the page: the sentence, or 「任務」欄：無資料."""
        return f"「{self.label}」欄：{NO_DATA}" if self.label else self.say(year)

    def holds(self, frame: pd.DataFrame | None) -> bool:
        """Whether ``frame`` (a loaded file, None when the year has none) lacks what this
        statement is about: the file itself, or every one of its columns."""
        if frame is None:
            return True
        return bool(self.columns) and not any(has_column(frame, c) for c in self.columns)

    def cells(self, frame: pd.DataFrame, values: Iterable[str]) -> list[str]:
        """``values`` for the table column, or :data:`NO_DATA` in every cell when the file
        lacks the column."""
        texts = list(values)
        return [NO_DATA] * len(texts) if self.holds(frame) else texts


def _table(dataset: str, columns: tuple[str, ...], table: str, label: str,
           pages: tuple[str, ...]) -> Statement:
    return Statement(dataset, columns, NO_DATA, f"「{table}」表的「{label}」欄", pages, label)


RECOMMENDATIONS = Statement(
    "recommendations", (), "本年度無建議事項資料。", "建議事項處",
    (COMMITTEE, ENGINEERS, DIGITAL, TRAINING))

# 委員會 (the three committees' page; the annual report shows the task force's meetings and
# the procurement committee's roster too).
MEMBERS = Statement("committee_members", (), "本年度無委員名單資料。", "「(一) 成員」",
                    (ANNUAL,))
TERM = Statement("committee_members", ("term",), "本年度委員名單無「屆」欄，無屆次資料，"
                 "無法與前一屆比較。", "「與前一屆比較」一節", (COMMITTEE,))
ROLE = _table("committee_members", ("role",), "委員名單", "小組成員", (COMMITTEE, ANNUAL))
DUTY = _table("committee_members", ("duty",), "委員名單", "兼任", (COMMITTEE, ANNUAL))
TITLE = _table("committee_members", ("title",), "委員名單", "職稱", (COMMITTEE, ANNUAL))
WORKING_GROUP = Statement("committee_members", ("working_group",),
                          "本年度委員名單無「工作小組」欄，無工作小組資料。",
                          "各分組性別統計之後", (COMMITTEE,))
SECTOR = Statement("committee_members", ("sector",),
                   "本年度委員名單無「代表類別」欄，無代表類別資料。",
                   "各分組性別統計之後", (COMMITTEE,))
MEETINGS = Statement("task_force_meetings", (), "本年度無性別平等專案小組會議資料。",
                     "「運作情形」一節", (COMMITTEE, ANNUAL))
EXPERTS = Statement("task_force_meetings", ("experts_present",),
                    "本年度會議資料無「出席專家學者」欄，無專家學者委員出席資料。",
                    "「運作情形」一節的專家學者委員出席者", (COMMITTEE, ANNUAL))

# 駐點工程師: each breakdown's section.
CENTRE = Statement("onsite_engineers", ("centre",),
                   "本年度駐點工程師資料無「科室」欄，無駐點科室資料。", "「依科室」一節",
                   (ENGINEERS,))
VENDOR = Statement("onsite_engineers", ("vendor",),
                   "本年度駐點工程師資料無「廠商」欄，無所屬廠商資料。", "「依廠商」一節",
                   (ENGINEERS,))
SENIORITY = Statement("onsite_engineers", ("seniority_years",),
                      "本年度駐點工程師資料無「年資」欄，無年資資料。", "「依年資」一節",
                      (ENGINEERS,))

# 數位訓練 (an age band is worked out from the age: without both there is no age).
SENIOR_AGES = Statement("training_participations", ("age", "age_band"),
                        "{year}年無參訓者年齡資料，無法分析各年齡區間參與情形。",
                        "「銀髮族各年齡區間參與情形」一節", (DIGITAL,))
ALL_AGES = Statement("training_participations", ("age", "age_band"),
                     "{year}年無參訓者年齡資料。", "「全體參訓者各年齡區間參與情形」一節",
                     (DIGITAL,))
NATIONALITY = Statement("training_participations", ("nationality",),
                        "本年度參訓紀錄無「國籍」欄，無參訓者國籍資料。", "「依國籍」一節",
                        (DIGITAL,))

# 性別意識培力 (its parts (一)–(五) are also the results report's).
STAFF = Statement("staff_training", (), "本年度無性別主流化訓練參訓資料。", "(一)至(三)",
                  (ANNUAL,))
CONTACTS = Statement("contact_training", (), "本年度無性平聯絡人培力時數資料。",
                     "「(四) 性平聯絡人」與未完成名單", (TRAINING, ANNUAL))
COURSES = Statement("training_courses", (), "本年度無自辦訓練資料。", "「(五) 自辦訓練」",
                    (TRAINING, ANNUAL))
SATISFACTION = Statement("course_evaluations", (), "本年度無自辦訓練課程滿意度問卷資料。",
                         "「(五) 自辦訓練」的滿意度", (TRAINING,))
AUDIENCE = _table("training_courses", ("audience",), "自辦訓練", "訓練對象", (TRAINING, ANNUAL))
GOAL = _table("training_courses", ("goal",), "自辦訓練", "訓練目標（內容）或活動簡介",
              (TRAINING, ANNUAL))
LECTURER = _table("training_courses", ("lecturer", "lecturer_unit", "lecturer_title"),
                  "自辦訓練", "講師資料", (TRAINING, ANNUAL))
CATEGORIES = _table("training_courses", ("categories",), "自辦訓練", "課程類別",
                    (TRAINING, ANNUAL))
METHODS = _table("training_courses", ("methods",), "自辦訓練", "訓練方式", (TRAINING, ANNUAL))
CONTACT_UNIT = _table("contact_training", ("unit",), "性平聯絡人", "科室", (ANNUAL,))
CONTACT_TITLE = _table("contact_training", ("title",), "性平聯絡人", "職稱", (ANNUAL,))
CONTACT_DUTY = _table("contact_training", ("duty",), "性平聯絡人", "任務", (ANNUAL,))

# 性別預算 (the results report's 六).
BUDGET = Statement("gender_budget", (), "本年度無性別預算資料。", "「六、性別預算」", (ANNUAL,))
EFFECT = _table("gender_budget", ("effect",), "性別預算編列情形", "對促進性別平等的影響",
                (ANNUAL,))

STATEMENTS: tuple[Statement, ...] = (
    RECOMMENDATIONS, MEMBERS, TERM, ROLE, DUTY, TITLE, WORKING_GROUP, SECTOR, MEETINGS,
    EXPERTS, CENTRE, VENDOR, SENIORITY, SENIOR_AGES, ALL_AGES, NATIONALITY, STAFF, CONTACTS,
    COURSES, SATISFACTION, AUDIENCE, GOAL, LECTURER, CATEGORIES, METHODS, CONTACT_UNIT,
    CONTACT_TITLE, CONTACT_DUTY, BUDGET, EFFECT,
)
"""Every statement, in the order validate lists them."""


def statements(page: str, missing: Iterable[str],
               absent: Iterable[tuple[str, str]]) -> list[Statement]:
    """The statements ``page`` shows when the inputs ``missing`` have no file and the
    present files lack the columns ``absent`` (``(dataset, column)``, canonical names)."""
    gone = set(missing)
    lacking: dict[str, set[str]] = {}
    for dataset, column in absent:
        lacking.setdefault(dataset, set()).add(column)
    return [s for s in STATEMENTS if page in s.pages and (
        (not s.columns and s.dataset in gone)
        or (s.columns and set(s.columns) <= lacking.get(s.dataset, set())))]
