"""Shared fixtures: the tests' own copy of the sample data and registry, and one build of it.

Tests never read the working tree's ``data/`` or ``notebooks/reports.yml`` directly: an analyst
adding a year folder, a data file or a scaffolded report must not change what the tests see.
"""

from __future__ import annotations

import contextlib
import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest

from genderstats import config
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.publish import notebook_to_html
from genderstats.pipeline.runner import collect_records

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
"""Debian's Chromium, for the tests that look at pages as a person would (None: skipped)."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SAMPLE_YEARS = ("108", "109", "110", "111", "112")
"""The years scripts/make_sample_data.py writes: the sample the tests rely on."""


def copy_sample_data(dest: Path, years: tuple[str, ...] = SAMPLE_YEARS) -> Path:
    """Copy the sample years (and only them) of the project's data/ into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for year in years:
        shutil.copytree(config.DATA_DIR / year, dest / year)
    shutil.copy2(config.DATA_DIR / "README.md", dest / "README.md")
    return dest


def copy_registry(dest: Path) -> Path:
    """Copy reports.yml and its published reports' notebooks into ``dest``; returns the registry.

    Reports still marked ``draft`` (and notebooks no published report uses) are left out: a
    scaffold an analyst is working on is not the tests' business until it is published.
    """
    import re

    import yaml

    dest.mkdir(parents=True, exist_ok=True)
    text = config.REGISTRY_FILE.read_text(encoding="utf-8")
    # Entries are kept as written (comments and layout too), drafts dropped as whole blocks.
    head, *blocks = re.split(r"(?m)^(?=  - id:)", text)
    kept = [b for b in blocks if not (yaml.safe_load("reports:\n" + b)["reports"][0]
                                      .get("draft"))]
    registry = dest / "reports.yml"
    registry.write_text(head + "".join(kept), encoding="utf-8")
    for report in yaml.safe_load(registry.read_text(encoding="utf-8"))["reports"]:
        shutil.copy2(config.NOTEBOOKS_DIR / report["notebook"], dest / report["notebook"])
    return registry


def fixture_project(tmp_path: Path, reports: str) -> Path:
    """A registry of the fixture notebooks (tests/fixtures) in tmp_path, and an empty 112
    data folder; ``reports`` is the registry's list of entries."""
    (tmp_path / "data" / "112").mkdir(parents=True, exist_ok=True)
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir(exist_ok=True)
    for notebook in FIXTURES.glob("*.ipynb"):
        shutil.copy(notebook, nbdir / notebook.name)
    registry = nbdir / "reports.yml"
    registry.write_text("reports:\n" + reports, encoding="utf-8")
    return registry


def published_reports() -> list:
    """The working tree's registry without drafts: what the tests' registry copy holds."""
    from genderstats.pipeline.registry import load_registry

    return [r for r in load_registry() if not getattr(r, "draft", False)]


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory) -> Path:
    """The tests' read-only copy of the sample data (108–112). Copy it again to change it."""
    return copy_sample_data(tmp_path_factory.mktemp("sample") / "data")


@pytest.fixture(scope="session")
def sample_registry(tmp_path_factory) -> Path:
    """The tests' copy of notebooks/ and its reports.yml (published reports only)."""
    return copy_registry(tmp_path_factory.mktemp("registry") / "notebooks")


@pytest.fixture(scope="session")
def sample_reports(sample_registry):
    """The reports of the tests' registry."""
    from genderstats.pipeline.registry import load_registry

    return load_registry(sample_registry)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory, sample_data, sample_registry):
    """Build every report of 112 from the tests' copy of the sample data and registry."""
    out_dir = tmp_path_factory.mktemp("outputs")
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=out_dir,
                                registry=sample_registry, echo=lines.append))
    return {"result": result, "out": out_dir / "112", "log": lines, "data": sample_data,
            "registry": sample_registry}


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


# ---------------------------------------------------------------- this machine's report times

REAL_TIMINGS_FILE = None  # genderstats.pipeline.timings.cache_file, before the fixture below


@pytest.fixture(autouse=True, scope="session")
def _own_report_times(tmp_path_factory):
    """Builds run by the tests keep their report times in the session's own folder, not in
    the user's cache (where they would push out the times of the user's own reports)."""
    global REAL_TIMINGS_FILE
    from genderstats.pipeline import timings

    REAL_TIMINGS_FILE = timings.cache_file
    path = tmp_path_factory.mktemp("cache") / timings.FILE_NAME
    timings.cache_file = lambda: path
    yield
    timings.cache_file = REAL_TIMINGS_FILE


# ---------------------------------------------------------------- one-file data folders

@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data folder with a 112 year folder, for tests that write one file."""
    folder = tmp_path / "data"
    (folder / "112").mkdir(parents=True)
    return folder


def put(data_dir: Path, name: str, text: str | bytes, year: int = 112) -> Path:
    """Write ``data_dir/<year>/<name>`` (text as UTF-8) and return its path."""
    path = data_dir / str(year) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def validate_as_typed(data_dir: Path, *args: str) -> int:
    """``genderstats validate`` as a user types it in the data folder's parent, with
    ``--data-dir <its name>``: messages show paths as typed (``data/112/…``)."""
    from genderstats.pipeline.cli import main

    with contextlib.chdir(data_dir.parent):
        return main(["validate", "--data-dir", data_dir.name, *args])


def messages(dataset: str, data_dir: Path, year: int = 112) -> list[str]:
    """Every problem the loader reports for ``dataset``, as the user reads it."""
    from genderstats import data

    with pytest.raises(data.DataError) as info:
        data.load(dataset, year, data_dir)
    return [str(p) for p in info.value.problems]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def wait_until(predicate: Any, seconds: float = 30.0) -> bool:
    """Whether ``predicate()`` came true within ``seconds`` (checked every 50 ms)."""
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def gender_table(rows: dict[str, tuple[int, int, int]], name: str = "group",
                 total_row: bool = True) -> pd.DataFrame:
    """A table shaped like genderstats.stats output: counts, 合計, shares, optional 合計 row."""
    frame = pd.DataFrame(
        [list(v) for v in rows.values()],
        columns=["男", "女", "其他"],
        index=pd.Index(list(rows), name=name),
    )
    if total_row:
        frame.loc["合計"] = frame.sum()
    frame["合計"] = frame[["男", "女", "其他"]].sum(axis=1)
    for gender in ("男", "女", "其他"):
        frame[f"{gender}%"] = (frame[gender] / frame["合計"].where(frame["合計"] > 0)).astype(float)
    return frame
