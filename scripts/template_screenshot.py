"""Draw a new-year Excel template as a spreadsheet looks, for docs/contact-person.md.

    .venv/bin/python scripts/template_screenshot.py data/113/committee_members.xlsx out.png

The workbook is read with openpyxl (headers, example row, the drop-down of one column, the
header note) and drawn as HTML, which headless Chromium photographs. LibreOffice Calc
would convert the workbook itself, but the project installs only LibreOffice Writer.
"""

from __future__ import annotations

import html
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

STYLE = """
body { font: 14px 'Noto Sans CJK TC', sans-serif; margin: 8px; background: #fff; }
table { border-collapse: collapse; }
td, th { border: 1px solid #d0d0d0; padding: 3px 6px; white-space: nowrap; height: 20px; }
th { background: #f3f3f3; color: #555; font-weight: normal; text-align: center; }
td.head { background: #ddebf7; font-weight: bold; border-bottom: 2px solid #7f7f7f; }
td.example { color: #7f7f7f; font-style: italic; }
.menu { position: absolute; background: #fff; border: 1px solid #888;
        box-shadow: 2px 2px 4px #aaa; font-style: normal; color: #000; }
.menu div { padding: 2px 10px; } .menu div:first-child { background: #cce4ff; }
.note { position: absolute; background: #ffffe1; border: 1px solid #888; padding: 6px;
        width: 300px; white-space: normal; font-size: 12px; color: #000; font-weight: normal; }
.tabs { margin-top: 6px; font-size: 13px; }
.tabs span { border: 1px solid #bbb; padding: 2px 10px; margin-right: 4px; background: #eee; }
.tabs span.on { background: #fff; font-weight: bold; }
"""


def page(path: Path, rows: int = 6) -> str:
    """The first sheet of ``path`` as an HTML spreadsheet, with one drop-down open."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    width = sheet.max_column
    lists = {str(rule.sqref).split(":")[0].rstrip("0123456789"): rule.formula1.strip('"')
             for rule in sheet.data_validations.dataValidation}
    shown = next(iter(lists), None)
    out = [f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>",
           "<table><tr><th></th>"]
    out += [f"<th>{get_column_letter(i)}</th>" for i in range(1, width + 1)]
    out.append("</tr>")
    for r in range(1, rows + 1):
        out.append(f"<tr><th>{r}</th>")
        for i in range(1, width + 1):
            cell = sheet.cell(row=r, column=i)
            value = cell.value
            text = value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else value
            css = "head" if r == 1 else "example" if r == 2 else ""
            extra = ""
            letter = get_column_letter(i)
            if r == 1 and i == 1 and cell.comment is not None:
                note = html.escape(cell.comment.text).replace("\n", "<br>")
                extra = f"<div class='note' style='margin:68px 0 0 40px'>{note}</div>"
            if r == 3 and letter == shown:
                items = "".join(f"<div>{html.escape(v)}</div>" for v in lists[shown].split(","))
                extra = f"▾<div class='menu'>{items}</div>"
            out.append(f"<td class='{css}'>{html.escape(str(text or ''))}{extra}</td>")
        out.append("</tr>")
    tabs = "".join(f"<span class='{'on' if n == 0 else ''}'>{html.escape(s.title)}</span>"
                   for n, s in enumerate(book.worksheets))
    out.append(f"</table><div class='tabs'>{tabs}</div></body></html>")
    return "".join(out)


def main(source: str, target: str, size: str = "1000,330") -> None:
    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "sheet.html"
        page_file.write_text(page(Path(source)), encoding="utf-8")
        subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             f"--user-data-dir={folder}/profile", f"--window-size={size}",
             f"--screenshot={Path(target).resolve()}", page_file.as_uri()],
            check=True, capture_output=True, timeout=120)


if __name__ == "__main__":
    main(*sys.argv[1:])
