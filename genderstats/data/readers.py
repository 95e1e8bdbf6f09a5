"""Reading CSV (UTF-8, UTF-8 with BOM, Big5/CP950), .xlsx and .ods into raw text columns.

Every reader hands back the header row as written and, for the columns asked for, a
Categorical of the cell texts. Values are compared and converted per distinct text later,
which keeps a million-row file fast: a gender column has a handful of distinct texts.

Cells are read as the text a spreadsheet shows: a number cell formatted 0000 reads as
「0001」, as Excel's own CSV export would write it. Files are opened once, without
blocking, and only when they are regular files. Every cell passes the one rule for
characters nobody can see (:func:`genderstats.data.vocab.visible_text`), and every byte
that does not decode is reported by :func:`undecodable`, with the file, the line and the fix.

Over 500 lines because the three formats share one reading of cells (the text a
spreadsheet shows, header search, 合計 and note rows), which must not drift apart.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import stat
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from genderstats.data.errors import MORE_ROWS_SHOWN, DataError, Problem, excerpt
from genderstats.data.specs import DATASETS
from genderstats.data.templates import EXAMPLE_MARK, EXAMPLE_ROW_MESSAGE
from genderstats.data.vocab import (
    all_visible,
    match_key,
    refused_character,
    strip_unsafe,
    visible_text,
)
from genderstats.names import mask_name

# Legacy encodings charset-normalizer may name for a Traditional Chinese file; the file is
# then decoded strictly as CP950 (Big5 plus Microsoft's additions). Big5-HKSCS is not
# accepted: it gives the user-defined areas Hong Kong's characters, while a Taipei file's
# characters there are the office's own 造字 (0xFB69 would silently become 堃).
BIG5_FAMILY = ("big5", "cp950", "big5hkscs")
BIG5_CODECS = ("cp950",)
# Candidates charset-normalizer weighs a non-UTF-8 file against: telling Big5 from
# Simplified Chinese GB is the question that matters; anything else is refused anyway.
_CANDIDATES = [*BIG5_FAMILY, "gb18030"]
ACCEPTED_ENCODINGS = "UTF-8、UTF-8 with BOM、Big5/CP950"
SAVE_AS_UTF8 = "請另存為 CSV UTF-8（Excel「另存新檔」選「CSV UTF-8（逗號分隔）」）後再放入。"
UTF16_BROKEN = "檔案是 UTF-16 編碼（Excel「Unicode 文字」），但內容不完整或已損壞"
BIG5_BROKEN = "檔案看起來是 Big5/CP950 編碼，但內容已損壞或混有其他編碼的文字"
_CHUNK = 1 << 22
HEADER_BYTES = 1 << 16
"""Bytes read from the top of a CSV to find its header row cheaply."""
PREVIEW = 10
"""Rows kept from the top of a file, to say where a misplaced header row is."""


@dataclass
class RawColumns:
    """Text of the requested columns: Categorical per file position, plus spreadsheet lines,
    the rows that are not records (an example, a total, a note) and the problems found."""

    columns: dict[int, pd.Categorical]
    lines: np.ndarray
    not_records: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    problems: list[Problem] = field(default_factory=list)


def _problem(display: str, message: str, row: int | None = None) -> DataError:
    return DataError([Problem(display, row, None, None, message)])


def undecodable(display: str, raw: bytes, offset: int, codec: str, cause: str, *,
                accepted: str = "", fix: str = SAVE_AS_UTF8, unit: str = "列") -> DataError:
    """The one message for bytes that do not decode: the file, the cause, the line of the
    first bad byte (``offset`` into ``raw``, read as ``codec``) and the fix."""
    line = raw[:offset].decode(codec, errors="replace").count("\n") + 1
    listed = f"{accepted}；" if accepted else ""
    return _problem(display, f"{cause}（{listed}第 {line} {unit}有無法解讀的字元）。{fix}")


def _empty_file(display: str) -> DataError:
    return _problem(
        display, "檔案是空的（0 位元組），沒有標題列也沒有資料列。請放入資料，或刪除這個檔案。"
    )


class CsvSource:
    """A delimited text file. Encoding and delimiter are detected from the bytes."""

    def __init__(self, path: Path, display: str, raw: bytes | None = None) -> None:
        self.display = display
        self.raw = read_regular(path, display) if raw is None else raw
        if not self.raw:
            raise _empty_file(display)
        self.encoding = detect_encoding(self.raw, display, path=path)
        head = self.raw[:HEADER_BYTES].decode(self.encoding, errors="ignore")
        if not head.strip():
            raise _problem(
                display, "檔案是空的，沒有標題列也沒有資料列。請放入資料，或刪除這個檔案。"
            )
        first_line = head.splitlines()[0]
        self.sep = max((",", "\t", ";"), key=lambda s: (first_line.count(s), s == ","))
        reader = csv.reader(io.StringIO(head), delimiter=self.sep)
        try:
            self.preview = [[strip_unsafe(cell).strip() for cell in row]
                            for row in islice(reader, PREVIEW)]
        except csv.Error:
            raise _unparsable(display) from None
        self.headers = self.preview[0] if self.preview else []
        self.names = _name_positions(path, self.headers)

    def read(self, positions: list[int]) -> RawColumns:
        """Read only the columns at ``positions`` (0-based), every cell as text."""
        raw, encoding = self.raw, self.encoding
        if encoding not in ("utf-8-sig", "utf-8"):
            # pandas' C parser decodes UTF-8 natively but other codecs slowly, in Python
            # (1M Big5 rows: 1.9 s); transcoding first takes 0.2 s. detect_encoding has
            # decoded the whole file strictly, so this cannot fail.
            raw, encoding = raw.decode(encoding).encode("utf-8"), "utf-8"
        options = dict(
            encoding=encoding,
            sep=self.sep,
            header=None,
            skiprows=1,
            # Naming every column lets rows shorter than the header through (Excel drops
            # trailing empty cells in hand-edited files) instead of failing usecols.
            names=list(range(max(len(self.headers), max(positions) + 1))),
            usecols=positions,
            # Plain text, never pandas' "category", which infers numbers and booleans
            # from the texts (「0001」 would come back as 1).
            dtype=dict.fromkeys(positions, object),
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,  # keep blank lines so row numbers match the sheet
            engine="c",
        )
        try:
            try:
                frame = pd.read_csv(io.BytesIO(raw), **options)
            except pd.errors.ParserError as exc:
                # Every row shorter than the header: usecols fails, all columns do not.
                if "Too many columns specified" not in str(exc):
                    raise
                frame = pd.read_csv(io.BytesIO(raw), **{**options, "usecols": None})
        except pd.errors.EmptyDataError:
            frame = pd.DataFrame({p: pd.Categorical([]) for p in positions})
        except (pd.errors.ParserError, ValueError) as exc:
            raise _unparsable(self.display, str(exc)) from None
        columns = {p: _as_text_categorical(frame[p]) for p in positions}
        return _visible(RawColumns(columns, np.arange(len(frame), dtype=np.int64) + 2),
                        self.headers, self.names, self.display)


def _unparsable(display: str, detail: str = "") -> DataError:
    """A CSV whose rows cannot be split into cells. The parser's own (English) words are
    never shown; an unclosed quote, the usual cause, is named."""
    cause = ("有一個以引號「\"」開始的儲存格直到檔案結尾都沒有結束。"
             if "EOF inside string" in detail else "")
    return _problem(display, f"無法解析 CSV 檔。{cause}請用 Excel 開啟後另存新檔再試。")


def _name_positions(path: Path, headers: list[str]) -> frozenset[int]:
    """Positions of the columns holding personal names, by the dataset the file's name says
    (a file of no known dataset: every column, the strict reading)."""
    spec = DATASETS.get(match_key(path.stem))
    if spec is None:
        return frozenset(range(len(headers)))
    personal = {c.name for c in spec.columns if c.personal}
    return frozenset(i for i, h in enumerate(headers)
                     if h.strip() and spec.match_header(h) in personal)


def _visible(raw: RawColumns, headers: list[str], names: frozenset[int],
             display: str) -> RawColumns:
    """Every cell under the rule for characters nobody can see: invisible ones stripped,
    refused ones (controls; bidirectional controls in names) a problem naming each cell;
    and the rows that are not records (:func:`_not_records`) marked."""
    problems: list[Problem] = []
    columns: dict[int, pd.Categorical] = {}
    for pos, cat in raw.columns.items():
        texts = list(cat.categories)
        if all_visible("\n".join(texts)):  # one scan of every distinct text: the usual case
            columns[pos] = cat
            continue
        cleaned: list[str] = []
        for code, text in enumerate(texts):
            clean, refused = visible_text(text, name=pos in names)
            cleaned.append(clean)
            if refused is not None:
                lines = raw.lines[cat.codes == code]
                header = excerpt(headers[pos], 30) if pos < len(headers) else None
                problems.append(Problem(
                    display, int(lines[0]), header, None, refused_character(refused),
                    more_rows=tuple(int(x) for x in lines[1 : 1 + MORE_ROWS_SHOWN]),
                    count=len(lines)))
        codes, uniques = pd.factorize(np.array(cleaned, dtype=object))
        columns[pos] = pd.Categorical.from_codes(
            np.append(codes, -1)[cat.codes],
            categories=pd.Index([str(u) for u in uniques], dtype=object))
    visible = RawColumns(columns, raw.lines)
    visible.not_records, others = _not_records(visible, headers, display)
    visible.problems = problems + others
    return visible


TOTAL_ROW_MESSAGE = ("表示這一列是合計列，不是一筆資料：報告會自己計算合計，留著它會重複計算。"
                     "請刪除這一列（在 Excel 的列號上按右鍵，選「刪除」）。")
FOOTER_ROW_MESSAGE = ("表示這一列是表格下方的附註，不是一筆資料。請刪除這一列"
                      "（在 Excel 的列號上按右鍵，選「刪除」）：資料檔只放標題列與資料列。")
_TOTAL = re.compile(r"(?:\d+年度?)?(?:合計|總計|小計|共計|總和|加總|total|subtotal|sum)[:：]?")
"""A cell naming a total (compared in :func:`match_key` form: no spaces, case-folded)."""
_TOTAL_LENGTH = 20
_MAYBE = (EXAMPLE_MARK, "計", "總", ":", "：", "total", "Total", "TOTAL", "sum", "Sum", "SUM")
"""Words without which a column's texts hold no example, total or note at all."""
_FOOTER = re.compile(r"(?:製表|填表|資料來源|來源|備註|附註|註|說明|單位|承辦|審核|核稿|覆核|主管"
                     r"|機關首長|首長)[^:：]{0,6}[:：]")
