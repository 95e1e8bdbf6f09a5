import textwrap

import pytest

from genderstats.registry import RegistryError, load_registry, select

FIXED_IDS = [
    "gender-equality-task-force", "data-governance-committee", "procurement-review-committee",
    "onsite-engineers", "digital-training", "gender-training", "annual-report",
]


def test_the_seven_report_ids_are_fixed():
    reports = load_registry()
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
