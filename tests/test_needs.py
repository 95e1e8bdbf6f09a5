"""data.needs: which reports a year's files can build, read from the registry's declarations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from genderstats import config
from genderstats.data import needs
from genderstats.pipeline.registry import load_registry


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, copy)
    return copy


def by_id(data_dir: Path, year: int) -> dict[str, needs.Readiness]:
    return {r.report_id: r for r in needs.readiness(load_registry(), year, data_dir)}


def test_sample_year_builds_everything(data_dir: Path) -> None:
    verdicts = by_id(data_dir, 112)
    assert len(verdicts) == 7
    assert all(v.buildable and not v.notes for v in verdicts.values())
    assert needs.unbuildable(load_registry(), 112, data_dir) == {}


def test_year_with_only_digital_training(data_dir: Path) -> None:
    assert needs.unbuildable(load_registry(), 110, data_dir) == {
        rid: f"無法產製：缺少必要資料：{what}。請把檔案放入 data/110/ 後再產製。"
        for rid, what in [
            ("gender-equality-task-force", "委員名單（committee_members.csv／.xlsx／.ods）"),
            ("data-governance-committee", "委員名單（committee_members.csv／.xlsx／.ods）"),
            ("procurement-review-committee", "委員名單（committee_members.csv／.xlsx／.ods）"),
            ("onsite-engineers", "駐點工程師（onsite_engineers.csv／.xlsx／.ods）"),
            ("gender-training", "性別主流化訓練（staff_training.csv／.xlsx／.ods）"),
        ]
    }
    annual = by_id(data_dir, 110)["annual-report"]
    assert annual.buildable
    assert annual.missing_optional == [
        "committee_members", "task_force_meetings", "staff_training", "contact_training",
        "training_courses", "gender_budget", "resolutions", "gender_statistics",
        "impact_assessments", "course_evaluations", "results_report"]


def test_two_required_files_missing_are_both_named(data_dir: Path) -> None:
    for name in ("training_classes.csv", "training_participations.csv"):
        (data_dir / "112" / name).unlink()
    assert needs.unbuildable(load_registry(), 112, data_dir) == {
        "digital-training": "無法產製：缺少必要資料："
        "數位訓練班次（training_classes.csv／.xlsx／.ods）、"
        "數位訓練參訓紀錄（training_participations.csv／.xlsx／.ods）。"
        "請把檔案放入 data/112/ 後再產製。"
    }


def test_missing_optional_dataset_is_a_note(data_dir: Path) -> None:
    (data_dir / "112" / "training_courses.csv").unlink()
    verdicts = by_id(data_dir, 112)
    for rid in ("gender-training", "annual-report"):
        assert verdicts[rid].buildable
        assert verdicts[rid].missing_optional == ["training_courses"]
    # The topic page's words, from genderstats.data.absence; the results report's parts are
    # not all declared there, so it is told only what is missing.
    assert verdicts["gender-training"].notes == [
        "本年度無自辦訓練資料（training_courses.csv／.xlsx／.ods）：「(五) 自辦訓練」寫"
        "「本年度無自辦訓練資料。」"]
    assert verdicts["annual-report"].notes == [
        "本年度無自辦訓練資料（training_courses.csv／.xlsx／.ods），相關段落將顯示「無資料」。"]
    assert not verdicts["onsite-engineers"].notes


def test_absent_optional_columns_from_the_header_only(data_dir: Path) -> None:
    from openpyxl import Workbook, load_workbook

    # staff_training.xlsx without its 單位 column; task_force_meetings.csv without two.
    path = data_dir / "112" / "staff_training.xlsx"
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    keep = [i for i, h in enumerate(rows[0]) if h != "單位"]
    book = Workbook()
    for row in rows:
        book.active.append([row[i] for i in keep])
    book.save(path)
    meetings = data_dir / "112" / "task_force_meetings.csv"
    lines = meetings.read_text(encoding="utf-8-sig").splitlines()
    meetings.write_text("\n".join(",".join(v for i, v in enumerate(line.split(","))
                                            if i not in (3, 6)) for line in lines) + "\n",
                        encoding="utf-8-sig")
    verdicts = by_id(data_dir, 112)
    assert verdicts["gender-training"].absent_columns == [("staff_training", "unit")]
    assert not verdicts["gender-training"].notes  # the page does not use the unit
    assert verdicts["gender-equality-task-force"].absent_columns == [
        ("task_force_meetings", "chair_title"), ("task_force_meetings", "experts_present")]
    assert verdicts["gender-equality-task-force"].notes == [
        "性平小組會議（task_force_meetings）沒有「出席專家學者」欄：「運作情形」一節的專家學者"
        "委員出席者寫「本年度會議資料無「出席專家學者」欄，無專家學者委員出席資料。」"]
    assert ("性平小組會議（task_force_meetings）沒有「出席專家學者」欄，相關段落將顯示「無資料」。"
            in verdicts["annual-report"].notes)
    assert verdicts["gender-equality-task-force"].buildable


def test_derived_columns_are_not_absent(data_dir: Path) -> None:
    # The sample participations have 年齡 but no 年齡區間 or 對象: both are derived.
    assert by_id(data_dir, 112)["digital-training"].absent_columns == []
    path = data_dir / "112" / "training_participations.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:2]) for line in lines) + "\n",
                    encoding="utf-8")
    assert by_id(data_dir, 112)["digital-training"].absent_columns == [
        ("training_participations", "age"), ("training_participations", "age_band"),
        ("training_participations", "nationality")]


def test_unusable_required_file_makes_the_report_unbuildable(data_dir: Path) -> None:
    path = data_dir / "112" / "onsite_engineers.csv"
    path.unlink()
    os.mkfifo(path)
    assert needs.unbuildable(load_registry(), 112, data_dir) == {
        "onsite-engineers": "無法產製：駐點工程師（onsite_engineers.csv／.xlsx／.ods）無法使用："
        "這不是一般檔案（例如具名管道或裝置），不會讀取。請放入一般的 CSV、Excel 或 ODS 檔案。"
    }


def test_reports_without_declaration_are_skipped(data_dir: Path, tmp_path: Path) -> None:
    notebook = config.PROJECT_ROOT / "notebooks" / "onsite_engineers.ipynb"
    registry = tmp_path / "reports.yml"
    registry.write_text(f"reports:\n  - {{id: x, title: 新, notebook: {notebook}}}\n",
                        encoding="utf-8")
    shutil.rmtree(data_dir / "112")
    (data_dir / "112").mkdir()
    assert needs.readiness(load_registry(registry), 112, data_dir) == []
    assert needs.unbuildable(load_registry(registry), 112, data_dir) == {}
