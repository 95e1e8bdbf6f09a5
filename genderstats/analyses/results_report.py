"""The complete results report (推動性別平等工作成果報告), in the city form's order and wording.

:func:`build` makes the whole report as one :class:`~genderstats.present.model.Document`
(in two steps when the build runs it: :func:`prepare` while the year's other reports run, and
:meth:`Draft.finish` once their figures are recorded):
the page shows it, and the build publishes it as an OpenDocument text and a PDF. Every part
comes from data or from the analyst's texts for the year (``data/<year>/results_report.yml``),
and every figure in those texts is a placeholder that reads what the year's reports recorded
(``record_figures``; the build hands them over), so the report and the detailed reports cannot
disagree. Before anything is published the prose is checked against those figures
(:func:`results_text.check_claims`): a typed figure or a typed verdict fails the report.

Absence is never a fact: a part whose file is missing says 「無資料」; a file with no rows
(or an empty list in the texts) says 「無」; a placeholder whose data is missing prints
「（本年度無此數字的資料）」, never a number (run by hand, without a build: 「（產製本年度全部報告時
填入）」).

Over 500 lines because it follows the form from 一 to 九 in one place, so the order
and wording of the filed report can be read against the city's form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from genderstats import data, form
from genderstats.analyses import annual, committees, staff_training
from genderstats.analyses import digital_training as dt
from genderstats.data import absence
from genderstats.data import results_text as rt
from genderstats.data.loader import has_column, name_filter
from genderstats.data.recommendations import load_recommendations
from genderstats.names import NameFilter, mask_name
from genderstats.numbers import format_count
from genderstats.present.model import (
    Cell,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Row,
    Section,
    Slot,
    Table,
)
from genderstats.years import roc_date

__all__ = ["TITLE", "NO_DATA", "NONE", "MISSING_FIGURE", "PENDING_FIGURE", "Inputs",
           "load_inputs", "figures",
           "prepare", "Draft", "build", "Report", "PARTS"]

TITLE = "臺北市政府資訊局{year}年推動性別平等工作成果報告"
NO_DATA = "無資料"
NONE = "無"
MISSING_FIGURE = "（本年度無此數字的資料）"
PENDING_FIGURE = "（產製本年度全部報告時填入）"
DATA_GOVERNANCE = "資料治理委員會"
PROCUREMENT = "採購工作及審查小組"
CHECK = "V"
LEVELS = ("主計處列管", "機關構列管")
PROCEDURES = ("研商會議", "書面審查", "性平小組")
PROCUREMENTS = ("巨額採購", "非巨額採購", "非採購案")
CSR = ("已納入", "未納入")
ASSESSMENT_PARTS = {
    "自治條例": ("(一) 自治條例", "自治條例名稱", "簡要說明制定或修正內容"),
    "公共工程中程計畫": ("(二) 公共工程中程計畫", "評估方案名稱", "簡要說明本方案內容"),
    "重大施政": ("(三) 重大施政或與性別議題相關之計畫", "評估方案名稱", "簡要說明本方案內容"),
}
PARTS = ("組別", "一", "二", "性別意識培力", "三", "四", "五", "六", "七", "八", "九")
"""The report's parts in the form's order (keys of :attr:`Report.parts`)."""


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Inputs:
    """The year's inputs of the report; a dataset is None when its file is missing."""

    year: int
    data_dir: Path
    text: rt.ResultsText | None
    frames: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    catalog: rt.Catalog = field(default_factory=rt.Catalog)
    """What the year's reports offer the prose (placeholders, verdicts, 性別分析)."""
    recommendations: Mapping[str, tuple[str, ...]] | None = None
    """The year's recommendations by topic (recommendations.yml), names masked; None when
    the file is missing or malformed (the committee reports say why)."""
    # Compositions already computed from these frames: several parts show each committee.
    compositions: dict[str, committees.Composition | None] = field(
        default_factory=dict, repr=False, compare=False)

    def get(self, dataset: str) -> pd.DataFrame | None:
        """The dataset's frame, or None when the year has no such file."""
        return self.frames.get(dataset)