"""The start of a note written under a table: 「製表人：」「資料來源：」「註：」."""


def _not_records(raw: RawColumns, headers: list[str], display: str
                 ) -> tuple[np.ndarray, list[Problem]]:
    """The rows that are not records, and a problem for each kind: a template's example row
    (:data:`EXAMPLE_MARK`), a total row (a cell reading 合計, 總計…, anywhere) and a note at
    the bottom of the sheet (below the last record, one cell, 「製表人：…」). Each problem says
    to delete the row; the rows are left out of every other check."""
    n = len(raw.lines)
    marked: list[tuple[str, int, np.ndarray]] = []  # (kind, column position, per distinct text)
    rows = {kind: np.zeros(n, dtype=bool) for kind in ("example", "total", "footer")}
    for pos, cat in raw.columns.items():
        texts: list[str] = cat.categories.tolist()
        joined = "\n".join(texts)
        # A look at every distinct text at once first: most columns hold none of these words.
        if not any(word in joined for word in _MAYBE):
            continue
        for kind, test in (("example", lambda t: EXAMPLE_MARK in t),
                           ("total", lambda t: len(t) <= _TOTAL_LENGTH
                            and _TOTAL.fullmatch(match_key(t)) is not None),
                           ("footer", lambda t: _FOOTER.match(t.strip()) is not None)):
            per_text = np.array([test(t) for t in texts], dtype=bool)
            if per_text.any():
                marked.append((kind, pos, per_text))
                rows[kind] |= np.append(per_text, False)[cat.codes]
    if not marked:
        return np.zeros(n, dtype=bool), []
    filled = np.zeros(n, dtype=np.int64)
    for cat in raw.columns.values():
        empty = np.array([not str(t).strip() for t in cat.categories], dtype=bool)
        filled += ~np.append(empty, True)[cat.codes]
    rows["total"] &= ~rows["example"]
    # A note is one cell below the last record; above it, the same words may be data.
    records = np.flatnonzero((filled > 0) & ~rows["example"] & ~rows["total"]
                             & ~(rows["footer"] & (filled == 1)))
    below = np.arange(n) > (records[-1] if len(records) else -1)
    rows["footer"] &= (filled == 1) & below & ~rows["example"] & ~rows["total"]
    problems: list[Problem] = []
    for kind, pos, per_text in marked:
        cat = raw.columns[pos]
        header = excerpt(headers[pos], 30) if pos < len(headers) else None
        for code in np.flatnonzero(per_text):
            lines = raw.lines[(cat.codes == code) & rows[kind]]
            if not len(lines):
                continue
            text = str(cat.categories[code])
            if kind == "example":
                value, message = excerpt(text), EXAMPLE_ROW_MESSAGE
            elif kind == "total":
                value = excerpt(text.strip())
                message = f"「{value}」{TOTAL_ROW_MESSAGE}"
            else:
                # Only the words that tell are quoted: a note may name a person (製表人：…).
                found = _FOOTER.match(text.strip())
                value = found.group() if found else ""
                message = f"「{value}」{FOOTER_ROW_MESSAGE}"
            problems.append(Problem(
                display, int(lines[0]), header, value, message,
                more_rows=tuple(int(x) for x in lines[1 : 1 + MORE_ROWS_SHOWN]),
                count=len(lines)))
    return rows["example"] | rows["total"] | rows["footer"], problems


