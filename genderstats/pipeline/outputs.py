"""The year's outputs beside the reports' pages: ``indicators.csv``, the committee's table,
``manifest.json``, the staff page and the index.

Every entry comes from the reports' states and the files on disk (the previous manifest is
never read, so a damaged one cannot break the build).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import platform
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import __version__, config
from genderstats.pipeline.public_paths import PublicPaths
from genderstats.pipeline.publish import write_atomic, write_json
from genderstats.pipeline.registry import Report
from genderstats.pipeline.state import STATE_DIR, LastGood, ReportResult, ReportState, standing
from genderstats.record import INDICATOR_COLUMNS, file_sha256
from genderstats.report_status import Status, status_document

PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient",
            "ipykernel", "openpyxl", "odfpy")
VERSION_ANSWERS = 4  # the package versions kept for so many interpreters/paths


def versions(state_dir: Path | None = None) -> dict[str, str]:
    """The versions of PACKAGES installed, for the manifest.

    Looking them up scans every folder on ``sys.path``; with ``state_dir`` the answer is
    kept in ``versions.json`` and reused while this Python and the modification times of
    those folders (which change whenever a package is installed or removed) stay the same.
    A few answers are kept, since ``sys.path`` begins with the folder of whatever started
    Python (the ``genderstats`` program, ``python -m``, a notebook), and the answers differ.
    """
    # A digest, so the file names no folder of this machine.
    key = hashlib.sha256(json.dumps(
        [sys.executable, *[[p, _mtime(p)] for p in sys.path if p]]).encode()).hexdigest()
    cache = state_dir / "versions.json" if state_dir is not None else None
    kept: dict[str, Any] = {}
    if cache is not None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError, AttributeError):
            kept = dict(json.loads(cache.read_text(encoding="utf-8"))["answers"])
            found = kept[key]
            if isinstance(found, dict):
                return {str(k): str(v) for k, v in found.items()}
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    if cache is not None:
        kept.pop(key, None)
        kept = {**dict(list(kept.items())[-(VERSION_ANSWERS - 1):]), key: found}
        with contextlib.suppress(OSError):
            write_json(cache, {"answers": kept})
    return found


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def indicators_frame_rows(year: int, reports: list[Report],
                          states: dict[str, ReportState]) -> list[dict[str, Any]]:
    """Every recorded count of the year's published pages, in registry order.

    The year and the report are the build's: a notebook's record cannot name others.
    """
    rows = []
    for report in reports:
        state = states.get(report.id)
        for row in state.last_good.indicators if state and state.last_good else []:
            rows.append({**row, "year": year, "report": report.id})
    return rows


# OWASP "CSV injection": a spreadsheet runs a text cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The committee's table: the same rows as indicators.csv, in words and printed figures.
TABLE_COLUMNS = ("年度", "報告", "表格", "類別", "性別", "人數", "比例")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_spreadsheet(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV in UTF-8 with BOM and CRLF, so Excel on Windows shows the Chinese."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, "\ufeff" + buf.getvalue())


def write_indicators(path: Path, rows: list[dict[str, Any]]) -> None:
    """``indicators.csv``, for the statistics office: code ids and unrounded shares."""
    def cells(row: dict[str, Any]) -> list[Any]:
        share = row.get("share")
        return [*(spreadsheet_safe(row.get(k)) for k in INDICATOR_COLUMNS[:-1]),
                "" if share is None else repr(float(share))]

    _write_spreadsheet(path, INDICATOR_COLUMNS, (cells(row) for row in rows))


def _printed(value: Any, number: Callable[[Any], str]) -> Any:
    """A figure as the pages print it (``number``); a recorded text stays text, made safe."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return spreadsheet_safe(str(value))


def write_table(path: Path, rows: list[dict[str, Any]], reports: list[Report]) -> None:
    """The committee's table of ``rows`` (:func:`indicators_frame_rows`): Chinese headers,
    report titles, counts 「2,676」 and shares 「77.88%」 as the pages print them."""
    from genderstats.numbers import format_count, format_pct

    titles = {r.id: r.title for r in reports}
    _write_spreadsheet(path, TABLE_COLUMNS, (
        [row["year"], *(spreadsheet_safe(v) for v in (titles[row["report"]], row.get("table"),
                                                       row.get("category"), row.get("gender"))),
         _printed(row.get("count"), format_count), _printed(row.get("share"), format_pct)]
        for row in rows))


def _table_key(rows: list[dict[str, Any]], reports: list[Report],
               states: dict[str, ReportState]) -> str:
    """What the committee's table depends on: the rows, the titles and the reports' cache keys
    (which change with the package, so with the formatters)."""
    lasts = [getattr(states.get(r.id), "last_good", None) for r in reports]
    payload = [rows, [[r.id, r.title] for r in reports], [g and g.key for g in lasts]]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def write_table_if_changed(out: Path, name: str, rows: list[dict[str, Any]],
                           reports: list[Report], states: dict[str, ReportState]) -> None:
    """:func:`write_table` unless ``out/name`` is the one written for the same rows.

    Formatting imports pandas, which an unchanged rebuild otherwise never loads. The table on
    disk must still hash as written, so an edited or damaged file is written again.
    """
    memo = out / STATE_DIR / "table.json"
    key = _table_key(rows, reports, states)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        kept = json.loads(memo.read_text(encoding="utf-8"))
        if kept["key"] == key and kept["sha256"] == file_sha256(out / name):
            return
    write_table(out / name, rows, reports)
    with contextlib.suppress(OSError):
        write_json(memo, {"key": key, "sha256": file_sha256(out / name)})


