"""Charts as drawn: every text inside the image, a phone donut that fills its width, phone text
that stays readable, and a word under a chart whose categories were suppressed."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.patches
import matplotlib.text
import pandas as pd
import pytest
from conftest import copy_sample_data, gender_table

from genderstats import data
from genderstats.analyses import committees
from genderstats.analyses import engineers as eng
from genderstats.present import charts
from genderstats.present.model import Chart, png_size
from genderstats.privacy import carry, protect_people_table


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample_data(tmp_path_factory.mktemp("data"), ("112",))


def _committee(sample: Path, name: str) -> committees.Composition:
    members = data.load("committee_members", 112, sample)
    return committees.composition(members, name, threshold="1/3")


def _breakdown_charts(sample: Path) -> Chart:
    """The data-governance committee's breakdowns as its page draws them; the last one."""
    comp = _committee(sample, "資料治理委員會")
    drawn = [charts.stacked_100(b.table, title=f"{comp.label}各{b.spec.label}性別比例"
                                f"（{b.population}）", rule=comp.threshold, digits=2)
             for b in comp.breakdowns if b.spec.column != "affiliation"]
    assert len(drawn) == 2
    return drawn[-1]


def _engineers(sample: Path, column: str) -> Any:
    """A breakdown of the sample year's onsite engineers, protected as its notebook does."""
    people = data.load("onsite_engineers", 112, sample)
    columns = eng.usable_breakdowns(people, ["job_category", "centre", "vendor"])
    protected = eng.protect(people, columns, 3)[column]
    return eng.breakdown(people, column, protected=protected)


YEARS = pd.DataFrame({"男": [9, 300, 450, 592], "女": [31, 900, 1500, 2084], "其他": [0] * 4},
                     index=pd.Index([109, 110, 111, 112], name="year"))
YEARS["合計"] = YEARS.sum(axis=1)

