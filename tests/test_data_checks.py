"""Checks on values and on the files themselves: each gives one exact, public-safe message."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import messages, put

from genderstats import config, data

CLASSES_HEADER = "班次代碼,日期,對象,時數"




# --- codes keep their leading zeros in every format -------------------------------------

PARTS_CSV = "班次代碼,性別\n0001,女\n0001,男\n0002,女\n"


def _xlsx_classes(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["班次代碼", "日期", "對象", "時數"])
    for code, day in ((1, "112-03-15"), (2, "112-04-01")):
        sheet.append([code, day, "銀髮族", 3])
        sheet.cell(row=sheet.max_row, column=1).number_format = "0000"
    book.save(path)


def _ods_classes(path: Path) -> None:
    from odf.number import Number, NumberStyle
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    digits = NumberStyle(name="N4")
    digits.addElement(Number(decimalplaces="0", minintegerdigits="4"))
    doc.automaticstyles.addElement(digits)
    padded = Style(name="C4", family="table-cell", datastylename="N4")
    doc.automaticstyles.addElement(padded)
    table = Table(name="班次")

    def row(*cells: TableCell) -> None:
        tr = TableRow()
        for cell in cells:
            tr.addElement(cell)
        table.addElement(tr)

    def text(value: str) -> TableCell:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=value))
        return cell

    def number(value: int, shown: str, style: Style | None = None) -> TableCell:
        cell = TableCell(valuetype="float", value=value, **({"stylename": style} if style else {}))
        cell.addElement(P(text=shown))
        return cell

    row(text("班次代碼"), text("日期"), text("對象"), text("時數"))
    row(number(1, "0001", padded), text("112-03-15"), text("銀髮族"), number(3, "3"))
    row(number(2, "0002", padded), text("112-04-01"), text("銀髮族"), number(3, "3"))
    doc.spreadsheet.addElement(table)
    doc.save(str(path))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_codes_keep_leading_zeros_in_every_format(data_dir: Path, fmt: str) -> None:
    path = data_dir / "112" / f"training_classes.{fmt}"
    if fmt == "csv":
        path.write_text(f"{CLASSES_HEADER}\n0001,112-03-15,銀髮族,3\n0002,112-04-01,銀髮族,3\n",
                        encoding="utf-8")
    elif fmt == "xlsx":
        _xlsx_classes(path)
    else:
        _ods_classes(path)
    put(data_dir, "training_participations.csv", PARTS_CSV)
    classes = data.load("training_classes", 112, data_dir)
    assert classes["class_id"].tolist() == ["0001", "0002"]
    assert classes["hours"].tolist() == [3.0, 3.0]  # a plain number cell stays a number
    parts = data.load("training_participations", 112, data_dir)
    assert parts["class_id"].tolist() == ["0001", "0001", "0002"]
    assert data.validate_year(112, data_dir) == []


# --- numbers beyond a sane bound ---------------------------------------------------------


def test_a_budget_amount_beyond_the_bound_names_the_cell(data_dir: Path) -> None:
    put(data_dir, "gender_budget.csv",
        "年度,計畫項目名稱,預算數\n112,數位平權,5820000\n112,資料錯誤,1e20\n")
    assert messages("gender_budget", data_dir) == [
        "data/112/gender_budget.csv 第 3 列「預算數」欄：「1e20」超過這一欄的上限 "
        "10,000,000,000，多半是打錯字或匯出時格式跑掉。請確認實際的數值後重新填寫（0 以上的整數）。"
    ]


@pytest.mark.parametrize("dataset, text, line", [
    ("training_courses", "辦理日期,訓練班期名稱,時數,男,女\n112-09-01,課,3,38,20000\n",
     "data/112/training_courses.csv 第 2 列「女」欄：「20000」超過這一欄的上限 10,000，"),
    ("staff_training", "人員類別,性別,完成時數,實體時數\n一般,男,5000,1\n",
     "data/112/staff_training.csv 第 2 列「完成時數」欄：「5000」超過這一欄的上限 1,000，"),
    ("task_force_meetings", "會議,日期,主席,委員總數,出席人數\n112-1,112-03-20,首長,1700,17\n",
     "data/112/task_force_meetings.csv 第 2 列「委員總數」欄：「1700」超過這一欄的上限 1,000，"),
])
def test_people_counts_and_hours_have_bounds(
    data_dir: Path, dataset: str, text: str, line: str
) -> None:
    put(data_dir, f"{dataset}.csv", text)
    assert messages(dataset, data_dir)[0].startswith(line)


def test_every_numeric_column_has_an_upper_bound() -> None:
    # Without one a number could overflow int64 into a published −9,223,372,036,854,775,808.
    for spec in data.DATASETS.values():
        for column in spec.columns:
            if column.kind in ("int", "number"):
                assert column.maximum is not None, (spec.stem, column.name)


def test_bound_itself_is_accepted(data_dir: Path) -> None:
    put(data_dir, "gender_budget.csv", "年度,計畫項目名稱,預算數\n112,大計畫,10000000000\n")
    assert data.load("gender_budget", 112, data_dir)["amount"].tolist() == [10_000_000_000]


# --- dates --------------------------------------------------------------------------------


def test_two_digit_year_is_refused(data_dir: Path) -> None:
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數\n112-1,23/3/20,首長,17,17\n")
    assert messages("task_force_meetings", data_dir) == [
        "data/112/task_force_meetings.csv 第 2 列「日期」欄：「23/3/20」的年份只有兩位數，"
        "無法確定是哪一年。請寫出完整年份，例如 112-03-20（民國）或 2023-03-20（西元）。"
    ]


@pytest.mark.parametrize("dataset, text, expected", [
    ("task_force_meetings",
     "會議,日期,主席,委員總數,出席人數\n112-1,112-03-20,首長,17,17\n108-2,2019-08-28,首長,17,16\n",
     "data/112/task_force_meetings.csv 第 3 列「日期」欄：「2019-08-28」不在 112 年（2023 年）內。"
     "data/112/ 只放 112 年的資料；請更正日期，或把這一列移到 108 年的資料夾。"),
    ("training_courses",
     "辦理日期,訓練班期名稱,時數,男,女\n112-09-01,從 AI 技術看性別化差異,3,38,35\n",
     "data/113/training_courses.csv 第 2 列「辦理日期」欄：「112-09-01」不在 113 年（2024 年）內。"
     "data/113/ 只放 113 年的資料；請更正日期，或把這一列移到 112 年的資料夾。"),
    ("training_classes", f"{CLASSES_HEADER}\nD114-001,114-01-10,銀髮族,3\n",
     "data/113/training_classes.csv 第 2 列「日期」欄：「114-01-10」不在 113 年（2024 年）內。"
     "data/113/ 只放 113 年的資料；請更正日期，或把這一列移到 114 年的資料夾。"),
])
def test_dated_event_outside_the_folder_year(
    data_dir: Path, dataset: str, text: str, expected: str
) -> None:
    year = int(expected[5:8])
    put(data_dir, f"{dataset}.csv", text, year=year)
    assert messages(dataset, data_dir, year) == [expected]


def test_budget_may_hold_this_and_next_year_only(data_dir: Path) -> None:
    put(data_dir, "gender_budget.csv",
        "年度,計畫項目名稱,預算數\n112,甲,1\n2024,甲,1\n114,甲,1\n")
    assert messages("gender_budget", data_dir) == [
        "data/112/gender_budget.csv 第 4 列「年度」欄：「114」不是 112 或 113 年。"
        "data/112/ 的性別預算只放本年度（112）與下年度（113）的列；"
        "請更正年度，或把這一列移到 114 年的資料夾。"
    ]
    (data_dir / "112" / "gender_budget.csv").write_text(
        "年度,計畫項目名稱,預算數\n112,甲,1\n2024,甲,1\n", encoding="utf-8")
    assert data.load("gender_budget", 112, data_dir)["year"].tolist() == [112, 113]


# --- encodings ------------------------------------------------------------------------------

ENGINEERS = ("職別,性別,廠商\n系統工程師,男,群睿資訊股份有限公司\n"
             "網路工程師,女,泰和數位科技股份有限公司\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950", "big5"])
def test_utf8_bom_and_big5_are_read(data_dir: Path, encoding: str) -> None:
    put(data_dir, "onsite_engineers.csv", ENGINEERS.encode(encoding))
    frame = data.load("onsite_engineers", 112, data_dir)
    assert frame["vendor"].tolist() == ["群睿資訊股份有限公司", "泰和數位科技股份有限公司"]


def test_short_big5_file_is_read(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "職別,性別\n系統工程師,男\n".encode("cp950"))
    assert data.load("onsite_engineers", 112, data_dir)["job_category"].tolist() == ["系統工程師"]


@pytest.mark.parametrize("text", [
    "job_category,gender,vendor\n系统工程师,M,泰和数位科技股份有限公司\n网络工程师,F,联想集团\n",
    "職別,性別,廠商\n系統工程師,男,群睿資訊股份有限公司\n",  # Traditional text saved as GBK
])
def test_gbk_file_is_refused_with_the_fix(data_dir: Path, text: str) -> None:
    put(data_dir, "onsite_engineers.csv", text.encode("gbk"))
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：檔案的文字編碼是簡體中文的 GBK/GB2312（GB18030），"
        "不是 UTF-8 或 Big5，讀出來會是亂碼。"
        "請另存為 CSV UTF-8（Excel「另存新檔」選「CSV UTF-8（逗號分隔）」）後再放入。"
    ]


@pytest.mark.parametrize("encoding, text", [
    ("shift_jis", "名前,性別\n田中,男\n山田太郎,女\n"),
    ("latin-1", "job_category,gender\nJosé,Zürich\n"),
])
def test_other_encodings_are_refused_with_the_fix(data_dir: Path, encoding: str, text: str) -> None:
    # Not called GBK (Shift-JIS also decodes as GB18030), but refused with the same fix.
    put(data_dir, "onsite_engineers.csv", text.encode(encoding))
    [message] = messages("onsite_engineers", data_dir)
    assert message.startswith(
        "data/112/onsite_engineers.csv：無法辨識檔案的文字編碼（可讀取 UTF-8、")
    assert message.endswith(
        "請另存為 CSV UTF-8（Excel「另存新檔」選「CSV UTF-8（逗號分隔）」）後再放入。")


# --- only regular files inside the data folder ------------------------------------------------


def test_symlink_outside_the_data_folder_is_never_read(data_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("root:*:20228:0:99999:7:::\n", encoding="utf-8")
    (data_dir / "112" / "committee_members.csv").symlink_to(secret)
    expected = [
        "data/112/committee_members.csv：這是指向資料夾外的捷徑（符號連結），基於安全不會讀取。"
        "請把檔案本身複製到這個資料夾，取代這個捷徑。"
    ]
    assert messages("committee_members", data_dir) == expected
    assert [str(p) for p in data.validate_year(112, data_dir)] == expected


def test_symlink_inside_the_data_folder_is_read(data_dir: Path) -> None:
    target = put(data_dir, "onsite_engineers.csv", ENGINEERS, year=111)
    (data_dir / "112" / "onsite_engineers.csv").symlink_to(target)
    assert len(data.load("onsite_engineers", 112, data_dir)) == 2


def test_folder_with_a_data_file_name(data_dir: Path) -> None:
    (data_dir / "112" / "onsite_engineers.xlsx").mkdir()
    expected = [
        "data/112/onsite_engineers.xlsx：這是資料夾，不是資料檔，不會讀取。"
        "請放入檔案本身，或把這個資料夾改名、移走。"
    ]
    assert messages("onsite_engineers", data_dir) == expected
    assert [str(p) for p in data.validate_year(112, data_dir)] == expected


def test_fifo_is_refused_without_hanging(data_dir: Path) -> None:
    fifo = data_dir / "112" / "onsite_engineers.csv"
    os.mkfifo(fifo)
    result: list[list[str]] = []
    reader = threading.Thread(
        target=lambda: result.append([str(p) for p in data.validate_year(112, data_dir)]),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "validate hung on a FIFO"
    assert result == [[
        "data/112/onsite_engineers.csv：這不是一般檔案（例如具名管道或裝置），不會讀取。"
        "請放入一般的 CSV、Excel 或 ODS 檔案。"
    ]]


def test_reader_refuses_a_fifo_itself(tmp_path: Path) -> None:
    # Even if a FIFO replaces the file after it was found, opening it does not block.
    from genderstats.data.readers import read_regular

    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    with pytest.raises(data.DataError, match="這不是一般檔案"):
        read_regular(fifo, "data/112/x.csv")


def test_header_message_quotes_a_short_excerpt(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "委員會,屆,姓名," + "府內外聘" * 30 + "\n甲,1,王大明\n")
    [message] = messages("committee_members", data_dir)
    found = message.split("檔案的標題列（第 1 列）有：")[1].split("。請在標題列")[0]
    assert found == ("委員會、屆、姓名、" + "府內外聘" * 30)[:59] + "…"


@pytest.mark.parametrize("first_line", [
    "root:*:20228:0:99999:7:::",            # not a data file at all (a leaked system file)
    "性別平等專案小組,3,王大明,男,府內",      # the header row is missing: row 1 is a member
])
def test_a_first_line_that_is_no_header_is_never_echoed(data_dir: Path, first_line: str) -> None:
    put(data_dir, "committee_members.csv", f"{first_line}\n甲,乙\n")
    [message] = messages("committee_members", data_dir)
    assert "root" not in message and "王大明" not in message and "王" not in message
    assert "看起來不是標題列（內容可能是資料，因此不在這裡列出）。" in message


def test_long_cell_is_quoted_short(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", f"職別,性別\n工程師,{'不詳' * 200}\n")
    [message] = messages("onsite_engineers", data_dir)
    assert message.startswith(
        "data/112/onsite_engineers.csv 第 2 列「性別」欄：「"
        + "不詳" * 29 + "不…」不是可接受的性別。"
    )


# --- absent optional columns are flagged on the frame ---------------------------------------------


def test_absent_columns_are_named_on_the_frame(data_dir: Path) -> None:
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數\n112-1,112-03-20,首長,17,17\n")
    meetings = data.load("task_force_meetings", 112, data_dir)
    assert meetings.attrs["absent_columns"] == ("chair_title", "experts_present")
    assert not data.has_column(meetings, "experts_present")
    assert data.has_column(meetings, "members_present")
    assert not data.has_column(meetings, "no_such_column")


def test_sample_frames_say_which_columns_they_lack() -> None:
    members = data.load("committee_members", 112, config.DATA_DIR)
    assert members.attrs["absent_columns"] == ()
    assert data.has_column(members, "sector")
    parts = data.load("training_participations", 112, config.DATA_DIR)
    # age_band and target_group are derived (from age, from the class), so not absent.
    assert "age_band" not in parts.attrs["absent_columns"]
    assert "target_group" not in parts.attrs["absent_columns"]
    assert data.empty_frame("gender_budget").attrs["absent_columns"] == ()


def test_absent_columns_survive_load_years(data_dir: Path) -> None:
    put(data_dir, "training_classes.csv", f"{CLASSES_HEADER}\nA,112-03-15,銀髮族,3\n")
    put(data_dir, "training_classes.csv",
        f"{CLASSES_HEADER},行政區\nB,111-03-15,銀髮族,3,內湖區\n", year=111)
    frame = data.load_years("training_classes", [111, 112], data_dir)
    assert frame["year"].tolist() == [111, 112]
    assert frame.attrs["absent_columns"] == ("district", "title")
    assert frame.attrs["absent_columns_by_year"] == {
        111: ("title",), 112: ("district", "title")}
    assert not data.has_column(frame, "district")


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert data.validate_year(112, copy) == []
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    assert np.array_equal(
        data.load("training_classes", 112, copy)["hours"].to_numpy(),
        pd.read_csv(copy / "112" / "training_classes.csv", encoding="utf-8-sig")["時數"]
        .to_numpy(dtype=float),
    )


def test_big_files_are_judged_on_their_non_ascii_lines(data_dir: Path) -> None:
    # Over 1 MiB of plain ASCII rows first: the detector must still see the Chinese rows.
    ascii_rows = "Engineer,M\n" * 120_000
    put(data_dir, "onsite_engineers.csv",
        ("job_category,gender\n" + ascii_rows + "系统工程师,女\n网络工程师,男\n").encode("gbk"))
    [message] = messages("onsite_engineers", data_dir)
    assert "GBK/GB2312（GB18030）" in message
    put(data_dir, "onsite_engineers.csv",
        ("職別,性別\n" + ascii_rows + "系統工程師,女\n網路工程師,男\n").encode("cp950"))
    frame = data.load("onsite_engineers", 112, data_dir)
    assert frame["job_category"].iloc[-2:].tolist() == ["系統工程師", "網路工程師"]
