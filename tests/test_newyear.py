"""``genderstats new-year``: templates the project's own loader reads back, last year's texts
carried over for review, a checklist, and nothing overwritten."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import yaml

from genderstats import data
from genderstats.data.results_text import validate_results_text
from genderstats.data.specs import DATASETS
from genderstats.data.templates import (
    DATE_FORMAT,
    EXAMPLE_MARK,
    HELP_SHEET,
    TEXT_FORMAT,
    drop_down,
    example_row,
    of_year,
)
from genderstats.pipeline import cli
from genderstats.pipeline.newyear import carry_over, needed_datasets, new_year
from genderstats.pipeline.registry import load_registry
from tests.conftest import copy_registry, copy_sample_data

YEAR = 113
STEMS = list(DATASETS)
EXAMPLE = ("這是範本的範例列，請刪除這一列（在 Excel 的列號上按右鍵，選「刪除」），"
           "再填入您的資料。")


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """The sample's 112 folder (last year) and the registry, in the test's own copies."""
    return copy_sample_data(tmp_path / "data", ("112",)), copy_registry(tmp_path / "notebooks")


@pytest.fixture(scope="module")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 113 folder as ``new_year`` makes it (read only); returns the data folder."""
    root = tmp_path_factory.mktemp("made")
    data_dir = copy_sample_data(root / "data", ("112",))
    new_year(YEAR, data_dir, copy_registry(root / "notebooks"))
    return data_dir


@pytest.fixture
def made(made_once: Path, tmp_path: Path) -> Path:
    """The test's own copy of :func:`made_once`."""
    return Path(shutil.copytree(made_once, tmp_path / "data"))


def _edited(made_once: Path, root: Path, edit: Callable[[Any], None]) -> Path:
    """A copy of the made folder with ``edit`` applied to every template's data sheet."""
    data_dir = Path(shutil.copytree(made_once, root / "data"))
    for name in STEMS:
        path = _template(data_dir, name)
        book = openpyxl.load_workbook(path)
        edit(book.worksheets[0])
        book.save(path)
    return data_dir


@pytest.fixture(scope="module")
def emptied(made_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every template with its example row deleted (read only)."""
    return _edited(made_once, tmp_path_factory.mktemp("emptied"),
                   lambda sheet: sheet.delete_rows(2))


def _unmark(sheet: Any) -> None:
    for cell in sheet[2]:
        if isinstance(cell.value, str):
            cell.value = cell.value.replace(EXAMPLE_MARK, "")


@pytest.fixture(scope="module")
def filled(made_once: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every template with its example row made a real row, the mark removed (read only)."""
    return _edited(made_once, tmp_path_factory.mktemp("filled"), _unmark)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _template(data_dir: Path, stem: str) -> Path:
    return data_dir / str(YEAR) / f"{stem}.xlsx"


def test_the_registry_needs_every_dataset_of_the_contract(project):
    assert needed_datasets(load_registry(project[1])) == STEMS


# ── templates ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("stem", STEMS)
def test_template_layout(made_once, stem):
    spec = DATASETS[stem]
    book = openpyxl.load_workbook(_template(made_once, stem))
    assert book.sheetnames == [spec.title, HELP_SHEET]  # the data sheet first: it is read
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == [c.label for c in spec.columns]
    assert of_year(f"一列是：{spec.row}。", YEAR) in sheet["A1"].comment.text
    examples = example_row(spec, YEAR)
    for i, column in enumerate(spec.columns, start=1):
        fmt = sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].number_format
        assert sheet.cell(row=2, column=i).number_format == fmt
        if column.kind == "date":
            assert fmt == DATE_FORMAT
            if examples[i - 1]:
                assert sheet.cell(row=2, column=i).value == dt.datetime(2024, 3, 15)
        elif column.kind == "code":
            assert fmt == TEXT_FORMAT
        else:
            assert fmt == "General"
    marked = [c.value for c in sheet[2] if isinstance(c.value, str) and EXAMPLE_MARK in c.value]
    assert len(marked) == 1 and marked[0].startswith(EXAMPLE_MARK)
    help_rows = [r[0] for r in book[HELP_SHEET].iter_rows(values_only=True)]
    assert of_year(f"一列是：{spec.row}。", YEAR) in help_rows
    assert [c.label for c in spec.columns] == help_rows[-len(spec.columns):]


