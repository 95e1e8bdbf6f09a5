"""Shared fixtures: one build of the sample year, reused by every end-to-end test."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from genderstats import config
from genderstats.build import BuildOptions, build, collect_records
from genderstats.publish import notebook_to_html

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """Build every report of 112 from the sample data into a temporary output folder."""
    out_dir = tmp_path_factory.mktemp("outputs")
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=config.DATA_DIR, out_dir=out_dir,
                                echo=lines.append))
    return {"result": result, "out": out_dir / "112", "log": lines}


@pytest.fixture(scope="session")
def sample_indicators(sample_build):
    with open(sample_build["out"] / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def sample_manifest(sample_build):
    return json.loads((sample_build["out"] / "manifest.json").read_text(encoding="utf-8"))


def indicator(rows, report, table, category, gender):
    """The one indicator row for (report, table, category, gender)."""
    found = [r for r in rows if r["report"] == report and r["table"] == table
             and r["category"] == category and r["gender"] == gender]
    assert len(found) == 1, (report, table, category, gender, found)
    return found[0]


@dataclass
class NotebookRun:
    """One analysis notebook executed by papermill on test data, and its committee page."""

    notebook: nbformat.NotebookNode
    page: str
    indicators: list[dict[str, Any]]
    stderr: str


def run_notebook(name: str, data_dir: Path, out_dir: Path, *, title: str = "報告",
                 **parameters: Any) -> NotebookRun:
    """Run ``notebooks/<name>.ipynb`` as the build does (year 112 unless given) and render it."""
    import papermill as pm

    params = {"year": 112, "data_dir": str(data_dir), **parameters}
    out = out_dir / f"{name}-run.ipynb"
    pm.execute_notebook(str(config.NOTEBOOKS_DIR / f"{name}.ipynb"), str(out),
                        parameters=params, kernel_name="python3", progress_bar=False,
                        cwd=str(config.NOTEBOOKS_DIR))
    nb = nbformat.read(out, as_version=4)
    stderr = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                     if o.get("output_type") == "stream" and o.get("name") == "stderr")
    return NotebookRun(nb, notebook_to_html(nb, title=title, year=params["year"]),
                       collect_records(nb)["indicators"], stderr)
