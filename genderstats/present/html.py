"""The HTML renderer of the document model, for JupyterLab and the committee pages.

Every text is escaped here, so data can never become markup. The markup carries class
names only; the look is in ``templates/tables.css`` and ``templates/report.css``.

>>> from genderstats.present.model import Paragraph, Findings
>>> render(Paragraph("<b>", note=True))
'<p class="gs-note">&lt;b&gt;</p>'
>>> render(Findings(["女多於男"]))
'<section class="gs-findings"><h3>分析發現</h3><ul><li>女多於男</li></ul></section>'
"""

from __future__ import annotations

import base64
import re
from functools import singledispatch
from typing import Any

from genderstats.present.model import (
    Cell,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Row,
    Section,
    Slot,
    Table,
)
from genderstats.privacy import escape

__all__ = ["Html", "render", "render_chart", "with_contents", "NARROW_MEDIA"]

# The phone rendition of a chart is chosen below this width (CSS pixels).
NARROW_MEDIA = "(max-width: 480px)"


class Html:
    """Finished HTML from this renderer, shown as such by JupyterLab and nbconvert."""

    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


# A masked name (王○明, 歐陽○明): a line may break beside ○, so each is kept whole in a span.
_MASKED = re.compile(r"[^\s、，,;；()（）&]{1,3}○[^\s、，,;；()（）&]{0,3}")

@singledispatch
def render(block: Any) -> str:
    """``block`` as HTML. A block this renderer does not know is an error, never text."""
    if hasattr(block, "png") and hasattr(block, "alt"):
        return render_chart(block)
    if isinstance(block, Html):
        return block.html
    raise TypeError(f"無法以 HTML 呈現 {type(block).__name__}")


@render.register
def _heading(block: Heading) -> str:
    level = block.level
    anchor = f' id="{escape(block.anchor)}"' if block.anchor is not None else ""
    return f"<h{level}{anchor}>{escape(block.text)}</h{level}>"


def _prose(text: str) -> str:
    """Escaped text with each masked name kept whole on one line."""
    return _MASKED.sub(lambda m: f'<span class="gs-name">{m.group(0)}</span>', escape(text))


@render.register
def _paragraph(block: Paragraph) -> str:
    cls = ' class="gs-note"' if block.note else ""
    return f"<p{cls}>{_prose(block.text)}</p>"


@render.register
def _item_list(block: ItemList) -> str:
    return "<ul>" + "".join(f"<li>{_prose(i)}</li>" for i in block.items) + "</ul>"


@render.register
def _findings(block: Findings) -> str:
    body = (render(ItemList(block.items)) if block.items else "<p>（無）</p>")
    return f'<section class="gs-findings"><h3>{escape(block.title)}</h3>{body}</section>'


@render.register
def _group(block: Group) -> str:
    return "".join(render(b) for b in block.blocks if b is not None)


@render.register
def _section(block: Section) -> str:
    inner = "".join(render(b) for b in block.blocks if b is not None)
    return render(Heading(block.title, block.level, block.anchor)) + inner


@render.register
def _slot(block: Slot) -> str:
    # The page has nothing to show there: the slot is for the editable document.
    return ""


@render.register
def _document(block: Document) -> str:
    inner = "".join(render(b) for b in block.blocks if b is not None)
    return f"<h1>{escape(block.title)}</h1>{inner}"


# --------------------------------------------------------------------------- tables

_MARK_CLASSES = {"suppressed": "gs-suppressed", "corner": "gs-corner", "note": "gs-note"}


def _cell(cell: Cell) -> str:
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
    text = escape(cell.text)
    if cell.link is not None:
        text = f'<a href="{escape(cell.link)}">{text}</a>'
    elif not cell.header:
        text = _prose(cell.text)
    return f"<{tag}{attrs}>{text}</{tag}>"


def _row(row: Row) -> str:
    tr = '<tr class="gs-total">' if row.total else "<tr>"
    return tr + "".join(_cell(c) for c in row.cells) + "</tr>"


@render.register
def _table(block: Table) -> str:
    caption = escape(block.caption)
    cls = "gs-table" + (f" gs-{block.kind}" if block.kind else "")
    groups = "".join(f'<colgroup span="{n}"></colgroup>' for n in block.col_groups)
    head = f"<thead>{''.join(_row(r) for r in block.head)}</thead>" if block.head else ""
    body = f"<tbody>{''.join(_row(r) for r in block.rows)}</tbody>"
    foot = ""
    if block.note:
        foot = (f'<tfoot><tr><td class="gs-note" colspan="{block.width}">'
                f"{escape(block.note)}</td></tr></tfoot>")
    # The wrapper scrolls sideways on a phone instead of letting the table overflow the page;
    # role/aria-label/tabindex let keyboard and screen-reader users reach that scroll area.
    return (f'<div class="gs-table-wrap" role="region" aria-label="{caption}" tabindex="0">'
            f'<table class="{cls}"><caption>{caption}</caption>{groups}{head}{body}{foot}'
            "</table></div>")


# --------------------------------------------------------------------------- figures


def render_chart(chart: Any) -> str:
    """A chart's self-contained ``<figure>`` (alt and caption escaped), then its numbers.

    On a phone the browser takes the narrow rendition from ``<picture>``; the numbers
    follow as a folded table 「查看數據」.
    """
    from genderstats.present.charts import png_size

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
    return f'<figure class="gs-chart">{img}{caption}</figure>{chart_data(chart)}'


def chart_data(chart: Any) -> str:
    """The chart's numbers as a table folded under 「查看數據」 ('' without data)."""
    table = chart.data_table()
    if table is None:
        return ""
    return (f'<details class="gs-chart-data"><summary>查看數據</summary>'
            f"{render(table)}</details>")


# --------------------------------------------------------------------------- pages

_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)(?:<a class="anchor-link".*?</a>)?</h2>', re.S)


def with_contents(page: str) -> str:
    """A published page with the table of contents of its h2 headings where the template
    marks it (``<!--gs-toc-->``); none for fewer than three headings."""
    headings = _HEADING.findall(page)
    if len(headings) < 3:
        return page.replace("<!--gs-toc-->", "")
    items = "".join(
        f'<li><a href="#{hid}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>'
        for hid, text in headings
    )
    toc = f'<nav class="gs-toc" aria-label="目錄"><h2>目錄</h2><ol>{items}</ol></nav>'
    return page.replace("<!--gs-toc-->", toc, 1)
