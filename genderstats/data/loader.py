"""Reading and validating the yearly input files (found by :mod:`genderstats.data.folders`),
and the names each year knows.

Validation is vectorised: each column is parsed once per distinct cell text, and rows are
only touched through numpy index arrays, so a million-row file loads in seconds.

Over 500 lines because loading and validating share one pass over each column: the
checks validate prints are the checks the loader applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from genderstats import config
from genderstats.data import convert, crossfile
from genderstats.data.bands import age_band
from genderstats.data.errors import MORE_ROWS_SHOWN, DataError, Problem, excerpt
from genderstats.data.folders import (
    display_path,
    find_file,
    find_in,
    is_data_file,
    is_data_name,
    year_dir,
)
from genderstats.data.readers import RawColumns, SheetSource, open_source
from genderstats.data.specs import (
    DATASETS,
    EXTENSIONS,
    Column,
    Dataset,
    get_dataset,
    header_key,
    personal_columns,
    vocabulary,
)
from genderstats.data.vocab import match_key
from genderstats.names import NameFilter, mask_name, split_names, suspected_names
from genderstats.record import INPUTS_MIME, emit, record_input
from genderstats.years import ROC_OFFSET, ad_year, roc_year

PARTICIPATIONS = "training_participations"
ABSENT = "absent_columns"
"""``DataFrame.attrs`` key: optional columns the file did not have (canonical names)."""
SKIPPED = "skipped_checks"
"""``DataFrame.attrs`` key: the notes (warning Problems) of the checks across files that were
skipped because the year has no file for the other side (:mod:`genderstats.data.crossfile`)."""


@dataclass
class _Column:
    """One column of a file as read: raw texts, parsed values, codes per row, header."""

    spec: Column
    header: str
    texts: pd.Index
    parsed: convert.Parsed
    codes: np.ndarray
    ok: bool = True

    def array(self, names: NameFilter | None = None) -> convert.ArrayLike:
        parsed = self.parsed
        if names is not None:
            values = np.array([names.mask_value(v) for v in parsed.values], dtype=object)
            parsed = convert.Parsed(values, parsed.empty, parsed.errors)
        return convert.spread(self.spec, parsed, self.codes)

    def text_at(self, row: int) -> str:
        code = self.codes[row]
        return "" if code < 0 else str(self.texts[code])


@dataclass
class _Loaded:
    """A file read against its spec: the columns, the spreadsheet lines, the problems."""

    spec: Dataset
    path: Path
    display: str
    columns: dict[str, _Column] = field(default_factory=dict)
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    """Checks across files skipped because the other file is absent (warnings)."""

    def frame(self, extra: dict[str, convert.ArrayLike] | None = None,
              names: NameFilter | None = None) -> pd.DataFrame:
        """The tidy DataFrame: every spec column, in spec order, in its contract dtype.

        With ``names``, every known name in a free-text column is masked (each distinct
        text once, before it is spread over the rows)."""
        n = len(self.lines)
        arrays: dict[str, convert.ArrayLike] = {}
        for col in self.spec.columns:
            if extra and col.name in extra:
                arrays[col.name] = extra[col.name]
            elif col.name in self.columns:
                arrays[col.name] = self.columns[col.name].array(names if col.free_text else None)
            else:
                arrays[col.name] = convert.missing(col, n)
        frame = pd.DataFrame(arrays, index=pd.RangeIndex(n))
        frame.attrs[ABSENT] = self.absent(extra)
        return frame

    def absent(self, extra: dict[str, convert.ArrayLike] | None = None) -> tuple[str, ...]:
        """Spec columns the file lacks and nothing derived (e.g. age_band from age)."""
        return tuple(
            c.name for c in self.spec.columns
            if c.name not in self.columns and not (extra and c.name in extra)
        )


def has_column(frame: pd.DataFrame, name: str) -> bool:
    """Whether ``frame`` (from :func:`load`) really has column ``name`` from its file.

    An optional column the file lacked is still in the frame, all missing; analyses ask
    this before computing from it, so that a section says 無資料 instead of showing zeros.
    """
    return name in frame.columns and name not in frame.attrs.get(ABSENT, ())


def _expected_names(spec: Dataset) -> str:
    names = [f"{spec.stem}{ext}" for ext in EXTENSIONS]
    return "、".join(names[:-1]) + f" 或 {names[-1]}"


def _missing_file(spec: Dataset, year: int, data_dir: str | Path) -> Problem:
    folder = year_dir(year, data_dir)
    shown = display_path(folder, data_dir)
    what = f"找不到「{spec.title}」（{spec.stem}）的 {year} 年資料："
    if folder.is_dir():
        message = f"{what}{shown}/ 資料夾中沒有 {_expected_names(spec)}。"
    else:
        message = (
            f"{what}沒有 {shown}/ 資料夾。請建立這個資料夾，並放入 {_expected_names(spec)}。"
        )
    return Problem(shown, None, None, None, message)


def _rows_problem(
    loaded: _Loaded, header: str | None, rows: np.ndarray, value: str, message: str
) -> Problem:
    lines = loaded.lines[rows]
    return Problem(
        loaded.display, int(lines[0]), header, excerpt(value), message,
        more_rows=tuple(int(x) for x in lines[1 : 1 + MORE_ROWS_SHOWN]), count=len(lines),
    )


def _group_rows(groups: np.ndarray, mask: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """Row positions where ``mask`` holds, grouped by ``groups`` (ordered by first row)."""
    pos = np.flatnonzero(mask)
    if not len(pos):
        return []
    g = groups[pos]
    order = np.argsort(g, kind="stable")
    uniq, starts = np.unique(g[order], return_index=True)
    chunks = np.split(pos[order], starts[1:])
    pairs = [(int(u), rows) for u, rows in zip(uniq, chunks, strict=True)]
    return sorted(pairs, key=lambda pair: int(pair[1][0]))


def _header_line(spec: Dataset, preview: list[list[str]]) -> int | None:
    """The line (2…) below line 1 that holds every required header, if any."""
    for line, row in enumerate(preview[1:], start=2):
        found = {spec.match_header(cell) for cell in row if cell.strip()}
        if all(c.name in found for c in spec.required):
            return line
    return None


def _known_cells(spec: Dataset, headers: list[str]) -> tuple[list[str], int]:
    """The non-empty cells of a header row, and how many of them are headers of ``spec``."""
    cells = [h for h in headers if h.strip()]
    return cells, sum(1 for h in cells if spec.match_header(h) is not None)


def _is_header_row(spec: Dataset, headers: list[str], preview: list[list[str]]) -> bool:
    """Whether line 1 reads as the file's header row (mostly known headers, none below)."""
    cells, known = _known_cells(spec, headers)
    return bool(cells) and known * 2 >= len(cells) and _header_line(spec, preview) is None


