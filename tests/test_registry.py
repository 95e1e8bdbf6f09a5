import textwrap

import pytest
from conftest import published_reports

from genderstats.pipeline.registry import RegistryError, load_registry, select

FIXED_IDS = [
    "gender-equality-task-force", "data-governance-committee", "procurement-review-committee",
    "onsite-engineers", "digital-training", "gender-training", "annual-report",
]


def test_the_seven_report_ids_are_fixed():
    reports = published_reports()  # a draft being written in the working tree aside
    assert [r.id for r in reports] == FIXED_IDS
    committee = {r.id: r.notebook.name for r in reports[:3]}
    assert set(committee.values()) == {"committee_composition.ipynb"}  # one notebook, 3 reports


def test_build_parameters_are_year_data_dir_and_the_registry_ones(tmp_path):
    report = load_registry()[1]
    assert report.build_parameters(112, tmp_path) == {
        "year": 112, "data_dir": str(tmp_path), "committee": "資料治理委員會"}


def _registry(tmp_path, body):
    (tmp_path / "a.ipynb").write_text("{}", encoding="utf-8")
    path = tmp_path / "reports.yml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("body, message", [
    ("reports:\n  - {id: a, title: 甲, notebook: a.ipynb}\n"
     "  - {id: a, title: 乙, notebook: a.ipynb}\n", "id「a」重複"),
    ("reports:\n  - {id: a, title: 甲, notebook: missing.ipynb}\n", "找不到筆記本"),
    ("reports:\n  - {id: A_B, title: 甲, notebook: a.ipynb}\n", "只能用小寫英文字母、數字與連字號"),
    ("reports:\n  - {id: a, notebook: a.ipynb}\n", "缺少 title"),
    ("reports:\n  - {id: a, title: 甲, notebook: a.ipynb, parameters: {year: 111}}\n",
     "year 由 build 指定"),
    ("reports: [\n", "不是有效的 YAML"),
])
def test_registry_errors_say_where_and_what(tmp_path, body, message):
    with pytest.raises(RegistryError, match=message):
        load_registry(_registry(tmp_path, body))


def test_unknown_only_id_lists_the_valid_ones():
    with pytest.raises(RegistryError) as err:
        select(load_registry(), ["digital-trainig"])
    assert "沒有這份報告：digital-trainig" in str(err.value)
    assert "digital-training" in str(err.value)


def test_each_report_declares_what_it_needs():
    needs = {r.id: (r.requires, r.optional) for r in published_reports()}
    assert needs == {
        "gender-equality-task-force": (("committee_members",),
                                       ("task_force_meetings", "recommendations")),
        "data-governance-committee": (("committee_members",), ("recommendations",)),
        "procurement-review-committee": (("committee_members",), ("recommendations",)),
        "onsite-engineers": (("onsite_engineers",), ("recommendations",)),
        "digital-training": (("training_classes", "training_participations"),
                             ("recommendations",)),
        "gender-training": (("staff_training",),
                            ("contact_training", "training_courses", "course_evaluations",
                             "recommendations")),
        "annual-report": ((), ("committee_members", "task_force_meetings", "staff_training",
                               "contact_training", "training_courses", "gender_budget",
                               "resolutions", "gender_statistics", "impact_assessments",
                               "course_evaluations", "results_report")),
    }
    assert all(r.declared for r in published_reports())
    assert all(r.timeout is None for r in published_reports())


def test_dataset_names_match_the_data_contract():
    from genderstats.data import DATASETS
    from genderstats.data.needs import TEXT_INPUTS
    from genderstats.pipeline.registry import DATASET_NAMES

    assert DATASET_NAMES == (*DATASETS, *TEXT_INPUTS)


def test_undeclared_report_is_not_checked_and_timeout_is_read(tmp_path):
    reports = load_registry(_registry(
        tmp_path, "reports:\n  - {id: a, title: 甲, notebook: a.ipynb}\n"
                  "  - {id: b, title: 乙, notebook: a.ipynb, timeout: 90, requires: []}\n"))
    assert (reports[0].declared, reports[0].requires, reports[0].timeout) == (False, (), None)
    assert (reports[1].declared, reports[1].timeout) == (True, 90.0)


@pytest.mark.parametrize("extra, message", [
    ("requires: [committee_member]",
     "第 1 份報告（a）：requires 中的「committee_member」不是已知的資料集。可用的名稱："
     "committee_members、"),
    ("optional: [foo, gender_budget, bar]", "optional 中的「foo、bar」不是已知的資料集"),
    ("requires: committee_members", "第 1 份報告（a）：requires 應為資料集名稱的清單"),
    ("requires: [gender_budget], optional: [gender_budget]",
     "gender_budget 不可同時列在 requires 與 optional"),
    ("timeout: 0", "第 1 份報告（a）：timeout「0」不是有效的秒數。請填大於 0 的數字"),
    ("timeout: -5", "timeout「-5」不是有效的秒數"),
    ("timeout: ten", "timeout「ten」不是有效的秒數"),
    ("timeout: true", "timeout「True」不是有效的秒數"),
    ("timeout: .inf", "timeout「inf」不是有效的秒數"),
])
def test_bad_needs_or_timeout_name_the_report(tmp_path, extra, message):
    body = f"reports:\n  - {{id: a, title: 甲, notebook: a.ipynb, {extra}}}\n"
    with pytest.raises(RegistryError, match=message):
        load_registry(_registry(tmp_path, body))
