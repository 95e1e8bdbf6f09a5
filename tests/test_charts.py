"""Charts: CJK text without missing glyphs, small deterministic PNGs, alt text with the numbers."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import matplotlib
import matplotlib.text
import numpy as np
import pandas as pd
import pytest
from conftest import gender_table
from matplotlib import font_manager

from genderstats import fonts
from genderstats.present import charts
from genderstats.present.charts import GENDER_COLORS
from genderstats.present.model import Chart, png_size

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def members() -> pd.DataFrame:
    # 第2屆資料治理委員會: 35 members, 14 women (40%).
    return gender_table({"外聘委員": (10, 8, 0), "府內委員": (11, 6, 0)}, "affiliation")


@pytest.fixture
def ages() -> pd.DataFrame:
    # The seed's 112年 age-band table (人次).
    return gender_table(
        {"51-60歲": (7, 45, 0), "61-70歲": (246, 965, 0), "71-80歲": (272, 733, 0),
         "80歲以上": (61, 197, 0)},
        "age_band",
    )


@pytest.fixture
def groups() -> pd.DataFrame:
    return gender_table(
        {"整合應用組": (1, 6, 0), "空間資訊組": (3, 1, 0), "開放資料組": (3, 0, 0),
         "新設組": (0, 0, 0)},
        "working_group",
    )


@pytest.fixture
def sectors() -> pd.DataFrame:
    return gender_table({"產業代表": (2, 5, 1), "學界代表": (6, 1, 0), "法人代表": (2, 2, 0)},
                        "sector")


@pytest.fixture
def years() -> pd.DataFrame:
    frame = pd.DataFrame(
        {"男": [9, np.nan, 300, 450, 592], "女": [31, np.nan, 900, 1500, 2084]},
        index=pd.Index([108, 109, 110, 111, 112], name="year"),
    )
    frame["其他"] = [0, np.nan, 0, 0, 0]
    frame["合計"] = frame["男"] + frame["女"] + frame["其他"]
    frame["男%"] = frame["男"] / frame["合計"]
    frame["女%"] = frame["女"] / frame["合計"]
    return frame


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record, for each rendered figure, its visible texts and the font each resolves to."""
    seen: list[dict[str, Any]] = []
    original = charts.render_png

    def recording_render(fig: matplotlib.figure.Figure) -> bytes:
        fig.draw_without_rendering()  # lays out tick labels so their final text exists
        texts = [t for t in fig.findobj(matplotlib.text.Text)
                 if t.get_visible() and t.get_text().strip()]
        families = {
            font_manager.get_font(font_manager.findfont(t.get_fontproperties())).family_name
            for t in texts
        }
        seen.append({"texts": [t.get_text() for t in texts], "families": families,
                     "sizes": [t.get_fontsize() for t in texts], "width": fig.get_figwidth()})
        png = original(fig)
        seen[-1]["png"] = png
        return png

    monkeypatch.setattr(charts, "render_png", recording_render)
    return seen


BUILDERS: dict[str, Callable[[dict[str, pd.DataFrame]], Chart]] = {
    "donut": lambda t: charts.donut(t["members"], title="第2屆資料治理委員會委員性別統計圓餅圖"),
    "donut_other": lambda t: charts.donut(t["sectors"], row="產業代表", title="產業代表性別"),
    "donut_zero_women": lambda t: charts.donut(t["groups"], row="開放資料組", title="開放資料組"),
    "donut_empty": lambda t: charts.donut(t["groups"], row="新設組", title="新設組"),
    "grouped": lambda t: charts.grouped_bars(
        t["ages"], title="112年課程各年齡區間參與人數及性別統計長條圖", unit="人次"),
    "grouped_many": lambda t: charts.grouped_bars(
        t["many"], title="各年齡區間參與人次", unit="人次"),
    "grouped_share_h": lambda t: charts.grouped_bars(
        t["sectors"], title="各界代表性別比例", value="share", horizontal=True),
    "stacked": lambda t: charts.stacked_100(t["groups"], title="各工作小組性別比例", rule=1 / 3),
    "stacked_other": lambda t: charts.stacked_100(t["sectors"], title="各界代表性別比例"),
    "pyramid": lambda t: charts.pyramid(t["ages"], title="各年齡區間參與人次", unit="人次"),
    "trend": lambda t: charts.trend(t["years"], title="108年至112年女性參與比例", rule=1 / 3),
    "trend_counts": lambda t: charts.trend(
        t["years"], title="108年至112年參與比例", show_counts=True, unit="人次"),
}


