"""The document model: what a report is made of, independent of any output format.

Analyses return these blocks (or frames and sentences that the notebook turns into them);
renderers turn them into a format: :mod:`genderstats.present.html` for JupyterLab and the
committee pages, :mod:`genderstats.present.odf` for the results report's OpenDocument text.
Every text in a block is plain text: a renderer escapes it, so data can never become markup.

The renderers import this module, never the reverse: a block shows itself in JupyterLab
through :func:`render_html`, which is declared here and which the HTML renderer (loaded
with the package :mod:`genderstats.present`) fills in for each block type.

>>> t = Table.from_rows("示例", [["類別", "人數"]], [["甲", "3"]], numeric=[False, True])
>>> [c.text for c in t.rows[0].cells], t.frame.iloc[0].tolist()
(['甲', '3'], ['甲', '3'])
"""

from __future__ import annotations

import base64
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from pathlib import Path
from typing import Any

import pandas as pd

from genderstats.present import tokens

__all__ = [
    "Block", "Heading", "Paragraph", "ItemList", "Findings", "Group", "Section", "Slot",
    "Document", "Chart",
    "Cell", "Row", "Table", "Placed", "layout", "blocks_of", "png_size", "render_html",
]


@singledispatch
def render_html(block: Any) -> str:
    """``block`` as HTML. :mod:`genderstats.present.html` registers how each block type is
    written; a block no renderer knows is an error, never text."""
    raise TypeError(f"無法以 HTML 呈現 {type(block).__name__}")


class Block:
    """Base of every block: JupyterLab and nbconvert show it as :func:`render_html` writes it."""

    def _repr_html_(self) -> str:
        return render_html(self)

    @property
    def html(self) -> str:
        """The block rendered as HTML (escaped; class names only, the look is in the CSS)."""
        return self._repr_html_()

    def __str__(self) -> str:
        return self.html


@dataclass(frozen=True, eq=False, repr=False)
class Heading(Block):
    """A heading of ``level`` 2–4 (the page title is level 1); ``anchor`` gives it an id."""

    text: str
    level: int = 2
    anchor: str | None = None

    def __repr__(self) -> str:
        return f"{'#' * self.level} {self.text}"


@dataclass(frozen=True, eq=False, repr=False)
class Paragraph(Block):
    """A paragraph of plain text; ``note=True`` for the small print under a table."""

    text: str
    note: bool = False

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True, eq=False, repr=False)
class ItemList(Block):
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]

    def __repr__(self) -> str:
        return "\n".join(f"- {i}" for i in self.items)


@dataclass(frozen=True, eq=False, repr=False)
class Findings(Block):
    """Findings or recommendations: a titled box of sentences, 「（無）」 when there are none.

    Empty and None sentences are dropped.

    >>> Findings(["女多於男", "", None]).items
    ('女多於男',)
    """

    items: tuple[str, ...] = ()
    title: str = "分析發現"

    def __init__(self, items: Iterable[Any] = (), title: str = "分析發現") -> None:
        kept = tuple(s for s in (str(x).strip() for x in items if x is not None) if s)
        object.__setattr__(self, "items", kept)
        object.__setattr__(self, "title", title)

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"- {i}" for i in self.items)] or ["（無）"])


@dataclass(frozen=True, eq=False, repr=False)
class Group(Block):
    """Blocks shown together as one output, e.g. a table and the note under it."""

    blocks: tuple[Any, ...]

    def __repr__(self) -> str:
        return "\n".join(repr(b) for b in self.blocks)


@dataclass(frozen=True, eq=False, repr=False)
class Section(Block):
    """A titled part of a document: its heading, then its blocks."""

    title: str
    blocks: tuple[Any, ...] = ()
    level: int = 2
    anchor: str | None = None

    def __repr__(self) -> str:
        return "\n".join([f"{'#' * self.level} {self.title}", *(repr(b) for b in self.blocks)])


@dataclass(frozen=True, eq=False, repr=False)
class Slot(Block):
    """A place the editable document keeps for what only a person can add (a photo).

    The page shows nothing; the OpenDocument text shows ``text`` as a marked note for the
    contact person, who replaces it before filing.
    """

    text: str

    def __repr__(self) -> str:
        return f"〔{self.text}〕"


