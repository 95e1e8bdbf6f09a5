"""Personal names: one normal form and one mask, every known name masked in every free text
and message, and words shaped like unknown names flagged by validate."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_registry, copy_sample_data, messages, put, validate_as_typed

from genderstats import data
from genderstats.analyses import recommendations
from genderstats.data.errors import Problem
from genderstats.data.specs import DATASETS
from genderstats.names import (
    NameFilter,
    could_be_name,
    mask_name,
    mask_names,
    normalise_name,
    strip_invisible,
    suspected_names,
)
from genderstats.pipeline.build import BuildOptions, build

ZWSP, SHY = "\u200b", "\u00ad"
GENDER_HELP = "請填 男、女 或 其他（也接受 男性/女性、M/F/X、male/female/other）。"


# ── the mask ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("王小明", "王○明"),
        ("王明", "王○"),
        ("歐陽小明", "歐陽○明"),
        ("歐陽明", "歐○明"),
        ("司馬相如如", "司○○○如"),
        ("王", "○"),
        ("Mary Chen", "M. C."),
        ("  mary   chen ", "M. C."),
        (" 王 小明 ", "王○明"),
        ("", ""),
        ("   ", ""),
        (None, ""),
        (float("nan"), ""),
        # Published names are already masked; masking again changes nothing.
        ("蕭○勻", "蕭○勻"),
        # One person, one mask: invisible characters and spaces do not move it.
        (f"劉{ZWSP}幸娟", "劉○娟"),
        ("吳 惠貞", "吳○貞"),
        (f"魏信霖{ZWSP}", "魏○霖"),
        (f"{ZWSP}魏信霖", "魏○霖"),
        (f"魏{SHY}信霖", "魏○霖"),
        ("魏\u200d信\u200c霖\u2066", "魏○霖"),
        ("\ufeff林立", "林○"),
        ("ＭＡＲＹ　ＣＨＥＮ", "M. C."),
    ],
)
def test_mask_name(name, masked):
    assert mask_name(name) == masked


def test_mask_names_keeps_index():
    s = pd.Series(["高志煌", None, "Ann Lee"], index=[3, 5, 9])
    out = mask_names(s)
    assert out.index.tolist() == [3, 5, 9]
    assert out.tolist() == ["高○煌", "", "A. L."]


def test_every_format_character_is_removed_and_nothing_else():
    every = "".join(chr(c) for c in range(sys.maxunicode + 1)
                    if not 0xD800 <= c <= 0xDFFF)
    kept = strip_invisible(every)
    removed = set(every) - set(kept)
    assert {ch for ch in every if unicodedata.category(ch) == "Cf"} <= removed
    # Beyond them, only code points this Python's Unicode has not assigned yet.
    assert {unicodedata.category(ch) for ch in removed} <= {"Cf", "Cn"}


def test_normal_form_of_a_name():
    assert normalise_name(f" 吳 惠{ZWSP}貞 ") == "吳惠貞"
    assert normalise_name("Mary \u00a0 Chen") == "Mary Chen"


# ── the filter ───────────────────────────────────────────────────────────────────────────


def test_filter_masks_known_names_wherever_they_appear():
    names = NameFilter(["林立", "劉幸娟", "吳惠貞", f"魏信霖{ZWSP}", "林立偉", "Mary Chen"])
    assert names.mask("由林立說明") == "由林○說明"  # two characters too
    assert names.mask(f"劉{ZWSP}幸娟、吳 惠貞、魏{SHY}信霖{ZWSP}") == "劉○娟、吳○貞、魏○霖"
    assert names.mask("林立偉與林立") == "林○偉與林○"  # the longer name first
    assert names.mask("請 mary  chen 說明") == "請 M. C. 說明"
    assert names.mask("劉幸娟（林\u2f74）") == "劉○娟（林○）"  # ⽴: a Kangxi radical for 立
    assert names.mask("無人名，Marys Chenault") == "無人名，Marys Chenault"


def test_filter_without_names_only_drops_invisible_characters():
    assert not NameFilter()
    assert NameFilter().mask(f"資訊{ZWSP}局") == "資訊局"
    assert NameFilter(["王"]).mask("王道") == "王道"  # one character is no name to look for
    long = "王" * 5000  # a whole paragraph in a name column is no name either
    assert NameFilter([long, "林立"]).mask(long + "林立") == long + "林○"


# ── the loader ───────────────────────────────────────────────────────────────────────────


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8-sig")


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """112 with known names typed into free text (林立 is a lecturer, so a known name)."""
    root = copy_sample_data(tmp_path / "data", ("111", "112"))
    year = root / "112"
    _edit(year / "training_courses.csv", ",尤宛涵,國立清華大學資工系,",
          ",尤宛涵、林立,國立清華大學資工系（魏信霖\u200b實驗室）,")
    _edit(year / "resolutions.csv", "111年推動性別平等工作規劃：",
          "曾啟毅局長指示林立、劉\u200b幸娟：")
    _edit(year / "committee_members.csv", "召集人,局長,", "召集人,局長（吳 惠貞代理）,")
    _edit(year / "onsite_engineers.csv", "新峰系統整合股份有限公司", "新峰系統整合（曾啟毅）", 99)
    _edit(year / "task_force_meetings.csv", "112-1,112-03-20,首長,,",
          "112-1,112-03-20,其他,曾啟毅,")
    return root


def test_known_names_are_this_years_and_earlier_rosters(planted):
    names = data.loader.known_names(112, planted)
    assert {"曾啟毅", "魏信霖", "劉幸娟", "吳惠貞", "林立", "尤宛涵", "彭宛庭"} <= names
    assert data.loader.known_names(111, planted) == frozenset()  # 111 has no roster


def test_free_text_columns_are_masked_when_read(planted):
    courses = data.load("training_courses", 112, planted)
    assert courses.loc[0, "lecturer"] == "尤宛涵、林立"  # names stay names for the analyses
    assert courses.loc[0, "lecturer_unit"] == "國立清華大學資工系（魏○霖實驗室）"
    resolutions = data.load("resolutions", 112, planted)
    assert resolutions.loc[0, "item"].startswith("曾○毅局長指示林○、劉○娟：")
    members = data.load("committee_members", 112, planted)
    assert members.loc[0, "title"] == "局長（吳○貞代理）"
    assert members.loc[0, "name"] == "曾啟毅"
    engineers = data.load("onsite_engineers", 112, planted)
    assert (engineers["vendor"] == "新峰系統整合（曾○毅）").sum() == 9
    meetings = data.load("task_force_meetings", 112, planted)
    assert meetings.loc[0, "chair_title"] == "曾○毅"


def test_every_text_column_but_names_is_free_text():
    free = {(d.stem, c.name) for d in DATASETS.values() for c in d.columns if c.free_text}
    personal = {(d.stem, c.name) for d in DATASETS.values() for c in d.columns if c.personal}
    assert personal == {("committee_members", "name"), ("contact_training", "name"),
                        ("task_force_meetings", "experts_present"),
                        ("training_courses", "lecturer"), ("impact_assessments", "experts")}
    for place in [("resolutions", "item"), ("resolutions", "progress"), ("resolutions", "unit"),
                  ("training_courses", "goal"), ("training_courses", "lecturer_title"),
                  ("training_courses", "lecturer_unit"), ("impact_assessments", "summary"),
                  ("gender_statistics", "definition"), ("gender_budget", "effect"),
                  ("committee_members", "title"), ("onsite_engineers", "vendor"),
                  ("contact_training", "duty"), ("task_force_meetings", "chair_title")]:
        assert place in free


# ── messages ─────────────────────────────────────────────────────────────────────────────


def test_a_name_typed_as_a_gender_is_quoted_masked(data_dir):
    put(data_dir, "committee_members.csv",
        "委員會,屆,姓名,性別,府內外聘\n性別平等專案小組,3,王大明,曾啟毅,府內\n")
    assert messages("committee_members", data_dir) == [
        "data/112/committee_members.csv 第 2 列「性別」欄：「曾○毅」不是可接受的性別。"
        f"{GENDER_HELP}"
    ]


def test_a_known_name_is_masked_in_any_message(data_dir):
    put(data_dir, "committee_members.csv",
        "委員會,屆,姓名,性別,府內外聘\n性別平等專案小組,3,郭文偉,男,府內\n"
        "性別平等專案小組,3,王大明,郭文偉老師,府內\n")
    assert messages("committee_members", data_dir) == [
        f"data/112/committee_members.csv 第 3 列「性別」欄：「郭○偉老師」不是可接受的性別。"
        f"{GENDER_HELP}"
    ]


def test_a_name_typed_as_a_key_of_the_texts_is_quoted_masked(tmp_path):
    root = copy_sample_data(tmp_path / "data", ("112",))
    _edit(root / "112" / "results_report.yml", "組別: C群", "組別: C群\n曾啟毅: 我")
    (problem,) = data.validate_year(112, root)
    assert str(problem) == (
        "data/112/results_report.yml：第 11 行「曾○毅」：「曾○毅」不是這裡可用的鍵。"
        "可用的鍵：組別、核定、特色或亮點、性別分析、策略及具體措施、其他相關成果、未來重點。")
    assert problem.value == "曾○毅" and "曾啟毅" not in str(problem)


def test_words_of_the_form_and_other_words_are_quoted_as_typed():
    assert Problem("f", 2, "性別", "不詳", "「不詳」不是可接受的性別。").message == \
        "「不詳」不是可接受的性別。"
    assert Problem("f", 2, "府內外聘", "顧問", "「顧問」不是可接受的值。").value == "顧問"
    assert could_be_name("陳美玲") and could_be_name("歐陽小明") and could_be_name("林立")
    assert not could_be_name("男性") and not could_be_name("林務局") and not could_be_name("12")
    assert not could_be_name("王○明")  # already masked


# ── unknown names ────────────────────────────────────────────────────────────────────────


def test_suspected_names():
    assert suspected_names("承辦人：陳美玲（分機 123）") == ["陳○玲"]
    assert suspected_names("由 歐陽小明、張簡大同 負責") == ["歐陽○明", "張簡○同"]
    assert suspected_names("資訊局、林務局、高雄市、黃組長、紀錄：楊○宏") == []
    assert suspected_names("曾啟毅", known=NameFilter(["曾啟毅"])) == []  # masked anyway
    assert suspected_names("性別", vocabulary={"性別"}) == []


def test_validate_warns_of_unknown_names_in_free_text(tmp_path):
    root = copy_sample_data(tmp_path / "data", ("112",))
    _edit(root / "112" / "resolutions.csv", ",是,系統研發中心", ",是,陳美玲")
    _edit(root / "112" / "recommendations.yml", "採購工作及審查小組:\n",
          "採購工作及審查小組:\n  - 請 林志明 協助。\n")
    problems = data.validate_year(112, root)
    fix = ("看起來像人名。報告是公開的，不可出現姓名：若是人名，請改寫為職稱或刪除；"
           "若不是人名，可不理會這個提醒。")
    assert [str(p) for p in problems] == [
        f"提醒：data/112/resolutions.csv 第 3 列「辦理單位」欄：「陳○玲」{fix}",
        f"提醒：data/112/recommendations.yml：第 7 行：「林○明」{fix}",
    ]
    assert all(p.warning for p in problems)


def test_validate_prints_warnings_apart_and_still_exits_0(tmp_path, capsys):
    root = copy_sample_data(tmp_path / "data", ("112",))
    _edit(root / "112" / "resolutions.csv", ",是,系統研發中心", ",是,陳美玲")
    registry = copy_registry(tmp_path / "notebooks")
    code = validate_as_typed(root, "--year", "112", "--registry", str(registry))
    out = capsys.readouterr().out
    assert code == 0
    assert ("data/112：所有資料檔都符合格式。\n"
            "data/112/resolutions.csv（決議事項追蹤）：1 則提醒\n"
            "  提醒：第 3 列「辦理單位」欄：「陳○玲」") in out
    assert "另有 1 則提醒（不影響產製），請逐一確認。" in out
    assert "無法產製" not in out and "陳美玲" not in out


def test_the_sample_gives_no_warning(sample_data):
    assert data.validate_year(112, sample_data) == []


def test_recommendations_mask_known_names(planted):
    _edit(planted / "112" / "recommendations.yml", "採購工作及審查小組:\n",
          "採購工作及審查小組:\n  - 請魏信霖\u200b副局長與林立老師協助。\n")
    assert recommendations.load("採購工作及審查小組", 112, planted) == [
        "請魏○霖副局長與林○老師協助。",
        "派聘委員每年改派時，持續注意任一性別不低於全部委員三分之一之規定。",
    ]


# ── end to end ───────────────────────────────────────────────────────────────────────────

FULL_NAMES = ("曾啟毅", "魏信霖", "劉幸娟", "吳惠貞", "林立")


def _public_texts(out: Path) -> dict[str, str]:
    texts = {}
    for path in out.rglob("*"):
        if path.suffix in (".html", ".csv", ".json", ".log", ".ipynb", ".txt"):
            texts[str(path.relative_to(out))] = path.read_text(encoding="utf-8", errors="replace")
        elif path.suffix == ".odt":
            with zipfile.ZipFile(path) as odt:
                texts[str(path.relative_to(out))] = odt.read("content.xml").decode("utf-8")
    return texts


@pytest.mark.slow
def test_no_known_name_reaches_any_artefact(planted, tmp_path):
    year = planted / "112"
    _edit(year / "results_report.yml", "組別: C群", "組別: C群（劉\u200b幸娟）")
    _edit(year / "recommendations.yml", "採購工作及審查小組:\n",
          "採購工作及審查小組:\n  - 請魏信霖\u200b副局長與林立老師協助。\n")
    out = tmp_path / "out"
    result = build(BuildOptions(year=112, data_dir=planted, out_dir=out,
                                registry=copy_registry(tmp_path / "notebooks"), echo=print))
    assert result.exit_code == 0, [r.error for r in result.results if r.error]
    texts = _public_texts(out / "112")
    for where, text in texts.items():
        flat = re.sub(r"\s+", "", strip_invisible(re.sub(r"<[^>]*>", "", text)))
        for name in FULL_NAMES:
            assert name not in flat, (where, name)
        assert "魏信○" not in flat, where  # one person, one mask
    annual = re.sub(r"<[^>]*>", "", texts["annual-report.html"])
    assert "■組別：C群（劉○娟）" in annual
    assert "曾○毅局長指示林○、劉○娟：" in annual
    assert "國立清華大學資工系（魏○霖實驗室）" in annual
    odt = strip_invisible(re.sub(r"<[^>]*>", "", texts["annual-report.odt"]))  # joiners go
    assert "C群（劉○娟）" in odt and "曾○毅局長指示林○、劉○娟：" in odt
    procurement = re.sub(r"<[^>]*>", "", texts["procurement-review-committee.html"])
    assert "請魏○霖副局長與林○老師協助。" in procurement
    engineers = re.sub(r"<[^>]*>", "", texts["onsite-engineers.html"])
    assert "新峰系統整合（曾○毅）" in engineers
    # The rosters are inputs of every report that read data: a changed roster re-runs it.
    manifest = json.loads(texts["manifest.json"])
    digital = next(r for r in manifest["reports"] if r["id"] == "digital-training")
    assert {"112/committee_members.csv", "112/contact_training.ods",
            "112/training_courses.csv"} <= set(digital["inputs"])
    # ... but not among the page's sources: the page was not made from them.
    assert "委員名單" not in texts["digital-training.html"]