@pytest.fixture
def tables(members: pd.DataFrame, ages: pd.DataFrame, groups: pd.DataFrame,
           sectors: pd.DataFrame, years: pd.DataFrame) -> dict[str, pd.DataFrame]:
    many = gender_table({f"{a}-{a + 4}歲": (1000 + 37 * a, 2100 - 11 * a, a % 3)
                         for a in range(20, 60, 5)}, "age_band")
    return {"members": members, "ages": ages, "groups": groups, "sectors": sectors,
            "years": years, "many": many}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_chart_renders_cjk_without_missing_glyphs(
    name: str, tables: dict[str, pd.DataFrame], spy: list[dict[str, Any]]
) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart = BUILDERS[name](tables)
    glyph_warnings = [str(w.message) for w in caught
                      if "Glyph" in str(w.message) or "missing from font" in str(w.message)]
    assert glyph_warnings == []
    assert [r["width"] for r in spy] == [charts.WIDTH_IN, charts.NARROW_WIDTH_IN]
    for rendition in spy:
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in rendition["texts"])
        assert rendition["families"] <= set(fonts.CJK_FAMILIES), rendition["families"]
    assert chart.png.startswith(PNG_SIGNATURE) and chart.png_narrow.startswith(PNG_SIGNATURE)
    assert len(chart.png) < 100_000 and len(chart.png_narrow) < 100_000


def test_fold_splits_a_long_title_into_balanced_lines() -> None:
    assert charts._fold("一二三四五六", 4) == "一二三\n四五六"
    assert charts._fold("112年課程各年齡區間參與人次", 30) == "112年課程各年齡區間參與人次"
    folded = charts._fold("112年課程各年齡區間參與人次及性別統計長條圖", 19)
    assert folded.replace("\n", "") == "112年課程各年齡區間參與人次及性別統計長條圖"
    assert folded.count("\n") == 1


def test_html_offers_the_phone_rendition_and_the_numbers(ages: pd.DataFrame) -> None:
    chart = charts.grouped_bars(ages, title="各年齡區間參與人次", unit="人次")
    page = chart.html
    narrow = base64.b64encode(chart.png_narrow).decode("ascii")
    n_width, n_height = png_size(chart.png_narrow)
    assert page.startswith('<figure class="gs-chart"><picture><source media="(max-width: 480px)" '
                           f'srcset="data:image/png;base64,{narrow}" width="{round(n_width / 2)}" '
                           f'height="{round(n_height / 2)}"><img src="data:image/png;base64,')
    assert "</picture></figure><details class=\"gs-chart-data\"><summary>查看數據</summary>" in page
    assert "<caption>各年齡區間參與人次（數據）</caption>" in page
    assert ('<th scope="col">項目</th><th scope="col">男性人次</th><th scope="col">女性人次</th>'
            in page)
    assert ('<tr><th scope="row">61-70歲</th><td class="gs-num">246</td>'
            '<td class="gs-num">965</td></tr>') in page
    assert "合計" not in chart.data["項目"].tolist()
    assert page.endswith("</table></div></details>")


