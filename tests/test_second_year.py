"""A second year made by the sample generator: real, incomplete data, and only true pages.

113 differs from 112 in shape: a committee short of the one-third rule, a member of gender
其他, no contact-training or course file, a meetings file without its experts column, a budget
without its effects column, classes for 一般市民 with learners under 50, and mixed formats
(xlsx, ods, Big5 CSV, UTF-8-with-BOM CSV).
"""

from __future__ import annotations

import csv
import html
import importlib.util
import re
import sys

import pytest
from conftest import SAMPLE_YEARS, copy_registry, copy_sample_data

from genderstats import config
from genderstats.data.needs import readiness
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.cli import main
from genderstats.pipeline.registry import load_registry

pytestmark = pytest.mark.slow


def _generator():
    if "make_sample_data" not in sys.modules:
        path = config.PROJECT_ROOT / "scripts" / "make_sample_data.py"
        spec = importlib.util.spec_from_file_location("make_sample_data", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up while defined
        spec.loader.exec_module(module)
    return sys.modules["make_sample_data"]


def text_of(page: str) -> str:
    """The words a reader sees: no styles, no markup, entities decoded, spaces collapsed."""
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page))


@pytest.fixture(scope="module")
def second_year(tmp_path_factory):
    root = tmp_path_factory.mktemp("second-year")
    data = copy_sample_data(root / "data")
    _generator().year_113(data / "113")
    registry = copy_registry(root / "notebooks")
    out_dir = root / "outputs"
    lines: list[str] = []
    result = build(BuildOptions(year=113, data_dir=data, out_dir=out_dir, registry=registry,
                                echo=lines.append))
    out = out_dir / "113"
    pages = {p.stem: text_of(p.read_text(encoding="utf-8")) for p in out.glob("*.html")}
    with open(out / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        indicators = list(csv.DictReader(fh))
    return {"data": data, "registry": registry, "result": result, "out": out, "pages": pages,
            "indicators": indicators, "log": lines}


def test_the_generator_makes_the_second_year_in_mixed_formats(second_year):
    names = sorted(p.name for p in (second_year["data"] / "113").iterdir())
    assert names == ["committee_members.xlsx", "gender_budget.csv", "onsite_engineers.ods",
                     "staff_training.xlsx", "task_force_meetings.csv", "training_classes.csv",
                     "training_participations.csv"]
    raw = (second_year["data"] / "113" / "task_force_meetings.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp950").startswith("會議,日期,主席")


def test_validate_says_what_will_show_no_data_and_every_report_builds(second_year, capsys):
    code = main(["validate", "--year", "113", "--data-dir", str(second_year["data"]),
                 "--registry", str(second_year["registry"])])
    text = capsys.readouterr().out
    assert code == 0
    assert text.count("：可以產製。") == 7
    assert ("本年度無性平聯絡人培力時數資料（contact_training.csv／.xlsx／.ods），"
            "相關段落將顯示「無資料」。") in text
    assert "性平小組會議（task_force_meetings）沒有「出席專家學者」欄" in text
    # …and the build agrees: every report it said can be built was built.
    assert [r.status for r in second_year["result"].results] == ["ok"] * 7
    assert second_year["result"].exit_code == 0


def test_missing_inputs_say_no_data_and_never_none(second_year):
    training = second_year["pages"]["gender-training"]
    assert "本年度無性平聯絡人培力時數資料。" in training
    assert "本年度無自辦訓練資料。" in training
    assert "未自辦" not in training
    annual = second_year["pages"]["annual-report"]
    assert "未自辦" not in annual
    assert "本年度無自辦訓練資料" in annual
    task_force = second_year["pages"]["gender-equality-task-force"]
    assert "無專家學者委員出席資料" in task_force
    assert "出席0人次" not in task_force
    tables = {row["table"] for row in second_year["indicators"]}
    assert not [t for t in tables if "專家學者" in t]
    assert not [t for t in tables if "培力" in t or "自辦" in t]


def test_a_committee_short_of_one_third_and_a_member_of_gender_other(second_year):
    procurement = second_year["pages"]["procurement-review-committee"]
    # The form's column and its sentence keep two decimals on a page of whole percents.
    assert "全體委員 9人 7人 2人 22.22% 未達（尚缺女性1人）" in procurement
    assert "全體委員9人，較低者單一性別（女性）比例為22.22%" in procurement
    task_force = second_year["pages"]["gender-equality-task-force"]
    assert "全體委員 17人（含3名外聘委員） 6人（含1名外聘委員） 10人（含2名外聘委員） 1人" \
        in task_force
    assert "其他性別佔5.88%" in task_force
    rows = [r for r in second_year["indicators"]
            if r["report"] == "gender-equality-task-force" and r["gender"] == "其他"
            and r["category"] == "全體委員"]
    assert rows and rows[0]["count"] == "1"


def test_digital_training_counts_every_participation_by_gender(second_year):
    participations = second_year["data"] / "113" / "training_participations.csv"
    with open(participations, encoding="cp950", newline="") as fh:
        people = list(csv.DictReader(fh))
    men = sum(p["性別"] == "男" for p in people)
    women = sum(p["性別"] == "女" for p in people)
    under_50 = [p for p in people if int(p["年齡"]) <= 50]
    assert under_50, "the generator must make learners of 50 or under"
    rows = {(r["table"], r["category"], r["gender"]): int(r["count"])
            for r in second_year["indicators"] if r["report"] == "digital-training"}
    # Somewhere on the page every participation is counted by gender, 一般市民 included.
    by_group = {k: v for k, v in rows.items() if k[1] == "一般市民"}
    assert by_group, sorted({k[0] for k in rows})
    totals = {k: v for k, v in rows.items() if k[1] in ("合計", "總計") and k[2] in ("男", "女")}
    assert men in totals.values() and women in totals.values(), totals
    page = second_year["pages"]["digital-training"]
    assert "一般市民" in page and "50歲以下" in page


def test_budget_without_its_effects_column_states_no_effect(second_year):
    annual = second_year["pages"]["annual-report"]
    assert "5,622,500" in annual  # 113: 5,600,000 + 22,500
    assert "對促進性別平等的影響" not in annual or "無資料" in annual


def test_each_committee_page_states_only_public_things(second_year):
    for name, page in second_year["pages"].items():
        if name == "staff":
            continue  # the staff page is where paths and errors belong
        assert str(second_year["data"]) not in page, name
        assert "Traceback" not in page and "Error" not in page, name


# ---------------------------------------------------------------- optional inputs in turn

def _optional_pairs() -> list:
    return [(r.id, d) for r in load_registry() if not getattr(r, "draft", False)
            for d in r.optional]


@pytest.mark.parametrize(("report_id", "dataset"), _optional_pairs())
def test_each_optional_input_removed_in_turn_gives_no_data(tmp_path, sample_registry,
                                                           report_id, dataset):
    data = copy_sample_data(tmp_path / "data", years=SAMPLE_YEARS)
    (found,) = [p for p in (data / "112").iterdir() if p.stem == dataset]
    found.unlink()
    result = build(BuildOptions(year=112, data_dir=data, out_dir=tmp_path / "out",
                                registry=sample_registry, only=[report_id],
                                echo=lambda s: None))
    assert [(r.id, r.status) for r in result.results] == [(report_id, "ok")], \
        result.results[0].error
    page = text_of((tmp_path / "out" / "112" / f"{report_id}.html").read_text(encoding="utf-8"))
    assert "無" in page and "資料" in page
    assert re.search(r"本年度無[^。]*資料", page), page[:400]


# ---------------------------------------------------------------- validate vs build

@pytest.mark.parametrize("year", ["110", "113-without-roster"])
def test_validate_verdicts_are_what_the_build_then_does(tmp_path, sample_registry, year):
    data = copy_sample_data(tmp_path / "data")
    if year == "113-without-roster":
        _generator().year_113(data / "113")
        (data / "113" / "committee_members.xlsx").unlink()
        year = "113"
    reports = load_registry(sample_registry)
    verdicts = {v.report_id: v.buildable for v in readiness(reports, year, data)}
    result = build(BuildOptions(year=year, data_dir=data, out_dir=tmp_path / "out",
                                registry=sample_registry, echo=lambda s: None))
    statuses = {r.id: r.status for r in result.results}
    assert {rid: statuses[rid] == "ok" for rid in verdicts} == verdicts
    assert not all(verdicts.values())
    for rid, ok in verdicts.items():
        if not ok:
            state = next(r for r in result.results if r.id == rid)
            assert state.error.startswith("無法產製：缺少必要資料："), state.error
            assert state.seconds < 1  # refused before any kernel started


def test_a_year_without_a_data_folder_writes_nothing(tmp_path, sample_registry, capsys):
    data = copy_sample_data(tmp_path / "data")
    out_dir = tmp_path / "out"
    code = main(["build", "--year", "120", "--data-dir", str(data),
                 "--out-dir", str(out_dir), "--registry", str(sample_registry)])
    assert code == 2
    assert "120" in capsys.readouterr().err
    assert not (out_dir / "120").exists()
