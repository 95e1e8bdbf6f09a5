"""Gender tables as document-model tables (:class:`~genderstats.present.model.Table`).

Each builder formats a frame's values for print (thousands separators, half-up shares,
「<3」 and 「*」 for protected counts, masked names) and returns a Table; the renderers
(:mod:`genderstats.present.html`, :mod:`genderstats.present.odf`) lay it out and escape it.
``table.frame`` holds the same cells as display strings, for tests and notebooks.

>>> from genderstats.stats import counts_table
>>> t = gender_block(counts_table({"全體委員": {"男": 6, "女": 11}}), "委員性別")
>>> t.frame.loc["全體委員", "男性比例"]
'35.29%'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd

from genderstats.config import GENDERS, TOTAL
from genderstats.names import mask_name
from genderstats.numbers import format_count, format_pct
from genderstats.present.model import Cell, Row, Table
from genderstats.privacy import (
    ProtectedTable,
    protect_people_table,
    protection_of,
)
from genderstats.stats import is_total_label

__all__ = [
    "gender_block",
    "band_block",
    "frame_block",
    "column_headers",
]

GENDER_WORDS = {"男": "男性", "女": "女性", "其他": "其他性別"}
UNDEFINED = "-"


def column_headers(count_label: str = "人數") -> dict[str, str]:
    """Display headers for a gender table's columns.

    >>> column_headers("人次")["合計"], column_headers()["女%"]
    ('總人次', '女性比例')
    """
    heads = {g: f"{GENDER_WORDS[g]}{count_label}" for g in GENDERS}
    heads[TOTAL] = f"總{count_label}"
    heads.update({f"{g}%": f"{GENDER_WORDS[g]}比例" for g in GENDERS})
    return heads


def _plain(value: Any) -> str:
    """A value as cell text; None and NaN give ""."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _col(text: Any) -> Cell:
    return Cell(_plain(text), header=True, scope="col")


def _row_headers(key: Any, nlevels: int, total: bool) -> list[Cell]:
    if total and nlevels > 1:
        # The total row's key is ("合計", "", …): one cell across all index columns.
        label = key[0] if isinstance(key, tuple) else key
        return [Cell(_plain(label), header=True, scope="row", colspan=nlevels)]
    parts = key if isinstance(key, tuple) else (key,)
    return [Cell(_plain(p), header=True, scope="row") for p in parts]


def gender_block(
    table: pd.DataFrame,
    caption: str,
    *,
    decimals: int = 2,
    suppress_below: int | None = None,
    shares: bool = True,
    index_label: str | Sequence[str] | None = None,
    count_label: str = "人數",
    protected: ProtectedTable | None = None,
) -> Table:
    """Render a gender table (see :func:`genderstats.stats.gender_table`).

    Columns: category | 男性人數 | 女性人數 | 其他性別人數 | 總人數 | 男性比例 | 女性比例 |
    其他性別比例 (``count_label`` replaces 人數, e.g. "人次"; ``shares=False`` drops the
    比例 columns). Counts get thousands separators, shares ``decimals`` places half-up,
    "-" where undefined (合計 0). With ``suppress_below=3`` small counts print "<3",
    counts hidden so the small ones cannot be worked out print "*" (see
    :func:`genderstats.privacy.suppression_mask`), and their shares print "-" too, since a
    share beside a hidden count would give it away. ``protected`` (from
    :func:`genderstats.privacy.protect_people_table`) gives the marks already computed,
    e.g. with a 合計 row fixed by another table. The 合計 row has class ``gs-total``.

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"甲": {"男": 1, "女": 9}, "乙": {"男": 5, "女": 5}}, total=True)
    >>> gender_block(t, "示例", suppress_below=3).frame.loc["甲"].tolist()[:4]
    ['<3', '9', '0', '*']
    """
    heads = column_headers(count_label)
    count_cols = [*GENDERS, TOTAL]
    share_cols = [f"{g}%" for g in GENDERS] if shares else []
    cols = [*count_cols, *share_cols]
    nlevels = table.index.nlevels
    if index_label is None:
        names = [n if n is not None else "類別" for n in table.index.names]
    elif isinstance(index_label, str):
        names = [index_label] if nlevels == 1 else [index_label, *[""] * (nlevels - 1)]
    else:
        names = list(index_label)

    if protected is None:
        protected = protection_of(table) or protect_people_table(table, suppress_below)
    hidden = protected.hidden
    cells: list[list[str]] = []
    classes: list[list[str]] = []
    for pos, key in enumerate(table.index):
        texts: list[str] = []
        extra: list[str] = []
        total_hidden = bool(hidden.iloc[pos][TOTAL])
        for c in count_cols:
            texts.append(protected.text(key, c, decimals) if hidden.iloc[pos][c]
                         else format_count(table.iloc[pos][c]))
            extra.append("gs-suppressed" if hidden.iloc[pos][c] else "")
        for c in share_cols:
            if total_hidden or hidden.iloc[pos][c[:-1]]:
                texts.append(UNDEFINED)
                extra.append("gs-suppressed")
            else:
                texts.append(format_pct(table.iloc[pos][c], decimals))
                extra.append("")
        cells.append(texts)
        classes.append(extra)

    frame = pd.DataFrame(cells, index=table.index.copy(), columns=[heads[c] for c in cols])
    frame.index.names = names if nlevels > 1 else names[:1]

    head = Row(tuple(_col(n) for n in names) + tuple(_col(heads[c]) for c in cols))
    body = []
    for key, texts, extra in zip(table.index, cells, classes, strict=True):
        total = is_total_label(key)
        tds = tuple(Cell(t, numeric=True, marks=("suppressed",) if x else ())
                    for t, x in zip(texts, extra, strict=True))
        body.append(Row((*_row_headers(key, nlevels, total), *tds), total=total))
    note = protected.note(count_label) if protected.any_hidden else ""
    return Table(caption, (head,), tuple(body), note, frame)


