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

FIGURES: dict[str, str] = {
    "year": "本年度（民國年，如 112）",
    "next-year": "下年度（民國年，如 113）",
    "digital-training.classes": "數位訓練本年度開班數，所有對象（如 130）",
    "digital-training.participations": "數位訓練本年度參訓人次，所有對象（如 2,676）",
    "digital-training.men": "數位訓練男性參訓人次（如 592）",
    "digital-training.women": "數位訓練女性參訓人次（如 2,084）",
    "digital-training.men-share": "數位訓練男性人次比率，小數 2 位（如 22.12%）",
    "digital-training.women-share": "數位訓練女性人次比率，小數 2 位（如 77.88%）",
    "digital-training.senior-classes": "銀髮族班次數（如 121）",
    "digital-training.senior-participations": "銀髮族班次參訓人次（如 2,526）",
    "digital-training.senior-women-share": "銀髮族班次中女性人次比率，整數（如 77%）",
    "digital-training.women-classes": "婦女專班班次數（如 5）",
    "digital-training.women-participations": "婦女專班參訓人次（如 93）",
    "data-governance-committee.term": "資料治理委員會本年度的屆次（如 2）",
    "data-governance-committee.men-share": "資料治理委員會全體委員男性比率，整數（如 60%）",
    "data-governance-committee.women-share": "資料治理委員會全體委員女性比率，整數（如 40%）",
    "data-governance-committee.internal-men-share": "府內委員男性比率，整數（如 65%）",
    "data-governance-committee.internal-women-share": "府內委員女性比率，整數（如 35%）",
    "data-governance-committee.external-men-share": "外聘委員男性比率，整數（如 56%）",
    "data-governance-committee.external-women-share": "外聘委員女性比率，整數（如 44%）",
    "procurement-review-committee.men": "採購工作及審查小組男性委員人數（如 8）",
    "procurement-review-committee.women": "採購工作及審查小組女性委員人數（如 8）",
    "onsite-engineers.men": "男性駐點工程師人數（如 26）",
    "onsite-engineers.women": "女性駐點工程師人數（如 11）",
    "gender-training.satisfaction":
        "自辦訓練課程滿意度（course_evaluations 中「非常滿意」與「滿意」占全部作答的比率，"
        "小數 2 位，如 97.02%）",
    "gender-training.lecturer": "自辦訓練的講師（遮罩後的姓名，如 王○明）",
}
"""Every placeholder name prose may use, with what it stands for (data/README.md lists
them). The report resolves each; a name missing here is an error in the analyst's file."""

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


def _placeholder_problem(text: str) -> tuple[int, str] | None:
    """(position, why) for the first wrong placeholder of ``text``, or None."""
    for m in PLACEHOLDER.finditer(text):
        token = m.group(0)
        if token in ("{{", "}}"):
            continue
        if m.group(1) is None:
            return m.start(), (f"有不成對的大括號「{token}」。佔位符寫成 {{名稱}}，"
                               "要寫出大括號本身請寫 {{ 或 }}。")
        name = m.group(1).strip()
        if not _NAME.match(name):
            return m.start(), (
                f"「{excerpt(token)}」不是有效的佔位符。佔位符寫成 {{報告代號.數字名稱}}，"
                "只用小寫英文字母、數字、連字號與一個句點，如 {digital-training.classes}。")
        if name not in FIGURES:
            return m.start(), (
                f"「{token}」不是已知的數字名稱。可用的名稱見 data/README.md"
                "〈results_report.yml〉，如 {digital-training.classes}；"
                "數字請用佔位符，不要直接打字。")
    return None


# ── reading with line numbers ────────────────────────────────────────────────────────────


class _Reader:
    """Walks the YAML node tree, collecting problems with line numbers."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[Problem] = []
        self.used: dict[str, None] = {}
        self.texts: list[tuple[ScalarNode, str, str]] = []
        """(node, key path, text): every prose string, for the name check."""

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
            fault = _placeholder_problem(value)
            if fault:
                pos, why = fault
                self.fail(node, path, why, excerpt(value), line_of(node, value, pos))
                return None
            for name in placeholders(value):
                self.used[name] = None
            self.texts.append((node, path, value))
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
                       report_ids: Iterable[str] | None = None,
                       names: Iterable[tuple[str, str]] = ()) -> ResultsText:
    """Check and read the file's text. ``meetings`` ({meeting_id: date}) and ``report_ids``
    check 性別分析 when given; ``names`` ((full name, where it comes from)) are the year's
    people, whose full names the prose must not contain. DataError lists every problem."""
    r = _Reader(display)
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
    )
    _check_names(r, names)
    if r.problems:
        raise DataError(r.problems)
    return result


def _check_names(r: _Reader, names: Iterable[tuple[str, str]]) -> None:
    """A full name of the year's people in the prose would be published: refuse it."""
    wanted = {n: src for n, src in names if len(n) >= MIN_NAME_CHECKED}
    for node, path, text in r.texts:
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
                      report_ids: Iterable[str] | None = None) -> ResultsText | None:
    """The year's analyst texts, checked; None when the year has no results_report.yml.

    Meetings named in 性別分析 are checked against (and dated from) the year's
    task_force_meetings when that file exists; ``report_ids`` (the registry's ids) checks the
    reports named there. Raises DataError for any problem.
    """
    root = _root(data_dir)
    y = roc_year(year)
    path = find_results_text(y, root)
    if path is None:
        return None
    return _load(path, y, root, report_ids)


def _load(path: Path, year: int, root: Path,
          report_ids: Iterable[str] | None) -> ResultsText:
    display = display_path(path, root)
    text = read_text_file(path, display)
    meetings, people = _year_context(year, root)
    return parse_results_text(text, display, meetings=meetings, report_ids=report_ids,
                              names=people)


def validate_results_text(year: int | str,
                          data_dir: str | Path = config.DATA_DIR) -> list[Problem]:
    """The problems of the year's results_report.yml ([] when fine or absent)."""
    try:
        load_results_text(year, data_dir)
    except DataError as err:
        return err.problems
    return []