# Every chart kind, with the sample year's committees and the seed's long labels.
BUILDERS: dict[str, Callable[[Path], Chart]] = {
    **{f"donut_{name}": (lambda s, n=name: charts.donut(
        _committee(s, n).overall, title=f"第3屆{n}委員性別統計圓餅圖", digits=2))
       for name in ("性別平等專案小組", "資料治理委員會", "採購工作及審查小組")},
    "donut_digital_training": lambda _s: charts.donut(
        gender_table({"合計": (592, 2084, 0)}, total_row=False), row="合計",
        title="112年數位訓練參訓人次性別統計圓餅圖", label="參訓人次", unit="人次", digits=2),
    "donut_courses": lambda _s: charts.donut(
        gender_table({"合計": (38, 35, 0)}, total_row=False), row="合計",
        title="112年自辦訓練參加人數", label="參加人數", digits=2),
    "donut_other_long_label": lambda _s: charts.donut(
        gender_table({"臺北市政府資訊局性別平等專案小組外聘委員": (1234, 5678, 12)},
                     total_row=False), title="外聘委員性別", digits=2),
    "donut_no_women": lambda _s: charts.donut(
        gender_table({"開放資料組": (3, 0, 0)}, total_row=False), title="開放資料組"),
    "donut_empty": lambda _s: charts.donut(
        gender_table({"新設組": (0, 0, 0)}, total_row=False), title="新設組"),
    "stacked_affiliation": lambda s: charts.stacked_100(
        _committee(s, "資料治理委員會").breakdown("affiliation").table,
        title="資料治理委員會府內、外聘委員性別比例", rule=1 / 3, digits=2),
    "stacked_breakdowns": lambda s: _breakdown_charts(s),
    "stacked_vendors_protected": lambda s: charts.stacked_100(
        carry((part := _engineers(s, "vendor")).table.copy(), part.protected),
        title="112年駐點工程師各廠商性別比例", rule=1 / 3, digits=2),
    "stacked_long_names": lambda _s: charts.stacked_100(
        gender_table({"臺北市政府資訊局資料治理委員會外聘專家學者代表": (9, 0, 0),
                      "群睿資訊股份有限公司": (5, 1, 0)}), title="各類別性別比例", rule=1 / 3),
    "grouped_long_names_h": lambda _s: charts.grouped_bars(
        gender_table({"臺北市政府資訊局資料治理委員會外聘專家學者代表": (9, 2, 0),
                      "群睿資訊股份有限公司": (5, 1, 0)}), title="各類別人數", horizontal=True),
    "grouped": lambda _s: charts.grouped_bars(
        gender_table({"51-60歲": (7, 45, 0), "61-70歲": (246, 965, 0), "71-80歲": (272, 733, 0),
                      "80歲以上": (61, 197, 0)}),
        title="112年課程各年齡區間參與人數及性別統計長條圖", unit="人次"),
    "grouped_many": lambda _s: charts.grouped_bars(  # 24 bars: the smallest labels, 9 pt
        gender_table({f"{a}-{a + 4}歲": (1000 + 37 * a, 2100 - 11 * a, a % 3)
                      for a in range(20, 60, 5)}), title="各年齡區間參與人次", unit="人次"),
    "stacked_empty_group": lambda _s: charts.stacked_100(
        gender_table({"整合應用組": (1, 6, 0), "空間資訊組": (3, 1, 0), "開放資料組": (3, 0, 0),
                      "新設組": (0, 0, 0)}), title="各工作小組委員性別比例", rule=1 / 3),
    "grouped_share_h": lambda _s: charts.grouped_bars(
        gender_table({"產業代表": (2, 5, 1), "學界代表": (6, 1, 0), "法人代表": (2, 2, 0)}),
        title="各界代表性別比例", value="share", horizontal=True, digits=2),
    "pyramid": lambda _s: charts.pyramid(
        gender_table({"51-60歲": (7, 45, 0), "61-70歲": (246, 965, 2)}),
        title="各年齡區間參與人次", unit="人次"),
    "trend": lambda _s: charts.trend(YEARS, title="109年至112年數位訓練參訓人次性別比例",
                                     show_counts=True, unit="人次", rule=1 / 3),
}


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """For each rendered figure (page, then phone): the figure and the texts it drew."""
    seen: list[dict[str, Any]] = []
    texts: list[matplotlib.text.Text] = []
    render, draw = charts.render_png, matplotlib.text.Text.draw

    def recording_draw(self: matplotlib.text.Text, renderer: Any) -> None:
        if self.get_visible() and self.get_text().strip():
            texts.append(self)
        draw(self, renderer)

    def recording_render(fig: Any) -> bytes:
        texts.clear()
        png = render(fig)
        # The texts of the last draw, at the resolution the PNG was written at.
        seen.append({"fig": fig, "texts": list(dict.fromkeys(texts)), "png": png})
        return png

    monkeypatch.setattr(matplotlib.text.Text, "draw", recording_draw)
    monkeypatch.setattr(charts, "render_png", recording_render)
    return seen


