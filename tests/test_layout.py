"""Tables laid out for their content: column widths from the model, used by the ODT and the
page; tokens (figures, dates, masked names, item numbers, ☐ marks) never broken; wide tables
on landscape pages in the ODT and as cards on a phone; no blank last page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from genderstats.pipeline import pdf
from genderstats.present import html, odf, tokens
from genderstats.present.model import Cell, Document, Paragraph, Row, Section, Table

NS = {
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
HEAD = ["項次", "辦理日期", "訓練班期名稱", "訓練對象", "訓練目標（內容）或活動簡介", "講師資料",
        "課程類別", "訓練方式", "時數", "參加人數"]
AIM = "推動本局服務政策培養性別敏感度，使性別主流化之理念、目標與操作架構與業務工作相結合。"
ROW = ["1.", "112/09/01", "從 AI 技術看性別化差異", "☑ 一般公務人員 ☑ 高階公務人員 ☐ 職工 ☐ 其他",
       AIM, "國立清華大學資工系尤○涵教授", "☐ 基礎課程 ☑ 進階課程 ☐ CEDAW ☑ 性別主流化",
       "☐ 一般講授 ☑ 多元形式 ☑ 含實際案例討論 ☐ 經課前問卷調查所辦理 "
       "☑ 設計課後評估或滿意度調查問卷",
       "3", "總計73人 男38人 女35人"]


def q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def courses() -> Table:
    """The form's 自辦訓練 table: ten columns, long texts beside dates and figures."""
    return Table.from_rows("112年自辦訓練", [HEAD], [ROW], numeric=[False] * 8 + [True, False])


def gender() -> Table:
    head = ["類別", "男", "女", "其他", "合計", "男性比例", "女性比例"]
    return Table.from_rows("委員性別", [head],
                           [["外聘委員", "5", "4", "0", "9", "55.56%", "44.44%"]],
                           numeric=[False] + [True] * 6)


# ---------------------------------------------------------------- tokens


def test_tokens_are_found_and_the_pieces_give_the_text_back():
    text = "參訓率為64.29%（72/112），預算7,500 元，講師梁○妤、歐陽○明，112/08/28辦理；☐ 職工"
    pieces = tokens.split(text)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p, whole in pieces if whole] == [
        "64.29%", "72/112", "7,500", "師梁○妤", "歐陽○明", "112/08/28", "☐ 職"]
    assert [p for p, whole in tokens.split("1. 一、本年度") if whole] == ["1."]
    # Plain digits never break: they need no markup.
    assert tokens.split("alert(1)") == [("alert(1)", False)]


def test_a_texts_narrowest_width_is_its_longest_token_or_word():
    assert tokens.narrowest("辦理日期") == 1.0
    assert tokens.narrowest("初次提報審查 112/08/28") == pytest.approx(9 * 0.55)
    assert tokens.narrowest("☐ CEDAW ☑ 性別") == pytest.approx(5 * 0.55)  # 「CEDAW」
    assert tokens.narrowest("☑ 性別") == pytest.approx(1 + 0.55 + 1)  # 「☑ 性」
    assert tokens.widest("甲乙\n甲乙丙 12") == pytest.approx(3 + 3 * 0.55)


# ---------------------------------------------------------------- widths in the model


def test_column_widths_keep_every_token_whole_and_share_the_rest_by_text():
    table = courses()
    bounds = table.column_bounds()
    assert bounds[0] == (2.0, 2.0)  # 項次: 「1.」 and its two-character header
    assert bounds[1] == (pytest.approx(9 * 0.55), pytest.approx(9 * 0.55))  # 112/09/01
    assert bounds[8] == (2.0, 2.0)  # 時數 over 「3」
    assert bounds[4][0] == 4.0  # text: never under four characters a line
    widths = table.column_widths(76.0, 0.8)
    assert sum(widths) == pytest.approx(76.0)
    assert all(w >= low + 0.8 - 1e-9 for w, (low, _) in zip(widths, bounds, strict=True))
    # The room left goes to the long texts, not to the figures.
    assert widths[4] > 2 * widths[1] and widths[8] == pytest.approx(2.8)
    assert table.crowded(50.7, 0.8) and not table.crowded(76.6, 0.8)


def test_a_table_that_fits_gets_its_natural_widths():
    table = gender()
    natural = [high for _, high in table.column_bounds()]
    widths = table.column_widths(sum(natural) * 2)
    assert [w / widths[0] for w in widths] == pytest.approx([n / natural[0] for n in natural])
    assert table.figures_only and not courses().figures_only


