"""One disclosure engine for every people-level count, and the year's audit.

The six ways small counts were worked out from the sample years, each as a fixture with its
exact numbers, and a randomised check of the engine against an independent enumeration.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from conftest import copy_sample_data

from genderstats import config
from genderstats import data as gsdata
from genderstats.analyses import digital_training as dt
from genderstats.analyses import engineers as eng
from genderstats.analyses import staff_training as st
from genderstats.analyses.year_audit import audit_year
from genderstats.present import charts
from genderstats.present.tables import band_block
from genderstats.privacy import SHOWN, SMALL, STAR, WHOLE, Population, Share
from genderstats.stats import counts_table


@pytest.fixture(scope="module")
def data_113(tmp_path_factory):
    """The sample years and a 113 shaped as scripts/make_sample_data.py writes it."""
    root = copy_sample_data(tmp_path_factory.mktemp("disclosure") / "data")
    if "make_sample_data" not in sys.modules:
        path = config.PROJECT_ROOT / "scripts" / "make_sample_data.py"
        spec = importlib.util.spec_from_file_location("make_sample_data", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    sys.modules["make_sample_data"].year_113(root / "113")
    return root


def _training(year, root=None):
    parts, classes = dt.load_year(year, root)
    return dt.prepare(parts, classes), classes


# --------------------------------------------------------------------------- 1. unprotected


def test_112_target_group_table_hides_the_one_man_of_new_immigrants():
    prepared, classes = _training(112)
    groups = dt.target_group_table(prepared, classes)
    assert groups.loc["新住民", ["男", "女", "合計"]].tolist() == [1, 30, 31]  # the data
    protected = dt.protect(prepared)
    assert protected.groups.marks.loc["新住民"].tolist() == [SMALL, SHOWN, SHOWN, STAR]
    cells = dt.counts_display(groups, index_label="開班對象", protected=protected.groups)
    row = cells.set_index("開班對象").loc["新住民"]
    assert (row["男性人次"], row["女性人次"], row["總人次"], row["男性比例"]) == (
        "<3", "30", "*", "-")
    assert protected.groups.record().index.tolist() == [
        "銀髮族", "婦女專班", "含隱藏格之類別合併", "合計"]
    assert protected.population.leaks() == []


def test_other_gender_counts_are_protected_in_every_table():
    classes = pd.DataFrame({"class_id": ["A", "B"], "target_group": ["銀髮族", "新住民"]})
    parts = pd.DataFrame({"class_id": ["A"] * 30 + ["B"] * 12,
                          "gender": ["男"] * 10 + ["女"] * 19 + ["其他"] + ["女"] * 12,
                          "age": [65] * 29 + [72] + [40] * 12,
                          "nationality": ["中華民國"] * 42})
    protected = dt.protect(dt.prepare(parts, classes))
    assert protected.totals.text("合計", "其他") == "<3"
    assert protected.groups.text("銀髮族", "其他") == "<3"
    assert protected.senior.text("71-80歲", "其他") == "<3"
    assert protected.ages.text("71-80歲", "其他") == "<3"
    assert protected.nationality.text("中華民國", "其他") == "<3"
    kf = dt.key_figures(dt.prepare(parts, classes), classes, 113)
    assert "其他性別為1" not in kf.sentence(protected)
    assert "其他性別未達3人次" in kf.sentence(protected)
    assert protected.population.leaks() == []


# --------------------------------------------------------------------------- 2. across tables


def test_113_senior_bands_and_all_ages_are_protected_together(data_113):
    prepared, classes = _training(113, data_113)
    bands = dt.senior_age_table(prepared)
    assert bands.loc["71-80歲", ["男", "女"]].tolist() == [1, 15]
    assert bands.loc["80歲以上", ["男", "女"]].tolist() == [2, 11]
    protected = dt.protect(prepared)
    for table in (protected.senior, protected.ages):
        assert table.text("71-80歲", "男") == "<3" and table.text("80歲以上", "男") == "<3"
        assert table.text("71-80歲", "合計") == "*" and table.text("80歲以上", "合計") == "*"
    # The annual report prints the bare table it is handed: it carries the same marks.
    block = band_block(bands, "示例", row_label=dt.SENIOR)
    assert block.frame.loc["人次", ("71-80歲", "男")] == "<3"
    assert block.frame.loc["人次", ("80歲以上", "男")] == "<3"
    assert block.frame.loc["百分比", ("71-80歲", "女")] == "-"
    chart = charts.grouped_bars(bands, title="示例", unit="人次")
    assert "71-80歲" not in chart.alt and "80歲以上" not in chart.alt
    assert "51-60歲" in chart.alt
    assert protected.population.leaks() == []


def test_113_findings_no_longer_pin_a_band_through_its_total(data_113):
    prepared, classes = _training(113, data_113)
    protected = dt.protect(prepared)
    parts, _ = dt.load_year(113, data_113)
    history = dt.yearly_trend(parts.assign(year=113), classes.assign(year=113), [113])
    kf = dt.key_figures(prepared, classes, 113)
    found = dt.findings(kf, dt.senior_age_table(prepared), history, protected=protected)
    assert not [s for s in found if "16人次" in s or "63.01%" in s]
    # What the sentence used to print: 71-80歲 30 … 16人次, and its share 63.01%.
    pop = protected.population
    printed = pop.printed()
    band = pop.key("senior", "71-80歲", TOTAL_COLUMN)
    assert printed[band] == STAR
    leaked = pop.leaks({**printed, band: SHOWN})
    assert {(x["類別"], x["欄"], x["最小"], x["最大"]) for x in leaked} >= {
        ("71-80歲", "男", 1.0, 1.0)}


TOTAL_COLUMN = "合計"


def test_a_printed_share_is_read_as_an_interval():
    # 15 women of a hidden total printed as 93.75% (2 decimals): the total is 16, the man 1.
    pop = Population(3)
    pop.add_facet("f", counts_table({"甲": {"男": 1, "女": 15}, "乙": {"男": 9, "女": 9}}))
    pop.add_table("t", "f", {"甲": ["甲"], "乙": ["乙"]}, total=False)
    assert pop.table("t").marks.loc["甲"].tolist() == [SMALL, SHOWN, SHOWN, STAR]
    assert pop.leaks() == []
    marks = pop.marks()
    pop.add_share(Share(pop.key("t", "甲", "女"), pop.key("t", "甲", "合計"),
                        Decimal("93.75"), 2))
    assert [(x["欄"], x["最小"], x["最大"]) for x in pop.leaks(marks)] == [("男", 1.0, 1.0)]
    # Protected with the share printed, more is hidden until it holds again.
    assert pop.marks()[pop.key("t", "甲", "女")] == STAR
    assert pop.leaks() == []
    # 94% with no decimals allows 15 of 16 only too (15/15 is 100%, 15/17 is 88%)
    pop = Population(3)
    pop.add_facet("f", counts_table({"甲": {"男": 2, "女": 15}}))
    pop.add_table("t", "f", {"甲": ["甲"]}, total=False)
    marks = pop.marks()
    pop.add_share(Share(pop.key("t", "甲", "女"), pop.key("t", "甲", "合計"), Decimal("88"), 0))
    assert [(x["欄"], x["最小"], x["最大"]) for x in pop.leaks(marks)] == [("男", 2.0, 2.0)]


# --------------------------------------------------------------------------- 3. complements


def test_113_staff_19_of_20_at_95_percent_no_longer_prints_the_one_who_did_not(data_113):
    staff = gsdata.load("staff_training", 113, data_113)
    row = st.completion_table(staff, st.GENERAL).iloc[0]
    assert (row["男性完成人數"], row["男性完成比率"]) == (19, 0.95)  # 20 men, one short
    shown = st.protected_counts(staff, st.GENERAL)
    assert shown.marks.loc["總人數"].tolist() == [STAR, STAR, SHOWN, SHOWN]
    cells = st.rate_table(st.completion_table(staff, st.GENERAL), "示例", shown).frame
    assert cells.iloc[0].tolist() == ["完成3小時性別主流化訓練", "38", "95%", "19", "*",
                                      "19", "*"]
    pop = st.population(staff, st.GENERAL)
    assert pop.leaks() == []
    # The rate that used to be printed beside the 19 pins the headcount, so the one man.
    marks = pop.marks()
    pop.add_share(Share(pop.key(st.GENERAL, st.COMPLETED, "男"),
                        pop.key(st.GENERAL, st.HEADCOUNT, "男"), Decimal("95.00"), 2))
    leaked = pop.leaks(marks)  # who did not complete: the man, and so the woman
    assert len(leaked) == 2
    assert {(x["表"], x["最小"], x["最大"]) for x in leaked} == {("（隱含）", 1.0, 1.0)}
    supervisors = st.protected_counts(staff, st.SUPERVISOR)
    assert supervisors.text(st.HEADCOUNT, "男") == "*"
    assert st.population(staff, st.SUPERVISOR).leaks() == []


def test_the_follow_up_list_is_a_count_never_an_employee_number(data_113):
    staff = gsdata.load("staff_training", 113, data_113)
    short = st.shortfall_counts(staff)
    assert short.values.tolist() == [["一般公務人員", 2], ["主管人員", 1]]
    assert list(short.columns) == ["人員類別", "未完成人數"]


# --------------------------------------------------------------------------- 4. row order


def test_112_engineers_rows_are_in_name_order_and_nothing_is_pinned():
    people = gsdata.load("onsite_engineers", 112)
    columns = eng.usable_breakdowns(people, [*eng.DEFAULT_BREAKDOWNS, eng.SENIORITY_COLUMN])
    protected = eng.protect(people, columns)
    jobs = protected["job_category"]
    assert list(jobs.table.index) == ["客服工程師", "專案經理", "系統工程師", "網路工程師",
                                      "資安工程師", "資料庫管理師", "合計"]
    assert jobs.text("資安工程師", "女") == "<3" and jobs.text("資安工程師", "合計") == "*"
    centres = protected["centre"]
    assert list(centres.table.index)[:-1] == sorted(centres.table.index[:-1])
    assert centres.text("系統研發中心", "女") == "<3"
    assert eng.population(people, columns).leaks() == []


def test_113_the_only_engineer_of_gender_other_is_never_one(data_113):
    people = gsdata.load("onsite_engineers", 113, data_113)
    columns = eng.usable_breakdowns(people, [*eng.DEFAULT_BREAKDOWNS, eng.SENIORITY_COLUMN])
    protected = eng.protect(people, columns)
    assert protected[eng.POPULATION].text(eng.POPULATION, "其他") == "<3"
    for column in columns:
        assert protected[column].text("合計", "其他") == "<3"
    assert eng.population(people, columns).leaks() == []


# --------------------------------------------------------------------------- 5. scaffold


def test_the_scaffold_template_prints_protected_counts():
    nb = json.loads((config.PACKAGE_DIR / "templates" / "scaffold" / "template.ipynb")
                    .read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    code = code.replace("{{TITLE}}", "駐點工程師")
    for name, call in (("block", "gs.present.tables.gender_block("),
                       ("chart", "gs.present.charts.stacked_100(")):
        code = code.replace(call, f"{name} = {call}")
    scope: dict = {}
    exec(compile(code, "template", "exec"), scope)  # noqa: S102 - the project's own template
    frame = scope["block"].frame
    assert frame.loc["資料庫管理師", "女性人數"] == "<3"
    assert frame.loc["專案經理", "男性人數"] == "<3"
    assert "資料庫管理師" not in scope["chart"].alt and "專案經理" not in scope["chart"].alt
    assert not [s for s in scope["findings"] if "資料庫管理師" in s or "專案經理" in s]


# --------------------------------------------------------------------------- 6. the year


def test_audit_year_finds_nothing_in_the_sample_years(data_113):
    assert audit_year(112, data_113) == []
    assert audit_year(113, data_113) == []


def test_cross_year_a_trend_row_printing_what_last_year_hid_is_pinned():
    # Last year: 其他 1 printed 「<3」 and the total hidden. A trend row printing the total
    # gives the 1 back (the men and women are printed).
    pop = Population(3)
    pop.add_facet("f", counts_table({"甲": {"男": 40, "女": 50, "其他": 1}}))
    pop.add_table("t", "f", {"甲": ["甲"]}, total=False)
    assert pop.marks()[(WHOLE, "其他")] == SMALL and pop.marks()[(WHOLE, "合計")] == STAR
    assert pop.leaks(pop.printed()) == []
    pop.reveal({(WHOLE, "合計"): SHOWN})
    assert [(x["欄"], x["最小"], x["最大"]) for x in pop.leaks(pop.printed())] == [
        ("其他", 1.0, 1.0)]
    # The trend prints each year's row as that year's page does: nothing to reveal.
    trend = pd.DataFrame({"班數": [3.0], "男": [40.0], "女": [50.0], "其他": [1.0],
                          "合計": [91.0], "男%": [40 / 91], "女%": [50 / 91],
                          "其他%": [1 / 91]}, index=[112])
    view = dt.protected_trend(trend)
    assert [view.text(112, c) for c in ("男", "女", "其他", "合計")] == ["40", "50", "<3", "*"]
    assert dt.trend_record(trend, view).empty


# --------------------------------------------------------------------------- randomised


def _enumerate(pop: Population, marks: dict, cap: int) -> dict:
    """Every value each printed small count takes over all atom vectors (0..cap each) that
    agree with what is printed: independent of the solver, by itertools."""
    n = len(pop._values)
    cells = dict(pop._cells)
    seen: dict = {k: set() for k, c in cells.items() if c.gender and 0 < c.value < 3}
    # 其他 is 0 everywhere and printed so: its atoms stay 0; the men's and women's vary.
    free = [i for i in range(n) if i % 3 != 2]
    grid = np.zeros((( cap + 1) ** len(free), n), dtype=np.int16)
    grid[:, free] = np.array(list(itertools.product(range(cap + 1), repeat=len(free))))
    keep = np.ones(len(grid), dtype=bool)
    sums = {k: grid[:, c.atoms].sum(axis=1) for k, c in cells.items()}
    for k, c in cells.items():
        if marks[k] == SHOWN:
            keep &= sums[k] == c.value
        elif marks[k] == SMALL:
            keep &= (sums[k] >= 1) & (sums[k] <= 2)
    for k in seen:
        seen[k] = set(np.unique(sums[k][keep]).tolist())
    return seen


def test_randomised_small_populations_pin_nothing_by_enumeration():
    """Two target groups × two age bands of men and women (8 atoms), printed as a groups
    table, a bands table and the first group's bands: ≥40 random populations with 1–2
    people in many cells, protected, then every printed small count checked by brute force
    (a search limit only narrows ranges, so an empty answer is a proof)."""
    rng = np.random.default_rng(27)
    checked = small_cells = 0
    for _ in range(40):
        values = rng.choice([0, 1, 1, 2, 2, 3], size=(4, 2))
        keys = [("甲", "a"), ("甲", "b"), ("乙", "a"), ("乙", "b")]
        counts = pd.DataFrame(values, columns=["男", "女"],
                              index=pd.MultiIndex.from_tuples(keys))
        pop = Population(3)
        pop.add_facet("f", counts)
        pop.add_table("groups", "f", {g: [(g, b) for b in "ab"] for g in ("甲", "乙")})
        pop.add_table("bands", "f", {b: [(g, b) for g in ("甲", "乙")] for b in "ab"})
        pop.add_table("first", "f", {b: [("甲", b)] for b in "ab"}, total=False)
        marks = pop.marks()
        seen = _enumerate(pop, marks, cap=4)
        for k, values_seen in seen.items():
            if marks[k] == SMALL:
                assert {1, 2} <= values_seen, (counts, k, marks, values_seen)
            else:
                assert marks[k] == STAR, (counts, k, marks)
                assert 0 in values_seen or max(values_seen) >= 3, (counts, k, values_seen)
            small_cells += 1
        assert pop.leaks() == []
        checked += 1
    assert checked == 40 and small_cells > 100


def test_the_annual_report_prints_the_senior_bands_as_the_topic_page_does(data_113):
    from genderstats.analyses import results_report

    inputs = results_report.load_inputs(113, data_113)
    blocks = results_report.named_blocks(inputs, charts=True)
    annual = blocks["digital-training.senior-age-table"]()
    prepared, _ = _training(113, data_113)
    page = band_block(dt.senior_age_table(prepared), "示例", row_label=dt.SENIOR)
    assert annual.frame.equals(page.frame)
    assert annual.frame.loc["人次", ("71-80歲", "男")] == "<3"
    assert annual.note == page.note != ""
    chart = blocks["digital-training.senior-age-chart"]()
    assert "71-80歲" not in chart.alt and "80歲以上" not in chart.alt
