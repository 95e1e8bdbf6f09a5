"""Every published page of the sample build, opened in headless Chromium.

No request leaves the file, no console error, zero axe-core violations, a full-page screenshot
under outputs/screenshots/ for review, and an A4 PDF of the longest report with every table on
one page. Skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import io
import shutil
import unicodedata
from pathlib import Path

import pytest
from conftest import published_reports

from genderstats import config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium 未安裝（sudo apt-get install chromium）"),
]
PAGES = ["index", *[r.id for r in published_reports()]]
SHOTS = config.OUTPUTS_DIR / "screenshots"
# Flags for a closed network: without them Chromium keeps trying to reach Google's services.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone(browser, sample_build, name):
    page, _, _ = _open(browser, sample_build["out"] / f"{name}.html", width=390)
    try:
        # The page never scrolls sideways; wide tables scroll inside their own box.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} is {overflow}px wider than a phone screen"
    finally:
        page.close()


def test_printed_longest_report_keeps_every_table_on_one_page(browser, sample_build):
    pypdf = pytest.importorskip("pypdf")
    out = sample_build["out"]
    longest = max((out / f"{r}.html" for r in PAGES[1:]), key=lambda p: p.stat().st_size)
    page, _, _ = _open(browser, longest)
    try:
        tables = page.evaluate("""() => [...document.querySelectorAll('table')].map(t => ({
            caption: (t.caption ? t.caption.innerText : '').trim(),
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
    assert len(tables) >= 2
    for t in tables:
        caption = flat(t["caption"])[:12]
        on = [i for i, text in enumerate(texts) if caption and caption in text]
        assert on, f"caption {t['caption']!r} not found in the PDF"
        last = flat(t["last"])
        assert last in texts[on[0]], f"table {t['caption']!r} is split across pages"
