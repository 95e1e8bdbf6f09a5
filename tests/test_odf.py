"""The results report as an ODF text document, and its PDF from LibreOffice headless."""

from __future__ import annotations

import re
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from genderstats.pipeline import pdf as pdfmod
from genderstats.present import odf
from genderstats.present.charts import donut
from genderstats.present.model import (
    Chart,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Section,
    Table,
    render_html,
)
from genderstats.present.tables import band_block, frame_block, gender_block
from genderstats.stats import counts_table

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
TITLE = "112年度推動性別平等工作成果報告"
SOFFICE = pdfmod.find_soffice()
needs_office = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice 未安裝（sudo apt-get install libreoffice-writer-nogui）")


def q(name: str) -> str:
    """'text:h' as ElementTree's '{namespace}h'."""
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


@pytest.fixture(scope="module")
def document() -> Document:
    members = counts_table({"全體委員": {"男": 6, "女": 11}})
    committee = gender_block(counts_table({"全體委員": {"男": 6, "女": 11}}, total=True),
                             "表1 性別平等專案小組委員性別統計")
    bands = band_block(counts_table({"51-60歲": {"男": 7, "女": 45},
                                     "61歲以上": {"男": 3, "女": 9}}),
                       "表2 銀髮族參訓人次", row_label="銀髮族")
    roster = frame_block(pd.DataFrame({"職稱": ["委員", "委員"], "姓名": ["王小明", "歐陽大華"]}),
                         "表3 採購審查小組名單", mask_cols=["姓名"],
                         note="註：姓名已遮罩。")
    chart = donut(members, title="性別平等專案小組委員性別", caption="圖1 委員性別比例")
    return Document(TITLE, (
        Section("一、特色或亮點", (
            Paragraph("本局 112 年共開設 121 班，總計 2,526 人次。<b>&amp;</b>"),
            Heading("（一）委員組成", 3, anchor="members"),
            Group((committee, Paragraph("資料來源：本局。", note=True))),
            chart,
        )),
        Section("七、策略及具體措施", (
            bands, roster,
            ItemList(("辦理性別意識培力", "推動數位平權")),
            Findings(["女性委員占 64.71%"]),
            Findings([], title="建議"),
        )),
    ), subtitle="臺北市政府資訊局")


@pytest.fixture(scope="module")
def odt(document: Document, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_odt(document, tmp_path_factory.mktemp("odt") / "annual-report.odt")


def write_odt(document: Document, path: Path) -> Path:
    path.write_bytes(odf.odt_bytes(document))
    return path


def part(path: Path, name: str) -> ET.Element:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read(name))


# --------------------------------------------------------------------------- the package


def test_mimetype_is_the_first_entry_stored_uncompressed(odt: Path) -> None:
    with zipfile.ZipFile(odt) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        names = z.namelist()
    # Readers find the mimetype at a fixed offset: no extra field before the content.
    assert odt.read_bytes()[30:38] == b"mimetype"
    for name in ("content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"):
        assert name in names
        part(odt, name)  # parses


def test_same_document_gives_the_same_bytes(document: Document) -> None:
    assert odf.odt_bytes(document) == odf.odt_bytes(document)


def test_meta_has_title_language_and_no_tool_version(odt: Path) -> None:
    meta = part(odt, "meta.xml")
    assert meta.find(".//dc:title", NS).text == TITLE
    assert meta.find(".//dc:language", NS).text == "zh-TW"
    assert meta.find(".//meta:generator", NS).text == "genderstats"


# --------------------------------------------------------------------------- content


def test_headings_have_outline_levels(odt: Path) -> None:
    body = part(odt, "content.xml")
    heads = [(h.get(q("text:outline-level")), text_of(h)) for h in body.iter(q("text:h"))]
    assert heads == [("1", TITLE), ("2", "一、特色或亮點"), ("3", "（一）委員組成"),
                     ("2", "七、策略及具體措施")]
    bookmark = body.find(".//text:h/text:bookmark", NS)
    assert bookmark.get(q("text:name")) == "members"


