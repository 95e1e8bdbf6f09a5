"""The complete results report: every part of the form, with the seed's figures, as the page,
the ODT and the PDF; and what each missing input makes of its part."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import copy_sample_data
from source_documents import bare, results_report_seed

from genderstats import form, report_status
from genderstats.analyses import results_report as rr
from genderstats.data.results_text import validate_results_text
from genderstats.pipeline import pdf
from genderstats.pipeline.build import BuildOptions, build
from genderstats.present.model import Heading, Table
from genderstats.present.odf import odt_bytes

SEED_FIGURES = {
    "組別": ["■組別：C群", "數位策略中心", "聘用研究員", "熟悉本府性別主流化總計畫"],
    "一": ["從AI技術看性別化差異", "整體滿意度高達97.02%"],
    "二": ["17人（含3名外聘委員）", "35.29%", "94.12% (16/17)", "附件1", "附件2",
          "解除列管2項、繼續列管1項"],
    "性別意識培力": ["總人數：112人", "64.29%", "主管總人數：24人", "完成比率100%",
                "☑ 進階課程", "☑ 多元形式", "總計73人 男38人 女35人"],
    "三": ["既有性別統計指標", "既有性別統計項目", "「國籍」", "無"],
    "四": ["資料治理委員會性別統計分析", "數據治理中心", "112/8/28", "資通安全中心",
          "臺北市民免費數位訓練性別統計分析", "112/12/13"],
    "五": ["(一) 自治條例", "(二) 公共工程中程計畫", "性別影響評估檢視表-單一陳情系統",
          "初次提報審查 112/08/28", "修正後提報 112/12/13", "☑ 非巨額採購", "☑ 未納入"],
    "六": ["5,820,000", "22,500", "5,842,500"],
    "七": ["112年共開設121班，總計2,526人次", "112年共開設5班，總計93人次",
          "高齡女性參與數位課程佔77%", "總計開班130班，參訓人數為2,676人",
          "男性為592人（22.12%）", "女性為2,084人（77.88%）", "外聘委員男性比例為56%",
          "府內委員男性比例為65%", "全體委員男性比例為60%", "第2屆",
          "男性8人、女性8人", "男性：26人，女性：11人", "246", "965",
          "當然委員 兼召集人", "男性8人／女性8人，無任一性別低於1/3之情形。"],
    "八": [],
    "九": ["性別統計與分析及性別影響評估", "Technovation Girls"],
}
# Full names the sample data holds (lecturer, experts, contacts, a procurement member):
# every artefact shows them masked.
FULL_NAMES = ("尤宛涵", "彭宛庭", "戴建凱", "姜曉淳", "梁佳妤", "羅明哲")


def text_of(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def odt_text(path: Path) -> str:
    """The document's text, a paragraph at a time (a figure set in its own span stays whole)."""
    with zipfile.ZipFile(path) as z:
        root = ElementTree.fromstring(z.read("content.xml"))
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    paragraphs = ("".join(e.itertext()) for e in root.iter()
                  if e.tag in (f"{{{text}}}p", f"{{{text}}}h"))
    return re.sub(r"\s+", " ", " ".join(paragraphs).replace("\u2060", ""))


@pytest.fixture(scope="module")
def built(sample_build):
    out = sample_build["out"]
    return {"out": out, "page": text_of((out / "annual-report.html").read_text("utf-8")),
            "odt": odt_text(out / "annual-report.odt")}


# ---------------------------------------------------------------- every part, every format

@pytest.mark.slow
@pytest.mark.parametrize("part", list(SEED_FIGURES))
def test_every_part_is_on_the_page_and_in_the_odt_with_the_seed_figures(built, part):
    title = rr.SECTION_TITLES.get(part)
    for text in (built["page"], built["odt"]):
        if title:
            assert title in text
        for figure in SEED_FIGURES[part]:
            assert figure in text, (part, figure)


@pytest.mark.slow
def test_the_parts_come_in_the_form_order(built):
    for text in (built["page"], built["odt"]):
        # From the header on: the page's table of contents lists the titles before it.
        start = text.index("■組別")
        positions = [text.index(rr.SECTION_TITLES[k], start)
                     for k in rr.PARTS if k in rr.SECTION_TITLES]
        assert positions == sorted(positions)


@pytest.mark.slow
def test_no_full_name_in_the_page_the_odt_or_the_pdf(built):
    pdf_text = _pdf_text(built["out"] / "annual-report.pdf")
    for text in (built["page"], built["odt"], pdf_text):
        for name in FULL_NAMES:
            assert name not in text
    assert "尤○涵" in built["odt"] and "彭○庭委員" in built["odt"]


