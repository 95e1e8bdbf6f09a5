"""The source documents the sample data was invented from: ``shared/seeds`` beside the project.

Tests that check no real name leaked into the sample read them. Where they are absent the
tests are skipped, except under CI, which always has them: there the absence is a failure.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from genderstats import config

SEEDS = config.PROJECT_ROOT.parent / "shared" / "seeds"


RESULTS_REPORT = "000_8db3ee28c07f67e9.txt"
"""The 112 results report: the city's form as the department filled it in."""


def _absent(reason: str) -> None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}: CI runs with shared/ beside the clone", pytrace=False)
    pytest.skip(reason)


def seed_text(seeds: Path = SEEDS) -> str:
    """The text of every source document (``*.txt``) in ``seeds``."""
    files = sorted(seeds.glob("*.txt"))
    if not files:
        _absent(f"no source documents (*.txt) in {seeds}")
    return "".join(p.read_text(encoding="utf-8") for p in files)


def results_report_seed(seeds: Path = SEEDS) -> str:
    """The 112 results report's words, to find the form's sentences in: its markup (escapes,
    links, footnote numbers) and every space taken out, as :func:`bare` does to a report."""
    path = seeds / RESULTS_REPORT
    if not path.is_file():
        _absent(f"no {RESULTS_REPORT} in {seeds}")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<sup>.*?</sup>", "", text)
    text = re.sub(r"<(https?://[^>]+)>", r"\1", text).replace("\\", "")
    return bare(text)


def bare(text: str) -> str:
    """``text`` without spaces: a sentence of the form reads the same however it was set."""
    return re.sub(r"\s+", "", text)
