"""Excel templates of the data contract: one workbook per dataset, ready to fill.

A template is the contract made visible: the Chinese headers of :mod:`specs` in line 1
(frozen), a drop-down list for every column with a closed list of values, date and text
formats where the column needs them, and line 2 an example row that the reader refuses
(:data:`EXAMPLE_MARK`) until it is deleted. What one row is, and every column's rule, are
in the 說明 sheet placed after the data sheet (only the first sheet is read).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from genderstats.data import crossfile
from genderstats.data.bands import AGE_BANDS, age_band
from genderstats.data.specs import Column, Dataset
from genderstats.years import ad_year

EXAMPLE_MARK = "【範例，請刪除這一列】"
"""Put before the example row's first text: a row holding it is the template's example."""
EXAMPLE_ROW_MESSAGE = ("這是範本的範例列，請刪除這一列（在 Excel 的列號上按右鍵，選「刪除」），"
                       "再填入您的資料。")
"""What the reader says of a row that still holds :data:`EXAMPLE_MARK`."""
DATA_ROWS = 5000
"""Lines of the data sheet given the drop-down lists."""
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
HELP_SHEET = "說明"
_LIST_LIMIT = 255
"""Characters Excel allows in a list validation written into the rule itself."""

_SAMPLE_NAMES = "王大明、林小華"
_EXAMPLES: dict[tuple[str, str], Any] = {
    # Values the column's doc does not give, or that must agree across files.
    ("committee_members", "name"): "王大明",
    ("committee_members", "term"): 1,
    ("committee_members", "affiliation"): "外聘",
    ("task_force_meetings", "experts_present"): "王大明",
    ("task_force_meetings", "members_total"): 9,
    ("task_force_meetings", "members_present"): 8,
    ("onsite_engineers", "vendor"): "○○資訊股份有限公司",
    ("onsite_engineers", "centre"): "資通安全中心",
    ("training_classes", "district"): "大安區",
    ("training_classes", "title"): "手機上網輕鬆學",
    ("training_classes", "hours"): 3,
    ("training_participations", "class_id"): "D{year}-001",
    ("training_participations", "age"): 65,
    ("staff_training", "staff_id"): "00012",
    ("staff_training", "hours"): 3,
    ("staff_training", "in_person_hours"): 2,
    ("staff_training", "unit"): "秘書室",
    ("contact_training", "name"): "王大明",
    ("contact_training", "total_hours"): 18,
    ("contact_training", "advanced_hours"): 6,
    ("contact_training", "duty"): "",
    ("training_courses", "title"): "性別主流化講座",
    ("training_courses", "hours"): 2,
    ("training_courses", "men"): 20,
    ("training_courses", "women"): 25,
    ("training_courses", "other"): 0,
    ("training_courses", "goal"): "認識性別主流化的工具",
    ("training_courses", "lecturer"): "林小華",
    ("gender_budget", "item_no"): "1",
    ("gender_budget", "item"): "數位平權推動計畫",
    ("gender_budget", "amount"): 500000,
    ("gender_budget", "effect"): "提升女性與高齡者的數位能力",
    ("resolutions", "item"): "請各單位檢視委員會的性別比例",
    ("resolutions", "progress"): "已完成檢視",
    ("resolutions", "unit"): "秘書室",
    ("gender_statistics", "name"): "數位訓練參訓人次",
    ("gender_statistics", "parent"): "",
    ("gender_statistics", "definition"): "數位訓練各班次參訓人次，依性別分",
    ("impact_assessments", "title"): "臺北市資訊服務計畫",
    ("impact_assessments", "summary"): "計畫內容摘要",
    ("impact_assessments", "experts"): "林小華",
    ("impact_assessments", "opinions"): 3,
    ("impact_assessments", "adopted"): 2,
    ("impact_assessments", "first_date"): "",
    ("course_evaluations", "course"): "性別主流化講座",
    ("course_evaluations", "respondent"): "001",
    ("course_evaluations", "question"): "整體滿意度",
}
_DOC_EXAMPLE = re.compile(r"如 ([^、，。；（）]+)")
SPEC_YEAR = 112
"""The year the data contract's examples are written in (「如 112-03-15」, 「D112-001」)."""
_SPEC_YEARS = re.compile(r"(?<!\d)(112|113|2023|2024)(?!\d)")


def of_year(text: str, year: int) -> str:
    """``text`` (a column's rule or example from the data contract) with its example years
    those of the ``year`` folder: 「112-03-15」 reads 「113-03-15」 in a 113 template."""
    shift = {str(SPEC_YEAR): year, str(SPEC_YEAR + 1): year + 1,
             str(ad_year(SPEC_YEAR)): ad_year(year), str(ad_year(SPEC_YEAR) + 1): ad_year(year) + 1}
    return _SPEC_YEARS.sub(lambda m: str(shift[m.group(1)]), text)


def example_row(spec: Dataset, year: int) -> list[Any]:
    """The template's example row for ``spec``: one valid value per column (dates as dates),
    its first text cell prefixed with :data:`EXAMPLE_MARK`."""
    values = [_example(spec.stem, c, year) for c in spec.columns]
    for i, column in enumerate(spec.columns):
        if column.kind in ("text", "code") and isinstance(values[i], str) and values[i]:
            values[i] = EXAMPLE_MARK + values[i]
            break
    return values


