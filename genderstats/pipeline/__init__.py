"""The pipeline: the reports registry, the build (kernels, time-outs, cache, lock), the
published pages, the index and staff pages, the command line and the notebook scaffold.

Nothing here computes a statistic: the notebooks do, with :mod:`genderstats.analyses`.
"""

import importlib
from pathlib import Path
from typing import Any

_SUBMODULES = {p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_")}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"genderstats.pipeline.{name}")
    raise AttributeError(f"module 'genderstats.pipeline' has no attribute {name!r}")
