"""The analyst's recommendations: year-specific prose the committee reads verbatim.

They live in ``data/<year>/recommendations.yml`` (a list of sentences per topic), beside the
year's data, so one notebook serving several reports still shows each its own text; the file
is read and checked by :mod:`genderstats.data.recommendations`.
"""

from __future__ import annotations

from pathlib import Path

from genderstats.data.loader import name_filter
from genderstats.data.recommendations import load_recommendations
from genderstats.present.model import Block, Findings, Paragraph


def load(topic: str, year: int | str, data_dir: str | Path | None = None) -> list[str]:
    """The recommendations for ``topic`` in ``year`` (an empty list when there are none).

    Raises DataError, in Chinese with the file and the line, when the file is malformed.
    """
    texts = load_recommendations(year, data_dir)
    names = name_filter(year, data_dir)
    return [names.mask(t) for t in texts.get(topic, ())] if texts is not None else []


def recommendations_block(items: list[str], *, title: str = "建議") -> Block:
    """The recommendations as a findings box; a note when there are none.

    The note is for the committee: where the analyst writes them is in data/README.md,
    not on the page.
    """
    if not items:
        return Paragraph("本年度無建議事項。", note=True)
    return Findings(items, title=title)
