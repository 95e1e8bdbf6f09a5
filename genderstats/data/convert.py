"""Turning the distinct texts of a column into typed values, with a message for each bad one.

Work is per distinct text (a Categorical's categories), never per row; the loader spreads the
results back over the rows with the category codes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pandas as pd

from genderstats.data.bands import AGE_BAND_DTYPE, AGE_BANDS, parse_band_label
from genderstats.data.errors import DataError, Problem, excerpt
from genderstats.data.specs import TEXT_DTYPE, Column, format_bound
from genderstats.data.vocab import (
    GENDER_ALIASES,
    GENDER_DTYPE,
    GENDER_HELP,
    alias_table,
    clean_code,
    map_values,
    match_key,
    nfkc,
)
from genderstats.years import ROC_OFFSET, roc_year

ArrayLike: TypeAlias = "np.ndarray | pd.api.extensions.ExtensionArray"

_GENDER_TABLE = alias_table(GENDER_ALIASES)
# Units and money signs people type around numbers: 「3小時」「NT$5,820,000」「5,820,000元」.
_NUMBER_DECORATION = re.compile(r"^(?:NT\$|\$)|(?:元|小時|時|人|歲|年)$", re.IGNORECASE)
_DATE = re.compile(
    r"^(?:民國)?(?P<y>\d{2,4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_DATE = re.compile(r"^(?P<y>\d{3,4})(?P<m>\d{2})(?P<d>\d{2})$")
# Excel keeps a date as days since 1899-12-30; a date cell that lost its date format (or was
# saved to CSV as a number) shows that count: 45356 is 2024-03-05.
_SERIAL = re.compile(r"^(?P<days>\d{5})(?:\.\d+)?$")
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_NAME_SEPARATORS = re.compile(r"[、,，;；/／\n]+")


@dataclass
class Parsed:
    """Per distinct text: the typed value (None/NaN when empty or bad) and bad-text messages."""

    values: np.ndarray
    empty: np.ndarray
    errors: dict[int, str]


def category_dtype(column: Column) -> pd.CategoricalDtype:
    """The fixed Categorical dtype of a gender, choice or age-band column."""
    if column.kind == "gender":
        return GENDER_DTYPE
    if column.kind == "age_band":
        return AGE_BAND_DTYPE
    return pd.CategoricalDtype(list(column.choices), ordered=False)


def date_example(year: int) -> str:
    """『113-03-15（民國）或 2024-03-15（西元）』: how to write a date, in the folder's year."""
    return f"{year}-03-15（民國）或 {year + ROC_OFFSET}-03-15（西元）"


def parse(column: Column, texts: pd.Index, year: int) -> Parsed:
    """Parse the distinct raw texts of one column according to its kind; messages give their
    examples in ``year``, the folder's (ROC) year."""
    raw = [str(t) for t in texts]
    stripped = [t.strip() for t in raw]
    empty = np.array([not s for s in stripped], dtype=bool)
    errors: dict[int, str] = {}
    kind = column.kind

    if kind == "text":
        values = np.array([s or None for s in stripped], dtype=object)
    elif kind == "code":
        values = np.array([clean_code(s) or None for s in stripped], dtype=object)
    elif kind == "names":
        values = np.array([_join_names(s) for s in stripped], dtype=object)
        empty |= np.array([v is None for v in values], dtype=bool)
    elif kind in ("int", "number"):
        values = _parse_numbers(column, raw, empty, errors)
    elif kind == "date":
        values = _parse_dates(raw, empty, errors, year)
    elif kind == "year":
        values = np.full(len(raw), np.nan)
        for i, text in enumerate(raw):
            if empty[i]:
                continue
            try:
                values[i] = roc_year(nfkc(text))
            except ValueError:
                errors[i] = (f"「{excerpt(text)}」不是有效的年度。"
                             f"請填民國年（如 {year}）或西元年（如 {year + ROC_OFFSET}）。")
    elif kind == "gender":
        values = map_values(texts, _GENDER_TABLE)
        for i in np.flatnonzero((values == None) & ~empty):  # noqa: E711 - elementwise
            errors[i] = _not_a_gender(excerpt(raw[i]))
    elif kind == "choice":
        table = alias_table({c: column.aliases.get(c, ()) for c in column.choices})
        values = map_values(texts, table)
        for i in np.flatnonzero((values == None) & ~empty):  # noqa: E711 - elementwise
            errors[i] = (f"「{excerpt(raw[i])}」不是可接受的值。"
                         f"請填 {column.allowed}{column.alias_hint}。")
    elif kind == "choices":
        values = _parse_multi(column, stripped, empty, errors)
    elif kind == "age_band":
        values = np.array([parse_band_label(s) if s else None for s in stripped], dtype=object)
        for i in np.flatnonzero((values == None) & ~empty):  # noqa: E711 - elementwise
            errors[i] = (
                f"「{excerpt(raw[i])}」不是可接受的年齡區間。請填 {'、'.join(AGE_BANDS[:-1])} 或 "
                f"{AGE_BANDS[-1]}（也接受 61-70、61~70歲、80以上 這類寫法）。"
            )
    else:  # pragma: no cover - Column.__post_init__ rejects other kinds
        raise ValueError(kind)
    return Parsed(values, empty, errors)


