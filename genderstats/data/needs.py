"""Whether a year's data lets each report be built: required and optional datasets.

Each report declares in notebooks/reports.yml the datasets it ``requires`` (without them it
cannot be built) and the ``optional`` ones (without them sections say 無資料). Both
``genderstats validate`` and the build read the verdicts from here. The check is cheap: it
looks for the files and reads only their header rows, never the data. What a page says for
each missing input or column is declared in :mod:`genderstats.data.absence`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from genderstats import config
from genderstats.data import absence, recommendations, results_text
from genderstats.data.errors import DataError
from genderstats.data.folders import display_path, find_in, year_dir
from genderstats.data.readers import read_headers
from genderstats.data.specs import EXTENSIONS, get_dataset
from genderstats.data.yamlfile import find_text_file
from genderstats.years import roc_year

TEXT_INPUTS = {results_text.STEM: results_text.TITLE, recommendations.STEM: recommendations.TITLE}
"""The inputs that are not tables: the analyst's texts, by file name and title."""
TEXT_EXTENSIONS = (".yml", ".yaml")


def input_title(name: str) -> str:
    """『委員名單』 for a dataset, 『成果報告文字』 for the analyst's texts."""
    return TEXT_INPUTS[name] if name in TEXT_INPUTS else get_dataset(name).title


class Declared(Protocol):
    """What is needed of a report (genderstats.pipeline.registry.Report fits)."""

    id: str
    title: str
    notebook: Path
    requires: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass
class Readiness:
    """One report's verdict for one year."""

    report_id: str
    title: str
    year: int
    folder: str
    """The year folder as shown in messages, e.g. ``data/112``."""
    required: tuple[str, ...] = ()
    """The datasets the report requires."""
    optional: tuple[str, ...] = ()
    """The datasets the report can do without."""
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    unusable: dict[str, str] = field(default_factory=dict)
    """Datasets whose file is there but cannot be read (a folder, a FIFO, two files…)."""
    absent_columns: list[tuple[str, str]] = field(default_factory=list)
    """``(dataset, column)``: optional columns (canonical names) missing from a present file."""
    page: str = ""
    """The report's notebook (its name without .ipynb): which statements it shows."""

    @property
    def buildable(self) -> bool:
        """Every required dataset has a readable file (its values are checked elsewhere)."""
        return not self.missing_required and not any(d in self.unusable for d in self.required)

    @property
    def statements(self) -> list[absence.Statement]:
        """The declared 無資料 statements the report's page will show this year."""
        return absence.statements(self.page, self.missing_optional, self.absent_columns)

    @property
    def notes(self) -> list[str]:
        """What will say 無資料, one sentence each: every statement of a page whose
        statements are all declared, else each missing input and column."""
        if self.page in absence.DECLARED:
            return [statement_note(s, self.year) for s in self.statements]
        return [optional_note(d) for d in self.missing_optional] + [
            column_note(d, column) for d, column in self.absent_columns
        ]


def file_names(dataset: str) -> str:
    """『committee_members.csv／.xlsx／.ods』: the names a dataset's file may have."""
    first, *rest = TEXT_EXTENSIONS if dataset in TEXT_INPUTS else EXTENSIONS
    return f"{dataset}{first}" + "".join(f"／{ext}" for ext in rest)


def dataset_label(dataset: str) -> str:
    """『委員名單（committee_members.csv／.xlsx／.ods）』."""
    return f"{input_title(dataset)}（{file_names(dataset)}）"


def missing_required_message(datasets: Iterable[str]) -> str:
    """『缺少必要資料：委員名單（committee_members.csv／.xlsx／.ods）』."""
    return "缺少必要資料：" + "、".join(dataset_label(d) for d in datasets)


def optional_note(dataset: str) -> str:
    """The sentence for a missing optional dataset."""
    title = input_title(dataset)
    return f"本年度無{title}資料（{file_names(dataset)}），相關段落將顯示「無資料」。"


def column_note(dataset: str, column: str) -> str:
    """The sentence for an optional column a present file lacks."""
    spec = get_dataset(dataset)
    label = spec.column(column).label
    return f"{spec.title}（{dataset}）沒有「{label}」欄，相關段落將顯示「無資料」。"


