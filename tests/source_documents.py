"""The source documents the sample data was invented from: ``shared/seeds`` beside the project.

Tests that check no real name leaked into the sample read them. Where they are absent the
tests are skipped, except under CI, which always has them: there the absence is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genderstats import config

SEEDS = config.PROJECT_ROOT.parent / "shared" / "seeds"


def seed_text(seeds: Path = SEEDS) -> str:
    """The text of every source document (``*.txt``) in ``seeds``."""
    files = sorted(seeds.glob("*.txt"))
    if not files:
        reason = f"no source documents (*.txt) in {seeds}"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{reason}: CI runs with shared/ beside the clone", pytrace=False)
        pytest.skip(reason)
    return "".join(p.read_text(encoding="utf-8") for p in files)
