"""Big5 user-defined characters (造字) are refused cell by cell; ordinary Big5 still reads."""

from __future__ import annotations

from pathlib import Path

import pandas.testing as pdt
import pytest

from genderstats import config, data
from tests.conftest import messages, put, validate_as_typed

FIX = ("這是 Big5 的造字（自造字），只有裝了同一套造字檔的電腦才顯示得出來，程式無法得知是哪個字。"
       "請把它換成一般的字（例如以 Word「插入 → 符號」找出同一個字，或改寫成通用的字），"
       "或先在造字程式把造字對應到 Unicode，再另存為「CSV UTF-8（逗號分隔）」後放入。")
HEAD = "姓名,身分,年度培力總時數,進階課程時數,科室\n"


def big5(*parts: str | bytes) -> bytes:
    return b"".join(p if isinstance(p, bytes) else p.encode("cp950") for p in parts)


def test_a_user_defined_character_in_a_name_is_refused_with_the_cell(data_dir: Path) -> None:
    # 0xFB69 is 堃 in Big5-HKSCS; in a Taipei file it is whatever the office's font draws.
    put(data_dir, "contact_training.csv", big5(
        HEAD, "王小明,性平聯絡人,18,6,秘書室\n",
        "陳", b"\xfb\x69", "明,性平聯絡人,20,6,資訊室\n"))
    assert messages("contact_training", data_dir) == [
        f"data/112/contact_training.csv 第 3 列「姓名」欄：「陳○明」有造字〔造字 FB69〕。{FIX}"]


def test_every_cell_is_named_and_other_columns_show_the_character(data_dir: Path) -> None:
    put(data_dir, "contact_training.csv", big5(
        HEAD, b"\xfb\x69", "明,性平聯絡人,18,6,秘", b"\x8e\x40", "室\n",
        "林小華,性平聯絡人,18,6,資訊室\n"))
    assert messages("contact_training", data_dir) == [
        f"data/112/contact_training.csv 第 2 列「姓名」欄：「〔造字 FB69〕○」有造字〔造字 FB69〕。"
        f"{FIX}",
        f"data/112/contact_training.csv 第 2 列「科室」欄：「秘〔造字 8E40〕室」"
        f"有造字〔造字 8E40〕。{FIX}"]


def test_validate_reports_the_user_defined_character(data_dir: Path, capsys) -> None:
    put(data_dir, "contact_training.csv",
        big5(HEAD, "陳", b"\xfe\xa1", "明,性平聯絡人,20,6,資訊室\n"))
    code = validate_as_typed(data_dir, "--year", "112")
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("data/112/contact_training.csv（性平聯絡人培力時數）：1 個問題\n"
                          f"  第 2 列「姓名」欄：「陳○明」有造字〔造字 FEA1〕。{FIX}\n")


def test_ordinary_big5_still_reads_as_the_utf8_file(data_dir: Path) -> None:
    text = (config.DATA_DIR / "112" / "committee_members.csv").read_text(encoding="utf-8-sig")
    expected_dir = data_dir.parent / "utf8"
    put(expected_dir, "committee_members.csv", text)
    put(data_dir, "committee_members.csv", text.encode("cp950"))
    pdt.assert_frame_equal(data.load("committee_members", 112, data_dir),
                           data.load("committee_members", 112, expected_dir))


def test_cp950s_own_additions_are_not_user_defined(data_dir: Path) -> None:
    # 0xF9D6 (碁) is one of the characters CP950 adds to Big5: a standard character.
    put(data_dir, "onsite_engineers.csv", big5("職別,性別,廠商\n系統工程師,男,", b"\xf9\xd6",
                                               "峰資訊\n網路工程師,女,大同\n"))
    frame = data.load("onsite_engineers", 112, data_dir)
    assert frame["vendor"].tolist() == ["碁峰資訊", "大同"]


@pytest.mark.parametrize("lead", [0x81, 0x8D, 0x8E, 0xA0, 0xFA, 0xFE])
def test_every_user_defined_area_is_refused(data_dir: Path, lead: int) -> None:
    put(data_dir, "onsite_engineers.csv",
        big5("職別,性別,廠商\n系統工程師,男,", bytes([lead, 0x40]), "資訊\n"))
    assert messages("onsite_engineers", data_dir) == [
        f"data/112/onsite_engineers.csv 第 2 列「廠商」欄：「〔造字 {lead:02X}40〕資訊」有造字"
        f"〔造字 {lead:02X}40〕。{FIX}"]