@pytest.mark.slow
def test_the_odt_is_a_valid_opendocument_with_a4_pages_and_real_tables(built):
    path = built["out"] / "annual-report.odt"
    with zipfile.ZipFile(path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert z.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        content = ElementTree.fromstring(z.read("content.xml"))
        styles = ElementTree.fromstring(z.read("styles.xml"))
    ns = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
          "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
          "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
          "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0"}
    tables = content.findall(".//table:table", ns)
    assert len(tables) == 23
    headings = [" ".join(h.itertext()) for h in content.findall(".//text:h", ns)]
    assert headings[0] == "臺北市政府資訊局112年推動性別平等工作成果報告"
    assert "四、性別分析" in headings and "附件2：性別平等專案小組辦理情形一覽表" in headings
    layout = styles.find(".//style:page-layout-properties", ns)
    assert layout.get(f"{{{ns['fo']}}}page-width") == "21.0cm"
    assert styles.find(".//text:page-number", ns) is not None


def _pdf_text(path: Path) -> str:
    pypdf = pytest.importorskip("pypdf")
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(path).pages))


@pytest.mark.slow
def test_libreoffice_made_the_pdf_and_it_holds_the_seed_figures(built):
    if pdf.find_soffice() is None:
        pytest.skip("LibreOffice 未安裝（make setup 會安裝 libreoffice-writer-nogui）")
    import pypdf

    reader = pypdf.PdfReader(built["out"] / "annual-report.pdf")
    assert (reader.metadata["/Producer"], reader.metadata["/Creator"]) == (
        "genderstats", "genderstats")  # no LibreOffice version in a published file
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    text = _pdf_text(built["out"] / "annual-report.pdf")
    for figure in ("97.02%", "35.29%", "94.12%", "64.29%", "121班", "2,526人次", "77%",
                   "5,842,500", "112/12/13"):
        assert figure in text, figure


@pytest.mark.slow
def test_the_index_links_the_page_the_odt_and_the_pdf(built, sample_manifest):
    index = (built["out"] / "index.html").read_text("utf-8")
    for href in ("annual-report.html", "annual-report.odt", "annual-report.pdf"):
        assert f'href="{href}"' in index
    (entry,) = [e for e in sample_manifest["reports"] if e["id"] == "annual-report"]
    assert (entry["odt"], entry["pdf"], entry["pdf_note"]) == (
        "annual-report.odt", "annual-report.pdf", None)
    # The other reports publish no document.
    assert all("odt" not in e for e in sample_manifest["reports"] if e["id"] != "annual-report")


@pytest.mark.slow
def test_without_libreoffice_the_build_writes_the_odt_and_says_why_there_is_no_pdf(
        tmp_path, sample_data, sample_registry, monkeypatch):
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    out = tmp_path / "out"
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=out,
                                registry=sample_registry, only=["annual-report"],
                                echo=lines.append))
    assert [r.status for r in result.results] == ["ok"]
    year = out / "112"
    assert (year / "annual-report.odt").is_file() and not (year / "annual-report.pdf").exists()
    assert any("注意  annual-report：未安裝 LibreOffice，未產製 PDF" in line for line in lines)
    staff = (year / "staff.html").read_text("utf-8")
    assert "未安裝 LibreOffice，未產製 PDF" in staff
    index = (year / "index.html").read_text("utf-8")
    assert 'href="annual-report.odt"' in index and "annual-report.pdf" not in index
    assert "LibreOffice" not in index


# ---------------------------------------------------------------- figures

def recorded(sample_build) -> dict[str, str]:
    """The figures the sample build's reports recorded, as the annual report read them."""

    status = sample_build["out"] / ".state" / "report-status.json"
    return report_status.figure_values(report_status.load_status(status, 112, wait=False))


