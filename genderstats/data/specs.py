"""The data contract: every dataset, its columns, accepted headers and allowed values.

This registry is the one place that says what an input file must look like; the reader,
the validation and data/README.md all follow it.

Over 500 lines because it is a declaration, one entry per dataset: the contract is
read in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any

import pandas as pd

from genderstats.data.bands import AGE_BANDS
from genderstats.data.vocab import GENDER_ALIASES, match_key

TEXT_DTYPE = pd.Series(["text"]).dtype
"""pandas' own dtype for text: ``str`` from pandas 3, ``object`` before."""

KINDS = ("text", "code", "int", "number", "date", "year", "gender", "choice", "choices",
         "age_band", "names")
"""Column kinds: free text, id/code (NFKC-normalised), whole number, number, date, year
(ROC or AD, stored as ROC), gender, one of a closed list of choices, several of them (a
form's check boxes, stored as text joined by 「、」 in the list's order), an age band, a list
of names."""


@dataclass(frozen=True)
class Column:
    """One column of a dataset: canonical name, accepted headers, type and allowed values."""

    name: str
    label: str
    kind: str
    required: bool = False
    headers: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    aliases: MappingProxyType[str, tuple[str, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    minimum: float | None = None
    maximum: float | None = None
    sanity_maximum: bool = False
    """``maximum`` only catches typing and export errors (data/README.md 〈數字的上限〉),
    so the allowed values are worded without it (「0 以上的整數」)."""
    above_minimum: bool = False
    default: Any = None
    doc: str = ""
    personal: bool = False
    """The column holds personal names (a ``names`` column always does): they are the year's
    known names, masked wherever they appear in any text (:mod:`genderstats.names`)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind == "names":
            object.__setattr__(self, "personal", True)

    @property
    def free_text(self) -> bool:
        """Text people type freely (not a name, a code or a closed choice): every known name
        in it is masked when the file is read, and a word shaped like an unknown name is a
        warning of ``genderstats validate``."""
        return self.kind == "text" and not self.personal

    @property
    def accepted_headers(self) -> tuple[str, ...]:
        """Every header this column is recognised by (Chinese first, then the English name)."""
        return (self.label, *self.headers, self.name)

    @property
    def allowed(self) -> str:
        """What the column accepts, in the words the error messages and README use."""
        if self.kind in ("int", "number"):
            noun = "整數" if self.kind == "int" else "數字"
            lo, hi = format_bound(self.minimum), format_bound(self.maximum)
            if self.minimum is not None and self.maximum is not None \
                    and not self.sanity_maximum:
                return f"{lo} 到 {hi} 之間的{noun}"
            if self.minimum is not None:
                return f"大於 {lo} 的{noun}" if self.above_minimum else f"{lo} 以上的{noun}"
            return noun
        if self.kind == "gender":
            return "男、女 或 其他"
        if self.kind == "age_band":
            return "、".join(AGE_BANDS[:-1]) + f" 或 {AGE_BANDS[-1]}"
        if self.kind == "choice":
            return "、".join(self.choices[:-1]) + f" 或 {self.choices[-1]}"
        if self.kind == "choices":
            listed = "、".join(self.choices[:-1]) + f" 或 {self.choices[-1]}"
            return f"{listed}（可複選，以「、」或逗號分隔）"
        if self.kind == "date":
            return "日期，如 112-03-15（民國）或 2023-03-15（西元）"
        if self.kind == "year":
            return "民國年（如 112）或西元年（如 2023）"
        if self.kind == "names":
            return "姓名，多人以「、」或逗號分隔"
        return "文字"

    @property
    def alias_hint(self) -> str:
        """『（也接受 內聘、外部）』 for a choice column with other spellings, else ''."""
        spellings = [s for values in self.aliases.values() for s in values]
        return f"（也接受 {'、'.join(spellings)}）" if spellings else ""

    @property
    def dtype(self) -> str | pd.api.extensions.ExtensionDtype | object:
        """The pandas dtype of the loaded column, fixed by the contract, not by the data."""
        if self.kind == "int":
            return "int64" if self.required or self.default is not None else "Int64"
        if self.kind == "year":
            return "int64" if self.required else "Int64"
        if self.kind == "number":
            return "float64"
        if self.kind == "date":
            return "datetime64[ns]"
        if self.kind in ("gender", "choice", "age_band"):
            return "category"
        return TEXT_DTYPE


@dataclass(frozen=True)
class NotAbove:
    """Row rule: ``column`` may not exceed ``limit`` (both numeric columns of the dataset)."""

    column: str
    limit: str
    reason: str


@dataclass(frozen=True)
class Reference:
    """Row rule: a value of ``column`` must be a value of ``target`` in another row of the
    same file (a sub-classification names the indicator it belongs to)."""

    column: str
    target: str
    reason: str


@dataclass(frozen=True)
class Dataset:
    """One input file type: ``data/<year>/<stem>.csv|xlsx|ods``."""

    stem: str
    title: str
    row: str
    columns: tuple[Column, ...]
    unique: tuple[str, ...] = ()
    unique_reason: str = ""
    unique_skip_missing: str | None = None
    not_above: tuple[NotAbove, ...] = ()
    notes: tuple[str, ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    """``(column, source)``: an optional column filled from another when the file lacks it
    (a participation's target group from its class, the age band from the age)."""
    in_year: tuple[tuple[str, int], ...] = ()
    """``(column, extra years)``: a date or year column whose values must fall in the
    folder's year, or up to ``extra`` years after it (the budget lists next year too)."""
    not_after_year: tuple[str, ...] = ()
    """Date columns that may be earlier years but not after the folder's year (a resolution
    still tracked this year was taken at an earlier meeting)."""
    references: tuple[Reference, ...] = ()

    @property
    def names(self) -> list[str]:
        """Canonical column names, in the order of the loaded DataFrame."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """The column called ``name`` (canonical)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> list[Column]:
        """Columns the file must have."""
        return [c for c in self.columns if c.required]

    @cached_property
    def header_table(self) -> dict[str, str]:
        """``{header_key(accepted header): canonical name}``."""
        table: dict[str, str] = {}
        for c in self.columns:
            for h in c.accepted_headers:
                table[header_key(h)] = c.name
        return table

    def match_header(self, header: str) -> str | None:
        """The canonical column a header written in a file stands for, or None."""
        table = self.header_table
        key = header_key(header)
        if key in table:
            return table[key]
        # 『預算數（單位：元）』, 『年資(年)』: a unit in brackets does not change the column.
        bare = header_key(_BRACKETS.sub("", header))
        return table.get(bare) if bare else None


_BRACKETS = re.compile(r"[(（［\[【][^)）］\]】]*[)）］\]】]")
_HEADER_PUNCT = re.compile(r"[\s_\-/・·:：.。、]+")


def header_key(header: str) -> str:
    """Header as compared: NFKC, case-folded, no spaces, underscores, slashes or colons."""
    return _HEADER_PUNCT.sub("", match_key(header))


def format_bound(value: float | None) -> str:
    """A column's bound as messages write it: 『10,000,000,000』, 『0.5』, '' for None."""
    if value is None:
        return ""
    # Thousands separators make bounds such as 10,000,000,000 readable at a glance.
    return f"{int(value):,}" if float(value).is_integer() else str(value)


def _cap(bound: float) -> dict[str, Any]:
    """A sanity upper bound for a numeric column (see ``Column.sanity_maximum``)."""
    return {"maximum": bound, "sanity_maximum": True}


def _choices(mapping: dict[str, tuple[str, ...]]) -> dict[str, Any]:
    """choices + aliases for a Column from ``{canonical: other spellings}``."""
    return {
        "choices": tuple(mapping),
        "aliases": MappingProxyType({k: v for k, v in mapping.items() if v}),
    }


# Sane upper bounds (data/README.md 〈數字的上限〉): a value beyond them is a typing or
# export error, never a fact; they also keep every integer far inside int64.
MAX_TERM = 100
MAX_MEMBERS = 1_000
"""Members of one committee or meeting."""
MAX_SENIORITY = 60
MAX_CLASS_HOURS = 200
"""Hours of one class or one self-run course."""
MAX_YEAR_HOURS = 1_000
"""Training hours of one person in one year (about half of all working hours)."""
MAX_COURSE_PEOPLE = 10_000
"""Participants of one gender in one self-run course."""
MAX_OPINIONS = 1_000
"""Expert opinions on one gender impact assessment."""
MAX_BUDGET = 10_000_000_000
"""NT$ of one budget item: 100 億元, several times the department's whole budget."""

GENDER = Column(
    "gender", "性別", "gender", required=True, headers=("sex",),
    choices=tuple(GENDER_ALIASES),
    doc="男、女 或 其他；也接受 男性/女性、男生/女生、M/F/X、male/female/other、其它。",
)

TARGET_GROUPS = {
    "銀髮族": ("銀髮", "高齡", "高齡者", "長者"),
    "原住民": ("原住民族",),
    "新住民": (),
    "婦女專班": ("女性專班", "婦女"),
    "一般市民": ("一般", "市民"),
}

COURSE_CATEGORIES = {
    "基礎課程": ("基礎",), "進階課程": ("進階",), "CEDAW": (), "性別主流化": (),
}
TRAINING_METHODS = {
    "一般講授": ("講授",),
    "多元形式": (),
    "含實際案例討論": ("實際案例討論", "案例討論"),
    "經課前問卷調查所辦理": ("課前問卷調查", "課前問卷"),
    "設計課後評估或滿意度調查問卷": ("課後評估", "滿意度調查問卷", "課後問卷", "滿意度調查"),
}
YES_NO = {"是": ("Y", "yes", "V", "✓"), "否": ("N", "no")}

_COMMITTEE_MEMBERS = Dataset(
    stem="committee_members",
    title="委員名單",
    row="每位委員在每個委員會的每一屆一列",
    columns=(
        Column("committee", "委員會", "text", required=True,
               headers=("委員會名稱", "小組", "小組名稱"),
               doc="委員會或小組名稱，如 性別平等專案小組、資料治理委員會、採購工作及審查小組。"),
        Column("term", "屆", "int", headers=("屆次", "屆別", "第幾屆"), minimum=1,
               **_cap(MAX_TERM), doc="第幾屆（1 以上的整數）；沒有屆次的小組可留空。"),
        Column("name", "姓名", "text", required=True, headers=("委員姓名",), personal=True,
               doc="委員姓名。報告不會顯示完整姓名。"),
        GENDER,
        Column("affiliation", "府內外聘", "choice", required=True,
               headers=("類別", "府內/外聘", "內外聘", "委員類別"),
               **_choices({"府內": ("內聘",), "外聘": ("外部",)}),
               doc="府內（本府人員）或 外聘（外部委員）；也接受 內聘→府內、外部→外聘。"),
        Column("role", "身分", "text", headers=("身份", "委員身分", "小組成員"),
               doc="如 當然委員、派聘委員、專家學者委員、機關代表委員（自由填寫）。"),
        Column("duty", "兼任", "choice", headers=("兼任職務",),
               **_choices({"召集人": ("兼召集人",), "副召集人": ("兼副召集人",),
                           "執行秘書": ("兼執行秘書",)}),
               doc="召集人、副召集人 或 執行秘書；沒有兼任就留空。"),
        Column("title", "職稱", "text", doc="職稱，如 副局長、數位策略中心主任、教授。"),
        Column("working_group", "工作小組", "text", headers=("分組",),
               doc="所屬工作小組，如 整合應用組、空間資訊組、個資保護組、開放資料組。"),
        Column("sector", "代表類別", "choice", headers=("界別",),
               **_choices({"產業": ("業界", "產業界"), "學界": ("學術界",), "法人": (),
                           "政府機關": ("政府", "機關")}),
               doc="外聘委員代表的界別：產業、學界、法人；府內委員可填 政府機關 或留空。"),
    ),
    unique=("committee", "term", "name"),
    unique_reason="同一委員會同一屆的委員只能列一次，請刪除或更正其中一列。",
)

_TASK_FORCE_MEETINGS = Dataset(
    stem="task_force_meetings",
    title="性平小組會議",
    row="性別平等專案小組每次會議一列",
    columns=(
        Column("meeting_id", "會議", "code", required=True,
               headers=("會次", "會議別", "會議代碼", "場次"),
               doc="會議代碼，如 112-1（112 年第 1 次）；不可重複。"),
        Column("date", "日期", "date", required=True, headers=("會議日期", "開會日期"),
               doc="開會日期。"),
        Column("chair", "主席", "choice", required=True, headers=("會議主席",),
               **_choices({"首長": ("局長",), "副首長": ("副局長",), "主秘": ("主任秘書",),
                           "其他": ("其它",)}),
               doc="首長、副首長、主秘 或 其他（填 其他 時請在「主席職稱」寫職稱）。"),
        Column("chair_title", "主席職稱", "text", doc="主席為「其他」時的職稱。"),
        Column("members_total", "委員總數", "int", required=True,
               headers=("全體委員數", "應出席人數"), minimum=1, **_cap(MAX_MEMBERS),
               doc="會議當時的委員總數（1 以上的整數）。"),
        Column("members_present", "出席人數", "int", required=True,
               headers=("出席委員數", "實際出席人數"), minimum=0, **_cap(MAX_MEMBERS),
               doc="出席委員數，代理出席也算（0 以上的整數，不可超過委員總數）。"),
        Column("experts_present", "出席專家學者", "names",
               headers=("專家學者委員出席者", "專家學者出席"),
               doc="出席的專家學者委員姓名，以「、」或逗號分隔。"),
    ),
    unique=("meeting_id",),
    unique_reason="會議代碼不可重複，請刪除或更正其中一列。",
    in_year=(("date", 0),),
    not_above=(NotAbove("members_present", "members_total",
                        "出席人數（含代理出席）不可超過委員總數。"),),
)

_ONSITE_ENGINEERS = Dataset(
    stem="onsite_engineers",
    title="駐點工程師",
    row="每位駐點工程師一列",
    columns=(
        Column("job_category", "職別", "text", required=True,
               headers=("職務", "職務類別", "工作類別"),
               doc="職別，如 系統工程師、網路工程師、資安工程師。"),
        GENDER,
        Column("centre", "科室", "text", headers=("單位", "駐點科室", "center"),
               doc="駐點的中心或科室。"),
        Column("vendor", "廠商", "text", headers=("廠商名稱", "公司"), doc="所屬廠商。"),
        Column("seniority_years", "年資", "number", headers=("服務年資",), minimum=0,
               **_cap(MAX_SENIORITY),
               doc="年資（年，0 以上的數字，可有小數）。"),
    ),
)

_TRAINING_CLASSES = Dataset(
    stem="training_classes",
    title="數位訓練班次",
    row="每個開設的班次一列",
    columns=(
        Column("class_id", "班次代碼", "code", required=True,
               headers=("班次", "班別代碼", "課程代碼", "班級代碼"),
               doc="班次代碼，如 D112-001；不可重複，參訓紀錄以它對應班次。"),
        Column("date", "日期", "date", required=True, headers=("上課日期", "開課日期"),
               doc="上課日期。"),
        Column("district", "行政區", "text", headers=("地區",), doc="上課地點的行政區。"),
        Column("target_group", "對象", "choice", required=True,
               headers=("課程對象", "開班對象", "族群"), **_choices(TARGET_GROUPS),
               doc="銀髮族、原住民、新住民、婦女專班 或 一般市民。"),
        Column("hours", "時數", "number", required=True, headers=("課程時數", "上課時數"),
               minimum=0, above_minimum=True, **_cap(MAX_CLASS_HOURS),
               doc="課程時數（大於 0 的數字）。"),
        Column("title", "課程名稱", "text", headers=("班名", "課程"), doc="課程名稱。"),
    ),
    unique=("class_id",),
    unique_reason="班次代碼不可重複，請刪除或更正其中一列。",
    in_year=(("date", 0),),
)

_TRAINING_PARTICIPATIONS = Dataset(
    stem="training_participations",
    title="數位訓練參訓紀錄",
    row="每一人次（一位學員參加一個班次）一列",
    columns=(
        Column("class_id", "班次代碼", "code", required=True,
               headers=("班次", "班別代碼", "課程代碼", "班級代碼"),
               doc="班次代碼，必須出現在同年度的 training_classes 檔。"),
        GENDER,
        Column("age", "年齡", "int", minimum=0, maximum=120, doc="年齡（0 到 120 的整數）。"),
        Column("age_band", "年齡區間", "age_band", headers=("年齡層", "年齡組"),
               doc="年齡區間；有「年齡」欄時由年齡自動算出（覆蓋此欄）。"),
        Column("nationality", "國籍", "text", headers=("原屬國籍",),
               doc="國籍，如 中華民國、越南、印尼。空白就是不知道，不會當作中華民國。"),
        Column("target_group", "對象", "choice", headers=("身分別", "族群"),
               **_choices(TARGET_GROUPS),
               doc="學員身分；留空則採用該班次的對象。"),
    ),
    derived=(("target_group", "class_id"), ("age_band", "age")),
)

_STAFF_TRAINING = Dataset(
    stem="staff_training",
    title="性別主流化訓練",
    row="每位同仁在每種人員類別一列（主管同時列為一般公務人員時就有兩列）",
    columns=(
        Column("staff_id", "員工編號", "code", headers=("人員代號", "編號", "員編"),
               doc="員工編號（可留空）；同一人員類別內不可重複。"),
        Column("staff_type", "人員類別", "choice", required=True, headers=("類別",),
               **_choices({"一般公務人員": ("一般", "公務人員"), "主管人員": ("主管",)}),
               doc="一般公務人員 或 主管人員。"),
        GENDER,
        Column("hours", "完成時數", "number", required=True,
               headers=("時數", "訓練時數", "性別主流化訓練時數"), minimum=0,
               **_cap(MAX_YEAR_HOURS),
               doc="當年完成的性別主流化訓練時數（0 以上的數字）。"),
        Column("in_person_hours", "實體時數", "number", required=True,
               headers=("實體課程時數",), minimum=0, **_cap(MAX_YEAR_HOURS),
               doc="其中實體課程的時數（0 以上，不可超過完成時數）。"),
        Column("unit", "單位", "text", headers=("科室",), doc="所屬單位。"),
    ),
    unique=("staff_type", "staff_id"),
    unique_reason="同一人員類別的員工編號不可重複，請刪除或更正其中一列。",
    unique_skip_missing="staff_id",
    not_above=(NotAbove("in_person_hours", "hours", "實體時數不可超過完成時數。"),),
)

_CONTACT_TRAINING = Dataset(
    stem="contact_training",
    title="性平聯絡人培力時數",
    row="每位性平聯絡人或性別業務相關人員一列",
    columns=(
        Column("name", "姓名", "text", required=True, personal=True,
               doc="姓名。報告不會顯示完整姓名。"),
        Column("role", "身分", "choice", required=True, headers=("身份", "類別"),
               **_choices({"性平聯絡人": ("性別平等聯絡人",),
                           "性別業務相關人員": ("辦理性別平等業務相關人員", "業務相關人員")}),
               doc="性平聯絡人 或 性別業務相關人員。"),
        Column("total_hours", "年度培力總時數", "number", required=True,
               headers=("總時數", "培力總時數"), minimum=0, **_cap(MAX_YEAR_HOURS),
               doc="當年培力課程總時數（0 以上）。每人每年須 18 小時。"),
        Column("advanced_hours", "進階課程時數", "number", required=True,
               headers=("進階時數",), minimum=0, **_cap(MAX_YEAR_HOURS),
               doc="其中進階課程時數（0 以上，不可超過總時數）。每人每年須 6 小時以上。"),
        Column("unit", "科室", "text", headers=("單位", "所屬科室"),
               doc="所屬科室，如 數位策略中心（成果報告表頭的性平聯絡人表）。"),
        Column("title", "職稱", "text", doc="職稱，如 股長、聘用研究員。"),
        Column("duty", "任務", "text", headers=("工作任務",),
               doc="成果報告表頭「任務」欄的文字；同一身分只需寫在第一位的列，其他人留空。"),
    ),
    not_above=(NotAbove("advanced_hours", "total_hours", "進階課程時數不可超過年度培力總時數。"),),
)

_TRAINING_COURSES = Dataset(
    stem="training_courses",
    title="自辦訓練",
    row="每個自辦訓練班期一列",
    columns=(
        Column("date", "辦理日期", "date", required=True, headers=("日期",), doc="辦理日期。"),
        Column("title", "訓練班期名稱", "text", required=True, headers=("班期名稱", "課程名稱"),
               doc="訓練班期名稱。"),
        Column("hours", "時數", "number", required=True, headers=("訓練時數",), minimum=0,
               above_minimum=True, **_cap(MAX_CLASS_HOURS), doc="時數（大於 0）。"),
        Column("audience", "訓練對象", "text", doc="訓練對象，如 一般公務人員、高階公務人員。"),
        Column("men", "男", "int", required=True, headers=("男性", "男性人數"), minimum=0,
               **_cap(MAX_COURSE_PEOPLE),
               doc="男性參加人數（0 以上的整數）。"),
        Column("women", "女", "int", required=True, headers=("女性", "女性人數"), minimum=0,
               **_cap(MAX_COURSE_PEOPLE),
               doc="女性參加人數（0 以上的整數）。"),
        Column("other", "其他", "int", headers=("其他性別", "其它"), minimum=0,
               **_cap(MAX_COURSE_PEOPLE), default=0,
               doc="其他性別參加人數（0 以上的整數）；沒有此欄或空白視為 0。"),
        Column("goal", "訓練目標", "text",
               headers=("訓練目標或活動簡介", "訓練目標內容", "活動簡介"),
               doc="訓練目標（內容）或活動簡介。"),
        Column("lecturer", "講師", "names", headers=("講師姓名",),
               doc="講師姓名（多人以「、」分隔）。報告不會顯示完整姓名。"),
        Column("lecturer_unit", "講師單位", "text", headers=("講師服務單位",),
               doc="講師的服務單位，如 國立清華大學資工系。"),
        Column("lecturer_title", "講師職稱", "text", doc="講師的職稱，如 教授。"),
        Column("categories", "課程類別", "choices", headers=("課程類型",),
               **_choices(COURSE_CATEGORIES),
               doc="基礎課程、進階課程、CEDAW 或 性別主流化，可複選（以「、」分隔）。"),
        Column("methods", "訓練方式", "choices", headers=("辦理方式",),
               **_choices(TRAINING_METHODS),
               doc="一般講授、多元形式、含實際案例討論、經課前問卷調查所辦理 或 "
                   "設計課後評估或滿意度調查問卷，可複選（以「、」分隔）。"),
    ),
    in_year=(("date", 0),),
)

_GENDER_BUDGET = Dataset(
    stem="gender_budget",
    title="性別預算",
    row="每個年度的每個預算項目一列（112 資料夾放 112 與 113 年的列）",
    columns=(
        Column("year", "年度", "year", required=True, headers=("預算年度",),
               doc="預算年度（民國年如 112，或西元年如 2023；一律存成民國年）。"),
        Column("item_no", "項次", "code", doc="項次（可留空）。"),
        Column("item", "計畫項目名稱", "text", required=True,
               headers=("項目名稱", "計畫名稱", "項目"), doc="計畫項目名稱。"),
        Column("amount", "預算數", "int", required=True,
               headers=("預算金額", "金額"), minimum=0, **_cap(MAX_BUDGET),
               doc="預算數（新臺幣元，0 以上的整數；可寫 5,820,000）。"),
        Column("effect", "對促進性別平等的影響", "text", headers=("影響", "性別平等影響"),
               doc="對促進性別平等的影響。"),
    ),
    notes=("這一年的資料夾放本年度與下年度兩年的預算列。",),
    in_year=(("year", 1),),
)

_RESOLUTIONS = Dataset(
    stem="resolutions",
    title="決議事項追蹤",
    row="性平小組每一項列管中的決議或裁（指）示事項一列（附件2 辦理情形一覽表）",
    columns=(
        Column("meeting_date", "會議日期", "date", required=True, headers=("日期", "決議日期"),
               doc="作成決議的會議日期；可以是往年（仍在列管的事項），但不可晚於本年度。"),
        Column("item", "內容說明或裁(指)示事項", "text", required=True,
               headers=("內容說明或裁示事項", "裁示事項", "決議事項", "內容說明"),
               doc="決議或裁（指）示事項的內容。"),
        Column("progress", "執行情形", "text", required=True, headers=("辦理情形",),
               doc="到本年度最後一次會議時的執行情形。"),
        Column("closed", "是否解列", "choice", required=True, headers=("解除列管",),
               **_choices({"是": ("解列", "解除列管", *YES_NO["是"]),
                           "否": ("繼續列管", *YES_NO["否"])}),
               doc="是（委員同意解除列管）或 否（繼續列管）；也接受 解列、繼續列管。"),
        Column("unit", "辦理單位", "text", headers=("辦理科室", "承辦單位"),
               doc="負責辦理的科室或單位。"),
    ),
    not_after_year=("meeting_date",),
)

_GENDER_STATISTICS = Dataset(
    stem="gender_statistics",
    title="性別統計清冊",
    row="每一項性別統計指標、項目或其複分類一列",
    columns=(
        Column("kind", "類型", "choice", required=True, headers=("類別", "指標或項目"),
               **_choices({"指標": ("性別統計指標",), "項目": ("性別統計項目",)}),
               doc="指標（性別統計指標）或 項目（性別統計項目）；複分類填它所屬的類型。"),
        Column("level", "列管層級", "choice", required=True, headers=("列管", "列管單位"),
               **_choices({"主計處列管": ("主計處",),
                           "機關構列管": ("機關(構)列管", "機關列管", "機關構", "機關")}),
               doc="主計處列管（臺北市性別統計指標）或 機關構列管；"
                   "也接受 主計處、機關(構)列管、機關。"),
        Column("name", "名稱", "text", required=True,
               headers=("指標名稱", "項目名稱", "指標或項目名稱", "複分類名稱"),
               doc="指標或項目的名稱；複分類只寫複分類本身，如 國籍。"),
        Column("parent", "上層指標", "text", headers=("所屬指標", "上層項目", "所屬指標或項目"),
               doc="複分類所屬的指標或項目名稱，須與本檔另一列的「名稱」相同；不是複分類就留空。"),
        Column("new", "本年度新增", "choice", required=True, headers=("是否新增", "新增"),
               **_choices({"是": ("新增", *YES_NO["是"]), "否": ("既有", *YES_NO["否"])}),
               doc="是（本年度新增）或 否（既有）；也接受 新增、既有。"),
        Column("definition", "定義及說明", "text", headers=("定義", "說明"),
               doc="定義及說明（新增的指標或項目必須在成果報告中說明）。"),
    ),
    references=(Reference("parent", "name",
                          "「上層指標」必須是本檔某一列的「名稱」；請更正名稱，或加上那一列。"),),
)

_IMPACT_ASSESSMENTS = Dataset(
    stem="impact_assessments",
    title="性別影響評估",
    row="每一件提報的性別影響評估一列",
    columns=(
        Column("category", "類別", "choice", required=True, headers=("評估類別",),
               **_choices({"自治條例": (),
                           "公共工程中程計畫": ("公共工程", "中程計畫"),
                           "重大施政": ("重大施政或與性別議題相關之計畫", "性別議題相關計畫")}),
               doc="自治條例、公共工程中程計畫 或 重大施政（重大施政或與性別議題相關之計畫）。"),
        Column("title", "名稱", "text", required=True,
               headers=("評估方案名稱", "自治條例名稱", "方案名稱"),
               doc="自治條例或評估方案的名稱。"),
        Column("summary", "簡要說明", "text",
               headers=("簡要說明本方案內容", "簡要說明制定或修正內容", "內容說明"),
               doc="簡要說明方案內容（自治條例為制定或修正內容）。"),
        Column("procedure", "程序參與方式", "choice", required=True, headers=("程序參與",),
               **_choices({"研商會議": (), "書面審查": (),
                           "性平小組": ("性平小組會議", "性別平等專案小組")}),
               doc="研商會議、書面審查 或 性平小組（也接受 性平小組會議）。"),
        Column("experts", "專家學者", "names", headers=("專家學者姓名", "專家學者委員"),
               doc="參與的專家學者姓名，以「、」分隔。報告不會顯示完整姓名。"),
        Column("opinions", "意見項數", "int", headers=("專家學者意見項數",), minimum=0,
               **_cap(MAX_OPINIONS), doc="專家學者意見項數（0 以上的整數）。"),
        Column("adopted", "參採項數", "int",
               headers=("專家學者意見參採項數", "參採專家學者意見之項數", "意見參採項數"),
               minimum=0, **_cap(MAX_OPINIONS),
               doc="參採的意見項數（0 以上的整數，不可超過意見項數）。"),
        Column("first_date", "初次提報日期", "date",
               headers=("初次提報審查", "初次提報審查日期", "初次提報"),
               doc="初次提報性平小組審查的會議日期（初次審查採研商會議或書面審查者留空）。"),
        Column("revised_date", "修正後提報日期", "date",
               headers=("修正後提報", "修正後提報性平小組會議日期", "提報性平小組會議日期"),
               doc="修正後提報性平小組的會議日期。"),
        Column("procurement", "採購類別", "choice", headers=("採購",),
               **_choices({"巨額採購": (), "非巨額採購": (), "非採購案": ("非採購",)}),
               doc="巨額採購、非巨額採購 或 非採購案（自治條例可留空）。"),
        Column("csr", "CSR納入落實性別平等", "choice",
               headers=("CSR", "CSR評選指標", "落實性別平等"),
               **_choices({"已納入": ("納入", *YES_NO["是"]), "未納入": ("不納入", *YES_NO["否"])}),
               doc="採購過程使用 CSR 評選指標是否納入「落實性別平等」項目：已納入 或 未納入。"),
    ),
    not_above=(NotAbove("adopted", "opinions", "參採項數不可超過意見項數。"),),
    in_year=(("first_date", 0), ("revised_date", 0)),
)

RATINGS = {
    "非常滿意": (), "滿意": (), "普通": ("尚可", "沒意見", "無意見"),
    "不滿意": (), "非常不滿意": (),
}
SATISFIED = ("非常滿意", "滿意")
"""The ratings counted as satisfied (滿意度 = these answers over all answers)."""

_COURSE_EVALUATIONS = Dataset(
    stem="course_evaluations",
    title="課程滿意度問卷",
    row="每一份問卷的每一題一列（一位學員答 5 題就是 5 列）",
    columns=(
        Column("course", "訓練班期名稱", "text", required=True, headers=("班期名稱", "課程名稱"),
               doc="訓練班期名稱，必須與同年度 training_courses 檔的「訓練班期名稱」相同。"),
        Column("respondent", "問卷編號", "code", headers=("填答者", "編號"),
               doc="問卷（填答者）編號，可留空。不要填姓名。"),
        Column("question", "題目", "text", headers=("題號", "問題"), doc="題目或題號。"),
        Column("rating", "滿意度", "choice", required=True, headers=("評分", "回答", "答案"),
               **_choices(RATINGS),
               doc="非常滿意、滿意、普通、不滿意 或 非常不滿意（也接受 尚可、沒意見）。"
                   "沒有作答的題目不要列。"),
    ),
)

DATASETS: dict[str, Dataset] = {
    d.stem: d
    for d in (
        _COMMITTEE_MEMBERS, _TASK_FORCE_MEETINGS, _ONSITE_ENGINEERS, _TRAINING_CLASSES,
        _TRAINING_PARTICIPATIONS, _STAFF_TRAINING, _CONTACT_TRAINING, _TRAINING_COURSES,
        _GENDER_BUDGET, _RESOLUTIONS, _GENDER_STATISTICS, _IMPACT_ASSESSMENTS,
        _COURSE_EVALUATIONS,
    )
}
"""Every dataset by file stem: ``DATASETS["committee_members"].title == "委員名單"``."""

EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx", ".ods")
"""File formats read, in the order error messages list them."""


def personal_columns() -> dict[str, tuple[str, ...]]:
    """``{stem: columns holding personal names}``: where the year's known names come from."""
    out = {d.stem: tuple(c.name for c in d.columns if c.personal) for d in DATASETS.values()}
    return {stem: cols for stem, cols in out.items() if cols}


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Every word of the form: dataset titles, column labels and headers, choices and their
    other spellings, genders, age bands. A quoted value that is one of them is not a name."""
    words: set[str] = set(AGE_BANDS)
    for canonical, spellings in GENDER_ALIASES.items():
        words |= {canonical, *spellings}
    for spec in DATASETS.values():
        words |= {spec.stem, spec.title}
        for c in spec.columns:
            words |= {*c.accepted_headers, *c.choices}
            words |= {s for values in c.aliases.values() for s in values}
    return frozenset(words)


def get_dataset(name: str) -> Dataset:
    """The spec for ``name`` (a file stem); KeyError listing the known stems otherwise."""
    try:
        return DATASETS[name]
    except KeyError:
        known = "、".join(DATASETS)
        raise KeyError(f"沒有名為「{name}」的資料集。已知的資料集有：{known}") from None