@pytest.mark.parametrize("stem", STEMS)
def test_every_example_of_a_template_is_of_its_folders_year(made_once, stem):
    book = openpyxl.load_workbook(_template(made_once, stem))
    sheet = book.worksheets[0]
    texts = [str(v) for row in book[HELP_SHEET].iter_rows(values_only=True) for v in row if v]
    texts += [c.comment.text for c in sheet[1] if c.comment]
    texts += [f"{v.prompt} {v.error}" for v in sheet.data_validations.dataValidation]
    texts += [str(c.value) for c in sheet[2] if c.value is not None]
    old = [t for t in texts if re.search(r"(?<!\d)(112|2023)(?!\d)", t)]
    assert old == [], old
    assert of_year("日期，如 112-03-15（民國）或 2023-03-15（西元）", YEAR) == (
        "日期，如 113-03-15（民國）或 2024-03-15（西元）")


@pytest.mark.parametrize("stem", STEMS)
def test_drop_downs_list_exactly_the_contracts_choices(made_once, stem):
    spec = DATASETS[stem]
    sheet = openpyxl.load_workbook(_template(made_once, stem)).worksheets[0]
    lists = {}
    for rule in sheet.data_validations.dataValidation:
        assert rule.type == "list"
        letter = str(rule.sqref).split(":")[0].rstrip("0123456789")
        lists[letter] = tuple(rule.formula1.strip('"').split(","))
    wanted = {openpyxl.utils.get_column_letter(i): drop_down(c)
              for i, c in enumerate(spec.columns, start=1) if drop_down(c)}
    assert lists == wanted
    assert {c.kind for c in spec.columns if drop_down(c)} <= {"gender", "choice", "choices",
                                                              "age_band"}
    if stem == "committee_members":
        assert lists["D"] == ("男", "女", "其他")
        assert lists["E"] == ("府內", "外聘")
    if stem == "training_classes":
        assert lists["D"] == ("銀髮族", "原住民", "新住民", "婦女專班", "一般市民")


@pytest.mark.parametrize("stem", STEMS)
def test_a_template_as_made_is_refused_for_its_example_row(made_once, stem):
    spec = DATASETS[stem]
    marked = next(c for c, v in zip(spec.columns, example_row(spec, YEAR), strict=True)
                  if isinstance(v, str) and v.startswith(EXAMPLE_MARK))
    with pytest.raises(data.DataError) as info:
        data.load(stem, YEAR, made_once)
    shown = [str(p) for p in info.value.problems]
    assert f"data/113/{stem}.xlsx 第 2 列「{marked.label}」欄：{EXAMPLE}" in shown


@pytest.mark.parametrize("stem", STEMS)
def test_a_template_with_the_example_deleted_is_an_empty_frame(emptied, stem):
    frame = data.load(stem, YEAR, emptied)
    assert len(frame) == 0
    assert list(frame.columns) == DATASETS[stem].names


@pytest.mark.parametrize("stem", STEMS)
def test_a_filled_template_reads_back_its_values(filled, stem):
    spec = DATASETS[stem]
    frame = data.load(stem, YEAR, filled)
    assert len(frame) == 1
    row = frame.iloc[0]
    for column, typed in zip(spec.columns, example_row(spec, YEAR), strict=True):
        typed = typed.replace(EXAMPLE_MARK, "") if isinstance(typed, str) else typed
        got = row[column.name]
        if typed in ("", None):
            assert pd.isna(got) or (column.kind == "int" and got == 0), column.name
        elif column.kind == "date":
            assert got == pd.Timestamp(typed)
        elif column.kind in ("int", "number", "year"):
            assert got == typed
        elif column.name == "age_band":
            assert got == "61-70歲"  # derived from 年齡 65, as the example says
        else:
            assert str(got) == str(typed), column.name


