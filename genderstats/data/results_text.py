"""The analyst's texts of the results report: ``data/<year>/results_report.yml``.

The contact person writes the prose of the city's form here (組別, 一、特色或亮點, the
topics of 四, 七 with its evidence, 八 and 九). Figures in the prose are never typed: a
placeholder such as ``{digital-training.senior-classes}`` stands for a figure the data
holds, and the report resolves it. This module reads and checks the file and returns plain
objects; an unknown key, a wrong type or an unknown placeholder is a DataError naming the
file, the line, the key and the value. data/README.md〈results_report.yml〉 is the contract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genderstats import config
from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.loader import _root, _year_dir, display_path, load_optional
from genderstats.data.specs import DATASETS
from genderstats.data.vocab import match_key
from genderstats.data.yamlfile import compose, find_text_file, line_of, read_text_file
from genderstats.names import mask_name
from genderstats.years import roc_year

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
    "digital-training.senior-age-table": "銀髮族各年齡區間參與人次及性別統計表",
    "data-governance-committee.findings": "資料治理委員會委員性別比例分析（依工作小組與界別）",
    "procurement-review-committee.roster": "採購工作及審查小組委員名單（姓名遮罩）及性別統計",
}
"""Computed tables the evidence of 七 may place (內容 item 「表」)."""

CHARTS: dict[str, str] = {
    "digital-training.senior-age-chart": "銀髮族各年齡區間參與人次及性別統計長條圖",
    "data-governance-committee.chart": "資料治理委員會委員性別統計圓餅圖",
}
"""Computed charts the evidence of 七 may place (內容 item 「圖」)."""

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
    """The prose (paragraph, heading), the photo's caption, a TABLES name (table) or a
    CHARTS name (figure)."""
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
    """One item of a category of 七, with the department's measures (none: left blank)."""

    label: str
    note: str | None
    measures: tuple[str, ...] = ()


@dataclass(frozen=True)
class Category:
    """One category (一)–(六) of 七."""

    label: str
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
    highlights: str | None = None
    analyses: tuple[Analysis, ...] | None = None
    strategy_rules: str | None = None
    strategies: tuple[Category, ...] | None = None
    other_results: str | None = None
    future: Future | None = None
    placeholders: tuple[str, ...] = field(default=())
    """Every placeholder name the prose uses, in order of first use."""
    prose: tuple[Prose, ...] = field(default=(), repr=False, compare=False)
    """Every prose string with where it stands, for the check against computed figures."""


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

# A verdict on a committee, typed: the data could make it false. Sentences that state a rule
# (不得、應) or ask (是否) are not verdicts.
_VERDICT_PHRASES = (
    (re.compile(r"符合(?:相關)?(?:規定|原則)"), "compliance"),
    (re.compile(r"無任一性別[^。；\n]*?低於"), "verdict"),
    (re.compile(r"未達[^。；\n]{0,12}(?:三分之一|原則|規定)"), "verdict"),
    (re.compile(r"比例[^。；，\n]{0,6}均衡"), "verdict"),
)
_NOT_A_VERDICT = re.compile(r"是否|不得|應[^用]|為原則")
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
        if not share and (unit is None and len(digits) < 3 or value < 10):
            continue  # 「1至3小時」「6大主題」: numbers of the prose, not figures
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


class _Reader:
    """Walks the YAML node tree, collecting problems with line numbers."""

    def __init__(self, display: str, catalog: Catalog | None = None) -> None:
        self.display = display
        self.catalog = catalog
        self.problems: list[Problem] = []
        self.used: dict[str, None] = {}
        self.texts: list[Prose] = []
        """Every prose string, for the name and claim checks."""

    def fail(self, node: Node, path: str, message: str, value: str | None = None,
             line: int | None = None) -> None:
        line = node.start_mark.line + 1 if line is None else line
        where = f"第 {line} 行「{path}」" if path else f"第 {line} 行"
        self.problems.append(Problem(self.display, None, None, value, f"{where}：{message}"))

    def mapping(self, node: Node, path: str, keys: Iterable[str],
                required: Iterable[str] = ()) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.fail(node, path, f"應為「鍵: 值」的對應表，卻是{_shape(node)}。")
            return None
        allowed = list(keys)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value).strip() if isinstance(key_node, ScalarNode) else ""
            where = f"{path}.{key}" if path else key
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
            value = self.text(item, f"{path}[{i}]")
            if value is not None:
                out.append(value)
        return tuple(out)


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "對應表"
    if isinstance(node, SequenceNode):
        return "清單"
    return f"文字「{excerpt(node.value, 30)}」"


