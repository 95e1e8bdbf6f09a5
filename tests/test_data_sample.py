"""The sample data reproduces every figure of the 112 results report, with invented people."""

from __future__ import annotations

import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest
from source_documents import seed_text

from genderstats import config, data

CENTRES = {"數位策略中心", "資通安全中心", "系統研發中心", "數據治理中心", "數位創新中心"}
DISTRICTS = {"中正區", "大同區", "中山區", "松山區", "大安區", "萬華區", "信義區", "士林區",
             "北投區", "內湖區", "南港區", "文山區"}


def pct(part: int, whole: int, places: int = 0) -> Decimal:
    """Half-up percentage, as the report rounds."""
    q = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(q, rounding=ROUND_HALF_UP)


def counts(frame: pd.DataFrame) -> dict[str, int]:
    c = frame["gender"].value_counts()
    return {g: int(c.get(g, 0)) for g in config.GENDERS}


@pytest.fixture(scope="module")
def members(sample_data: Path) -> pd.DataFrame:
    return data.load("committee_members", 112, sample_data)


def test_sample_years_validate_cleanly(sample_data: Path) -> None:
    for year in range(108, 113):
        assert data.validate_year(year, sample_data) == [], year


def test_task_force_members(members: pd.DataFrame) -> None:
    tf = members[members["committee"] == "性別平等專案小組"]
    assert len(tf) == 17
    assert counts(tf) == {"男": 6, "女": 11, "其他": 0}
    external = tf[tf["affiliation"] == "外聘"]
    assert counts(external) == {"男": 1, "女": 2, "其他": 0}
    assert set(external["role"]) == {"專家學者委員"}
    assert pct(6, 17, 2) == Decimal("35.29")
    assert tf.loc[tf["duty"] == "召集人", "title"].tolist() == ["局長"]
    assert tf.loc[tf["duty"] == "副召集人", "title"].tolist() == ["副局長"]
    assert tf["term"].nunique() == 1


def test_task_force_meetings(members: pd.DataFrame, sample_data: Path) -> None:
    meetings = data.load("task_force_meetings", 112, sample_data)
    assert meetings["meeting_id"].tolist() == ["112-1", "112-2", "112-3"]
    assert meetings["date"].dt.month.iloc[0] == 3
    assert meetings["date"].iloc[1] == pd.Timestamp("2023-08-28")
    assert meetings["date"].iloc[2] == pd.Timestamp("2023-12-13")
    assert meetings["chair"].tolist() == ["首長"] * 3
    assert meetings["members_total"].tolist() == [17, 17, 17]
    assert meetings["members_present"].tolist() == [17, 16, 17]
    assert [pct(p, 17, 2) for p in meetings["members_present"]] == [
        Decimal("100.00"), Decimal("94.12"), Decimal("100.00")]
    tf = members[(members["committee"] == "性別平等專案小組") & (members["affiliation"] == "外聘")]
    roster = dict(zip(tf["name"], tf["gender"], strict=True))
    present = [names.split("、") for names in meetings["experts_present"]]
    assert [len(p) for p in present] == [3, 2, 3]
    assert set(present[0]) == set(present[2]) == set(roster)
    (absent,) = set(roster) - set(present[1])
    assert roster[absent] == "男"


def test_data_governance_committee(members: pd.DataFrame) -> None:
    dg = members[members["committee"] == "資料治理委員會"]
    term2 = dg[dg["term"] == 2]
    assert len(term2) == 35
    internal = term2[term2["affiliation"] == "府內"]
    external = term2[term2["affiliation"] == "外聘"]
    assert counts(internal) == {"男": 11, "女": 6, "其他": 0}
    assert counts(external) == {"男": 10, "女": 8, "其他": 0}
    # The report's shares, women/men, half-up to whole percent.
    assert (pct(14, 35), pct(21, 35)) == (40, 60)
    assert (pct(6, 17), pct(11, 17)) == (35, 65)
    assert (pct(8, 18), pct(10, 18)) == (44, 56)

    def by(column: str) -> dict[str, tuple[int, int]]:
        table = external.groupby(column, observed=True)["gender"].value_counts().unstack()
        table = table.reindex(columns=["男", "女"], fill_value=0).fillna(0).astype(int)
        return {k: (int(r["男"]), int(r["女"])) for k, r in table.iterrows()}

    groups = by("working_group")
    assert groups == {"整合應用組": (1, 6), "空間資訊組": (3, 1), "個資保護組": (3, 1),
                      "開放資料組": (3, 0)}
    assert {g: pct(w, m + w) for g, (m, w) in groups.items()} == {
        "整合應用組": 86, "空間資訊組": 25, "個資保護組": 25, "開放資料組": 0}
    sectors = by("sector")
    assert sectors == {"產業": (2, 5), "學界": (6, 1), "法人": (2, 2)}
    assert {s: pct(w, m + w) for s, (m, w) in sectors.items()} == {
        "產業": 71, "學界": 14, "法人": 50}
    assert pct(6, 7) == 86  # 學界 men

    term1 = dg[dg["term"] == 1]
    assert len(term1) > 0
    assert "開放資料組" not in set(term1["working_group"].dropna())
    assert set(dg["term"]) == {1, 2}


