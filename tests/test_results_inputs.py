"""The inputs of the complete results report: the sample 112 gives the seed's figures, bad
files give exact Chinese errors, a header-only file is 「無」 and a missing one 無資料."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_sample_data, validate_as_typed
from source_documents import seed_text

from genderstats import config, data
from genderstats.data import needs
from genderstats.data import results_text as rt
from genderstats.names import mask_name
from genderstats.pipeline.registry import load_registry

DIGITAL_INDICATOR = "臺北市府資訊局辦理市民數位訓練人次性別比率"
TEXTS = "data/112/results_report.yml"


def registry_catalog() -> rt.Catalog:
    """What the published reports offer the prose (the registry's figures and titles)."""
    from genderstats.analyses import annual

    return annual.text_catalog(annual.report_info("", 112, load_registry()))


def pct(part: int, whole: int, places: int = 0) -> Decimal:
    q = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return copy_sample_data(tmp_path / "data", years=("112",))


def put(data_dir: Path, name: str, text: str) -> Path:
    path = data_dir / "112" / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(data_dir: Path) -> list[str]:
    return [str(p) for p in data.validate_year(112, data_dir)]


# ── the sample 112 holds the seed's values ──────────────────────────────────────────────

def test_sample_validates_cleanly_with_every_new_input(sample_data: Path) -> None:
    assert data.validate_year(112, sample_data) == []
    annual = next(r for r in load_registry() if r.id == "annual-report")
    verdict = needs.check_report(annual, 112, sample_data)
    assert verdict.missing_optional == [] and verdict.absent_columns == []


def test_contact_people_for_the_form_header(sample_data: Path) -> None:
    contacts = data.load("contact_training", 112, sample_data)
    assert contacts["role"].tolist() == ["性平聯絡人", "性平聯絡人"]
    assert contacts["unit"].tolist() == ["數位策略中心", "數位策略中心"]
    assert contacts["title"].tolist() == ["股長", "聘用研究員"]
    assert contacts["duty"].iloc[0] == ("1. 熟悉本府性別主流化總計畫。 2. 具性別平等知能，"
                                        "協助單位及同仁落實性別主流化暨推展性別平等工作。")
    assert pd.isna(contacts["duty"].iloc[1])
    assert [len(mask_name(n)) for n in contacts["name"]] == [3, 3]


def test_course_columns_of_the_form(sample_data: Path) -> None:
    (course,) = data.load("training_courses", 112, sample_data).to_dict("records")
    assert course["title"] == "從 AI 技術看性別化差異"
    assert course["audience"] == "一般公務人員、高階公務人員"
    assert course["goal"] == ("推動本局服務政策培養性別敏感度，使性別主流化之理念、目標與操作架構與"
                              "業務工作相結合。")
    assert (course["lecturer_unit"], course["lecturer_title"]) == ("國立清華大學資工系", "教授")
    assert course["categories"] == "進階課程、性別主流化"
    assert course["methods"] == "多元形式、含實際案例討論、設計課後評估或滿意度調查問卷"
    assert (course["hours"], course["men"], course["women"], course["other"]) == (3, 38, 35, 0)
    assert mask_name(course["lecturer"])[1] == "○"


def test_no_new_name_comes_from_the_source_documents(sample_data: Path) -> None:
    text = seed_text()
    masked = set(re.findall(r"([\u4e00-\u9fff])○([\u4e00-\u9fff])", text))
    people = set(data.load("training_courses", 112, sample_data)["lecturer"])
    for cell in data.load("impact_assessments", 112, sample_data)["experts"]:
        people |= set(cell.split("、"))
    for name in people:
        assert name not in text and (name[0], name[-1]) not in masked, name
    texts = (sample_data / "112" / "results_report.yml").read_text(encoding="utf-8")
    assert not re.search(r"[\u4e00-\u9fff]○[\u4e00-\u9fff]", texts)


def test_inventory_counts_of_section_three(sample_data: Path) -> None:
    inventory = data.load("gender_statistics", 112, sample_data)
    existing = inventory[inventory["new"] == "否"]
    counts = existing.groupby(["kind", "level"], observed=True).size().to_dict()
    assert counts == {("指標", "主計處列管"): 3, ("指標", "機關構列管"): 4,
                      ("項目", "主計處列管"): 2, ("項目", "機關構列管"): 3}
    new = inventory[inventory["new"] == "是"]
    assert new[["kind", "level", "name", "parent"]].values.tolist() == [
        ["指標", "機關構列管", "國籍", DIGITAL_INDICATOR]]
    assert new["definition"].iloc[0] == f"於「{DIGITAL_INDICATOR}」指標底下新增「國籍」複分類"
    assert DIGITAL_INDICATOR in set(existing["name"])
    assert (new["kind"] == "項目").sum() == 0  # (三) reads 「無」


def test_impact_assessment_of_section_five(sample_data: Path) -> None:
    impact = data.load("impact_assessments", 112, sample_data)
    assert impact["category"].tolist() == ["重大施政"]  # (一) and (二) read 「無」
    (row,) = impact.to_dict("records")
    assert row["title"] == "性別影響評估檢視表-單一陳情系統"
    assert row["summary"] == "以本府單一陳情系統進行性別影響評估報告"
    assert row["procedure"] == "性平小組"
    assert (row["opinions"], row["adopted"]) == (5, 3)
    assert row["first_date"].date() == dt.date(2023, 8, 28)
    assert row["revised_date"].date() == dt.date(2023, 12, 13)
    assert (row["procurement"], row["csr"]) == ("非巨額採購", "未納入")
    # The task force's three external members, in the seed's order 嚴、彭、陳.
    members = data.load("committee_members", 112, sample_data)
    tf = members[(members["committee"] == "性別平等專案小組") & (members["affiliation"] == "外聘")]
    experts = row["experts"].split("、")
    assert set(experts) == set(tf["name"])
    by_name = dict(zip(tf["name"], tf["title"], strict=True))
    assert [by_name[n] for n in experts] == [
        "大學社會工作學系教授", "法律事務所律師", "大學公共事務研究所副教授"]


def test_satisfaction_is_computed_as_the_seed_prints_it(sample_data: Path) -> None:
    answers = data.load("course_evaluations", 112, sample_data)
    assert len(answers) == 235
    assert answers["respondent"].nunique() == 47
    assert answers["question"].nunique() == 5
    satisfied = int(answers["rating"].isin(data.SATISFIED).sum())
    assert satisfied == 228
    assert pct(satisfied, len(answers), 2) == Decimal("97.02")
    assert set(answers["course"]) == {"從 AI 技術看性別化差異"}


def test_resolutions_of_annex_two(sample_data: Path) -> None:
    tracked = data.load("resolutions", 112, sample_data)
    assert [d.date() for d in tracked["meeting_date"]] == [
        dt.date(2022, 2, 21), dt.date(2023, 8, 28), dt.date(2023, 12, 13)]
    assert tracked["closed"].tolist() == ["是", "是", "否"]
    assert tracked["item"].iloc[0].startswith("111年推動性別平等工作規劃：「臺北市民免費數位訓練」")


def test_prose_figures_come_from_the_digital_training_data(sample_data: Path) -> None:
    """The subsets the placeholders name give the seed's 121/2,526, 5/93 and 77%."""
    classes = data.load("training_classes", 112, sample_data)
    parts = data.load("training_participations", 112, sample_data)
    by_class = parts.merge(classes[["class_id", "target_group"]], on="class_id",
                           suffixes=("", "_class"))
    seniors = by_class[by_class["target_group_class"] == "銀髮族"]
    women_only = by_class[by_class["target_group_class"] == "婦女專班"]
    assert (classes["target_group"] == "銀髮族").sum() == 121 and len(seniors) == 2526
    assert (classes["target_group"] == "婦女專班").sum() == 5 and len(women_only) == 93
    assert pct(int((seniors["gender"] == "女").sum()), len(seniors)) == Decimal("77")
    assert (len(classes), len(parts)) == (130, 2676)
    assert pct(int((parts["gender"] == "男").sum()), len(parts), 2) == Decimal("22.12")


def test_analyst_texts_of_the_sample(sample_data: Path) -> None:
    reports = {r.id: r for r in load_registry()}
    texts = data.load_results_text(112, sample_data, catalog=registry_catalog())
    assert texts is not None
    assert texts.file == TEXTS
    assert texts.group == "C群"
    assert texts.other_results == "無"
    topics = [(reports[a.report].title, reports[a.report].unit, a.meeting_date)
              for a in texts.analyses]
    assert topics == [
        ("資料治理委員會性別統計分析", "數據治理中心", dt.date(2023, 8, 28)),
        ("本局駐點工程師職別與性別統計分析", "資通安全中心", dt.date(2023, 8, 28)),
        ("臺北市民免費數位訓練性別統計分析", "數位策略中心", dt.date(2023, 12, 13)),
    ]
    assert texts.approval == dt.date(2024, 2, 22) and texts.warnings == ()
    # Only what the department did: (六) and the other items are the form's blanks.
    assert [(c.label, [i.number for i in c.items]) for c in texts.strategies] == [
        ("(一)", [1, 2, 3]), ("(二)", [5]), ("(三)", [2]), ("(四)", [1]), ("(五)", [2])]
    first = texts.strategies[0]
    assert first.items[0].measures[0].endswith(
        "{year}年共開設{digital-training.senior-classes}班，"
        "總計{digital-training.senior-participations}人次。")
    assert first.items[0].note.startswith("考量本府性平政策自112年起")
    assert [b.kind for b in first.evidence.content] == ["paragraph", "photo", "table", "figure"]
    # Tables and charts are named in Chinese in the file.
    assert "表: 銀髮族各年齡區間參與人次及性別統計表" in (
        sample_data / "112" / "results_report.yml").read_text(encoding="utf-8")
    assert [b.text for b in first.evidence.content[2:]] == [
        "digital-training.senior-age-table", "digital-training.senior-age-chart"]
    assert "整體滿意度高達{gender-training.satisfaction}" in texts.highlights
    assert set(texts.placeholders) <= set(registry_catalog().known())
    assert texts.future.rows[0].item == "性別統計與分析及性別影響評估"
    # Figures the data holds are never typed into the prose.
    raw = (sample_data / "112" / "results_report.yml").read_text(encoding="utf-8")
    for typed in ("121班", "2,526", "93人次", "77%", "2,676", "592", "97.02", "男性8人",
                  "26人", "56%"):
        assert typed not in raw, typed
    filled = rt.substitute(first.items[0].measures[0], {
        "year": "112", "digital-training.senior-classes": "121",
        "digital-training.senior-participations": "2,526"})
    assert filled.endswith("112年共開設121班，總計2,526人次。")


def test_readme_lists_every_block_and_key() -> None:
    readme = (config.DATA_DIR / "README.md").read_text(encoding="utf-8")
    for name in (*rt.TABLES, *rt.CHARTS):
        assert f"| `{name}` |" in readme, name
    for key in rt.TOP_KEYS:
        assert f"| `{key}` |" in readme, key


# ── bad tables: exact errors ────────────────────────────────────────────────────────────

def test_inventory_errors(data_dir: Path) -> None:
    put(data_dir, "gender_statistics.csv",
        "類型,列管層級,名稱,上層指標,本年度新增\n"
        "指標,主計處,甲指標,,否\n指標,機關,國籍,乙指標,是\n項目,中央,丙,,否\n")
    assert problems(data_dir) == [
        "data/112/gender_statistics.csv 第 3 列「上層指標」欄："
        "「乙指標」不是本檔任何一列的「名稱」。「上層指標」必須是本檔某一列的「名稱」；請更正名稱，或加上那一列。",
        "data/112/gender_statistics.csv 第 4 列「列管層級」欄：「中央」不是可接受的值。"
        "請填 主計處列管 或 機關構列管（也接受 主計處、機關(構)列管、機關列管、機關構、機關）。",
    ]


def test_impact_assessment_errors(data_dir: Path) -> None:
    put(data_dir, "impact_assessments.csv",
        "類別,名稱,程序參與方式,意見項數,參採項數,修正後提報日期\n"
        "重大施政,甲,性平小組,3,5,113-01-05\n")
    assert problems(data_dir) == [
        "data/112/impact_assessments.csv 第 2 列「參採項數」欄：「5」大於「意見項數」欄的 3。"
        "參採項數不可超過意見項數。",
        "data/112/impact_assessments.csv 第 2 列「修正後提報日期」欄：「113-01-05」不在 112 年"
        "（2023 年）內。data/112/ 只放 112 年的資料；請更正日期，或把這一列移到 113 年的資料夾。",
    ]


def test_resolution_errors_allow_earlier_years_only(data_dir: Path) -> None:
    put(data_dir, "resolutions.csv",
        "會議日期,內容說明或裁(指)示事項,執行情形,是否解列\n"
        "113-01-10,甲,乙,也許\n110-12-27,丙,丁,是\n")
    assert problems(data_dir) == [
        "data/112/resolutions.csv 第 2 列「是否解列」欄：「也許」不是可接受的值。"
        "請填 是 或 否（也接受 解列、解除列管、Y、yes、V、✓、繼續列管、N、no）。",
        "data/112/resolutions.csv 第 2 列「會議日期」欄：「113-01-10」晚於 112 年（2023 年）。"
        "data/112/ 只放到 112 年為止的決議事項追蹤；請更正日期，或把這一列移到 113 年的資料夾。",
    ]


def test_evaluation_course_must_be_a_course_of_the_year(data_dir: Path) -> None:
    put(data_dir, "course_evaluations.csv",
        "訓練班期名稱,滿意度\n從AI技術看性別化差異,滿意\n性別與法律,很好\n性別與法律,滿意\n")
    assert problems(data_dir) == [
        "data/112/course_evaluations.csv 第 3 列「滿意度」欄：「很好」不是可接受的值。"
        "請填 非常滿意、滿意、普通、不滿意 或 非常不滿意（也接受 尚可、沒意見、無意見）。",
        "data/112/course_evaluations.csv 第 3、4 列「訓練班期名稱」欄：「性別與法律」不在 "
        "data/112/training_courses.csv 的訓練班期名稱中。"
        "請更正班期名稱，使它與自辦訓練檔完全相同。",
    ]
    with pytest.raises(data.DataError) as info:
        data.load("course_evaluations", 112, data_dir)
    assert [str(p) for p in info.value.problems] == problems(data_dir)


def test_evaluations_without_courses_load_with_a_note(data_dir: Path) -> None:
    (data_dir / "112" / "training_courses.csv").unlink()
    note = ("提醒：data/112/course_evaluations.csv：未檢查訓練班期名稱：data/112/ 沒有 "
            "training_courses（自辦訓練）檔，滿意度問卷無法對應同年度的自辦訓練，需要兩個檔案的"
            "數字（自辦訓練課程滿意度）將顯示「無資料」。若本年度有自辦訓練，"
            "請一併放入 training_courses.csv。")
    evaluations = data.load("course_evaluations", 112, data_dir)
    assert len(evaluations) == 235
    assert [str(p) for p in evaluations.attrs["skipped_checks"]] == [note]
    found = data.validate_year(112, data_dir)
    assert [str(p) for p in found] == [note] and found[0].warning


def test_course_check_boxes_are_validated(data_dir: Path) -> None:
    path = data_dir / "112" / "training_courses.csv"
    text = path.read_text(encoding="utf-8-sig")
    path.write_text(text.replace("多元形式、含實際案例討論", "多元形式、線上")
                    .replace("進階課程、性別主流化", "性別主流化，進階"), encoding="utf-8")
    assert problems(data_dir) == [
        "data/112/training_courses.csv 第 2 列「訓練方式」欄：「線上」不是可接受的值。"
        "請填 一般講授、多元形式、含實際案例討論、經課前問卷調查所辦理 或 "
        "設計課後評估或滿意度調查問卷（也接受 講授、實際案例討論、案例討論、課前問卷調查、"
        "課前問卷、課後評估、滿意度調查問卷、課後問卷、滿意度調查），可複選（以「、」分隔）。",
    ]
    path.write_text(text.replace("進階課程、性別主流化", "性別主流化，進階"), encoding="utf-8")
    # Aliases and any order read as the form's order.
    assert data.load("training_courses", 112, data_dir)["categories"].tolist() == [
        "進階課程、性別主流化"]


def test_impact_expert_names_are_masked_in_errors(data_dir: Path) -> None:
    put(data_dir, "impact_assessments.csv",
        "類別,名稱,程序參與方式,專家學者\n重大施政,甲,研商會議,王大明\n")
    path = data_dir / "112" / "results_report.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("同仁熱烈迴響", "王大明委員與同仁熱烈迴響"), encoding="utf-8")
    found = problems(data_dir)
    assert found == [
        "data/112/results_report.yml：第 16 行「一、特色或亮點」：含有完整姓名「王○明」"
        "（性別影響評估（impact_assessments）中的姓名）。報告是公開的，"
        "請改寫成遮罩後的姓名（如 王○明）或使用佔位符。",
    ]
    assert "王大明" not in "".join(found)


def test_task_force_review_names_its_external_members(data_dir: Path) -> None:
    path = data_dir / "112" / "impact_assessments.csv"
    text = path.read_text(encoding="utf-8-sig")
    members = data.load("committee_members", 112, data_dir)
    first = members[members["committee"] == "性別平等專案小組"]["name"].iloc[0]  # internal
    panel = data.load("impact_assessments", 112, data_dir)["experts"].iloc[0]
    path.write_text(text.replace(panel, f"{panel}、{first}、林大明"), encoding="utf-8")
    shown = f"{mask_name(first)}、林○明"
    assert problems(data_dir) == [
        f"data/112/impact_assessments.csv 第 2 列「專家學者」欄：「{shown}」不在 "
        "data/112/committee_members.csv 的性別平等專案小組外聘委員名單中。程序參與方式為"
        "「性平小組」時，專家學者是小組的外聘委員；請確認姓名與委員名單一致。"]
    assert first not in "".join(problems(data_dir))
    # A consultation meeting may hear other experts.
    path.write_text(text.replace(panel, f"{panel}、林大明").replace(",性平小組,", ",研商會議,"),
                    encoding="utf-8")
    assert problems(data_dir) == []


def test_registry_unit_of_each_report(tmp_path: Path) -> None:
    from genderstats.pipeline.registry import RegistryError

    units = {r.id: r.unit for r in load_registry()}
    assert units["data-governance-committee"] == "數據治理中心"
    assert units["onsite-engineers"] == "資通安全中心"
    assert units["digital-training"] == "數位策略中心"
    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    registry = tmp_path / "reports.yml"
    registry.write_text("reports:\n  - {id: a, title: 甲, notebook: a.ipynb, unit: [x]}\n",
                        encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(registry)
    assert str(info.value) == (f"{registry} 第 1 份報告（a）：unit「['x']」應為科室名稱，"
                               "如 unit: 數位策略中心。")
    registry.write_text("reports:\n  - {id: a, title: 甲, notebook: a.ipynb}\n",
                        encoding="utf-8")
    assert load_registry(registry)[0].unit == ""


# ── header only is 「無」, no file is 無資料; older course files stay valid ─────────────

@pytest.mark.parametrize("dataset", ["resolutions", "gender_statistics", "impact_assessments",
                                     "course_evaluations"])
def test_header_only_is_none_and_no_file_is_no_data(data_dir: Path, dataset: str) -> None:
    path = next((data_dir / "112").glob(f"{dataset}.*"))
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    path.write_text(header + "\n", encoding="utf-8")
    frame = data.load_optional(dataset, 112, data_dir)
    assert frame is not None and len(frame) == 0
    assert list(frame.columns) == data.DATASETS[dataset].names
    annual = next(r for r in load_registry() if r.id == "annual-report")
    assert dataset not in needs.check_report(annual, 112, data_dir).missing_optional
    path.unlink()
    assert data.load_optional(dataset, 112, data_dir) is None
    verdict = needs.check_report(annual, 112, data_dir)
    assert dataset in verdict.missing_optional
    title = data.DATASETS[dataset].title
    assert f"本年度無{title}資料（{dataset}.csv／.xlsx／.ods），相關段落將顯示「無資料」。" \
        in verdict.notes


def test_older_course_file_is_valid_and_its_new_columns_absent(data_dir: Path) -> None:
    put(data_dir, "training_courses.csv",
        "辦理日期,訓練班期名稱,訓練對象,時數,男,女,其他\n"
        "112-09-01,從 AI 技術看性別化差異,一般公務人員、高階公務人員,3,38,35,0\n")
    courses = data.load("training_courses", 112, data_dir)
    new = ("goal", "lecturer", "lecturer_unit", "lecturer_title", "categories", "methods")
    assert courses.attrs["absent_columns"] == new
    assert not any(data.has_column(courses, c) for c in new)
    assert courses["methods"].isna().all()  # absent, never 「not ticked」


def test_results_text_missing_is_none_and_noted(data_dir: Path) -> None:
    (data_dir / "112" / "results_report.yml").unlink()
    assert data.load_results_text(112, data_dir) is None
    annual = next(r for r in load_registry() if r.id == "annual-report")
    assert needs.check_report(annual, 112, data_dir).notes == [
        "本年度無成果報告文字資料（results_report.yml／.yaml），相關段落將顯示「無資料」。"]


def test_results_text_keys_left_out_are_no_data(data_dir: Path) -> None:
    put(data_dir, "results_report.yml", "組別: C群\n性別分析: []\n")
    texts = data.load_results_text(112, data_dir)
    assert (texts.group, texts.analyses) == ("C群", ())  # 四 reads 「無」
    assert (texts.highlights, texts.strategies, texts.future, texts.other_results) == \
        (None, None, None, None)


# ── the analyst's texts: exact errors ──────────────────────────────────────────────────

def parse_error(text: str, **kw) -> list[str]:
    with pytest.raises(data.DataError) as info:
        rt.parse_results_text(text, TEXTS, **kw)
    return [str(p) for p in info.value.problems]


def test_unknown_placeholder_names_the_line_key_and_value() -> None:
    assert parse_error("組別: C群\n特色或亮點: |\n  第一行\n  共{digital-training.clases}班\n",
                       catalog=registry_catalog()) == [
        "data/112/results_report.yml：第 4 行「一、特色或亮點」：「{digital-training.clases}」"
        "不是已知的數字名稱。是不是 {digital-training.classes}（數位訓練本年度開班數，所有對象）"
        " 或 {digital-training.women-classes}（婦女專班班次數）"
        " 或 {digital-training.senior-classes}（銀髮族班次數）？"
        "可用的名稱見 data/README.md〈results_report.yml〉；數字請用佔位符，不要直接打字。"]
    assert parse_error("特色或亮點: 共 {Classes} 班\n") == [
        "data/112/results_report.yml：第 1 行「一、特色或亮點」：「{Classes}」不是有效的佔位符。"
        "佔位符寫成 {報告代號.數字名稱}，只用小寫英文字母、數字、連字號與一個句點，"
        "如 {digital-training.classes}。"]
    assert parse_error("其他相關成果: 共 {year 班\n") == [
        "data/112/results_report.yml：第 1 行「八、其他相關成果」：有不成對的大括號「{」。"
        "佔位符寫成 {名稱}，要寫出大括號本身請寫 {{ 或 }}。"]
    assert rt.placeholders("{{字面}} {year}") == ["year"]


def test_wrong_keys_and_types() -> None:
    assert parse_error("組別: C群\n組別x: 1\n性別分析: 資料治理\n") == [
        "data/112/results_report.yml：第 2 行「組別x」：「組別x」不是這裡可用的鍵。"
        "可用的鍵：組別、核定、特色或亮點、性別分析、策略及具體措施、其他相關成果、未來重點。",
        "data/112/results_report.yml：第 3 行「四、性別分析」：應為清單（每項以「- 」開頭），"
        "卻是文字「資料治理」。",
    ]
    # Tables and charts go by their Chinese names; a chart is not a table.
    assert parse_error("策略及具體措施:\n  - 類別: (一)\n    項目: []\n    成果佐證:\n"
                       "      內容:\n        - 表: 銀髮族各年齡區間參與人次及性別統計長條圖\n"
                       "        - 圖: digital-training.senior-age-chart\n") == [
        "data/112/results_report.yml：第 6 行「七、(一) 成果佐證 內容1 表」："
        "「銀髮族各年齡區間參與人次及性別統計長條圖」不是已知的表。可用的名稱："
        "銀髮族各年齡區間參與人次及性別統計表、資料治理委員會委員性別比例分析、"
        "採購工作及審查小組委員名單。",
        "data/112/results_report.yml：第 7 行「七、(一) 成果佐證 內容2 圖」："
        "「digital-training.senior-age-chart」不是已知的圖。可用的名稱："
        "銀髮族各年齡區間參與人次及性別統計長條圖、資料治理委員會委員性別統計圓餅圖。"]
    assert parse_error("組別: [C群\n") == [
        "data/112/results_report.yml：第 1 行不是有效的 YAML：這一行開始的引號或括號沒有成對結束。"
        "請檢查縮排（用空白，不要用 Tab）、冒號後的空白與成對的引號、括號；"
        "多行文字請在鍵後寫「|」，下一行起縮排。"]


def test_analysis_topics_are_checked_against_meetings_and_registry() -> None:
    text = ("性別分析:\n  - 報告: onsite-engineers\n    會議: 112-9\n"
            "  - 報告: onsite\n    會議: 112-1\n")
    catalog = rt.Catalog(reports={"onsite-engineers": "本局駐點工程師職別與性別統計分析"})
    assert parse_error(text, meetings={"112-1": dt.date(2023, 3, 20)}, catalog=catalog) == [
        "data/112/results_report.yml：第 3 行「四、性別分析 第1項 會議」：「112-9」不在本年度"
        "性平小組會議（task_force_meetings）的會議代碼中：112-1。",
        "data/112/results_report.yml：第 4 行「四、性別分析 第2項 報告」：「onsite」不在 "
        "notebooks/reports.yml 中。可用的 id：onsite-engineers。",
    ]


def test_validate_command_reports_the_texts(capsys, data_dir: Path) -> None:
    path = data_dir / "112" / "results_report.yml"
    text = path.read_text(encoding="utf-8")
    bad = text.replace("{gender-training.satisfaction}", "{gender-training.satisfy}")
    path.write_text(bad, encoding="utf-8")
    code = validate_as_typed(data_dir, "--year", "112")
    out = capsys.readouterr()
    assert code == 2
    assert out.err.startswith(
        "data/112/results_report.yml（成果報告文字）：1 個問題\n"
        "  第 16 行「一、特色或亮點」：「{gender-training.satisfy}」不是已知的數字名稱。")
    assert "推動性別平等工作成果報告（annual-report）：無法產製：成果報告文字" \
        "（results_report.yml／.yaml）有格式問題" in out.out
    assert path.read_text(encoding="utf-8") == bad  # inputs are never modified



def test_places_in_the_texts_are_named_as_the_form_names_them() -> None:
    text = ("策略及具體措施:\n"
            "  - 類別: (七)\n"
            "  - 類別: (一)\n"
            "    項目:\n"
            "      - 項次: 5\n"
            "      - 項次: 1\n"
            "        措施:\n"
            "          - 甲\n"
            "          - {乙: 丙}\n"
            "      - 項次: 1、\n"
            "  - 類別: 一\n"
            "未來重點:\n"
            "  項目:\n"
            "    - 重點項目或方案名稱: 甲\n"
            "      現況說明: ''\n")
    assert parse_error(text) == [
        f"{TEXTS}：第 2 行「七、策略及具體措施 第1個類別 類別」：「(七)」不是七的類別。"
        "請只寫類別的代號 (一) 至 (六)，如「類別: (一)」；類別與項目的文字由程式依表單印出。",
        f"{TEXTS}：第 5 行「七、(一) 項目1 項次」：「5」不是(一)的項次。(一)有第 1 至 4 項，"
        "請寫其中一個數字，如「項次: 1」。",
        f"{TEXTS}：第 9 行「七、(一) 第1項 措施2」：應為文字，卻是對應表。",
        f"{TEXTS}：第 10 行「七、(一) 項目3 項次」：第1項重複出現：同一項的註與措施請寫在一起。",
        f"{TEXTS}：第 11 行「七、(一)」：(一)重複出現：同一類別的項目與成果佐證請寫在一起。",
        f"{TEXTS}：第 15 行「九、未來重點 第1項 現況說明」：不可空白；"
        "沒有內容就刪除這個鍵，或寫「無」。",
    ]


def test_approval_is_a_day_or_a_meeting_of_the_next_year(data_dir: Path, monkeypatch) -> None:
    meetings = {"113-1": dt.date(2024, 2, 22), "113-2": dt.date(2024, 6, 3)}
    texts = rt.parse_results_text("核定: 113-2\n", TEXTS, year=112,
                                  next_meetings=lambda: meetings)
    assert (texts.approval, texts.warnings) == (dt.date(2024, 6, 3), ())
    assert rt.parse_results_text("核定: 113年2月22日\n", TEXTS, year=112).approval == \
        dt.date(2024, 2, 22)
    assert parse_error("核定: 113-9\n", year=112, next_meetings=lambda: meetings) == [
        f"{TEXTS}：第 1 行「核定」：「113-9」不是日期，也不是 113 年性平小組會議"
        "（task_force_meetings）的會議代碼：113-1、113-2。請寫核定這份報告的會議代碼"
        "（如 113-1）或日期（如 113-02-22）。"]
    assert parse_error("核定: 112-12-13\n", year=112) == [
        f"{TEXTS}：第 1 行「核定」：「112-12-13」不在 113 年內：112 年的成果報告由 113 年的"
        "性平小組會議核定，請寫那次會議的代碼或日期。"]
    # The day the text is checked on is the clock's (genderstats.clock), not this machine's.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1707955200")  # 2024-02-15
    assert parse_error("核定: 113-02-22\n", year=112) == [
        f"{TEXTS}：第 1 行「核定」：「113-02-22」還沒到：報告經性平小組通過後，"
        "才寫上核定的會議。"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1709251200")  # 2024-03-01
    assert rt.parse_results_text("核定: 113-02-22\n", TEXTS, year=112).approval == \
        dt.date(2024, 2, 22)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    # Through the loader: a meeting code needs the next year's meetings file.
    path = data_dir / "112" / "results_report.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("核定: 113-02-22", "核定: 113-1"),
                    encoding="utf-8")
    assert problems(data_dir) == [
        f"{TEXTS}：第 13 行「核定」：「113-1」不是日期，也不是 113 年性平小組會議"
        "（task_force_meetings）的會議代碼（沒有可讀取的會議檔）。請寫核定這份報告的會議代碼"
        "（如 113-1）或日期（如 113-02-22）。"]
