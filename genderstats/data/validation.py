"""The check of a whole year folder (``genderstats validate``): every data file, the checks
across files, the analyst's text files, and words shaped like a name nobody listed.

Built on the loader and the text files' readers, which know nothing of this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from genderstats import config
from genderstats.data import recommendations, results_text
from genderstats.data.errors import DataError, Problem
from genderstats.data.folders import display_path, year_dir
from genderstats.data.loader import looks_like_a_name, name_filter, validate_files
from genderstats.data.results_text import Catalog
from genderstats.data.specs import vocabulary
from genderstats.data.yamlfile import compose, find_text_file, read_text_file
from genderstats.names import NameFilter, suspected_names
from genderstats.record import record_lookup
from genderstats.years import roc_year


def validate_year(year: int | str, data_dir: str | Path = config.DATA_DIR, *,
                  catalog: Catalog | None = None,
                  values: Mapping[str, str] | None = None) -> list[Problem]:
    """Check every dataset file in ``data/<year>/`` (and the checks across files), the
    year's results_report.yml and recommendations.yml.

    ``catalog`` (what the registry's reports offer) and ``values`` (the figures of the year's
    last build) check the prose of results_report.yml (:mod:`results_text`).

    Returns the problems found, an empty list when the folder is fine. Missing datasets are
    not problems (a year may lack some); unknown file names are, since they are never read.
    Known names are masked in every message.
    """
    data_dir = config.resolve_data_dir(data_dir)
    y = roc_year(year)
    try:
        folder = year_dir(y, data_dir)
    except DataError as err:
        return err.problems
    record_lookup(folder)
    shown = display_path(folder, data_dir)
    if not folder.is_dir():
        return [Problem(shown, None, None, None,
                        f"找不到 {shown}/ 資料夾。請建立這個資料夾並放入該年度的資料檔"
                        "（檔名與欄位見 data/README.md）。")]
    names = name_filter(y, data_dir)
    problems, warnings = validate_files(y, folder, data_dir, names)
    problems.extend(results_text.validate_results_text(y, data_dir, catalog=catalog,
                                                       values=values))
    problems.extend(recommendations.validate_recommendations(y, data_dir))
    problems.extend(warnings)
    problems.extend(_text_file_warnings(y, data_dir, names))
    return [p.masked(names.mask) for p in problems]


def _text_file_warnings(year: int, root: Path, names: NameFilter) -> list[Problem]:
    """Warnings for words shaped like an unknown name in the year's text files, by line.

    Read through the one loader of text files; a file it refuses is reported by its own
    check (validate_results_text, validate_recommendations), not again here."""
    words = vocabulary()
    out: list[Problem] = []
    for stem, title in ((results_text.STEM, results_text.TITLE),
                        (recommendations.STEM, recommendations.TITLE)):
        try:
            path = find_text_file(year_dir(year, root), root, stem, title)
            if path is None:
                continue
            display = display_path(path, root)
            tree = compose(read_text_file(path, display), display)
        except DataError:
            continue

        def walk(node: Node | None, display: str = display) -> None:
            if isinstance(node, MappingNode):
                for _, value in node.value:
                    walk(value)
            elif isinstance(node, SequenceNode):
                for item in node.value:
                    walk(item)
            elif isinstance(node, ScalarNode) and isinstance(node.value, str):
                block = node.style in ("|", ">")
                for i, line in enumerate(node.value.split("\n")):
                    number = node.start_mark.line + (2 + i if block else 1)
                    for word in suspected_names(line, words, names):
                        out.append(Problem(display, None, None, word,
                                           f"第 {number} 行：{looks_like_a_name(word)}",
                                           warning=True))

        walk(tree)
    return out