DATASETS = ("committee_members", "task_force_meetings", "resolutions", "staff_training",
            "contact_training", "training_courses", "course_evaluations", "gender_statistics",
            "impact_assessments", "gender_budget")
BORROWED = ("onsite_engineers", "training_participations", "training_classes")
"""Datasets read only for figures in the analyst's texts, each the required input of its own
report (so reports.yml does not list them for this one): a bad file fails that report, with
the error, and here its figures read as missing (:data:`MISSING_FIGURE`)."""


def load_inputs(year: int, data_dir: str | Path, *,
                catalog: rt.Catalog | None = None) -> Inputs:
    """Every input of the report for ``year`` (each optional), validated as usual; the texts
    against ``catalog`` (:func:`annual.text_catalog`) when given."""
    root = Path(data_dir)
    frames = {name: data.load_optional(name, year, root) for name in DATASETS}
    for name in BORROWED:
        try:
            frames[name] = data.load_optional(name, year, root)
        except data.DataError:
            frames[name] = None
    names = name_filter(year, root)
    try:
        text = data.load_results_text(year, root, catalog=catalog)
    except data.DataError as err:
        raise data.DataError([p.masked(names.mask) for p in err.problems]) from None
    try:
        recommendations = load_recommendations(year, root)
    except data.DataError:
        recommendations = None
    return Inputs(year, root, _masked(text, names), frames, catalog=catalog or rt.Catalog(),
                  recommendations=_masked(recommendations, names))


def _masked(value: Any, names: NameFilter) -> Any:
    """The analyst's texts with every known name masked, in every string of every part."""
    if isinstance(value, str):
        return names.mask(value)
    if isinstance(value, tuple):
        return tuple(_masked(v, names) for v in value)
    if isinstance(value, dict):
        return {k: _masked(v, names) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _masked(getattr(value, f.name), names)
                                             for f in dataclasses.fields(value) if f.init})
    return value


# --------------------------------------------------------------------------- figures


def committee(inputs: Inputs, name: str) -> committees.Composition | None:
    """The committee's composition; None without a roster or without the committee in it."""
    if name not in inputs.compositions:
        members = inputs.get("committee_members")
        inputs.compositions[name] = (
            None if members is None or not (members["committee"] == name).any()
            else committees.composition(members, name))
    return inputs.compositions[name]


def figures(year: int, recorded: Mapping[str, str]) -> dict[str, str]:
    """The placeholder values, as printed: the report's own and what the reports recorded."""
    return {"year": str(year), "next-year": str(year + 1), **recorded}


def fill(text: str, values: Mapping[str, str], missing: str = MISSING_FIGURE) -> str:
    """``text`` with its placeholders replaced; one without a value reads ``missing``."""
    missing = {n: missing for n in rt.placeholders(text) if n not in values}
    return rt.substitute(text, {**values, **missing})


# --------------------------------------------------------------------------- named blocks


def _senior_bands(inputs: Inputs) -> pd.DataFrame | None:
    parts, classes = inputs.get("training_participations"), inputs.get("training_classes")
    if parts is None or classes is None or not dt.has_ages(parts):
        return None
    return dt.senior_age_table(dt.prepare(parts, classes))


