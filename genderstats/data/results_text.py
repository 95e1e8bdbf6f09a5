"""The analyst's texts of the results report: ``data/<year>/results_report.yml``.

The contact person writes the prose of the city's form here (組別, 核定, 一、特色或亮點, the
topics of 四, the measures of 七 with their evidence, 八 and 九). The form's own wording
(七's categories and items, definitions, footnotes) is :mod:`genderstats.form`: the file
names a category by its label 「(一)」 and an item by its number. Figures in the prose are
never typed: a placeholder such as ``{digital-training.senior-classes}`` stands for a figure
the data holds, and the report resolves it. This module reads and checks the file and
returns plain objects; an unknown key, a wrong type or an unknown placeholder is a DataError
naming the file, the line, the place in the form (「七、(一) 第1項 措施1」) and the value.
data/README.md〈results_report.yml〉 is the contract.

Over 500 lines because it is the one reader of the results text: every part of the
form and its check (placeholders, verdicts, dates) is read by the same rules.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genderstats import clock, config, form
from genderstats.data.convert import parse_date
from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.folders import display_path, year_dir
from genderstats.data.loader import load_optional
from genderstats.data.specs import DATASETS
from genderstats.data.vocab import clean_code, match_key
from genderstats.data.yamlfile import compose, find_text_file, line_of, read_text_file
from genderstats.names import mask_name
from genderstats.years import ROC_OFFSET, roc_year

STEM = "results_report"
TITLE = "成果報告文字"

BUILT_IN: dict[str, str] = {
    "year": "本年度（民國年，如 112）",
    "next-year": "下年度（民國年，如 113）",
}
"""The report's own figures; every other name is a figure a report records (its notebook's
``record_figures``, declared with its meaning under ``figures`` in notebooks/reports.yml)."""


@dataclass(frozen=True)
class Catalog:
    """What the year's reports offer the prose, from the registry (or the build's status)."""

    reports: Mapping[str, str] = field(default_factory=dict)
    """Report id → title: the reports 性別分析 may name."""
    figures: Mapping[str, str] = field(default_factory=dict)
    """``report-id.name`` → what it means: the figures the reports record."""
    subjects: Mapping[str, str] = field(default_factory=dict)
    """A committee's name → the id of the report on it (for verdict phrases)."""

    def known(self) -> dict[str, str]:
        """Every placeholder name prose may use, with its meaning."""
        return {**BUILT_IN, **self.figures}

    def verdicts(self, report: str | None = None) -> list[str]:
        """The verdict placeholders (of ``report``, or of every committee)."""
        ids = [report] if report else list(dict.fromkeys(self.subjects.values()))
        return [f"{rid}.{v}" for rid in ids for v in VERDICTS
                if f"{rid}.{v}" in self.figures]


VERDICTS = ("verdict", "compliance")
"""The names under which a committee's report records its one-third verdict: 「無任一性別比例
低於全部委員三分之一之情形」 / 「…尚缺女性3人」, and 「符合相關規定」 / 「未符合相關規定（…）」."""

TABLES: dict[str, str] = {
    "銀髮族各年齡區間參與人次及性別統計表": "digital-training.senior-age-table",
    "資料治理委員會委員性別比例分析": "data-governance-committee.findings",
    "採購工作及審查小組委員名單": "procurement-review-committee.roster",
}
"""Computed tables the evidence of 七 may place (內容 item 「表」): the name the file writes,
and the block the report makes for it."""

CHARTS: dict[str, str] = {
    "銀髮族各年齡區間參與人次及性別統計長條圖": "digital-training.senior-age-chart",
    "資料治理委員會委員性別統計圓餅圖": "data-governance-committee.chart",
}
"""Computed charts the evidence of 七 may place (內容 item 「圖」), as :data:`TABLES`."""

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)?$")
_REPORT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_NAME_CHECKED = 3
"""Names this long or longer are looked for in the prose (two characters match words)."""


@dataclass(frozen=True)
class Analysis:
    """One topic of 四、性別分析: a registry report or a topic named here."""

    report: str | None
    """A report id of notebooks/reports.yml (its title and unit are the registry's)."""
    topic: str | None
    """The topic's name, when it is not a registry report (or to override its title)."""
    unit: str | None
    """辦理科室, when it is not the registry's ``unit``."""
    meeting: str
    """The task-force meeting it was presented at (a meeting_id of task_force_meetings)."""
    meeting_date: dt.date | None
    """That meeting's date from task_force_meetings; None when the year has no such file."""


@dataclass(frozen=True)
class Block:
    """One item of an evidence's 內容."""

    kind: str
    """paragraph, heading, list, photo, table or figure (段落、小標、清單、照片、表、圖)."""
    text: str = ""
    """The prose (paragraph, heading), the photo's caption, or the block a TABLES name
    (table) or a CHARTS name (figure) stands for."""
    items: tuple[str, ...] = ()
    """The list's items (kind list)."""


