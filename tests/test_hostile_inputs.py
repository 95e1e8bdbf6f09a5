"""Hostile input files: text files are data, decode errors and invisible characters are the
project's own errors. Each test keeps the exact input that broke an earlier build."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from conftest import copy_registry, copy_sample_data, messages, put, validate_as_typed

from genderstats import data
from genderstats.analyses import recommendations
from genderstats.data import results_text as rt
from genderstats.data.yamlfile import MAX_BYTES, compose
from genderstats.pipeline.cli import main

SAVE_CSV_UTF8 = "請另存為 CSV UTF-8（Excel「另存新檔」選「CSV UTF-8（逗號分隔）」）後再放入。"
NO_ANCHORS = "這個檔案只放文字，不接受錨點（&）與別名（*）：請把要重複的文字直接寫出來。"
DELETE_IT = "請刪除這個看不見的字元（重新打字最簡單）後再存檔。"
CONTROL = "含有看不見的控制字元 {}，多半是從其他系統複製或匯出時帶入的。" + DELETE_IT
OUTSIDE = "這是指向資料夾外的捷徑（符號連結），基於安全不會讀取。"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return copy_sample_data(tmp_path / "data", years=("112",))


def validate(capsys: pytest.CaptureFixture[str], data_dir: Path) -> tuple[int, str, str]:
    code = validate_as_typed(data_dir, "--year", "112")
    out = capsys.readouterr()
    return code, out.out, out.err


def listed(problem: str, title: str) -> str:
    """How validate lists ``problem`` (『file：message』), the one problem of its file."""
    file, message = problem.split("：", 1)
    return f"{file}（{title}）：1 個問題\n  {message}\n"


def alias_bomb(head: str, levels: int, width: int) -> str:
    """Each level a list of ``width`` aliases of the one before: width**levels strings."""
    lines = [head]
    for level in range(1, levels + 1):
        lines.append(f"  - &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


# ── YAML anchors and aliases ───────────────────────────────────────────────────────────────

def test_results_report_alias_bomb_is_refused_at_its_first_anchor(capsys, sample: Path) -> None:
    bomb = alias_bomb("組別: C群\n特色或亮點: 正文\n未來重點:\n  說明: &l0 性別平等性別平等\n"
                      "  項目:", levels=9, width=95)
    assert 4300 < len(bomb.encode()) < 4500  # the audit's 4.4 KB file: 95**9 strings
    (sample / "112" / "results_report.yml").write_text(bomb, encoding="utf-8")
    expected = f"data/112/results_report.yml：第 4 行：用了 YAML 的錨點「&l0」。{NO_ANCHORS}"
    with pytest.raises(data.DataError) as info:
        data.load_results_text(112, sample)
    assert str(info.value) == expected
    code, out, err = validate(capsys, sample)
    assert code == 2
    assert err.startswith(listed(expected, "成果報告文字"))
    assert "推動性別平等工作成果報告（annual-report）：無法產製：成果報告文字" in out


def test_recommendations_alias_bomb_is_refused(capsys, sample: Path) -> None:
    bomb = alias_bomb("資料治理委員會:\n  - &l0 建議各工作小組開會時，可邀請其他小組適合委員參加。",
                      levels=12, width=100)
    (sample / "112" / "recommendations.yml").write_text(bomb, encoding="utf-8")
    expected = f"data/112/recommendations.yml：第 2 行：用了 YAML 的錨點「&l0」。{NO_ANCHORS}"
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert str(info.value) == expected
    code, _, err = validate(capsys, sample)
    assert code == 2 and err.startswith(listed(expected, "建議事項"))


def test_an_alias_without_anchor_and_a_type_tag_are_refused() -> None:
    with pytest.raises(data.DataError) as info:
        rt.parse_results_text("組別: C群\n特色或亮點: *a\n", "data/112/results_report.yml")
    assert str(info.value) == (
        f"data/112/results_report.yml：第 2 行：用了 YAML 的別名「*a」。{NO_ANCHORS}")
    with pytest.raises(data.DataError) as info:
        rt.parse_results_text("組別: !!python/name:os.system C群\n", "data/112/results_report.yml")
    assert str(info.value) == (
        "data/112/results_report.yml：第 1 行：用了 YAML 的型別標記「!!python/name:os.system」。"
        "這個檔案只放文字與清單，請刪除這個標記。")


# ── sizes ──────────────────────────────────────────────────────────────────────────────────

def yaml_error(text: str) -> str:
    with pytest.raises(data.DataError) as info:
        compose(text, "data/112/recommendations.yml")
    return str(info.value)


def test_sizes_are_capped() -> None:
    where = "data/112/recommendations.yml："
    assert yaml_error("a: " + "字" * 20_001 + "\n") == (
        f"{where}第 1 行：一段文字最多 20,000 字，這段有 20,001 字。"
        "請分成幾段，或刪去不需要的內容。")
    assert yaml_error("a:\n" + "  - x\n" * 500 + "  - y\n") == (
        f"{where}第 502 行：一個清單（或一組鍵）最多 500 項，這裡超過了。"
        "請確認縮排，或把內容分開寫。")
    assert yaml_error("a: " + "[" * 17 + "]" * 17 + "\n") == (
        f"{where}第 1 行：清單與鍵的層次超過 16 層。請確認縮排是否正確。")
    assert yaml_error("a: |\n" + "  性別平等\n" * (MAX_BYTES // 14 + 1)) == (
        f"{where}檔案超過 256 KB 的上限。這個檔案只放報告的文字；"
        "請確認放入的是正確的檔案，並刪去不需要的內容。")


def test_a_text_file_over_the_size_limit_is_refused(sample: Path) -> None:
    path = sample / "112" / "recommendations.yml"
    path.write_bytes(b"a:\n" + b"  - x\n" * (MAX_BYTES // 6 + 1))
    with pytest.raises(data.DataError, match="檔案超過 256 KB 的上限"):
        recommendations.load("a", 112, sample)


# ── syntax errors ──────────────────────────────────────────────────────────────────────────

def test_full_width_colon_in_recommendations_names_its_line(capsys, sample: Path) -> None:
    path = sample / "112" / "recommendations.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("數位訓練:", "數位訓練："), encoding="utf-8")
    expected = ("data/112/recommendations.yml：第 8 行不是有效的 YAML：「數位訓練：」用了全形冒號"
                "「：」。鍵與值之間請用半形冒號加一個空白，如「數位訓練: …」。")
    with pytest.raises(data.DataError) as info:
        recommendations.load("數位訓練", 112, sample)
    assert str(info.value) == expected
    code, _, err = validate(capsys, sample)
    assert code == 2
    assert err.startswith(listed(expected, "建議事項"))
    assert str(sample.parent) not in err


def test_full_width_colon_and_space_in_results_report() -> None:
    def error(text: str) -> str:
        with pytest.raises(data.DataError) as info:
            rt.parse_results_text(text, "data/112/results_report.yml")
        return str(info.value)

    assert error("組別：C群\n特色或亮點: 正文\n") == (
        "data/112/results_report.yml：第 1 行不是有效的 YAML：「組別：」用了全形冒號「：」。"
        "鍵與值之間請用半形冒號加一個空白，如「組別: …」。")
    assert error("性別分析:\n  - 報告: onsite-engineers\n    會議: 112-1\n\t- 報告: x\n") == (
        "data/112/results_report.yml：第 4 行不是有效的 YAML：縮排用了 Tab。請改用空白縮排。")
    assert error("未來重點:\n  說明: 無\n　項目: []\n") == (
        "data/112/results_report.yml：第 3 行「項目」：「項目」不是這裡可用的鍵。"
        "鍵的前後有全形空白「　」：縮排請用半形空白。可用的鍵：組別、核定、特色或亮點、"
        "性別分析、策略及具體措施、其他相關成果、未來重點。")
    assert error("組別: C群\n\t特色或亮點: 正文\n") == (
        "data/112/results_report.yml：第 2 行不是有效的 YAML：縮排用了 Tab。請改用空白縮排。")


def test_full_width_space_in_recommendations(sample: Path) -> None:
    path = sample / "112" / "recommendations.yml"
    path.write_text("資料治理委員會:\n  - 建議一\n　- 建議二\n", encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert str(info.value) == (
        "data/112/recommendations.yml：第 3 行不是有效的 YAML：用了全形空白「　」。"
        "縮排、「-」與冒號後面的空白請用半形空白。")
    path.write_text("資料治理委員會:\n  -　建議一\n數位訓練:\n  － 建議二\n", encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert [str(p) for p in info.value.problems] == [
        f"data/112/recommendations.yml：第 {line} 行「{topic}」：看起來是建議的清單，但「-」是全形"
        "或後面接全形空白「　」。每一項請以半形「- 」（減號加半形空白）開頭。"
        for line, topic in ((2, "資料治理委員會"), (4, "數位訓練"))]


def test_recommendations_of_the_wrong_shape_name_line_and_topic(sample: Path) -> None:
    (sample / "112" / "recommendations.yml").write_text(
        "資料治理委員會:\n  - 建議一\n  - 對象: 委員\n數位訓練:\n  對象: 銀髮族\n",
        encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        recommendations.load("數位訓練", 112, sample)
    assert [str(p) for p in info.value.problems] == [
        "data/112/recommendations.yml：第 3 行「資料治理委員會[2]」：每一項建議應為一句文字"
        "（以「- 」開頭，同一行寫完，或在「- |」後換行縮排）。",
        "data/112/recommendations.yml：第 5 行「數位訓練」：應為建議的清單，每一項以「- 」開頭。",
    ]


def test_text_file_not_in_utf8_names_the_line_and_the_fix(sample: Path) -> None:
    path = sample / "112" / "recommendations.yml"
    path.write_bytes("資料治理委員會:\n  - 建議一\n".encode() + "  - 建議二\n".encode("cp950"))
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert str(info.value) == (
        "data/112/recommendations.yml：檔案不是 UTF-8 編碼（第 3 行有無法解讀的字元）。"
        "請用記事本或 VS Code 另存為 UTF-8 後再放入。")


# ── only regular files inside the data folder ──────────────────────────────────────────────

def test_recommendations_linked_out_of_the_data_folder_is_never_read(
        capsys, sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("資料治理委員會:\n  - 外洩的機密內容\n", encoding="utf-8")
    path = sample / "112" / "recommendations.yml"
    path.unlink()
    path.symlink_to(outside)
    expected = ("data/112/recommendations.yml：" + OUTSIDE
                + "請把檔案本身複製到這個資料夾，取代這個捷徑。")
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert str(info.value) == expected
    code, out, err = validate(capsys, sample)
    assert code == 2
    assert err.startswith(listed(expected, "建議事項"))
    assert "外洩" not in out + err


def test_results_report_linked_out_of_the_data_folder_is_never_read(
        sample: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("組別: 外洩的機密內容\n", encoding="utf-8")
    path = sample / "112" / "results_report.yml"
    path.unlink()
    path.symlink_to(outside)
    assert [str(p) for p in rt.validate_results_text(112, sample)] == [
        "data/112/results_report.yml：" + OUTSIDE + "請把檔案本身複製到這個資料夾，取代這個捷徑。"]


def link_year_out(sample: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(sample / "112", elsewhere / "112")
    (sample / "112").symlink_to(elsewhere / "112")


YEAR_LINKED_OUT = ("data/112：" + OUTSIDE + "請把年度資料夾本身複製到 data/ 中，取代這個捷徑。")


def test_year_folder_linked_out_of_the_data_folder_is_refused(
        capsys, sample: Path, tmp_path: Path) -> None:
    link_year_out(sample, tmp_path)
    code, out, err = validate(capsys, sample)
    assert (code, out) == (2, "")
    assert err == f"錯誤：{YEAR_LINKED_OUT}112 年的報告都無法產製。\n"
    assert [str(p) for p in data.validate_year(112, sample)] == [YEAR_LINKED_OUT]
    for read in (lambda: data.load("committee_members", 112, sample),
                 lambda: data.load_results_text(112, sample),
                 lambda: recommendations.load("資料治理委員會", 112, sample)):
        with pytest.raises(data.DataError) as info:
            read()
        assert str(info.value) == YEAR_LINKED_OUT


def test_build_refuses_a_year_folder_linked_out(capsys, sample: Path, tmp_path: Path) -> None:
    link_year_out(sample, tmp_path)
    registry = copy_registry(tmp_path / "notebooks")
    code = main(["build", "--year", "112", "--data-dir", str(sample), "--registry",
                 str(registry), "--out-dir", str(tmp_path / "out"), "--only", "onsite-engineers"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.endswith(f" 錯誤：{YEAR_LINKED_OUT}沒有產製任何檔案。\n")
    assert not (tmp_path / "out" / "112").exists()  # refused before anything is written


def test_year_folder_linked_inside_the_data_folder_is_read(sample: Path) -> None:
    (sample / "113").symlink_to(sample / "112")
    assert not any(OUTSIDE in str(p) for p in data.validate_year(113, sample))
    assert len(data.load("onsite_engineers", 113, sample)) == 37


# ── decoding ───────────────────────────────────────────────────────────────────────────────

def test_utf16_csv_with_a_lone_surrogate_names_file_row_and_fix(data_dir: Path) -> None:
    raw = (codecs.BOM_UTF16_LE + "職別,性別\n系統工程師,男\n".encode("utf-16-le")
           + b"\x00\xd8" + ",女\n".encode("utf-16-le"))
    put(data_dir, "onsite_engineers.csv", raw)
    expected = [
        "data/112/onsite_engineers.csv：檔案是 UTF-16 編碼（Excel「Unicode 文字」），"
        f"但內容不完整或已損壞（第 3 列有無法解讀的字元）。{SAVE_CSV_UTF8}"]
    assert messages("onsite_engineers", data_dir) == expected
    assert [str(p) for p in data.validate_year(112, data_dir)] == expected


def test_utf16_csv_cut_in_the_middle_of_a_character(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv",
        codecs.BOM_UTF16_LE + "職別,性別\n系統工程師,男\n".encode("utf-16-le")[:-1])
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：檔案是 UTF-16 編碼（Excel「Unicode 文字」），"
        f"但內容不完整或已損壞（第 2 列有無法解讀的字元）。{SAVE_CSV_UTF8}"]


def test_damaged_big5_csv_names_the_damaged_row(data_dir: Path) -> None:
    rows = ["職別,性別,廠商"] + ["系統工程師,男,群睿資訊股份有限公司"] * 40
    lines = [row.encode("cp950") for row in rows]
    lines[30] += b"\xa4\x20"  # a lead byte without its second byte
    put(data_dir, "onsite_engineers.csv", b"\n".join(lines) + b"\n")
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：檔案看起來是 Big5/CP950 編碼，但內容已損壞或混有其他編碼"
        f"的文字（第 31 列有無法解讀的字元）。{SAVE_CSV_UTF8}"]


def test_unclosed_quote_is_said_without_the_parsers_english(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", '職別,性別\n系統工程師,男\n"網路工程師,女\n')
    assert messages("onsite_engineers", data_dir) == [
        "data/112/onsite_engineers.csv：無法解析 CSV 檔。有一個以引號「\"」開始的儲存格直到檔案"
        "結尾都沒有結束。請用 Excel 開啟後另存新檔再試。"]


# ── characters nobody can see ──────────────────────────────────────────────────────────────

def test_control_characters_in_cells_name_row_column_and_code_point(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv",
        "職別,性別,廠商\n系統工程師,男,群睿資訊\n網路工程師,女,泰和\x1b[31m數位\n"
        "網路工程師,女,泰和\x00數位\n系統工程師,男,翔宇\ufffe資訊\n網路工程師,女,泰和\x1b[31m數位\n")
    where = "data/112/onsite_engineers.csv 第 {}列「廠商」欄："
    assert messages("onsite_engineers", data_dir) == [
        where.format("3、6 ") + CONTROL.format("U+001B"),
        where.format("4 ") + CONTROL.format("U+0000"),
        where.format("5 ") + "含有不是文字的字碼 U+FFFE（Unicode 非字元），"
        "多半是檔案損壞或轉碼錯誤。" + DELETE_IT,
    ]


def test_control_character_in_a_name_in_the_sample(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv",
        "委員會,屆,姓名,性別,府內外聘\n" + "性別平等專案小組,3,王小明,男,府內\n" * 3
        + "性別平等專案小組,3,林\x1b美華,女,外聘\n")
    # The file's other problems come in the same round.
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 3、4 列「姓名」欄：「王○明」與第 2 列重複。"
        "同一委員會同一屆的委員只能列一次，請刪除或更正其中一列。",
        "data/112/committee_members.csv 第 5 列「姓名」欄：" + CONTROL.format("U+001B")]


def test_direction_override_is_refused_in_names_and_stripped_elsewhere(data_dir: Path) -> None:
    put(data_dir, "committee_members.csv",
        "委員會,屆,姓名,性別,府內外聘,職稱\n"
        "性別平等專案小組,3,\u202e明大王,男,府內,局長\n"
        "性別平等專案小組,3,林美華,女,外聘,\u202e授教\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 2 列「姓名」欄：姓名中含有改變文字方向的控制字元 "
        f"U+202E，會讓姓名顯示成另一個樣子。{DELETE_IT}"]
    put(data_dir, "committee_members.csv",
        "委員會,屆,姓名,性別,府內外聘,職稱\n"
        "性別平等專案小組,3,林美華,女\u200b,外聘,\u202e大學\u2066教授\u00ad\n")
    frame = data.load("committee_members", 112, data_dir)
    assert frame[["name", "gender", "title"]].astype(str).values.tolist() == [
        ["林美華", "女", "大學教授"]]


def test_the_rule_holds_in_workbooks_too(data_dir: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["委員會", "屆", "姓名", "性別", "府內外聘", "職稱"])
    book.active.append(["性別平等專案小組", 3, "林美華", "女", "外聘", "大學\u200b教授\u202e"])
    book.active.append(["性別平等專案小組", 3, "王\u2066大明", "男", "府內", "局長"])
    book.save(data_dir / "112" / "committee_members.xlsx")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.xlsx 第 3 列「姓名」欄：姓名中含有改變文字方向的控制字元 "
        f"U+2066，會讓姓名顯示成另一個樣子。{DELETE_IT}"]
    book.active["C3"] = "王大明"
    book.save(data_dir / "112" / "committee_members.xlsx")
    assert data.load("committee_members", 112, data_dir)["title"].tolist() == ["大學教授", "局長"]


def test_invisible_characters_in_a_header_are_ignored(data_dir: Path) -> None:
    put(data_dir, "onsite_engineers.csv", "\ufeff職\u200b別,性別\n系統工程師,男\n")
    assert data.load("onsite_engineers", 112, data_dir)["job_category"].tolist() == ["系統工程師"]


def test_control_characters_in_yaml_text(sample: Path) -> None:
    path = sample / "112" / "recommendations.yml"
    path.write_text('資料治理委員會:\n  - "建議\\e[2J一"\n  - 建議\x00二\n  - "建議\\uFFFE三"\n',
                    encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    # The raw NUL is found before anything is parsed; the escapes once the file is.
    assert str(info.value) == "data/112/recommendations.yml：第 3 行：" + CONTROL.format("U+0000")
    path.write_text('資料治理委員會:\n  - "建議\\e[2J一"\n  - "建議\\uFFFE三"\n'
                    '  - "建議\\u202e四\\u200b"\n', encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        recommendations.load("資料治理委員會", 112, sample)
    assert [str(p) for p in info.value.problems] == [
        "data/112/recommendations.yml：第 2 行：" + CONTROL.format("U+001B"),
        "data/112/recommendations.yml：第 3 行：含有不是文字的字碼 U+FFFE（Unicode 非字元），"
        "多半是檔案損壞或轉碼錯誤。" + DELETE_IT,
    ]
    path.write_text('資料治理委員會:\n  - "建議\\u202e四\\u200b"\n', encoding="utf-8")
    assert recommendations.load("資料治理委員會", 112, sample) == ["建議四"]


def test_control_character_in_results_report_names_the_line_of_a_block() -> None:
    with pytest.raises(data.DataError) as info:
        rt.parse_results_text('組別: C群\n特色或亮點: |\n  第一段\n  第二段"\x1b"\n',
                              "data/112/results_report.yml")
    assert str(info.value) == "data/112/results_report.yml：第 4 行：" + CONTROL.format("U+001B")


HOSTILE = ("\x00", "\x1b", "\ufffe", "\u202e")


def public_texts(out: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace")
                   for p in (out / "112").rglob("*")
                   if p.is_file() and p.suffix in (".html", ".json", ".csv", ".log", ".ipynb"))


@pytest.mark.slow
def test_no_hostile_character_reaches_a_page(tmp_path: Path) -> None:
    """Stripped characters are gone from the page; refused ones fail the report, whose
    public files name the code point, never the character."""
    sample = copy_sample_data(tmp_path / "data", years=("112",))
    registry = copy_registry(tmp_path / "notebooks")
    engineers = sample / "112" / "onsite_engineers.csv"
    original = engineers.read_text(encoding="utf-8-sig")
    engineers.write_text(original.replace("群睿資訊", "群睿\u202e資訊\u200b"), encoding="utf-8")
    recs = sample / "112" / "recommendations.yml"
    recs.write_text(recs.read_text(encoding="utf-8").replace(
        "  - 於契約中", '  - "\\u202e\\u2066於契約中\\u00ad"\n  - 於契約中'), encoding="utf-8")

    def build(out: Path) -> int:
        return main(["build", "--year", "112", "--data-dir", str(sample), "--registry",
                     str(registry), "--out-dir", str(out), "--only", "onsite-engineers"])

    assert build(tmp_path / "ok") == 0
    page = (tmp_path / "ok" / "112" / "onsite-engineers.html").read_text(encoding="utf-8")
    assert "群睿資訊股份有限公司" in page and "<li>於契約中</li>" in page
    assert not any(c in public_texts(tmp_path / "ok") for c in (*HOSTILE, "\u200b", "\u2066"))

    for char in HOSTILE[:3]:
        engineers.write_text(original.replace("群睿資訊", f"群睿{char}資訊"), encoding="utf-8")
        out = tmp_path / f"refused-{ord(char)}"
        assert build(out) == 2  # a data error, as validate would say
        texts = public_texts(out)
        assert f"U+{ord(char):04X}" in texts and "「廠商」欄" in texts
        assert not any(c in texts for c in HOSTILE)