def _misspelt(spec: Dataset, headers: list[str], absent: list[Column]) -> dict[str, str]:
    """``{header in the file: column label}``: for each missing column, the unknown header
    closest to one of its accepted headers (most alike first; each header used once)."""
    from difflib import SequenceMatcher

    unknown = [h for h in dict.fromkeys(headers) if h.strip() and spec.match_header(h) is None]
    pairs = sorted(
        ((max(SequenceMatcher(None, header_key(h), header_key(a)).ratio()
              for a in c.accepted_headers), h, c.label) for h in unknown for c in absent),
        key=lambda pair: -pair[0])
    chosen: dict[str, str] = {}
    for ratio, header, label in pairs:
        if ratio >= 0.5 and header not in chosen and label not in chosen.values():
            chosen[header] = label
    return chosen


def _match_headers(
    spec: Dataset, headers: list[str], display: str, preview: list[list[str]] | None = None,
    workbook: SheetSource | None = None,
) -> tuple[dict[str, int], list[Problem]]:
    """Each column's position by its header, and the problems of the header row.

    ``workbook``: the file's, when it is one; only its first sheet is read, so when it has
    more sheets the message says so, and to move the one holding the headers first."""
    positions: dict[str, list[int]] = {}
    for i, header in enumerate(headers):
        name = spec.match_header(header) if header.strip() else None
        if name is not None:
            positions.setdefault(name, []).append(i)
    problems: list[Problem] = []
    for name, where in positions.items():
        if len(where) > 1:
            col = spec.column(name)
            shown = "」與「".join(excerpt(headers[i], 20) for i in where)
            problems.append(Problem(
                display, None, None, None,
                f"「{shown}」都代表「{col.label}」（{name}）。請只保留其中一欄。",
            ))
    absent = [c for c in spec.required if c.name not in positions]
    if absent:
        wanted = "、".join(f"「{c.label}」（{c.name}）" for c in absent)
        cells, known = _known_cells(spec, headers)
        these = "這一欄" if len(absent) == 1 else "這些欄"
        fix = f"請在標題列加上{these}（可接受的欄名見 data/README.md）。"
        if not cells:
            seen = "檔案的標題列（第 1 列）是空白的。"
        elif known * 2 >= len(cells):
            seen = f"檔案的標題列（第 1 列）有：{excerpt('、'.join(cells))}。"
            fix = _rename_fix(spec, headers, absent) or fix
        else:
            # Mostly unknown: likely data (names…) or not a data file at all; never echo it.
            seen = (f"第 1 列的 {len(cells)} 格中只有 {known} 格是認得的欄名，看起來不是標題列"
                    "（內容可能是資料，因此不在這裡列出）。")
            fix = "請讓第 1 列是標題列（可接受的欄名見 data/README.md）。"
        line = _header_line(spec, preview or [])
        if line is not None:
            fix = f"標題列似乎在第 {line} 列：請刪除它上面的 {line - 1} 列，讓標題列成為第 1 列。"
        message = f"缺少必要欄位{wanted}。{seen}{fix}"
        if line is None and workbook is not None and len(workbook.sheet_names) > 1 \
                and known * 2 < max(len(cells), 1):
            message = _first_sheet_message(spec, workbook, message)
        problems.append(Problem(display, None, None, None, message))
    return {name: where[0] for name, where in positions.items()}, problems