@dataclass(frozen=True)
class Evidence:
    """成果佐證 of one category of 七."""

    programme: str | None
    relevance: str | None
    content: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Item:
    """What the department wrote for one item of a category of 七."""

    number: int
    """The item's number in the form (its wording is :attr:`genderstats.form.Category.items`)."""
    note: str | None
    """A footnote to the item."""
    measures: tuple[str, ...] = ()
    """The department's measures; none: the form's cell is left blank."""


@dataclass(frozen=True)
class Category:
    """What the department wrote for one category (一)–(六) of 七."""

    label: str
    """The form's label, 「(一)」 (:data:`genderstats.form.CATEGORIES`)."""
    items: tuple[Item, ...] = ()
    evidence: Evidence | None = None


@dataclass(frozen=True)
class FutureRow:
    """One row of 九's table."""

    item: str
    status: str | None
    strategy: str | None
    benefit: str | None


@dataclass(frozen=True)
class Future:
    """九、未來推展性別主流化之重點項目及精進作為."""

    intro: str | None
    rows: tuple[FutureRow, ...] = ()


@dataclass(frozen=True)
class ResultsText:
    """The analyst's texts for one year. A key the file lacks is None (無資料)."""

    file: str
    """The file as shown in messages, e.g. data/112/results_report.yml."""
    group: str | None = None
    approval: dt.date | None = None
    """The day the next year's task force approved the report (核定); None: not yet."""
    highlights: str | None = None
    analyses: tuple[Analysis, ...] | None = None
    strategies: tuple[Category, ...] | None = None
    """The categories of 七 the file writes, in its order (one not written: none)."""
    other_results: str | None = None
    future: Future | None = None
    placeholders: tuple[str, ...] = field(default=())
    """Every placeholder name the prose uses, in order of first use."""
    prose: tuple[Prose, ...] = field(default=(), repr=False, compare=False)
    """Every prose string with where it stands, for the check against computed figures."""
    warnings: tuple[Problem, ...] = field(default=())
    """What the report will leave out or say 無資料 for (validate's reminders)."""


@dataclass(frozen=True)
class Prose:
    """One prose string of the file and where it stands."""

    node: ScalarNode
    path: str
    text: str


# ── placeholders ─────────────────────────────────────────────────────────────────────────


def placeholders(text: str) -> list[str]:
    """The placeholder names in ``text`` (『{{』 and 『}}』 are literal braces)."""
    return [m.group(1).strip() for m in PLACEHOLDER.finditer(text) if m.group(1) is not None]