def _example(stem: str, column: Column, year: int) -> Any:
    """One valid value for ``column`` in the ``year`` folder."""
    given = _EXAMPLES.get((stem, column.name))
    if isinstance(given, str):
        return given.replace("{year}", str(year))
    if given is not None:
        return given
    if column.kind == "date":
        return dt.date(ad_year(year), 3, 15)
    if column.kind == "year":
        return year
    if column.kind == "gender":
        return "女"
    if column.kind in ("choice", "choices"):
        return column.choices[0]
    if column.kind == "age_band":
        return str(age_band([65]).iloc[0])
    if column.kind == "names":
        return _SAMPLE_NAMES
    if column.kind in ("int", "number"):
        return max(int(column.minimum or 0), 1)
    found = _DOC_EXAMPLE.search(column.doc)
    return of_year(found.group(1).strip(), year) if found else column.label


def drop_down(column: Column) -> tuple[str, ...]:
    """The values a column's drop-down list offers (empty: the column has none)."""
    if column.kind in ("gender", "choice", "choices"):
        return column.choices
    if column.kind == "age_band":
        return AGE_BANDS
    return ()


def write_template(spec: Dataset, year: int, path: Path) -> None:
    """Write the Excel template of ``spec`` for the ``year`` folder to ``path``."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = spec.title[:31]
    sheet.append([c.label for c in spec.columns])
    sheet.append(example_row(spec, year))
    sheet.freeze_panes = "A2"
    bold, grey = Font(bold=True), Font(italic=True, color="7F7F7F")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        head = sheet.cell(row=1, column=i)
        head.font, head.fill = bold, header_fill
        head.comment = Comment(_column_note(spec, column, year), "genderstats", width=320,
                               height=140)
        sheet.cell(row=2, column=i).font = grey
        sheet.column_dimensions[letter].width = max(12, min(40, 2.2 * len(column.label) + 4))
        number_format = _number_format(column)
        if number_format:
            # The column's own format serves every row typed later; the example cell's too.
            sheet.column_dimensions[letter].number_format = number_format
            sheet.cell(row=2, column=i).number_format = number_format
        _add_drop_down(sheet, column, f"{letter}2:{letter}{DATA_ROWS + 1}", year)
    _help_sheet(book.create_sheet(HELP_SHEET), spec, year)
    book.active = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def _number_format(column: Column) -> str | None:
    if column.kind == "date":
        return DATE_FORMAT
    if column.kind == "code":
        # Text cells keep what is typed: 「00012」 stays 00012, 「112-1」 never becomes a date.
        return TEXT_FORMAT
    return None


def _add_drop_down(sheet: Any, column: Column, cells: str, year: int) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    values = drop_down(column)
    if not values:
        return
    listed = ",".join(values)
    if len(listed) > _LIST_LIMIT:
        raise ValueError(f"the list of {column.name} is too long for a drop-down")
    several = column.kind == "choices"
    rule = DataValidation(
        type="list", formula1=f'"{listed}"', allow_blank=True,
        # Check boxes of a form take several values (「基礎課程、CEDAW」): typing them in
        # must stay possible, so the list only warns.
        showErrorMessage=not several, errorStyle="stop",
        showInputMessage=True, promptTitle=column.label[:32],
        prompt=of_year(f"請填 {column.allowed}", year)[:255],
        errorTitle="不是可接受的值", error=of_year(f"請從清單選擇：{column.allowed}", year)[:255],
    )
    rule.add(cells)
    sheet.add_data_validation(rule)


def _column_note(spec: Dataset, column: Column, year: int) -> str:
    need = "必填" if column.required else "可留空"
    return of_year(f"{column.label}（{need}）：{column.doc or column.allowed}\n\n"
                   f"一列是：{spec.row}。", year)


def _help_sheet(sheet: Any, spec: Dataset, year: int) -> None:
    """The 說明 sheet: what one row is, how to start, and every column's rule."""
    from openpyxl.styles import Alignment, Font

    lines: list[list[str]] = [
        [f"{spec.title}（{spec.stem}）：{year} 年資料的範本"],
        [of_year(f"一列是：{spec.row}。", year)],
        ["只會讀取第一個工作表；這個「說明」工作表可以保留。"],
        ["第 2 列是範例，灰色斜體、開頭寫著「" + EXAMPLE_MARK + "」：開始填寫前請刪除這一列。"],
        ["第 1 列是標題列，請不要修改；沒有的資料就留空，不要寫「無」或「-」。"],
        ["有下拉選單的欄請從選單選擇；日期可以寫 "
         f"{year}-03-15（民國）或 {ad_year(year)}-03-15（西元）。"],
        ["這一年確實沒有這種資料時（例如沒有辦理），保留標題列、不填資料列；"
         "沒有蒐集這種資料時，請刪除這個檔案（報告的相關段落寫「無資料」）。"],
        *([[of_year(note, year)] for note in spec.notes]),
        *([[rule.describe()] for rule in crossfile.rules_of(spec.stem)]),
        [],
        ["欄名", "必填", "說明"],
    ]
    lines += [[c.label, "必填" if c.required else "", of_year(c.doc or c.allowed, year)]
              for c in spec.columns]
    for line in lines:
        sheet.append(line)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 90
    sheet["A1"].font = Font(bold=True, size=13)
    header_line = len(lines) - len(spec.columns)
    for cell in sheet[header_line]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header_line + 1):
        row[-1].alignment = Alignment(wrap_text=True, vertical="top")
