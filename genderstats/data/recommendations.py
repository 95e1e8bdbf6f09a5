"""The analyst's recommendations: ``data/<year>/recommendations.yml``, read and checked.

A list of sentences per topic (a committee's name, or 駐點工程師、數位訓練、性別意識培力)::

    資料治理委員會:
      - 建議各工作小組開會時，可邀請其他小組適合委員參加，以均衡各工作小組委員性別比例。

The file is read through the one loader of text files (genderstats.data.yamlfile); a
problem is a DataError naming the file, the line and the topic.
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genderstats import config
from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.folders import display_path, year_dir
from genderstats.data.yamlfile import compose, find_text_file, read_text_file

STEM = "recommendations"
TITLE = "建議事項"
NULL = "tag:yaml.org,2002:null"
_LOOKS_LISTED = re.compile(r"^(?:-\u3000|－)")
"""A list item typed with a full-width space or dash: YAML reads it as one text."""

Recommendations = dict[str, tuple[str, ...]]
"""{topic: sentences}, in the file's order."""


def find_recommendations(year: int | str,
                         data_dir: str | Path = config.DATA_DIR) -> Path | None:
    """``data/<year>/recommendations.yml`` (or .yaml), None when the year has none."""
    root = config.resolve_data_dir(data_dir)
    return find_text_file(year_dir(year, root), root, STEM, TITLE)


def load_recommendations(year: int | str,
                         data_dir: str | Path = config.DATA_DIR) -> Recommendations | None:
    """The year's recommendations, checked; None when the year has no file."""
    root = config.resolve_data_dir(data_dir)
    path = find_recommendations(year, root)
    if path is None:
        return None
    display = display_path(path, root)
    return parse_recommendations(read_text_file(path, display), display)


def parse_recommendations(text: str, display: str) -> Recommendations:
    """Check and read the file's ``text``. DataError lists every problem with its line."""
    root = compose(text, display)
    if root is None:
        return {}
    if not isinstance(root, MappingNode):
        raise DataError([_problem(display, root, "", "應為「主題: 建議清單」的對應表（每個主題"
                                                     "一行，下面每項建議以「- 」開頭）。")])
    problems: list[Problem] = []
    out: Recommendations = {}
    for key, value in root.value:
        topic = str(key.value).strip() if isinstance(key, ScalarNode) else ""
        if not topic:
            problems.append(_problem(display, key, "", "主題應為一段文字，如「資料治理委員會:」。"))
        elif topic in out:
            problems.append(_problem(display, key, topic, "重複出現，請只保留一個。"))
        else:
            out[topic], found = _sentences(display, topic, value)
            problems += found
    if problems:
        raise DataError(problems)
    return out


def _sentences(display: str, topic: str, node: Node) -> tuple[tuple[str, ...], list[Problem]]:
    """The sentences of one topic: a list of texts, one text, or nothing (none this year)."""
    if isinstance(node, ScalarNode):
        text = "" if node.tag == NULL else str(node.value).strip()
        if _LOOKS_LISTED.match(text):
            return (), [_problem(display, node, topic,
                                 "看起來是建議的清單，但「-」是全形或後面接全形空白「　」。"
                                 "每一項請以半形「- 」（減號加半形空白）開頭。")]
        return ((text,) if text else ()), []
    if not isinstance(node, SequenceNode):
        return (), [_problem(display, node, topic, "應為建議的清單，每一項以「- 」開頭。")]
    out: list[str] = []
    problems: list[Problem] = []
    for i, item in enumerate(node.value, start=1):
        if not isinstance(item, ScalarNode):
            problems.append(_problem(display, item, f"{topic}[{i}]",
                                     "每一項建議應為一句文字（以「- 」開頭，同一行寫完，"
                                     "或在「- |」後換行縮排）。"))
        elif item.tag != NULL and str(item.value).strip():
            out.append(str(item.value).strip())
    return tuple(out), problems


def _problem(display: str, node: Node, where: str, message: str) -> Problem:
    place = f"「{excerpt(where, 40)}」" if where else ""
    return Problem(display, None, None, None, f"第 {node.start_mark.line + 1} 行{place}：{message}")


def validate_recommendations(year: int | str,
                             data_dir: str | Path = config.DATA_DIR) -> list[Problem]:
    """The problems of the year's recommendations.yml ([] when fine or absent)."""
    try:
        load_recommendations(year, data_dir)
    except DataError as err:
        return err.problems
    return []