def named_blocks(inputs: Inputs, *, charts: bool = True) -> dict[str, Callable[[], Any]]:
    """The tables and charts the analyst's texts may place (results_text.TABLES/CHARTS).

    Each value makes its block, or None when its data is missing.
    """
    year = inputs.year

    def senior_table() -> Any:
        bands = _senior_bands(inputs)
        if bands is None:
            return None
        from genderstats.present.tables import band_block

        return band_block(bands, f"{year}年課程各年齡區間參與人數及性別統計表",
                          row_label=dt.SENIOR)

    def senior_chart() -> Any:
        bands = _senior_bands(inputs)
        if bands is None or not charts:
            return None
        from genderstats.present.charts import grouped_bars

        return grouped_bars(bands, title=f"{year}年課程各年齡區間參與人數及性別統計長條圖",
                            unit="人次")

    def governance_chart() -> Any:
        comp = committee(inputs, DATA_GOVERNANCE)
        if comp is None or not charts:
            return None
        from genderstats.present.charts import donut

        return donut(comp.overall, title=f"{comp.label}委員性別統計圓餅圖", digits=0)

    def governance_findings() -> Any:
        comp = committee(inputs, DATA_GOVERNANCE)
        if comp is None:
            return None
        sentences = committees.overall_sentences(comp)
        for b in comp.breakdowns:
            if b.key != "affiliation":
                sentences += committees.breakdown_sentences(b, threshold=comp.threshold)
        # The committee's recommendations close its analysis, as in the form.
        if inputs.recommendations is None:
            sentences.append(absence.RECOMMENDATIONS.say())
        else:
            sentences += inputs.recommendations.get(DATA_GOVERNANCE, ())
        return Findings(sentences, title=f"{comp.label}委員性別比例分析")

    def procurement_roster() -> Any:
        comp = committee(inputs, PROCUREMENT)
        if comp is None:
            return None
        return committees.members_block(comp, f"本局{PROCUREMENT}委員名單")

    return {
        "digital-training.senior-age-table": senior_table,
        "digital-training.senior-age-chart": senior_chart,
        "data-governance-committee.chart": governance_chart,
        "data-governance-committee.findings": governance_findings,
        "procurement-review-committee.roster": procurement_roster,
    }


# --------------------------------------------------------------------------- helpers


def _no_data(what: str) -> Paragraph:
    return Paragraph(f"本年度無{what}資料。")


def _date(value: Any, *, pad: bool = True) -> str:
    """A date as the form writes it: 「112/08/28」 (``pad=False``: 「112/8/28」)."""
    if value is None or pd.isna(value):
        return ""
    return roc_date(pd.Timestamp(value).date(), pad=pad)


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value).strip()


def _head(*labels: str) -> Row:
    return Row(tuple(Cell(label, header=True, scope="col") for label in labels))


def _table(caption: str, head: Sequence[Row], rows: Sequence[Sequence[Cell]],
           note: str = "", numeric: Sequence[str] = ()) -> Table:
    frame = pd.DataFrame([[c.text for c in r] for r in rows],
                         columns=[c.text for c in head[-1].cells][-len(rows[0]):]
                         if rows and len(head[-1].cells) >= len(rows[0]) else None)
    return Table(caption, tuple(head), tuple(Row(tuple(r)) for r in rows), note, frame)


def _none_row(width: int) -> list[Cell]:
    return [Cell("1.", header=True, scope="row"), Cell(NONE), *[Cell("")] * (width - 2)]


# --------------------------------------------------------------------------- the parts


def header_part(inputs: Inputs) -> list[Any]:
    """The approval line (once 核定), ■組別 and the 性平聯絡人 table (names masked)."""
    text = inputs.text
    group = text.group if text is not None and text.group else NO_DATA
    out: list[Any] = [Paragraph(f"■組別：{group}")]
    if text is not None and text.approval is not None:
        out.insert(0, Paragraph(form.approval_line(text.approval)))
    contacts = inputs.get("contact_training")
    if contacts is None:
        return [*out, _no_data("性平聯絡人")]
    if contacts.empty:
        return [*out, Paragraph("本年度無性平聯絡人。")]
    # A column the file lacks reads 無資料 in every cell (genderstats.data.absence).
    columns = (absence.CONTACT_UNIT, absence.CONTACT_TITLE, absence.CONTACT_DUTY)
    cells = [s.cells(contacts, map(_text, contacts[s.columns[0]])) for s in columns]
    rows = [[Cell(_text(person["role"]), header=True, scope="row"),
             Cell(mask_name(person["name"])), *(Cell(c[i]) for c in cells)]
            for i, (_, person) in enumerate(contacts.iterrows())]
    head = _head("身分", "姓名", *(s.label for s in columns))
    return [*out, _table(f"{inputs.year}年性平聯絡人", [head], rows)]


