"""What a notebook tells the build: its indicators, named figures, the files it read, its key
figure.

Each record is a display output with a genderstats MIME type, so the executed notebook
carries everything the build needs and a notebook run by plain papermill writes no file.
The HTML export drops these outputs (see ``genderstats.pipeline.publish``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from genderstats.config import GENDERS, TOTAL

if TYPE_CHECKING:
    import pandas as pd

INDICATORS_MIME = "application/vnd.genderstats.indicators+json"
INPUTS_MIME = "application/vnd.genderstats.inputs+json"
SUMMARY_MIME = "application/vnd.genderstats.summary+json"
FIGURES_MIME = "application/vnd.genderstats.figures+json"
# The report as an OpenDocument text ({"odt": base64}), for the build to publish beside the page
# (:func:`genderstats.present.odf.record_document`).
DOCUMENT_MIME = "application/vnd.genderstats.document+json"
RECORD_MIMES = (INDICATORS_MIME, INPUTS_MIME, SUMMARY_MIME, FIGURES_MIME, DOCUMENT_MIME)

INDICATOR_COLUMNS = ["year", "report", "table", "category", "gender", "count", "share"]


def emit(mime: str, payload: Any) -> None:
    """Show ``payload`` as a ``mime`` output in a kernel (nothing outside one)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    from IPython.display import display

    # The build reads the payload from the executed notebook; an analyst in JupyterLab sees
    # nothing (an empty text/plain keeps JupyterLab from saying it has no renderer).
    display({mime: payload, "text/plain": ""}, raw=True)


def indicator_rows(table: pd.DataFrame, table_name: str) -> list[dict[str, Any]]:
    """Turn a sex-disaggregated table into indicator rows (category, gender, count, share).

    ``table`` has one row per category and count columns 男, 女, 其他, 合計 (share columns,
    if any, are ignored); a MultiIndex category is joined with "/". ``share`` is the count
    divided by the row's 合計, unrounded, and empty where the 合計 is 0.
    """
    rows: list[dict[str, Any]] = []
    for key, row in table.iterrows():
        category = "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
        total = int(row[TOTAL])
        for gender in (*GENDERS, TOTAL):
            if gender not in row.index:
                continue
            count = int(row[gender])
            share = count / total if total else None
            rows.append(
                {"table": table_name, "category": category, "gender": gender,
                 "count": count, "share": share}
            )
    return rows


def record_table(table: pd.DataFrame, table_name: str) -> list[dict[str, Any]]:
    """Record a table's counts for the year's ``indicators.csv`` and return the rows.

    >>> t = gs.stats.gender_table(members, by="affiliation")   # doctest: +SKIP
    >>> gs.record_table(t, "委員性別（府內／外聘）")             # doctest: +SKIP
    """
    rows = indicator_rows(table, table_name)
    emit(INDICATORS_MIME, rows)
    return rows


def record_summary(key_figure: str) -> str:
    """Record the one-line key figure shown for this report on the index page."""
    emit(SUMMARY_MIME, {"key_figure": key_figure})
    return key_figure


def record_figures(values: Mapping[str, str | None]) -> dict[str, str | None]:
    """Record named figures as the report prints them (「2,676」, 「22.12%」, a verdict sentence).

    The results report's prose reads them as ``{report-id.name}``; the names a report offers
    are declared with their meaning under ``figures`` in notebooks/reports.yml. None records
    that this year's data cannot give the figure: the prose then says so, never a number.
    """
    shown = {str(k): (None if v is None else str(v)) for k, v in values.items()}
    emit(FIGURES_MIME, shown)
    return shown


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def record_input(path: str | Path) -> None:
    """Note that the notebook read ``path`` (the build hashes it into the manifest)."""
    p = Path(path).resolve()
    emit(INPUTS_MIME, {"read": [str(p)]})


def record_lookup(directory: str | Path) -> None:
    """Note that the notebook looked for inputs in ``directory``, found or not.

    A file that appears there later (a new year's data) must make the build re-run it.
    """
    d = Path(directory).resolve()
    emit(INPUTS_MIME, {"dirs": [str(d)]})