def _rename_fix(spec: Dataset, headers: list[str], absent: list[Column]) -> str | None:
    """『「姓明」是不是「姓名」？請把標題改成「姓名」。』 for headers that look misspelt."""
    misspelt = _misspelt(spec, headers, absent)
    if not misspelt:
        return None
    asked = "".join(f"「{excerpt(h, 20)}」是不是「{label}」？請把標題改成「{label}」。"
                    for h, label in misspelt.items())
    rest = [c for c in absent if c.label not in misspelt.values()]
    if rest:
        named = "、".join(f"「{c.label}」" for c in rest)
        asked += f"另請在標題列加上{named}（可接受的欄名見 data/README.md）。"
    return asked


def _first_sheet_message(spec: Dataset, workbook: SheetSource, message: str) -> str:
    """When the first of several sheets holds no header row: only it is read. Names the sheet
    holding the headers, to be moved first; else says so before ``message``."""
    first = excerpt(workbook.sheet_names[0], 30)
    for name, row in workbook.later_sheets():
        found = {spec.match_header(cell) for cell in row if cell.strip()}
        if all(c.name in found for c in spec.required):
            name = excerpt(name, 30)
            return (f"只會讀取第一個工作表，而第一個工作表「{first}」沒有標題列；"
                    f"資料似乎在工作表「{name}」。請把「{name}」工作表移到最前面"
                    f"（在下方的工作表標籤上按住「{name}」，拖到最左邊），再存檔。")
    return f"只會讀取第一個工作表（「{first}」），資料必須放在第一個工作表。{message}"


def _read_file(spec: Dataset, path: Path, year: int, data_dir: str | Path) -> _Loaded:
    """Read and check one file of the ``year`` folder on its own (no cross-file checks).

    Never raises DataError: the problems are in the result. When a required header is
    missing from a header row, the columns it has are still checked: every problem at once.
    """
    loaded = _Loaded(spec, path, display_path(path, data_dir))
    record_input(path)
    try:
        source = open_source(path, loaded.display)
        positions, problems = _match_headers(
            spec, source.headers, loaded.display, source.preview,
            source if isinstance(source, SheetSource) else None,
        )
        loaded.problems = problems
        if problems and not (positions
                             and _is_header_row(spec, source.headers, source.preview)):
            return loaded
        raw = source.read(list(positions.values()))
    except DataError as err:
        loaded.problems = [*loaded.problems, *err.problems]
        return loaded
    _check_columns(loaded, raw, positions, [excerpt(h, 30) for h in source.headers], year)
    if loaded.lines.size:
        _check_in_year(loaded, year)
    return loaded


def _check_columns(
    loaded: _Loaded, raw: RawColumns, positions: dict[str, int], headers: list[str], year: int
) -> None:
    spec = loaded.spec
    parsed: dict[str, tuple[convert.Parsed, pd.Categorical]] = {}
    blank = np.ones(len(raw.lines), dtype=bool)
    for name, pos in positions.items():
        cat = raw.columns[pos]
        result = convert.parse(spec.column(name), pd.Index(cat.categories, dtype=object), year)
        parsed[name] = (result, cat)
        empty_rows = np.append(result.empty, True)[cat.codes]
        blank &= empty_rows

    # Rows with nothing in any column we read are gaps in the sheet, not records. A file
    # with a header row and no records is a fact: "none this year" (e.g. no courses held),
    # unlike a missing file, which means "no data". Rows that are not records (an example,
    # a total, a note) have their own problem and no other.
    if raw.not_records.any():
        blank |= raw.not_records
    keep = np.flatnonzero(~blank)
    loaded.lines = raw.lines[keep]
    problems = loaded.problems
    problems.extend(raw.problems)
    for column in spec.columns:
        if column.name not in parsed:
            continue
        result, cat = parsed[column.name]
        codes = cat.codes[keep].astype(np.int64)
        col = _Column(column, headers[positions[column.name]], pd.Index(cat.categories,
                      dtype=object), result, codes)
        loaded.columns[column.name] = col
        if result.errors:
            col.ok = False
            bad = np.zeros(len(result.values) + 1, dtype=bool)
            bad[list(result.errors)] = True
            for code, rows in _group_rows(codes, bad[codes]):
                problems.append(_rows_problem(
                    loaded, col.header, rows, str(col.texts[code]), result.errors[code]
                ))
        if column.required:
            is_empty = np.append(result.empty, True)[codes]
            if is_empty.any():
                col.ok = False
                problems.append(_rows_problem(
                    loaded, col.header, np.flatnonzero(is_empty), "", "必填，不可空白。"
                ))

    _check_unique(loaded)
    _check_not_above(loaded)
    _check_references(loaded)


