"""The yearly results report's statistical tables (推動性別平等工作成果報告).

Every figure here is computed by the same functions, from the same data, as the detailed
reports (committees, staff_training, budget), so the annual report and the detailed
reports cannot disagree. Every input is optional here: a section whose file is missing
says 「本年度無…資料」 and nothing is computed from it. The other reports' key figures are
never recomputed: the build hands over what each report recorded in its status file
(:mod:`genderstats.report_status`), the notebook's ``report_status`` parameter. Left empty
(a notebook run by hand), the 四 section lists the titles and says the list is completed
when the year is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from genderstats import data, form
from genderstats.analyses import budget as budget_mod
from genderstats.analyses import committees
from genderstats.data import absence
from genderstats.numbers import form_pct, format_count
from genderstats.present.model import Cell, Group, Heading, ItemList, Paragraph, Row, Table
from genderstats.present.tables import frame_block
from genderstats.report_status import Status, figure_values, load_status
from genderstats.stats import minority_share

ANNUAL_ID = "annual-report"
CHAIRS = ("首長", "副首長", "主秘", "其他")
NOT_READY = "本報告尚未完成"
PENDING_NOTE = "各報告的連結與重點數字，於產製本年度全部報告時列出。"


# ------------------------------------------------------------------ 二、性別平等專案小組

def task_force(year: int, data_dir: Path) -> committees.Composition | None:
    """The task force's composition; None when there is no roster or no task force in it."""
    members = data.load_optional("committee_members", year, data_dir)
    if members is None or not (members["committee"] == committees.TASK_FORCE).any():
        return None
    return committees.composition(members, committees.TASK_FORCE)


def meetings_form(meetings: pd.DataFrame) -> pd.DataFrame:
    """The form's 「(二) 運作情形」: a V under the chair's column, attendance as 「94.12% (16/17)」.

    A chair recorded as 其他 shows its title (the form asks for it). Without the file's
    出席專家學者 column there is no 專家學者委員出席者 column (nothing is known of them).
    """
    shown = committees.meetings_frame(meetings)
    experts = "專家學者委員出席者" in shown.columns
    rows = []
    for (_, meeting), (_, line) in zip(meetings.iterrows(), shown.iterrows(), strict=True):
        chair = str(meeting["chair"])
        title = meeting.get("chair_title")
        marks = {c: ("V" if chair == c else "") for c in CHAIRS}
        if chair == "其他" and isinstance(title, str) and title.strip():
            marks["其他"] = f"V（{title.strip()}）"
        row = {"會議": line["會議"], **marks,
               form.ATTENDANCE: f"{line['出席比率']} ({line['出席']})"}
        if experts:
            row["專家學者委員出席者"] = line["專家學者委員出席者"]
        rows.append(row)
    return pd.DataFrame(rows)


def task_force_outputs(year: int, data_dir: Path) -> list[Any]:
    """(一) 成員 and (二) 運作情形, each saying so when its data is missing."""
    out: list[Any] = [Heading("(一) 成員", 3)]
    if data.find_file("committee_members", year, data_dir) is None:
        out.append(Paragraph(absence.MEMBERS.say()))
    else:
        comp = task_force(year, data_dir)
        if comp is None:
            out.append(Paragraph(f"{year}年委員名單中沒有{committees.TASK_FORCE}。"))
        else:
            out.append(committees.form_table(comp,
                                             f"{year}年{committees.TASK_FORCE}成員"))
    meetings = data.load_optional("task_force_meetings", year, data_dir)
    out.append(Heading("(二) 運作情形", 3))
    if meetings is None:
        out.append(Paragraph(absence.MEETINGS.say()))
    elif meetings.empty:
        out.append(Paragraph(f"{year}年未召開會議。"))
    else:
        out.append(frame_block(meetings_form(meetings), f"{year}年{committees.TASK_FORCE}運作情形"))
        if not committees.has_experts(meetings):
            out.append(Paragraph(absence.EXPERTS.say()))
    return out


# ------------------------------------------------------------------ 六、性別預算

def budget_outputs(year: int, data_dir: Path) -> list[Any]:
    """(一) this year's items, (二) next year's, (三) the change (「無」 when none)."""
    items = data.load_optional("gender_budget", year, data_dir)
    if items is None:
        return [Paragraph(absence.BUDGET.say())]
    if items.empty:
        return [Paragraph(f"{year}年未編列性別預算。")]
    nxt = year + 1
    out: list[Any] = []
    for n, (label, y) in enumerate([("本年度", year), ("下年度", nxt)], start=1):
        out.append(Heading(f"({'一二'[n - 1]}) {label}({y})性別預算編列情形", 3))
        if (items["year"] == y).any():
            out.append(frame_block(budget_mod.budget_items(items, y),
                                  f"{y}年性別預算編列情形（單位：元）", numeric_cols=["預算數"]))
        else:
            out.append(Paragraph(f"{y}年尚無性別預算資料。"))
    out.append(Heading("(三) 下年度與本年度相較之增減", 3))
    if (items["year"] == nxt).any():
        change = budget_mod.budget_change(items, year, nxt)
        out.append(Paragraph(budget_mod.change_text(change, year, nxt)))
        if (change["增減"] != 0).any():
            out.append(frame_block(change, f"{year}年與{nxt}年性別預算比較（單位：元）",
                                  numeric_cols=[f"{year}年", f"{nxt}年", "增減"]))
    else:
        out.append(Paragraph(f"尚無{nxt}年資料，無法比較。"))
    return out