@pytest.mark.slow
def test_the_texts_figures_are_recorded_from_the_data(sample_build):
    values = recorded(sample_build)
    assert {k: values[k] for k in (
        "digital-training.classes", "digital-training.participations",
        "digital-training.senior-classes", "digital-training.senior-participations",
        "digital-training.senior-women-share", "digital-training.women-classes",
        "digital-training.women-participations", "digital-training.men-share",
        "data-governance-committee.term", "data-governance-committee.external-men-share",
        "data-governance-committee.internal-women-share", "procurement-review-committee.men",
        "onsite-engineers.men", "onsite-engineers.women", "gender-training.satisfaction",
        "gender-training.lecturer")} == {
        "digital-training.classes": "130", "digital-training.participations": "2,676",
        "digital-training.senior-classes": "121",
        "digital-training.senior-participations": "2,526",
        "digital-training.senior-women-share": "77%", "digital-training.women-classes": "5",
        "digital-training.women-participations": "93", "digital-training.men-share": "22.12%",
        "data-governance-committee.term": "2",
        "data-governance-committee.external-men-share": "56%",
        "data-governance-committee.internal-women-share": "35%",
        "procurement-review-committee.men": "8", "onsite-engineers.men": "26",
        "onsite-engineers.women": "11", "gender-training.satisfaction": "97.02%",
        "gender-training.lecturer": "尤○涵"}


@pytest.mark.slow
def test_every_figure_the_registry_declares_is_recorded_in_the_sample_year(sample_build,
                                                                          sample_data):
    from genderstats.data import results_text
    from genderstats.pipeline.registry import figure_catalog, load_registry

    assert set(figure_catalog(load_registry(sample_build["registry"]))) == set(
        recorded(sample_build))
    blocks = rr.named_blocks(rr.load_inputs(112, sample_data), charts=False)
    assert {*results_text.TABLES.values(), *results_text.CHARTS.values()} == set(blocks)


def test_a_figure_without_its_data_is_never_a_number():
    assert rr.fill("共開設{digital-training.classes}班", {}) == f"共開設{rr.MISSING_FIGURE}班"
    assert rr.fill("{{年}}{year}", {"year": "112"}) == "{年}112"


# ---------------------------------------------------------------- each new input missing

MISSING = {
    "resolutions": ("二", "本年度無決議事項追蹤資料。", "繼續列管"),
    "gender_statistics": ("三", "本年度無性別統計指標清冊資料。", "既有性別統計指標"),
    "impact_assessments": ("五", "本年度無性別影響評估資料。", "初次提報審查"),
    "course_evaluations": ("一", f"整體滿意度高達{rr.MISSING_FIGURE}", "97.02%"),
    "contact_training": ("組別", "本年度無性平聯絡人資料。", "聘用研究員"),
    "results_report": ("七", "本年度無策略及具體措施資料。", "121班"),
    "training_participations": ("七", f"共開設{rr.MISSING_FIGURE}班", "2,526"),
    "onsite_engineers": ("七", f"男性：{rr.MISSING_FIGURE}人", "男性：26人"),
}


@pytest.mark.parametrize("dataset", list(MISSING))
def test_each_new_input_missing_gives_no_data_in_its_part(tmp_path, dataset):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    (path,) = (data / "112").glob(f"{dataset}.*")
    path.unlink()
    part, said, gone = MISSING[dataset]
    # The report on a missing input fails, and records no figure for the prose.
    report = rr.build(rr.load_inputs(112, data), recorded={}, charts=False)
    text = text_of(report.part(part).html)
    assert said in text
    assert gone not in text_of(report.document.html)


