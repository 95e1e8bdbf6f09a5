"""The year's index page, for the committee: every report with its key figure and link.

What went wrong in a build is staff business: the index says only 「本報告尚未完成」; the
errors, logs and inputs are on the staff page (:mod:`genderstats.pipeline.staff_page`). A draft
(a manifest entry with ``draft``: see :func:`genderstats.pipeline.scaffold.draft_reason`) is
listed on the staff page only, whatever its state.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import config
from genderstats.report_status import PUBLISHED, Status
from genderstats.years import roc_date, year_label

# Staff wording (the staff page); the committee sees DONE_LABEL or NOT_DONE_LABEL.
STATUS_LABELS = {Status.OK: "已產製", Status.UNCHANGED: "未變更（沿用上次結果）",
                 Status.FAILED: "產製失敗", Status.UNBUILT: "未產製"}
NOT_DONE_LABEL = "本報告尚未完成"
DONE_LABEL = "已產製"  # the committee's word for a published page, new or kept
# The committee's table of counts and shares (``outputs.write_table``). An ASCII name needs no
# percent-encoding in the link and survives every web server, file share and zip tool; the
# index offers it for saving under a Chinese name (:func:`table_download`).
TABLE_NAME = "tables.csv"


def table_download(year: int) -> str:
    """The name a browser saves the committee's table under: 「112年性別統計表.csv」."""
    return f"{year}年性別統計表.csv"


def _has_published_report(year_dir: Path) -> bool:
    """A year's folder holds a real build: its manifest lists a page that exists."""
    import json

    try:
        manifest = json.loads((year_dir / "manifest.json").read_text(encoding="utf-8"))
        entries = manifest["reports"]
        return any(isinstance(e, dict) and not e.get("draft")
                   and e.get("status") in (Status.OK, Status.UNCHANGED, Status.FAILED)
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


def when(iso: str | None) -> str:
    """An ISO timestamp as the pages write dates, 「113/01/31 14:05」; 「—」 when there is
    none."""
    if not iso:
        return "—"
    return roc_date(datetime.fromisoformat(iso), time=True)


def environment(out: Path | None = None) -> Any:
    """The Jinja environment of the year pages: templates/ folder, everything escaped.

    With ``out`` (a year's output folder) compiled templates are kept in its
    ``.state/templates``: compiling them costs a third of an unchanged rebuild. Jinja checks
    each against its template's source before use.
    """
    from jinja2 import Environment, select_autoescape

    return Environment(
        loader=_loader(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        bytecode_cache=_template_cache(out / ".state" / "templates") if out else None,
    )


def _loader() -> Any:
    """The templates folder, each template named by its path in the project: the compiled
    templates kept in the published folder name no folder of this machine."""
    from jinja2 import FileSystemLoader

    class ProjectLoader(FileSystemLoader):
        def get_source(self, environment: Any, template: str) -> Any:
            source, filename, uptodate = super().get_source(environment, template)
            return source, f"genderstats/templates/{template}", uptodate

    return ProjectLoader(str(config.TEMPLATES_DIR))


def _template_cache(folder: Path) -> Any:
    """Jinja's bytecode cache in ``folder``, its files written like every other output
    (atomically, with the umask's permissions); a cache that cannot be written is skipped."""
    import io

    from jinja2 import BytecodeCache

    from genderstats.pipeline.publish import write_atomic

    class TemplateCache(BytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            try:
                with open(folder / f"{bucket.key}.cache", "rb") as fh:
                    bucket.load_bytecode(fh)  # a stale or damaged file is ignored
            except OSError:
                pass

        def dump_bytecode(self, bucket: Any) -> None:
            buffer = io.BytesIO()
            bucket.write_bytecode(buffer)
            try:
                write_atomic(folder / f"{bucket.key}.cache", buffer.getvalue())
            except OSError:
                pass

    return TemplateCache()


def committee_row(entry: dict[str, Any]) -> dict[str, Any]:
    """What the index shows of one manifest entry: no error text, no staff links."""
    done = entry.get("status") in PUBLISHED
    return {
        "title": entry["title"],
        "html": entry.get("html"),
        "done": done,
        "status_label": DONE_LABEL if done else NOT_DONE_LABEL,
        "key_figure": entry.get("key_figure") if done else None,
        "odt": entry.get("odt") if done else None,
        "pdf": entry.get("pdf") if done else None,
        "built_text": when(entry.get("built")),
    }


def render_index(out: Path, manifest: dict[str, Any]) -> str:
    """HTML of ``index.html`` for ``manifest`` (all values escaped by the template)."""
    from genderstats.pipeline.publish import DEPARTMENT, page_css

    year = manifest["year"]
    return environment(out).get_template("index.html.j2").render(
        department=DEPARTMENT,
        year=year,
        year_label=year_label(year),
        reports=[committee_row(e) for e in manifest["reports"] if not e.get("draft")],
        table=TABLE_NAME,
        table_download=table_download(year),
        finished=when(manifest.get("finished")),
        other_years=[(y, year_label(y)) for y in other_years(out)],
        css=page_css(),
    )
