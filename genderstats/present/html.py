"""The HTML renderer of the document model, for JupyterLab and the committee pages.

Every text is escaped here, so data can never become markup. The markup carries class
names only; the look is in ``templates/tables.css`` and ``templates/report.css``.

Each renderer below is registered on :func:`genderstats.present.model.render_html`, which
the blocks show themselves with (``block.html``, JupyterLab):

>>> from genderstats.present.model import Paragraph, Findings
>>> Paragraph("<b>", note=True).html
'<p class="gs-note">&lt;b&gt;</p>'
>>> Findings(["女多於男"]).html
'<section class="gs-findings"><h3>分析發現</h3><ul><li>女多於男</li></ul></section>'
"""

from __future__ import annotations

import base64
import re
from datetime import datetime

from genderstats.present.model import (
    Cell,
    Chart,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Placed,
    Row,
    Section,
    Slot,
    Table,
    layout,
    png_size,
    render_html,
)
from genderstats.present.tokens import is_figure, is_name, split
from genderstats.privacy import escape
from genderstats.years import roc_date

__all__ = ["with_contents", "NARROW_MEDIA"]

# The phone rendition of a chart is chosen below this width (CSS pixels).
NARROW_MEDIA = "(max-width: 480px)"


# A table wider than the text column (60rem of body text at .95rem: about 57 em of table
# text) fills it, its columns shared out by content; a crowded one (Table.crowded) takes the
# window's width on a desktop (up to 80rem, tables.css), shared out for about 75 em.
PAGE_EM = 57.0
WIDE_EM = 75.0
CELL_PADDING_EM = 1.4
# A phone's page column (390 px less the body's padding, at 1rem) in em of table text: a
# table whose narrowest columns need more is shown as one card per row there, unless it
# holds only figures (those keep their form and scroll sideways).
PHONE_EM = 22.0
TALL = 2.5


@render_html.register
def _heading(block: Heading) -> str:
    level = block.level
    anchor = f' id="{escape(block.anchor)}"' if block.anchor is not None else ""
    return f"<h{level}{anchor}>{escape(block.text)}</h{level}>"


def _prose(text: str) -> str:
    """Escaped text with each masked name kept whole on one line in a ``gs-name`` span and
    each check box joined to its label by a no-break space (「☐ 職工」); figures need
    nothing, browsers do not break them."""
    return "".join(_kept(piece) if whole else escape(piece) for piece, whole in split(text))


def _kept(token: str) -> str:
    if is_name(token):
        return f'<span class="gs-name">{escape(token)}</span>'
    if is_figure(token):
        return escape(token)
    return escape(token.replace(" ", "\u00a0"))


@render_html.register
def _paragraph(block: Paragraph) -> str:
    cls = ' class="gs-note"' if block.note else ""
    return f"<p{cls}>{_prose(block.text)}</p>"


@render_html.register
def _item_list(block: ItemList) -> str:
    return "<ul>" + "".join(f"<li>{_prose(i)}</li>" for i in block.items) + "</ul>"


@render_html.register
def _findings(block: Findings) -> str:
    body = (render_html(ItemList(block.items)) if block.items else "<p>（無）</p>")
    return f'<section class="gs-findings"><h3>{escape(block.title)}</h3>{body}</section>'


@render_html.register
def _group(block: Group) -> str:
    return "".join(render_html(b) for b in block.blocks if b is not None)


@render_html.register
def _section(block: Section) -> str:
    inner = "".join(render_html(b) for b in block.blocks if b is not None)
    return render_html(Heading(block.title, block.level, block.anchor)) + inner


@render_html.register
def _slot(block: Slot) -> str:
    # The page has nothing to show there: the slot is for the editable document.
    return ""


@render_html.register
def _document(block: Document) -> str:
    inner = "".join(render_html(b) for b in block.blocks if b is not None)
    return f"<h1>{escape(block.title)}</h1>{inner}"


# --------------------------------------------------------------------------- tables

_MARK_CLASSES = {"suppressed": "gs-suppressed", "corner": "gs-corner", "note": "gs-note"}