def highlights_part(inputs: Inputs, values: Mapping[str, str]) -> list[Any]:
    """一、特色或亮點: the analyst's prose with its figures."""
    text = inputs.text
    if text is None or text.highlights is None:
        return [_no_data("特色或亮點")]
    return [Paragraph(fill(p, values)) for p in text.highlights.split("\n") if p.strip()]


def task_force_part(inputs: Inputs) -> list[Any]:
    """二、性別平等專案小組 (成員, 運作情形), then 附件1 and 附件2."""
    year = inputs.year
    out = annual.task_force_outputs(year, inputs.data_dir)
    out.append(Heading("附件1：性別平等專案小組開會情形一覽表", 3))
    meetings = inputs.get("task_force_meetings")
    if meetings is None:
        out.append(Paragraph(absence.MEETINGS.say()))
    elif meetings.empty:
        out.append(Paragraph(f"{year}年未召開會議。"))
    else:
        out.append(committees.meetings_table(meetings, f"{year}年性別平等專案小組開會情形一覽表"))
    out.append(Heading("附件2：性別平等專案小組辦理情形一覽表", 3))
    out += resolutions_blocks(inputs.get("resolutions"), year)
    return out


def resolutions_blocks(resolutions: pd.DataFrame | None, year: int) -> list[Any]:
    """附件2 in the form of the minutes' 報告案: 項次 | 會議日期 | 內容說明或裁(指)示事項 |
    執行情形 | [辦理單位] | 是否解列, then how many stay tracked."""
    if resolutions is None:
        return [_no_data("決議事項追蹤")]
    if resolutions.empty:
        return [Paragraph(f"{year}年無列管之決議事項。")]
    unit = has_column(resolutions, "unit")
    rows = []
    for n, (_, r) in enumerate(resolutions.sort_values("meeting_date", kind="stable").iterrows(),
                               start=1):
        cells = [Cell(f"{n}.", header=True, scope="row"), Cell(_date(r["meeting_date"])),
                 Cell(_text(r["item"])), Cell(_text(r["progress"]))]
        if unit:
            cells.append(Cell(_text(r["unit"])))
        cells.append(Cell(_text(r["closed"])))
        rows.append(cells)
    labels = ["項次", "會議日期", "內容說明或裁(指)示事項", "執行情形",
              *(["辦理單位"] if unit else []), "是否解列"]
    closed = int((resolutions["closed"].astype(str) == "是").sum())
    tracked = len(resolutions) - closed
    return [_table(f"{year}年性別平等專案小組辦理情形一覽表", [_head(*labels)], rows),
            Paragraph(f"共{len(resolutions)}項，解除列管{closed}項、繼續列管{tracked}項。")]


def training_part(inputs: Inputs, rules: staff_training.Rules) -> list[Any]:
    """性別意識培力 (一)–(五), as the gender-training report shows them (tables only)."""
    out: list[Any] = []
    for part, heading in staff_training.SECTIONS.items():
        out.append(Heading(heading, 3))
        out.extend(staff_training.section(
            part, inputs.year, inputs.get("staff_training"), inputs.get("contact_training"),
            inputs.get("training_courses"), rules, charts=False))
    return out


def _is_new(frame: pd.DataFrame) -> pd.Series:
    return frame["new"].astype(str) == "是"


