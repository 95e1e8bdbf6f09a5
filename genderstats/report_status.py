"""The report statuses, and the status file the build hands to the reports that summarise
the others (the results report's 四 and its figures).

The build writes ``.state/report-status.json`` and passes its path as the notebook's
``report_status`` parameter::

    {"year": 112, "reports": {"gender-training": {"title": "性別意識培力參訓統計",
        "unit": "綜合企劃科", "subject": "", "status": "ok", "page": "gender-training.html",
        "key_figure": "一般公務人員完成率100%、實體課程參訓率64.29%",
        "figures": {"women": {"meaning": "女性參訓人數", "value": "1,234"}}}, ...}}

A report is ``ok`` only when its last run succeeded and its page is published; ``failed``
when its last run failed; ``unbuilt`` otherwise. While a report that starts early waits,
the file says ``"complete": false``, names the reports still running ``pending`` and the
build's process as ``builder``.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Any

from genderstats.liveness import alive
from genderstats.record import record_input

STATUS_FILE = "report-status.json"
STATUS_PARAMETER = "report_status"
# The results report waits at the end of the build, when every other report is done: a
# shorter wait would be its only work left. Reading the small file costs microseconds.
POLL_SECONDS = 0.01


class Status(StrEnum):
    """What became of a report. A ``str``: it is written to JSON as its value."""

    OK = "ok"  # published from this run or an earlier one
    FAILED = "failed"  # its last run failed; the last good page stays
    UNCHANGED = "unchanged"  # this build: its last good run still holds, it did not run
    UNBUILT = "unbuilt"  # never built, or its page is gone
    PENDING = "pending"  # in an incomplete status file: still running


# A page published by this build or kept from an earlier one.
PUBLISHED = frozenset({Status.OK, Status.UNCHANGED})

# What a complete status file may say of a report (this build's view of the year).
FILED = (Status.OK, Status.FAILED, Status.UNBUILT)


def status_document(year: int, reports: dict[str, dict[str, Any]],
                    builder: int | None = None) -> dict[str, Any]:
    """The file's content; with ``builder`` (the build's pid) it is incomplete. No time
    stamp in it: an unchanged year gives the same bytes, so nothing re-runs."""
    doc: dict[str, Any] = {"year": year, "reports": reports}
    if builder is not None:
        doc.update(complete=False, builder=builder)
    return doc


def load_status(path: str | Path, year: int, *, wait: bool = True
                ) -> dict[str, dict[str, Any]]:
    """The file's ``reports``, by id.

    The build may start a report while the others still run: the file then says
    ``"complete": false`` and names those reports ``pending``. With ``wait`` this returns
    once the build has written the complete file (reading it every 0.01 s); without, it
    returns what the file says now, e.g. for the reports' titles and units. A pending file
    whose build has ended is an error: it will never be completed.

    Recorded as an input, so a report that fails or recovers re-runs the reader.
    Raises ValueError naming what is wrong (the build writes this file; a bad one is a bug
    of the build, not of the data).
    """
    p = Path(path)
    record_input(p)
    seen = _signature(p)  # before the read: a file replaced in between is read again
    doc = _read(p, year)
    while doc.get("complete", True) is False and wait:
        builder = doc.get("builder")
        if not isinstance(builder, int) or builder <= 0 or not alive(builder):
            raise ValueError(f"報告狀態檔 {p.name} 尚未完成，而寫入它的 genderstats build 已結束；"
                             "請重新執行 genderstats build。")
        time.sleep(POLL_SECONDS)
        # Read again only once the build has replaced the file: a wait of seconds would
        # otherwise parse the same file a hundred times a second, beside the reports.
        if (now := _signature(p)) != seen or now is None:
            seen, doc = now, _read(p, year)
    return doc["reports"]


def _signature(p: Path) -> tuple[int, int, int] | None:
    try:
        st = p.stat()
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read(p: Path, year: int) -> dict[str, Any]:
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"無法讀取報告狀態檔 {p.name}：{exc}") from None
    reports = doc.get("reports") if isinstance(doc, dict) else None
    if not isinstance(reports, dict) or doc.get("year") != year:
        raise ValueError(f"報告狀態檔 {p.name} 應為 {{\"year\": {year}, \"reports\": {{…}}}}，"
                         f"實際的年度為 {doc.get('year') if isinstance(doc, dict) else '（無）'}。")
    allowed = FILED if doc.get("complete", True) is not False else (*FILED, Status.PENDING)
    for rid, entry in reports.items():
        if not isinstance(entry, dict) or entry.get("status") not in allowed:
            raise ValueError(f"報告狀態檔 {p.name} 中「{rid}」的 status 應為 "
                             f"{'、'.join(allowed)} 之一。")
    return doc


def figure_values(reports: dict[str, dict[str, Any]]) -> dict[str, str]:
    """``{id.name: value}`` of the figures recorded by the ``ok`` reports of a status."""
    return {f"{rid}.{name}": str(f["value"]) for rid, e in reports.items()
            if e.get("status") == Status.OK
            for name, f in (e.get("figures") or {}).items()
            if isinstance(f, dict) and f.get("value") is not None}