def test_procurement_committee(members: pd.DataFrame) -> None:
    pc = members[members["committee"] == "採購工作及審查小組"]
    assert len(pc) == 16
    assert counts(pc) == {"男": 8, "女": 8, "其他": 0}
    ex_officio, appointed = pc[pc["role"] == "當然委員"], pc[pc["role"] == "派聘委員"]
    assert (len(ex_officio), len(appointed)) == (11, 5)
    assert sorted(ex_officio["title"]) == sorted([
        "副局長", "副局長", "主任秘書", "簡任高級分析師", "專門委員", "秘書室主任",
        "數位策略中心主任", "資通安全中心主任", "系統研發中心主任", "數據治理中心主任",
        "數位創新中心主任",
    ])
    assert sorted(appointed["title"]) == sorted([
        "數據治理中心高級分析師", "數位策略中心股長", "資通安全中心股長", "系統研發中心股長",
        "數位創新中心股長",
    ])
    duties = dict(zip(pc["duty"].dropna(), pc.loc[pc["duty"].notna(), "title"], strict=True))
    assert duties == {"召集人": "副局長", "副召集人": "副局長", "執行秘書": "秘書室主任"}
    deputies = pc[pc["title"] == "副局長"]
    assert deputies["duty"].tolist() == ["召集人", "副召集人"]


def test_onsite_engineers(sample_data: Path) -> None:
    eng = data.load("onsite_engineers", 112, sample_data)
    assert len(eng) == 37
    assert counts(eng) == {"男": 26, "女": 11, "其他": 0}
    share = eng.groupby("job_category")["gender"].apply(lambda g: (g == "女").mean())
    assert (share == 0).any()
    assert ((share > 0) & (share < 1 / 3)).any()
    assert set(eng["centre"]) <= CENTRES
    assert eng["vendor"].notna().all()
    assert (eng["seniority_years"] >= 0).all()


def test_staff_training(sample_data: Path) -> None:
    staff = data.load("staff_training", 112, sample_data)
    general = staff[staff["staff_type"] == "一般公務人員"]
    supervisors = staff[staff["staff_type"] == "主管人員"]
    assert counts(general) == {"男": 59, "女": 53, "其他": 0}
    assert counts(supervisors) == {"男": 13, "女": 11, "其他": 0}
    assert (general["hours"] >= 3).all() and (supervisors["hours"] >= 3).all()
    in_person = int((general["in_person_hours"] >= 1).sum())
    assert in_person == 72
    assert pct(in_person, 112, 2) == Decimal("64.29")


def test_contact_training(sample_data: Path) -> None:
    contacts = data.load("contact_training", 112, sample_data)
    assert contacts["role"].tolist() == ["性平聯絡人", "性平聯絡人"]
    assert contacts[["total_hours", "advanced_hours"]].values.tolist() == [[23, 18], [18, 18]]


def test_training_courses(sample_data: Path) -> None:
    courses = data.load("training_courses", 112, sample_data)
    assert len(courses) == 1
    row = courses.iloc[0]
    assert row["date"] == pd.Timestamp("2023-09-01")
    assert row["title"] == "從 AI 技術看性別化差異"
    assert (row["hours"], row["men"], row["women"], row["other"]) == (3, 38, 35, 0)
    assert row["men"] + row["women"] + row["other"] == 73


def test_gender_budget(sample_data: Path) -> None:
    budget = data.load("gender_budget", 112, sample_data)
    assert sorted(set(budget["year"])) == [112, 113]
    for _, rows in budget.groupby("year"):
        assert dict(zip(rows["item"], rows["amount"], strict=True)) == {
            "數位平權推動相關費用": 5_820_000,
            "專家學者出席費支付有關性別平等相關費用": 22_500,
        }
        assert rows["amount"].sum() == 5_842_500
    assert budget["effect"].iloc[0] == (
        "針對不利處境女性促進數位推動，鼓勵報名數位訓練課程，去除e化性別不平等相關障礙，提升性別平等。")
    assert budget["effect"].iloc[1] == "使本局在業務規劃上，可以研提促進性別平等之建議。"


