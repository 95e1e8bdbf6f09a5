"""The analyses: one module per topic.

Frames and parameters go in; frames, figures, sentences and document blocks
(:mod:`genderstats.present.model`) come out. No module here writes markup.
"""

import importlib
from pathlib import Path
from typing import Any

_SUBMODULES = {p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_")}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"genderstats.analyses.{name}")
    raise AttributeError(f"module 'genderstats.analyses' has no attribute {name!r}")