def test_results_texts_missing_make_every_analyst_part_say_no_data(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    (data / "112" / "results_report.yml").unlink()
    report = rr.build(rr.load_inputs(112, data), charts=False)
    for part, what in (("一", "特色或亮點"), ("四", "性別分析專題"), ("七", "策略及具體措施"),
                       ("八", "其他相關成果"), ("九", "未來重點項目")):
        assert f"本年度無{what}資料。" in text_of(report.part(part).html)
    assert "■組別：無資料" in text_of(report.part("組別").html)


def test_empty_files_say_none_rather_than_no_data(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    for stem in ("impact_assessments", "resolutions"):
        path = next((data / "112").glob(f"{stem}.*"))
        path.write_text(path.read_text("utf-8-sig").splitlines()[0] + "\n", "utf-8")
    report = rr.build(rr.load_inputs(112, data), charts=False)
    five = text_of(report.part("五").html)
    assert five.count("1. 無") == 3 and "無資料" not in five
    assert "112年無列管之決議事項。" in text_of(report.part("二").html)


def test_a_photo_is_a_slot_in_the_odt_and_nothing_on_the_page(sample_data):
    report = rr.build(rr.load_inputs(112, sample_data), charts=False)
    seven = report.part("七")
    assert "數位平權推動計畫相關照片" not in text_of(seven.html)
    with zipfile.ZipFile(io.BytesIO(odt_bytes(report.document))) as z:
        content = z.read("content.xml").decode("utf-8")
    assert "〔照片：數位平權推動計畫相關照片〕" in content


# ---------------------------------------------------------------- the form's own text

# The form's fixed wording as the seed prints it; the report prints it from genderstats.form.
FORM_TEXT = [
    "113年2月22日經資訊局性平小組決議通過",
    "(一) 一般公務人員*參訓比率",
    "*「一般公務人員」係指1. 依法任用、派用之有給專任人員；2. 依法聘任、聘用及僱用人員；"
    "3. 公務人員考試錄用人員。每人每年均須完成3小時性別主流化訓練。",
    "(三) 主管人員*參訓比率",
    "*「主管人員」係指市府及機關正副首長、正副幕僚長及單位主管，每人每年均須完成3小時性別主流化訓練。",
    "(四) 性平聯絡人及辦理性別平等業務相關人員參訓時數*",
    "*每人每年均須完成18小時課程訓練，其中6小時以上應屬進階課程。年中間因職務異動者，"
    "則依人事處認定方式填列參訓時數。",
    "多元形式*",
    "*「訓練方式」之「多元形式」係指非僅以傳統講師授課方式辦理，如工作坊、座談會、參訪、電影賞析、"
    "讀書會、選讀性平相關媒材、個案研討、分組討論、角色扮演、體驗學習、案例演練、論壇、小旅行或"
    "實地踏查等；或其他具創意性且可提升前開各類受訓人員性別意識及知能等方式。",
    "全體委員出席比率(%) (代理出席仍可列計)",
    "CSR 評選指標*納入",
    "*巨額採購(工程採購2億元、財物採購1億元、勞務採購2千萬元以上者)之評選優先適用"
    "「企業社會責任評選項目表」，表單內容參考：https://bit.ly/2X8KvgA",
    # The data governance committee's recommendations close its analysis in 七(二).
    "建議各工作小組開會時，可邀請其他小組適合委員參加，以均衡各工作小組委員性別比例。",
    "建議下一屆委員遴選時，可考量產業、學術、法人等各界代表之性別均衡。",
    "辦理單位及規範：各執行辦理單位依組別每年辦理類別及項目如下：",
    "(五) D1組、E1組：下開(一)至(六)類，每年至少辦理2類，總計至少3項以上。",
    "(六) 依業務屬性自編性別平等教材或案例",
    "3、針對一般民眾研發性別平等宣導教材，如繪本、桌遊、案例彙編等。",
    "4、關注男性處境及需求，提供具性別觀點之政策、計畫或服務。",
]


def _sample_report(data_dir: Path, tmp_path: Path) -> dict[str, str]:
    """The sample year's report as page text and ODT text, without spaces."""
    report = rr.build(rr.load_inputs(112, data_dir), charts=False)
    odt = tmp_path / "report.odt"
    odt.write_bytes(odt_bytes(report.document))
    return {"page": bare(text_of(report.document.html)), "odt": bare(odt_text(odt))}


def test_the_form_s_fixed_text_is_the_seed_s_in_the_page_and_the_odt(sample_data, tmp_path):
    seed = results_report_seed()
    texts = _sample_report(sample_data, tmp_path)
    wording = [*FORM_TEXT, *form.RULES,
               *(c.title for c in form.CATEGORIES),
               *(c.item(n) for c in form.CATEGORIES for n in range(1, len(c.items) + 1))]
    for sentence in wording:
        assert bare(sentence) in seed, sentence
        for kind, text in texts.items():
            assert bare(sentence) in text, (kind, sentence)
    assert sum(len(c.items) for c in form.CATEGORIES) == 25


def _strategies(report: rr.Report):
    """七's table (as its frame: 項目, 措施) and the evidence under each category heading."""
    content = report.part("七").blocks
    (table,) = [b for b in content if isinstance(b, Table)]
    at = content.index(next(b for b in content if isinstance(b, Heading)
                            and b.text == "成果佐證詳述說明"))
    evidence: dict[str, list[str]] = {}
    for block in content[at + 1:]:
        if isinstance(block, Heading):
            evidence[block.text] = []
        else:
            evidence[list(evidence)[-1]].append(text_of(block.html).strip())
    return table.frame.values.tolist(), evidence


def _put_texts(data_dir: Path, text: str) -> None:
    (data_dir / "112" / "results_report.yml").write_text(text, encoding="utf-8")


def test_every_category_and_item_of_seven_appears_whatever_the_file_lists(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    # A year listing only (一)(二)(四), in another order, one of them without evidence.
    _put_texts(data, "核定: 113-02-22\n策略及具體措施:\n"
                     "  - 類別: (四)\n    項目:\n      - 項次: 2\n        措施:\n"
                     "          - 性別友善場地\n    成果佐證:\n      方案名稱: 性別友善場地\n"
                     "  - 類別: 一\n    項目:\n      - 項次: 3\n        措施:\n"
                     "          - 高齡女性數位課程\n"
                     "    成果佐證:\n      方案名稱: 數位平權推動計畫\n"
                     "  - 類別: (二)\n    項目: []\n")
    rows, evidence = _strategies(rr.build(rr.load_inputs(112, data), charts=False))
    measures = {("(四)", 2): "性別友善場地", ("(一)", 3): "高齡女性數位課程"}
    assert rows == [[c.item(n), measures.get((c.label, n), "")]
                    for c in form.CATEGORIES for n in range(1, len(c.items) + 1)]
    assert list(evidence) == [c.title for c in form.CATEGORIES]
    assert [v[0] for v in evidence.values()] == [
        "方案名稱：數位平權推動計畫", "無", "無", "方案名稱：性別友善場地", "無", "無"]


def test_without_the_texts_every_category_of_seven_says_no_data(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    (data / "112" / "results_report.yml").unlink()
    report = rr.build(rr.load_inputs(112, data), charts=False)
    rows, evidence = _strategies(report)
    assert len(rows) == 25 and {m for _, m in rows} == {"無資料"}
    assert list(evidence) == [c.title for c in form.CATEGORIES]
    assert set(map(tuple, evidence.values())) == {("無資料。",)}
    seven = text_of(report.part("七").html)
    assert "本年度無策略及具體措施資料。" in seven and form.RULES[1] in seven
    # No approval is known: the line is left out.
    assert "決議通過" not in text_of(report.part("組別").html)


def test_measures_without_evidence_say_no_data_and_validate_reminds(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    _put_texts(data, "核定: 113-02-22\n策略及具體措施:\n"
                     "  - 類別: (三)\n    項目:\n      - 項次: 2\n        措施:\n"
                     "          - 與廠商簽訂性別友善契約\n"
                     "  - 類別: (四)\n    項目:\n      - 項次: 1\n        措施:\n"
                     "          - 履約廠商設置性別友善設施\n    成果佐證: {}\n")
    _, evidence = _strategies(rr.build(rr.load_inputs(112, data), charts=False))
    assert evidence[form.CATEGORIES[2].title] == evidence[form.CATEGORIES[3].title] == [
        "無資料。"]
    assert [str(p) for p in validate_results_text(112, data)] == [
        f"提醒：data/112/results_report.yml：第 {line} 行「七、{label}」：寫了措施，卻沒有"
        "「成果佐證」：報告的成果佐證寫「無資料」。表單規定填寫措施者，應於成果佐證描述與"
        "性別平等的關聯性。" for line, label in ((3, "(三)"), (8, "(四)"))]


def test_the_approval_line_is_the_next_year_s_meeting(tmp_path):
    data = copy_sample_data(tmp_path / "data", years=("112",))
    path = data / "112" / "results_report.yml"
    text = path.read_text(encoding="utf-8")
    (data / "113").mkdir()
    (data / "113" / "task_force_meetings.csv").write_text(
        "會議,日期,主席,委員總數,出席人數\n113-1,113-02-22,首長,17,16\n", encoding="utf-8")
    path.write_text(text.replace("核定: 113-02-22", "核定: 113-1"), encoding="utf-8")
    report = rr.build(rr.load_inputs(112, data), charts=False)
    header = text_of(report.part("組別").html)
    assert header.index("113年2月22日經資訊局性平小組決議通過") < header.index("■組別：C群")
    # Not yet approved: no line, and validate says so.
    path.write_text(text.replace("核定: 113-02-22\n", ""), encoding="utf-8")
    report = rr.build(rr.load_inputs(112, data), charts=False)
    assert "決議通過" not in text_of(report.document.html)
    assert [str(p) for p in validate_results_text(112, data)] == [
        "提醒：data/112/results_report.yml：沒有「核定」，報告開頭不印「…經資訊局性平小組決議"
        "通過」這一行。報告經 113 年的性平小組會議通過後，請寫上「核定」：那次會議的會議代碼"
        "（如 113-1）或日期（如 113-02-22）。"]
