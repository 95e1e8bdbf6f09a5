"""The analyst's recommendations: year-specific prose the committee reads verbatim.

They live in ``data/<year>/recommendations.yml`` (a list of sentences per topic), beside the
year's data, so one notebook serving several reports still shows each its own text; the file
is read and checked by :mod:`genderstats.data.recommendations`.
"""

from __future__ import annotations

from pathlib import Path

from genderstats.data import absence
from genderstats.data.loader import name_filter
from genderstats.data.recommendations import load_recommendations
from genderstats.present.model import Block, Findings, Paragraph

NONE = "本年度無建議事項。"
"""Said where the year's file has no recommendation for the topic."""


def load(topic: str, year: int | str, data_dir: str | Path | None = None) -> list[str] | None:
    """The recommendations for ``topic`` in ``year``: an empty list when the year's file has
    none for it, None when the year has no file (nothing is known then).

    Raises DataError, in Chinese with the file and the line, when the file is malformed.
    """
    texts = load_recommendations(year, data_dir)
    if texts is None:
        return None
    names = name_filter(year, data_dir)
    return [names.mask(t) for t in texts.get(topic, ())]


def recommendations_block(items: list[str] | None, *, title: str = "建議") -> Block:
    """The recommendations as a findings box; a note when there are none, or when the year
    has no recommendations file (:data:`genderstats.data.absence.RECOMMENDATIONS`).

    The note is for the committee: where the analyst writes them is in data/README.md,
    not on the page.
    """
    if items is None:
        return Paragraph(absence.RECOMMENDATIONS.say(), note=True)
    if not items:
        return Paragraph(NONE, note=True)
    return Findings(items, title=title)