def _documents(out: Path, rid: str, status: Status, last: LastGood | None) -> dict[str, Any]:
    """The manifest's links to a report's ODT and PDF, and why there is no PDF."""
    if status == Status.UNBUILT or not (out / f"{rid}.odt").is_file():
        return {}
    pdf = (out / f"{rid}.pdf").is_file()
    return {"odt": f"{rid}.odt", "pdf": f"{rid}.pdf" if pdf else None,
            "pdf_note": None if pdf else ((last and last.pdf_note) or "未產製 PDF")}


def write_outputs(out: Path, year: int, reports: list[Report], states: dict[str, ReportState],
                  results: dict[str, ReportResult], started: datetime, finished: datetime,
                  notes: Sequence[str] = (), data_dir: Path = config.DATA_DIR) -> None:
    """indicators.csv, the committee's table, manifest.json, staff.html and index.html for the
    year, each written atomically.

    ``results``: this build's outcome of each report it considered; ``notes`` (staff page
    and manifest) say what the build had to do without; paths are shown relative to
    ``data_dir`` (see ``public_paths``). A report never built has status ``unbuilt`` and no
    links.
    """
    from genderstats.pipeline.environment import lock_hash
    from genderstats.pipeline.index import TABLE_NAME, render_index
    from genderstats.pipeline.scaffold import draft_reason
    from genderstats.pipeline.staff_page import render_staff

    drafts = {r.id: why for r in reports for why in [draft_reason(r)] if why}
    done = [r for r in reports if r.id not in drafts]  # a draft's figures are no one's
    rows = indicators_frame_rows(year, done, states)
    write_indicators(out / "indicators.csv", rows)
    write_table_if_changed(out, TABLE_NAME, rows, done, states)
    shown = PublicPaths(data_dir, out)
    entries = []
    for report in reports:
        state = states.get(report.id)
        last = state.last_good if state else None
        res = results.get(report.id)
        page = (out / f"{report.id}.html").is_file()
        status = res.status if res is not None else standing(state, page)
        failed = status == Status.FAILED
        built = status != Status.UNBUILT
        executed = out / "notebooks" / f"{report.id}.ipynb"
        parameters = (state and state.parameters) or (last and last.parameters) or {}
        entries.append({
            "id": report.id,
            "title": report.title,
            "draft": drafts.get(report.id),  # listed on the staff page only
            "notebook": shown.path(report.notebook),
            "parameters": shown.parameters(parameters),
            "status": status,
            "seconds": res.seconds if res else (state.seconds if state else 0.0),
            "error": (shown.text((state and state.error) or "") or None) if failed else None,
            "built": last.built if last and built else None,
            "html": f"{report.id}.html" if page and built else None,
            "failed_html": (f"failed/{report.id}.html"
                            if failed and (out / "failed" / f"{report.id}.html").is_file()
                            else None),
            "executed_notebook": (f"notebooks/{report.id}.ipynb"
                                  if executed.is_file() and built else None),
            "failed_notebook": (f"failed/{report.id}.ipynb"
                                if failed and (out / "failed" / f"{report.id}.ipynb").is_file()
                                else None),
            "inputs": {shown.path(p): h for p, h in sorted((last.inputs if last else {}).items())},
            "key_figure": last.summary if last and built else None,
            **_documents(out, report.id, status, last),
        })
    manifest = {
        "year": year,
        "reports": entries,
        "genderstats_version": __version__,
        "python": platform.python_version(),
        "packages": versions(out / STATE_DIR),
        "lock_sha256": lock_hash(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "notes": list(notes),
    }
    write_json(out / "manifest.json", manifest)
    # The staff page first: the committee's index never names it, but it must be there
    # whenever the index says a report is not ready.
    write_atomic(out / "staff.html", render_staff(out, manifest))
    write_atomic(out / "index.html", render_index(out, manifest))


def write_report_status(path: Path, year: int, out: Path, reports: list[Report],
                        states: Mapping[str, ReportState | None], summarising: Collection[str],
                        pending: Collection[str] = ()) -> None:
    """The status file (:mod:`genderstats.report_status`) for the reports that summarise
    the others: every other committee report as the year stands.

    With ``pending`` (the reports still to run) the file is incomplete: it names them
    ``pending`` and this process as its writer, so a reader knows to wait, and can tell
    when the build that would complete it has gone.
    """
    from genderstats.pipeline.scaffold import committee_reports

    entries = {}
    for report in committee_reports(reports):
        if report.id in summarising:
            continue
        state = states.get(report.id)
        status = (Status.PENDING if report.id in pending
                  else standing(state, (out / f"{report.id}.html").is_file()))
        ok = status == Status.OK
        last = state.last_good if state and ok else None
        recorded = last.figures if last else {}
        entries[report.id] = {
            "title": report.title,
            "unit": report.unit,
            "subject": report.subject,
            "status": status,
            "page": f"{report.id}.html" if ok else None,
            "key_figure": last.summary if last else None,
            "figures": {n: {"meaning": m, "value": recorded.get(n)}
                        for n, m in report.figures.items()},
        }
    write_json(path, status_document(year, entries,
                                     builder=os.getpid() if pending else None))
