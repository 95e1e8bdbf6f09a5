"""The built report read as a person reads it: the PDF rendered by LibreOffice (pdftotext) and
the pages in Chromium at 1280 and 390 px, for the sample year and for a year with long names
and many rows (a copy of the sample with its names and lists lengthened).

PDF: every page has body text (no blank last page), every figure, date, masked name and item
number of the document is whole on one line, no table column is one or two characters wide.
Pages: at 1280 px no table cell reaches past the window; at 390 px the page never scrolls
sideways and each wide table is a stack of cards, its row header on top.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import CHROMIUM, copy_sample_data

from genderstats.pipeline import pdf as pdfmod
from genderstats.pipeline.build import BuildOptions, build
from genderstats.present import tokens

pytestmark = pytest.mark.slow
PDFTOTEXT = shutil.which("pdftotext")
needs_pdf = pytest.mark.skipif(
    pdfmod.find_soffice() is None or PDFTOTEXT is None,
    reason="LibreOffice 或 pdftotext 未安裝（sudo apt-get install libreoffice-writer-nogui "
           "poppler-utils）")
needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="Chromium 未安裝（sudo apt-get install chromium）")
TITLE = "推動性別平等工作成果報告"
MASK = "○"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
LONG_PAGES = ["annual-report", "gender-equality-task-force"]

# ---------------------------------------------------------------- the longer year


def _rewrite(path: Path, change) -> None:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    rows = change(rows)
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


EXPERTS = "歐陽美玲、司馬中原、諸葛明德、上官婉兒、端木蓉蓉、戴建凱"


def _courses(rows: list[dict]) -> list[dict]:
    more = []
    for n in range(6):
        row = dict(rows[0])
        row.update({
            "辦理日期": f"112-{n + 3:02d}-{n + 10}",
            "訓練班期名稱": f"性別主流化與數位治理進階工作坊（第{n + 1}梯次）：從資料到決策",
            "講師": "歐陽娜娜" if n % 2 else "司馬相如",
            "講師單位": "國立臺灣大學資訊工程學系暨研究所",
            "時數": str(n + 2), "男": str(1200 + n), "女": str(7500 + n)})
        more.append(row)
    return rows + more


def _assessments(rows: list[dict]) -> list[dict]:
    more = []
    for category in ("自治條例", "公共工程中程計畫", "重大施政"):
        for n in range(2):
            row = dict(rows[0])
            # Reviewed at a meeting of their own: the experts need not sit on the task force.
            row.update({"類別": category, "專家學者": EXPERTS, "程序參與方式": "研商會議",
                        "名稱": f"臺北市智慧城市數位服務性別影響評估（{category}第{n + 1}案）",
                        "意見項數": "12", "參採項數": "10"})
            more.append(row)
    return rows + more


def _members(rows: list[dict]) -> list[dict]:
    long_names = ["歐陽娜娜", "司馬相如", "諸葛孔明", "上官婉兒", "端木蓉蓉"]
    for n, row in enumerate(rows[:len(long_names)]):
        row["姓名"] = long_names[n]
    return rows


@pytest.fixture(scope="module")
def long_build(tmp_path_factory, sample_registry):
    """The annual report and the task force's page of a year with long names and lists."""
    data = copy_sample_data(tmp_path_factory.mktemp("long") / "data", years=("111", "112"))
    _rewrite(data / "112" / "training_courses.csv", _courses)
    _rewrite(data / "112" / "impact_assessments.csv", _assessments)
    _rewrite(data / "112" / "committee_members.csv", _members)
    out = tmp_path_factory.mktemp("long-out")
    result = build(BuildOptions(year=112, data_dir=data, out_dir=out, registry=sample_registry,
                                only=LONG_PAGES, echo=lambda line: None))
    assert result.ok, [r.error for r in result.results]
    return {"out": out / "112", "pages": LONG_PAGES}


@pytest.fixture(scope="module", params=["sample", "long"])
def built(request, sample_build, long_build):
    if request.param == "sample":
        return {"out": sample_build["out"], "pages": LONG_PAGES + ["digital-training"]}
    return long_build


# ---------------------------------------------------------------- the PDF


def _plain(text: str) -> str:
    """Text without the joiners the ODT keeps names with; no-break spaces as spaces."""
    return text.replace("\u2060", "").replace("\u00a0", " ")


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [_plain(page) for page in out.split("\f")[:-1]]