@dataclass(frozen=True, eq=False, repr=False)
class Document(Block):
    """A whole document (the results report): a title and its sections."""

    title: str
    blocks: tuple[Any, ...] = ()
    subtitle: str = ""

    def __repr__(self) -> str:
        return "\n".join([f"# {self.title}", *(repr(b) for b in self.blocks)])


# --------------------------------------------------------------------------- charts


@dataclass(frozen=True, repr=False)
class Chart(Block):
    """A rendered chart (:mod:`genderstats.present.charts` draws them): the PNG at the page's
    width and at a phone's, alt text stating the numbers, an optional caption, and the
    numbers again as display strings (``data``, first column the category) for 「查看數據」.

    >>> c = Chart(png=_TINY_PNG, alt="圓餅圖：<測試>")
    >>> c.html[:40]
    '<figure class="gs-chart"><img src="data:'
    """

    png: bytes
    alt: str
    caption: str | None = None
    png_narrow: bytes | None = None
    data: pd.DataFrame | None = field(default=None, compare=False)
    title: str | None = None

    @property
    def pixel_size(self) -> tuple[int, int]:
        """(width, height) in pixels, read from the PNG header.

        >>> Chart(png=_TINY_PNG, alt="").pixel_size
        (2, 2)
        """
        return png_size(self.png)

    @property
    def css_size(self) -> tuple[int, int]:
        """Display size in CSS pixels: half the pixel size, sharp on high-DPI screens.

        >>> Chart(png=_TINY_PNG, alt="").css_size
        (1, 1)
        """
        width, height = self.pixel_size
        return max(1, round(width / 2)), max(1, round(height / 2))

    def data_table(self) -> Table | None:
        """The chart's numbers as a :class:`Table` (None without data): the 「查看數據」 under
        the chart, and the table a document without images can print instead."""
        if self.data is None or self.data.empty:
            return None
        subject = self.title or self.caption or "圖表"
        columns = [str(c) for c in self.data.columns]
        body = [["" if v is None else str(v) for v in row]
                for row in self.data.itertuples(index=False)]
        return Table.from_rows(f"{subject}（數據）", [columns], body,
                               numeric=[False, *[True] * (len(columns) - 1)])

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        data = {
            "text/html": render_html(self),
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": self.alt,
        }
        return data, {"image/png": {"alt": self.alt}}

    def save(self, path: str | Path) -> Path:
        """Write the PNG to ``path`` and return it.

        >>> Chart(png=_TINY_PNG, alt="").save("/tmp/chart.png")   # doctest: +SKIP
        PosixPath('/tmp/chart.png')
        """
        path = Path(path)
        path.write_bytes(self.png)
        return path

    def __repr__(self) -> str:
        width, height = self.pixel_size
        return f"Chart({self.alt!r}, {width}x{height}px, {len(self.png):,} bytes)"


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from a PNG's header."""
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


# A 2×2 white PNG for the doctests above.
_TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4//8/AxJgIEkaAJMYD/FqIwZ3"
    "AAAAAElFTkSuQmCC"
)


# --------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Cell:
    """One table cell. ``header`` cells name a row or column (``scope``); ``numeric`` ones
    are right-aligned; ``marks`` are roles a renderer may style: ``suppressed`` (a hidden
    count), ``corner`` (the empty top-left cell) and ``note``."""

    text: str = ""
    header: bool = False
    scope: str | None = None
    numeric: bool = False
    marks: tuple[str, ...] = ()
    colspan: int = 1
    rowspan: int = 1
    link: str | None = None


@dataclass(frozen=True)
class Row:
    """A table row; ``total`` marks the 合計 row (shown bold)."""

    cells: tuple[Cell, ...]
    total: bool = False