def band_block(
    table2d: pd.DataFrame,
    caption: str,
    *,
    row_label: str,
    decimals: int = 0,
    count_label: str = "人次",
    share_label: str = "百分比",
) -> Table:
    """Bands across, genders under each band: the seed report's senior learners' layout.

    ``table2d`` is a gender table indexed by band (``gender_table(df, by="age_band",
    total=False)``). The header spans each band over 男/女/其他; the body is one group
    (``row_label``, e.g. 銀髮族) with a 人次 row of counts and a 百分比 row of shares.
    As in the seed, 其他 shows "-" whenever its count is 0, while 男 and 女 show their
    percentage (0% included); a band with nobody shows "-" throughout. A table carrying its
    protection (:func:`genderstats.privacy.carry`) prints hidden counts as 「<3」 or 「*」,
    "-" for the shares beside them or beside a hidden band total, and the note.

    >>> from genderstats.stats import counts_table
    >>> t = counts_table({"51-60歲": {"男": 7, "女": 45}})
    >>> band_block(t, "示例", row_label="銀髮族").frame.loc["百分比"].tolist()
    ['13%', '87%', '-']
    """
    bands = list(table2d.index)
    protected = protection_of(table2d)
    counts: list[str] = []
    pcts: list[str] = []
    for band, row in table2d.iterrows():
        for g in GENDERS:
            if protected is not None and not protected.shown(band, g):
                counts.append(protected.text(band, g))
                pcts.append(UNDEFINED)
                continue
            counts.append(format_count(row[g]))
            if (g == "其他" and row[g] == 0) or (protected is not None
                                                and not protected.shown(band, TOTAL)):
                pcts.append(UNDEFINED)
            else:
                pcts.append(format_pct(row[f"{g}%"], decimals))
    columns = pd.MultiIndex.from_tuples(
        [(b, g) for b in bands for g in GENDERS], names=["band", "gender"]
    )
    frame = pd.DataFrame([counts, pcts], index=[count_label, share_label], columns=columns)

    top = Row((Cell(header=False, marks=("corner",), colspan=2, rowspan=2),
               *(Cell(_plain(b), header=True, scope="colgroup", colspan=3) for b in bands)))
    sub = Row(tuple(_col(g) for _ in bands for g in GENDERS))
    body = (
        Row((Cell(_plain(row_label), header=True, scope="rowgroup", rowspan=2),
             Cell(_plain(count_label), header=True, scope="row"),
             *(Cell(c, numeric=True) for c in counts))),
        Row((Cell(_plain(share_label), header=True, scope="row"),
             *(Cell(c, numeric=True) for c in pcts))),
    )
    note = protected.note(count_label) if protected is not None else ""
    return Table(caption, (top, sub), body, note, frame, col_groups=(2, *[3] * len(bands)),
                 kind="bands")


def _is_number(value: Any) -> bool:
    return isinstance(value, Number | np.number) and not isinstance(value, bool)


def _format_value(value: Any, numeric: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return UNDEFINED if numeric else ""
    if numeric and _is_number(value):
        if float(value).is_integer():
            return format_count(value)
        return f"{float(value):,}"
    return str(value)


def frame_block(
    df: pd.DataFrame,
    caption: str,
    *,
    numeric_cols: Iterable[str] = (),
    index: bool = False,
    mask_cols: Iterable[str] = (),
    mark_total: bool = False,
    note: str = "",
) -> Table:
    """Any DataFrame as an escaped table, e.g. a members list (小組成員 | 職稱 | 姓名 | 性別).

    ``numeric_cols`` get thousands separators and right alignment (missing → "-"); other
    missing values print empty. ``mask_cols`` are passed through
    :func:`genderstats.names.mask_name` here, so a name column cannot reach the page
    unmasked by mistake. Row headers are the index when ``index=True``, else the first
    column. ``mark_total`` shows the row headed 合計 bold; ``note`` goes under the table.

    >>> df = pd.DataFrame({"姓名": ["王小明"], "時數": [1234]})
    >>> frame_block(df, "示例", numeric_cols=["時數"], mask_cols=["姓名"]).frame.iloc[0].tolist()
    ['王○明', '1,234']
    """
    numeric = set(numeric_cols)
    masked = set(mask_cols)
    missing = (numeric | masked) - set(df.columns)
    if missing:
        raise KeyError(f"找不到欄位：{sorted(missing)}")
    data = df.copy()
    for col in masked:
        data[col] = data[col].map(mask_name)
    frame = pd.DataFrame(
        {col: [_format_value(v, col in numeric) for v in data[col]] for col in data.columns},
        index=data.index,
    )
    frame.columns = [" ".join(map(str, c)) if isinstance(c, tuple) else c for c in data.columns]

    head_cells = []
    if index:
        head_cells += [_plain(n) for n in data.index.names]
    head_cells += [_plain(c) for c in frame.columns]
    body = []
    for key, (_, row) in zip(data.index, frame.iterrows(), strict=True):
        cells: list[Cell] = []
        if index:
            cells += _row_headers(key, data.index.nlevels, False)
        for pos, (col, text) in enumerate(zip(data.columns, row, strict=True)):
            if not index and pos == 0:
                cells.append(Cell(_plain(text), header=True, scope="row"))
            else:
                cells.append(Cell(_plain(text), numeric=col in numeric))
        first = cells[0].text if cells else ""
        body.append(Row(tuple(cells), total=mark_total and first == TOTAL))
    return Table(caption, (Row(tuple(_col(h) for h in head_cells)),), tuple(body), note, frame)