def read_regular(path: Path, display: str, limit: int | None = None) -> bytes:
    """The bytes of ``path`` (the first ``limit`` of them), refusing anything but a file.

    Opened without blocking, so a named pipe (FIFO) put in place of a data file is refused
    instead of hanging the build; the type is checked on the opened descriptor itself.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _problem(display, f"無法讀取檔案（{excerpt(exc.strerror or str(exc))}）。") from None
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise DataError([folder_problem(display)])
        if not stat.S_ISREG(mode):
            raise DataError([special_file_problem(display)])
        try:
            return handle.read() if limit is None else handle.read(limit)
        except OSError as exc:
            raise _problem(
                display, f"無法讀取檔案（{excerpt(exc.strerror or str(exc))}）。"
            ) from None


def folder_problem(display: str) -> Problem:
    """A folder carries a data file's name."""
    return Problem(display, None, None, None,
                   "這是資料夾，不是資料檔，不會讀取。請放入檔案本身，或把這個資料夾改名、移走。")


def special_file_problem(display: str) -> Problem:
    """A named pipe, socket or device carries a data file's name."""
    return Problem(display, None, None, None,
                   "這不是一般檔案（例如具名管道或裝置），不會讀取。"
                   "請放入一般的 CSV、Excel 或 ODS 檔案。")


