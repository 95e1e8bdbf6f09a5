"""The checks across files: a value of one file that must be found in another of the year.

Each rule is declared once here. :func:`genderstats.data.load` and
:func:`genderstats.data.validate_year` both run exactly these rules, so validate says what
the build will do. When the year has no file for the other side, the rule is skipped with a
note (a warning :class:`~genderstats.data.errors.Problem`) saying which check was skipped
and what follows; the file itself still loads.
"""

from __future__ import annotations

from dataclasses import dataclass

from genderstats.data.specs import DATASETS
from genderstats.data.vocab import match_key

TASK_FORCE = "性別平等專案小組"
_TASK_FORCE_EXTERNAL = (("committee", TASK_FORCE), ("affiliation", "外聘"))


@dataclass(frozen=True)
class Rule:
    """Every value of ``dataset``'s ``column`` must be in ``other``'s ``other_column``."""

    dataset: str
    column: str
    other: str
    other_column: str
    within: str
    """What ``other_column`` lists, as the message names it: 「班次代碼」."""
    fix: str
    """How to fix a value that is not found, the message's last sentence."""
    what: str
    """The check, as the note for a skipped rule names it: 「未檢查班次代碼」."""
    absent: str
    """What follows when ``other`` is absent, and what to do: the rest of that note."""
    names: bool = False
    """Each cell lists names (「、」): every one must be found; messages quote them masked."""
    loose: bool = False
    """Compared without spaces or case (「從AI技術…」 is 「從 AI 技術…」)."""
    only: tuple[str, str] | None = None
    """``(column, value)``: only the rows of ``dataset`` with this value are checked."""
    among: tuple[tuple[str, str], ...] = ()
    """``(column, value)`` pairs: only the rows of ``other`` with these values count."""

    def key(self, text: str) -> str:
        """``text`` as compared."""
        return match_key(text) if self.loose else text

    def message(self, value: str, other_file: str) -> str:
        """「D112-999」不在 data/112/training_classes.csv 的班次代碼中。請…."""
        return f"「{value}」不在 {other_file} 的{self.within}中。{self.fix}"

    def note(self, folder: str) -> str:
        """Why the rule was skipped: the year ``folder`` (as shown) has no ``other`` file."""
        title = DATASETS[self.other].title
        return f"未檢查{self.what}：{folder}/ 沒有 {self.other}（{title}）檔，{self.absent}"

    def describe(self) -> str:
        """The rule in one sentence, for the templates' 說明 sheet."""
        spec, other = DATASETS[self.dataset], DATASETS[self.other]
        when = "" if self.only is None else \
            f"「{spec.column(self.only[0]).label}」為「{self.only[1]}」時，"
        each = "的每個姓名" if self.names else ""
        return (f"{when}「{spec.column(self.column).label}」{each}必須在同年度 {self.other}"
                f"（{other.title}）檔的{self.within}中；讀取與 validate 時都會檢查。")


RULES: tuple[Rule, ...] = (
    Rule("training_participations", "class_id", "training_classes", "class_id",
         within="班次代碼", fix="請在該檔加上這個班次，或更正班次代碼。", what="班次代碼",
         absent="參訓紀錄無法對應班次，也無法採用班次的對象。請一併放入 training_classes.csv。"),
    Rule("course_evaluations", "course", "training_courses", "title",
         within="訓練班期名稱", fix="請更正班期名稱，使它與自辦訓練檔完全相同。",
         what="訓練班期名稱", loose=True,
         absent="滿意度問卷無法對應同年度的自辦訓練，需要兩個檔案的數字（自辦訓練課程滿意度）"
                "將顯示「無資料」。若本年度有自辦訓練，請一併放入 training_courses.csv。"),
    Rule("task_force_meetings", "experts_present", "committee_members", "name",
         within=f"{TASK_FORCE}外聘委員名單", fix="請確認姓名與委員名單一致。",
         what="出席專家學者", names=True, among=_TASK_FORCE_EXTERNAL,
         absent="無法確認出席的專家學者是小組的外聘委員，也無法依性別統計出席者。"
                "請一併放入 committee_members.csv。"),
    Rule("impact_assessments", "experts", "committee_members", "name",
         within=f"{TASK_FORCE}外聘委員名單",
         fix="程序參與方式為「性平小組」時，專家學者是小組的外聘委員；請確認姓名與委員名單一致。",
         what="性平小組審查的專家學者", names=True, only=("procedure", "性平小組"),
         among=_TASK_FORCE_EXTERNAL,
         absent="無法確認程序參與方式為「性平小組」的專家學者是小組的外聘委員。"
                "請一併放入 committee_members.csv。"),
)
"""Every rule across files."""


def rules_of(dataset: str) -> tuple[Rule, ...]:
    """The rules that check ``dataset``'s values."""
    return tuple(r for r in RULES if r.dataset == dataset)


def others_of(dataset: str) -> tuple[str, ...]:
    """The datasets ``dataset`` is checked against, each once."""
    return tuple(dict.fromkeys(r.other for r in rules_of(dataset)))