_CHOICE_SEPARATORS = re.compile(r"[、,，;；\n]+")


def _parse_multi(
    column: Column, texts: list[str], empty: np.ndarray, errors: dict[int, str]
) -> np.ndarray:
    """Several choices in one cell (a form's check boxes): canonical, in the list's order."""
    table = alias_table({c: column.aliases.get(c, ()) for c in column.choices})
    order = {c: i for i, c in enumerate(column.choices)}
    values = np.full(len(texts), None, dtype=object)
    for i, text in enumerate(texts):
        if empty[i]:
            continue
        parts = [p.strip() for p in _CHOICE_SEPARATORS.split(text) if p.strip()]
        mapped = [table.get(match_key(p)) for p in parts]
        unknown = [p for p, m in zip(parts, mapped, strict=True) if m is None]
        if unknown:
            listed = "、".join(column.choices[:-1]) + f" 或 {column.choices[-1]}"
            errors[i] = (f"「{excerpt(unknown[0])}」不是可接受的值。請填 {listed}"
                         f"{column.alias_hint}，可複選（以「、」分隔）。")
            continue
        chosen = sorted(set(m for m in mapped if m is not None), key=order.__getitem__)
        values[i] = "、".join(chosen) if chosen else None
    return values


def _join_names(text: str) -> str | None:
    names = [n.strip() for n in _NAME_SEPARATORS.split(text)]
    names = [n for n in names if n]
    return "、".join(names) if names else None