def statement_note(statement: absence.Statement, year: int) -> str:
    """『本年度無建議事項資料（recommendations.yml／.yaml）：建議事項處寫「本年度無建議事項資料。」』."""
    dataset = statement.dataset
    if statement.columns:
        spec = get_dataset(dataset)
        labels = "".join(f"「{spec.column(c).label}」" for c in statement.columns)
        cause = f"{spec.title}（{dataset}）沒有{labels}欄"
    else:
        cause = f"本年度無{input_title(dataset)}資料（{file_names(dataset)}）"
    text = statement.say(year)
    return f"{cause}：{statement.place}寫「{text}」" + ("" if text.endswith("。") else "。")


def unbuildable_message(readiness: Readiness) -> str:
    """Why a report cannot be built, worded for the person who prepares the data."""
    parts: list[str] = []
    if readiness.missing_required:
        parts.append(
            f"{missing_required_message(readiness.missing_required)}。"
            f"請把檔案放入 {readiness.folder}/ 後再產製。"
        )
    for dataset in readiness.required:
        if dataset in readiness.unusable:
            parts.append(f"{dataset_label(dataset)}無法使用：{readiness.unusable[dataset]}")
    return "無法產製：" + "".join(parts)


class _Folder:
    """One year folder, each dataset looked up (and its header read) at most once."""

    def __init__(self, year: int, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = year_dir(year, data_dir)
        self._found: dict[str, tuple[Path | None, str | None]] = {}
        self._absent: dict[str, list[str]] = {}

    def find(self, dataset: str) -> tuple[Path | None, str | None]:
        """(file or None, why the file cannot be used or None)."""
        if dataset not in self._found:
            try:
                if dataset in TEXT_INPUTS:
                    found = find_text_file(self.folder, self.data_dir, dataset,
                                           TEXT_INPUTS[dataset])
                else:
                    found = find_in(get_dataset(dataset), self.folder, self.data_dir)
                self._found[dataset] = (found, None)
            except DataError as err:
                self._found[dataset] = (None, "".join(p.message for p in err.problems))
        return self._found[dataset]

    def absent(self, dataset: str, path: Path) -> list[str]:
        """Optional columns (canonical names) the file's header row lacks ([] if unreadable)."""
        if dataset in TEXT_INPUTS:
            return []  # its keys are checked by validate, not column by column
        if dataset not in self._absent:
            spec = get_dataset(dataset)
            try:
                headers = read_headers(path, display_path(path, self.data_dir))
            except DataError:
                headers = None  # the format check reports it; no guess here
            if headers is None:
                self._absent[dataset] = []
            else:
                found = {spec.match_header(h) for h in headers if h.strip()}
                sources = dict(spec.derived)
                self._absent[dataset] = [
                    c.name for c in spec.columns
                    if not c.required and c.name not in found
                    and sources.get(c.name) not in found
                ]
        return self._absent[dataset]


def check_report(report: Declared, year: int | str, data_dir: str | Path = config.DATA_DIR,
                 *, _folder: _Folder | None = None) -> Readiness:
    """The verdict for one report: missing files, unusable files, absent optional columns."""
    y = roc_year(year)
    root = config.resolve_data_dir(data_dir)
    folder = _folder or _Folder(y, root)
    result = Readiness(report.id, report.title, y,
                       display_path(folder.folder, root), required=tuple(report.requires),
                       optional=tuple(report.optional), page=Path(report.notebook).stem)
    for dataset in (*report.requires, *report.optional):
        path, why = folder.find(dataset)
        if why is not None:
            result.unusable[dataset] = why
        elif path is None:
            target = result.missing_required if dataset in report.requires \
                else result.missing_optional
            target.append(dataset)
        else:
            result.absent_columns.extend((dataset, column)
                                         for column in folder.absent(dataset, path))
    return result


def readiness(reports: Iterable[Declared], year: int | str,
              data_dir: str | Path = config.DATA_DIR) -> list[Readiness]:
    """Verdicts for the reports that declare their needs (others are not checked)."""
    y = roc_year(year)
    root = config.resolve_data_dir(data_dir)
    folder = _Folder(y, root)
    return [check_report(r, y, root, _folder=folder) for r in reports
            if getattr(r, "declared", True)]


def unbuildable(reports: Iterable[Declared], year: int | str,
                data_dir: str | Path = config.DATA_DIR) -> dict[str, str]:
    """``{report id: message}`` for each report its year's data cannot build.

    For the build to call before starting any kernel: those reports fail at once with the
    message. A year without a folder is the caller's to refuse first (every report that
    requires a dataset is listed here then).
    """
    return {r.report_id: unbuildable_message(r)
            for r in readiness(reports, year, data_dir) if not r.buildable}
