"""The OpenDocument (ODT) renderer of the document model, for the results report.

A contact person opens the file in LibreOffice or Word, adjusts the wording and files it, so
everything is real document structure: ``text:h`` headings with outline levels, ``table:table``
tables whose header rows repeat on every page, figures as embedded pictures with their alt
text, A4 pages numbered in the footer, a Traditional Chinese font and language.
Text goes in as odfpy text nodes only, so data can never become markup.

>>> from genderstats.present.model import Document, Paragraph, Section
>>> data = odt_bytes(Document("示例", (Section("一、示例", (Paragraph("<b>"),)),)))
>>> data[:2], b"mimetype" in data[:60]
(b'PK', True)

Over 500 lines because one renderer writes every block type and the styles they share;
splitting it would put the styles apart from the elements that use them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import singledispatchmethod
from typing import Any

from odf import dc, draw, svg, teletype
from odf import table as otable
from odf import text as otext
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    FontFace,
    Footer,
    FooterStyle,
    GraphicProperties,
    HeaderFooterProperties,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TableRowProperties,
    TextProperties,
)
from odf.text import ListLevelStyleBullet, ListStyle

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
    Section,
    Slot,
    Table,
    layout,
    png_size,
)
from genderstats.present.tokens import is_name, split

__all__ = ["MIMETYPE", "PAGE", "OdtRenderer", "layout", "odt_bytes"]

MIMETYPE = "application/vnd.oasis.opendocument.text"

# The font the project installs (genderstats.fonts: Debian's fonts-noto-cjk) for body text and
# headings alike; Latin letters and digits come from it too, so 「女 14人 (40%)」 reads as one.
FONT = "Noto Sans CJK TC"
FONT_GENERIC = "swiss"


@dataclass(frozen=True)
class PageGeometry:
    """A4 portrait with 2 cm margins; the text width bounds tables and figures."""

    width_cm: float = 21.0
    height_cm: float = 29.7
    margin_cm: float = 2.0
    # Tall charts are scaled down so that a figure and its caption fit on one page.
    max_figure_height_cm: float = 20.0

    @property
    def text_width_cm(self) -> float:
        return self.width_cm - 2 * self.margin_cm

    @property
    def landscape_text_width_cm(self) -> float:
        return self.height_cm - 2 * self.margin_cm


PAGE = PageGeometry()
# Between the characters of a masked name: LibreOffice breaks between any two ideographs,
# also in a span it is told not to hyphenate, unless they are joined.
WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"

# Colours as in templates/tables.css: header #e6ebf1, borders #767676, notes #4a4a4a.
HEAD_BG = "#e6ebf1"
TOTAL_BG = "#f3f5f8"
BORDER = "0.5pt solid #767676"
TOTAL_RULE = "1.5pt solid #1b1b1b"
NOTE_COLOR = "#4a4a4a"
BODY_SIZE = "11pt"
TABLE_SIZE = "9.5pt"
NOTE_SIZE = "9pt"
CELL_PAD_CM = 0.08
# The table font's em, and what a column needs beside its text: the padding on both sides,
# the rules, and a little slack (a bold header is set a hair wider than it is measured).
TABLE_EM_CM = float(TABLE_SIZE.removesuffix("pt")) / 72 * 2.54
CELL_PADDING_CM = 2 * CELL_PAD_CM + 0.02 + 0.1
HEADING_SIZES = {1: "18pt", 2: "15pt", 3: "13pt", 4: "12pt", 5: "11pt", 6: "11pt"}

# A fixed time for every zip entry: the same document gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_GENERATOR = re.compile(rb"<meta:generator>[^<]*</meta:generator>")
# Characters XML 1.0 cannot hold (control characters pasted from a spreadsheet): one of them
# would make content.xml unreadable, so they are dropped; a CR becomes part of a line break.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _lang(props: dict[str, str]) -> dict[str, str]:
    """Language and font for western, Asian and complex text alike (zh-TW throughout)."""
    return {
        **props,
        "fontname": FONT, "fontnameasian": FONT, "fontnamecomplex": FONT,
        "language": "zh", "country": "TW",
        "languageasian": "zh", "countryasian": "TW",
    }


def _sized(size: str, **props: str) -> dict[str, str]:
    return {"fontsize": size, "fontsizeasian": size, "fontsizecomplex": size, **props}


def _bold() -> dict[str, str]:
    return {"fontweight": "bold", "fontweightasian": "bold", "fontweightcomplex": "bold"}


class OdtRenderer:
    """Builds one ODF text document from model blocks (one renderer per document)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.doc = OpenDocumentText()
        self._tables = 0
        self._figures = 0
        self._col_styles: dict[str, Style] = {}
        # The elements (caption, table, note) of each table set on a landscape page.
        self._landscape: set[int] = set()
        self._styles()
        self._page()
        self._meta()

    # ------------------------------------------------------------------ styles

    def _add(self, style: Style, automatic: bool = False) -> Style:
        (self.doc.automaticstyles if automatic else self.doc.styles).addElement(style)
        return style

    def _para_style(self, name: str, display: str, *, parent: str | None = "Standard",
                    para: dict[str, str] | None = None, text: dict[str, str] | None = None,
                    **attrs: Any) -> Style:
        kw = {"name": name, "displayname": display, "family": "paragraph", **attrs}
        if parent:
            kw["parentstylename"] = parent
        style = Style(**kw)
        if para:
            style.addElement(ParagraphProperties(**para))
        if text:
            style.addElement(TextProperties(**text))
        return self._add(style)

    def _styles(self) -> None:
        self.doc.fontfacedecls.addElement(FontFace(
            name=FONT, fontfamily=f"'{FONT}'", fontfamilygeneric=FONT_GENERIC,
            fontpitch="variable"))
        default = DefaultStyle(family="paragraph")
        default.addElement(ParagraphProperties(linebreak="strict", writingmode="lr-tb"))
        default.addElement(TextProperties(**_lang(_sized(BODY_SIZE))))
        self.doc.styles.addElement(default)

        self._para_style("Standard", "Standard", parent=None, **{"class": "text"},
                         para={"margintop": "0cm", "marginbottom": "0.2cm",
                               "lineheight": "140%"},
                         text=_lang(_sized(BODY_SIZE)))
        self._para_style("Text_20_body", "Text body",
                         para={"margintop": "0cm", "marginbottom": "0.25cm",
                               "textalign": "justify"})
        self._para_style("Heading", "Heading", nextstylename="Text_20_body",
                         **{"class": "text"},
                         para={"margintop": "0.45cm", "marginbottom": "0.2cm",
                               "keepwithnext": "always"},
                         text=_bold())
        for level, size in HEADING_SIZES.items():
            self._para_style(f"Heading_20_{level}", f"Heading {level}", parent="Heading",
                             nextstylename="Text_20_body", defaultoutlinelevel=str(level),
                             text=_sized(size))
        self._para_style("Title", "Title", parent="Heading", **{"class": "chapter"},
                         para={"textalign": "center"}, text=_sized(HEADING_SIZES[1]))
        self._para_style("Subtitle", "Subtitle", parent="Heading", **{"class": "chapter"},
                         para={"textalign": "center", "margintop": "0cm"},
                         text=_sized("13pt", fontweight="normal", fontweightasian="normal"))
        note = {"color": NOTE_COLOR, **_sized(NOTE_SIZE)}
        self._para_style("GS_20_Note", "GS Note", parent="Text_20_body",
                         para={"textalign": "start"}, text=note)
        self._para_style("GS_20_Findings_20_Title", "GS Findings Title", parent="Standard",
                         para={"margintop": "0.3cm", "keepwithnext": "always"},
                         text=_bold())
        self._para_style("List_20_Contents", "List Contents", parent="Standard",
                         para={"marginbottom": "0.1cm"})
        # LibreOffice's own caption styles, so its caption numbering and lists find them.
        self._para_style("Caption", "Caption", parent="Standard", **{"class": "extra"},
                         para={"margintop": "0.25cm", "marginbottom": "0.15cm"},
                         text=_bold())
        self._para_style("Table", "Table", parent="Caption", **{"class": "extra"},
                         para={"keepwithnext": "always"})
        self._para_style("Figure", "Figure", parent="Caption", **{"class": "extra"},
                         para={"textalign": "center"})
        self._para_style("GS_20_Figure_20_Body", "GS Figure Body", parent="Standard",
                         para={"textalign": "center", "keepwithnext": "always",
                               "margintop": "0.2cm"})
        table_text = _sized(TABLE_SIZE)
        self._para_style("Table_20_Contents", "Table Contents", parent="Standard",
                         **{"class": "extra"},
                         para={"marginbottom": "0cm", "lineheight": "125%"}, text=table_text)
        self._para_style("GS_20_Table_20_Number", "GS Table Number", parent="Table_20_Contents",
                         para={"textalign": "end"})
        self._para_style("Table_20_Heading", "Table Heading", parent="Table_20_Contents",
                         **{"class": "extra"}, para={"textalign": "center"}, text=_bold())
        self._para_style("GS_20_Row_20_Heading", "GS Row Heading", parent="Table_20_Contents",
                         para={"textalign": "start"}, text=_bold())
        self._para_style("GS_20_Total", "GS Total", parent="Table_20_Contents",
                         para={"textalign": "start"}, text=_bold())
        self._para_style("GS_20_Total_20_Number", "GS Total Number", parent="Table_20_Contents",
                         para={"textalign": "end"}, text=_bold())
        self._para_style("Footer", "Footer", parent="Standard", **{"class": "extra"},
                         para={"textalign": "center", "marginbottom": "0cm"}, text=note)

        # Figures, dates and masked names: LibreOffice's Chinese line breaking cuts them
        # anywhere (「64.|29%」, 「112/0|8/28」); as text of no language it keeps them whole.
        token = Style(name="GS_20_Token", displayname="GS Token", family="text")
        token.addElement(TextProperties(language="zxx", country="none", languageasian="zxx",
                                        countryasian="none", hyphenate="false"))
        self.doc.styles.addElement(token)
        # Empty paragraphs that take no room and turn the page: to landscape before a wide
        # table (and the headings over it), back to portrait after it.
        flat = {"margintop": "0cm", "marginbottom": "0cm", "lineheight": "0.05cm"}
        tiny = _sized("1pt")
        self._para_style("GS_20_Landscape", "GS Landscape", masterpagename="GS_20_Landscape",
                         para=flat, text=tiny)
        self._para_style("GS_20_Portrait", "GS Portrait", masterpagename="Standard",
                         para=flat, text=tiny)
        # Writer ends a document that ends in a table with an empty body-size paragraph,
        # which a page-filling table pushes onto a blank last page: this one takes no room.
        self._para_style("GS_20_End", "GS End", para=flat, text=tiny)

        bullets = ListStyle(name="GS_20_Bullets", displayname="GS Bullets")
        level = ListLevelStyleBullet(level=1, bulletchar="•")
        level.addElement(ListLevelProperties(spacebefore="0.2cm", minlabelwidth="0.5cm"))
        bullets.addElement(level)
        self.doc.styles.addElement(bullets)

        # Automatic styles: tables and their cells, the figure frame.
        self._figure_style = self._add(Style(name="GS_figure", family="graphic",
                                             parentstylename="Graphics"), automatic=True)
        self._figure_style.addElement(GraphicProperties(
                      wrap="none", verticalpos="top", verticalrel="baseline",
                      horizontalpos="center", horizontalrel="paragraph"))
        self._add(Style(name="Graphics", displayname="Graphics", family="graphic"))
        for name, width in (("GS_table", PAGE.text_width_cm),
                            ("GS_table_landscape", PAGE.landscape_text_width_cm)):
            table = self._add(Style(name=name, family="table"), automatic=True)
            table.addElement(TableProperties(width=f"{width:.2f}cm", align="margins",
                                             margintop="0cm", marginbottom="0.15cm"))
        row = self._add(Style(name="GS_row", family="table-row"), automatic=True)
        # A row is never split across pages; the header rows repeat on the next page.
        row.addElement(TableRowProperties(keeptogether="always"))
        pad = {"padding": f"{CELL_PAD_CM}cm", "verticalalign": "middle"}
        for name, props in {
            "GS_cell": {"border": BORDER},
            "GS_head": {"border": BORDER, "backgroundcolor": HEAD_BG},
            "GS_total": {"border": BORDER, "bordertop": TOTAL_RULE, "backgroundcolor": TOTAL_BG},
        }.items():
            cell = self._add(Style(name=name, family="table-cell"), automatic=True)
            cell.addElement(TableCellProperties(**pad, **props))

    def _page(self) -> None:
        """A4 portrait pages (master page ``Standard``) and landscape ones for wide tables,
        both with the title and page numbers in the footer."""
        for name, master_name, display, width, height, orientation in (
                ("GS_A4", "Standard", "Standard", PAGE.width_cm, PAGE.height_cm, "portrait"),
                ("GS_A4_landscape", "GS_20_Landscape", "Landscape", PAGE.height_cm,
                 PAGE.width_cm, "landscape")):
            self._master(name, master_name, display, width, height, orientation)

    def _master(self, name: str, master_name: str, display: str, width: float,
                height: float, orientation: str) -> None:
        layout_ = PageLayout(name=name)
        margin = f"{PAGE.margin_cm:.1f}cm"
        layout_.addElement(PageLayoutProperties(
            pagewidth=f"{width:.1f}cm", pageheight=f"{height:.1f}cm",
            printorientation=orientation, margintop=margin, marginbottom="1.4cm",
            marginleft=margin, marginright=margin, writingmode="lr-tb"))
        footer_style = FooterStyle()
        footer_style.addElement(HeaderFooterProperties(minheight="0.6cm", margintop="0.4cm"))
        layout_.addElement(footer_style)
        self.doc.automaticstyles.addElement(layout_)

        master = MasterPage(name=master_name, displayname=display, pagelayoutname=layout_)
        footer = Footer()
        line = otext.P(stylename="Footer")
        teletype.addTextToElement(line, f"{self.title}　第 ")
        line.addElement(otext.PageNumber(selectpage="current", numformat="1"))
        line.addText(" 頁，共 ")
        line.addElement(otext.PageCount())
        line.addText(" 頁")
        footer.addElement(line)
        master.addElement(footer)
        self.doc.masterstyles.addElement(master)

    def _meta(self) -> None:
        self.doc.meta.addElement(dc.Title(text=self.title))
        self.doc.meta.addElement(dc.Language(text="zh-TW"))

    # ------------------------------------------------------------------ blocks

    def _text(self, element: Any, text: str) -> Any:
        """``text`` into ``element``, each token that must stay whole in a GS Token span."""
        # teletype turns tabs, line breaks and runs of spaces into their ODF elements.
        clean = _NOT_XML.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
        pieces = split(clean)
        for piece, whole in pieces:
            if not whole:
                teletype.addTextToElement(element, piece)
                continue
            span = otext.Span(stylename="GS_20_Token")
            # A name alone in its cell needs no joiners: its column is at least as wide as
            # the name (Table.column_bounds), and the plain name stays searchable.
            joined = is_name(piece) and len(pieces) > 1
            piece = piece.replace(" ", NO_BREAK_SPACE)  # 「☐ 基礎」: the mark and its label
            teletype.addTextToElement(span, WORD_JOINER.join(piece) if joined else piece)
            element.addElement(span)
        return element

    def _p(self, text: str, style: str = "Text_20_body") -> Any:
        return self._text(otext.P(stylename=style), text)

    def _h(self, text: str, level: int, anchor: str | None = None,
           style: str | None = None) -> Any:
        level = min(max(int(level), 1), 10)
        style = style or f"Heading_20_{min(level, max(HEADING_SIZES))}"
        heading = otext.H(outlinelevel=level, stylename=style)
        if anchor:
            heading.addElement(otext.Bookmark(name=anchor))
        return self._text(heading, text)

    def add(self, block: Any) -> None:
        """Append ``block`` (and what it contains) to the document body: after a landscape
        table the pages turn back to portrait, and the body never ends in a table."""
        elements = self.elements(block)
        wide = self._on_landscape(elements)
        for pos, element in enumerate(elements):
            if wide[pos] and (pos == 0 or not wide[pos - 1]):
                self.doc.text.addElement(otext.P(stylename="GS_20_Landscape"))
            self.doc.text.addElement(element)
            if wide[pos] and pos + 1 < len(elements) and not wide[pos + 1]:
                self.doc.text.addElement(otext.P(stylename="GS_20_Portrait"))
        if elements and elements[-1].qname == otable.Table().qname:
            self.doc.text.addElement(otext.P(stylename="GS_20_End"))

    def _on_landscape(self, elements: list[Any]) -> list[bool]:
        """Which of ``elements`` go on landscape pages: each wide table with its caption and
        note, and the headings just over it (a heading never ends a page alone), so that
        wide tables under consecutive headings share their landscape pages."""
        heading = otext.H(outlinelevel=1).qname
        wide = [id(e) in self._landscape for e in elements]
        for pos in range(len(elements) - 1, 0, -1):
            if wide[pos] and not wide[pos - 1]:
                back = pos - 1
                while back >= 0 and elements[back].qname == heading:
                    wide[back] = True
                    back -= 1
        return wide

    @singledispatchmethod
    def elements(self, block: Any) -> list[Any]:
        """The ODF elements of ``block``; a block this renderer does not know is an error."""
        raise TypeError(f"無法以 ODF 呈現 {type(block).__name__}")

    @elements.register
    def _(self, block: Heading) -> list[Any]:
        return [self._h(block.text, block.level, block.anchor)]

    @elements.register
    def _(self, block: Paragraph) -> list[Any]:
        return [self._p(block.text, "GS_20_Note" if block.note else "Text_20_body")]

    @elements.register
    def _(self, block: ItemList) -> list[Any]:
        items = otext.List(stylename="GS_20_Bullets")
        for item in block.items:
            li = otext.ListItem()
            li.addElement(self._p(item, "List_20_Contents"))
            items.addElement(li)
        return [items]

    @elements.register
    def _(self, block: Findings) -> list[Any]:
        out = [self._p(block.title, "GS_20_Findings_20_Title")]
        out += self.elements(ItemList(block.items)) if block.items else [self._p("（無）")]
        return out

    @elements.register
    def _(self, block: Group) -> list[Any]:
        return [e for b in block.blocks if b is not None for e in self.elements(b)]

    @elements.register
    def _(self, block: Section) -> list[Any]:
        out = [self._h(block.title, block.level, block.anchor)]
        return out + [e for b in block.blocks if b is not None for e in self.elements(b)]

    @elements.register
    def _(self, block: Slot) -> list[Any]:
        # For the contact person: marked so it is seen and replaced before filing.
        return [self._p(f"〔{block.text}〕", "GS_20_Note")]

    @elements.register
    def _(self, block: Document) -> list[Any]:
        # The title is the outline's first level (the navigator and a table of contents show
        # it), centred in the Title style.
        out = [self._h(block.title, 1, style="Title")]
        if block.subtitle:
            out.append(self._p(block.subtitle, "Subtitle"))
        return out + [e for b in block.blocks if b is not None for e in self.elements(b)]

    # ------------------------------------------------------------------ tables

    def _column_style(self, width_cm: float) -> str:
        key = f"{width_cm:.2f}"
        if key not in self._col_styles:
            style = Style(name=f"GS_col_{len(self._col_styles) + 1}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{key}cm",
                                                   relcolumnwidth=f"{round(width_cm * 1000)}*"))
            self._col_styles[key] = self._add(style, automatic=True)
        return self._col_styles[key].getAttribute("name")

    @staticmethod
    def landscape(block: Table) -> bool:
        """Whether ``block`` goes on a landscape page: it would be crowded on a portrait one
        (:meth:`Table.crowded`)."""
        return block.crowded(PAGE.text_width_cm / TABLE_EM_CM, CELL_PADDING_CM / TABLE_EM_CM)

    def _cell(self, cell: Cell, in_head: bool, total: bool) -> Any:
        heading = cell.header or "corner" in cell.marks
        if in_head:
            style, para = "GS_head", "Table_20_Heading"
        elif total:
            style, para = "GS_total", ("GS_20_Total_20_Number" if cell.numeric else "GS_20_Total")
        elif heading:
            style, para = "GS_cell", "GS_20_Row_20_Heading"
        else:
            style, para = "GS_cell", ("GS_20_Table_20_Number" if cell.numeric
                                      else "Table_20_Contents")
        attrs: dict[str, Any] = {"stylename": style, "valuetype": "string"}
        if cell.colspan > 1:
            attrs["numbercolumnsspanned"] = cell.colspan
        if cell.rowspan > 1:
            attrs["numberrowsspanned"] = cell.rowspan
        element = otable.TableCell(**attrs)
        paragraph = otext.P(stylename=para)
        if cell.link is not None:
            paragraph.addElement(self._text(otext.A(href=cell.link, type="simple"), cell.text))
        else:
            self._text(paragraph, cell.text)
        element.addElement(paragraph)
        return element

    def _row(self, placed: list[Placed], in_head: bool, total: bool) -> Any:
        row = otable.TableRow(stylename="GS_row")
        for p in placed:
            row.addElement(otable.CoveredTableCell() if p.cell is None
                           else self._cell(p.cell, in_head, total))
        return row

    @elements.register
    def _(self, block: Table) -> list[Any]:
        self._tables += 1
        grid = layout((*block.head, *block.rows))
        if not grid:
            # ODF has no table without a cell: an empty table is its caption and note only.
            out = [self._p(block.caption, "Table")] if block.caption else []
            return out + ([self._p(block.note, "GS_20_Note")] if block.note else [])
        wide = self.landscape(block)
        out = [self._p(block.caption, "Table")] if block.caption else []
        head_grid, body_grid = grid[:len(block.head)], grid[len(block.head):]
        table = otable.Table(name=f"表格{self._tables}",
                             stylename="GS_table_landscape" if wide else "GS_table")
        text_width = PAGE.landscape_text_width_cm if wide else PAGE.text_width_cm
        for width in block.column_widths(text_width / TABLE_EM_CM,
                                         CELL_PADDING_CM / TABLE_EM_CM):
            table.addElement(otable.TableColumn(
                stylename=self._column_style(width * TABLE_EM_CM)))
        if head_grid:
            # Header rows repeat at the top of every page the table runs onto.
            header = otable.TableHeaderRows()
            for line in head_grid:
                header.addElement(self._row(line, True, False))
            table.addElement(header)
        for line, row in zip(body_grid, block.rows, strict=True):
            table.addElement(self._row(line, False, row.total))
        out.append(table)
        if block.note:
            out.append(self._p(block.note, "GS_20_Note"))
        if wide:
            self._landscape.update(id(e) for e in out)
        return out

    # ------------------------------------------------------------------ figures

    @elements.register
    def _(self, chart: Chart) -> list[Any]:
        self._figures += 1
        px_w, px_h = png_size(chart.png)
        width = PAGE.text_width_cm
        height = width * px_h / max(px_w, 1)
        if height > PAGE.max_figure_height_cm:
            width, height = width * PAGE.max_figure_height_cm / height, PAGE.max_figure_height_cm
        href = self.doc.addPicture(f"Pictures/figure{self._figures}.png", "image/png",
                                   bytes(chart.png))
        frame = draw.Frame(stylename=self._figure_style, name=f"圖{self._figures}",
                           anchortype="as-char", width=f"{width:.2f}cm",
                           height=f"{height:.2f}cm")
        frame.addElement(draw.Image(href=href, type="simple", show="embed", actuate="onLoad"))
        title = chart.title or chart.caption or ""
        if title:
            frame.addElement(svg.Title(text=title))
        frame.addElement(svg.Desc(text=chart.alt))
        body = otext.P(stylename="GS_20_Figure_20_Body")
        body.addElement(frame)
        out = [body]
        if chart.caption:
            out.append(self._p(chart.caption, "Figure"))
        return out

    # ------------------------------------------------------------------ output

    def to_bytes(self) -> bytes:
        """The package: ``mimetype`` first and stored, every entry at a fixed time."""
        raw = io.BytesIO()
        self.doc.write(raw)
        return _normalised(raw.getvalue())


def _normalised(package: bytes) -> bytes:
    """The same package with fixed entry times and genderstats as its generator, so the
    same document gives the same bytes and no tool version is published."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "meta.xml":
                data = _GENERATOR.sub(b"<meta:generator>genderstats</meta:generator>", data)
            entry = zipfile.ZipInfo(info.filename, _ZIP_TIME)
            entry.compress_type = info.compress_type
            entry.external_attr = info.external_attr
            dst.writestr(entry, data)
    return out.getvalue()


def odt_bytes(document: Document) -> bytes:
    """``document`` as the bytes of an ODF text document (``.odt``)."""
    renderer = OdtRenderer(document.title)
    renderer.add(document)
    return renderer.to_bytes()


def record_document(document: Document) -> None:
    """Hand ``document`` to the build as an ODT, to publish as ``<report>.odt`` (and PDF).

    Like every record it is an output of the notebook, so a plain papermill run or a
    JupyterLab session writes no file.
    """
    import base64

    from genderstats.record import DOCUMENT_MIME, emit

    emit(DOCUMENT_MIME, {"odt": base64.b64encode(odt_bytes(document)).decode("ascii")})