def _check_references(loaded: _Loaded) -> None:
    """A value that must name another row of the same file (a sub-classification's parent)."""
    for rule in loaded.spec.references:
        col, target = loaded.columns.get(rule.column), loaded.columns.get(rule.target)
        if col is None or target is None or not (col.ok and target.ok):
            continue
        known = {str(v) for v in target.array() if isinstance(v, str)}
        for code, text in enumerate(col.parsed.values):
            if text is None or text in known:
                continue
            for _, rows in _group_rows(col.codes, col.codes == code):
                value = excerpt(text)
                loaded.problems.append(_rows_problem(
                    loaded, col.header, rows, value,
                    f"「{value}」不是本檔任何一列的「{target.header}」。{rule.reason}",
                ))


def _check_unique(loaded: _Loaded) -> None:
    spec = loaded.spec
    if not spec.unique or any(name not in loaded.columns for name in spec.unique
                              if name != spec.unique_skip_missing):
        return
    if spec.unique_skip_missing and spec.unique_skip_missing not in loaded.columns:
        return
    if not all(loaded.columns[name].ok for name in spec.unique if name in loaded.columns):
        return
    keys = pd.DataFrame({
        name: (loaded.columns[name].array() if name in loaded.columns
               else convert.missing(spec.column(name), len(loaded.lines)))
        for name in spec.unique
    })
    usable = np.ones(len(keys), dtype=bool)
    if spec.unique_skip_missing:
        usable = keys[spec.unique_skip_missing].notna().to_numpy()
    dup = keys.duplicated(keep=False).to_numpy() & usable
    if not dup.any():
        return
    shown = spec.unique[-1]
    col = loaded.columns[shown]
    groups = keys.groupby(list(spec.unique), dropna=False, sort=False, observed=True).ngroup()
    for _, rows in _group_rows(groups.to_numpy(), dup):
        first = int(loaded.lines[rows[0]])
        value = col.text_at(int(rows[1]))
        if col.spec.personal:
            value = mask_name(value)
        loaded.problems.append(_rows_problem(
            loaded, col.header, rows[1:], value,
            f"「{value}」與第 {first} 列重複。{spec.unique_reason}",
        ))


def _check_not_above(loaded: _Loaded) -> None:
    for rule in loaded.spec.not_above:
        a, b = loaded.columns.get(rule.column), loaded.columns.get(rule.limit)
        if a is None or b is None or not (a.ok and b.ok):
            continue
        with np.errstate(invalid="ignore"):
            over = np.asarray(a.array(), dtype="float64") > np.asarray(b.array(), dtype="float64")
        for row in np.flatnonzero(over):
            value, limit = a.text_at(row), b.text_at(row).strip()
            loaded.problems.append(_rows_problem(
                loaded, a.header, np.array([row]), value,
                f"「{value}」大於「{b.header}」欄的 {limit}。{rule.reason}",
            ))


def _check_not_after_year(loaded: _Loaded, year: int) -> None:
    """Dates that may lie in earlier years, never after the folder's year."""
    for name in loaded.spec.not_after_year:
        col = loaded.columns.get(name)
        if col is None:  # values that did not parse are NaT: the others are checked too
            continue
        years = np.asarray(pd.DatetimeIndex(col.parsed.values).year, dtype="float64") - ROC_OFFSET
        with np.errstate(invalid="ignore"):
            later = ~np.isnan(years) & (years > year)
        if not later.any():
            continue
        col.ok = False
        folder = loaded.display.rpartition("/")[0]
        for code, rows in _group_rows(col.codes, np.append(later, False)[col.codes]):
            text = excerpt(col.texts[code])
            loaded.problems.append(_rows_problem(
                loaded, col.header, rows, text,
                f"「{text}」晚於 {year} 年（{ad_year(year)} 年）。{folder}/ 只放到 {year} 年為止的"
                f"{loaded.spec.title}；請更正日期，或把這一列移到 {int(years[code])} 年的資料夾。",
            ))


