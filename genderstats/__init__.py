"""genderstats: sex-disaggregated statistics and committee-ready reports.

In a notebook::

    import genderstats as gs
    members = gs.data.load("committee_members", year, data_dir)
    table = gs.stats.gender_table(members, by="affiliation")
    gs.present.tables.gender_block(table, "委員性別")

The layers: ``gs.data`` (the contract), ``gs.analyses`` (one module per topic),
``gs.present`` (the document model and its renderers), ``gs.pipeline`` (registry, build,
pages, command line); shared tools beside them (``stats``, ``privacy``, ``years``,
``fonts``, ``record``, ``config``). A module is reached by its own path
(``gs.analyses.committees``, ``from genderstats.analyses import committees``). Four
functions every notebook calls are at hand as ``gs.record_table``, ``gs.record_summary``,
``gs.record_figures`` (:mod:`genderstats.record`) and ``gs.roc_year``
(:mod:`genderstats.years`). See docs/architecture.md.

Submodules load on first use, so the command line starts fast.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

__version__ = "0.1.0"

_HERE = Path(__file__).parent
# The top-level modules and the layers are reachable as gs.<name>, loaded on first use.
_SUBMODULES = {p.stem for p in _HERE.glob("*.py") if not p.stem.startswith("_")} | {
    p.name for p in _HERE.iterdir() if (p / "__init__.py").is_file()}
# The notebook API: what every notebook calls, from the module that defines it.
_SHORTCUTS = {
    "record_table": "record",
    "record_summary": "record",
    "record_figures": "record",
    "roc_year": "years",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"genderstats.{name}")
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(f"genderstats.{_SHORTCUTS[name]}"), name)
    raise AttributeError(f"module 'genderstats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES, *_SHORTCUTS])