def source_tokens(odt: Path) -> Counter:
    """Every token of the document's paragraphs, headings and cells (not the figures' alt
    text, which the PDF holds as tags, not as lines)."""
    with zipfile.ZipFile(odt) as z:
        root = ET.fromstring(z.read("content.xml"))
    for frame in list(root.iter(f"{{{DRAW}}}frame")):
        for child in list(frame):
            frame.remove(child)
    texts = ["".join(e.itertext()) for e in root.iter()
             if e.tag in (f"{{{TEXT}}}p", f"{{{TEXT}}}h")]
    return Counter(t.strip() for text in texts
                   for t, whole in tokens.split(_plain(text)) if whole)


def pdf_tokens(pages: list[str]) -> Counter:
    """The tokens of the PDF's lines, each line cut into its table columns (two spaces or
    more between them in pdftotext's layout)."""
    return Counter(t.strip() for page in pages for line in page.splitlines()
                   for column in re.split(r"\s{2,}", line.strip())
                   for t, whole in tokens.split(column) if whole)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                   r"([^<]*)</word>")


def narrow_columns(path: Path) -> list[str]:
    """Text stacked one or two characters a line: three words or more so short, each alone
    on its line in its column (no word follows within a space's width), each right under
    the one before (a line apart, less than a table row) at the same left edge."""
    out = subprocess.run([PDFTOTEXT, "-bbox-layout", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    found = []
    for page in re.findall(r"<page.*?</page>", out, re.S):
        words = [(float(x), float(top), float(right), float(bottom), text)
                 for x, top, right, bottom, text in _WORD.findall(page)]
        alone = [w for w in words if 0 < len(w[4]) <= 2 and not any(
            abs(o[1] - w[1]) < 1 and 0 <= o[0] - w[2] <= 6 for o in words)]
        for x, top, _, bottom, text in alone:
            chain = [text]
            while below := [w for w in alone if abs(w[0] - x) <= 3
                            and 0 < w[1] - top <= 1.6 * (bottom - top)]:
                x, top, _, bottom, text = below[0]
                chain.append(text)
            if len(chain) >= 3:
                found.append("|".join(chain))
    return sorted(set(found))


@needs_pdf
def test_every_pdf_page_has_body_text(built):
    pages = pdf_pages(built["out"] / "annual-report.pdf")
    blank = [n for n, page in enumerate(pages, start=1)
             if not [line for line in page.splitlines() if line.strip() and TITLE not in line]]
    assert len(pages) >= 10 and blank == []


@needs_pdf
def test_no_token_is_split_across_lines_in_the_pdf(built):
    source = source_tokens(built["out"] / "annual-report.odt")
    assert source["1."] >= 3 and any(MASK in t for t in source)
    missing = source - pdf_tokens(pdf_pages(built["out"] / "annual-report.pdf"))
    assert dict(missing) == {}


@needs_pdf
def test_no_table_column_is_one_or_two_characters_wide_in_the_pdf(built):
    assert narrow_columns(built["out"] / "annual-report.pdf") == []


# ---------------------------------------------------------------- the pages in Chromium


CELLS_OUTSIDE = """() => [...document.querySelectorAll('th, td')]
  .filter(c => c.offsetParent !== null && c.getBoundingClientRect().right > innerWidth + 0.5)
  .map(c => ((c.closest('table').caption || {}).innerText || '') + '：' + c.innerText)"""
CARDS = """() => [...document.querySelectorAll('table.gs-stack')].map(t => {
  const row = t.tBodies[0].rows[0];
  const cells = [...row.cells].filter(c => c.offsetParent !== null);
  const label = cells.find(c => c.dataset.label);
  return {caption: t.caption.innerText,
          row: getComputedStyle(row).display, head: getComputedStyle(t.tHead).position,
          first: cells[0].tagName,
          label: label ? getComputedStyle(label, '::before').content : ''};
})"""


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("width", [1280, 390])
def test_every_table_column_is_on_screen(browser, built, width):
    for name in built["pages"]:
        page = browser.new_page(viewport={"width": width, "height": 800 if width > 400 else 844})
        try:
            page.goto((built["out"] / f"{name}.html").as_uri(), wait_until="load")
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than {width}px"
            if width == 1280:
                assert page.evaluate(CELLS_OUTSIDE) == [], name
                continue
            cards = page.evaluate(CARDS)
            if name == "annual-report":
                # The form's widest tables, each row a card under its row header (項次).
                firsts = {c["caption"]: c["first"] for c in cards}
                assert firsts["112年自辦訓練"] == firsts["112年性別影響評估：重大施政"] == "TH"
            for card in cards:
                assert (card["row"], card["head"]) == ("block", "absolute"), card
                assert card["label"].endswith('："'), card
            # What stays a table is a table of figures: it may scroll inside its own box.
            outside = page.evaluate(CELLS_OUTSIDE)
            assert all(not t.startswith("112年自辦訓練") for t in outside), name
        finally:
            page.close()
