"""Bad input files give one exact, readable message each (file, row, column, value, fix)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import messages, put

from genderstats import data

MEMBERS_HEADER = "委員會,屆,姓名,性別,府內外聘"
CLASSES = "班次代碼,日期,對象,時數\nD112-001,112-03-15,銀髮族,2\nD112-002,112-04-01,新住民,3\n"




def test_unknown_gender(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "\n".join([
        MEMBERS_HEADER,
        "性別平等專案小組,3,王大明,男,府內",
        "性別平等專案小組,3,李小華,女,外聘",
        "性別平等專案小組,3,張志豪,男性,府內",
        "性別平等專案小組,3,陳美玲,Q,府內",
    ]) + "\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 5 列「性別」欄：「Q」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。"
    ]


def test_same_bad_value_on_many_rows_is_one_problem(data_dir: Path) -> None:
    rows = [f"性別平等專案小組,3,委員{i},不詳,府內" for i in range(15)]
    put(data_dir, "committee_members.csv", "\n".join([MEMBERS_HEADER, *rows]) + "\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 2、3、4、5、6、7、8、9、10、11 列等共 15 列"
        "「性別」欄：「不詳」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。"
    ]


def test_missing_required_column_lists_headers_found(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "委員會,屆,姓名,府內外聘\n小組,3,王大明,府內\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv：缺少必要欄位「性別」（gender）。"
        "檔案的標題列（第 1 列）有：委員會、屆、姓名、府內外聘。"
        "請在標題列加上這一欄（可接受的欄名見 data/README.md）。"
    ]


def test_misspelt_column_is_asked_about_never_taken(data_dir: Path) -> None:
    # The closest header is suggested, and the file is still refused: nothing is guessed.
    put(data_dir, "committee_members.csv",
        "委員會,姓明,性別,府內外聘,備註\n小組,王大明,男,府內,\n小組,李小華,Q,府內,\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv：缺少必要欄位「姓名」（name）。"
        "檔案的標題列（第 1 列）有：委員會、姓明、性別、府內外聘、備註。"
        "「姓明」是不是「姓名」？請把標題改成「姓名」。",
        # The columns the header row has are checked in the same round.
        "data/112/committee_members.csv 第 3 列「性別」欄：「Q」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。",
    ]


def test_misspelt_and_missing_columns(data_dir: Path) -> None:
    put(data_dir, "staff_training.csv",
        "員工編號,人員類,性另,完成時數,單位\nE1,主管人員,男,3,秘書室\n")
    assert messages("staff_training", data_dir) == [
        "data/112/staff_training.csv：缺少必要欄位「人員類別」（staff_type）、「性別」（gender）、"
        "「實體時數」（in_person_hours）。檔案的標題列（第 1 列）有：員工編號、人員類、性另、"
        "完成時數、單位。"
        "「人員類」是不是「人員類別」？請把標題改成「人員類別」。"
        "「性另」是不是「性別」？請把標題改成「性別」。"
        "另請在標題列加上「實體時數」（可接受的欄名見 data/README.md）。"
    ]


def test_two_headers_for_one_column(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv",
        "委員會,姓名,性別,府內外聘,類別\n小組,王大明,男,府內,府內\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv：「府內外聘」與「類別」都代表「府內外聘」（affiliation）。"
        "請只保留其中一欄。"
    ]


def test_empty_file(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", b"")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：檔案是空的（0 位元組），沒有標題列也沒有資料列。"
        "請放入資料，或刪除這個檔案。"
    ]


@pytest.mark.parametrize("body", ["職別,性別\n", "\ufeff職別,性別\r\n\r\n,\r\n", "職別,性別"])
def test_header_only_means_none(data_dir: Path, body: str) -> None:
    # A file with no rows says "none this year"; only a missing file means "no data".
    put(data_dir, "onsite_engineers.csv", body)
    frame = data.load("onsite_engineers", 112, data_dir)
    assert len(frame) == 0
    assert list(frame.columns) == data.DATASETS["onsite_engineers"].names
    assert frame.attrs["absent_columns"] == ("centre", "vendor", "seniority_years")
    assert data.validate_year(112, data_dir) == []


def test_header_only_xlsx(data_dir: Path) -> None:
    pd.DataFrame(columns=["職別", "性別"]).to_excel(
        data_dir / "112" / "onsite_engineers.xlsx", index=False)
    assert len(data.load("onsite_engineers", 112, data_dir)) == 0


def test_header_only_still_needs_the_required_headers(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "職別\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：缺少必要欄位「性別」（gender）。檔案的標題列（第 1 列）有："
        "職別。請在標題列加上這一欄（可接受的欄名見 data/README.md）。"
    ]


def test_bad_numbers(data_dir: Path) -> None:
    put(data_dir, "training_courses.csv", "\n".join([
        "辦理日期,訓練班期名稱,時數,男,女",
        "112-09-01,講座A,3,三十八,35",
        "112-09-02,講座B,-1,-2,2.5",
        "112-13-40,講座C,0,1,1",
    ]) + "\n")
    assert messages("training_courses", data_dir) == [
        "data/112/training_courses.csv 第 2 列「男」欄：「三十八」不是數字。請填 0 以上的整數。",
        "data/112/training_courses.csv 第 3 列「時數」欄：「-1」不可為 0 或負數。"
        "請填大於 0 的數字。",
        "data/112/training_courses.csv 第 3 列「男」欄：「-2」不可為負數。請填 0 以上的整數。",
        "data/112/training_courses.csv 第 3 列「女」欄：「2.5」不是整數。請填 0 以上的整數。",
        "data/112/training_courses.csv 第 4 列「辦理日期」欄：「112-13-40」不是有效的日期。"
        "請寫成 112-03-15（民國）或 2023-03-15（西元）。",
        "data/112/training_courses.csv 第 4 列「時數」欄：「0」不可為 0 或負數。"
        "請填大於 0 的數字。",
    ]


def test_bad_age_and_hours(data_dir: Path) -> None:
    put(data_dir, "training_classes.csv", CLASSES)
    put(data_dir, "training_participations.csv",
        "班次代碼,性別,年齡\nD112-001,女,-5\nD112-001,男,abc\nD112-002,女,130\n")
    assert messages("training_participations", data_dir) == [
        "data/112/training_participations.csv 第 2 列「年齡」欄：「-5」不可為負數。"
        "請填 0 到 120 之間的整數。",
        "data/112/training_participations.csv 第 3 列「年齡」欄：「abc」不是數字。"
        "請填 0 到 120 之間的整數。",
        "data/112/training_participations.csv 第 4 列「年齡」欄：「130」大於 120。"
        "請填 0 到 120 之間的整數。",
    ]
    put(data_dir, "staff_training.csv",
        "人員類別,性別,完成時數,實體時數\n一般公務人員,男,3,1\n主管人員,女,-3,0\n主管人員,女,兩小時,0\n")
    assert messages("staff_training", data_dir) == [
        "data/112/staff_training.csv 第 3 列「完成時數」欄：「-3」不可為負數。"
        "請填 0 以上的數字。",
        "data/112/staff_training.csv 第 4 列「完成時數」欄：「兩小時」不是數字。"
        "請填 0 以上的數字。",
    ]


def test_required_cell_empty(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "職別,性別\n系統工程師,男\n網路工程師,\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv 第 3 列「性別」欄：必填，不可空白。"
    ]


def test_duplicate_id_names_both_rows(data_dir: Path) -> None:
    put(data_dir, "training_classes.csv",
        CLASSES + "D112-003,112-05-01,銀髮族,2\nD112-001,112-06-01,銀髮族,2\n")
    assert messages("training_classes", data_dir) == [
        "data/112/training_classes.csv 第 5 列「班次代碼」欄：「D112-001」與第 2 列重複。"
        "班次代碼不可重複，請刪除或更正其中一列。"
    ]


def test_duplicate_committee_member(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "\n".join([
        MEMBERS_HEADER,
        "資料治理委員會,2,王大明,男,府內",
        "資料治理委員會,1,王大明,男,府內",
        "資料治理委員會,2,王大明,男,外聘",
    ]) + "\n")
    with pytest.raises(data.DataError) as info:
        data.load("committee_members", 112, data_dir)
    # The message is public (failed pages, index): the name is masked, the row named.
    assert [str(p) for p in info.value.problems] == [
        "data/112/committee_members.csv 第 4 列「姓名」欄：「王○明」與第 2 列重複。"
        "同一委員會同一屆的委員只能列一次，請刪除或更正其中一列。"
    ]
    assert info.value.problems[0].value == "王○明"
    assert "王大明" not in str(info.value)


def test_participation_of_unknown_class(data_dir: Path) -> None:
    put(data_dir, "training_classes.csv", CLASSES)
    put(data_dir, "training_participations.csv",
        "班次代碼,性別\nD112-001,女\nD112-999,男\nD112-002,女\n")
    expected = [
        "data/112/training_participations.csv 第 3 列「班次代碼」欄：「D112-999」不在 "
        "data/112/training_classes.csv 的班次代碼中。請在該檔加上這個班次，或更正班次代碼。"
    ]
    assert messages("training_participations", data_dir) == expected
    assert [str(p) for p in data.validate_year(112, data_dir)] == expected


def test_participations_without_classes_file_load_with_a_note(data_dir: Path) -> None:
    put(data_dir, "training_participations.csv", "班次代碼,性別\nD112-001,女\n")
    note = ("提醒：data/112/training_participations.csv：未檢查班次代碼：data/112/ 沒有 "
            "training_classes（數位訓練班次）檔，參訓紀錄無法對應班次，也無法採用班次的對象。"
            "請一併放入 training_classes.csv。")
    parts = data.load("training_participations", 112, data_dir)
    assert parts["class_id"].tolist() == ["D112-001"]
    assert [str(p) for p in parts.attrs["skipped_checks"]] == [note]
    # Without its class, a participation has no target group: absent, not guessed.
    assert not data.has_column(parts, "target_group")
    assert [str(p) for p in data.validate_year(112, data_dir)] == [note]
    assert all(p.warning for p in data.validate_year(112, data_dir))


def test_participations_checked_against_classes_with_problems_say_both(data_dir: Path) -> None:
    put(data_dir, "training_classes.csv", CLASSES.replace("銀髮族", "長青"))
    put(data_dir, "training_participations.csv", "班次代碼,性別\nD112-001,女\nD112-999,男\n")
    bad_class = ("data/112/training_classes.csv 第 2 列「對象」欄：「長青」不是可接受的值。"
                 "請填 銀髮族、原住民、新住民、婦女專班 或 一般市民"
                 "（也接受 銀髮、高齡、高齡者、長者、原住民族、女性專班、婦女、一般、市民）。")
    # Loading: the classes cannot be trusted, so no class id is judged against them.
    assert messages("training_participations", data_dir) == [bad_class]
    # Validate: the same problem, said once, under its own file.
    assert [str(p) for p in data.validate_year(112, data_dir)] == [bad_class]


def test_present_above_total(data_dir: Path) -> None:
    put(data_dir, "task_force_meetings.csv", "\n".join([
        "會議,日期,主席,委員總數,出席人數",
        "112-1,112-03-20,首長,17,17",
        "112-2,112-08-28,首長,17,18",
    ]) + "\n")
    assert messages("task_force_meetings", data_dir) == [
        "data/112/task_force_meetings.csv 第 3 列「出席人數」欄：「18」大於「委員總數」欄的 17。"
        "出席人數（含代理出席）不可超過委員總數。"
    ]


def test_bad_choice_mentions_other_spellings(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", MEMBERS_HEADER + "\n小組,1,王大明,男,顧問\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 2 列「府內外聘」欄：「顧問」不是可接受的值。"
        "請填 府內 或 外聘（也接受 內聘、外部）。"
    ]


def test_undecodable_file(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "職別,性別\n".encode() + b"\xff\xfe\xff,\x80\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：無法辨識檔案的文字編碼（可讀取 UTF-8、UTF-8 with BOM、"
        "Big5/CP950；第 2 列有無法解讀的字元）。"
        "請另存為 CSV UTF-8（Excel「另存新檔」選「CSV UTF-8（逗號分隔）」）後再放入。"
    ]


def test_two_files_with_the_same_stem(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "職別,性別\n系統工程師,男\n")
    put(data_dir, "onsite_engineers.xlsx", b"not really a workbook")
    expected = [
        "data/112：資料夾中有 2 個「onsite_engineers」（駐點工程師）檔案："
        "onsite_engineers.csv、onsite_engineers.xlsx。"
        "同一份資料只能有一個檔案，請只保留一個，刪除或移走其他的。"
    ]
    assert messages("onsite_engineers", data_dir) == expected
    with pytest.raises(data.DataError):
        data.find_file("onsite_engineers", 112, data_dir)
    assert [str(p) for p in data.validate_year(112, data_dir)] == expected


def test_missing_file_says_where_and_what(data_dir: Path) -> None:
    assert messages("committee_members", data_dir) == [
        "data/112：找不到「委員名單」（committee_members）的 112 年資料：data/112/ 資料夾中沒有 "
        "committee_members.csv、committee_members.xlsx 或 committee_members.ods。"
    ]
    assert messages("committee_members", data_dir, year=2020) == [
        "data/109：找不到「委員名單」（committee_members）的 109 年資料：沒有 data/109/ 資料夾。"
        "請建立這個資料夾，並放入 committee_members.csv、committee_members.xlsx 或 "
        "committee_members.ods。"
    ]


def test_broken_workbook_is_a_data_error(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.xlsx", b"PK\x03\x04 this is not a zip")
    (problem,) = messages("onsite_engineers", data_dir)
    assert problem.startswith("data/112/onsite_engineers.xlsx：無法開啟這個 Excel 檔（")
    assert problem.endswith("請確認檔案沒有損壞、沒有加密，並用試算表軟體另存新檔後再試。")
    put(data_dir, "contact_training.ods", b"garbage")
    (problem,) = messages("contact_training", data_dir)
    assert problem.startswith("data/112/contact_training.ods：無法開啟這個 ODS 檔（")


def test_problem_fields(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", MEMBERS_HEADER + "\n小組,1,王大明,Q,府內\n")
    with pytest.raises(data.DataError) as info:
        data.load("committee_members", 112, data_dir)
    (problem,) = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "data/112/committee_members.csv", 2, "性別", "Q")
    assert isinstance(info.value, ValueError)


def test_many_problems_are_capped_at_20(data_dir: Path) -> None:
    rows = [f"小組,1,委員{i},性別{i},府內" for i in range(25)]
    put(data_dir, "committee_members.csv", "\n".join([MEMBERS_HEADER, *rows]) + "\n")
    with pytest.raises(data.DataError) as info:
        data.load("committee_members", 112, data_dir)
    assert len(info.value.problems) == 25
    lines = str(info.value).splitlines()
    assert len(lines) == 21
    assert lines[0].startswith("data/112/committee_members.csv 第 2 列「性別」欄：「性別0」")
    assert lines[-1] == "…另有 5 個問題未列出"


def test_all_problems_of_a_file_at_once(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "\n".join([
        "委員會,屆,姓名,性別,類別",
        "小組,零,王大明,男,府內",
        "小組,1,,Q,府內",
        "小組,1,李小華,女,某處",
    ]) + "\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 2 列「屆」欄：「零」不是數字。請填 1 以上的整數。",
        "data/112/committee_members.csv 第 3 列「姓名」欄：必填，不可空白。",
        "data/112/committee_members.csv 第 3 列「性別」欄：「Q」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。",
        "data/112/committee_members.csv 第 4 列「類別」欄：「某處」不是可接受的值。"
        "請填 府內 或 外聘（也接受 內聘、外部）。",
    ]


def test_normalize_gender_rejects_unknown_values() -> None:
    with pytest.raises(data.DataError) as info:
        data.normalize_gender(pd.Series(["男", "Q", "女", "unknown"], name="性別"))
    assert [str(p) for p in info.value.problems] == [
        "「性別」欄：「Q」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。",
        "「性別」欄：「unknown」不是可接受的性別。"
        "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。",
    ]


def test_validate_year_reports_unknown_files_and_missing_folder(data_dir: Path) -> None:
    put(data_dir, "committe_members.csv", MEMBERS_HEADER + "\n")
    put(data_dir, "notes.txt", "not data")
    put(data_dir, "~$onsite_engineers.xlsx", b"excel lock file")
    put(data_dir, "budget_notes.csv", "備註\n")
    assert [str(p) for p in data.validate_year(112, data_dir)] == [
        "data/112/budget_notes.csv：檔名「budget_notes」不是已知的資料集，"
        "這個檔案不會被讀取。請改成以下其中一個檔名：committee_members、task_force_meetings、"
        "onsite_engineers、training_classes、training_participations、staff_training、"
        "contact_training、training_courses、gender_budget、resolutions、gender_statistics、"
        "impact_assessments、course_evaluations（副檔名 .csv、.xlsx 或 .ods）。",
        "data/112/committe_members.csv：檔名「committe_members」不是已知的資料集，"
        "這個檔案不會被讀取。是不是「委員名單」（committee_members）？資料夾中沒有 "
        "committee_members 的檔案，請把這個檔案改名為 committee_members.csv。",
    ]
    assert [str(p) for p in data.validate_year(113, data_dir)] == [
        "data/113：找不到 data/113/ 資料夾。請建立這個資料夾並放入該年度的資料檔"
        "（檔名與欄位見 data/README.md）。"
    ]


EXPERT_MISSING = (
    "data/112/task_force_meetings.csv 第 3 列「出席專家學者」欄：「張○」不在 "
    "data/112/committee_members.csv 的性別平等專案小組外聘委員名單中。"
    "請確認姓名與委員名單一致。")


def test_experts_present_must_be_on_the_roster(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "\n".join([
        MEMBERS_HEADER,
        "性別平等專案小組,3,王大明,男,外聘",
        "性別平等專案小組,3,李小華,女,外聘",
    ]) + "\n")
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數,出席專家學者\n"
        "112-1,112-03-20,首長,2,2,王大明、李小華\n112-2,112-08-28,首長,2,2,王大明，張三\n")
    problems = data.validate_year(112, data_dir)
    assert [str(p) for p in problems] == [EXPERT_MISSING]
    # Loading the meetings runs the same check: the same message, so validate predicts it.
    assert messages("task_force_meetings", data_dir) == [EXPERT_MISSING]
    # Neither the unknown name nor the row's other names appear in full.
    assert problems[0].value == "張○"
    assert "張三" not in str(problems[0]) + repr(problems[0])
    assert "王大明" not in repr(problems[0])


def test_an_internal_member_is_not_an_expert(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv", "\n".join([
        MEMBERS_HEADER, "性別平等專案小組,3,李小華,女,外聘", "資料治理委員會,3,張三,男,外聘",
        "性別平等專案小組,3,張三,男,府內"]) + "\n")
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數,出席專家學者\n"
        "112-1,112-03-20,首長,2,2,李小華\n112-2,112-08-28,首長,2,2,張三\n")
    assert messages("task_force_meetings", data_dir) == [EXPERT_MISSING]


def test_meetings_without_roster_load_with_a_note(data_dir: Path) -> None:
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數,出席專家學者\n112-1,112-03-20,首長,2,2,張三\n")
    note = ("提醒：data/112/task_force_meetings.csv：未檢查出席專家學者：data/112/ 沒有 "
            "committee_members（委員名單）檔，無法確認出席的專家學者是小組的外聘委員，"
            "也無法依性別統計出席者。請一併放入 committee_members.csv。")
    meetings = data.load("task_force_meetings", 112, data_dir)
    assert [str(p) for p in meetings.attrs["skipped_checks"]] == [note]
    assert [str(p) for p in data.validate_year(112, data_dir)] == [note]
    # Without the experts' column there is nothing to check, and nothing to note.
    put(data_dir, "task_force_meetings.csv",
        "會議,日期,主席,委員總數,出席人數\n112-1,112-03-20,首長,2,2\n")
    assert data.load("task_force_meetings", 112, data_dir).attrs["skipped_checks"] == ()
    assert data.validate_year(112, data_dir) == []


def test_title_row_above_the_header(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "112年駐點工程師名單,\n職別,性別\n系統工程師,男\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：缺少必要欄位「職別」（job_category）、「性別」（gender）。"
        "第 1 列的 1 格中只有 0 格是認得的欄名，看起來不是標題列"
        "（內容可能是資料，因此不在這裡列出）。"
        "標題列似乎在第 2 列：請刪除它上面的 1 列，讓標題列成為第 1 列。"
    ]


def test_whitespace_only_file(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "\ufeff\r\n  \r\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：檔案是空的，沒有標題列也沒有資料列。"
        "請放入資料，或刪除這個檔案。"
    ]


# ── what a spreadsheet does to a file ──────────────────────────────────────────────────────

def test_every_bad_date_of_a_column_at_once_with_the_folders_year(data_dir: Path) -> None:
    # A date that lost its Excel date format, one of last year and one that is no date:
    # all three in one round, the examples in the folder's year (113, not 112).
    put(data_dir, "task_force_meetings.csv", "\n".join([
        "會議,日期,主席,委員總數,出席人數",
        "113-1,45356,首長,17,17",
        "113-2,112-08-28,首長,17,16",
        "113-3,2024-13-01,首長,17,16",
    ]) + "\n", year=113)
    assert messages("task_force_meetings", data_dir, year=113) == [
        "data/113/task_force_meetings.csv 第 2 列「日期」欄：「45356」是數字，不是日期："
        "儲存格失去了日期格式（變成「通用格式」或「數值」），Excel 就把日期顯示成序號。"
        "序號 45356 是 2024-03-05。請把這一欄的儲存格格式設為「日期」，"
        "或直接寫成 113-03-05（民國）或 2024-03-05（西元）。",
        "data/113/task_force_meetings.csv 第 3 列「日期」欄：「112-08-28」不在 113 年"
        "（2024 年）內。data/113/ 只放 113 年的資料；請更正日期，或把這一列移到 112 年的資料夾。",
        "data/113/task_force_meetings.csv 第 4 列「日期」欄：「2024-13-01」不是有效的日期。"
        "請寫成 113-03-15（民國）或 2024-03-15（西元）。",
    ]


def test_a_bad_year_gives_the_folders_year_as_example(data_dir: Path) -> None:
    put(data_dir, "gender_budget.csv", "年度,計畫項目名稱,預算數\n一一三,甲,100\n", year=113)
    assert messages("gender_budget", data_dir, year=113) == [
        "data/113/gender_budget.csv 第 2 列「年度」欄：「一一三」不是有效的年度。"
        "請填民國年（如 113）或西元年（如 2024）。"
    ]


TOTAL_ROW = ("表示這一列是合計列，不是一筆資料：報告會自己計算合計，留著它會重複計算。"
             "請刪除這一列（在 Excel 的列號上按右鍵，選「刪除」）。")
FOOTER_ROW = ("表示這一列是表格下方的附註，不是一筆資料。請刪除這一列"
              "（在 Excel 的列號上按右鍵，選「刪除」）：資料檔只放標題列與資料列。")


def test_a_total_row_is_to_be_deleted_never_filled_in(data_dir: Path) -> None:
    # Filling in its year as 「必填」 would have asked would make the total a budget item.
    put(data_dir, "gender_budget.csv", "\n".join([
        "年度,項次,計畫項目名稱,預算數（單位：元）",
        "112,1,甲計畫,100",
        "113,1,甲計畫,200",
        ',,合計,"300"',
        "112,, 總 計 ,300",
    ]) + "\n")
    assert messages("gender_budget", data_dir) == [
        f"data/112/gender_budget.csv 第 4 列「計畫項目名稱」欄：「合計」{TOTAL_ROW}",
        f"data/112/gender_budget.csv 第 5 列「計畫項目名稱」欄：「總 計」{TOTAL_ROW}",
    ]


def test_notes_below_the_table_are_to_be_deleted_and_quote_no_name(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "\n".join([
        "職別,性別,廠商",
        "系統工程師,男,備註：外包廠商",  # a note-like value in a record is data
        "網路工程師,女,",
        ",,",
        "製表人：王小明,,",
        ",資料來源：廠商提供,",
    ]) + "\n")
    problems = messages("onsite_engineers", data_dir)
    assert problems == [
        f"data/112/onsite_engineers.csv 第 5 列「職別」欄：「製表人：」{FOOTER_ROW}",
        f"data/112/onsite_engineers.csv 第 6 列「性別」欄：「資料來源：」{FOOTER_ROW}",
    ]
    assert "王小明" not in "".join(problems)


def test_a_notes_sheet_first_says_only_the_first_sheet_is_read(data_dir: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    notes = book.active
    notes.title = "說明"
    notes.append(["駐點工程師名單的填寫說明"])
    notes.append(["每位工程師一列"])
    engineers = book.create_sheet("工程師")
    engineers.append(["職別", "性別"])
    engineers.append(["系統工程師", "男"])
    book.save(data_dir / "112" / "onsite_engineers.xlsx")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.xlsx：只會讀取第一個工作表，而第一個工作表「說明」沒有標題列；"
        "資料似乎在工作表「工程師」。請把「工程師」工作表移到最前面"
        "（在下方的工作表標籤上按住「工程師」，拖到最左邊），再存檔。"
    ]

    engineers["A1"] = "職務名稱"  # no sheet holds the headers now
    book.save(data_dir / "112" / "onsite_engineers.xlsx")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.xlsx：只會讀取第一個工作表（「說明」），資料必須放在第一個工作表。"
        "缺少必要欄位「職別」（job_category）、「性別」（gender）。"
        "第 1 列的 1 格中只有 0 格是認得的欄名，看起來不是標題列"
        "（內容可能是資料，因此不在這裡列出）。"
        "請讓第 1 列是標題列（可接受的欄名見 data/README.md）。"
    ]

    book.move_sheet("工程師", offset=-1)  # moved first, as the message says: read
    engineers["A1"] = "職別"
    book.save(data_dir / "112" / "onsite_engineers.xlsx")
    assert data.load("onsite_engineers", 112, data_dir)["job_category"].tolist() == ["系統工程師"]


def test_an_empty_first_sheet_points_to_the_data_sheet(data_dir: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "封面"
    book.create_sheet("資料").append(["職別", "性別"])
    book.save(data_dir / "112" / "onsite_engineers.xlsx")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.xlsx：只會讀取第一個工作表，而第一個工作表「封面」沒有標題列；"
        "資料似乎在工作表「資料」。請把「資料」工作表移到最前面"
        "（在下方的工作表標籤上按住「資料」，拖到最左邊），再存檔。"
    ]


def test_rows_shorter_than_the_header_row_are_read(data_dir: Path) -> None:
    # Every row ends before the last header (a hand-edited file): still a file, not garbage.
    put(data_dir, "onsite_engineers.csv", "職別,性別,廠商\n系統工程師,男\n網路工程師,女\n")
    assert data.load("onsite_engineers", 112, data_dir)["gender"].tolist() == ["男", "女"]
