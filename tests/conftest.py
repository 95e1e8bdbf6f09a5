"""Shared fixtures: one build of the sample year, reused by every end-to-end test."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from genderstats import config
from genderstats.build import BuildOptions, build

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