def test_filled_templates_give_the_right_values(filled):
    made = filled
    staff = data.load("staff_training", YEAR, made)
    assert staff.loc[0, "staff_id"] == "00012"  # a text cell keeps its leading zeros
    assert staff.loc[0, "staff_type"] == "一般公務人員"
    assert (staff.loc[0, "hours"], staff.loc[0, "in_person_hours"]) == (3.0, 2.0)
    meetings = data.load("task_force_meetings", YEAR, made)
    assert meetings.loc[0, "meeting_id"] == "113-1"
    assert meetings.loc[0, "date"] == pd.Timestamp("2024-03-15")
    parts = data.load("training_participations", YEAR, made)
    assert parts.loc[0, "class_id"] == "D113-001"
    assert parts.loc[0, "target_group"] == "銀髮族"  # from its class
    budget = data.load("gender_budget", YEAR, made)
    assert (budget.loc[0, "year"], budget.loc[0, "amount"]) == (113, 500000)
    # What is left is what the review comments point at: last year's meeting codes.
    assert [str(p) for p in data.validate_year(YEAR, made)] == [
        f"data/113/results_report.yml：第 {line} 行「四、性別分析 第{i}項 會議」：「{code}」不在"
        "本年度性平小組會議（task_force_meetings）的會議代碼中：113-1。"
        for line, i, code in ((25, 1, "112-2"), (28, 2, "112-2"), (31, 3, "112-3"))]


# ── last year's texts ────────────────────────────────────────────────────────────────────