def _parse_numbers(
    column: Column, raw: list[str], empty: np.ndarray, errors: dict[int, str]
) -> np.ndarray:
    cleaned = [
        _NUMBER_DECORATION.sub("", nfkc(t).replace(",", "").replace(" ", "")).strip() for t in raw
    ]
    numbers = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce")
    values = np.array(numbers.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    # 「請填 0 以上的整數」 but 「請填大於 0 的數字」: a space only before a digit.
    allowed = f" {column.allowed}" if column.allowed[0].isdigit() else column.allowed
    for i in range(len(raw)):
        if empty[i]:
            continue
        v = values[i]
        text = excerpt(raw[i])
        if not np.isfinite(v):
            errors[i] = f"「{text}」不是數字。請填{allowed}。"
        elif column.kind == "int" and not float(v).is_integer():
            errors[i] = f"「{text}」不是整數。請填{allowed}。"
        elif column.minimum is not None and (
            v <= column.minimum if column.above_minimum else v < column.minimum
        ):
            if column.minimum == 0:
                what = "不可為 0 或負數" if column.above_minimum else "不可為負數"
            else:
                word = "不大於" if column.above_minimum else "小於"
                what = f"{word} {format_bound(column.minimum)}"
            errors[i] = f"「{text}」{what}。請填{allowed}。"
        elif column.maximum is not None and v > column.maximum and column.sanity_maximum:
            errors[i] = (
                f"「{text}」超過這一欄的上限 {format_bound(column.maximum)}，"
                "多半是打錯字或匯出時格式跑掉。"
                f"請確認實際的數值後重新填寫（{column.allowed}）。"
            )
        elif column.maximum is not None and v > column.maximum:
            errors[i] = f"「{text}」大於 {format_bound(column.maximum)}。請填{allowed}。"
    bad = list(errors)
    values[bad] = np.nan
    return values


def parse_date(text: str, year: int) -> tuple[dt.date | None, str | None]:
    """One date written as a date column accepts it: (the date, None), or (None, why); the
    message's examples are of ``year``.

    >>> parse_date("113年2月22日", 113), parse_date("113-1", 113)[0]
    ((datetime.date(2024, 2, 22), None), None)
    """
    errors: dict[int, str] = {}
    value = _parse_dates([text], np.array([False]), errors, year)[0]
    if 0 in errors:
        return None, errors[0]
    return pd.Timestamp(value).date(), None


def _parse_dates(raw: list[str], empty: np.ndarray, errors: dict[int, str],
                 year: int) -> np.ndarray:
    texts = pd.Series([nfkc(t) for t in raw], dtype=object)
    parts = texts.str.extract(_DATE)
    compact = texts.str.extract(_COMPACT_DATE)
    parts = parts.fillna(compact)
    ymd = parts.apply(pd.to_numeric, errors="coerce")
    full_year = ymd["y"].where(ymd["y"] >= 1000, ymd["y"] + ROC_OFFSET)
    dates = pd.to_datetime(
        pd.DataFrame({"year": full_year, "month": ymd["m"], "day": ymd["d"]}), errors="coerce"
    )
    values = dates.to_numpy(dtype="datetime64[ns]")
    # 「23/3/20」: 2023, 1934 (民國23年) or a typo? A two-digit year is never guessed.
    two_digit = (parts["y"].str.len() == 2).to_numpy() & ~empty
    values[two_digit] = np.datetime64("NaT", "ns")
    for i in np.flatnonzero(two_digit):
        m, d = int(ymd["m"].iloc[i]), int(ymd["d"].iloc[i])
        ad = 2000 + int(ymd["y"].iloc[i])
        errors[i] = (
            f"「{excerpt(raw[i])}」的年份只有兩位數，無法確定是哪一年。請寫出完整年份，"
            f"例如 {ad - ROC_OFFSET}-{m:02d}-{d:02d}（民國）或 {ad}-{m:02d}-{d:02d}（西元）。"
        )
    for i in np.flatnonzero(pd.isna(values) & ~empty & ~two_digit):
        serial = _SERIAL.match(texts.iloc[i])
        errors[i] = (_serial_date(raw[i], int(serial["days"])) if serial else
                     f"「{excerpt(raw[i])}」不是有效的日期。請寫成 {date_example(year)}。")
    return values


def _serial_date(text: str, days: int) -> str:
    """The message for a date cell showing Excel's day count instead of the date."""
    day = (_EXCEL_EPOCH + np.timedelta64(days, "D")).item()
    ad, roc = f"{day:%Y-%m-%d}", f"{day.year - ROC_OFFSET}-{day:%m-%d}"
    return (f"「{excerpt(text)}」是數字，不是日期：儲存格失去了日期格式"
            f"（變成「通用格式」或「數值」），Excel 就把日期顯示成序號。序號 {days} 是 {ad}。"
            f"請把這一欄的儲存格格式設為「日期」，或直接寫成 {roc}（民國）或 {ad}（西元）。")


def spread(column: Column, parsed: Parsed, codes: np.ndarray) -> ArrayLike:
    """Spread per-text values over rows (``codes``; -1 is an empty cell) in the column's dtype."""
    kind = column.kind
    if kind in ("gender", "choice", "age_band"):
        dtype = category_dtype(column)
        positions = dtype.categories.get_indexer(pd.Index(parsed.values, dtype=object))
        # Index -1 of the appended array is the empty cell: code -1 stays missing.
        new_codes = np.append(positions, -1)[codes]
        return pd.Categorical.from_codes(new_codes.astype(np.int64), dtype=dtype)
    if kind in ("int", "number", "year"):
        numbers = np.append(parsed.values.astype("float64"), np.nan)[codes]
        if column.default is not None:
            numbers = np.where(np.isnan(numbers), float(column.default), numbers)
        if column.dtype == "int64":
            return numbers.astype(np.int64)
        if column.dtype == "Int64":
            return pd.array(numbers, dtype="Int64")
        return numbers
    if kind == "date":
        return np.append(parsed.values, np.datetime64("NaT", "ns"))[codes]
    return pd.array(np.append(parsed.values, None)[codes], dtype=TEXT_DTYPE)


def missing(column: Column, length: int) -> ArrayLike:
    """An absent optional column: all missing (or the column's default) in its dtype."""
    if column.kind in ("int", "number", "year"):
        values = np.array([], dtype="float64")
    elif column.kind == "date":
        values = np.array([], dtype="datetime64[ns]")
    else:
        values = np.array([], dtype=object)
    empty = Parsed(values, np.array([], dtype=bool), {})
    return spread(column, empty, np.full(length, -1, dtype=np.int64))


def _not_a_gender(text: str) -> str:
    return f"「{text}」不是可接受的性別。{GENDER_HELP}"


def normalize_gender(series: pd.Series | Iterable[object]) -> pd.Series:
    """Return a Categorical series of 男, 女, 其他 (in that category order).

    Accepts 男性/女性, 男生/女生, M/F/X, male/female/other and 其它, in any case and with
    spaces. Missing values stay missing (whether a value is required is the schema's
    business); any other value raises DataError listing each distinct bad value.
    """
    s = series if isinstance(series, pd.Series) else pd.Series(list(series), dtype=object)
    cat = pd.Categorical(s.astype(object).where(s.notna(), None))
    mapped = map_values(pd.Index(cat.categories), _GENDER_TABLE)
    bad = [str(v) for v, m in zip(cat.categories, mapped, strict=True) if m is None]
    if bad:
        column = str(s.name) if s.name is not None else None
        raise DataError(Problem(None, None, column, v, _not_a_gender(v)) for v in bad)
    codes = cat.codes
    values = np.append(mapped, None)[codes] if len(mapped) else np.full(len(codes), None)
    out = pd.Categorical(values, dtype=GENDER_DTYPE)
    return pd.Series(out, index=s.index, name=s.name)