def test_chart_numbers_for_each_kind(tables: dict[str, pd.DataFrame]) -> None:
    donut = BUILDERS["donut"](tables).data
    assert donut.values.tolist() == [["女性", "14", "40%"], ["男性", "21", "60%"],
                                     ["合計", "35", ""]]
    stacked = BUILDERS["stacked"](tables).data
    assert stacked.columns.tolist() == ["項目", "合計人數", "女性比例", "男性比例"]
    assert stacked.values.tolist()[0] == ["整合應用組", "7", "86%", "14%"]
    assert stacked.values.tolist()[3] == ["新設組", "0", "無資料", "無資料"]
    pyramid = BUILDERS["pyramid"](tables).data
    assert pyramid.values.tolist()[1] == ["61-70歲", "246", "965"]
    trend = BUILDERS["trend_counts"](tables).data
    assert trend.columns.tolist() == ["年度", "女性比例", "男性比例", "合計人次"]
    assert trend.values.tolist()[:2] == [["108年", "77.50%", "22.50%", "40"],
                                        ["109年", "無資料", "無資料", "無資料"]]
    share = BUILDERS["grouped_share_h"](tables).data
    assert share.columns.tolist() == ["項目", "男性比例", "女性比例", "其他性別比例"]
    assert share.values.tolist()[0] == ["產業代表", "25%", "63%", "13%"]  # 5/8, 1/8 half up


@pytest.mark.parametrize("name", ["donut", "grouped", "stacked", "pyramid", "trend_counts"])
def test_same_input_gives_same_bytes(name: str, tables: dict[str, pd.DataFrame]) -> None:
    assert BUILDERS[name](tables).png == BUILDERS[name](tables).png


def test_charts_use_the_cjk_font_and_theme() -> None:
    assert charts.FONT in fonts.CJK_FAMILIES
    assert charts.THEME["font.family"][0] == charts.FONT
    assert matplotlib.rcParams["font.family"][0] == charts.FONT
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert 12 <= charts.THEME["font.size"] <= 13
    assert 14 <= charts.THEME["axes.titlesize"] <= 15


def test_charts_do_not_leave_pyplot_figures(tables: dict[str, pd.DataFrame]) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    BUILDERS["grouped"](tables)
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------- alt text


def test_donut_alt_states_total_and_each_gender(members: pd.DataFrame) -> None:
    chart = charts.donut(members, title="第2屆資料治理委員會委員性別統計圓餅圖")
    assert chart.alt == (
        "圓餅圖：第2屆資料治理委員會委員性別統計，合計35人，女性14人（40%）、男性21人（60%）。"
    )


def test_donut_alt_for_a_named_row_with_other_and_zero(
    sectors: pd.DataFrame, groups: pd.DataFrame
) -> None:
    other = charts.donut(sectors, row="產業代表", title="產業代表性別")
    assert "產業代表8人" in other.alt
    assert "女性5人（63%）" in other.alt and "男性2人（25%）" in other.alt
    assert "其他性別1人（13%）" in other.alt
    zero = charts.donut(groups, row="開放資料組", title="開放資料組")
    assert "女性0人（0%）" in zero.alt and "男性3人（100%）" in zero.alt
    assert "其他" not in zero.alt
    empty = charts.donut(groups, row="新設組", title="新設組")
    assert "新設組0人" in empty.alt and "無資料" in empty.alt


def test_donut_label_overrides_the_row_name(members: pd.DataFrame) -> None:
    chart = charts.donut(members, title="委員性別", label="全體委員")
    assert "全體委員35人，女性14人（40%）、男性21人（60%）" in chart.alt


def test_trend_accepts_year_labels_that_already_say_nian() -> None:
    table = pd.DataFrame({"男": [1, 3], "女": [3, 1], "合計": [4, 4]}, index=["111年", "112年"])
    assert "111年75.00%、112年25.00%" in charts.trend(table, title="比例", genders=["女"]).alt


def test_donut_needs_a_row_when_ambiguous(groups: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="row="):
        charts.donut(groups.drop(index="合計"), title="x")
    with pytest.raises(KeyError):
        charts.donut(groups, row="不存在", title="x")


