"""Screenshots of the committee pages on a phone (390 px) and a desktop (1280 px) for docs/.

Each page's first screen at both widths, and the annual report's wide 自辦訓練 table (cards on
the phone, every column on the desktop), as small palette PNGs. Needs Chromium and
Playwright (scripts/setup-browser.sh). Run from the project root after a build:

    .venv/bin/genderstats build --year 112
    .venv/bin/python scripts/page_screenshots.py outputs/112 docs/screenshots
"""

from __future__ import annotations

import argparse
import io
import shutil
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

SCREENS = {390: 844, 1280: 800}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The annual report's table that shows how a wide table is laid out on each screen.
WIDE_TABLE = "112年自辦訓練"


def small_png(png: bytes, path: Path) -> None:
    """``png`` written as a 64-colour palette PNG (a page is text on white: it reads the same)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", type=Path, help="a built year folder, e.g. outputs/112")
    parser.add_argument("out", type=Path, help="where the PNG files go, e.g. docs/screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=ARGS)
        for html in sorted(args.pages.glob("*.html")):
            if html.stem == "staff":
                continue  # for staff only, not a committee page
            for width, height in SCREENS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(html.resolve().as_uri(), wait_until="load")
                small_png(page.screenshot(), args.out / f"{html.stem}-{width}.png")
                table = page.locator(".gs-table-wrap",
                                     has=page.locator(f"caption:text-is('{WIDE_TABLE}')"))
                if html.stem == "annual-report" and table.count():
                    table.first.scroll_into_view_if_needed()
                    small_png(table.first.screenshot(),
                              args.out / f"{html.stem}-table-{width}.png")
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