# ------------------------------------------------------------------ 四、the other reports

@dataclass(frozen=True)
class ReportEntry:
    """One other report of the year as the 四 section lists it."""

    id: str
    title: str
    status: str
    page: str | None
    key_figure: str | None

    @property
    def ready(self) -> bool:
        """Built, with a page to link to: only then are its link and figure shown."""
        return self.status == Status.OK and bool(self.page)


def report_entries(reports: Sequence[Any], status: dict[str, dict[str, Any]] | None
                   ) -> list[ReportEntry]:
    """The year's other reports in registry order, with what the build says of each.

    Without a status (no build: a notebook run by hand) every report is unbuilt; a report
    the status does not mention is unbuilt too.
    """
    out = []
    for report in reports:
        if report.id == ANNUAL_ID:
            continue
        entry = (status or {}).get(report.id) or {"status": Status.UNBUILT}
        out.append(ReportEntry(report.id, str(entry.get("title") or report.title),
                               str(entry["status"]), entry.get("page") or None,
                               entry.get("key_figure") or None))
    return out


def summaries_table(entries: list[ReportEntry], caption: str, *, built: bool = True
                    ) -> Table | Group:
    """The 四 section's table: each ready report's title links to its page, beside the key
    figure it recorded; any other report reads 「本報告尚未完成」, with no link nor figure.

    ``built=False`` (no status from the build): the titles only, and one line saying the
    list is completed when the year is built.
    """
    if not built:
        return Group((Paragraph(PENDING_NOTE), ItemList(tuple(e.title for e in entries))))
    head = Row((Cell("報告", header=True, scope="col"), Cell("重點數字", header=True, scope="col")))
    rows, shown = [], []
    for e in entries:
        figure = (e.key_figure or "—") if e.ready else NOT_READY
        title = Cell(e.title, header=True, scope="row", link=e.page if e.ready else None)
        rows.append(Row((title, Cell(figure))))
        shown.append({"報告": e.title, "重點數字": figure})
    return Table(caption, (head,), tuple(rows),
                 frame=pd.DataFrame(shown, columns=["報告", "重點數字"]))


def other_reports_outputs(year: int, report_status: str | Path = "",
                          reports: Sequence[Any] = ()) -> list[Any]:
    """The 四 section: from the build's status file when given, else the titles of
    ``reports`` (the registry's reports: anything with ``id`` and ``title``) only."""
    caption = f"{year}年各項性別統計與分析報告"
    if report_status:
        # The build's own list (its registry, in its order): nothing else is consulted.
        status = load_status(report_status, year)
        entries = [ReportEntry(rid, str(e.get("title") or rid), str(e["status"]),
                               e.get("page") or None, e.get("key_figure") or None)
                   for rid, e in status.items() if rid != ANNUAL_ID]
        return [summaries_table(entries, caption)]
    return [summaries_table(report_entries(reports, None), caption, built=False)]


def report_info(report_status: str | Path, year: int, reports: Sequence[Any] = ()
                ) -> dict[str, dict[str, Any]]:
    """Each report's ``title``, ``unit`` (辦理科室), ``subject`` (the committee it is on) and
    ``figures`` (name → meaning) by id: from the build's status file when given, else from
    ``reports`` (the registry's, for a notebook run by hand)."""
    if report_status:
        return {rid: {"title": str(e.get("title") or rid), "unit": str(e.get("unit") or ""),
                      "subject": str(e.get("subject") or ""),
                      "figures": {n: str(f.get("meaning") or "")
                                  for n, f in (e.get("figures") or {}).items()}}
                for rid, e in load_status(report_status, year, wait=False).items()}
    return {r.id: {"title": r.title, "unit": getattr(r, "unit", "") or "",
                   "subject": getattr(r, "subject", ""), "figures": dict(r.figures)}
            for r in reports}


def text_catalog(info: dict[str, dict[str, Any]]) -> data.Catalog:
    """What the reports of :func:`report_info` offer the prose of results_report.yml."""
    return data.Catalog(
        reports={rid: e["title"] for rid, e in info.items()},
        figures={f"{rid}.{name}": meaning for rid, e in info.items()
                 for name, meaning in e["figures"].items()},
        subjects={e["subject"]: rid for rid, e in info.items() if e["subject"]})


def recorded_figures(report_status: str | Path, year: int) -> dict[str, str] | None:
    """The figures the year's reports recorded, ``{id.name: 如所印}``, once the build has
    finished them (this waits); a report that failed gives none. None without a status (a
    notebook run by hand: the figures come with the build)."""
    if not report_status:
        return None
    return figure_values(load_status(report_status, year))


def key_figure(comp: committees.Composition | None, items: pd.DataFrame | None,
               year: int) -> str:
    """The annual report's own line on the index page."""
    parts = []
    if comp is not None:
        lower = minority_share(comp.overall).iloc[0]
        parts.append(f"性平小組較低者單一性別比例{form_pct(lower)}")
    if items is not None and (items["year"] == year).any():
        total = int(items.loc[items["year"] == year, "amount"].sum())
        parts.append(f"性別預算{format_count(total)}元")
    return "；".join(parts) or f"{year}年成果報告統計表"