def _check_in_year(loaded: _Loaded, year: int) -> None:
    """Dated events (meetings, classes, courses) belong to the folder's year; the budget's
    year column may also be the next year."""
    _check_not_after_year(loaded, year)
    for name, extra in loaded.spec.in_year:
        col = loaded.columns.get(name)
        if col is None:  # values that did not parse are NaN: the others are checked too
            continue
        if col.spec.kind == "date":
            stamps = pd.DatetimeIndex(col.parsed.values)
            years = np.asarray(stamps.year, dtype="float64") - ROC_OFFSET
        else:
            years = np.asarray(col.parsed.values, dtype="float64")
        with np.errstate(invalid="ignore"):
            outside = ~np.isnan(years) & ((years < year) | (years > year + extra))
        if not outside.any():
            continue
        col.ok = False
        bad = np.append(outside, False)[col.codes]
        folder = loaded.display.rpartition("/")[0]
        for code, rows in _group_rows(col.codes, bad):
            text = excerpt(col.texts[code])
            found = int(years[code])
            if extra:
                message = (
                    f"「{text}」不是 {year} 或 {year + extra} 年。{folder}/ 的{loaded.spec.title}"
                    f"只放本年度（{year}）與下年度（{year + extra}）的列；"
                    f"請更正年度，或把這一列移到 {found} 年的資料夾。"
                )
            else:
                message = (
                    f"「{text}」不在 {year} 年（{ad_year(year)} 年）內。{folder}/ 只放 {year} 年"
                    f"的資料；請更正日期，或把這一列移到 {found} 年的資料夾。"
                )
            loaded.problems.append(_rows_problem(loaded, col.header, rows, text, message))


def _by_row(problems: list[Problem]) -> list[Problem]:
    """Whole-file problems first, then in row order (stable: column order within a row)."""
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


def _target_group_extra(
    parts: _Loaded, classes_frame: pd.DataFrame
) -> dict[str, convert.ArrayLike]:
    """A participation's target group: its own, else its class's (every class id is known)."""
    ids = parts.columns.get("class_id")
    if ids is None or not ids.ok:
        return {}
    known = pd.Index(classes_frame["class_id"].to_numpy(dtype=object))
    per_text = known.get_indexer(pd.Index(ids.parsed.values, dtype=object))
    row_class = np.append(per_text, -1)[ids.codes]
    from_class = classes_frame["target_group"].array.take(row_class, allow_fill=True)
    if "target_group" in parts.columns:
        return {"target_group": _fill_categorical(parts.columns["target_group"].array(),
                                                  from_class)}
    return {"target_group": from_class}


def _fill_categorical(own: pd.Categorical, fallback: pd.Categorical) -> pd.Categorical:
    codes = np.where(own.codes >= 0, own.codes, fallback.codes)
    return pd.Categorical.from_codes(codes, dtype=own.dtype)


def _age_band_extra(parts: _Loaded) -> dict[str, convert.ArrayLike]:
    age = parts.columns.get("age")
    if age is None or not age.ok:
        return {}
    ages = pd.Series(age.array())
    from_age = age_band(ages).array
    if "age_band" in parts.columns:
        return {"age_band": _fill_categorical(from_age, parts.columns["age_band"].array())}
    return {"age_band": from_age}


def _equals(col: _Column, value: str) -> np.ndarray:
    """Per row: whether the column's value is ``value`` (empty cells are not)."""
    return np.append([v == value for v in col.parsed.values], False).astype(bool)[col.codes]


def _listed(rule: crossfile.Rule, other: _Loaded) -> set[str]:
    """The values ``rule`` finds in ``other``: its column, on the rows the rule counts."""
    listed = other.columns[rule.other_column]
    counted = np.ones(len(other.lines), dtype=bool)
    for name, value in rule.among:
        counted &= _equals(other.columns[name], value)
    return {rule.key(str(listed.parsed.values[c])) for c in np.unique(listed.codes[counted])
            if c >= 0}


def _check_across(loaded: _Loaded, others: dict[str, _Loaded | None], folder: str) -> None:
    """Run the rules across files that check ``loaded`` (:data:`crossfile.RULES`).

    ``others`` holds each other file as read, or None when the year has none: the rule is
    then skipped with a note. A rule whose other file is left out of ``others`` (it could
    not be read) or has problems of its own is skipped: those are reported under its name.
    """
    for rule in crossfile.rules_of(loaded.spec.stem):
        col = loaded.columns.get(rule.column)
        if col is None or not col.ok or rule.other not in others:
            continue
        other = others[rule.other]
        if other is None:
            loaded.notes.append(Problem(loaded.display, None, None, None, rule.note(folder),
                                        warning=True))
            continue
        needed = (rule.other_column, *(name for name, _ in rule.among))
        if other.problems or any(name not in other.columns for name in needed):
            continue
        rows = np.ones(len(loaded.lines), dtype=bool)
        if rule.only is not None:
            where = loaded.columns.get(rule.only[0])
            if where is None or not where.ok:
                continue
            rows = _equals(where, rule.only[1])
        known = _listed(rule, other)
        bad = np.zeros(len(col.parsed.values) + 1, dtype=bool)
        shown: dict[int, str] = {}
        for code, text in enumerate(col.parsed.values):
            if text is None:
                continue
            if rule.names:
                unknown = [n for n in str(text).split("、") if n and n not in known]
                if unknown:
                    shown[code] = "、".join(mask_name(n) for n in unknown)
            elif rule.key(str(text)) not in known:
                shown[code] = excerpt(str(col.texts[code]).strip())
            bad[code] = code in shown
        for code, where_rows in _group_rows(col.codes, bad[col.codes] & rows):
            loaded.problems.append(_rows_problem(
                loaded, col.header, where_rows, shown[code],
                rule.message(shown[code], other.display)))