def statistics_part(inputs: Inputs) -> list[Any]:
    """三、性別統計: the inventory's counts, then the new indicators and items (「無」)."""
    inventory = inputs.get("gender_statistics")
    if inventory is None:
        return [_no_data("性別統計指標清冊")]
    existing = inventory[~_is_new(inventory)]
    rows = []
    for kind in ("指標", "項目"):
        mine = existing[existing["kind"].astype(str) == kind]
        counts = [int((mine["level"].astype(str) == level).sum()) for level in LEVELS]
        rows.append([Cell(f"既有性別統計{kind}", header=True, scope="row"),
                     *(Cell(format_count(c), numeric=True) for c in counts)])
    out: list[Any] = [Heading("(一) 既有性別統計指標/項目", 3),
                      _table(f"{inputs.year}年既有性別統計指標/項目數量",
                             [_head("名稱", *LEVELS)], rows,
                             note=f"{form.MARK}{form.STATISTICS_LEVEL_NOTE}")]
    for n, kind in (("二", "指標"), ("三", "項目")):
        out.append(Heading(f"({n}) 新增性別統計{kind}(或其複分類)", 3))
        new = inventory[_is_new(inventory) & (inventory["kind"].astype(str) == kind)]
        head = _head("項次", f"新增{kind}(或其複分類)名稱", f"新增{kind}(或其複分類)定義及說明",
                     *LEVELS)
        if new.empty:
            body = [_none_row(5)]
        else:
            body = []
            for i, (_, r) in enumerate(new.iterrows(), start=1):
                name = _text(r["name"])
                parent = _text(r.get("parent"))
                label = f"「{parent}」之「{name}」" if parent else name
                body.append([Cell(f"{i}.", header=True, scope="row"), Cell(label),
                             Cell(_text(r.get("definition"))),
                             *(Cell(CHECK if str(r["level"]) == lv else "") for lv in LEVELS)])
        out.append(_table(f"{inputs.year}年新增性別統計{kind}(或其複分類)", [head], body))
    return out


def analyses_part(inputs: Inputs, reports: Mapping[str, Mapping[str, str]]) -> list[Any]:
    """四、性別分析: each topic presented to the task force, its unit and meeting date.

    ``reports`` maps a report id to its ``title`` and ``unit`` (the registry's).
    """
    text = inputs.text
    if text is None or text.analyses is None:
        return [_no_data("性別分析專題")]
    head = _head("項次", "分析專題/委託研究(含性別分析)名稱", "辦理科室/受委託辦理單位名稱",
                 "提報性平小組會議日期")
    if not text.analyses:
        return [_table(f"{inputs.year}年性別分析", [head], [_none_row(4)])]
    rows = []
    for n, a in enumerate(text.analyses, start=1):
        known = reports.get(a.report or "", {})
        topic = a.topic or known.get("title") or a.report or ""
        unit = a.unit or known.get("unit") or NO_DATA
        when = _date(a.meeting_date, pad=False) if a.meeting_date else NO_DATA
        rows.append([Cell(f"{n}.", header=True, scope="row"), Cell(topic), Cell(unit),
                     Cell(when)])
    return [_table(f"{inputs.year}年性別分析", [head], rows,
                   note=f"{form.MARK}{form.ANALYSIS_NOTE}")]


def _experts(value: Any) -> str:
    names = [n.strip() for n in _text(value).split("、") if n.strip()]
    return "、".join(f"{mask_name(n)}委員" for n in names)


def _count(frame: pd.DataFrame, row: pd.Series, col: str) -> str:
    if not has_column(frame, col) or pd.isna(row.get(col)):
        return NO_DATA
    return format_count(row[col])


def _ticks(value: Any, options: Sequence[str]) -> str:
    return staff_training.ticks(_text(value), options)


