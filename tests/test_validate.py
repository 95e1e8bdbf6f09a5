"""`genderstats validate`: formats first, then for every report whether it can be built."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest
from conftest import validate_as_typed

from genderstats import config
from genderstats.pipeline.cli import main


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    return copy


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *extra: str) -> tuple[int, str]:
    code = validate_as_typed(data_dir, *extra)
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


def test_an_expert_off_the_roster_stops_validate_and_the_build_alike(
        capsys, tmp_path: Path, sample_registry: Path) -> None:
    from conftest import copy_sample_data

    from genderstats.pipeline.build import BuildOptions, build

    data = copy_sample_data(tmp_path / "data", years=("112",))
    path = data / "112" / "task_force_meetings.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("16,彭宛庭、姜曉淳", "16,彭宛庭、林大明"), encoding="utf-8")
    message = ("「林○明」不在 data/112/committee_members.csv 的性別平等專案小組外聘委員名單中。"
               "請確認姓名與委員名單一致。")
    code, out = run(capsys, data, "--year", "112", "--registry", str(sample_registry))
    assert code == 2
    assert ("data/112/task_force_meetings.csv（性平小組會議）：1 個問題\n"
            f"  第 3 列「出席專家學者」欄：{message}\n") in out
    assert ("  ✗ 性別平等專案小組成員性別統計分析（gender-equality-task-force）：無法產製："
            "性平小組會議（task_force_meetings.csv／.xlsx／.ods）有格式問題（見上方），"
            "修正後才能產製。") in out.splitlines()

    result = build(BuildOptions(year=112, data_dir=data, out_dir=tmp_path / "out",
                                registry=sample_registry, only=["gender-equality-task-force"],
                                echo=lambda s: None))
    (state,) = result.results
    assert (state.status, state.input_error, result.exit_code) == ("failed", True, 2)
    # After the notebook cell it stopped in: the same message, with its file and row.
    assert state.error.endswith(
        f"）：data/112/task_force_meetings.csv 第 3 列「出席專家學者」欄：{message}")
    assert not (tmp_path / "out" / "112" / "gender-equality-task-force.html").exists()


def test_every_problem_of_every_file_grouped_by_file_with_paths_as_typed(
        capsys, data_dir: Path, tmp_path: Path) -> None:
    year = data_dir / "112"
    (year / "training_participations.csv").rename(year / "training_participation.csv")
    meetings = year / "task_force_meetings.csv"
    meetings.write_text(meetings.read_text(encoding="utf-8-sig").replace("112-03-20", "45005"),
                        encoding="utf-8")
    budget = year / "gender_budget.csv"
    budget.write_text(budget.read_text(encoding="utf-8-sig") + ',,合計,"11,685,000",\n',
                      encoding="utf-8")
    (tmp_path / "work").mkdir()
    with contextlib.chdir(tmp_path / "work"):
        code = main(["validate", "--year", "112", "--data-dir", "../data"])
    out = capsys.readouterr()
    assert code == 2
    assert out.err == (
        "../data/112/training_participation.csv：1 個問題\n"
        "  檔名「training_participation」不是已知的資料集，這個檔案不會被讀取。"
        "是不是「數位訓練參訓紀錄」（training_participations）？資料夾中沒有 "
        "training_participations 的檔案，請把這個檔案改名為 training_participations.csv。\n"
        "\n"
        "../data/112/task_force_meetings.csv（性平小組會議）：1 個問題\n"
        "  第 2 列「日期」欄：「45005」是數字，不是日期：儲存格失去了日期格式"
        "（變成「通用格式」或「數值」），Excel 就把日期顯示成序號。序號 45005 是 2023-03-20。"
        "請把這一欄的儲存格格式設為「日期」，或直接寫成 112-03-20（民國）或 2023-03-20（西元）。\n"
        "\n"
        "../data/112/gender_budget.csv（性別預算）：1 個問題\n"
        "  第 6 列「計畫項目名稱」欄：「合計」表示這一列是合計列，不是一筆資料："
        "報告會自己計算合計，留著它會重複計算。"
        "請刪除這一列（在 Excel 的列號上按右鍵，選「刪除」）。\n"
        "\n"
        "../data/112：共 3 個格式問題，請修正後再執行。\n"
        "\n"
        "\n"
        "../data/112：3 份報告無法產製、3 個格式問題。請依上方說明補齊或修正後再執行。\n")
    assert ("  ✗ 臺北市民免費數位訓練性別統計分析（digital-training）：無法產製：缺少必要資料："
            "數位訓練參訓紀錄（training_participations.csv／.xlsx／.ods）。"
            "請把檔案放入 ../data/112/ 後再產製。") in out.out.splitlines()
    assert str(tmp_path) not in out.out + out.err


def test_a_file_with_many_problems_hides_no_other_file(capsys, data_dir: Path) -> None:
    members = data_dir / "112" / "committee_members.csv"
    rows = members.read_text(encoding="utf-8-sig").splitlines()
    rows[1:26] = [row.replace(",男,", f",男{i},").replace(",女,", f",女{i},")
                  for i, row in enumerate(rows[1:26])]
    members.write_text("\n".join(rows) + "\n", encoding="utf-8")
    engineers = data_dir / "112" / "onsite_engineers.csv"
    engineers.write_text(engineers.read_text(encoding="utf-8-sig").replace("男性", "Q", 1),
                         encoding="utf-8")
    assert validate_as_typed(data_dir, "--year", "112") == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "data/112/committee_members.csv（委員名單）：25 個問題"
    assert lines[21] == "  …另有 5 個問題未列出"
    assert lines[23] == "data/112/onsite_engineers.csv（駐點工程師）：1 個問題"
    assert lines[24].startswith("  第 2 列「性別」欄：「Q」不是可接受的性別。")


def test_without_data_dir_paths_start_at_the_data_folder(capsys, data_dir: Path, tmp_path: Path,
                                                         monkeypatch) -> None:
    monkeypatch.setattr(config, "DATA_DIR", data_dir)
    monkeypatch.chdir(tmp_path.parent)
    (data_dir / "112" / "committee_members.csv").unlink()
    assert main(["validate", "--year", "112"]) == 2
    out = capsys.readouterr().out
    assert ("  ✗ 資料治理委員會性別統計分析（data-governance-committee）：無法產製：缺少必要資料："
            "委員名單（committee_members.csv／.xlsx／.ods）。請把檔案放入 data/112/ 後再產製。"
            ) in out.splitlines()
