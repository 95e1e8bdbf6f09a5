"""genderstats: sex-disaggregated statistics and committee-ready reports.

In a notebook::

    import genderstats as gs
    members = gs.data.load("committee_members", year, data_dir)
    table = gs.stats.gender_table(members, by="affiliation")
    gs.present.tables.gender_block(table, "委員性別")

The layers: ``gs.data`` (the contract), ``gs.analyses`` (one module per topic),
``gs.present`` (the document model and its renderers), ``gs.pipeline`` (registry, build,
pages, command line); shared tools beside them (``stats``, ``privacy``, ``years``,
``fonts``, ``record``, ``config``). See docs/architecture.md.

Submodules load on first use, so the command line starts fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

__version__ = "0.1.0"

_HERE = Path(__file__).parent
# Every module of the package is reachable as gs.<name>, loaded on first use.
_SUBMODULES = {p.stem for p in _HERE.glob("*.py") if not p.stem.startswith("_")} | {
    p.name for p in _HERE.iterdir() if (p / "__init__.py").is_file()}
# The modules of the layers keep their short names too (gs.charts, gs.committees), so
# notebooks written before the layers existed still run.
_LAYERED = {p.stem: f"{layer}.{p.stem}" for layer in ("analyses", "present", "pipeline")
            for p in (_HERE / layer).glob("*.py") if not p.stem.startswith("_")}
_SHORTCUTS = {
    "record_table": "record",
    "record_summary": "record",
    "record_figures": "record",
    "roc_year": "years",
    "ad_year": "years",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"genderstats.{name}")
    if name in _LAYERED:
        return importlib.import_module(f"genderstats.{_LAYERED[name]}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f"genderstats.{_SHORTCUTS[name]}"), name)
    raise AttributeError(f"module 'genderstats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES, *_LAYERED, *_SHORTCUTS])