def substitute(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each placeholder replaced by ``values[name]``; KeyError for a name
    ``values`` lacks. 『{{』 and 『}}』 become literal braces."""
    def one(m: re.Match[str]) -> str:
        if m.group(0) in ("{{", "}}"):
            return m.group(0)[0]
        return str(values[m.group(1).strip()])
    return PLACEHOLDER.sub(one, text)


def _placeholder_problem(text: str, known: Mapping[str, str] | None
                         ) -> tuple[int, str] | None:
    """(position, why) for the first wrong placeholder of ``text``, or None. ``known`` (name →
    meaning) checks the names; None checks the form only."""
    for m in PLACEHOLDER.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is None:
            return m.start(), (f"有不成對的大括號「{token}」。佔位符寫成 {{名稱}}，"
                               "要寫出大括號本身請寫 {{ 或 }}。")
        name = m.group(1).strip()
        if known is not None and name not in known:
            close = suggest(name, known)
            hint = ("是不是 " + " 或 ".join(f"{{{c}}}（{_short(known[c])}）" for c in close) + "？"
                    if close else "")
            what = (f"「{excerpt(token)}」不是已知的數字名稱。" if _NAME.match(name) else
                    f"「{excerpt(token)}」不是有效的佔位符。")
            return m.start(), (
                f"{what}{hint}可用的名稱見 data/README.md〈results_report.yml〉；"
                "數字請用佔位符，不要直接打字。")
        if not _NAME.match(name):
            return m.start(), (
                f"「{excerpt(token)}」不是有效的佔位符。佔位符寫成 {{報告代號.數字名稱}}，"
                "只用小寫英文字母、數字、連字號與一個句點，如 {digital-training.classes}。")
    return None


def _short(meaning: str) -> str:
    """A meaning without its example: 「數位訓練男性參訓人次」."""
    return meaning.split("（")[0]


# English words a contact person may write for the words of the names.
_SYNONYMS = {
    "female": "women", "females": "women", "woman": "women", "girls": "women",
    "male": "men", "males": "men", "man": "men", "boys": "men",
    "ratio": "share", "rate": "share", "percent": "share", "percentage": "share",
    "pct": "share", "proportion": "share", "class": "classes", "course": "classes",
    "courses": "classes", "people": "participations", "participants": "participations",
    "attendance": "participations", "elderly": "senior", "seniors": "senior",
    "engineers": "onsite-engineers", "procurement": "procurement-review-committee",
    "governance": "data-governance-committee", "training": "digital-training",
}
_CJK = re.compile(r"[\u3400-\u9fff]")


def suggest(name: str, known: Mapping[str, str], n: int = 3) -> list[str]:
    """The known names closest to ``name``: by spelling (edit distance), by the words of the
    name (「female」 reads as women, 「ratio」 as share) and, for a name written in Chinese,
    by the meaning's words."""
    import difflib

    chars = set(_CJK.findall(name))
    words = [_SYNONYMS.get(w, w) for w in re.split(r"[.\-_\s]+", name.lower()) if w]
    wanted = "-".join(words)

    def score(candidate: str) -> float:
        meaning = known[candidate]
        if chars:
            return sum(c in meaning for c in chars) / len(chars)
        spelled = difflib.SequenceMatcher(None, name.lower(), candidate).ratio()
        parts = set(re.split(r"[.\-]", candidate))
        shared = sum(p in parts for w in words for p in w.split("-")) / max(len(words), 1)
        by_words = difflib.SequenceMatcher(None, wanted, candidate).ratio()
        return max(spelled, by_words, 0.5 * spelled + 0.5 * shared)

    ranked = sorted(known, key=lambda c: (-score(c), c))
    return [c for c in ranked[:n] if score(c) >= (0.6 if chars else 0.75)]


# ── claims the prose may not type ────────────────────────────────────────────────────────

# A verdict on a committee, typed: the data could make it false. Clauses that state a rule
# (不得、應、須), ask (是否) or aim (促進、提升、確保、以期、建議) are not verdicts.
_VERDICT_PHRASES = (
    (re.compile(r"符合(?:相關)?(?:規定|原則)"), "compliance"),
    (re.compile(r"無任一性別[^。；\n]*?低於"), "verdict"),
    (re.compile(r"未達[^。；\n]{0,12}(?:三分之一|原則|規定)"), "verdict"),
    (re.compile(r"比例[^。；，\n]{0,6}均衡"), "verdict"),
)
_NOT_A_VERDICT = re.compile(
    r"是否|不得|應[^用]|須|為原則|促進|提升|確保|以期|期能|目標|朝向|追求|建議")
_CLAUSE = re.compile(r"[^，,。；;\n]+")


def _blank_placeholders(text: str) -> str:
    """``text`` with each placeholder blanked, positions kept (its words are not typed)."""
    return PLACEHOLDER.sub(lambda m: " " * len(m.group(0)), text)


def typed_verdicts(text: str, catalog: Catalog) -> list[tuple[int, str, list[str]]]:
    """(position, phrase, placeholders to use) for each typed verdict phrase of ``text``."""
    plain = _blank_placeholders(text)
    found = []
    about = [rid for name, rid in catalog.subjects.items() if name in text]
    for clause in _CLAUSE.finditer(plain):
        words = clause.group(0)
        if _NOT_A_VERDICT.search(words):
            continue
        for pattern, kind in _VERDICT_PHRASES:
            for m in pattern.finditer(words):
                names = [n for rid in (about or [None]) for n in catalog.verdicts(rid)
                         if n.endswith(f".{kind}")]
                found.append((clause.start() + m.start(), m.group(0), names))
    return sorted(found)


_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(%|％|人次|人|班)?")


def _numbers(text: str) -> list[tuple[int, str, Decimal, int, bool]]:
    """(position, as typed, value, decimals, is a share) of each figure-like number."""
    out = []
    for m in _NUMBER.finditer(text):
        digits, fraction, unit = m.group(1), m.group(2) or "", m.group(3)
        share = unit in ("%", "％")
        value = Decimal(digits.replace(",", "") + fraction)
        if not share and (unit is None and "," not in digits or value < 10):
            continue  # 「1至3小時」「6大主題」「第748號」: numbers of the prose, not figures
        out.append((m.start(), m.group(0).strip(), value, len(fraction[1:]), share))
    return out


_FIGURE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%)?")


def _resembles(typed: Decimal, places: int, share: bool, figure: str) -> bool:
    """Whether a typed number is the figure, or the figure rounded (「77.9%」 for 77.88%)."""
    m = _FIGURE.fullmatch(figure.strip())
    if m is None or bool(m.group(3)) != share:
        return False  # not a plain number (「<3」, a name, a sentence)
    fraction = m.group(2) or ""
    if places > len(fraction[1:]):
        return False
    value = Decimal(m.group(1).replace(",", "") + fraction)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == typed


