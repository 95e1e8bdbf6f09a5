"""The analyst's recommendations: year-specific prose the committee reads verbatim.

They live in ``data/<year>/recommendations.yml`` (a list of sentences per topic), beside the
year's data, so one notebook serving several reports still shows each its own text::

    資料治理委員會:
      - 建議各工作小組開會時，可邀請其他小組適合委員參加，以均衡各工作小組委員性別比例。
"""

from __future__ import annotations

from pathlib import Path

from genderstats import config
from genderstats.data.loader import name_filter
from genderstats.present.model import Block, Findings, Paragraph
from genderstats.record import record_input, record_lookup
from genderstats.years import roc_year

FILE_NAME = "recommendations.yml"


class RecommendationsError(ValueError):
    """recommendations.yml is malformed; the message names the file and the topic."""


def load(topic: str, year: int | str, data_dir: str | Path | None = None) -> list[str]:
    """The recommendations for ``topic`` in ``year`` (an empty list when there are none)."""
    import yaml

    folder = config.resolve_data_dir(data_dir) / str(roc_year(year))
    record_lookup(folder)
    path = folder / FILE_NAME
    if not path.is_file():
        return []
    record_input(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"),
                        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        raise RecommendationsError(f"{path} 不是有效的 YAML：{exc}") from None
    if not isinstance(doc, dict):
        raise RecommendationsError(f"{path}：應為「主題: 建議清單」的對應表。")
    items = doc.get(topic) or []
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise RecommendationsError(f"{path}「{topic}」：每一項建議應為一句文字（以 - 開頭）。")
    return [name_filter(year, data_dir).mask(i.strip()) for i in items if i.strip()]


def recommendations_block(items: list[str], *, title: str = "建議") -> Block:
    """The recommendations as a findings box; a note when there are none.

    The note is for the committee: where the analyst writes them is in data/README.md,
    not on the page.
    """
    if not items:
        return Paragraph("本年度無建議事項。", note=True)
    return Findings(items, title=title)


# The name notebooks used before the document model.
recommendations_html = recommendations_block
