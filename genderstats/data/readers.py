"""Reading CSV (UTF-8, UTF-8 with BOM, Big5/CP950), .xlsx and .ods into raw text columns.

Every reader hands back the header row as written and, for the columns asked for, a
Categorical of the cell texts. Values are compared and converted per distinct text later,
which keeps a million-row file fast: a gender column has a handful of distinct texts.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from genderstats.data.errors import DataError, Problem

# (Python codec, name shown to users). utf-8-sig reads UTF-8 with or without a BOM.
ENCODINGS: tuple[tuple[str, str], ...] = (
    ("utf-8-sig", "UTF-8"),
    ("cp950", "Big5/CP950"),
    ("big5hkscs", "Big5-HKSCS"),
)
TRIED_ENCODINGS = "UTF-8、UTF-8 with BOM、Big5/CP950、Big5-HKSCS"
_CHUNK = 1 << 22
PREVIEW = 10
"""Rows kept from the top of a file, to say where a misplaced header row is."""


@dataclass
class RawColumns:
    """Text of the requested columns: Categorical per file position, plus spreadsheet lines."""

    columns: dict[int, pd.Categorical]
    lines: np.ndarray


def _problem(display: str, message: str, row: int | None = None) -> DataError:
    return DataError([Problem(display, row, None, None, message)])


def _empty_file(display: str) -> DataError:
    return _problem(
        display, "檔案是空的（0 位元組），沒有標題列也沒有資料列。請放入資料，或刪除這個檔案。"
    )


class CsvSource:
    """A delimited text file. Encoding and delimiter are detected from the bytes."""

    def __init__(self, path: Path, display: str) -> None:
        self.display = display
        try:
            self.raw = path.read_bytes()
        except OSError as exc:
            raise _problem(display, f"無法讀取檔案（{exc.strerror or exc}）。") from None
        if not self.raw:
            raise _empty_file(display)
        self.encoding = self._detect_encoding()
        head = self.raw[: 1 << 16].decode(self.encoding, errors="ignore")
        if not head.strip():
            raise _problem(
                display, "檔案是空的，沒有標題列也沒有資料列。請放入資料，或刪除這個檔案。"
            )
        first_line = head.splitlines()[0]
        self.sep = max((",", "\t", ";"), key=lambda s: (first_line.count(s), s == ","))
        reader = csv.reader(io.StringIO(head), delimiter=self.sep)
        try:
            self.preview = [[cell.strip() for cell in row] for row in islice(reader, PREVIEW)]
        except csv.Error as exc:
            raise _problem(
                display, f"無法解析 CSV 檔（{exc}）。請用 Excel 開啟後另存新檔再試。"
            ) from None
        self.headers = self.preview[0] if self.preview else []

    def _detect_encoding(self) -> str:
        if self.raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"  # Excel's 「Unicode 文字」 export
        first_error: UnicodeDecodeError | None = None
        for codec, _name in ENCODINGS:
            try:
                _decode_in_chunks(self.raw, codec)
                return codec
            except UnicodeDecodeError as exc:
                first_error = first_error or exc
        assert first_error is not None
        line = self.raw.count(b"\n", 0, first_error.start) + 1
        raise _problem(
            self.display,
            f"無法辨識檔案的文字編碼（試過 {TRIED_ENCODINGS}；第 {line} 列有無法解讀的字元）。"
            "請用 Excel「另存新檔」選「CSV UTF-8（逗號分隔）」後再放入。",
        )

    def read(self, positions: list[int]) -> RawColumns:
        """Read only the columns at ``positions`` (0-based), every cell as text."""
        try:
            frame = pd.read_csv(
                io.BytesIO(self.raw),
                encoding=self.encoding,
                sep=self.sep,
                header=None,
                skiprows=1,
                # Naming every column lets rows shorter than the header through (Excel drops
                # trailing empty cells in hand-edited files) instead of failing usecols.
                names=list(range(max(len(self.headers), max(positions) + 1))),
                usecols=positions,
                dtype={p: "category" for p in positions},
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,  # keep blank lines so row numbers match the sheet
                engine="c",
            )
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame({p: pd.Categorical([]) for p in positions})
        except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
            raise _problem(
                self.display, f"無法解析 CSV 檔（{exc}）。請用 Excel 開啟後另存新檔再試。"
            ) from None
        columns = {p: _as_text_categorical(frame[p]) for p in positions}
        return RawColumns(columns, np.arange(len(frame), dtype=np.int64) + 2)


def _decode_in_chunks(raw: bytes, codec: str) -> None:
    """Raise UnicodeDecodeError (with a whole-file ``start``) unless ``raw`` decodes."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(
                exc.encoding, raw, start + exc.start, start + exc.end, exc.reason
            ) from None


def _as_text_categorical(column: pd.Series) -> pd.Categorical:
    cat = column.array
    if not isinstance(cat, pd.Categorical):
        cat = pd.Categorical(column.astype(object).where(column.notna(), None))
    if len(cat.categories) and not isinstance(cat.categories[0], str):
        cat = pd.Categorical.from_codes(
            cat.codes, categories=pd.Index([str(c) for c in cat.categories], dtype=object)
        )
    return cat


class SheetSource:
    """The first sheet of an .xlsx (openpyxl) or .ods (odfpy) workbook."""

    def __init__(self, path: Path, display: str, engine: str) -> None:
        self.display = display
        kind = "Excel" if engine == "openpyxl" else "ODS"
        if path.stat().st_size == 0:
            raise _empty_file(display)
        try:
            sheet = pd.read_excel(
                path, sheet_name=0, header=None, dtype=object, engine=engine,
                keep_default_na=False, na_values=[],  # 「NA」 is text, as in a CSV
            )
        except Exception as exc:  # noqa: BLE001 - any reader failure becomes a readable problem
            raise _problem(
                display,
                f"無法開啟這個 {kind} 檔（{type(exc).__name__}: {exc}）。"
                "請確認檔案沒有損壞、沒有加密，並用試算表軟體另存新檔後再試。",
            ) from None
        if sheet.shape[0] == 0:
            raise _empty_file(display)
        self.sheet = sheet
        self.preview = [
            [_cell_text(v) or "" for v in row] for row in sheet.iloc[:PREVIEW].itertuples(False)
        ]
        self.headers = self.preview[0]

    def read(self, positions: list[int]) -> RawColumns:
        """Cell texts of the columns at ``positions`` (0-based), header row excluded."""
        body = self.sheet.iloc[1:]
        columns: dict[int, pd.Categorical] = {}
        for p in positions:
            codes, uniques = pd.factorize(body.iloc[:, p].to_numpy(dtype=object))
            texts = pd.Categorical([_cell_text(u) for u in uniques])
            new_codes = np.append(texts.codes, -1)[codes] if len(uniques) else codes
            columns[p] = pd.Categorical.from_codes(
                new_codes, categories=pd.Index(texts.categories.astype(object), dtype=object)
            )
        return RawColumns(columns, np.arange(len(body), dtype=np.int64) + 2)


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV export of it would hold (None when empty)."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text if text.strip() else None


def open_source(path: Path, display: str) -> CsvSource | SheetSource:
    """A reader for ``path`` chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return SheetSource(path, display, "openpyxl")
    if suffix == ".ods":
        return SheetSource(path, display, "odf")
    return CsvSource(path, display)