def check_claims(text: ResultsText, values: Mapping[str, str], catalog: Catalog
                 ) -> list[Problem]:
    """The prose against the figures the year's reports computed: a typed number that is one
    of them, or a typed verdict. Each problem names the line and the placeholder to use."""
    problems: list[Problem] = []
    figures = {k: v for k, v in values.items() if k not in BUILT_IN and v}
    for prose in text.prose:
        plain = _blank_placeholders(prose.text)
        for pos, typed, value, places, share in _numbers(plain):
            same = [k for k, v in figures.items() if _resembles(value, places, share, v)]
            if same:
                names = "、".join(f"{{{k}}}（本年度為 {figures[k]}）" for k in same)
                problems.append(_claim(text.file, prose, pos, typed,
                                       f"「{typed}」是直接打字的數字，與資料算出的{names}相符："
                                       f"請改寫成佔位符 {{{same[0]}}}，資料更新時它才會跟著改變。"))
        problems += _verdict_problems(text.file, prose, catalog)
    return problems


def _verdict_problems(display: str, prose: Prose, catalog: Catalog) -> list[Problem]:
    out = []
    for pos, phrase, names in typed_verdicts(prose.text, catalog):
        use = ("請改用佔位符 " + " 或 ".join(f"{{{n}}}" for n in names) + "，由資料判定。"
               if names else "請刪除這個判定，或改用委員會報告的判定佔位符（名稱以 .verdict 或 "
               ".compliance 結尾，見 data/README.md）。")
        out.append(_claim(display, prose, pos, phrase,
                          f"「{phrase}」是直接打字的判定，資料改變時它可能不實。{use}"))
    return out


def _claim(display: str, prose: Prose, pos: int, value: str, why: str) -> Problem:
    line = line_of(prose.node, prose.text, pos)
    return Problem(display, None, None, value, f"第 {line} 行「{prose.path}」：{why}")


# ── reading with line numbers ────────────────────────────────────────────────────────────


def _at(path: str, key: str) -> str:
    """The place of ``key`` within ``path``: 「七、(一) 第1項 措施」."""
    return f"{path} {key}" if path else key