def test_grouped_bars_alt_has_every_count_and_drops_total_row(ages: pd.DataFrame) -> None:
    chart = charts.grouped_bars(ages, title="112年課程各年齡區間參與人數及性別統計長條圖",
                                unit="人次")
    assert chart.alt == (
        "長條圖：112年課程各年齡區間參與人數及性別統計（單位：人次），51-60歲 男7、女45；"
        "61-70歲 男246、女965；71-80歲 男272、女733；80歲以上 男61、女197。"
    )
    assert "合計" not in chart.alt
    assert "其他" not in chart.alt  # all zero: not meaningful here


def test_grouped_bars_share_alt_and_value_check(sectors: pd.DataFrame) -> None:
    chart = charts.grouped_bars(sectors, title="各界代表性別比例", value="share")
    assert "產業代表 男25%、女63%、其他13%" in chart.alt
    assert "學界代表 男86%、女14%、其他0%" in chart.alt
    with pytest.raises(ValueError):
        charts.grouped_bars(sectors, title="x", value="ratio")  # type: ignore[arg-type]


def test_large_counts_use_thousands_separators() -> None:
    table = gender_table({"市民": (592, 2084, 0)})
    chart = charts.grouped_bars(table, title="參訓人數")
    assert "市民 男592、女2,084" in chart.alt


def test_stacked_alt_and_rule(groups: pd.DataFrame, spy: list[dict[str, Any]]) -> None:
    chart = charts.stacked_100(groups, title="各工作小組性別比例", rule=Fraction(1, 3))
    assert "整合應用組（7人）女性86%、男性14%" in chart.alt
    assert "開放資料組（3人）女性0%、男性100%" in chart.alt
    assert "新設組 無資料" in chart.alt
    assert chart.alt.endswith("參考線：三分之一。")
    texts = spy[0]["texts"]
    assert "三分之一" in texts
    assert "女 0%" in texts  # a zero share is named beside its bar
    assert "合計 (" not in " ".join(texts)


def test_pyramid_alt_and_other_note() -> None:
    table = gender_table({"51-60歲": (7, 45, 1), "61-70歲": (246, 965, 0)})
    chart = charts.pyramid(table, title="各年齡區間參與人次", unit="人次")
    assert "51-60歲 男7、女45、其他1" in chart.alt
    assert "61-70歲 男246、女965、其他0" in chart.alt


def test_trend_nan_year_is_a_gap_labelled_no_data(
    years: pd.DataFrame, spy: list[dict[str, Any]]
) -> None:
    chart = charts.trend(years, title="108年至112年女性參與比例", genders=["女"])
    assert chart.alt == (
        "折線圖：108年至112年女性參與比例，女性比例 108年77.50%、109年無資料、110年75.00%、"
        "111年76.92%、112年77.88%。"
    )
    assert "109年\n無資料" in spy[0]["texts"]
    assert "108年" in spy[0]["texts"]


def test_trend_counts_and_fraction_rule(years: pd.DataFrame) -> None:
    chart = charts.trend(years, title="參與比例", show_counts=True, unit="人次",
                         rule=Fraction(1, 3))
    assert "合計（人次） 108年40、109年無資料、110年1,200、111年1,950、112年2,676" in chart.alt
    assert "男性比例 108年22.50%" in chart.alt
    assert chart.alt.endswith("參考線：三分之一。")


def test_alt_text_assembly() -> None:
    assert charts.alt_text("長條圖", "", ["a 1", "b 2"]) == "長條圖：a 1；b 2。"
    assert charts.alt_text("圓餅圖", "主題", []) == "圓餅圖：主題。"


# --------------------------------------------------------------------------- HTML bundle