def test_text_is_escaped_by_construction(odt: Path) -> None:
    body = part(odt, "content.xml")
    paragraphs = [text_of(p) for p in body.iter(q("text:p"))]
    assert "本局 112 年共開設 121 班，總計 2,526 人次。<b>&amp;</b>" in paragraphs
    with zipfile.ZipFile(odt) as z:
        raw = z.read("content.xml").decode("utf-8")
    assert "。&lt;b&gt;&amp;amp;&lt;/b&gt;</text:p>" in raw


def test_notes_lists_and_findings(odt: Path) -> None:
    body = part(odt, "content.xml")
    styled = [(p.get(q("text:style-name")), text_of(p)) for p in body.iter(q("text:p"))]
    assert ("GS_20_Note", "資料來源：本局。") in styled
    assert ("GS_20_Note", "註：姓名已遮罩。") in styled
    assert ("GS_20_Findings_20_Title", "分析發現") in styled
    assert ("GS_20_Findings_20_Title", "建議") in styled
    lists = [[text_of(i) for i in li.iter(q("text:list-item"))]
             for li in body.iter(q("text:list"))]
    assert lists == [["辦理性別意識培力", "推動數位平權"], ["女性委員占 64.71%"]]
    # An empty findings box says so.
    after = [t for _, t in styled][[t for _, t in styled].index("建議") + 1]
    assert after == "（無）"


def tables(odt: Path) -> dict[str, ET.Element]:
    body = part(odt, "content.xml")
    return {t.get(q("table:name")): t for t in body.iter(q("table:table"))}


def grid_of(table: ET.Element) -> list[list[str]]:
    """Each row's positions: its text, or '·' for a covered cell."""
    rows = []
    for row in table.iter(q("table:table-row")):
        cells = []
        for cell in row:
            cells.append("·" if cell.tag == q("table:covered-table-cell") else text_of(cell))
        rows.append(cells)
    return rows


def test_gender_table_columns_header_rows_and_total(odt: Path) -> None:
    table = tables(odt)["表格1"]
    columns = table.findall("table:table-column", NS)
    assert len(columns) == 8
    header = table.find("table:table-header-rows", NS)
    assert [text_of(c) for c in header.iter(q("table:table-cell"))] == [
        "類別", "男性人數", "女性人數", "其他性別人數", "總人數", "男性比例", "女性比例",
        "其他性別比例"]
    assert grid_of(table)[1:] == [
        ["全體委員", "6", "11", "0", "17", "35.29%", "64.71%", "0.00%"],
        ["合計", "6", "11", "0", "17", "35.29%", "64.71%", "0.00%"],
    ]
    body_rows = table.findall("table:table-row", NS)
    first, total = ([c.find("text:p", NS).get(q("text:style-name")) for c in r]
                    for r in body_rows)
    assert first[1:] == ["GS_20_Table_20_Number"] * 7
    assert total == ["GS_20_Total"] + ["GS_20_Total_20_Number"] * 7


def test_table_caption_above_and_note_below(odt: Path) -> None:
    body = part(odt, "content.xml").find(".//office:text", NS)
    children = list(body)
    pos = next(i for i, e in enumerate(children) if e.get(q("table:name")) == "表格3")
    caption, note = children[pos - 1], children[pos + 1]
    assert caption.get(q("text:style-name")) == "Table"
    assert text_of(caption) == "表3 採購審查小組名單"
    assert (note.get(q("text:style-name")), text_of(note)) == ("GS_20_Note", "註：姓名已遮罩。")


def test_band_table_spans_and_covered_cells(odt: Path) -> None:
    table = tables(odt)["表格2"]
    assert len(table.findall("table:table-column", NS)) == 8
    assert len(table.findall("table:table-header-rows/table:table-row", NS)) == 2
    assert grid_of(table) == [
        ["", "·", "51-60歲", "·", "·", "61歲以上", "·", "·"],
        ["·", "·", "男", "女", "其他", "男", "女", "其他"],
        ["銀髮族", "人次", "7", "45", "0", "3", "9", "0"],
        ["·", "百分比", "13%", "87%", "-", "25%", "75%", "-"],
    ]
    corner = table.find(".//table:table-cell", NS)
    assert corner.get(q("table:number-columns-spanned")) == "2"
    assert corner.get(q("table:number-rows-spanned")) == "2"
    spans = [c.get(q("table:number-columns-spanned"))
             for c in table.iter(q("table:table-cell")) if text_of(c).endswith("歲以上")
             or text_of(c) == "51-60歲"]
    assert spans == ["3", "3"]
    group = [c for c in table.iter(q("table:table-cell")) if text_of(c) == "銀髮族"][0]
    assert group.get(q("table:number-rows-spanned")) == "2"