def assessments_part(inputs: Inputs) -> list[Any]:
    """五、性別影響評估: (一) 自治條例, (二) 公共工程中程計畫, (三) 重大施政 (「無」 when
    a category has none)."""
    assessments = inputs.get("impact_assessments")
    if assessments is None:
        return [_no_data("性別影響評估")]
    out: list[Any] = []
    for category, (heading, name_col, summary_col) in ASSESSMENT_PARTS.items():
        out.append(Heading(heading, 3))
        procurement = category != "自治條例"
        top = Row((Cell("項次", header=True, scope="col", rowspan=2),
                   Cell(name_col, header=True, scope="col", rowspan=2),
                   Cell(summary_col, header=True, scope="col", rowspan=2),
                   Cell("程序參與方式及專家學者姓名", header=True, scope="colgroup", colspan=3),
                   Cell("專家學者意見項數", header=True, scope="col", rowspan=2),
                   Cell("專家學者意見參採項數", header=True, scope="col", rowspan=2),
                   Cell("提報性平小組會議日期", header=True, scope="col", rowspan=2),
                   *([Cell(form.CSR_COLUMN, header=True, scope="col", rowspan=2)]
                     if procurement else [])))
        sub = Row(tuple(Cell(p, header=True, scope="col") for p in PROCEDURES))
        mine = assessments[assessments["category"].astype(str) == category]
        width = 9 + (1 if procurement else 0)
        labels = ["項次", name_col, summary_col, *PROCEDURES, "專家學者意見項數",
                  "專家學者意見參採項數", "提報性平小組會議日期",
                  *(["CSR"] if procurement else [])]
        if mine.empty:
            body = [_none_row(width)]
        else:
            body = []
            for n, (_, r) in enumerate(mine.iterrows(), start=1):
                experts = _experts(r.get("experts")) if has_column(mine, "experts") else ""
                dates = []
                if has_column(mine, "first_date") and not pd.isna(r.get("first_date")):
                    dates.append(f"初次提報審查 {_date(r['first_date'])}")
                if has_column(mine, "revised_date") and not pd.isna(r.get("revised_date")):
                    dates.append(f"修正後提報 {_date(r['revised_date'])}")

                row = [Cell(f"{n}.", header=True, scope="row"), Cell(_text(r["title"])),
                       Cell(_text(r.get("summary"))),
                       *(Cell((experts or CHECK) if str(r["procedure"]) == p else "")
                         for p in PROCEDURES),
                       Cell(_count(mine, r, "opinions"), numeric=True),
                       Cell(_count(mine, r, "adopted"), numeric=True), Cell(" ".join(dates))]
                if procurement:
                    row.append(Cell(f"{_ticks(r.get('procurement'), PROCUREMENTS)} "
                                    f"{_ticks(r.get('csr'), CSR)}"))
                body.append(row)
        notes = [form.LARGE_PROCUREMENT_NOTE] if procurement else []
        note = "　".join(f"{form.MARK}{n}" for n in (*notes, form.MEETING_NOTE))
        table = Table(f"{inputs.year}年性別影響評估：{category}", (top, sub),
                      tuple(Row(tuple(r)) for r in body), note,
                      pd.DataFrame([[c.text for c in r] for r in body], columns=labels))
        out.append(table)
    return out


def strategies_part(inputs: Inputs, values: Mapping[str, str],
                    blocks: Mapping[str, Any]) -> list[Any]:
    """七、策略及具體措施: the form's rules, the table of all six categories with all their
    items and the department's measures, then 成果佐證詳述說明 category by category.

    An item the texts leave out is blank, as in the form; without the texts (or their
    策略及具體措施) every category's measures and evidence say 無資料."""
    text = inputs.text
    written = (None if text is None or text.strategies is None
               else {c.label: c for c in text.strategies})
    out: list[Any] = [Paragraph(line) for line in form.RULES]
    if written is None:
        out.append(_no_data("策略及具體措施"))
    rows: list[list[Cell]] = []
    frame: list[list[str]] = []
    notes: list[str] = []
    for category in form.CATEGORIES:
        mine = written.get(category.label) if written is not None else None
        items = {i.number: i for i in mine.items} if mine is not None else {}
        count = len(category.items)
        for number in range(1, count + 1):
            item = items.get(number)
            label = category.item(number)
            if item is not None and item.note:
                notes.append(fill(item.note, values))
                label += f"（註{len(notes)}）"
            measures = [fill(m, values) for m in item.measures] if item is not None else []
            measure = (measures[0] if len(measures) == 1 else
                       " ".join(f"{i}. {m}" for i, m in enumerate(measures, start=1)))
            cells = [Cell(label)]
            if written is not None:
                cells.append(Cell(measure))
            elif number == 1:
                cells.append(Cell(NO_DATA, rowspan=count))
            if number == 1:
                cells.insert(0, Cell(category.title, header=True, scope="row", rowspan=count))
            rows.append(cells)
            frame.append([label, measure if written is not None else NO_DATA])
    head = _head("類別", "項目", "年度辦理該類別項目之政策、方案、措施或計畫名稱")
    note = "　".join(f"註{i}：{n}" for i, n in enumerate(notes, start=1))
    out.append(Table(f"{inputs.year}年推展性別平等工作策略及具體措施", (head,),
                     tuple(Row(tuple(r)) for r in rows), note,
                     pd.DataFrame(frame, columns=["項目", "措施"])))
    out.append(Heading("成果佐證詳述說明", 3))
    for category in form.CATEGORIES:
        out.append(Heading(category.title, 4))
        mine = written.get(category.label) if written is not None else None
        out += _evidence(mine, written is not None, values, blocks)
    return out