def detect_encoding(raw: bytes, display: str, complete: bool = True,
                    path: Path | None = None) -> str:
    """The codec for a CSV's bytes: UTF-16 (with BOM), UTF-8 (BOM or not) or Big5/CP950.

    UTF-8 is checked by decoding, which is exact. Other bytes go to charset-normalizer;
    only Big5/CP950 is accepted, since a Simplified Chinese (GBK/GB2312/GB18030) file
    decoded as Big5 turns into plausible-looking nonsense, and Big5's user-defined
    characters (造字) are refused cell by cell (:func:`user_defined_characters`; ``path``
    tells which columns hold personal names, quoted masked; None: every column).
    ``complete=False`` means ``raw`` is only the top of a file (a character may be cut).
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's 「Unicode 文字」 export; a lone surrogate or an odd last byte is damage.
        bad = _decode_error(raw, "utf-16", complete)
        if bad is not None:
            raise undecodable(display, raw, bad, "utf-16", UTF16_BROKEN)
        return "utf-16"
    utf8_error = _decode_error(raw, "utf-8-sig", complete)
    if utf8_error is None:
        return "utf-8-sig"
    guess = _guess(raw)
    if guess in BIG5_FAMILY or guess is None or (guess == "gb18030" and not _is_gb(_sample(raw))):
        user_defined = user_defined_characters(raw, display, path, complete)
        if user_defined:
            raise DataError(user_defined)
    if guess in BIG5_FAMILY or guess is None:
        errors = {codec: _decode_error(raw, codec, complete) for codec in BIG5_CODECS}
        for codec, error in errors.items():
            if error is None and guess is not None:
                return codec
        # No candidate decodes a damaged Big5 file whole: the text before the damage tells,
        # and the line named is the damage's, not the first Chinese character's.
        codec = max(errors, key=lambda c: errors[c] or 0)
        damaged_at = errors[codec] or 0
        before = raw[:damaged_at]
        if guess is not None or (_NON_ASCII.search(before) and _guess(before) in BIG5_FAMILY):
            raise undecodable(display, raw, damaged_at, codec, BIG5_BROKEN)
    # Only call it GBK when an unrestricted look agrees (Shift-JIS also decodes as GB18030).
    if guess == "gb18030" and _is_gb(_sample(raw)):
        raise _problem(
            display,
            "檔案的文字編碼是簡體中文的 GBK/GB2312（GB18030），不是 UTF-8 或 Big5，"
            f"讀出來會是亂碼。{SAVE_AS_UTF8}",
        )
    raise undecodable(display, raw, utf8_error, "utf-8", "無法辨識檔案的文字編碼",
                      accepted=f"可讀取 {ACCEPTED_ENCODINGS}")


USER_DEFINED_LEADS = (range(0x81, 0xA1), range(0xFA, 0xFF))
"""Lead bytes of Big5's user-defined areas (0x8140–0xA0FE and 0xFA40–0xFEFE): each office's
造字, which no standard table maps; Big5-HKSCS puts Hong Kong's characters there."""
_BIG5_TRAILS = (range(0x40, 0x7F), range(0xA1, 0xFF))
_UDA_BASE = 0xF0000
"""A user-defined character is held as U+F0000 + its Big5 code while its cell is found."""
_UDA_HANDLER = "genderstats-big5-user-defined"
USER_DEFINED_FIX = (
    "這是 Big5 的造字（自造字），只有裝了同一套造字檔的電腦才顯示得出來，程式無法得知是哪個字。"
    "請把它換成一般的字（例如以 Word「插入 → 符號」找出同一個字，或改寫成通用的字），"
    "或先在造字程式把造字對應到 Unicode，再另存為「CSV UTF-8（逗號分隔）」後放入。"
)