TOP_KEYS = ("組別", "特色或亮點", "性別分析", "策略及具體措施規範", "策略及具體措施",
            "其他相關成果", "未來重點")
BLOCK_KINDS = {"段落": "paragraph", "小標": "heading", "清單": "list", "照片": "photo",
               "表": "table", "圖": "figure"}


def _analyses(r: _Reader, node: Node, meetings: Mapping[str, dt.date] | None,
              report_ids: Iterable[str] | None) -> tuple[Analysis, ...]:
    ids = set(report_ids) if report_ids is not None else None
    out: list[Analysis] = []
    for i, item in enumerate(r.sequence(node, "性別分析"), start=1):
        path = f"性別分析[{i}]"
        keys = r.mapping(item, path, ("報告", "題目", "辦理科室", "會議"), required=("會議",))
        if keys is None:
            continue
        report = r.text(keys.get("報告"), f"{path}.報告", prose=False)
        topic = r.text(keys.get("題目"), f"{path}.題目")
        unit = r.text(keys.get("辦理科室"), f"{path}.辦理科室")
        meeting = r.text(keys.get("會議"), f"{path}.會議", prose=False)
        if report is None and topic is None and "報告" not in keys and "題目" not in keys:
            r.fail(item, path, "請寫「報告」（reports.yml 的 id）或「題目」。")
            continue
        if report is not None and not _REPORT_ID.match(report):
            r.fail(keys["報告"], f"{path}.報告",
                   f"「{excerpt(report)}」不是報告代號。請寫 notebooks/reports.yml 中的 id，"
                   "如 digital-training。", excerpt(report))
            continue
        if report is not None and ids is not None and report not in ids:
            known = "、".join(sorted(ids))
            r.fail(keys["報告"], f"{path}.報告",
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
                r.fail(keys["會議"], f"{path}.會議",
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
    for i, item in enumerate(r.sequence(content, f"{path}.內容") if content else [], start=1):
        where = f"{path}.內容[{i}]"
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
            items = r.texts_of(value, f"{where}.{key}")
            if items:
                blocks.append(Block(kind, items=items))
            continue
        text = r.text(value, f"{where}.{key}", prose=kind not in ("table", "figure"))
        if text is None:
            continue
        known = TABLES if kind == "table" else CHARTS if kind == "figure" else None
        if known is not None and text not in known:
            r.fail(value, f"{where}.{key}",
                   f"「{excerpt(text)}」不是已知的{key}。可用的名稱：{'、'.join(known)}。",
                   excerpt(text))
            continue
        blocks.append(Block(kind, text=text))
    return Evidence(r.text(keys.get("方案名稱"), f"{path}.方案名稱"),
                    r.text(keys.get("與性別平等關聯性"), f"{path}.與性別平等關聯性"),
                    tuple(blocks))


def _strategies(r: _Reader, node: Node) -> tuple[Category, ...]:
    out: list[Category] = []
    for i, cat in enumerate(r.sequence(node, "策略及具體措施"), start=1):
        path = f"策略及具體措施[{i}]"
        keys = r.mapping(cat, path, ("類別", "項目", "成果佐證"), required=("類別", "項目"))
        if keys is None or "類別" not in keys or "項目" not in keys:
            continue
        label = r.text(keys["類別"], f"{path}.類別")
        items: list[Item] = []
        for j, item in enumerate(r.sequence(keys["項目"], f"{path}.項目"), start=1):
            where = f"{path}.項目[{j}]"
            parts = r.mapping(item, where, ("名稱", "註", "措施"), required=("名稱",))
            if parts is None or "名稱" not in parts:
                continue
            name = r.text(parts["名稱"], f"{where}.名稱")
            if name is None:
                continue
            items.append(Item(name, r.text(parts.get("註"), f"{where}.註"),
                              r.texts_of(parts.get("措施"), f"{where}.措施")))
        evidence = _evidence(r, keys["成果佐證"], f"{path}.成果佐證") \
            if "成果佐證" in keys else None
        if label is not None:
            out.append(Category(label, tuple(items), evidence))
    return tuple(out)


def _future(r: _Reader, node: Node) -> Future | None:
    keys = r.mapping(node, "未來重點", ("說明", "項目"))
    if keys is None:
        return None
    rows: list[FutureRow] = []
    items = keys.get("項目")
    for i, item in enumerate(r.sequence(items, "未來重點.項目") if items else [], start=1):
        path = f"未來重點.項目[{i}]"
        parts = r.mapping(item, path, ("重點項目或方案名稱", "現況說明", "具體策略", "預期效益"),
                          required=("重點項目或方案名稱",))
        if parts is None or "重點項目或方案名稱" not in parts:
            continue
        name = r.text(parts["重點項目或方案名稱"], f"{path}.重點項目或方案名稱")
        if name is not None:
            rows.append(FutureRow(name, *(r.text(parts.get(k), f"{path}.{k}")
                                          for k in ("現況說明", "具體策略", "預期效益"))))
    return Future(r.text(keys.get("說明"), "未來重點.說明"), tuple(rows))


def parse_results_text(text: str, display: str, *,
                       meetings: Mapping[str, dt.date] | None = None,
                       catalog: Catalog | None = None,
                       names: Iterable[tuple[str, str]] = ()) -> ResultsText:
    """Check and read the file's text. ``meetings`` ({meeting_id: date}) check 性別分析 when
    given; ``catalog`` (the registry's reports and figures) checks the reports it names, the
    placeholders and typed verdicts; ``names`` ((full name, where it comes from)) are the year's
    people, whose full names the prose must not contain. DataError lists every problem."""
    r = _Reader(display, catalog)
    report_ids = list(catalog.reports) if catalog is not None else None
    root = compose(text, display)
    if root is None:
        return ResultsText(display)
    keys = r.mapping(root, "", TOP_KEYS)
    if keys is None:
        raise DataError(r.problems)
    group = r.text(keys.get("組別"), "組別", prose=False)
    result = ResultsText(
        display,
        group=group,
        highlights=r.text(keys.get("特色或亮點"), "特色或亮點"),
        analyses=_analyses(r, keys["性別分析"], meetings, report_ids)
        if "性別分析" in keys else None,
        strategy_rules=r.text(keys.get("策略及具體措施規範"), "策略及具體措施規範"),
        strategies=_strategies(r, keys["策略及具體措施"]) if "策略及具體措施" in keys else None,
        other_results=r.text(keys.get("其他相關成果"), "其他相關成果"),
        future=_future(r, keys["未來重點"]) if "未來重點" in keys else None,
        placeholders=tuple(r.used),
        prose=tuple(r.texts),
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
    root = _root(data_dir)
    return find_text_file(_year_dir(roc_year(year), root), root, STEM, TITLE)


def _year_context(year: int, root: Path) -> tuple[dict[str, dt.date] | None,
                                                  list[tuple[str, str]]]:
    """The year's meetings and people, for the checks across files (unreadable: skipped)."""
    meetings: dict[str, dt.date] | None = None
    people: list[tuple[str, str]] = []
    try:
        frame = load_optional("task_force_meetings", year, root)
        if frame is not None:
            meetings = {str(m): d.date() for m, d in zip(frame["meeting_id"], frame["date"],
                                                         strict=True)}
    except DataError:
        meetings = None  # the meetings file's own problems are reported on their own
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
    task_force_meetings when that file exists; ``catalog`` (what the registry's reports offer)
    checks the reports, placeholders and verdicts. Raises DataError for any problem.
    """
    root = _root(data_dir)
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
                              names=people)


def validate_results_text(year: int | str, data_dir: str | Path = config.DATA_DIR, *,
                          catalog: Catalog | None = None,
                          values: Mapping[str, str] | None = None) -> list[Problem]:
    """The problems of the year's results_report.yml ([] when fine or absent); ``values``
    (the figures of the year's last build) checks typed numbers against them."""
    try:
        text = load_results_text(year, data_dir, catalog=catalog)
    except DataError as err:
        return err.problems
    if text is None or not values or catalog is None:
        return []
    return check_claims(text, values, catalog)
