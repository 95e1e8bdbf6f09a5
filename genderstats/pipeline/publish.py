"""Executed notebook → committee HTML, and files written atomically."""

from __future__ import annotations

import functools
import html
import json
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import __version__, clock, config
from genderstats.pipeline.engine import patches
from genderstats.record import RECORD_MIMES
from genderstats.years import year_label

DEPARTMENT = "臺北市政府資訊局"
TEMPLATE_NAME = "genderstats"


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place.

    A reader (or an interrupted build) sees the old file or the new one, never half of one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; a published file must be readable as the umask allows
        # (0644 under umask 022), like any file the user would create.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno is not None:
            # Name the file being published, not the temporary file beside it.
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
    return path


def write_json(path: str | Path, data: Any) -> Path:
    """``data`` as indented UTF-8 JSON, written atomically (:func:`write_atomic`)."""
    return write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _umask() -> int:
    # The only way to read the umask is to set it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def page_css() -> str:
    """The page stylesheet plus the tables' and findings' styles, inlined into every page."""
    return "\n".join((config.TEMPLATES_DIR / name).read_text(encoding="utf-8")
                     for name in ("report.css", "tables.css"))


def strip_for_committee(nb: Any) -> Any:
    """Drop what a committee member must not see: records, stderr, warnings, hidden cells."""
    import copy

    nb = copy.deepcopy(nb)
    kept = []
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if tags & {"remove-cell", "remove_cell", "parameters", "injected-parameters"}:
            continue
        if cell.cell_type == "code":
            if tags & {"remove-output", "remove_output"}:
                cell.outputs = []
            cell.outputs = [o for o in cell.get("outputs", []) if _visible(o)]
        kept.append(cell)
    nb.cells = kept
    return nb


def _visible(output: Any) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") == "stdout"
    data = output.get("data")
    if data is not None and any(m in data for m in RECORD_MIMES):
        return False
    return True


def html_exporter() -> Any:
    """The page exporter, made once per process (and per setting of the ``nbconvert-page``
    patch, which drops nbconvert's closing BeautifulSoup pass): loading its template costs more
    than a small page's conversion. Everything that differs per page goes in ``resources``."""
    return _exporter(patches.page_exporter())


@functools.cache
def _exporter(cls: type) -> Any:
    return cls(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(config.TEMPLATES_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        # The notebook is checked against the schema once, after the last preprocessor,
        # not after each of the dozen (each check takes as long as several page parts).
        optimistic_validation=True,
    )


def notebook_to_html(
    nb: Any,
    *,
    title: str,
    year: int,
    built: datetime | None = None,
    sources: list[dict[str, str]] | None = None,
    error: str | None = None,
    index_href: str | None = "index.html",
    published: bool = False,
) -> str:
    """Render an executed notebook as a self-contained committee page (code hidden).

    With ``error`` it is the failed page; ``published`` says whether a last good page
    exists, so the page does not promise one that was never published.
    """
    exporter = html_exporter()
    built = built or clock.now()
    resources = {
        "gs": {
            "title": title,
            "year_label": year_label(year),
            "department": DEPARTMENT,
            "built": built.strftime("%Y-%m-%d %H:%M"),
            "sources": sources or [],
            "error": error,
            "version": __version__,
            "css": page_css(),
            "index_href": index_href,
            "published": published,
        }
    }
    body, _ = exporter.from_notebook_node(strip_for_committee(nb), resources=resources)
    from genderstats.present.html import with_contents

    return with_contents(_NUMERIC_REF.sub(_literal, body))


# nbconvert writes a heading's CJK text as numeric character references (&#19968;): the page
# is UTF-8, so the characters themselves say the same, in a third of the bytes, and can be
# read and searched in the file. ASCII ones (&#60; for "<") stay as they are.
_NUMERIC_REF = re.compile(r"&#(\d{3,7});")


def _literal(match: re.Match[str]) -> str:
    code = int(match.group(1))
    if code < 0xA0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)
    return chr(code)


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)