def _hold_user_defined(exc: UnicodeDecodeError) -> tuple[str, int]:
    """Codec error handler: a user-defined Big5 character becomes U+F0000 + its code."""
    data, at = exc.object, exc.start
    if (at + 1 < len(data) and any(data[at] in r for r in USER_DEFINED_LEADS)
            and any(data[at + 1] in r for r in _BIG5_TRAILS)):
        return chr(_UDA_BASE + (data[at] << 8 | data[at + 1])), at + 2
    raise exc


codecs.register_error(_UDA_HANDLER, _hold_user_defined)


def _shown_user_defined(text: str) -> str:
    """The held characters of ``text`` as 〔造字 FB69〕."""
    return "".join(f"〔造字 {ord(ch) - _UDA_BASE:04X}〕" if ord(ch) >= _UDA_BASE else ch
                   for ch in text)


def user_defined_characters(raw: bytes, display: str, path: Path | None = None,
                            complete: bool = True) -> list[Problem]:
    """Every cell of a Big5 CSV holding a user-defined character (造字), with its row and
    column; empty when there is none or the bytes are not Big5 otherwise."""
    try:
        text = (raw if complete else raw[: raw.rfind(b"\n") + 1]).decode("cp950", _UDA_HANDLER)
    except UnicodeDecodeError:
        return []
    if not any(ord(ch) >= _UDA_BASE for ch in text):
        return []
    first_line = text.splitlines()[0] if text else ""
    sep = max((",", "\t", ";"), key=lambda s: (first_line.count(s), s == ","))
    problems: list[Problem] = []
    headers: list[str] = []
    names: frozenset[int] | None = None
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text), delimiter=sep), start=1):
            if line == 1:
                headers = [_shown_user_defined(cell).strip() for cell in row]
                names = None if path is None else _name_positions(path, headers)
            for pos, cell in enumerate(row):
                held = [ch for ch in cell if ord(ch) >= _UDA_BASE]
                if held:
                    problems.append(_user_defined_problem(
                        display, line, headers, pos, cell, held, names))
    except csv.Error:
        pass
    return problems


