"""Presentation: one document model and its renderers.

:mod:`~genderstats.present.model` holds the blocks a report is made of (headings,
paragraphs, tables with caption and notes, charts with alt text and data, findings);
:mod:`~genderstats.present.tables` and :mod:`~genderstats.present.charts` build them from
frames; :mod:`~genderstats.present.html` renders them for JupyterLab and the committee
pages, :mod:`~genderstats.present.odf` as an OpenDocument text. Markup is written only here
and in ``genderstats/templates/``. The model imports no renderer: the HTML renderer is
loaded here, with the blocks, and registers how each block shows itself.

In a notebook the blocks are at hand as ``gs.present.Paragraph("…")``,
``gs.present.Findings([...])``; the builders as ``gs.present.tables.gender_block(...)``.
"""

from __future__ import annotations

import importlib
from typing import Any

from genderstats.present import html  # noqa: F401  (registers each block's HTML)
from genderstats.present.model import (  # noqa: F401  (the blocks, for notebooks)
    Cell,
    Chart,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Row,
    Section,
    Slot,
    Table,
)

_SUBMODULES = ("charts", "odf", "tables")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"genderstats.present.{name}")
    raise AttributeError(f"module 'genderstats.present' has no attribute {name!r}")
