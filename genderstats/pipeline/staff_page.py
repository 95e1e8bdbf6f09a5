"""The year's staff page, ``staff.html``: what the build did and what went wrong.

For the people who run the build, not for the committee: statuses in staff wording, full
error messages, links to the failure pages, logs and executed notebooks, parameters, input
files with their SHA-256 and the software versions. No committee page links here. Drafts are
listed here only, with why each is one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from genderstats.pipeline.index import STATUS_LABELS, environment, when
from genderstats.report_status import PUBLISHED, Status
from genderstats.years import year_label


def _row(out: Path, entry: dict[str, Any]) -> dict[str, Any]:
    rid = entry["id"]
    log = f"logs/{rid}.log"
    notebook = entry.get("executed_notebook")
    label = STATUS_LABELS.get(entry.get("status", ""), entry.get("status", ""))
    return {
        **entry,
        "status": entry.get("status", Status.UNBUILT),
        "status_label": f"草稿（{label}）" if entry.get("draft") else label,
        "built_text": when(entry.get("built")),
        "error_lines": (entry.get("error") or "").splitlines(),
        "draft": entry.get("draft"),
        "log": log if (out / log).is_file() else None,
        "executed_notebook": notebook if notebook and (out / notebook).is_file() else None,
        "parameters": entry.get("parameters") or {},
        "inputs": entry.get("inputs") or {},
    }


def render_staff(out: Path, manifest: dict[str, Any]) -> str:
    """HTML of ``<out>/staff.html`` for ``manifest`` (all values escaped by the template)."""
    from genderstats.pipeline.publish import DEPARTMENT, page_css

    year = manifest["year"]
    rows = [_row(out, e) for e in manifest["reports"]]
    return environment(out).get_template("staff.html.j2").render(
        department=DEPARTMENT,
        year_label=year_label(year),
        reports=rows,
        failed=[r for r in rows if r["status"] not in PUBLISHED and not r["draft"]],
        drafts=[r for r in rows if r["draft"]],
        started=when(manifest.get("started")),
        finished=when(manifest.get("finished")),
        version=manifest.get("genderstats_version", ""),
        python=manifest.get("python", ""),
        packages=manifest.get("packages") or {},
        notes=manifest.get("notes") or [],
        css=page_css(),
    )