def test_masked_names_only(odt: Path) -> None:
    with zipfile.ZipFile(odt) as z:
        content = z.read("content.xml").decode("utf-8")
    assert grid_of(tables(odt)["表格3"])[1:] == [["委員", "王○明"], ["委員", "歐陽○華"]]
    assert "王小明" not in content and "歐陽大華" not in content


def test_figure_is_embedded_with_alt_text_at_text_width(odt: Path, document: Document) -> None:
    chart = document.blocks[0].blocks[3]
    body = part(odt, "content.xml")
    frame = body.find(".//draw:frame", NS)
    image = frame.find("draw:image", NS)
    href = image.get(q("xlink:href"))
    assert href == "Pictures/figure1.png"
    assert frame.find("svg:title", NS).text == "性別平等專案小組委員性別"
    assert frame.find("svg:desc", NS).text == chart.alt
    assert chart.alt.startswith("圓餅圖：性別平等專案小組委員性別，全體委員17人，女性11人（65%）")
    width = float(frame.get(q("svg:width")).removesuffix("cm"))
    height = float(frame.get(q("svg:height")).removesuffix("cm"))
    px_w, px_h = chart.pixel_size
    assert width == pytest.approx(17.0)
    assert height == pytest.approx(17.0 * px_h / px_w, abs=0.01)
    captions = [text_of(p) for p in body.iter(q("text:p"))
                if p.get(q("text:style-name")) == "Figure"]
    assert captions == ["圖1 委員性別比例"]
    with zipfile.ZipFile(odt) as z:
        assert z.read(href) == chart.png
    entries = {e.get(q("manifest:full-path")): e.get(q("manifest:media-type"))
               for e in part(odt, "META-INF/manifest.xml")}
    assert entries[href] == "image/png"
    assert entries["/"] == odf.MIMETYPE


def test_tall_figure_is_scaled_to_fit_the_page(tmp_path: Path) -> None:
    tall = Chart(png=_png(100, 400), alt="長條圖：測試")
    path = write_odt(Document(TITLE, (tall,)), tmp_path / "tall.odt")
    frame = part(path, "content.xml").find(".//draw:frame", NS)
    assert frame.get(q("svg:height")) == "20.00cm"
    assert frame.get(q("svg:width")) == "5.00cm"
    # No title or caption: no svg:title, but the alt text as the description.
    assert frame.find("svg:title", NS) is None
    assert frame.find("svg:desc", NS).text == "長條圖：測試"


def _png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_unknown_block_is_an_error() -> None:
    with pytest.raises(TypeError, match="無法以 ODF 呈現 object"):
        odf.odt_bytes(Document(TITLE, (Section("一", (object(),)),)))
    with pytest.raises(TypeError, match="無法以 HTML 呈現 object"):
        render_html(Document(TITLE, (Section("一", (object(),)),)))


def test_row_spans_from_above_are_covered_in_the_next_row() -> None:
    from genderstats.present.model import Cell, Row

    grid = odf.layout((Row((Cell("a", rowspan=2), Cell("b"), Cell("c"))),
                       Row((Cell("d"), Cell("e"))),
                       Row((Cell("f"),))))
    assert [[p.cell.text if p.cell else "·" for p in line] for line in grid] == [
        ["a", "b", "c"], ["·", "d", "e"], ["f", "", ""]]


# --------------------------------------------------------------------------- styles


