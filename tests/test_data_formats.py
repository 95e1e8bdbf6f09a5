"""Formats, encodings, header spellings and value vocabularies all load to the same frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from genderstats import config, data

SAMPLE = config.DATA_DIR


def sample_table(dataset: str, year: int = 112) -> pd.DataFrame:
    """A sample file's cells as text, the way a person would retype them elsewhere."""
    path = data.find_file(dataset, year, SAMPLE)
    assert path is not None
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    return frame.replace({r"\.0$": ""}, regex=True)


def as_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as numbers and ROC dates as real dates, as they would sit in Excel cells."""
    out = frame.copy()
    for name in out.columns:
        numeric = pd.to_numeric(out[name], errors="coerce")
        if numeric.notna().all():
            out[name] = numeric
        elif out[name].str.fullmatch(r"1\d\d-\d\d-\d\d").all():
            out[name] = [
                dt.datetime(int(v[:3]) + 1911, int(v[4:6]), int(v[7:9])) for v in out[name]
            ]
    return out.replace({"": None})


def write_variant(frame: pd.DataFrame, folder: Path, stem: str, variant: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if variant == "xlsx":
        path = folder / f"{stem}.xlsx"
        as_spreadsheet(frame).to_excel(path, index=False)
    elif variant == "ods":
        path = folder / f"{stem}.ods"
        as_spreadsheet(frame).to_excel(path, index=False, engine="odf")
    else:
        path = folder / f"{stem}.csv"
        encoding = {"utf8": "utf-8", "bom": "utf-8-sig", "cp950": "cp950"}[variant]
        frame.to_csv(path, index=False, encoding=encoding)
    return path


VARIANTS = ["utf8", "bom", "cp950", "xlsx", "ods"]
DATASETS_TO_ROUND_TRIP = [
    "committee_members", "task_force_meetings", "onsite_engineers", "training_classes",
    "staff_training", "contact_training", "training_courses", "gender_budget",
    "resolutions", "gender_statistics", "impact_assessments",
]


@pytest.mark.parametrize("dataset", DATASETS_TO_ROUND_TRIP)
def test_every_format_and_encoding_gives_the_same_frame(tmp_path: Path, dataset: str) -> None:
    table = sample_table(dataset)
    frames = {}
    for variant in VARIANTS:
        root = tmp_path / variant / "data"
        write_variant(table, root / "112", dataset, variant)
        frames[variant] = data.load(dataset, 112, root)
    reference = data.load(dataset, 112, SAMPLE)
    for variant, frame in frames.items():
        pdt.assert_frame_equal(frame, reference, obj=f"{dataset} as {variant}")


def test_participations_in_every_format(tmp_path: Path) -> None:
    classes = sample_table("training_classes")
    parts = sample_table("training_participations").head(400)
    reference = None
    for variant in VARIANTS:
        root = tmp_path / variant / "data"
        write_variant(classes, root / "112", "training_classes", "bom")
        write_variant(parts, root / "112", "training_participations", variant)
        frame = data.load("training_participations", 112, root)
        if reference is None:
            reference = frame
        pdt.assert_frame_equal(frame, reference, obj=f"participations as {variant}")


def test_dtypes_follow_the_contract() -> None:
    members = data.load("committee_members", 112, SAMPLE)
    assert list(members.columns) == data.DATASETS["committee_members"].names
    assert members["gender"].dtype == pd.CategoricalDtype(["男", "女", "其他"])
    assert list(members["gender"].cat.categories) == list(config.GENDERS)
    assert members["term"].dtype == "Int64"
    parts = data.load("training_participations", 112, SAMPLE)
    assert parts["age_band"].dtype == data.AGE_BAND_DTYPE
    assert parts["age_band"].cat.ordered
    assert parts["target_group"].dtype.name == "category"
    meetings = data.load("task_force_meetings", 112, SAMPLE)
    assert meetings["members_total"].dtype == np.int64
    assert meetings["date"].dtype == "datetime64[ns]"
    courses = data.load("training_courses", 112, SAMPLE)
    assert courses["other"].dtype == np.int64


def test_header_aliases_case_spaces_and_full_width(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "training_classes.csv").write_text(
        " Class ID ,上課日期, TARGET_group ,時數（小時）,備註\n"
        "Ｄ１１２－００１,2023/3/5,高齡,２,不需要的欄\n"
        "D112-002 ,民國112年4月1日,婦女,1.5,\n",
        encoding="utf-8",
    )
    (root / "112" / "training_participations.csv").write_text(
        "班次,GENDER,Age,國籍\nＤ１１２－００１,男性,６１,中華民國\nD112－002, female ,45,\n"
        "D112-002,X,80,越南\n",
        encoding="utf-8",
    )
    classes = data.load("training_classes", 112, root)
    assert list(classes["class_id"]) == ["D112-001", "D112-002"]
    assert list(classes["target_group"]) == ["銀髮族", "婦女專班"]
    assert list(classes["date"]) == [pd.Timestamp("2023-03-05"), pd.Timestamp("2023-04-01")]
    assert list(classes["hours"]) == [2.0, 1.5]
    assert "備註" not in classes.columns
    parts = data.load("training_participations", 112, root)
    assert list(parts["class_id"]) == ["D112-001", "D112-002", "D112-002"]
    assert list(parts["gender"]) == ["男", "女", "其他"]
    assert list(parts["age"]) == [61, 45, 80]
    assert list(parts["age_band"]) == ["61-70歲", "50歲以下", "71-80歲"]
    assert parts["nationality"].isna().tolist() == [False, True, False]  # not assumed
    assert list(parts["target_group"]) == ["銀髮族", "婦女專班", "婦女專班"]  # from the class


def test_english_headers(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "committee_members.csv").write_text(
        "Committee,Term,Name,Gender,Affiliation,Working Group,Sector\n"
        "資料治理委員會,2,王大明,M,內聘,,政府\n資料治理委員會,2,李小華,F,外部,開放資料組,業界\n",
        encoding="utf-8",
    )
    members = data.load("committee_members", 112, root)
    assert list(members["affiliation"]) == ["府內", "外聘"]
    assert list(members["sector"]) == ["政府機關", "產業"]
    assert list(members["gender"]) == ["男", "女"]


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("男", "男"), ("女", "女"), ("其他", "其他"), ("男性", "男"), ("女性", "女"),
        ("男生", "男"), ("女生", "女"), ("M", "男"), ("f", "女"), ("x", "其他"),
        ("Male", "男"), ("FEMALE", "女"), ("other", "其他"), ("其它", "其他"),
        (" 男 ", "男"), ("ｍａｌｅ", "男"), ("Fe male", "女"),
    ],
)
def test_gender_vocabulary(spelling: str, expected: str) -> None:
    result = data.normalize_gender(pd.Series([spelling, None]))
    assert result.iloc[0] == expected
    assert pd.isna(result.iloc[1])
    assert list(result.cat.categories) == ["男", "女", "其他"]


@pytest.mark.parametrize("spelling", ["Q", "1", "2", "不詳", "未知", "男女", "mf"])
def test_gender_vocabulary_rejects(spelling: str) -> None:
    with pytest.raises(data.DataError):
        data.normalize_gender(pd.Series([spelling]))


def test_age_band() -> None:
    ages = pd.Series([0, 50, 51, 60, 61, 70, 71, 80, 81, 120, None], index=range(10, 21))
    bands = data.age_band(ages)
    assert bands.tolist()[:-1] == [
        "50歲以下", "50歲以下", "51-60歲", "51-60歲", "61-70歲", "61-70歲", "71-80歲",
        "71-80歲", "80歲以上", "80歲以上",
    ]
    assert pd.isna(bands.iloc[-1])
    assert list(bands.index) == list(ages.index)
    assert bands.dtype == data.AGE_BAND_DTYPE
    assert data.AGE_BANDS == ("50歲以下", "51-60歲", "61-70歲", "71-80歲", "80歲以上")


def test_typed_age_bands(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "training_classes.csv").write_text(
        "班次代碼,日期,對象,時數\nA,112-01-05,銀髮族,2\n", encoding="utf-8")
    (root / "112" / "training_participations.csv").write_text(
        "班次代碼,性別,年齡區間\nA,女,61-70\nA,男,61~70歲\nA,女,80以上\nA,女,50歲以下\n"
        "A,男,71－80歲\nA,女,\n",
        encoding="utf-8",
    )
    parts = data.load("training_participations", 112, root)
    assert parts["age_band"].tolist()[:5] == ["61-70歲", "61-70歲", "80歲以上", "50歲以下",
                                              "71-80歲"]
    assert pd.isna(parts["age_band"].iloc[5])
    assert parts["age"].isna().all()


def test_age_overrides_typed_band(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "training_classes.csv").write_text(
        "班次代碼,日期,對象,時數\nA,112-01-05,銀髮族,2\n", encoding="utf-8")
    (root / "112" / "training_participations.csv").write_text(
        "班次代碼,性別,年齡,年齡區間\nA,女,65,71-80\nA,男,,80以上\n", encoding="utf-8")
    parts = data.load("training_participations", 112, root)
    assert parts["age_band"].tolist() == ["61-70歲", "80歲以上"]


def test_year_accepts_roc_and_ad() -> None:
    pdt.assert_frame_equal(data.load("onsite_engineers", 2023), data.load("onsite_engineers", 112))
    assert data.find_file("onsite_engineers", "112年") == SAMPLE / "112" / "onsite_engineers.csv"


def test_find_file_and_load_optional(tmp_path: Path) -> None:
    assert data.find_file("committee_members", 111, SAMPLE) is None
    assert data.load_optional("committee_members", 111, SAMPLE) is None
    assert data.find_file("staff_training", 112, SAMPLE) == SAMPLE / "112" / "staff_training.xlsx"
    assert data.load_optional("staff_training", 112, SAMPLE) is not None
    with pytest.raises(KeyError, match="沒有名為「staff」的資料集"):
        data.find_file("staff", 112, SAMPLE)


def test_load_years_skips_missing_years(tmp_path: Path) -> None:
    classes = data.load_years("training_classes", [107, 108, 110, 112, 113], SAMPLE)
    assert classes.columns[0] == "year"
    assert classes["year"].dtype == np.int64
    assert sorted(classes["year"].unique()) == [108, 110, 112]
    assert (classes["year"] == 112).sum() == 130
    assert classes["target_group"].dtype.name == "category"
    members = data.load_years("committee_members", [2019, 2023], SAMPLE)
    assert set(members["year"]) == {112}
    empty = data.load_years("committee_members", [100, 101], SAMPLE)
    assert empty.empty
    assert list(empty.columns) == ["year", *data.DATASETS["committee_members"].names]
    budget = data.load_years("gender_budget", [112], SAMPLE)
    assert list(budget.columns[:2]) == ["data_year", "year"]
    assert set(budget["year"]) == {112, 113}


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "onsite_engineers.csv").write_text(
        "職別,性別\n系統工程師,男\n\n,\n網路工程師,Q\n", encoding="utf-8")
    with pytest.raises(data.DataError) as info:
        data.load("onsite_engineers", 112, root)
    assert info.value.problems[0].row == 5
    (root / "112" / "onsite_engineers.csv").write_text(
        "職別,性別\n系統工程師,男\n\n,\n網路工程師,女\n", encoding="utf-8")
    assert len(data.load("onsite_engineers", 112, root)) == 2


def test_semicolon_and_tab_separated(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    path = root / "112" / "onsite_engineers.csv"
    path.write_text("職別\t性別\n系統工程師\t男\n", encoding="utf-16")
    assert data.load("onsite_engineers", 112, root)["gender"].tolist() == ["男"]
    path.write_text("職別;性別\n系統工程師;女\n", encoding="utf-8")
    assert data.load("onsite_engineers", 112, root)["gender"].tolist() == ["女"]


def test_empty_data_dir_argument_means_project_data() -> None:
    assert data.find_file("onsite_engineers", 112, "") == SAMPLE / "112" / "onsite_engineers.csv"


def test_registry_titles_and_headers_are_unambiguous() -> None:
    assert {k: v.title for k, v in data.DATASETS.items()} == {
        "committee_members": "委員名單",
        "task_force_meetings": "性平小組會議",
        "onsite_engineers": "駐點工程師",
        "training_classes": "數位訓練班次",
        "training_participations": "數位訓練參訓紀錄",
        "staff_training": "性別主流化訓練",
        "contact_training": "性平聯絡人培力時數",
        "training_courses": "自辦訓練",
        "gender_budget": "性別預算",
        "resolutions": "決議事項追蹤",
        "gender_statistics": "性別統計清冊",
        "impact_assessments": "性別影響評估",
        "course_evaluations": "課程滿意度問卷",
    }
    from genderstats.data.specs import header_key

    for spec in data.DATASETS.values():
        seen: dict[str, str] = {}
        for column in spec.columns:
            for header in column.accepted_headers:
                key = header_key(header)
                assert seen.setdefault(key, column.name) == column.name, (spec.stem, header)
                assert spec.match_header(header) == column.name


def test_rows_shorter_or_longer_than_the_header(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    (root / "112" / "onsite_engineers.csv").write_text(
        "性別,職別,科室,廠商\n男,系統工程師\n女,網路工程師,資通安全中心,某公司,多出來的\n",
        encoding="utf-8")
    eng = data.load("onsite_engineers", 112, root)
    assert eng["vendor"].isna().tolist() == [True, False]
    assert eng["centre"].tolist()[1] == "資通安全中心"


def test_text_na_in_a_workbook_stays_text(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "112").mkdir(parents=True)
    pd.DataFrame({"職別": ["NA", "系統工程師"], "性別": ["男", "女"], "廠商": ["N/A", None]}) \
        .to_excel(root / "112" / "onsite_engineers.xlsx", index=False)
    eng = data.load("onsite_engineers", 112, root)
    assert eng["job_category"].tolist() == ["NA", "系統工程師"]
    assert eng["vendor"].tolist()[0] == "N/A" and pd.isna(eng["vendor"].iloc[1])


def test_reads_and_lookups_are_reported_to_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from genderstats.data import folders, loader, validation

    read: list[Path] = []
    used: list[Path] = []
    looked: list[Path] = []
    monkeypatch.setattr(loader, "record_input", lambda p: read.append(Path(p)))
    for module in (folders, validation):
        monkeypatch.setattr(module, "record_lookup", lambda d: looked.append(Path(d)))

    def emit(mime: str, payload: dict[str, list[str]]) -> None:  # the known names' record
        used.extend(Path(p) for p in payload["uses"])
        looked.extend(Path(d) for d in payload["dirs"])

    monkeypatch.setattr(loader, "emit", emit)
    data.load("training_participations", 112, SAMPLE)
    assert set(read) == {SAMPLE / "112" / "training_participations.csv",
                         SAMPLE / "112" / "training_classes.csv"}
    # The rosters are used, not sources: their names are masked in the file's free text.
    rosters = ["committee_members.csv", "task_force_meetings.csv", "contact_training.ods",
               "training_courses.csv", "impact_assessments.csv"]
    assert set(used) == {SAMPLE / "112" / f for f in rosters}
    assert set(looked) == {SAMPLE / str(y) for y in range(108, 113)}
    read.clear()
    looked.clear()
    data.load_years("training_classes", [107, 108], SAMPLE)
    assert sorted(set(looked)) == [SAMPLE / "107", SAMPLE / "108"]  # the missing year too
    assert read == [SAMPLE / "108" / "training_classes.csv"]
    looked.clear()
    data.validate_year(113, SAMPLE)
    assert looked == [SAMPLE / "113"]