def _inside(inner: Any, outer: Any) -> bool:
    return (inner.x0 >= outer.x0 and inner.y0 >= outer.y0
            and inner.x1 <= outer.x1 and inner.y1 <= outer.y1)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_every_text_lies_inside_the_image_on_page_and_phone(
        name: str, sample: Path, drawn: list[dict[str, Any]]) -> None:
    BUILDERS[name](sample)
    assert drawn and len(drawn) % 2 == 0  # each chart drawn twice: page, then phone
    for rendition, seen in zip(("page", "phone") * (len(drawn) // 2), drawn, strict=True):
        fig = seen["fig"]
        renderer = fig.canvas.get_renderer()
        assert seen["texts"]
        outside = [t.get_text() for t in seen["texts"]
                   if not _inside(t.get_window_extent(renderer), fig.bbox)]
        assert outside == [], f"{name} ({rendition}): clipped {outside}"


@pytest.mark.parametrize("name", [n for n in BUILDERS if n.startswith("donut")])
def test_phone_donut_ring_is_half_the_width_and_its_centre_text_in_the_hole(
        name: str, sample: Path, drawn: list[dict[str, Any]]) -> None:
    BUILDERS[name](sample)
    fig = drawn[1]["fig"]
    renderer = fig.canvas.get_renderer()
    wedges = fig.findobj(matplotlib.patches.Wedge)
    extents = [w.get_window_extent(renderer) for w in wedges]
    x0, x1 = min(e.x0 for e in extents), max(e.x1 for e in extents)
    y0, y1 = min(e.y0 for e in extents), max(e.y1 for e in extents)
    assert x1 - x0 >= fig.bbox.width / 2, f"{name}: ring {x1 - x0:.0f} of {fig.bbox.width:.0f} px"
    cx, cy, outer = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    hole = outer * (wedges[0].r - wedges[0].width) / wedges[0].r
    def middle(box: Any) -> tuple[float, float]:
        return (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2

    centre = [t for t in drawn[1]["texts"]
              if math.dist(middle(t.get_window_extent(renderer)), (cx, cy)) < outer]
    assert len(centre) == 2, [t.get_text() for t in centre]  # the total and what it counts
    for text in centre:
        box = text.get_window_extent(renderer)
        corners = [(x, y) for x in (box.x0, box.x1) for y in (box.y0, box.y1)]
        assert max(math.dist(c, (cx, cy)) for c in corners) <= hole, text.get_text()


@pytest.mark.parametrize("name", list(BUILDERS))
def test_phone_text_is_at_least_11_css_px_at_390_px(
        name: str, sample: Path, drawn: list[dict[str, Any]]) -> None:
    chart = BUILDERS[name](sample)
    assert drawn[-1]["png"] == chart.png_narrow
    for phone in drawn[1::2]:
        width_px, _ = png_size(phone["png"])
        # Shown at min(its CSS width, the content width of a 390 px screen).
        shown_px = min(width_px / 2, charts.PHONE_CONTENT_PX)
        css_px_per_pt = shown_px / (phone["fig"].get_figwidth() * 72)
        smallest = min(t.get_fontsize() for t in phone["texts"])
        assert smallest * css_px_per_pt >= 11, f"{name}: {smallest * css_px_per_pt:.1f} CSS px"


def test_chart_of_a_protected_table_says_how_many_categories_are_not_shown(
        sample: Path) -> None:
    part = _engineers(sample, "job_category")
    protected = part.protected
    hidden = [k for k in part.table.index if k != "合計" and not protected.row_shown(k)]
    # 客服工程師 is hidden only so that 專案經理's count cannot be worked out.
    assert hidden == ["客服工程師", "專案經理", "資安工程師", "資料庫管理師"]
    assert protected.marks.loc["客服工程師"].tolist() == ["*", "*", "", "*"]
    chart = charts.stacked_100(carry(part.table.copy(), protected),
                               title="112年駐點工程師各職別性別比例", rule=1 / 3, digits=2)
    note = "另有4類因人數未達3人或可據以推算而未顯示，以保護個人隱私。"
    assert chart.caption == note
    assert chart.alt.endswith("參考線：三分之一。" + note)
    assert list(chart.data["項目"]) == ["系統工程師", "網路工程師"]


def test_suppression_note_follows_the_caption_and_says_only_small_counts() -> None:
    table = gender_table({"甲": (9, 8, 0), "乙": (1, 5, 0), "丙": (2, 6, 0)})
    protected = protect_people_table(table, 3)
    assert [protected.row_shown(k) for k in ("甲", "乙", "丙")] == [True, False, False]
    chart = charts.grouped_bars(carry(table, protected), title="各組人數", caption="資料：範例")
    assert chart.caption == "資料：範例。另有2類因人數未達3人而未顯示，以保護個人隱私。"
    assert chart.alt == ("長條圖：各組人數（單位：人），甲 男9、女8。"
                         "另有2類因人數未達3人而未顯示，以保護個人隱私。")


def test_chart_of_an_unprotected_table_has_no_note() -> None:
    chart = charts.stacked_100(gender_table({"甲": (9, 8, 0), "乙": (1, 5, 0)}), title="各組")
    assert chart.caption is None and "未顯示" not in chart.alt