def test_styles_a4_footer_page_numbers_and_cjk_font(odt: Path) -> None:
    styles = part(odt, "styles.xml")
    props = styles.find(".//style:page-layout/style:page-layout-properties", NS)
    assert props.get(q("fo:page-width")) == "21.0cm"
    assert props.get(q("fo:page-height")) == "29.7cm"
    assert props.get(q("fo:margin-left")) == props.get(q("fo:margin-right")) == "2.0cm"
    assert props.get(q("style:print-orientation")) == "portrait"
    master = styles.find(".//office:master-styles/style:master-page", NS)
    assert master.get(q("style:page-layout-name")) == "GS_A4"
    footer = master.find("style:footer/text:p", NS)
    assert footer.find("text:page-number", NS) is not None
    assert footer.find("text:page-count", NS) is not None
    assert text_of(footer).startswith(f"{TITLE}　第 ")
    assert text_of(footer).endswith(" 頁")

    face = styles.find(".//office:font-face-decls/style:font-face", NS)
    assert face.get(q("style:name")) == "Noto Sans CJK TC"
    default = styles.find(".//style:default-style[@style:family='paragraph']/style:text-properties",
                          NS)
    for attr, value in [("style:font-name", "Noto Sans CJK TC"),
                        ("style:font-name-asian", "Noto Sans CJK TC"),
                        ("fo:language", "zh"), ("fo:country", "TW"),
                        ("style:language-asian", "zh"), ("style:country-asian", "TW")]:
        assert default.get(q(attr)) == value, attr
    heading = styles.find(".//style:style[@style:name='Heading_20_2']", NS)
    assert heading.get(q("style:default-outline-level")) == "2"
    caption = styles.find(".//style:style[@style:name='Table']", NS)
    assert caption.get(q("style:parent-style-name")) == "Caption"


def test_font_is_the_one_the_project_installs() -> None:
    from genderstats import fonts

    assert odf.FONT == fonts.CJK_FAMILIES[0]


# --------------------------------------------------------------------------- PDF


@needs_office
def test_libreoffice_converts_it_to_pdf_with_the_figures(odt: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    out = tmp_path / "pdf"
    result = pdfmod.to_pdf(odt, out)
    assert result and result.reason == ""
    assert result.path == out / "annual-report.pdf"
    # Only the PDF: no lock file, no profile, nothing beside the ODT either.
    assert [p.name for p in out.iterdir()] == ["annual-report.pdf"]
    assert sorted(p.name for p in odt.parent.iterdir()) == ["annual-report.odt"]
    assert list((tmp_path / "tmp").iterdir()) == []
    reader = pypdf.PdfReader(result.path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for figure in ("35.29%", "64.71%", "王○明", "歐陽○華", "一、特色或亮點", "2,526 人次"):
        assert figure in text, figure
    assert "王小明" not in text
    # Page numbers in the footer, on A4.
    pages = len(reader.pages)
    assert f"第 1 頁，共 {pages} 頁" in text
    # Tagged, in Traditional Chinese, the figure's alt text kept for screen readers.
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-TW" and "/StructTreeRoot" in root
    assert reader.metadata.title == TITLE
    alts = [str(o["/Alt"]) for o in _objects(reader) if "/Alt" in o]
    assert any("全體委員17人，女性11人（65%）" in a for a in alts)
    # Each chart as drawn: compressed without loss, never re-encoded as JPEG.
    images = [o for o in _objects(reader) if o.get("/Subtype") == "/Image"]
    assert images and {str(o.get("/Filter")) for o in images} == {"/FlateDecode"}
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 2.54, 1), round(float(box.height) / 72 * 2.54, 1)) == (
        21.0, 29.7)


def _objects(reader: object) -> list:
    """Every dictionary object of the PDF (the structure tree's elements among them)."""
    from pypdf.generic import DictionaryObject

    out = []
    for num in range(1, reader.trailer["/Size"]):
        try:
            obj = reader.get_object(num)
        except Exception:  # free or compressed-away numbers
            continue
        if isinstance(obj, DictionaryObject):
            out.append(obj)
    return out


def _own_tmp(tmp_path: Path) -> Path:
    path = tmp_path / "tmp"
    path.mkdir()
    return path


def test_without_libreoffice_there_is_a_reason_and_no_file(odt: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "out"
    result = pdfmod.to_pdf(odt, out)
    assert not result
    assert result.path is None
    assert result.reason == "未安裝 LibreOffice，未產製 PDF"
    assert not out.exists()


def _fake_soffice(bin_dir: Path, body: str, record: Path | None = None) -> None:
    """A ``soffice`` that writes half a PDF into --outdir, then runs ``body``; with
    ``record`` it first appends its arguments there, one line per run."""
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        + (f'echo "$*" >> {record}\n' if record else "")
        + 'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out=$2; shift; done\n'
        "printf '%%PDF-1.7 half' > \"$out/document.pdf\"\n" + body,
        encoding="utf-8")
    script.chmod(0o755)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie waiting for its reaper has stopped


