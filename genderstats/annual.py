"""The yearly results report's statistical tables (推動性別平等工作成果報告).

Every figure here is computed by the same functions, from the same data, as the detailed
reports (committees, staff_training, digital_training, engineers, budget), so the annual
report and the detailed reports cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from genderstats import budget as budget_mod
from genderstats import committees, data, digital_training, engineers, staff_training
from genderstats.privacy import escape
from genderstats.record import record_input
from genderstats.registry import Report
from genderstats.stats import minority_share
from genderstats.tables import Html, HtmlTable, frame_html

ANNUAL_ID = "annual-report"
CHAIRS = ("首長", "副首長", "主秘", "其他")


# ------------------------------------------------------------------ 二、性別平等專案小組

def task_force(year: int, data_dir: Path) -> committees.Composition | None:
    """The task force's composition, or None when the roster has no task force."""
    members = data.load("committee_members", year, data_dir)
    if committees.committee_roster(members, committees.TASK_FORCE).empty:
        return None
    return committees.composition(members, committees.TASK_FORCE)


def meetings_form(meetings: pd.DataFrame) -> pd.DataFrame:
    """The form's 「(二) 運作情形」: a V under the chair's column, attendance as 「94.12% (16/17)」.

    A chair recorded as 其他 shows its title (the form asks for it).
    """
    shown = committees.meetings_frame(meetings)
    rows = []
    for (_, meeting), (_, line) in zip(meetings.iterrows(), shown.iterrows(), strict=True):
        chair = str(meeting["chair"])
        title = meeting.get("chair_title")
        marks = {c: ("V" if chair == c else "") for c in CHAIRS}
        if chair == "其他" and isinstance(title, str) and title.strip():
            marks["其他"] = f"V（{title.strip()}）"
        rows.append({"會議": line["會議"], **marks,
                     "全體委員出席比率(%)": f"{line['出席比率']} ({line['出席']})",
                     "專家學者委員出席者": line["專家學者委員出席者"]})
    return pd.DataFrame(rows)


def task_force_outputs(year: int, data_dir: Path) -> list[Any]:
    """(一) 成員 and (二) 運作情形, or a note when there is no data."""
    comp = task_force(year, data_dir)
    if comp is None:
        return [Html(f"<p>{year}年委員名單中沒有{committees.TASK_FORCE}。</p>")]
    out: list[Any] = [Html("<h3>(一) 成員</h3>"),
                      committees.form_table_html(comp, f"{year}年{committees.TASK_FORCE}成員")]
    meetings = data.load_optional("task_force_meetings", year, data_dir)
    out.append(Html("<h3>(二) 運作情形</h3>"))
    if meetings is None or meetings.empty:
        out.append(Html(f"<p>{year}年無會議紀錄資料。</p>"))
    else:
        out.append(frame_html(meetings_form(meetings), f"{year}年{committees.TASK_FORCE}運作情形"))
    return out


# ------------------------------------------------------------------ 性別意識培力

def training_outputs(year: int, data_dir: Path,
                     rules: staff_training.Rules | None = None) -> list[Any]:
    """(一)–(五), exactly as the gender-training report shows them (tables only)."""
    rules = rules or staff_training.Rules()
    staff = data.load("staff_training", year, data_dir)
    contacts = data.load_optional("contact_training", year, data_dir)
    courses = data.load_optional("training_courses", year, data_dir)
    out: list[Any] = []
    for part, heading in staff_training.SECTIONS.items():
        out.append(Html(f"<h3>{escape(heading)}</h3>"))
        out.extend(staff_training.section(part, year, staff, contacts, courses, rules,
                                          charts=False))
    return out


# ------------------------------------------------------------------ 六、性別預算