def _cell(cell: Cell, label: str = "") -> str:
    tag = "th" if cell.header else "td"
    attrs = f' scope="{cell.scope}"' if cell.header and cell.scope else ""
    classes = [*(["gs-num"] if cell.numeric else []),
               *(_MARK_CLASSES.get(m, m) for m in cell.marks)]
    if classes:
        attrs += f' class="{" ".join(classes)}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if label and not cell.header:
        attrs += f' data-label="{escape(label)}"'
    # A figure's cell does not wrap at all (gs-num), a header is a short label; any other
    # cell keeps its tokens whole.
    text = escape(cell.text) if cell.numeric or cell.header else _prose(cell.text)
    if cell.link is not None:
        text = f'<a href="{escape(cell.link)}">{text}</a>'
    return f"<{tag}{attrs}>{text}</{tag}>"


def _row(row: Row, labels: tuple[str, ...] = (), line: list[Placed] | None = None) -> str:
    """A row; with ``labels`` and its ``line`` of the grid (where cells spanning from rows
    above take their columns) each cell carries its column's header as ``data-label``
    (a card on a phone shows it before the value)."""
    tr = '<tr class="gs-total">' if row.total else "<tr>"
    columns = [col for col, placed in enumerate(line or [])
               if any(placed.cell is cell for cell in row.cells)]
    cells = []
    for pos, cell in enumerate(row.cells):
        col = columns[pos] if pos < len(columns) else -1
        label = labels[col] if 0 <= col < len(labels) and cell.colspan == 1 else ""
        cells.append(_cell(cell, label))
    return tr + "".join(cells) + "</tr>"


def _stacks(block: Table) -> bool:
    """Whether a phone shows ``block`` as one card per row: not a table of figures, and
    either too wide for the phone or so full of text that its columns would run for
    screens (more than ``TALL`` phone widths of text a row)."""
    if block.figures_only:
        return False
    natural = sum(high + CELL_PADDING_EM for _, high in block.column_bounds())
    return not block.fits(PHONE_EM, CELL_PADDING_EM) or natural > TALL * PHONE_EM


def _columns(block: Table) -> str:
    """The columns' widths as shares of the table, from the content (a wide table fills
    the page column; one that fits keeps its own width and needs none)."""
    bounds = block.column_bounds()
    if sum(high + CELL_PADDING_EM for _, high in bounds) <= PAGE_EM:
        return ""
    room = WIDE_EM if block.crowded(PAGE_EM, CELL_PADDING_EM) else PAGE_EM
    widths = block.column_widths(room, CELL_PADDING_EM)
    return "".join(f'<col style="width:{100 * w / sum(widths):.1f}%">' for w in widths)


@render_html.register
def _table(block: Table) -> str:
    caption = escape(block.caption)
    columns = "" if block.col_groups else _columns(block)
    stack = _stacks(block)
    wide = bool(columns) and block.crowded(PAGE_EM, CELL_PADDING_EM)
    cls = " ".join(["gs-table", *([f"gs-{block.kind}"] if block.kind else []),
                    *(["gs-fill"] if columns else []), *(["gs-wide"] if wide else []),
                    *(["gs-stack"] if stack else [])])
    if block.col_groups:
        groups = "".join(f'<colgroup span="{n}"></colgroup>' for n in block.col_groups)
    else:
        groups = f"<colgroup>{columns}</colgroup>" if columns else ""
    labels = block.column_labels if stack else ()
    head = f"<thead>{''.join(_row(r) for r in block.head)}</thead>" if block.head else ""
    grid = layout(block.rows) if stack else [None] * len(block.rows)
    rows = "".join(_row(r, labels, g) for r, g in zip(block.rows, grid, strict=True))
    body = f"<tbody>{rows}</tbody>"
    foot = ""
    if block.note:
        foot = (f'<tfoot><tr><td class="gs-note" colspan="{block.width}">'
                f"{escape(block.note)}</td></tr></tfoot>")
    # A compact table too wide for a phone scrolls sideways in its wrapper instead of letting
    # the page overflow; role/aria-label/tabindex let keyboard and screen-reader users reach
    # that scroll area. A wide one is stacked into cards there (gs-stack, tables.css).
    return (f'<div class="gs-table-wrap" role="region" aria-label="{caption}" tabindex="0">'
            f'<table class="{cls}"><caption>{caption}</caption>{groups}{head}{body}{foot}'
            "</table></div>")