def _user_defined_problem(display: str, line: int, headers: list[str], pos: int, cell: str,
                          held: list[str], names: frozenset[int] | None) -> Problem:
    codes = "".join(_shown_user_defined(ch) for ch in dict.fromkeys(held))
    is_name = names is None or pos in names
    value = excerpt(_shown_user_defined(mask_name(cell) if is_name else cell.strip()))
    header = excerpt(headers[pos], 30) if pos < len(headers) else None
    where = "" if line == 1 else f"「{value}」"
    return Problem(display, line, None if line == 1 else header, None if line == 1 else value,
                   f"{where}有造字{codes}。{USER_DEFINED_FIX}")


_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*\n?")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
SAMPLE_BYTES = 1 << 20


def _sample(raw: bytes) -> bytes:
    """What the detector judges: a big file's lines holding non-ASCII bytes, whole lines up
    to about 1 MiB (the whole file is still decoded strictly afterwards). Line ends never
    fall inside a Big5 or GBK character, so no character is cut."""
    if len(raw) <= SAMPLE_BYTES:
        return raw
    picked: list[bytes] = []
    size = 0
    for match in _NON_ASCII_LINE.finditer(raw):
        picked.append(match.group())
        size += len(picked[-1])
        if size >= SAMPLE_BYTES:
            break
    return b"".join(picked)


def _guess(raw: bytes) -> str | None:
    """charset-normalizer's verdict among :data:`_CANDIDATES` (None: none decodes)."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(_sample(raw), cp_isolation=_CANDIDATES).best()
    return best.encoding if best is not None else None


def _is_gb(sample: bytes) -> bool:
    import charset_normalizer

    best = charset_normalizer.from_bytes(sample).best()
    return best is not None and best.encoding in ("gb18030", "gbk", "gb2312")


def _decode_error(raw: bytes, codec: str, complete: bool = True) -> int | None:
    """Where ``raw`` stops decoding as ``codec`` (a whole-file offset), or None if it decodes."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    view = memoryview(raw)
    for start in range(0, len(raw), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK],
                           final=complete and start + _CHUNK >= len(raw))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def _as_text_categorical(column: pd.Series) -> pd.Categorical:
    """The cell texts as a Categorical (empty cells are code -1), texts exactly as read."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    texts = pd.Index([str(u) for u in uniques], dtype=object)
    return pd.Categorical.from_codes(codes, categories=texts)


class SheetSource:
    """The first sheet of an .xlsx (openpyxl) or .ods (odfpy) workbook."""

    def __init__(self, path: Path, display: str, engine: str) -> None:
        self.display = display
        kind = "Excel" if engine == "openpyxl" else "ODS"
        raw = read_regular(path, display)
        if not raw:
            raise _empty_file(display)
        try:
            book = _sheet_reader(engine, raw)
            sheet = book.parse(sheet_name=0, **_AS_TEXT)
            self.sheet_names = [str(name) for name in book.sheet_names]
        except Exception:  # noqa: BLE001 - any reader failure becomes a readable problem
            # The library's own (English) words are never shown.
            raise _problem(
                display,
                f"無法開啟這個 {kind} 檔（檔案可能已損壞、加密，或不是 {kind} 格式）。"
                "請確認檔案沒有損壞、沒有加密，並用試算表軟體另存新檔後再試。",
            ) from None
        if sheet.shape[0] == 0 and len(self.sheet_names) == 1:
            raise _empty_file(display)
        self._book = book
        self.sheet = sheet
        self.preview = _rows_text(sheet.iloc[:PREVIEW])
        self.headers = self.preview[0] if self.preview else []
        self.names = _name_positions(path, self.headers)

    def later_sheets(self) -> list[tuple[str, list[str]]]:
        """The name and first row of each sheet after the first, which is the only one read
        (a first sheet of notes, 說明, puts the data on a later one)."""
        later: list[tuple[str, list[str]]] = []
        for name in self.sheet_names[1:]:
            try:
                rows = _rows_text(self._book.parse(sheet_name=name, nrows=1, **_AS_TEXT))
            except Exception:  # noqa: BLE001 - a sheet that cannot be read holds no headers
                rows = []
            later.append((name, rows[0] if rows else []))
        return later

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
        return _visible(RawColumns(columns, np.arange(len(body), dtype=np.int64) + 2),
                        self.headers, self.names, self.display)


_AS_TEXT: dict[str, object] = {
    "header": None, "dtype": object,
    "keep_default_na": False, "na_values": [],  # 「NA」 is text, as in a CSV
}


def _rows_text(frame: pd.DataFrame) -> list[list[str]]:
    """The rows of a sheet's ``frame`` as the texts a CSV export would hold."""
    return [[strip_unsafe(_cell_text(v) or "") for v in row] for row in frame.itertuples(False)]


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