def test_bundle_escapes_markup_in_title_and_category() -> None:
    table = gender_table({"<script>alert(1)</script>": (1, 2, 0), "費用$5$組": (2, 2, 0)})
    chart = charts.grouped_bars(table, title="<script>alert('t')</script>標題",
                                caption="<b>圖1</b> & 說明")
    data, metadata = chart._repr_mimebundle_()
    page = data["text/html"]
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<figcaption>&lt;b&gt;圖1&lt;/b&gt; &amp; 說明</figcaption>" in page
    assert "費用$5$組" in chart.alt  # shown literally, not as mathtext
    assert metadata == {"image/png": {"alt": chart.alt}}
    assert data["text/plain"] == chart.alt


def test_bundle_shape_and_css_size(members: pd.DataFrame, tmp_path: Any) -> None:
    chart = charts.donut(members, title="委員性別")
    data, _ = chart._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]) == chart.png
    width, height = chart.pixel_size
    assert chart.css_size == (round(width / 2), round(height / 2))
    page = data["text/html"]
    assert page.startswith('<figure class="gs-chart"><picture><source media=')
    assert f'<img src="data:image/png;base64,{data["image/png"]}"' in page
    assert f'width="{round(width / 2)}" height="{round(height / 2)}"' in page
    assert "<figcaption>" not in page  # no caption given
    assert page.endswith("</details>")
    assert width >= 1000  # high-DPI: ~7.5 in at 200 dpi, before tight cropping
    path = chart.save(tmp_path / "donut.png")
    assert path.read_bytes() == chart.png


# --------------------------------------------------------------------------- colours, rounding


def test_gender_colours_fixed_distinct_and_readable() -> None:
    assert GENDER_COLORS == {"男": "#0072B2", "女": "#D55E00", "其他": "#999999"}
    assert len(set(GENDER_COLORS.values())) == 3
    for colour in GENDER_COLORS.values():
        label = charts.text_color_on(colour)
        assert charts.contrast_ratio(label, colour) >= 4.5
    assert charts.contrast_ratio(charts.TEXT_COLOR, "#FFFFFF") >= 4.5
    assert charts.contrast_ratio(charts.MUTED_COLOR, "#FFFFFF") >= 4.5


def test_colours_stay_apart_for_colour_blind_readers() -> None:
    # Machado et al. (2009) full-severity simulation matrices, applied in linear RGB.
    matrices = {
        "protan": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
        "deutan": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                   [-0.011820, 0.042940, 0.968881]],
        "tritan": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
    }

    def linear(colour: str) -> np.ndarray:
        c = np.array(matplotlib.colors.to_rgb(colour))
        return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)

    def lab(rgb: np.ndarray) -> np.ndarray:
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                        [0.0193, 0.1192, 0.9505]]) @ rgb
        xyz = xyz / np.array([0.95047, 1.0, 1.08883])
        f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    colours = list(GENDER_COLORS.values())
    for matrix in matrices.values():
        seen = [lab(np.clip(np.array(matrix) @ linear(c), 0, 1)) for c in colours]
        for i in range(len(seen)):
            for j in range(i + 1, len(seen)):
                assert np.linalg.norm(seen[i] - seen[j]) > 25


def test_labels_round_half_up_and_name_the_rule_as_the_pages_do() -> None:
    # 69 of 200 is 34.5%: half up gives 35% where round() and float formatting give 34%.
    table = gender_table({"甲組": (131, 69, 0), "乙組": (31, 9, 0)}, "group")
    alt = charts.stacked_100(table, title="各組性別比例", rule=0.25).alt
    assert "甲組（200人）女性35%、男性66%" in alt  # 65.5% → 66%
    assert "乙組（40人）女性23%、男性78%" in alt  # 22.5% → 23%, 77.5% → 78%
    assert alt.endswith("參考線：四分之一。")
    assert charts.stacked_100(table, title="各組性別比例", rule=2 / 3).alt.endswith(
        "參考線：三分之二。")


def test_total_row_and_all_zero_other_are_not_categories(ages: pd.DataFrame) -> None:
    body = charts._body(ages)
    assert "合計" not in body.index
    assert charts._shown_genders(body) == ["男", "女"]