# ── the year's known names ───────────────────────────────────────────────────────────────


def _years_up_to(year: int, root: Path) -> list[int]:
    """The year folders of the data folder up to ``year`` (this year and the ones before)."""
    if not root.is_dir():
        return []
    years = [int(p.name) for p in root.iterdir() if p.name.isdigit() and p.is_dir()]
    return sorted(y for y in years if y <= year)


_NAMES: dict[tuple[object, ...], frozenset[str]] = {}
"""The names of each roster file read, by path and version (modification time, size, inode)."""


def _names_of(spec: Dataset, path: Path, root: Path) -> frozenset[str]:
    """The names in ``path``'s name columns (read even when the file has other problems)."""
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    key = (str(path), str(root), st.st_mtime_ns, st.st_size, st.st_ino)
    if key in _NAMES:
        return _NAMES[key]
    names: set[str] = set()
    try:
        # Only the name columns are read: the file's own problems are reported when it is
        # loaded or validated.
        source = open_source(path, display_path(path, root))
        positions, _ = _match_headers(spec, source.headers, "", source.preview)
        wanted = [positions[c] for c in personal_columns()[spec.stem] if c in positions]
        # Every matched column is read, as when the file is loaded: the reader's way with a
        # file of headers only.
        raw = source.read(list(positions.values())) if wanted else None
    except DataError:
        raw = None
    if raw is not None:
        for pos in wanted:
            for text in raw.columns[pos].categories:
                names.update(split_names(text))
    if len(_NAMES) > 256:
        _NAMES.clear()
    _NAMES[key] = frozenset(names)
    return _NAMES[key]


@dataclass(frozen=True)
class _Rosters:
    """The files with name columns of the years up to a year, and what a notebook records
    for them (:data:`genderstats.record.INPUTS_MIME`: the files used, the folders looked in)."""

    files: tuple[tuple[str, Path], ...]
    """``(stem, path)`` of each file."""
    record: dict[str, list[str]]


_ROSTERS: dict[tuple[object, ...], _Rosters] = {}
"""By the year folders' modification times: a file added, removed or renamed looks again."""


def _roster_files(year: int, root: Path) -> _Rosters:
    folders = [(y, year_dir(y, root)) for y in _years_up_to(year, root)]
    try:
        key: tuple[object, ...] | None = (
            str(root), year, *((y, f.stat().st_mtime_ns) for y, f in folders))
    except OSError:
        key = None
    if key is not None and key in _ROSTERS:
        return _ROSTERS[key]
    found: list[tuple[str, Path]] = []
    for _, folder in folders:
        for stem in personal_columns():
            try:
                path = find_in(DATASETS[stem], folder, root)
            except DataError:
                continue  # reported when the file itself is loaded or validated
            if path is not None:
                found.append((stem, path))
    record = {"uses": [str(p.resolve()) for _, p in found],
              "dirs": [str(f.resolve()) for _, f in folders]}
    rosters = _Rosters(tuple(found), record)
    if key is not None:
        if len(_ROSTERS) > 64:
            _ROSTERS.clear()
        _ROSTERS[key] = rosters
    return rosters


def known_names(year: int | str, data_dir: str | Path = config.DATA_DIR) -> frozenset[str]:
    """Every name known to ``year``: the name columns of every roster, contact, lecturer and
    expert list (:func:`genderstats.data.specs.personal_columns`) in the year's folder and
    the folders of the years before it. The folders and files count among the notebook's
    inputs (one record for all of them), so a changed roster re-runs every report that read
    data."""
    root = config.resolve_data_dir(data_dir)
    rosters = _roster_files(roc_year(year), root)
    emit(INPUTS_MIME, rosters.record)
    names: set[str] = set()
    for stem, path in rosters.files:
        names |= _names_of(DATASETS[stem], path, root)
    return frozenset(names)


@lru_cache(maxsize=16)
def _filter_of(names: frozenset[str]) -> NameFilter:
    return NameFilter(names)


