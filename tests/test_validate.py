"""`genderstats validate`: formats first, then for every report whether it can be built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from genderstats import config
from genderstats.pipeline.cli import main


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> tuple[int, str]:
    code = main(["validate", "--data-dir", str(data_dir), *extra])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_complete_year_validates_clean(capsys, data_dir: Path) -> None:
    code, text = run(capsys, data_dir, "--year", "112")
    assert code == 0
    assert text.startswith("data/112：所有資料檔都符合格式。\n\n112 年各報告能否產製：\n")
    assert text.count("：可以產製。") == 7
    assert "－" not in text and "無資料" not in text
    assert text.endswith("data/112：所有報告都可以產製。\n")


def test_missing_optional_file_is_a_note_naming_the_reports(capsys, data_dir: Path) -> None:
    (data_dir / "112" / "contact_training.ods").unlink()
    code, text = run(capsys, data_dir, "--year", "2023")
    assert code == 0
    missing = "      － 本年度無性平聯絡人培力時數資料（contact_training.csv／.xlsx／.ods）"
    lines = text.splitlines()
    for report, note in (
            ("性別意識培力參訓統計（gender-training）",
             f"{missing}：「(四) 性平聯絡人」與未完成名單寫「本年度無性平聯絡人培力時數資料。」"),
            ("推動性別平等工作成果報告（annual-report）",
             f"{missing}，相關段落將顯示「無資料」。")):
        at = lines.index(f"  ✓ {report}：可以產製。")
        assert lines[at + 1] == note
    assert text.count(missing) == 2
    assert lines[-1] == "data/112：所有報告都可以產製，2 個段落將顯示「無資料」（見上方說明）。"


def test_absent_optional_column_is_a_note(capsys, data_dir: Path) -> None:
    path = data_dir / "112" / "task_force_meetings.csv"
    rows = [line.rsplit(",", 1)[0] for line in path.read_text(encoding="utf-8-sig").splitlines()]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, text = run(capsys, data_dir, "--year", "112")
    assert code == 0
    lacks = "      － 性平小組會議（task_force_meetings）沒有「出席專家學者」欄"
    assert text.count(lacks) == 2  # the task-force report and the annual report
    assert (f"{lacks}：「運作情形」一節的專家學者委員出席者寫「本年度會議資料無「出席專家學者」欄，"
            "無專家學者委員出席資料。」") in text.splitlines()


def test_year_without_most_files_names_reports_and_files(capsys, data_dir: Path) -> None:
    code, text = run(capsys, data_dir, "--year", "110")
    assert code == 2
    assert "所有報告都可以產製" not in text
    for report, files in [
        ("性別平等專案小組成員性別統計分析（gender-equality-task-force）",
         "委員名單（committee_members.csv／.xlsx／.ods）"),
        ("資料治理委員會性別統計分析（data-governance-committee）",
         "委員名單（committee_members.csv／.xlsx／.ods）"),
        ("採購工作及審查小組性別統計分析（procurement-review-committee）",
         "委員名單（committee_members.csv／.xlsx／.ods）"),
        ("本局駐點工程師職別與性別統計分析（onsite-engineers）",
         "駐點工程師（onsite_engineers.csv／.xlsx／.ods）"),
        ("性別意識培力參訓統計（gender-training）",
         "性別主流化訓練（staff_training.csv／.xlsx／.ods）"),
    ]:
        assert f"  ✗ {report}：無法產製：缺少必要資料：{files}。請把檔案放入 data/110/ 後再產製。" \
            in text.splitlines()
    assert "  ✓ 臺北市民免費數位訓練性別統計分析（digital-training）：可以產製。" in text
    assert text.rstrip().endswith("data/110：5 份報告無法產製。請依上方說明補齊或修正後再執行。")


def test_year_without_a_folder_stops_at_once(capsys, data_dir: Path) -> None:
    code, text = run(capsys, data_dir, "--year", "113")
    assert code == 2
    assert text == ("錯誤：找不到 data/113/ 資料夾，113 年的報告都無法產製。請建立這個資料夾並放入"
                    "該年度的資料檔（檔名與欄位見 data/README.md）。\n")


def test_invalid_file_blocks_the_reports_that_read_it(capsys, data_dir: Path) -> None:
    path = data_dir / "112" / "onsite_engineers.csv"
    text = path.read_text(encoding="utf-8-sig").replace("男性", "Q", 1)
    path.write_text(text, encoding="utf-8")
    code, out = run(capsys, data_dir, "--year", "112")
    assert code == 2
    assert "「Q」不是可接受的性別" in out
    assert ("  ✗ 本局駐點工程師職別與性別統計分析（onsite-engineers）：無法產製："
            "駐點工程師（onsite_engineers.csv／.xlsx／.ods）有格式問題（見上方），修正後才能產製。"
            ) in out.splitlines()
    assert out.count("：可以產製。") == 6
    assert out.rstrip().endswith(
        "data/112：1 份報告無法產製、1 個格式問題。請依上方說明補齊或修正後再執行。")


def test_report_without_declaration_is_not_checked(capsys, data_dir: Path, tmp_path: Path) -> None:
    notebook = config.PROJECT_ROOT / "notebooks" / "onsite_engineers.ipynb"
    registry = tmp_path / "reports.yml"
    registry.write_text(
        "reports:\n"
        f"  - {{id: engineers, title: 工程師, notebook: {notebook},"
        " requires: [onsite_engineers]}\n"
        f"  - {{id: new-one, title: 新分析, notebook: {notebook}}}\n", encoding="utf-8")
    (data_dir / "112" / "onsite_engineers.csv").unlink()
    code, text = run(capsys, data_dir, "--year", "112", "--registry", str(registry))
    assert code == 2
    assert "  ✗ 工程師（engineers）：無法產製：缺少必要資料：駐點工程師" in text
    assert ("  ？ 新分析（new-one）：reports.yml 沒有宣告 requires／optional，"
            "未檢查所需資料。") in text