_ZEROS_FORMAT = re.compile(r"0+")


def _shown_integer(value: object, shown: str) -> object:
    """An integer cell as displayed when the display adds leading zeros (0001), else as is."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value \
            and len(shown) > len(str(value)) and shown.isdigit() and int(shown) == value:
        return shown
    return value


def _sheet_reader(engine: str, raw: bytes) -> object:
    """pandas' own workbook reader, taught to keep the leading zeros a cell displays.

    pandas reads a number cell formatted 0000 as 1; the subclasses return 「0001」, the text
    the user sees (openpyxl: the cell's number format; odfpy: the cell's displayed text).
    """
    if engine == "openpyxl":
        from pandas.io.excel._openpyxl import OpenpyxlReader

        class _Xlsx(OpenpyxlReader):
            def _convert_cell(self, cell: object) -> object:
                value = super()._convert_cell(cell)
                fmt = getattr(cell, "number_format", "") or ""
                if isinstance(value, int) and _ZEROS_FORMAT.fullmatch(fmt):
                    return _shown_integer(value, str(value).zfill(len(fmt)))
                return value

        return _Xlsx(io.BytesIO(raw))

    from pandas.io.excel._odfreader import ODFReader

    class _Ods(ODFReader):
        def _get_cell_value(self, cell: object) -> object:
            value = super()._get_cell_value(cell)
            if isinstance(value, int):
                return _shown_integer(value, str(cell).strip())
            return value

    return _Ods(io.BytesIO(raw))


def read_headers(path: Path, display: str) -> list[str]:
    """The header row of a data file, reading as little of it as possible.

    Raises DataError when the file cannot be read (the full check then says why).
    """
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        raw = read_regular(path, display)
        try:
            book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            rows = book.worksheets[0].iter_rows(max_row=1, values_only=True)
            first = next(rows, ())
            book.close()
        except Exception:  # noqa: BLE001 - reported in full by the format check
            raise _problem(display, "無法開啟這個 Excel 檔。") from None
        return [strip_unsafe(_cell_text(v) or "") for v in first]
    if suffix == ".ods":
        return SheetSource(path, display, "odf").headers
    head = read_regular(path, display, HEADER_BYTES)
    if not head:
        raise _empty_file(display)
    encoding = detect_encoding(head, display, complete=False, path=path)
    text = head.decode(encoding, errors="ignore")
    lines = text.splitlines()
    first_line = lines[0] if lines else ""
    sep = max((",", "\t", ";"), key=lambda s: (first_line.count(s), s == ","))
    try:
        row = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    except csv.Error:
        row = []
    return [strip_unsafe(cell).strip() for cell in row]


def open_source(path: Path, display: str) -> CsvSource | SheetSource:
    """A reader for ``path`` chosen by its extension."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return SheetSource(path, display, "openpyxl")
    if suffix == ".ods":
        return SheetSource(path, display, "odf")
    return CsvSource(path, display)
