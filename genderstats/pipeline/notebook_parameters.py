"""What a notebook's ``parameters`` cell declares, as papermill reads it; and which
notebooks summarise the other reports (they declare ``report_status``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from genderstats.pipeline.engine import patches
from genderstats.pipeline.publish import write_json
from genderstats.pipeline.registry import Report
from genderstats.record import file_sha256
from genderstats.report_status import STATUS_PARAMETER


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook's ``parameters`` cell declares (papermill's reading)."""
    patches.skip_rfc3987_syntax()
    import papermill as pm

    return pm.inspect_notebook(str(notebook))


def summarising_reports(reports: list[Report], state_dir: Path) -> set[str]:
    """Ids of the reports whose notebook declares ``report_status``.

    Papermill's answer is remembered per notebook content in ``<state_dir>/declared.json``,
    so an unchanged build still does not import papermill.
    """
    path = state_dir / "declared.json"
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    if not isinstance(cache, dict):
        cache = {}
    answers: dict[str, bool] = {}
    ids = set()
    for report in reports:
        digest = file_sha256(report.notebook)
        known = cache.get(digest)
        if digest not in answers:
            answers[digest] = (known if isinstance(known, bool)
                               else _declares_status(report.notebook))
        if answers[digest]:
            ids.add(report.id)
    if answers != cache:  # only the registry's notebooks are kept
        write_json(path, answers)
    return ids


def _declares_status(notebook: Path) -> bool:
    """Whether a notebook declares ``report_status`` (cheap text test, then papermill's)."""
    try:
        text = notebook.read_text(encoding="utf-8")
    except OSError:
        return False
    if STATUS_PARAMETER not in text:
        return False  # most notebooks: decided without importing papermill
    try:
        return STATUS_PARAMETER in declared_parameters(notebook)
    except Exception:  # noqa: BLE001 - an unreadable notebook fails later, with its message
        return False