def test_column_labels_join_a_group_and_its_column():
    top = Row((Cell("項次", header=True, rowspan=2), Cell("專家學者", header=True, colspan=2)))
    sub = Row((Cell("研商會議", header=True), Cell("性平小組", header=True)))
    table = Table("評估", (top, sub), (Row((Cell("1."), Cell("無"), Cell("王○明"))),))
    assert table.column_labels == ("項次", "專家學者／研商會議", "專家學者／性平小組")


# ---------------------------------------------------------------- the ODT


def content(document: Document) -> tuple[ET.Element, ET.Element]:
    with zipfile.ZipFile(io.BytesIO(odf.odt_bytes(document))) as z:
        return ET.fromstring(z.read("content.xml")), ET.fromstring(z.read("styles.xml"))


def test_a_crowded_table_goes_on_a_landscape_page_with_its_heading_and_back():
    doc = Document("報告", (
        Section("一、訓練", (Paragraph("前文"),)),
        Section("(五) 自辦訓練", (courses(),), level=3),
        Section("二、統計", (gender(),)),
    ))
    root, styles = content(doc)
    body = root.find(".//office:text", NS)
    kinds = [(e.tag.split("}")[1], e.get(q("text:style-name")) or e.get(q("table:style-name")))
             for e in body]
    start = kinds.index(("p", "GS_20_Landscape"))
    # The page turns before the heading over the table, and back after the table.
    assert kinds[start + 1][0] == "h" and kinds[start + 2] == ("p", "Table")
    assert kinds[start + 3] == ("table", "GS_table_landscape")
    assert kinds[start + 4] == ("p", "GS_20_Portrait") and kinds[start + 5][0] == "h"
    masters = {m.get(q("style:name")): m.get(q("style:page-layout-name"))
               for m in styles.iter(q("style:master-page"))}
    assert masters == {"Standard": "GS_A4", "GS_20_Landscape": "GS_A4_landscape"}
    props = {p.get(q("style:name")): p.find(q("style:page-layout-properties"))
             for p in styles.iter(q("style:page-layout"))}
    land = props["GS_A4_landscape"]
    assert (land.get(q("fo:page-width")), land.get(q("fo:page-height")),
            land.get(q("style:print-orientation"))) == ("29.7cm", "21.0cm", "landscape")
    # The gender table fits the portrait page and stays there.
    assert kinds[-2] == ("table", "GS_table")


def _column_widths(root: ET.Element, table: ET.Element) -> list[float]:
    widths = {s.get(q("style:name")): float(s.find(q("style:table-column-properties"))
                                            .get(q("style:column-width")).removesuffix("cm"))
              for s in root.iter(q("style:style")) if s.get(q("style:family")) == "table-column"}
    return [widths[c.get(q("table:style-name"))] for c in table.iter(q("table:table-column"))]


def test_odt_columns_are_the_models_widths_on_the_page_they_are_set_on():
    root, _ = content(Document("報告", (courses(), Paragraph("後文"))))
    table = root.find(".//table:table", NS)
    widths = _column_widths(root, table)
    assert sum(widths) == pytest.approx(odf.PAGE.landscape_text_width_cm, abs=0.05)
    em = odf.TABLE_EM_CM
    padding = odf.CELL_PADDING_CM
    # 「112/09/01」 and 「1.」 fit their columns on one line; the aim gets the most room.
    assert widths[1] >= 9 * 0.55 * em + padding
    assert widths[0] >= 2 * em + padding - 0.005  # written to the hundredth of a cm
    assert max(widths) == widths[4] or max(widths) == widths[7]


def test_tokens_are_kept_whole_in_the_odt():
    doc = Document("報告", (Paragraph("實體課程參訓率為64.29%，講師梁○妤，7,500 元。☐ 職工"),
                          Table.from_rows("名單", [["姓名"]], [["梁○妤"]], row_headers=0),
                          Paragraph("完")))
    root, styles = content(doc)
    spans = [("".join(s.itertext())) for s in root.iter(q("text:span"))
             if s.get(q("text:style-name")) == "GS_20_Token"]
    # In running text a name's characters are joined (LibreOffice breaks between any two
    # ideographs); alone in its cell the name stays plain, its column being wide enough.
    assert spans == ["64.29%", "師\u2060梁\u2060○\u2060妤", "7,500", "☐\u00a0職", "梁○妤"]
    token = next(s for s in styles.iter(q("style:style"))
                 if s.get(q("style:name")) == "GS_20_Token")
    props = token.find(q("style:text-properties"))
    assert (props.get(q("fo:language")), props.get(q("style:language-asian"))) == ("zxx", "zxx")