@dataclass(frozen=True, eq=False, repr=False)
class Table(Block):
    """A table with its caption, header rows, body rows and an optional foot note.

    ``frame`` holds the same cells as display strings (the body's header cells as its
    index or first column), for tests and notebooks. ``col_groups`` are the column groups'
    spans (the band table groups 男/女/其他 under each band); ``kind`` names a layout a
    renderer may treat specially (``bands``).
    """

    caption: str
    head: tuple[Row, ...]
    rows: tuple[Row, ...]
    note: str = ""
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    col_groups: tuple[int, ...] = ()
    kind: str = ""

    @property
    def width(self) -> int:
        """The number of columns."""
        source = self.head[-1] if self.head else (self.rows[0] if self.rows else Row(()))
        if self.head and len(self.head) > 1:
            return sum(c.colspan for c in self.head[0].cells)
        return sum(c.colspan for c in source.cells)

    @classmethod
    def from_rows(cls, caption: str, head: Sequence[Sequence[str]],
                  body: Sequence[Sequence[str]], *, numeric: Sequence[bool] = (),
                  row_headers: int = 1, note: str = "") -> Table:
        """A plain table: one header row per ``head`` line, the first ``row_headers`` cells
        of a body row as its header cells, ``numeric`` per column."""
        def is_num(pos: int) -> bool:
            return bool(numeric[pos]) if pos < len(numeric) else False

        head_rows = tuple(Row(tuple(Cell(t, header=True, scope="col") for t in line))
                          for line in head)
        rows = tuple(Row(tuple(
            Cell(t, header=True, scope="row") if pos < row_headers
            else Cell(t, numeric=is_num(pos)) for pos, t in enumerate(line))) for line in body)
        columns = list(head[-1]) if head else None
        frame = pd.DataFrame([list(line) for line in body], columns=columns)
        return cls(caption, head_rows, rows, note, frame)

    def __repr__(self) -> str:
        return f"{self.caption}\n{self.frame.to_string()}"

    @property
    def grid(self) -> list[list[Placed]]:
        """The head and body rows as a rectangular grid (see :func:`layout`)."""
        return layout((*self.head, *self.rows))

    @property
    def column_labels(self) -> tuple[str, ...]:
        """Each column's header as one line (「程序參與方式／研商會議」 under a group), for a
        body cell shown away from its column (a card on a phone)."""
        grid = layout(self.head)
        labels = []
        for col in range(len(grid[0]) if grid else 0):
            parts: list[str] = []
            for row in range(len(grid)):
                cell = _owner(grid, row, col)
                if cell is not None and cell.text and cell.text not in parts:
                    parts.append(cell.text)
            labels.append("／".join(parts))
        return tuple(labels)

    def column_bounds(self) -> list[tuple[float, float]]:
        """Each column's (narrowest, natural) width in em of the table font, from its own
        cells: the narrowest keeps every token (date, figure, masked name, 「1.」) whole, a
        short text in the body (「數位策略中心」) on one line, and four characters a line of
        a longer one or of a column label; the natural one sets every line unbroken.
        Spanning cells are left to the columns they span."""
        grid = self.grid
        bounds = [(1.0, 1.0)] * (len(grid[0]) if grid else 0)
        for number, line in enumerate(grid):
            in_body = number >= len(self.head)
            for col, placed in enumerate(line):
                cell = placed.cell
                if cell is None or cell.colspan > 1 or not cell.text.strip():
                    continue
                natural = tokens.widest(cell.text)
                whole = (natural if natural <= WHOLE_TEXT_EM and in_body
                         else min(natural, MIN_TEXT_EM))
                narrow = max(tokens.narrowest(cell.text), whole)
                low, high = bounds[col]
                bounds[col] = (max(low, narrow), max(high, natural))
        return bounds

    def column_widths(self, available: float, padding: float = 0.0) -> tuple[float, ...]:
        """Each column's width (em, ``padding`` included) in ``available`` em: the natural
        widths when they fit (the room left shared in their proportion); else the narrowest
        widths plus the room left shared by how much each column's text wants; when even
        the narrowest do not fit, the narrowest scaled down (:meth:`fits` says so first)."""
        bounds = [(low + padding, high + padding) for low, high in self.column_bounds()]
        if not bounds:
            return ()
        lows = [b[0] for b in bounds]
        highs = [b[1] for b in bounds]
        if sum(highs) <= available:
            return tuple(h * available / sum(highs) for h in highs)
        if sum(lows) <= available:
            room = available - sum(lows)
            wants = [h - lo for lo, h in bounds]
            return tuple(lo + room * w / sum(wants) for lo, w in zip(lows, wants, strict=True))
        return tuple(lo * available / sum(lows) for lo in lows)

    def fits(self, available: float, padding: float = 0.0) -> bool:
        """Whether every column fits ``available`` em at its narrowest width."""
        return sum(low + padding for low, _ in self.column_bounds()) <= available + 1e-9

    def crowded(self, available: float, padding: float = 0.0) -> bool:
        """Whether the narrowest columns take more than ``CROWDED`` of ``available`` em:
        set there, the table would read as a column of two-word lines (a page gives it
        more room: a landscape page, the window's width)."""
        return not self.fits(CROWDED * available, padding)

    @property
    def figures_only(self) -> bool:
        """Whether the body holds only figures beside its row headers (類別 × 男／女／其他／
        合計), or words as short as a figure (「符合」): such a table keeps its form on any
        screen."""
        return all(c.numeric or c.header or c.marks or tokens.widest(c.text) <= MIN_TEXT_EM
                   for r in self.rows for c in r.cells)