class _Reader:
    """Walks the YAML node tree, collecting problems with line numbers.

    A problem's place is named as the form names it (「七、(一) 第1項 措施1」): the part of
    the form, then the keys as written, a list's entries numbered from 1.
    """

    def __init__(self, display: str, catalog: Catalog | None = None) -> None:
        self.display = display
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.used: dict[str, None] = {}
        self.texts: list[Prose] = []
        """Every prose string, for the name and claim checks."""

    def fail(self, node: Node, path: str, message: str, value: str | None = None,
             line: int | None = None) -> None:
        self.problems.append(self._problem(node, path, message, value, line))

    def warn(self, node: Node, path: str, message: str) -> None:
        self.warnings.append(replace(self._problem(node, path, message), warning=True))

    def _problem(self, node: Node, path: str, message: str, value: str | None = None,
                 line: int | None = None) -> Problem:
        line = node.start_mark.line + 1 if line is None else line
        where = f"第 {line} 行「{path}」" if path else f"第 {line} 行"
        return Problem(self.display, None, None, value, f"{where}：{message}")

    def mapping(self, node: Node, path: str, keys: Iterable[str],
                required: Iterable[str] = ()) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.fail(node, path, f"應為「鍵: 值」的對應表，卻是{_shape(node)}。")
            return None
        allowed = list(keys)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value).strip() if isinstance(key_node, ScalarNode) else ""
            where = _at(path, key)
            if key not in allowed:
                close = [k for k in allowed if match_key(k) == match_key(key)]
                hint = f"是不是「{close[0]}」？" if close else ""
                if "\u3000" in str(key_node.value):
                    hint = "鍵的前後有全形空白「　」：縮排請用半形空白。" + hint
                self.fail(key_node, where,
                          f"「{excerpt(key)}」不是這裡可用的鍵。{hint}"
                          f"可用的鍵：{'、'.join(allowed)}。", excerpt(key))
                continue
            if key in found:
                self.fail(key_node, where, f"「{key}」重複出現，請只保留一個。")
                continue
            found[key] = value_node
        for key in required:
            if key not in found:
                self.fail(node, path, f"缺少「{key}」。")
        return found

    def sequence(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        self.fail(node, path, f"應為清單（每項以「- 」開頭），卻是{_shape(node)}。")
        return []

    def text(self, node: Node | None, path: str, *, prose: bool = True) -> str | None:
        """A string (block scalars trimmed); placeholders checked when ``prose``."""
        if node is None:
            return None
        if not isinstance(node, ScalarNode):
            self.fail(node, path, f"應為文字，卻是{_shape(node)}。")
            return None
        value = str(node.value).strip()
        if not value:
            self.fail(node, path, "不可空白；沒有內容就刪除這個鍵，或寫「無」。")
            return None
        if prose:
            known = self.catalog.known() if self.catalog is not None else None
            fault = _placeholder_problem(value, known)
            if fault:
                pos, why = fault
                self.fail(node, path, why, excerpt(value), line_of(node, value, pos))
                return None
            for name in placeholders(value):
                self.used[name] = None
            self.texts.append(Prose(node, path, value))
            if self.catalog is not None:
                self.problems += _verdict_problems(self.display, self.texts[-1], self.catalog)
        return value

    def texts_of(self, node: Node | None, path: str) -> tuple[str, ...]:
        if node is None:
            return ()
        out = []
        for i, item in enumerate(self.sequence(node, path), start=1):
            value = self.text(item, f"{path}{i}")
            if value is not None:
                out.append(value)
        return tuple(out)


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "對應表"
    if isinstance(node, SequenceNode):
        return "清單"
    return f"文字「{excerpt(node.value, 30)}」"


TOP_KEYS = ("組別", "核定", "特色或亮點", "性別分析", "策略及具體措施", "其他相關成果", "未來重點")
PARTS = {"特色或亮點": "一、特色或亮點", "性別分析": "四、性別分析",
         "策略及具體措施": "七、策略及具體措施", "其他相關成果": "八、其他相關成果",
         "未來重點": "九、未來重點"}
"""The part of the form each key writes, as messages name its place."""
BLOCK_KINDS = {"段落": "paragraph", "小標": "heading", "清單": "list", "照片": "photo",
               "表": "table", "圖": "figure"}


def _analyses(r: _Reader, node: Node, meetings: Mapping[str, dt.date] | None,
              report_ids: Iterable[str] | None) -> tuple[Analysis, ...]:
    ids = set(report_ids) if report_ids is not None else None
    out: list[Analysis] = []
    part = PARTS["性別分析"]
    for i, item in enumerate(r.sequence(node, part), start=1):
        path = f"{part} 第{i}項"
        keys = r.mapping(item, path, ("報告", "題目", "辦理科室", "會議"), required=("會議",))
        if keys is None:
            continue
        report = r.text(keys.get("報告"), f"{path} 報告", prose=False)
        topic = r.text(keys.get("題目"), f"{path} 題目")
        unit = r.text(keys.get("辦理科室"), f"{path} 辦理科室")
        meeting = r.text(keys.get("會議"), f"{path} 會議", prose=False)
        if report is None and topic is None and "報告" not in keys and "題目" not in keys:
            r.fail(item, path, "請寫「報告」（reports.yml 的 id）或「題目」。")
            continue
        if report is not None and not _REPORT_ID.match(report):
            r.fail(keys["報告"], f"{path} 報告",
                   f"「{excerpt(report)}」不是報告代號。請寫 notebooks/reports.yml 中的 id，"
                   "如 digital-training。", excerpt(report))
            continue
        if report is not None and ids is not None and report not in ids:
            known = "、".join(sorted(ids))
            r.fail(keys["報告"], f"{path} 報告",
                   f"「{report}」不在 notebooks/reports.yml 中。可用的 id：{known}。", report)
            continue
        if report is None and unit is None:
            r.fail(item, path, "不是 reports.yml 的報告時，請寫「辦理科室」。")
            continue
        if meeting is None:
            continue
        date = None
        if meetings is not None:
            if meeting not in meetings:
                known = "、".join(meetings) or "（會議檔沒有任何會議）"
                r.fail(keys["會議"], f"{path} 會議",
                       f"「{excerpt(meeting)}」不在本年度性平小組會議（task_force_meetings）的"
                       f"會議代碼中：{known}。", excerpt(meeting))
                continue
            date = meetings[meeting]
        out.append(Analysis(report, topic, unit, meeting, date))
    return tuple(out)


def _evidence(r: _Reader, node: Node, path: str) -> Evidence | None:
    keys = r.mapping(node, path, ("方案名稱", "與性別平等關聯性", "內容"))
    if keys is None:
        return None
    blocks: list[Block] = []
    content = keys.get("內容")
    for i, item in enumerate(r.sequence(content, f"{path} 內容") if content else [],
                             start=1):
        where = f"{path} 內容{i}"
        parts = r.mapping(item, where, BLOCK_KINDS)
        if parts is None:
            continue
        if len(parts) != 1:
            if parts:
                r.fail(item, where, "每一項只能有一個鍵（段落、小標、清單、照片、表 或 圖）。")
            else:
                r.fail(item, where, "請寫 段落、小標、清單、照片、表 或 圖 其中一個。")
            continue
        (key, value), = parts.items()
        kind = BLOCK_KINDS[key]
        if kind == "list":
            items = r.texts_of(value, _at(where, key))
            if items:
                blocks.append(Block(kind, items=items))
            continue
        text = r.text(value, _at(where, key), prose=kind not in ("table", "figure"))
        if text is None:
            continue
        if kind in ("table", "figure"):
            known = TABLES if kind == "table" else CHARTS
            block = {match_key(name): made for name, made in known.items()}.get(match_key(text))
            if block is None:
                r.fail(value, _at(where, key),
                       f"「{excerpt(text)}」不是已知的{key}。可用的名稱：{'、'.join(known)}。",
                       excerpt(text))
                continue
            text = block
        blocks.append(Block(kind, text=text))
    programme = r.text(keys.get("方案名稱"), f"{path} 方案名稱")
    relevance = r.text(keys.get("與性別平等關聯性"), f"{path} 與性別平等關聯性")
    if programme is None and relevance is None and not blocks:
        return None  # nothing written: as if there were no 成果佐證
    return Evidence(programme, relevance, tuple(blocks))


def _category(r: _Reader, node: Node, path: str) -> form.Category | None:
    """The form's category that 「類別: (一)」 names (also 「一」 or 「1」)."""
    value = r.text(node, path, prose=False)
    if value is None:
        return None
    key = match_key(value)
    for n, category in enumerate(form.CATEGORIES, start=1):
        if key in (category.label, category.label.strip("()"), str(n)):
            return category
    first, last = form.CATEGORIES[0].label, form.CATEGORIES[-1].label
    r.fail(node, path, f"「{excerpt(value)}」不是七的類別。請只寫類別的代號 {first} 至 {last}，"
                       f"如「類別: {first}」；類別與項目的文字由程式依表單印出。", excerpt(value))
    return None


def _item_number(r: _Reader, node: Node, path: str, category: form.Category) -> int | None:
    """The item 「項次: 1」 names (also 「1、」), among the category's."""
    value = r.text(node, path, prose=False)
    if value is None:
        return None
    digits = clean_code(value).rstrip("、.")
    count = len(category.items)
    if digits.isdigit() and 1 <= int(digits) <= count:
        return int(digits)
    r.fail(node, path, f"「{excerpt(value)}」不是{category.label}的項次。{category.label}有第 1 至 "
                       f"{count} 項，請寫其中一個數字，如「項次: 1」。", excerpt(value))
    return None


def _items(r: _Reader, node: Node, path: str, category: form.Category) -> tuple[Item, ...]:
    items: dict[int, Item] = {}
    for j, entry in enumerate(r.sequence(node, f"{path} 項目"), start=1):
        where = f"{path} 項目{j}"
        parts = r.mapping(entry, where, ("項次", "註", "措施"), required=("項次",))
        if parts is None or "項次" not in parts:
            continue
        number = _item_number(r, parts["項次"], f"{where} 項次", category)
        if number is None:
            continue
        if number in items:
            r.fail(parts["項次"], f"{where} 項次",
                   f"第{number}項重複出現：同一項的註與措施請寫在一起。")
            continue
        where = f"{path} 第{number}項"
        items[number] = Item(number, r.text(parts.get("註"), f"{where} 註"),
                             r.texts_of(parts.get("措施"), f"{where} 措施"))
    return tuple(items.values())


def _strategies(r: _Reader, node: Node) -> tuple[Category, ...]:
    part = PARTS["策略及具體措施"]
    out: dict[str, Category] = {}
    for i, entry in enumerate(r.sequence(node, part), start=1):
        path = f"{part} 第{i}個類別"
        keys = r.mapping(entry, path, ("類別", "項目", "成果佐證"), required=("類別",))
        if keys is None or "類別" not in keys:
            continue
        category = _category(r, keys["類別"], f"{path} 類別")
        if category is None:
            continue
        path = f"七、{category.label}"
        if category.label in out:
            r.fail(keys["類別"], path,
                   f"{category.label}重複出現：同一類別的項目與成果佐證請寫在一起。")
            continue
        items = _items(r, keys["項目"], path, category) if "項目" in keys else ()
        evidence = _evidence(r, keys["成果佐證"], f"{path} 成果佐證") \
            if "成果佐證" in keys else None
        if evidence is None and any(item.measures for item in items):
            r.warn(entry, path, "寫了措施，卻沒有「成果佐證」：報告的成果佐證寫「無資料」。"
                                "表單規定填寫措施者，應於成果佐證描述與性別平等的關聯性。")
        out[category.label] = Category(category.label, items, evidence)
    return tuple(out.values())


def _approval(r: _Reader, node: Node, year: int | None,
              next_meetings: Callable[[], Mapping[str, dt.date] | None]) -> dt.date | None:
    """The day 「核定」 names: a date, or a meeting code of the next year's task force."""
    value = r.text(node, "核定", prose=False)
    if value is None:
        return None
    date, _ = parse_date(value, (year or 0) + 1)  # its message is not shown: no examples
    later = _next_year(year)
    if date is None:
        meetings = next_meetings()
        code = clean_code(value)
        if meetings is None or code not in meetings:
            known = (f"：{'、'.join(meetings)}" if meetings else
                     "（沒有可讀取的會議檔）" if meetings is None else "（會議檔沒有任何會議）")
            r.fail(node, "核定", f"「{excerpt(value)}」不是日期，也不是{later}性平小組會議"
                                 f"（task_force_meetings）的會議代碼{known}。請寫核定這份報告的"
                                 f"{_approval_hint(year)}。", excerpt(value))
            return None
        date = meetings[code]
    if year is not None and date.year - ROC_OFFSET != year + 1:
        r.fail(node, "核定", f"「{excerpt(value)}」不在{later}內：{year} 年的成果報告由{later}"
                             "的性平小組會議核定，請寫那次會議的代碼或日期。", excerpt(value))
        return None
    if date > clock.today():
        r.fail(node, "核定", f"「{excerpt(value)}」還沒到：報告經性平小組通過後，"
                             "才寫上核定的會議。", excerpt(value))
        return None
    return date


def _future(r: _Reader, node: Node) -> Future | None:
    part = PARTS["未來重點"]
    keys = r.mapping(node, part, ("說明", "項目"))
    if keys is None:
        return None
    rows: list[FutureRow] = []
    items = keys.get("項目")
    for i, item in enumerate(r.sequence(items, f"{part} 項目") if items else [], start=1):
        path = f"{part} 第{i}項"
        parts = r.mapping(item, path, ("重點項目或方案名稱", "現況說明", "具體策略", "預期效益"),
                          required=("重點項目或方案名稱",))
        if parts is None or "重點項目或方案名稱" not in parts:
            continue
        name = r.text(parts["重點項目或方案名稱"], f"{path} 重點項目或方案名稱")
        if name is not None:
            rows.append(FutureRow(name, *(r.text(parts.get(k), f"{path} {k}")
                                          for k in ("現況說明", "具體策略", "預期效益"))))
    return Future(r.text(keys.get("說明"), f"{part} 說明"), tuple(rows))


def _next_year(year: int | None) -> str:
    return f" {year + 1} 年" if year is not None else "下年度"


def _approval_hint(year: int | None) -> str:
    """What 核定 takes, with the next year's examples."""
    if year is None:
        return "會議代碼或日期"
    return f"會議代碼（如 {year + 1}-1）或日期（如 {year + 1}-02-22）"


def _no_approval(display: str, year: int | None) -> Problem:
    return Problem(display, None, None, None,
                   f"沒有「核定」，報告開頭不印「{form.APPROVAL.format(date='…')}」這一行。"
                   f"報告經{_next_year(year)}的性平小組會議通過後，請寫上「核定」："
                   f"那次會議的{_approval_hint(year)}。", warning=True)


def parse_results_text(text: str, display: str, *,
                       meetings: Mapping[str, dt.date] | None = None,
                       catalog: Catalog | None = None,
                       names: Iterable[tuple[str, str]] = (),
                       year: int | None = None,
                       next_meetings: Callable[[], Mapping[str, dt.date] | None] = lambda: None,
                       ) -> ResultsText:
    """Check and read the file's text. ``meetings`` ({meeting_id: date}) check 性別分析 when
    given; ``catalog`` (the registry's reports and figures) checks the reports it names, the
    placeholders and typed verdicts; ``names`` ((full name, where it comes from)) are the
    year's people, whose full names the prose must not contain. ``year`` checks that 核定
    falls in the next year; ``next_meetings`` gives that year's meetings, read only when 核定
    names one. DataError lists every problem; reminders are the result's ``warnings``."""
    r = _Reader(display, catalog)
    report_ids = list(catalog.reports) if catalog is not None else None
    root = compose(text, display)
    if root is None:
        return ResultsText(display, warnings=(_no_approval(display, year),))
    keys = r.mapping(root, "", TOP_KEYS)
    if keys is None:
        raise DataError(r.problems)
    group = r.text(keys.get("組別"), "組別", prose=False)
    approval = _approval(r, keys["核定"], year, next_meetings) if "核定" in keys else None
    result = ResultsText(
        display,
        group=group,
        approval=approval,
        highlights=r.text(keys.get("特色或亮點"), PARTS["特色或亮點"]),
        analyses=_analyses(r, keys["性別分析"], meetings, report_ids)
        if "性別分析" in keys else None,
        strategies=_strategies(r, keys["策略及具體措施"]) if "策略及具體措施" in keys else None,
        other_results=r.text(keys.get("其他相關成果"), PARTS["其他相關成果"]),
        future=_future(r, keys["未來重點"]) if "未來重點" in keys else None,
        placeholders=tuple(r.used),
        prose=tuple(r.texts),
        warnings=(*([] if "核定" in keys else [_no_approval(display, year)]), *r.warnings),
    )
    _check_names(r, names)
    if r.problems:
        raise DataError(r.problems)
    return result


def _check_names(r: _Reader, names: Iterable[tuple[str, str]]) -> None:
    """A full name of the year's people in the prose would be published: refuse it."""
    wanted = {n: src for n, src in names if len(n) >= MIN_NAME_CHECKED}
    for prose in r.texts:
        node, path, text = prose.node, prose.path, prose.text
        for name, source in wanted.items():
            if name in text:
                masked = mask_name(name)
                line = line_of(node, text, text.index(name))
                r.problems.append(Problem(
                    r.display, None, None, masked,
                    f"第 {line} 行「{path}」：含有完整姓名「{masked}」（{source}）。"
                    "報告是公開的，請改寫成遮罩後的姓名（如 王○明）或使用佔位符。",
                ))


# ── finding and loading ──────────────────────────────────────────────────────────────────


def find_results_text(year: int | str, data_dir: str | Path = config.DATA_DIR) -> Path | None:
    """``data/<year>/results_report.yml`` (or .yaml), None when the year has none."""
    root = config.resolve_data_dir(data_dir)
    return find_text_file(year_dir(year, root), root, STEM, TITLE)


def _meetings(year: int, root: Path) -> dict[str, dt.date] | None:
    """{meeting_id: date} of the year's task force; None without a readable file (the
    meetings file's own problems are reported on their own)."""
    try:
        frame = load_optional("task_force_meetings", year, root)
    except DataError:
        return None
    if frame is None:
        return None
    return {str(m): d.date() for m, d in zip(frame["meeting_id"], frame["date"], strict=True)}


def _year_context(year: int, root: Path) -> tuple[dict[str, dt.date] | None,
                                                  list[tuple[str, str]]]:
    """The year's meetings and people, for the checks across files (unreadable: skipped)."""
    meetings = _meetings(year, root)
    people: list[tuple[str, str]] = []
    for dataset, column in (("committee_members", "name"), ("contact_training", "name"),
                            ("training_courses", "lecturer"),
                            ("impact_assessments", "experts")):
        try:
            frame = load_optional(dataset, year, root)
        except DataError:
            continue
        if frame is None:
            continue
        for cell in frame[column].dropna():
            source = f"{DATASETS[dataset].title}（{dataset}）中的姓名"
            people += [(n, source) for n in str(cell).split("、") if n]
    return meetings, people


def load_results_text(year: int | str, data_dir: str | Path = config.DATA_DIR, *,
                      catalog: Catalog | None = None) -> ResultsText | None:
    """The year's analyst texts, checked; None when the year has no results_report.yml.

    Meetings named in 性別分析 are checked against (and dated from) the year's
    task_force_meetings when that file exists, and one named in 核定 against the next year's;
    ``catalog`` (what the registry's reports offer) checks the reports, placeholders and
    verdicts. Raises DataError for any problem.
    """
    root = config.resolve_data_dir(data_dir)
    y = roc_year(year)
    path = find_results_text(y, root)
    if path is None:
        return None
    return _load(path, y, root, catalog)


def _load(path: Path, year: int, root: Path, catalog: Catalog | None) -> ResultsText:
    display = display_path(path, root)
    text = read_text_file(path, display)
    meetings, people = _year_context(year, root)
    return parse_results_text(text, display, meetings=meetings, catalog=catalog,
                              names=people, year=year,
                              next_meetings=lambda: _meetings(year + 1, root))


def validate_results_text(year: int | str, data_dir: str | Path = config.DATA_DIR, *,
                          catalog: Catalog | None = None,
                          values: Mapping[str, str] | None = None) -> list[Problem]:
    """The problems of the year's results_report.yml, then its reminders (warnings: what
    the report leaves out or says 無資料 for); [] when fine or absent. ``values`` (the
    figures of the year's last build) checks typed numbers against them."""
    try:
        texts = load_results_text(year, data_dir, catalog=catalog)
    except DataError as err:
        return err.problems
    if texts is None:
        return []
    claims = check_claims(texts, values, catalog) if values and catalog is not None else []
    return [*claims, *texts.warnings]