def test_timeout_kills_the_whole_conversion_and_leaves_no_file(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "sleep.pid"
    _fake_soffice(tmp_path / "bin", f"sleep 60 &\necho $! > {pidfile}\nwait\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    out = tmp_path / "out"
    out.mkdir()
    (out / "annual-report.pdf").write_bytes(b"%PDF last good")
    started = time.monotonic()
    result = pdfmod.to_pdf(odt, out, timeout=1)
    assert time.monotonic() - started < 15
    assert result.path is None
    assert result.reason == "LibreOffice 轉檔逾時（1 秒），未產製 PDF"
    # The grandchild (LibreOffice's soffice.bin stands in as `sleep`) is gone too.
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    assert [p.name for p in out.iterdir()] == ["annual-report.pdf"]
    assert (out / "annual-report.pdf").read_bytes() == b"%PDF last good"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_failed_conversion_writes_nothing(odt: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_soffice(tmp_path / "bin", "echo 'Error: source file could not be loaded' >&2\nexit 1\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    out = tmp_path / "out"
    result = pdfmod.to_pdf(odt, out)
    assert result.path is None
    assert result.reason == "LibreOffice 轉檔失敗（結束碼 1），未產製 PDF"
    assert result.detail == "Error: source file could not be loaded"
    assert not out.exists()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_half_a_pdf_with_success_is_still_a_failure(odt: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # LibreOffice exits 0 even when it could not convert: only a real PDF counts.
    _fake_soffice(tmp_path / "bin", 'printf "" > "$out/document.pdf"\nexit 0\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    result = pdfmod.to_pdf(odt, tmp_path / "out")
    assert result.reason == "LibreOffice 轉檔失敗，未產製 PDF"
    assert not (tmp_path / "out").exists()


def test_the_pdf_names_no_software_version_and_keeps_its_tags() -> None:
    import io

    import pikepdf

    made = pikepdf.new()
    made.add_blank_page(page_size=(595, 842))
    made.Root.Lang = pikepdf.String("zh-TW")
    tree = pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot)
    made.Root.StructTreeRoot = made.make_indirect(tree)
    made.docinfo["/Producer"] = "LibreOffice 7.4"
    made.docinfo["/Creator"] = "Writer"
    made.docinfo["/Title"] = TITLE
    raw = io.BytesIO()
    made.save(raw)
    assert b"LibreOffice" in raw.getvalue()

    data = pdfmod._unversioned(raw.getvalue())
    assert b"LibreOffice" not in data and b"Writer" not in data
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert {k: str(v) for k, v in doc.docinfo.items()} == {
            "/Producer": "genderstats", "/Creator": "genderstats", "/Title": TITLE}
        assert doc.Root.StructTreeRoot.Type == pikepdf.Name.StructTreeRoot
        assert str(doc.Root.Lang) == "zh-TW"
    # What it cannot read is left as it is (the conversion's own check already passed).
    assert pdfmod._unversioned(b"%PDF-1.7 half") == b"%PDF-1.7 half"


def test_control_characters_from_a_spreadsheet_do_not_break_the_xml(tmp_path: Path) -> None:
    doc = Document(TITLE, (Paragraph("第一行\r\n第二行\x0b\x01完"),
                           Table.from_rows("表\x0c", [["類別"]], [["甲\x1f"]])))
    path = write_odt(doc, tmp_path / "x.odt")
    body = part(path, "content.xml")
    para = [p for p in body.iter(q("text:p")) if "第一行" in text_of(p)][0]
    assert text_of(para) == "第一行第二行完"
    assert para.find("text:line-break", NS) is not None
    assert "表" in [text_of(p) for p in body.iter(q("text:p"))]
    assert grid_of(tables(path)["表格1"]) == [["類別"], ["甲"]]


def test_a_table_without_cells_is_its_caption_and_note(tmp_path: Path) -> None:
    empty = Table("表9 本年度無資料", (), (), note="註：本年度無相關資料。")
    path = write_odt(Document(TITLE, (empty,)), tmp_path / "empty.odt")
    body = part(path, "content.xml")
    assert body.find(".//table:table", NS) is None
    styled = [(p.get(q("text:style-name")), text_of(p)) for p in body.iter(q("text:p"))]
    assert styled == [("Table", "表9 本年度無資料"), ("GS_20_Note", "註：本年度無相關資料。")]
    title = body.find(".//text:h", NS)
    assert title.get(q("text:style-name")) == "Title"


def test_each_conversion_has_its_own_profile_removed_after(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = tmp_path / "args.txt"
    _fake_soffice(tmp_path / "bin", 'printf "%%PDF-1.7 whole" > "$out/document.pdf"\n', args)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    first = pdfmod.to_pdf(odt, tmp_path / "a")
    second = pdfmod.to_pdf(odt, tmp_path / "b", name="成果報告")
    assert first.path == tmp_path / "a" / "annual-report.pdf"
    assert second.path == tmp_path / "b" / "成果報告.pdf"
    assert second.path.read_bytes() == b"%PDF-1.7 whole"
    profiles = [a.split()[0] for a in args.read_text().splitlines() if "UserInstallation" in a]
    assert len(profiles) == 2 and profiles[0] != profiles[1]
    for profile in profiles:
        assert profile.startswith(f"-env:UserInstallation=file://{tmp_path / 'tmp'}/")
    assert list((tmp_path / "tmp").iterdir()) == []


def _fake_office(root: Path, log: Path) -> Path:
    """A LibreOffice installation: ``bin/soffice`` links to ``program/soffice`` (a script
    that must not be run), beside ``program/soffice.bin``. Like the real one, soffice.bin
    given a new profile sets up its extension registry and exits 81 (start me again);
    given a set-up profile, it converts. Each run appends "new"/"ready" and its profile."""
    program = root / "program"
    program.mkdir(parents=True)
    script = program / "soffice"
    script.write_text("#!/bin/sh\necho script >> " + str(log) + "\nexit 3\n", encoding="utf-8")
    binary = program / "soffice.bin"
    binary.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case $a in -env:UserInstallation=file://*) '
        "profile=${a#-env:UserInstallation=file://};; esac; done\n"
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out=$2; shift; done\n'
        f'echo "$GLIBC_TUNABLES" > {log}.env\n'
        'if [ ! -f "$profile/user/extensions/buildid" ]; then\n'
        f'  echo "new $profile" >> {log}\n'
        '  mkdir -p "$profile/user/extensions/bundled"\n'
        '  echo "7(Build:1)" > "$profile/user/extensions/buildid"\n'
        "  exit 81\n"
        "fi\n"
        f'echo "ready $profile" >> {log}\n'
        "printf '%%PDF-1.7 whole' > \"$out/document.pdf\"\n", encoding="utf-8")
    for path in (script, binary):
        path.chmod(0o755)
    (root / "bin").mkdir()
    (root / "bin" / "soffice").symlink_to(script)
    return root / "bin"


def test_soffice_bin_runs_directly_and_a_kept_profile_seed_spares_the_restart(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.txt"
    monkeypatch.setenv("PATH", f"{_fake_office(tmp_path / 'office', log)}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    groups: list[tuple[str, int]] = []

    def convert() -> pdfmod.Conversion:
        return pdfmod.convert(odt.read_bytes(), started=lambda g: groups.append(("+", g)),
                              ended=lambda g: groups.append(("-", g)))

    first = convert()
    assert first.data == b"%PDF-1.7 whole" and first.reason == ""
    # A new profile: set up, started again (as oosplash would), converted; never the script.
    runs = log.read_text().split()
    assert runs[0::2] == ["new", "ready"] and runs[1] == runs[3]
    # Each process's group is reported when it starts and when it has gone, in turn.
    assert [sign for sign, _ in groups] == ["+", "-", "+", "-"]
    assert groups[0][1] == groups[1][1] != groups[2][1] == groups[3][1]
    seeds = list((tmp_path / "cache" / "genderstats").iterdir())
    assert len(seeds) == 1 and re.fullmatch(r"libreoffice-[0-9a-f]{16}", seeds[0].name)
    assert (seeds[0] / "extensions" / "buildid").read_text() == "7(Build:1)\n"
    log.unlink()
    second = convert()
    assert second.data == b"%PDF-1.7 whole"
    # Seeded from the kept registry: one run only, in a profile of its own.
    assert log.read_text().split()[0::2] == ["ready"]
    assert log.read_text().split()[1] != runs[1]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_libreoffice_keeps_large_blocks_in_its_heap_unless_the_user_says_otherwise(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.txt"
    monkeypatch.setenv("PATH", f"{_fake_office(tmp_path / 'office', log)}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ours = "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=268435456"
    monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
    assert pdfmod.convert(odt.read_bytes()).data == b"%PDF-1.7 whole"
    assert (tmp_path / "runs.txt.env").read_text().strip() == ours
    # glibc keeps the last value of a name it reads: a user's own setting still wins.
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=0")
    pdfmod.convert(odt.read_bytes())
    assert (tmp_path / "runs.txt.env").read_text().strip() == (
        ours + ":glibc.malloc.trim_threshold=0")


def test_a_soffice_bin_that_keeps_asking_for_a_restart_fails_with_its_code(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = _fake_office(tmp_path / "office", tmp_path / "runs.txt")
    (tmp_path / "office" / "program" / "soffice.bin").write_text("#!/bin/sh\nexit 81\n")
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result = pdfmod.convert(odt.read_bytes())
    assert (result.data, result.reason) == (None, "LibreOffice 轉檔失敗（結束碼 81），未產製 PDF")
    assert not (tmp_path / "cache").exists()


def test_an_interrupted_conversion_is_killed_and_cleaned_up(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    pidfile = tmp_path / "sleep.pid"
    _fake_soffice(tmp_path / "bin", f"sleep 60 &\necho $! > {pidfile}\nwait\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    monkeypatch.setattr(tempfile, "tempdir", str(_own_tmp(tmp_path)))
    real = subprocess.Popen.communicate
    calls = []

    def interrupted(self: subprocess.Popen, *a: object, **kw: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            deadline = time.monotonic() + 5
            while not pidfile.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            raise KeyboardInterrupt
        return real(self, *a, **kw)

    monkeypatch.setattr(subprocess.Popen, "communicate", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pdfmod.to_pdf(odt, tmp_path / "out")
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    assert not (tmp_path / "out").exists()
    assert list((tmp_path / "tmp").iterdir()) == []


# ------------------------------------------------------------ a LibreOffice started ahead


def _fake_warm_office(root: Path, log: Path) -> Path:
    """A LibreOffice installation whose ``soffice.bin`` sets up a new profile and asks to be
    started again (exit 81), as the real one does; started with no document, it stays up and
    says so in its profile; given ``--convert-to``, it writes a PDF saying whether one was
    up on its profile to take the request ("handed") or not ("alone"). Each run is logged."""
    program = root / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    binary = program / "soffice.bin"
    binary.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case $a in -env:UserInstallation=file://*) '
        "profile=${a#-env:UserInstallation=file://};; --convert-to) convert=1;; esac; done\n"
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out=$2; shift; done\n'
        'if [ ! -f "$profile/user/extensions/buildid" ]; then\n'
        '  mkdir -p "$profile/user/extensions"\n'
        '  echo "7(Build:1)" > "$profile/user/extensions/buildid"\n'
        "  exit 81\n"
        "fi\n"
        'if [ -z "$convert" ]; then\n'
        f'  echo "up $$" >> {log}\n'
        '  touch "$profile/up"\n'
        "  exec sleep 60\n"
        "fi\n"
        'if [ -f "$profile/up" ]; then how=handed; else how=alone; fi\n'
        f'echo "$how" >> {log}\n'
        'printf "%%PDF-1.7 $how" > "$out/document.pdf"\n', encoding="utf-8")
    for path in program.iterdir():
        path.chmod(0o755)
    (root / "bin").mkdir()
    (root / "bin" / "soffice").symlink_to(program / "soffice")
    return root / "bin"


@pytest.fixture
def warm_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake installation on PATH, a cache of its own, and a seed in it (the first
    conversion sets up a profile and keeps its registry)."""
    log = tmp_path / "runs.txt"
    monkeypatch.setenv("PATH", f"{_fake_warm_office(tmp_path / 'office', log)}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert pdfmod.convert(b"odt").data == b"%PDF-1.7 alone"
    log.unlink()
    return log


def test_a_libreoffice_started_ahead_takes_the_conversion_and_nothing_is_left(
        warm_office: Path, tmp_path: Path) -> None:
    groups: list[tuple[str, int]] = []
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    office = pdfmod.Office(started=lambda g: groups.append(("+", g)),
                           ended=lambda g: groups.append(("-", g)), scratch=scratch)
    end = time.monotonic() + 10
    while not warm_office.exists() and time.monotonic() < end:
        time.sleep(0.02)
    up = int(warm_office.read_text().split()[1])
    result = office.convert(b"odt")
    assert (result.data, result.reason) == (b"%PDF-1.7 handed", "")
    assert warm_office.read_text().split()[2:] == ["handed"]  # one conversion, handed over
    # The running one's group first, the request's own, then both gone; nothing is left.
    assert [sign for sign, _ in groups] == ["+", "+", "-", "-"]
    assert groups[0][1] == groups[3][1] == up != groups[1][1] == groups[2][1]
    assert not _alive(up)
    assert list(scratch.iterdir()) == []


def test_a_libreoffice_started_ahead_that_is_gone_leaves_the_usual_conversion(
        warm_office: Path, tmp_path: Path) -> None:
    office = pdfmod.Office(scratch=tmp_path)
    office.proc.kill()
    office.proc.wait()
    assert office.convert(b"odt").data == b"%PDF-1.7 alone"
    assert [p for p in tmp_path.iterdir() if p.name.startswith("genderstats-pdf-")] == []


def test_a_libreoffice_started_ahead_for_no_document_is_stopped(warm_office: Path,
                                                                 tmp_path: Path) -> None:
    from genderstats.pipeline.runner import _EarlyPdf

    notes: list[dict[str, int]] = []
    early = _EarlyPdf(notes.append, tmp_path, warm_office=True)
    early.cell_executed({"outputs": []})  # the kernel runs: LibreOffice starts beside it
    early.cell_executed({"outputs": []})  # once
    pid = early.office.proc.pid
    assert notes == [{"group": pid}]
    assert early.of(None) is None  # no document came
    assert notes == [{"group": pid}, {"group_done": pid}]
    assert not _alive(pid)
    assert [p for p in tmp_path.iterdir() if p.name.startswith("genderstats-pdf-")] == []


def test_without_a_profile_seed_nothing_is_started_ahead(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "runs.txt"
    monkeypatch.setenv("PATH", f"{_fake_warm_office(tmp_path / 'office', log)}:/usr/bin:/bin")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    office = pdfmod.Office(scratch=tmp_path)
    assert office.proc is None
    assert office.convert(b"odt").data == b"%PDF-1.7 alone"


@needs_office
def test_libreoffice_started_ahead_makes_the_pdf_a_new_one_makes(
        odt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pypdf = pytest.importorskip("pypdf")
    import io

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fresh = pdfmod.convert(odt.read_bytes())  # also keeps the profile seed
    office = pdfmod.Office(scratch=tmp_path)
    assert office.proc is not None
    ahead = office.convert(odt.read_bytes())
    assert ahead.data is not None and ahead.reason == ""

    def pages(data: bytes) -> list[str]:
        return [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]

    assert pages(ahead.data) == pages(fresh.data)
    assert office.proc is None
    assert [p for p in tmp_path.iterdir() if p.name.startswith("genderstats-pdf-")] == []


@pytest.mark.slow
def test_a_build_starts_libreoffice_with_a_report_whose_last_build_made_a_pdf(
        warm_office: Path, tmp_path: Path, sample_data: Path, sample_registry: Path) -> None:
    from genderstats.pipeline.build import BuildOptions, build

    pdf = tmp_path / "out" / "112" / "annual-report.pdf"
    made = []
    for engine in ("fork", "fork", "plain"):
        result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path / "out",
                                    registry=sample_registry, only=["annual-report"],
                                    force=True, engine=engine, echo=lambda _: None))
        assert [r.status for r in result.results] == ["ok"]
        made.append(pdf.read_bytes())
    # The first build has no PDF to go by; the plain engine starts LibreOffice when the
    # document is ready.
    assert made == [b"%PDF-1.7 alone", b"%PDF-1.7 handed", b"%PDF-1.7 alone"]