def name_filter(year: int | str, data_dir: str | Path = config.DATA_DIR) -> NameFilter:
    """The filter that masks every name known to ``year`` (:func:`known_names`) in a text.

    >>> name_filter(112).mask("講師為陳○文教授")                      # doctest: +SKIP
    """
    return _filter_of(known_names(year, data_dir))


def _masked(problems: Iterable[Problem], names: NameFilter) -> list[Problem]:
    return [p.masked(names.mask) for p in problems]


def _load_path(spec: Dataset, path: Path, year: int, data_dir: str | Path) -> pd.DataFrame:
    """Load one found file, with the checks across files of its dataset; raise on problems.

    Known names in free-text columns, and in the problems' messages, are masked."""
    names = name_filter(year, data_dir)
    try:
        return _load_found(spec, path, year, data_dir, names)
    except DataError as err:
        raise DataError(_masked(err.problems, names)) from None


def _load_found(spec: Dataset, path: Path, year: int, data_dir: str | Path,
                names: NameFilter) -> pd.DataFrame:
    loaded = _read_file(spec, path, year, data_dir)
    folder = year_dir(year, data_dir)
    others: dict[str, _Loaded | None] = {}
    for stem in crossfile.others_of(spec.stem):
        found = find_in(DATASETS[stem], folder, data_dir)
        others[stem] = None if found is None else _read_file(DATASETS[stem], found, year,
                                                              data_dir)
    # A file checked against one with problems cannot be told right: both sets are said.
    theirs = [p for other in others.values() if other is not None for p in other.problems]
    if theirs:
        raise DataError([*theirs, *_by_row(loaded.problems)])
    _check_across(loaded, others, display_path(folder, data_dir))
    extra = _age_band_extra(loaded) if spec.stem == PARTICIPATIONS else {}
    classes = others.get("training_classes")
    if classes is not None and not loaded.problems:
        extra.update(_target_group_extra(loaded, classes.frame()))
    if loaded.problems:
        raise DataError(_by_row(loaded.problems))
    frame = loaded.frame(extra, names)
    frame.attrs[SKIPPED] = tuple(loaded.notes)
    return frame


def load(dataset: str, year: int | str, data_dir: str | Path = config.DATA_DIR) -> pd.DataFrame:
    """Load and validate ``data/<year>/<dataset>.*`` into a tidy DataFrame.

    ``year`` is ROC (112) or AD (2023). Raises DataError listing every problem of the file,
    including values the checks across files (:mod:`genderstats.data.crossfile`) do not find
    in the year's other file. A check whose other file the year lacks is skipped: its note is
    in ``attrs["skipped_checks"]``.
    """
    data_dir = config.resolve_data_dir(data_dir)
    spec = get_dataset(dataset)
    y = roc_year(year)
    path = find_file(dataset, y, data_dir)
    if path is None:
        raise DataError([_missing_file(spec, y, data_dir)])
    return _load_path(spec, path, y, data_dir)


def load_optional(
    dataset: str, year: int | str, data_dir: str | Path = config.DATA_DIR
) -> pd.DataFrame | None:
    """Like :func:`load`, but None when the year has no file for ``dataset``."""
    data_dir = config.resolve_data_dir(data_dir)
    spec = get_dataset(dataset)
    y = roc_year(year)
    path = find_file(dataset, y, data_dir)
    return None if path is None else _load_path(spec, path, y, data_dir)


def empty_frame(dataset: str) -> pd.DataFrame:
    """A DataFrame with no rows but every column of ``dataset`` in its contract dtype."""
    spec = get_dataset(dataset)
    frame = pd.DataFrame({c.name: convert.missing(c, 0) for c in spec.columns})
    frame.attrs[ABSENT] = ()
    return frame


def year_column(dataset: str) -> str:
    """The column :func:`load_years` adds: ``year``, or ``data_year`` for gender_budget,
    whose own ``year`` column is the budget year (a year folder holds two budget years)."""
    return "data_year" if "year" in get_dataset(dataset).names else "year"


def load_years(
    dataset: str, years: Iterable[int | str], data_dir: str | Path = config.DATA_DIR
) -> pd.DataFrame:
    """Every listed year's ``dataset`` in one DataFrame, with an int ``year`` column first.

    Years without a file are left out (callers show them as missing); a year whose file has
    problems raises DataError. ``attrs["absent_columns"]`` lists the columns absent from
    at least one year's file, ``attrs["absent_columns_by_year"]`` which, year by year, and
    ``attrs["skipped_checks"]`` every year's skipped checks across files.
    """
    data_dir = config.resolve_data_dir(data_dir)
    column = year_column(dataset)
    frames: list[pd.DataFrame] = []
    by_year: dict[int, tuple[str, ...]] = {}
    for y in dict.fromkeys(roc_year(y) for y in years):
        frame = load_optional(dataset, y, data_dir)
        if frame is not None:
            by_year[y] = frame.attrs.get(ABSENT, ())
            frame.insert(0, column, np.full(len(frame), y, dtype=np.int64))
            frames.append(frame)
    if not frames:
        frame = empty_frame(dataset)
        frame.insert(0, column, np.zeros(0, dtype=np.int64))
    else:
        frame = pd.concat(frames, ignore_index=True)
    # pandas keeps attrs through concat only when every part has the same ones: set them.
    names = get_dataset(dataset).names
    frame.attrs = {
        ABSENT: tuple(n for n in names if any(n in a for a in by_year.values())),
        f"{ABSENT}_by_year": by_year,
        SKIPPED: tuple(p for f in frames for p in f.attrs.get(SKIPPED, ())),
    }
    return frame