def test_a_document_ending_in_a_table_ends_in_a_paragraph_that_takes_no_room():
    root, styles = content(Document("報告", (Paragraph("前文"), gender())))
    body = list(root.find(".//office:text", NS))
    assert body[-1].tag == q("text:p") and body[-1].get(q("text:style-name")) == "GS_20_End"
    assert body[-2].tag == q("table:table")
    end = next(s for s in styles.iter(q("style:style")) if s.get(q("style:name")) == "GS_20_End")
    assert end.find(q("style:paragraph-properties")).get(q("fo:line-height")) == "0.05cm"
    # A landscape table at the very end does not turn the page back (no blank last page).
    root, _ = content(Document("報告", (Paragraph("前文"), courses())))
    styles_used = [e.get(q("text:style-name")) for e in root.find(".//office:text", NS)]
    assert "GS_20_Portrait" not in styles_used and styles_used[-1] == "GS_20_End"


# ---------------------------------------------------------------- the page


def test_page_table_cards_on_a_phone_and_widths_on_a_desktop():
    page = courses().html
    assert 'class="gs-table gs-fill gs-wide gs-stack"' in page
    # Browsers keep a figure whole by themselves; a name needs a span, a check box a
    # no-break space.
    assert '<td data-label="辦理日期">112/09/01</td>' in page
    assert '<td class="gs-num" data-label="時數">3</td>' in page
    assert '<th scope="row"><span' not in page and '<th scope="row">1.</th>' in page
    shares = [float(w) for w in re.findall(r'<col style="width:([\d.]+)%">', page)]
    assert len(shares) == 10 and sum(shares) == pytest.approx(100, abs=0.2)
    assert '<td data-label="訓練對象">☑\u00a0一般公務人員 ☑\u00a0高階公務人員' in page
    assert '<span class="gs-name">系尤○涵</span>' in page
    # A table of figures keeps its form and its own width.
    small = gender().html
    assert "gs-stack" not in small and "<col" not in small and "data-label" not in small


def test_list_items_with_their_own_numbers_are_not_numbered_again():
    page = ('<h2 id="a">一、甲</h2><h2 id="b">(二) 乙</h2><h2 id="c">性別意識培力</h2>'
            "<!--gs-toc--><ol><li>1. 第一</li><li>其他</li></ol>")
    out = html.with_contents(page)
    assert ('<li class="gs-own-number"><a href="#a">一、甲</a></li>'
            '<li class="gs-own-number"><a href="#b">(二) 乙</a></li>'
            '<li><a href="#c">性別意識培力</a></li>') in out
    assert '<li class="gs-own-number">1. 第一</li><li>其他</li>' in out


def test_the_css_has_the_cards_and_the_no_wrap_spans():
    css = (Path(html.__file__).parents[1] / "templates" / "tables.css").read_text("utf-8")
    assert ".gs-stack td[data-label]::before { content: attr(data-label)" in css
    assert ".gs-table .gs-name { white-space: nowrap; }" in css
    # Text in cells wraps between any two characters; only column labels keep whole words.
    rules = re.findall(r"([^{}/]*)\{[^{}]*keep-all", css)
    assert [r.strip() for r in rules] == [".gs-table:not(.gs-fill) thead th",
                                          ".gs-table:not(.gs-stack) thead th"]


# ---------------------------------------------------------------- the production date


def test_committee_pages_give_their_production_time_in_roc_years():
    from datetime import datetime

    from nbformat.v4 import new_markdown_cell, new_notebook

    from genderstats.pipeline.publish import notebook_to_html

    nb = new_notebook(cells=[new_markdown_cell("## 一、甲")])
    page = notebook_to_html(nb, title="報告", year=112, built=datetime(2024, 2, 22, 9, 30))
    stamp = '<time class="gs-roc" datetime="2024-02-22 09:30">113/02/22 09:30</time>'
    assert f"<dt>產製時間</dt><dd>{stamp}</dd>" in page
    assert f"臺北市政府資訊局・{stamp} 產製" in page
    assert "2024-02-22 09:30<" not in page


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdftotext") is None or pdf.find_soffice() is None,
                    reason="LibreOffice 或 pdftotext 未安裝")
def test_a_table_that_fills_its_last_page_leaves_no_blank_page_after_it(tmp_path):
    """Rows added one by one until the table fills a page and runs onto the next: at one
    count it ends right at the foot of the page, where Writer's own closing paragraph
    would start a blank one."""
    for rows in range(18, 34):
        table = Table.from_rows("名單", [["序號", "姓名", "說明"]],
                                [[str(n), "王○明", "委員"] for n in range(rows)])
        path = tmp_path / f"{rows}.pdf"
        pdf.write_pdf(pdf.convert(odf.odt_bytes(Document("報告", (Paragraph("前文"), table)))),
                      path)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = text.split("\f")[:-1]
        blank = [n for n, page in enumerate(pages, start=1)
                 if not [line for line in page.splitlines() if line.strip()
                         and not re.search(r"第 \d+ 頁，共 \d+ 頁", line)]]
        assert blank == [], (rows, len(pages))