def _evidence(category: rt.Category | None, written: bool, values: Mapping[str, str],
              blocks: Mapping[str, Any]) -> list[Any]:
    """成果佐證 of one category: 無資料 without the texts, or when the category has measures
    but no evidence; 「無」 when it has neither."""
    evidence = category.evidence if category is not None else None
    if evidence is None:
        measures = category is not None and any(i.measures for i in category.items)
        return [Paragraph(f"{NO_DATA}。" if measures or not written else NONE)]
    out: list[Any] = []
    if evidence.programme:
        out.append(Paragraph(f"方案名稱：{fill(evidence.programme, values)}"))
    if evidence.relevance:
        lines = [fill(x, values) for x in evidence.relevance.split("\n") if x.strip()]
        out.append(Paragraph("與性別平等關聯性：" + (lines[0] if lines else "")))
        out += [Paragraph(x) for x in lines[1:]]
    return out + _evidence_blocks(evidence.content, values, blocks)


def _evidence_blocks(content: Iterable[rt.Block], values: Mapping[str, str],
                     blocks: Mapping[str, Any]) -> list[Any]:
    out: list[Any] = []
    for block in content:
        if block.kind == "paragraph":
            out.append(Paragraph(fill(block.text, values)))
        elif block.kind == "heading":
            out.append(Paragraph(f"● {fill(block.text, values)}"))
        elif block.kind == "list":
            out.append(ItemList(tuple(fill(i, values) for i in block.items)))
        elif block.kind == "photo":
            out.append(Slot(f"照片：{fill(block.text, values)}"))
        elif block.kind in ("table", "figure"):
            made = blocks[block.text]
            out.append(made if made is not None else Paragraph(f"{NO_DATA}。"))
    return out


def other_results_part(inputs: Inputs, values: Mapping[str, str]) -> list[Any]:
    """八、其他相關成果."""
    text = inputs.text
    if text is None or text.other_results is None:
        return [_no_data("其他相關成果")]
    return [Paragraph(fill(p, values)) for p in text.other_results.split("\n") if p.strip()]


def future_part(inputs: Inputs, values: Mapping[str, str]) -> list[Any]:
    """九、未來推展性別主流化之重點項目及精進作為: the intro and the table."""
    text = inputs.text
    if text is None or text.future is None:
        return [_no_data("未來重點項目")]
    out: list[Any] = []
    if text.future.intro:
        out.append(Paragraph(fill(text.future.intro, values)))
    head = _head("重點項目或方案名稱", "現況說明", "具體策略", "預期效益")
    if not text.future.rows:
        return [*out, Paragraph(NONE)]
    rows = [[Cell(fill(r.item, values), header=True, scope="row"),
             *(Cell(fill(x or "", values)) for x in (r.status, r.strategy, r.benefit))]
            for r in text.future.rows]
    return [*out, _table(f"{inputs.year + 1}年重點項目及精進作為", [head], rows)]


# --------------------------------------------------------------------------- the document


SECTION_TITLES = {
    "一": "一、本年度機關推動性別平等之特色或亮點",
    "二": "二、性別平等專案小組",
    "性別意識培力": "性別意識培力（含所屬機關）",
    "三": "三、性別統計",
    "四": "四、性別分析",
    "五": "五、性別影響評估：年度性別影響評估表提報情形",
    "六": "六、性別預算",
    "七": "七、推展性別平等工作策略及具體措施類別及項目",
    "八": "八、其他相關成果",
    "九": "九、未來推展性別主流化之重點項目及精進作為",
}


