"""The year's index page: every report with its status, key figure and link."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import config
from genderstats.years import year_label

STATUS_LABELS = {"ok": "已產製", "unchanged": "未變更（沿用上次結果）", "failed": "產製失敗",
                 "unbuilt": "未產製"}


def _has_published_report(year_dir: Path) -> bool:
    """A year's folder holds a real build: its manifest lists a page that exists."""
    import json

    try:
        manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
        entries = manifest["reports"]
        return any(isinstance(e, dict) and e.get("status") in ("ok", "unchanged", "failed")
                   and isinstance(e.get("html"), str)
                   and (year_dir / Path(e["html"]).name).is_file() for e in entries)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def other_years(out: Path) -> list[int]:
    """Years beside ``out`` (``outputs/<year>/``) whose index lists at least one published page.

    An index of nothing but failures (or a folder with no manifest) is not linked.
    """
    years = []
    for sibling in out.parent.iterdir():
        if (sibling != out and sibling.name.isdigit() and (sibling / "index.html").is_file()
                and _has_published_report(sibling)):
            years.append(int(sibling.name))
    return sorted(years, reverse=True)


def _when(iso: str | None) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def render_index(out: Path, manifest: dict[str, Any]) -> str:
    """HTML of ``index.html`` for ``manifest`` (all values escaped by the template)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from genderstats.publish import DEPARTMENT, page_css

    env = Environment(
        loader=FileSystemLoader(str(config.TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    rows = []
    for entry in manifest["reports"]:
        rows.append({
            **entry,
            "status_label": STATUS_LABELS.get(entry["status"], entry["status"]),
            "built_text": _when(entry.get("built")),
            "error_first": (entry.get("error") or "").splitlines()[0:1],
        })
    year = manifest["year"]
    return env.get_template("index.html.j2").render(
        department=DEPARTMENT,
        year=year,
        year_label=year_label(year),
        reports=rows,
        finished=_when(manifest.get("finished")),
        version=manifest.get("genderstats_version", ""),
        other_years=other_years(out),
        css=page_css(),
    )