@pytest.fixture(scope="module")
def training_112(sample_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (data.load("training_classes", 112, sample_data),
            data.load("training_participations", 112, sample_data))


def test_digital_training_totals(training_112: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    classes, parts = training_112
    assert len(classes) == 130
    assert len(parts) == 2676
    assert counts(parts) == {"男": 592, "女": 2084, "其他": 0}
    assert (pct(592, 2676, 2), pct(2084, 2676, 2)) == (Decimal("22.12"), Decimal("77.88"))
    assert classes["date"].dt.year.eq(2023).all()
    assert set(classes["district"]) <= DISTRICTS
    assert classes["hours"].between(1, 3).all()


def test_digital_training_by_group(training_112: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    classes, parts = training_112
    assert classes["target_group"].value_counts().to_dict() == {
        "銀髮族": 121, "婦女專班": 5, "原住民": 2, "新住民": 2, "一般市民": 0}
    seniors = parts[parts["target_group"] == "銀髮族"]
    assert len(seniors) == 2526
    assert counts(seniors) == {"男": 586, "女": 1940, "其他": 0}
    assert pct(1940, 2526) == 77
    table = seniors.groupby(["age_band", "gender"], observed=False).size().unstack()
    assert table.loc[["51-60歲", "61-70歲", "71-80歲", "80歲以上"], ["男", "女", "其他"]] \
        .values.tolist() == [[7, 45, 0], [246, 965, 0], [272, 733, 0], [61, 197, 0]]
    assert table.loc["50歲以下"].sum() == 0
    women_class = parts[parts["target_group"] == "婦女專班"]
    assert counts(women_class) == {"男": 0, "女": 93, "其他": 0}
    others = parts[parts["target_group"].isin(["原住民", "新住民"])]
    assert counts(others) == {"男": 6, "女": 51, "其他": 0}


def test_nationality_has_small_cells(training_112: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, parts = training_112
    by_country = parts["nationality"].value_counts()
    assert by_country.idxmax() == "中華民國"
    assert (by_country <= 2).any()
    assert {"越南", "印尼", "中國大陸", "菲律賓", "泰國"} <= set(by_country.index)
    assert parts["nationality"].isna().sum() > 0
    new_residents = parts[parts["target_group"] == "新住民"]
    assert (new_residents["nationality"] != "中華民國").all()


def test_five_year_trend(sample_data: Path) -> None:
    classes = data.load_years("training_classes", range(108, 113), sample_data)
    parts = data.load_years("training_participations", range(108, 113), sample_data)
    per_year = classes.groupby("year").size().to_dict()
    totals = parts.groupby("year").size().to_dict()
    assert sorted(per_year) == [108, 109, 110, 111, 112]
    assert per_year[108] == 140 and totals[108] == 2900
    assert per_year[111] == 115 and totals[111] == 2300
    assert totals[109] < totals[108] and totals[110] < totals[109]  # COVID years
    women = parts.assign(w=parts["gender"] == "女").groupby("year")["w"].mean()
    assert women.between(0.74, 0.80).all()
    assert women.round(3).nunique() == 5


def test_sample_files_are_as_staff_export_them(sample_data: Path) -> None:
    files = sorted(p.relative_to(sample_data).as_posix() for p in sample_data.rglob("*.*")
                   if p.suffix in data.EXTENSIONS)
    assert [f for f in files if not f.endswith(".csv")] == [
        "112/contact_training.ods", "112/staff_training.xlsx"]
    for name in files:
        if name.endswith(".csv"):
            raw = (sample_data / name).read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf"), name
            assert not re.search(rb"^[A-Za-z_]+,", raw[3:60]), f"{name}: headers in Chinese"
    size = sum((sample_data / f).stat().st_size for f in files)
    assert size < 600_000


def test_generator_is_deterministic_and_committed(tmp_path: Path, sample_data: Path) -> None:
    script = config.PROJECT_ROOT / "scripts" / "make_sample_data.py"
    subprocess.run([sys.executable, str(script), "--out", str(tmp_path / "data")],
                   check=True, capture_output=True)
    made_files = sorted((tmp_path / "data").rglob("*.*"))
    assert len(made_files) == 21
    for made in made_files:
        committed = sample_data / made.relative_to(tmp_path / "data")
        if made.suffix == ".csv":
            assert committed.read_bytes() == made.read_bytes(), committed
        else:
            # Workbook bytes depend on the openpyxl/odfpy version; their content must not.
            read = pd.read_excel
            pd.testing.assert_frame_equal(read(made), read(committed), obj=str(committed))


def _sample_names(sample_data: Path) -> set[str]:
    names = set(data.load("committee_members", 112, sample_data)["name"])
    names |= set(data.load("contact_training", 112, sample_data)["name"])
    names |= set(data.load("training_courses", 112, sample_data)["lecturer"])
    return names


def test_no_name_comes_from_the_source_documents(sample_data: Path) -> None:
    text = seed_text()
    masked = set(re.findall(r"([\u4e00-\u9fff])○([\u4e00-\u9fff])", text))
    for name in _sample_names(sample_data):
        assert name not in text, name
        assert (name[0], name[-1]) not in masked, name