def test_results_report_is_carried_over_with_review_marks(made):
    text = (made / "113" / "results_report.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# 這個檔案由 112 年的檔案複製而來（genderstats new-year 113）。"
    at = lines.index("特色或亮點: |")
    assert lines[at - 1] == "# 請檢查：這段是 112 年的文字，請改寫成今年的內容。"
    assert lines[at + 1].startswith("  {year}年本局舉辦「從AI技術看性別化差異」")
    at = lines.index("    會議: 112-3")
    assert lines[at - 1] == ("    # 請檢查：「112-3」是 112 年的會議代碼：請改成今年提報的會議"
                             "（task_force_meetings 的「會議」欄）。")
    at = next(i for i, line in enumerate(lines) if line.startswith("        註: "))
    assert lines[at - 1] == (
        "        # 請檢查：這段是 112 年的文字，請改寫成今年的內容。文中的「112年」已改成 "
        "{year}（產製時寫出今年）；若指的是 112 年當年，請改回 112。")
    assert "自{year}年起" in lines[at] and "(113-116年)" in lines[at]
    # The form's own labels are not prose to rewrite.
    at = next(i for i, line in enumerate(lines) if line.startswith("  - 類別: (一)"))
    assert not lines[at - 1].lstrip().startswith("#")
    original = yaml.safe_load((made / "112" / "results_report.yml").read_text(encoding="utf-8"))
    carried = yaml.safe_load(text)
    # Last year's approval is never carried over: the new report is not approved yet.
    assert original["核定"] == "113-02-22"
    assert carried.keys() == original.keys() - {"核定"} and "核定:" not in text
    assert carried["組別"] == original["組別"]
    (made / "113" / "recommendations.yml").unlink()
    for name in STEMS:
        _template(made, name).unlink()
    assert [str(p) for p in validate_results_text(YEAR, made)] == [
        "提醒：data/113/results_report.yml：沒有「核定」，報告開頭不印「…經資訊局性平小組決議"
        "通過」這一行。報告經 114 年的性平小組會議通過後，請寫上「核定」：那次會議的會議代碼"
        "（如 114-1）或日期（如 114-02-22）。"]


def test_recommendations_are_carried_over_with_review_marks(made):
    text = (made / "113" / "recommendations.yml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = lines.index("數位訓練:")
    assert lines[at + 1] == "  # 請檢查：這段是 112 年的文字，請改寫成今年的內容。"
    assert yaml.safe_load(text) == yaml.safe_load(
        (made / "112" / "recommendations.yml").read_text(encoding="utf-8"))


def test_a_plain_text_starting_with_the_year_stays_text():
    carried = carry_over("主題:\n  - 112年辦理 3 場講座\n  - 其他\n", 112, 113)
    assert yaml.safe_load(carried) == {"主題": ["{year}年辦理 3 場講座", "其他"]}
    assert ("  # 請檢查：這段是 112 年的文字，請改寫成今年的內容。文中的「112年」已改成 {year}"
            "（產製時寫出今年）；若指的是 112 年當年，請改回 112。直接打字的數字（3 場）請改成"
            "今年的數字，有佔位符的請改用佔位符（見 data/README.md〈results_report.yml〉）。"
            ) in carried.splitlines()


# ── the command ──────────────────────────────────────────────────────────────────────────

FIRST_RUN = """data/113/：建立 16 個檔案，保留 0 個已有的檔案。
  新建 committee_members.xlsx（委員名單範本）
  新建 task_force_meetings.xlsx（性平小組會議範本）
  新建 onsite_engineers.xlsx（駐點工程師範本）
  新建 training_classes.xlsx（數位訓練班次範本）
  新建 training_participations.xlsx（數位訓練參訓紀錄範本）
  新建 staff_training.xlsx（性別主流化訓練範本）
  新建 contact_training.xlsx（性平聯絡人培力時數範本）
  新建 training_courses.xlsx（自辦訓練範本）
  新建 gender_budget.xlsx（性別預算範本）
  新建 resolutions.xlsx（決議事項追蹤範本）
  新建 gender_statistics.xlsx（性別統計清冊範本）
  新建 impact_assessments.xlsx（性別影響評估範本）
  新建 course_evaluations.xlsx（課程滿意度問卷範本）
  新建 results_report.yml（由去年的檔案複製，要改寫的段落標有「# 請檢查：」）
  新建 recommendations.yml（由去年的檔案複製，要改寫的段落標有「# 請檢查：」）
  新建 README.md（要填的檔案清單）

下一步：依 data/113/README.md 的清單在 Excel 填寫各檔，再執行
  .venv/bin/genderstats validate --year 113 --data-dir {data}
"""


def test_the_command_prints_what_it_made_and_a_rerun_overwrites_nothing(project, capsys):
    data_dir, registry = project
    code, out, err = run(capsys, "new-year", "2024", "--data-dir", str(data_dir),
                         "--registry", str(registry))
    assert (code, err) == (0, "")
    assert out == FIRST_RUN.format(data=data_dir)
    folder = data_dir / "113"
    (folder / "onsite_engineers.xlsx").write_bytes(b"mine")
    (folder / "results_report.yml").write_text("組別: C群\n", encoding="utf-8")
    (folder / "committee_members.xlsx").unlink()
    (folder / "committee_members.csv").write_text("委員會,姓名,性別,府內外聘\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    code, out, err = run(capsys, "new-year", "113", "--data-dir", str(data_dir),
                         "--registry", str(registry))
    assert (code, err) == (0, "")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    lines = out.splitlines()
    assert lines[0] == "data/113/：建立 0 個檔案，保留 16 個已有的檔案。"
    assert lines[1] == "  保留 committee_members.csv（已經存在，沒有更動）"
    assert "  保留 onsite_engineers.xlsx（已經存在，沒有更動）" in lines
    assert "  保留 results_report.yml（已經存在，沒有更動）" in lines
    assert "  保留 README.md（已經存在，沒有更動）" in lines


def test_the_checklist_follows_the_form(made_once):
    made = made_once
    text = (made / "113" / "README.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 一、本年度機關推動性別平等之特色或亮點", "## 二、性別平等專案小組", "## 性別意識培力",
        "## 三、性別統計", "## 四、性別分析", "## 五、性別影響評估", "## 六、性別預算",
        "## 七、推展性別平等工作策略及具體措施",
        "## 八、其他相關成果；九、未來推展性別主流化之重點項目", "## 各分析的建議事項",
        "## 填好之後"]
    assert "- [ ] `committee_members.xlsx`（委員名單）：每位委員在每個委員會的每一屆一列。" in text
    assert f".venv/bin/genderstats validate --year 113 --data-dir {made}" in text
    assert sum(f"`{stem}.xlsx`" in text for stem in STEMS) == len(STEMS)


def test_without_last_years_texts_the_checklist_says_to_write_them(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    done = new_year(YEAR, data_dir, copy_registry(tmp_path / "notebooks"))
    assert "results_report.yml" not in done.created
    text = (data_dir / "113" / "README.md").read_text(encoding="utf-8")
    assert ("- [ ] 建立 `results_report.yml`「組別」「特色或亮點」（去年沒有這個檔案可以複製；"
            "格式見 data/README.md）。") in text


@pytest.mark.parametrize(("argv", "message"), [
    (["abc"], "錯誤：年度「abc」無法辨識：請寫民國年（如 112）或西元年（如 2023）。\n"),
    (["113", "--data-dir", "/nonexistent/data"],
     "錯誤：找不到資料夾「/nonexistent/data」。請確認 --data-dir 的路徑。\n"),
])
def test_bad_input_is_exit_2_with_a_chinese_message(capsys, argv, message):
    code, out, err = run(capsys, "new-year", *argv)
    assert (code, out, err) == (2, "", message)


def test_a_file_in_place_of_the_year_folder_is_refused(project, capsys):
    data_dir, registry = project
    (data_dir / "113").write_text("", encoding="utf-8")
    code, out, err = run(capsys, "new-year", "113", "--data-dir", str(data_dir),
                         "--registry", str(registry))
    assert (code, out) == (2, "")
    assert err == "錯誤：113 年的資料夾位置已經有一個檔案，不是資料夾。沒有建立任何檔案。\n"


def test_help_is_chinese(capsys):
    code, out, _ = run(capsys, "new-year", "--help")
    assert code == 0
    assert out.startswith("用法：genderstats new-year [-h] [--data-dir 資料夾] 年度")
    assert "  年度              民國年或西元年（113 或 2024）\n" in out
    assert "  --data-dir 資料夾  輸入資料資料夾\n" in out


def test_last_years_text_linked_out_of_the_data_folder_is_not_copied(project, capsys):
    data_dir, registry = project
    outside = data_dir.parent / "elsewhere.yml"
    outside.write_text("組別: C群\n", encoding="utf-8")
    (data_dir / "112" / "results_report.yml").unlink()
    (data_dir / "112" / "results_report.yml").symlink_to(outside)
    code, out, err = run(capsys, "new-year", "113", "--data-dir", str(data_dir),
                         "--registry", str(registry))
    assert (code, err) == (0, "")
    assert ("  未複製去年的文字檔：data/112/results_report.yml："
            "這是指向資料夾外的捷徑（符號連結），基於安全不會讀取。"
            "請把檔案本身複製到這個資料夾，取代這個捷徑。") in out.splitlines()
    assert not (data_dir / "113" / "results_report.yml").exists()
    assert (data_dir / "113" / "recommendations.yml").is_file()


def test_a_link_in_place_of_the_checklist_is_kept_not_followed(project):
    data_dir, registry = project
    (data_dir / "113").mkdir()
    target = data_dir.parent / "target.md"
    (data_dir / "113" / "README.md").symlink_to(target)
    done = new_year(YEAR, data_dir, registry)
    assert "README.md" in done.kept
    assert not target.exists()


def test_the_example_row_is_refused_in_a_template_saved_as_csv(made):
    folder = made / "113"
    sheet = openpyxl.load_workbook(folder / "onsite_engineers.xlsx").worksheets[0]
    rows = [",".join(str(c.value or "") for c in row) for row in sheet.iter_rows(max_row=3)]
    (folder / "onsite_engineers.xlsx").unlink()
    (folder / "onsite_engineers.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
    with pytest.raises(data.DataError) as info:
        data.load("onsite_engineers", YEAR, made)
    assert [str(p) for p in info.value.problems] == [
        f"data/113/onsite_engineers.csv 第 2 列「職別」欄：{EXAMPLE}"]


def test_a_lists_one_comment_covers_all_its_items():
    carried = carry_over("主題:\n  - 持續辦理\n  - 112年共 5 班\n", 112, 113)
    assert carried.splitlines()[2:] == [
        "主題:",
        "  # 請檢查：這段是 112 年的文字，請改寫成今年的內容。文中的「112年」已改成 {year}"
        "（產製時寫出今年）；若指的是 112 年當年，請改回 112。直接打字的數字（5 班）請改成"
        "今年的數字，有佔位符的請改用佔位符（見 data/README.md〈results_report.yml〉）。",
        "  - 持續辦理",
        '  - "{year}年共 5 班"']  # quoted: a plain text starting with { would be a mapping