def budget_outputs(year: int, data_dir: Path) -> list[Any]:
    """(一) this year's items, (二) next year's, (三) the change (「無」 when none)."""
    items = data.load_optional("gender_budget", year, data_dir)
    if items is None or items.empty:
        return [Html(f"<p>{year}年無性別預算資料。</p>")]
    nxt = year + 1
    out: list[Any] = []
    for n, (label, y) in enumerate([("本年度", year), ("下年度", nxt)], start=1):
        out.append(Html(f"<h3>({'一二'[n - 1]}) {label}({y})性別預算編列情形</h3>"))
        if (items["year"] == y).any():
            out.append(frame_html(budget_mod.budget_items(items, y),
                                  f"{y}年性別預算編列情形（單位：元）", numeric_cols=["預算數"]))
        else:
            out.append(Html(f"<p>{y}年尚無性別預算資料。</p>"))
    out.append(Html("<h3>(三) 下年度與本年度相較之增減</h3>"))
    if (items["year"] == nxt).any():
        change = budget_mod.budget_change(items, year, nxt)
        out.append(Html(f"<p>{escape(budget_mod.change_text(change, year, nxt))}</p>"))
        if (change["增減"] != 0).any():
            out.append(frame_html(change, f"{year}年與{nxt}年性別預算比較（單位：元）",
                                  numeric_cols=[f"{year}年", f"{nxt}年", "增減"]))
    else:
        out.append(Html(f"<p>尚無{nxt}年資料，無法比較。</p>"))
    return out


# ------------------------------------------------------------------ the other reports

def _committee(params: dict[str, Any], year: int, data_dir: Path) -> str:
    members = data.load("committee_members", year, data_dir)
    kw = {k: params[k] for k in ("threshold", "exclude_ex_officio") if k in params}
    return committees.key_figure(committees.composition(members, params["committee"], **kw))


def _digital(params: dict[str, Any], year: int, data_dir: Path) -> str:
    parts, classes = digital_training.load_year(year, data_dir)
    prepared = digital_training.prepare(parts, classes)
    return digital_training.key_figures(prepared, classes, year).summary()


def _engineers(params: dict[str, Any], year: int, data_dir: Path) -> str:
    return engineers.key_figure(data.load(engineers.DATASET, year, data_dir))


def _training(params: dict[str, Any], year: int, data_dir: Path) -> str:
    kw = {k: params[k] for k in ("required_hours", "in_person_hours") if k in params}
    return staff_training.key_figure(data.load("staff_training", year, data_dir), **kw)


# Keyed by notebook: a report's key figure is what its own notebook records.
KEY_FIGURES: dict[str, Callable[[dict[str, Any], int, Path], str]] = {
    "committee_composition": _committee,
    "digital_training": _digital,
    "onsite_engineers": _engineers,
    "gender_training": _training,
}


def report_summaries(reports: list[Report], year: int, data_dir: Path,
                     registry_file: Path | None = None) -> pd.DataFrame:
    """One row per other report of the year: title, key figure and page link.

    A report whose data cannot be read says so here; its own page shows the details.
    """
    if registry_file is not None:
        record_input(registry_file)
    rows = []
    for report in reports:
        if report.id == ANNUAL_ID:
            continue
        builder = KEY_FIGURES.get(report.notebook.stem)
        try:
            figure = builder(report.parameters, year, data_dir) if builder else "—"
        except (data.DataError, ValueError) as exc:
            figure = "無法計算（資料有誤，請見該報告）：" + str(exc).splitlines()[0][:80]
        rows.append({"報告": report.title, "重點數字": figure, "id": report.id})
    return pd.DataFrame(rows, columns=["報告", "重點數字", "id"])


def summaries_html(summaries: pd.DataFrame, caption: str) -> HtmlTable:
    """The summaries with each title linking to its page (all text escaped)."""
    head = '<th scope="col">報告</th><th scope="col">重點數字</th>'
    body = "".join(
        f'<tr><th scope="row"><a href="{escape(r["id"])}.html">{escape(r["報告"])}</a></th>'
        f"<td>{escape(r['重點數字'])}</td></tr>"
        for _, r in summaries.iterrows()
    )
    html = (f'<div class="gs-table-wrap" role="region" aria-label="{escape(caption)}" '
            f'tabindex="0"><table class="gs-table"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
    return HtmlTable(html, summaries[["報告", "重點數字"]])


def key_figure(comp: committees.Composition | None, items: pd.DataFrame | None,
               year: int) -> str:
    """The annual report's own line on the index page."""
    parts = []
    if comp is not None:
        lower = minority_share(comp.overall).iloc[0]
        parts.append(f"性平小組較低者單一性別比例{committees.form_pct(lower)}")
    if items is not None and (items["year"] == year).any():
        total = int(items.loc[items["year"] == year, "amount"].sum())
        parts.append(f"性別預算{total:,}元")
    return "；".join(parts) or f"{year}年成果報告統計表"