def _unknown_files(folder: Path, data_dir: str | Path) -> list[Problem]:
    known = "、".join(DATASETS)
    present = {match_key(p.stem) for p in folder.iterdir() if is_data_name(p)}
    problems: list[Problem] = []
    for path in sorted(folder.iterdir()):
        if not is_data_file(path) or match_key(path.stem) in DATASETS:
            continue
        unknown = f"檔名「{excerpt(path.stem, 40)}」不是已知的資料集，這個檔案不會被讀取。"
        meant = _closest_dataset(path.stem)
        if meant is not None and meant not in present:
            fix = (f"是不是「{DATASETS[meant].title}」（{meant}）？資料夾中沒有 {meant} 的檔案，"
                   f"請把這個檔案改名為 {meant}{path.suffix.lower()}。")
        else:
            fix = (f"請改成以下其中一個檔名：{known}（副檔名 .csv、.xlsx 或 .ods）。")
        problems.append(Problem(display_path(path, data_dir), None, None, None, unknown + fix))
    return problems


def _closest_dataset(stem: str) -> str | None:
    """The dataset a misnamed file most likely is: its name a little off the dataset's
    (``training_participation``), or holding the dataset's title (``113年委員名單``)."""
    from difflib import get_close_matches

    key = match_key(stem)
    titled = [s for s, spec in DATASETS.items() if match_key(spec.title) in key]
    if len(titled) == 1:
        return titled[0]
    close = get_close_matches(key.replace("-", "_"), DATASETS, n=1, cutoff=0.8)
    return close[0] if close else None


def validate_files(year: int, folder: Path, data_dir: Path,
                   names: NameFilter) -> tuple[list[Problem], list[Problem]]:
    """Check every dataset file in the year ``folder`` (and the checks across files):
    (the problems, then the warnings of words shaped like an unknown name), unmasked.

    Missing datasets are not problems (a year may lack some); unknown file names are, since
    they are never read. :func:`genderstats.data.validation.validate_year` checks the whole
    year folder with this.
    """
    shown = display_path(folder, data_dir)
    problems: list[Problem] = _unknown_files(folder, data_dir)
    loaded: dict[str, _Loaded] = {}
    unreadable: set[str] = set()
    for stem, spec in DATASETS.items():
        try:
            path = find_in(spec, folder, data_dir)
        except DataError as err:
            problems.extend(err.problems)
            unreadable.add(stem)
            continue
        if path is not None:
            loaded[stem] = _read_file(spec, path, year, data_dir)

    for item in loaded.values():
        others = {stem: loaded.get(stem) for stem in crossfile.others_of(item.spec.stem)
                  if stem not in unreadable}
        _check_across(item, others, shown)

    for item in loaded.values():
        problems.extend(_by_row(item.problems))
    for item in loaded.values():
        problems.extend(item.notes)
    warnings = [w for item in loaded.values() for w in _name_warnings(item, names)]
    return problems, warnings


# ── words shaped like names ──────────────────────────────────────────────────────────────


def looks_like_a_name(word: str) -> str:
    """The warning for ``word``, shaped like a name nobody listed, found in free text."""
    return (f"「{word}」看起來像人名。報告是公開的，不可出現姓名：若是人名，請改寫為職稱或刪除；"
            "若不是人名，可不理會這個提醒。")


def _name_warnings(loaded: _Loaded, names: NameFilter) -> list[Problem]:
    """Warnings for words shaped like an unknown name in the file's free-text columns."""
    words = vocabulary()
    out: list[Problem] = []
    for col in loaded.columns.values():
        if not col.spec.free_text:
            continue
        for code, text in enumerate(col.parsed.values):
            if not isinstance(text, str):
                continue
            for word in suspected_names(text, words, names):
                rows = np.flatnonzero(col.codes == code)
                if len(rows):
                    problem = _rows_problem(loaded, col.header, rows, word,
                                            looks_like_a_name(word))
                    out.append(replace(problem, warning=True))
    return sorted(out, key=lambda p: (p.row or 0))
