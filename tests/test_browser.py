"""Every published page of the sample build, opened in headless Chromium as a committee member.

At 390 px (a phone) and 1280 px (a desktop): no request leaves the file, no console error,
zero axe-core violations, no table cell broken one character per line, no masked name or
figure split across lines, no sideways page scroll, nothing meant for staff. Printed to A4:
no table wider than the printable area, every table on one page, the title and page numbers
in the footer. Screenshots of every page at both widths and the PDF are kept under
outputs/screenshots/ for a person to look at. Skipped, with the reason, where Chromium is
not installed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import CHROMIUM, published_reports

from genderstats import config

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium 未安裝（sudo apt-get install chromium）"),
]
PAGES = ["index", *[r.id for r in published_reports()]]
WIDTHS = [390, 1280]
SHOTS = config.OUTPUTS_DIR / "screenshots"
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
# What only staff may read: paths, file names, versions, hashes, exception text, instructions.
STAFF_TEXT = re.compile(r"data/|\.csv|\.ya?ml|\.ipynb|genderstats 0\.|sha256|SHA-256|雜湊|"
                        r"Exception|Error:|Traceback|承辦人|檔案日期|papermill|In \[\d+\]|"
                        r"\b[0-9a-f]{40,64}\b")

# Cells whose text (≥ 2 characters) runs over several lines while the cell is under ~2 em
# wide: the text is stacked one character per line.
BROKEN_CELLS = """() => [...document.querySelectorAll('th, td')].filter(c => {
  const text = c.innerText.trim();
  if ([...text].length < 2 || c.offsetParent === null) return false;
  const size = parseFloat(getComputedStyle(c).fontSize);
  const range = document.createRange();
  range.selectNodeContents(c);
  const rects = [...range.getClientRects()].filter(r => r.width > 0);
  const lines = new Set(rects.map(r => Math.round(r.top))).size;
  const width = Math.max(0, ...rects.map(r => r.right)) - Math.min(...rects.map(r => r.left));
  return lines > 1 && width < 2.2 * size;
}).map(c => c.innerText.trim())"""

# Masked names (王○明, J○n) and figures (1,234 / 35.29% / 17人) rendered on more than one line.
SPLIT_WORDS = """() => {
  const found = [];
  const pattern = /[^\\s、，,；（）()]{1,3}○[^\\s、，,；（）()]{0,3}|\\d[\\d,.]*\\d%?|\\d+%/g;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.parentElement || node.parentElement.offsetParent === null) continue;
    for (const m of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                           .map(r => Math.round(r.top)));
      if (tops.size > 1) found.push(m[0]);
    }
  }
  return found;
}"""

READ_TEXT = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('img')].map(i => i.alt)].join('\\n')"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def _open(browser, path: Path, width: int = 1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    return page, requests, errors


@pytest.mark.parametrize("name", PAGES)
def test_page_is_offline_error_free_and_accessible(browser, axe_source, sample_build, name):
    path = sample_build["out"] / f"{name}.html"
    page, requests, errors = _open(browser, path)
    try:
        outside = [u for u in requests if not u.startswith(("file:", "data:"))]
        assert outside == [], f"{name} requests outside the file: {outside}"
        assert errors == [], f"{name} console errors: {errors}"
        assert page.evaluate("document.documentElement.lang") == "zh-Hant-TW"
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document)")
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "" for n in v["nodes"][:3])
            for v in result["violations"]
        ]
        assert violations == [], f"{name}: axe-core violations:\n" + "\n".join(violations)
        for img in page.query_selector_all("img"):
            alt = img.get_attribute("alt") or ""
            assert alt.strip() and alt != "圖表", f"{name}: an image without alt text"
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_reads_well_at_phone_and_desktop_width(browser, sample_build, name, width):
    page, _, _ = _open(browser, sample_build["out"] / f"{name}.html", width=width)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        # The page never scrolls sideways; wide tables scroll inside their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a {width}px screen"
        assert page.evaluate(BROKEN_CELLS) == [], f"{name} at {width}px: one character per line"
        assert page.evaluate(SPLIT_WORDS) == [], f"{name} at {width}px: split names or figures"
        # Headings carry their own numbers (「二、性別平等專案小組」): the contents add none.
        markers = page.evaluate("""() => [...document.querySelectorAll('.gs-toc li')]
            .map(li => getComputedStyle(li).listStyleType)""")
        assert set(markers) <= {"none"}, f"{name}: numbered table of contents {set(markers)}"
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_committee_pages_carry_nothing_meant_for_staff(browser, sample_build, name):
    page, _, _ = _open(browser, sample_build["out"] / f"{name}.html")
    try:
        text = page.evaluate(READ_TEXT)
        staff = sorted({m.group(0) for m in STAFF_TEXT.finditer(text)})
        assert staff == [], f"{name}: staff-facing text on a committee page: {staff}"
        links = page.evaluate("() => [...document.links].map(a => a.getAttribute('href'))")
        assert not [h for h in links if h.startswith(("failed/", "logs/", "notebooks/"))
                    or h in ("staff.html", "manifest.json")], links
    finally:
        page.close()


def test_a_phone_gets_the_narrow_charts_and_wide_tables_scroll_with_a_cue(browser, sample_build):
    page, _, _ = _open(browser, sample_build["out"] / "digital-training.html", width=390)
    try:
        charts = page.evaluate("""() => [...document.querySelectorAll('figure.gs-chart img')]
            .map(i => ({src: i.currentSrc === i.getAttribute('src'), width: i.clientWidth,
                        natural: i.naturalWidth}))""")
        assert charts and not any(c["src"] for c in charts), "a phone shows the page-width chart"
        assert all(c["natural"] <= 2.5 * 390 for c in charts)
        # A table wider than the screen: its box scrolls, and a shadow at the right says so.
        wide = page.evaluate("""() => [...document.querySelectorAll('.gs-table-wrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1)
            .map(w => getComputedStyle(w, '::after').opacity)""")
        assert wide and all(float(o) > 0.5 for o in wide), wide
        details = page.locator("details.gs-chart-data").first
        assert details.locator("summary").inner_text() == "查看數據"
        details.locator("summary").click()
        assert details.locator("table").is_visible()
    finally:
        page.close()


# A4 portrait minus the @page side margins (12 mm each): 186 mm at 96 CSS px per inch.
PRINTABLE_PX = round(186 / 25.4 * 96)


def test_printed_longest_report_fits_a4_with_title_and_page_numbers(browser, sample_build):
    pypdf = pytest.importorskip("pypdf")
    out = sample_build["out"]
    longest = max((out / f"{r}.html" for r in PAGES[1:]), key=lambda p: p.stat().st_size)
    page, _, _ = _open(browser, longest, width=PRINTABLE_PX)
    try:
        page.emulate_media(media="print")
        too_wide = page.evaluate("""(limit) => [...document.querySelectorAll('table')]
            .filter(t => t.getBoundingClientRect().width > limit + 1
                         || t.getBoundingClientRect().right > limit + 1)
            .map(t => (t.caption ? t.caption.innerText : '?').trim())""", PRINTABLE_PX)
        assert too_wide == [], f"tables wider than A4's printable area: {too_wide}"
        assert page.evaluate(BROKEN_CELLS) == [], "printed: one character per line"
        assert page.evaluate(SPLIT_WORDS) == [], "printed: split names or figures"
        title = page.evaluate("document.querySelector('h1').innerText").strip()
        tables = page.evaluate("""() => [...document.querySelectorAll('table')]
            .filter(t => t.offsetParent !== null).map(t => ({
            caption: (t.caption ? t.caption.innerText : '').trim(),
            rows: t.rows.length,
            last: (t.rows[t.rows.length - 1].cells[0].innerText || '').trim()}))""")
        pdf = page.pdf(format="A4", print_background=True)
    finally:
        page.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{longest.stem}.pdf").write_bytes(pdf)

    def flat(text: str) -> str:
        # PDF text comes back with Kangxi radicals (⼯ for 工); NFKC maps them back.
        return "".join(unicodedata.normalize("NFKC", text).split())

    texts = [flat(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(texts) >= 2 and len(tables) >= 2
    for number, text in enumerate(texts, start=1):
        assert f"{number}/{len(texts)}" in text, f"page {number} has no page number"
        assert flat(title) in text, f"page {number} has no report title in its footer"
    for t in tables:
        caption = flat(t["caption"])[:12]
        on = [i for i, text in enumerate(texts) if caption and caption in text]
        assert on, f"caption {t['caption']!r} not found in the PDF"
        if t["rows"] > 25:
            continue  # a roster longer than a page continues on the next (headers repeat)
        last = flat(t["last"])
        assert last in texts[on[0]], f"table {t['caption']!r} is split across pages"