# Text is never set narrower than four characters a line (「辦理日期」「男性人數」), whatever
# the room: narrower, a column reads one or two characters per line.
MIN_TEXT_EM = 4.0
# A body text up to six characters is a name or a title: it is not broken (「性平聯絡/人」).
WHOLE_TEXT_EM = 6.0
# The share of its room a table's narrowest columns may take before it counts as crowded.
CROWDED = 0.8


@dataclass(frozen=True)
class Placed:
    """A cell at its grid position, or a position covered by a span (``cell`` None)."""

    cell: Cell | None


def layout(rows: tuple[Row, ...]) -> list[list[Placed]]:
    """The rows as a rectangular grid: each span's other positions are covered cells.

    ODF needs one ``table:table-cell`` or ``table:covered-table-cell`` per position, where
    HTML leaves the spanned positions out; short rows are padded with empty cells.

    >>> grid = layout((Row((Cell("a", colspan=2, rowspan=2), Cell("b"))), Row((Cell("c"),))))
    >>> [[p.cell.text if p.cell else "·" for p in line] for line in grid]
    [['a', '·', 'b'], ['·', '·', 'c']]
    """
    occupied: set[tuple[int, int]] = set()
    placed: list[dict[int, Cell]] = []
    width = 0
    for r, row in enumerate(rows):
        line: dict[int, Cell] = {}
        col = 0
        for cell in row.cells:
            while (r, col) in occupied:
                col += 1
            line[col] = cell
            for dr in range(max(1, cell.rowspan)):
                for dc_ in range(max(1, cell.colspan)):
                    occupied.add((r + dr, col + dc_))
            col += max(1, cell.colspan)
        placed.append(line)
        width = max(width, col)
    # A row span may reach further right than any row's own cells.
    width = max([width, *(c + 1 for _, c in occupied)])
    grid: list[list[Placed]] = []
    for r, line in enumerate(placed):
        cells = []
        for col in range(width):
            if col in line:
                cells.append(Placed(line[col]))
            elif (r, col) in occupied:
                cells.append(Placed(None))
            else:
                cells.append(Placed(Cell("")))
        grid.append(cells)
    return grid


def _owner(grid: list[list[Placed]], row: int, col: int) -> Cell | None:
    """The cell that covers position (``row``, ``col``): itself, or the span over it."""
    for r in range(row, -1, -1):
        for c in range(col, -1, -1):
            cell = grid[r][c].cell
            if cell is not None and r + cell.rowspan > row and c + cell.colspan > col:
                return cell
    return None


def blocks_of(items: Iterable[Any]) -> list[Any]:
    """Blocks with every :class:`Group` opened, in order (for renderers that lay out blocks
    one by one)."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, Group):
            out.extend(blocks_of(item.blocks))
        elif item is not None:
            out.append(item)
    return out
