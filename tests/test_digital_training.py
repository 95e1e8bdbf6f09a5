"""Digital training: the seed's figures, the senior learners' table, nationality protection,
and the yearly trend with a missing year shown as missing."""

from __future__ import annotations

import itertools
import shutil
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import indicator, run_notebook

from genderstats import config, privacy
from genderstats.analyses import digital_training as dt
from genderstats.present.tables import gender_block
from genderstats.stats import counts_table

REPORT = "digital-training"
NOTEBOOK = config.NOTEBOOKS_DIR / "digital_training.ipynb"


# ------------------------------------------------------------------ helpers


class _Tables(HTMLParser):
    """Captions and cell texts of every table, and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = "".join(self._caption)
            self._caption = None
        elif tag in ("th", "td") and self._cell is not None:
            self.tables[-1]["rows"][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._skip:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def parse(page: str) -> _Tables:
    p = _Tables()
    p.feed(page)
    return p


def table_with(parsed: _Tables, caption_part: str) -> list[list[str]]:
    """The rows of the one table whose caption is (else contains) ``caption_part``.

    A chart's 查看數據 table repeats its chart's title with 「（數據）」: an exact caption wins.
    Foot notes (「註：…」 rows) are not data rows.
    """
    found = [t for t in parsed.tables if t["caption"] == caption_part] or \
        [t for t in parsed.tables if caption_part in t["caption"]]
    assert len(found) == 1, [t["caption"] for t in parsed.tables]
    return [r for r in found[0]["rows"] if not (r and r[0].startswith("註："))]


def frames(rows: list[tuple[str, str, str, int, str]], groups: dict[str, str]):
    """(participations, classes) from (class_id, gender, age-or-'', count, nationality)."""
    classes = pd.DataFrame({"class_id": list(groups), "target_group": list(groups.values())})
    records = []
    for class_id, gender, age, n, nationality in rows:
        records += [{"class_id": class_id, "gender": gender,
                     "age": pd.NA if age == "" else int(age),
                     "nationality": nationality or None}] * n
    parts = pd.DataFrame(records).astype({"age": "Int64"})
    return parts, classes


def recoverable_by_enumeration(table: pd.DataFrame, hidden: pd.DataFrame, threshold: int):
    """Hidden 「<n」 cells that take a single value in every table matching what is shown.

    Independent of the package's reasoning: tries every value of every hidden count
    (「<n」 is 1..n-1, a 「*」 count is n or more), keeps the tables whose row and column
    sums agree with the shown cells, and reports the small cells left with one value.
    """
    genders = ["男", "女", "其他"]
    cols = [*genders, "合計"]
    keys = list(table.index)
    body = [k for k in keys if k != "合計"]
    val = {(k, c): int(table.loc[k, c]) for k in keys for c in cols}
    grand = val[("合計", "合計")]

    def values_of(k, g):
        if 0 < val[(k, g)] < threshold:
            return range(1, threshold)
        hi = grand
        if not hidden.loc[k, "合計"]:
            hi = min(hi, val[(k, "合計")])
        if not hidden.loc["合計", g]:
            hi = min(hi, val[("合計", g)])
        return range(threshold, hi + 1)

    options = []
    for k in keys:
        cells = [g for g in genders if hidden.loc[k, g]]
        rows = []
        for combo in itertools.product(*(values_of(k, g) for g in cells)):
            row = {g: val[(k, g)] for g in genders} | dict(zip(cells, combo, strict=True))
            row["合計"] = sum(row[g] for g in genders)
            if hidden.loc[k, "合計"] or row["合計"] == val[(k, "合計")]:
                rows.append(row)
        options.append(rows)
    small = [(k, g) for k in keys for g in genders
             if hidden.loc[k, g] and 0 < val[(k, g)] < threshold]
    seen: dict[tuple, set] = {c: set() for c in small}
    for rows in itertools.product(*options):
        t = dict(zip(keys, rows, strict=True))
        if all(sum(t[k][c] for k in body) == t["合計"][c] for c in cols):
            for k, g in small:
                seen[(k, g)].add(t[k][g])
    assert all(seen.values()), "the true table must be among the solutions"
    return {c for c, vals in seen.items() if len(vals) == 1}


# ------------------------------------------------------------------ units


def test_prepare_takes_the_group_from_the_class_and_keeps_blanks_as_unknown():
    parts, classes = frames(
        [("A", "女", 65, 2, "中華民國"), ("A", "男", "", 1, ""), ("B", "女", 40, 1, "越南")],
        {"A": "銀髮族", "B": "婦女專班"})
    prepared = dt.prepare(parts, classes)
    assert prepared["group"].tolist() == ["銀髮族", "銀髮族", "銀髮族", "婦女專班"]
    assert prepared["age_band"].tolist() == ["61-70歲", "61-70歲", "未填", "50歲以下"]
    assert prepared["nationality"].tolist() == ["中華民國", "中華民國", "未填", "越南"]
    assert all(isinstance(prepared[c].dtype, pd.CategoricalDtype) for c in prepared.columns)


def test_prepare_rejects_a_class_id_missing_from_the_classes():
    parts, classes = frames([("Z", "女", 65, 1, "中華民國")], {"A": "銀髮族"})
    with pytest.raises(ValueError, match="Z"):
        dt.prepare(parts, classes)


def test_key_figures_count_classes_participations_seniors_and_women_only_classes():
    parts, classes = frames(
        [("A", "男", 60, 1, "中華民國"), ("A", "女", 70, 3, "中華民國"),
         ("B", "女", 80, 1, "中華民國"), ("C", "女", 35, 2, "越南"), ("D", "男", 30, 1, "")],
        {"A": "銀髮族", "B": "銀髮族", "C": "婦女專班", "D": "新住民", "E": "銀髮族"})
    kf = dt.key_figures(dt.prepare(parts, classes), classes, 112)
    assert (kf.classes, kf.participations, kf.men, kf.women, kf.other) == (5, 8, 2, 6, 0)
    assert (kf.senior_classes, kf.senior_participations, kf.senior_women) == (3, 5, 4)
    assert (kf.women_only_classes, kf.women_only_participations) == (1, 2)
    assert kf.summary() == "5班、8人次，女性75.00%"
    assert kf.senior_sentence().endswith("112年高齡女性參與數位課程佔80%")
    assert kf.sentence() == ("112年總計開班5班，參訓人次為8人次，男性為2人次（25.00%），"
                             "女性為6人次（75.00%）")


def test_key_figures_of_the_seed_sentence():
    kf = dt.KeyFigures(112, 130, 2676, 592, 2084, 0, 121, 2526, 1940, 5, 93)
    assert kf.sentence() == ("112年總計開班130班，參訓人次為2,676人次，男性為592人次（22.12%），"
                             "女性為2,084人次（77.88%）")
    assert kf.summary() == "130班、2,676人次，女性77.88%"
    assert "112年高齡女性參與數位課程佔77%" in kf.senior_sentence()
    assert kf.women_only_sentence().endswith("5班，總計93人次")


def test_senior_table_has_the_seed_bands_and_counts_only_senior_classes():
    parts, classes = frames(
        [("A", "男", 55, 1, "中華民國"), ("A", "女", 82, 2, "中華民國"),
         ("A", "女", 45, 1, "中華民國"), ("A", "女", "", 1, "中華民國"),
         ("B", "男", 66, 5, "中華民國")],
        {"A": "銀髮族", "B": "原住民"})
    prepared = dt.prepare(parts, classes)
    table = dt.senior_age_table(prepared)
    assert list(table.index) == ["51-60歲", "61-70歲", "71-80歲", "80歲以上"]
    assert table["男"].tolist() == [1, 0, 0, 0]  # the 原住民 class's 66-year-olds are not here
    assert table["女"].tolist() == [0, 0, 0, 2]
    assert dt.seniors_outside_bands(prepared) == {"50歲以下": 1, "未填": 1}
    assert dt.outside_bands_sentence({"50歲以下": 1, "未填": 1}) == (
        "註：另有銀髮族班次參訓者50歲以下1人次、年齡未填1人次，未列入上表。")


def test_target_group_table_puts_classes_beside_participations_and_drops_empty_groups():
    parts, classes = frames(
        [("A", "男", 60, 1, "中華民國"), ("A", "女", 70, 3, "中華民國"),
         ("C", "女", 35, 2, "中華民國")],
        {"A": "銀髮族", "B": "銀髮族", "C": "婦女專班", "D": "原住民"})
    table = dt.target_group_table(dt.prepare(parts, classes), classes)
    assert list(table.index) == ["銀髮族", "原住民", "婦女專班", "合計"]  # no 新住民, no 一般市民
    assert table["班數"].tolist() == [2, 1, 1, 4]
    assert table["合計"].tolist() == [4, 0, 2, 6]
    assert table.loc["合計", "女"] == 5


def test_nationality_table_orders_domestic_first_others_by_name_and_unknown_last():
    # By name, not by size: 越南 (3) after 日本 (1), so the order tells nothing of the counts.
    parts, classes = frames(
        [("A", "女", 60, 1, "日本"), ("A", "女", 60, 2, ""), ("A", "男", 60, 3, "越南"),
         ("A", "女", 60, 5, "中華民國")], {"A": "銀髮族"})
    table = dt.nationality_table(dt.prepare(parts, classes))
    assert list(table.index) == ["中華民國", "日本", "越南", "未填", "合計"]


def test_a_small_nationality_cell_and_its_secondary_cell_are_hidden():
    table = counts_table({"中華民國": {"男": 40, "女": 50}, "印尼": {"男": 1, "女": 5},
                          "越南": {"男": 4, "女": 11}}, total=True)
    hidden = privacy.suppression_marks(table, 3)
    assert hidden.loc["印尼", "男"] == "<"        # 1 < 3
    assert hidden.loc["印尼", "合計"] == "*"      # else 6 − 5 gives it away
    assert (hidden.loc["越南"] != "").any()       # else the 男 column: 45 − 40 − 4
    assert not (hidden.loc["中華民國"] != "").any()
    html = gender_block(table, "示例", index_label="國籍", count_label="人次",
                        protected=privacy.ProtectedTable(table, hidden, 3))
    row = html.frame.loc["印尼"]
    assert (row["男性人次"], row["女性人次"], row["總人次"]) == ("<3", "5", "*")
    assert (row["男性比例"], row["女性比例"]) == ("-", "-")
    assert "「&lt;3」表示人次未達3" in html.html and "「*」表示" in html.html
    assert not privacy.recoverable_cells(table, hidden, 3).to_numpy().any()


def test_two_hidden_ones_in_a_row_of_two_also_hide_the_row_total():
    # 男 1 and 女 1 both print 「<3」; a visible 合計 2 would show both are 1.
    table = counts_table({"甲": {"男": 30, "女": 40}, "日本": {"男": 1, "女": 1},
                          "乙": {"男": 5, "女": 7}}, total=True)
    hidden = privacy.suppression_marks(table, 3)
    assert hidden.loc["日本", "合計"] == "*"
    assert not privacy.recoverable_cells(table, hidden, 3).to_numpy().any()
    assert recoverable_by_enumeration(table, hidden != "", 3) == set()


@pytest.mark.parametrize("seed", range(12))
def test_no_small_count_can_be_worked_out_from_a_protected_table(seed):
    rng = np.random.default_rng(seed)
    rows = {f"國{i}": {"男": int(rng.choice([0, 1, 2, 3, 5])), "女": int(rng.choice([0, 1, 2, 4]))}
            for i in range(3)}
    table = counts_table(rows, total=True)
    marks = privacy.suppression_marks(table, 3)
    assert not privacy.recoverable_cells(table, marks, 3).to_numpy().any()
    small = (table[["男", "女"]] > 0) & (table[["男", "女"]] < 3)
    assert (marks[["男", "女"]] != "")[small].fillna(True).all().all()


def test_issue_13_nationalities_are_recoded_and_the_domestic_split_stays():
    parts, classes = frames(
        [("A", g, 60, n, nat) for nat, counts in {
            "中華民國": (47, 34, 1), "越南": (5, 0, 4), "印尼": (4, 0, 3), "日本": (5, 0, 1),
            "泰國": (2, 0, 0), "緬甸": (2, 3, 2)}.items()
         for g, n in zip(("男", "女", "其他"), counts, strict=True) if n],
        {"A": "銀髮族"})
    table = dt.nationality_table(dt.prepare(parts, classes), recode_below=10)
    assert list(table.index) == ["中華民國", "其他國籍", "合計"]
    marks = privacy.suppression_marks(table, 3)
    html = gender_block(table, "示例", index_label="國籍", count_label="人次",
                        protected=privacy.ProtectedTable(table, marks, 3))
    row = html.frame.loc["中華民國"]
    assert (row["男性人次"], row["女性人次"], row["其他性別人次"]) == ("47", "34", "<3")
    assert not privacy.recoverable_cells(table, marks, 3).to_numpy().any()


def test_suppression_off_hides_nothing():
    table = counts_table({"日本": {"男": 1, "女": 1}}, total=True)
    assert not privacy.suppression_mask(table, 0).to_numpy().any()


def test_recorded_nationality_rows_never_hold_a_hidden_cell():
    table = counts_table({"中華民國": {"男": 40, "女": 50}, "印尼": {"男": 1, "女": 5},
                          "越南": {"男": 4, "女": 11}, "泰國": {"男": 0, "女": 3}}, total=True)
    hidden = privacy.suppression_mask(table, 3)
    rec = dt.record_safe_table(table, hidden)
    assert list(rec.index) == ["中華民國", "含隱藏格之國籍合併", "合計"]
    for key in rec.index[:-2]:
        assert not hidden.loc[key].any()
    merged = rec.loc["含隱藏格之國籍合併"]
    assert (merged["男"], merged["女"], merged["合計"]) == (5, 19, 24)  # 印尼 + 越南 + 泰國
    # what the page shows in full gives the merged row, so it reveals nothing new
    shown = table.loc[["中華民國"], ["男", "女", "合計"]].sum()
    assert (table.loc["合計", ["男", "女", "合計"]] - shown).tolist() == [5, 19, 24]


def test_recorded_nationality_rows_without_total_when_the_total_row_is_hidden():
    table = counts_table({"甲": {"男": 5, "女": 5, "其他": 1}, "乙": {"男": 4, "女": 4}},
                         total=True)
    hidden = privacy.suppression_mask(table, 3)
    assert hidden.loc["合計", "其他"]
    rec = dt.record_safe_table(table, hidden)
    assert "合計" not in rec.index and "含隱藏格之國籍合併" not in rec.index


def _history(missing: int | None = None):
    counts = {108: (688, 2212, 140), 109: (378, 1472, 95), 110: (262, 1038, 70),
              111: (513, 1787, 115), 112: (592, 2084, 130)}
    parts, classes = [], []
    for y, (m, w, c) in counts.items():
        if y == missing:
            continue
        parts.append(pd.DataFrame({"year": y, "gender": ["男"] * m + ["女"] * w}))
        classes.append(pd.DataFrame({"year": y, "class_id": [f"{y}-{i}" for i in range(c)]}))
    return pd.concat(parts, ignore_index=True), pd.concat(classes, ignore_index=True)


def test_trend_years():
    assert dt.trend_years(112, 5) == [108, 109, 110, 111, 112]
    assert dt.trend_years(2023, 2) == [2022, 2023]
    with pytest.raises(ValueError):
        dt.trend_years(112, 0)


def test_yearly_trend_counts_classes_participations_and_changes():
    parts, classes = _history()
    t = dt.yearly_trend(parts, classes, dt.trend_years(112, 5))
    assert t.loc[112, ["班數", "男", "女", "合計"]].tolist() == [130, 592, 2084, 2676]
    assert round(float(t.loc[112, "女%變化"]), 4) == 0.1818
    display = dt.trend_display(t).set_index("年度")
    assert display.loc["112年", "女性比例"] == "77.88%"
    assert display.loc["112年", "女性比例增減"] == "+0.18"
    assert display.loc["111年", "女性比例增減"] == "-2.15"
    assert display.loc["108年", "女性比例增減"] == "-"
    assert dt.trend_record(t).loc["110年", "合計"] == 1300


def test_a_missing_year_is_missing_not_zero():
    parts, classes = _history(missing=110)
    t = dt.yearly_trend(parts, classes, dt.trend_years(112, 5))
    assert t.loc[110].isna().all()
    assert pd.isna(t.loc[111, "女%變化"]) and pd.isna(t.loc[111, "男%變化"])
    row = dt.trend_display(t).set_index("年度").loc["110年"]
    assert set(row) == {"無資料"}
    assert dt.trend_display(t).set_index("年度").loc["111年", "女性比例增減"] == "-"
    assert "110年" not in dt.trend_record(t).index
    found = dt.findings(dt.KeyFigures(112, 130, 2676, 592, 2084, 0, 121, 2526, 1940, 5, 93),
                        pd.DataFrame(columns=["男", "女", "其他", "合計", "女%"]), t)
    assert "110年無參訓資料，趨勢表與圖中標示為「無資料」" in found


def test_findings_read_the_seed_numbers():
    bands = counts_table({"51-60歲": {"男": 7, "女": 45}, "61-70歲": {"男": 246, "女": 965},
                          "71-80歲": {"男": 272, "女": 733}, "80歲以上": {"男": 61, "女": 197}})
    parts, classes = _history()
    t = dt.yearly_trend(parts, classes, dt.trend_years(112, 5))
    kf = dt.KeyFigures(112, 130, 2676, 592, 2084, 0, 121, 2526, 1940, 5, 93)
    found = dt.findings(kf, bands, t)
    assert any(s.startswith("課程統計數據中，61-70歲區間（1,211人次）及71-80歲區間（1,005人次）")
               for s in found)
    assert "112年男性參訓人次佔22.12%，較111年減少0.18個百分點" in found
    assert "112年參訓人次較111年增加376人次（16.35%），開班數增加15班" in found
    assert "銀髮族各年齡區間皆為女多於男，女性比例以51-60歲最高（87%）、71-80歲最低（73%）" in found


def test_band_findings_name_the_bands_where_men_are_more_or_equal():
    bands = counts_table({"51-60歲": {"男": 1, "女": 4}, "61-70歲": {"男": 5, "女": 2},
                          "71-80歲": {"男": 3, "女": 3}, "80歲以上": {"男": 0, "女": 0}})
    parts, classes = _history()
    kf = dt.KeyFigures(112, 3, 18, 9, 9, 0, 3, 18, 9, 0, 0)
    found = dt.findings(kf, bands, dt.yearly_trend(parts, classes, [111, 112]))
    assert "銀髮族各年齡區間中，51-60歲女多於男，61-70歲男多於女，71-80歲男女人次相同" in found
    assert any(s.startswith("課程統計數據中，61-70歲區間（7人次）及71-80歲區間（6人次）")
               and s.endswith("合計佔銀髮族各年齡區間參訓人次的72.22%") for s in found)
    assert "112年未開設婦女專班" in found


def test_nationality_sentence_uses_only_shown_cells():
    table = counts_table({"中華民國": {"男": 40, "女": 50}, "越南": {"男": 4, "女": 11},
                          "未填": {"男": 3, "女": 3}}, total=True)
    hidden = privacy.suppression_mask(table, 3)
    assert dt.nationality_sentence(table, hidden) == (
        "國籍為中華民國以外者共15人次（13.51%），國籍未填者6人次")
    hidden.loc["未填", "合計"] = True
    assert dt.nationality_sentence(table, hidden).startswith("國籍為中華民國以外或未填者共21人次")


# ------------------------------------------------------------------ sample year


def _page(sample_build) -> str:
    return (sample_build["out"] / f"{REPORT}.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_recorded_figures_are_the_seeds(sample_indicators):
    def count(table, category, gender):
        return int(indicator(sample_indicators, REPORT, table, category, gender)["count"])

    groups = "參訓人次（依開班對象）"
    assert [count(groups, "合計", g) for g in ("男", "女", "合計")] == [592, 2084, 2676]
    assert count(groups, "銀髮族", "合計") == 2526 and count(groups, "銀髮族", "女") == 1940
    assert count(groups, "婦女專班", "合計") == 93
    bands = "銀髮族各年齡區間參訓人次"
    got = [count(bands, b, g) for b in ("51-60歲", "61-70歲", "71-80歲", "80歲以上")
           for g in ("男", "女", "其他")]
    assert got == [7, 45, 0, 246, 965, 0, 272, 733, 0, 61, 197, 0]
    trend = "歷年參訓人次"
    assert [count(trend, f"{y}年", "合計") for y in range(108, 113)] == [
        2900, 1850, 1300, 2300, 2676]


@pytest.mark.slow
def test_recorded_nationality_rows_are_the_rows_the_page_shows_in_full(sample_build,
                                                                      sample_indicators):
    name = "參訓人次（依國籍，含隱藏格之國籍合併）"
    rows = [r for r in sample_indicators if r["report"] == REPORT and r["table"] == name]
    categories = {r["category"] for r in rows}
    shown = {r[0]: r for r in table_with(parse(_page(sample_build)), "依國籍")[1:]}
    for category in categories - {"含隱藏格之國籍合併"}:
        assert not {"<3", "*"} & set(shown[category]), category
    for hidden_row in ("日本", "緬甸", "印尼"):
        assert hidden_row not in categories
    merged = {r["gender"]: int(r["count"]) for r in rows if r["category"] == "含隱藏格之國籍合併"}
    total = {r["gender"]: int(r["count"]) for r in rows if r["category"] == "合計"}
    full = [c for c in categories if c not in ("含隱藏格之國籍合併", "合計")]
    for g in ("男", "女", "合計"):
        rest = sum(int(r["count"]) for r in rows if r["category"] in full and r["gender"] == g)
        assert merged[g] == total[g] - rest


@pytest.mark.slow
def test_page_shows_the_seed_figures_and_the_age_table(sample_build, sample_manifest):
    parsed = parse(_page(sample_build))
    text = "".join(parsed.text)
    for expected in (
        "112年總計開班130班，參訓人次為2,676人次，男性為592人次（22.12%），女性為2,084人次（77.88%）",
        "銀髮族課程開設121班，總計2,526人次，其中女性1,940人次，112年高齡女性參與數位課程佔77%",
        "婦女專班）5班，總計93人次",
        "61-70歲區間（1,211人次）及71-80歲區間（1,005人次）的銀髮族參與程度較高",
        "112年男性參訓人次佔22.12%，較111年減少0.18個百分點",
        "評估能夠開設男性較感興趣的類型課程",
    ):
        assert expected in text, expected
    rows = table_with(parsed, "112年課程各年齡區間參與人次及性別統計表")
    assert rows[0] == ["", "51-60歲", "61-70歲", "71-80歲", "80歲以上"]
    assert rows[1] == ["男", "女", "其他"] * 4
    assert rows[2] == ["銀髮族", "人次", *"7 45 0 246 965 0 272 733 0 61 197 0".split()]
    assert rows[3] == ["百分比", *"13% 87% - 20% 80% - 27% 73% - 24% 76% -".split()]
    entry = next(e for e in sample_manifest["reports"] if e["id"] == REPORT)
    assert entry["key_figure"] == "130班、2,676人次，女性77.88%"


@pytest.mark.slow
def test_page_recodes_small_nationalities_and_shows_the_domestic_split(sample_build):
    rows = {r[0]: r[1:] for r in table_with(parse(_page(sample_build)), "依國籍")[1:]
            if len(r) > 1}  # not the foot note
    # Nationalities under 10 participations are one row; 中華民國 is shown in full.
    assert list(rows) == ["中華民國", "越南", "其他國籍", "未填", "合計"]
    assert rows["中華民國"][:4] == ["587", "2,047", "0", "2,634"]
    assert rows["其他國籍"][0] == "<3"            # 印尼 1 + 日本 1 men
    assert rows["未填"][1] == "<3"                # 2 women
    assert rows["合計"][:4] == ["592", "2,084", "0", "2,676"]
    for row in rows.values():
        assert "1" not in row[:3] and "2" not in row[:3]


@pytest.mark.slow
def test_notebook_shows_a_year_without_data_as_missing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    shutil.rmtree(data / "110")
    page = run_notebook("digital_training", data, tmp_path, title="數位訓練").page
    parsed = parse(page)
    # The trend table itself (its chart's 查看數據 table has no 班數 column).
    (table,) = [t["rows"] for t in parsed.tables
                if t["caption"].startswith("108至112年數位訓練") and "班數" in t["rows"][0]]
    rows = {r[0]: r[1:] for r in table[1:]}
    assert set(rows["110年"]) == {"無資料"}
    assert "0" not in rows["110年"]
    assert rows["111年"][-1] == "-"  # no change from a year without data
    assert rows["112年"][:4] == ["130", "592", "2,084", "0"]
    text = "".join(parsed.text)
    assert "110年無參訓資料" in text
    assert "折線圖" in page and "110年無資料" in page  # the chart's alt text names the gap


def _write_year(folder: Path, rows: list[tuple[str, str, int]]) -> None:
    folder.mkdir(parents=True)
    ids = sorted({r[0] for r in rows})
    (folder / "training_classes.csv").write_text(
        "班次代碼,日期,對象,時數\n" + "".join(f"{i},{folder.name}-03-01,銀髮族,3\n" for i in ids),
        encoding="utf-8")
    (folder / "training_participations.csv").write_text(
        "班次代碼,性別,年齡\n" + "".join(f"{i},{g},{a}\n" for i, g, a in rows),
        encoding="utf-8")


def test_load_history_reads_earlier_years_and_reuses_the_current_frames(tmp_path):
    _write_year(tmp_path / "111", [("A", "女", 70), ("A", "男", 71)])
    parts, classes = frames([("B", "女", 66, 3, "中華民國")], {"B": "銀髮族", "C": "銀髮族"})
    p, c = dt.load_history([110, 111, 112], tmp_path, 112, parts, classes)
    assert p.groupby("year").size().to_dict() == {111: 2, 112: 3}
    assert c.groupby("year").size().to_dict() == {111: 1, 112: 2}
    t = dt.yearly_trend(p, c, [110, 111, 112])
    assert t.loc[110].isna().all() and t.loc[112, "班數"] == 2


def test_participations_have_ages_only_with_an_age_column():
    parts, _ = frames(
        [("A", "男", 45, 2, "中華民國"), ("B", "其他", "", 1, "中華民國")],
        {"A": "銀髮族", "B": "一般市民"})
    assert dt.has_ages(parts)
    no_age = parts.drop(columns=["age"])
    no_age.attrs["absent_columns"] = ("age", "age_band")
    assert not dt.has_ages(no_age)


@pytest.mark.slow
def test_notebook_without_an_age_column_says_no_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    f = data / "112" / "training_participations.csv"
    frame = pd.read_csv(f, dtype=str, encoding="utf-8-sig")
    age_cols = [c for c in frame.columns if c in ("年齡", "age")]
    assert age_cols
    frame.drop(columns=age_cols).to_csv(f, index=False, encoding="utf-8-sig")
    run = run_notebook("digital_training", data, tmp_path, title="數位訓練")
    assert "112年無參訓者年齡資料" in run.page
    tables = {r["table"] for r in run.indicators}
    assert "銀髮族各年齡區間參訓人次" not in tables and "參訓人次（依年齡區間）" not in tables
    assert "參訓人次（依開班對象）" in tables