@dataclass(frozen=True)
class Report:
    """The built report: the whole document, and each part by its key (:data:`PARTS`)."""

    document: Document
    parts: dict[str, Any]

    def part(self, key: str) -> Any:
        """One part as a block the notebook displays (its heading included)."""
        return self.parts[key]


@dataclass(frozen=True)
class Draft:
    """The report before the recorded figures (:func:`prepare`): every table, chart and part
    that reads none of them is made, so that what waits for the year's other reports is
    only the prose that does (:meth:`finish`)."""

    inputs: Inputs
    parts: dict[str, list[Any]]
    blocks: dict[str, Any]  # the named blocks the texts place, made (None: no data)

    def finish(self, recorded: Mapping[str, str] | None) -> Report:
        """The whole report with ``recorded``, the figures the year's reports recorded
        (:func:`annual.recorded_figures`; None for a notebook run by hand). A typed figure
        or verdict in the prose raises DataError (nothing is published)."""
        inputs = self.inputs
        values = figures(inputs.year, recorded or {})
        if inputs.text is not None and recorded is not None:
            problems = rt.check_claims(inputs.text, values, inputs.catalog)
            if problems:
                raise data.DataError(problems)
        if recorded is None:
            values = _pending(inputs.text, values)
        made = {
            **self.parts,
            "一": highlights_part(inputs, values),
            "七": strategies_part(inputs, values, self.blocks),
            "八": other_results_part(inputs, values),
            "九": future_part(inputs, values),
        }
        parts: dict[str, Any] = {"組別": Group(tuple(header_part(inputs)))}
        for key in SECTION_TITLES:
            parts[key] = Section(SECTION_TITLES[key], tuple(made[key]), anchor=key)
        title = TITLE.format(year=inputs.year)
        return Report(Document(title, tuple(parts[k] for k in PARTS)), parts)


def prepare(inputs: Inputs, *, reports: Mapping[str, Mapping[str, Any]] | None = None,
            rules: staff_training.Rules | None = None, charts: bool = True) -> Draft:
    """Everything of the report of ``inputs.year`` that does not read the recorded figures.

    ``reports`` gives the registry's ``title`` and ``unit`` by report id (section 四).
    """
    rules = rules or staff_training.Rules()
    makers = named_blocks(inputs, charts=charts)
    placed = {b.text for b in _placed_blocks(inputs.text)}
    return Draft(inputs, {
        "二": task_force_part(inputs),
        "性別意識培力": training_part(inputs, rules),
        "三": statistics_part(inputs),
        "四": analyses_part(inputs, reports or {}),
        "五": assessments_part(inputs),
        "六": annual.budget_outputs(inputs.year, inputs.data_dir),
    }, {name: makers[name]() for name in sorted(placed)})


def build(inputs: Inputs, *, reports: Mapping[str, Mapping[str, Any]] | None = None,
          recorded: Mapping[str, str] | None = None,
          rules: staff_training.Rules | None = None, charts: bool = True) -> Report:
    """The whole results report of ``inputs.year``: :func:`prepare`, then
    :meth:`Draft.finish` with ``recorded``."""
    return prepare(inputs, reports=reports, rules=rules, charts=charts).finish(recorded)


def _placed_blocks(text: rt.ResultsText | None) -> list[rt.Block]:
    """The tables and charts the texts place in 成果佐證."""
    if text is None or text.strategies is None:
        return []
    return [block for category in text.strategies if category.evidence is not None
            for block in category.evidence.content if block.kind in ("table", "figure")]


def _pending(text: rt.ResultsText | None, values: dict[str, str]) -> dict[str, str]:
    """Run by hand: the recorded figures come with the build; say so where each stands."""
    return {**{n: PENDING_FIGURE for n in (text.placeholders if text else ())}, **values}


def key_figure(inputs: Inputs) -> str:
    """The report's line on the index page (the task force and the budget, as before)."""
    comp = committee(inputs, committees.TASK_FORCE)
    return annual.key_figure(comp, inputs.get("gender_budget"), inputs.year)