# --------------------------------------------------------------------------- figures


@render_html.register
def _chart(chart: Chart) -> str:
    """A chart's self-contained ``<figure>`` (alt and caption escaped), then its numbers.

    On a phone the browser takes the narrow rendition from ``<picture>``; the numbers
    follow as a folded table 「查看數據」.
    """
    width, height = chart.css_size
    data = base64.b64encode(chart.png).decode("ascii")
    caption = f"<figcaption>{escape(chart.caption)}</figcaption>" if chart.caption else ""
    img = (f'<img src="data:image/png;base64,{data}" '
           f'alt="{escape(chart.alt)}" width="{width}" height="{height}" '
           f'style="max-width:100%;height:auto">')
    if chart.png_narrow is not None:
        n_width, n_height = (max(1, round(v / 2)) for v in png_size(chart.png_narrow))
        narrow = base64.b64encode(chart.png_narrow).decode("ascii")
        img = (f'<picture><source media="{NARROW_MEDIA}" '
               f'srcset="data:image/png;base64,{narrow}" width="{n_width}" '
               f'height="{n_height}">{img}</picture>')
    return f'<figure class="gs-chart">{img}{caption}</figure>{_chart_data(chart)}'


def _chart_data(chart: Chart) -> str:
    """The chart's numbers as a table folded under 「查看數據」 ('' without data)."""
    table = chart.data_table()
    if table is None:
        return ""
    return (f'<details class="gs-chart-data"><summary>查看數據</summary>'
            f"{render_html(table)}</details>")


# --------------------------------------------------------------------------- pages

_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link".*?</a>)?</h2>', re.S)


# A list item's own number at its start: 「一、」「(一)」「（二）」「1.」「2、」.
_OWN_NUMBER = re.compile(r"\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]"
                        r"|\d+[.、．])")
_ITEM = re.compile(r"<li>((?:<[^>]+>)*)")


def _own_numbers(page: str) -> str:
    """``page`` with each list item that starts with its own number marked
    ``gs-own-number``, which the page's CSS leaves unnumbered."""
    def mark(match: re.Match[str]) -> str:
        rest = page[match.end():match.end() + 12]
        return (f'<li class="gs-own-number">{match.group(1)}' if _OWN_NUMBER.match(rest)
                else match.group(0))

    return _ITEM.sub(mark, page)


# A time the page template writes for people to read in ROC years: 「115/12/06 14:05」.
_ROC_TIME = re.compile(r'(<time class="gs-roc" datetime="([^"<>]+)">)[^<]*(</time>)')


def _roc_times(page: str) -> str:
    """``page`` with each ``gs-roc`` time shown as the pages write dates (the ``datetime``
    attribute keeps the ISO form for machines)."""
    def roc(match: re.Match[str]) -> str:
        try:
            when = datetime.fromisoformat(match.group(2))
        except ValueError:
            return match.group(0)
        return f"{match.group(1)}{roc_date(when, time=True)}{match.group(3)}"

    return _ROC_TIME.sub(roc, page)


def with_contents(page: str) -> str:
    """A published page finished: the table of contents of its h2 headings where the
    template marks it (``<!--gs-toc-->``; none for fewer than three headings), no second
    number on list items that carry their own, and its times in ROC years."""
    headings = _HEADING.findall(page)
    if len(headings) < 3:
        return _roc_times(_own_numbers(page.replace("<!--gs-toc-->", "")))
    items = "".join(
        f'<li><a href="#{hid}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>'
        for hid, text in headings
    )
    toc = f'<nav class="gs-toc" aria-label="目錄"><h2>目錄</h2><ol>{items}</ol></nav>'
    return _roc_times(_own_numbers(page.replace("<!--gs-toc-->", toc, 1)))
