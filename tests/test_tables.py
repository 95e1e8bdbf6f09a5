"""genderstats.present.tables: cell texts, escaping, suppression display, the seed's band table."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pandas as pd

from genderstats import config
from genderstats.present import tables
from genderstats.stats import counts_table, gender_table

XSS = "<script>alert(1)</script>"


class _Cells(HTMLParser):
    """Collects tag names and the text of th/td cells, to check the markup is well formed."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.cells: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(tag)
        if tag in ("th", "td"):
            self._text = []

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()
        if tag in ("th", "td") and self._text is not None:
            self.cells.append("".join(self._text))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)


def parse(html: str) -> _Cells:
    p = _Cells()
    p.feed(html)
    assert p.stack == [], "unclosed tags"
    return p


def seed_bands() -> pd.DataFrame:
    counts = {
        "51-60歲": (7, 45),
        "61-70歲": (246, 965),
        "71-80歲": (272, 733),
        "80歲以上": (61, 197),
    }
    rows = [
        {"age_band": band, "gender": g}
        for band, (m, w) in counts.items()
        for g, n in (("男", m), ("女", w))
        for _ in range(n)
    ]
    return gender_table(pd.DataFrame(rows), by="age_band", total=False)


def test_seed_band_table_exact_cells():
    t = tables.band_block(seed_bands(), "112年課程各年齡區間參與人數及性別統計表",
                                    row_label="銀髮族")
    assert t.frame.loc["人次"].tolist() == [
        "7", "45", "0", "246", "965", "0", "272", "733", "0", "61", "197", "0"
    ]
    assert t.frame.loc["百分比"].tolist() == [
        "13%", "87%", "-", "20%", "80%", "-", "27%", "73%", "-", "24%", "76%", "-"
    ]
    cells = parse(t.html).cells
    # Header: corner, four bands, twelve genders; then the two body rows in reading order.
    assert cells[1:5] == ["51-60歲", "61-70歲", "71-80歲", "80歲以上"]
    assert cells[5:17] == ["男", "女", "其他"] * 4
    assert cells[17:20] == ["銀髮族", "人次", "7"]
    assert cells[31:34] == ["百分比", "13%", "87%"]
    assert t.html.count('colspan="3"') == 4 and 'rowspan="2">銀髮族' in t.html


def test_seed_band_table_other_shown_when_present():
    t = tables.band_block(
        counts_table({"51-60歲": {"男": 1, "女": 2, "其他": 1}, "空": {"男": 0, "女": 0}}),
        "x", row_label="銀髮族",
    )
    assert t.frame.loc["百分比"].tolist() == ["25%", "50%", "25%", "-", "-", "-"]


def test_gender_block_cells_and_structure():
    t = counts_table({"全體委員": {"男": 6, "女": 11}, "大型": {"男": 1200, "女": 1476}},
                     total=True)
    h = tables.gender_block(t, "委員性別", index_label="類別")
    assert h.frame.columns.tolist() == [
        "男性人數", "女性人數", "其他性別人數", "總人數", "男性比例", "女性比例", "其他性別比例"
    ]
    assert h.frame.loc["全體委員"].tolist() == ["6", "11", "0", "17", "35.29%", "64.71%", "0.00%"]
    assert h.frame.loc["大型", "總人數"] == "2,676"
    p = parse(h.html)
    assert p.tags[:3] == ["div", "table", "caption"]
    assert '<div class="gs-table-wrap" role="region" aria-label="委員性別" tabindex="0">' in h.html
    assert '<th scope="col">類別</th>' in h.html
    assert '<th scope="row">全體委員</th>' in h.html
    assert h.html.count('<tr class="gs-total">') == 1
    assert '<td class="gs-num">35.29%</td>' in h.html
    assert h._repr_html_() == h.html and "<style" not in h.html


def test_gender_block_options():
    t = counts_table({"班": {"男": 592, "女": 2084}})
    h = tables.gender_block(t, "參訓", decimals=0, shares=True, count_label="人次")
    assert h.frame.loc["班", "男性人次"] == "592"
    assert h.frame.loc["班", "總人次"] == "2,676"
    assert h.frame.loc["班", "女性比例"] == "78%"
    h = tables.gender_block(t, "參訓", shares=False)
    assert h.frame.columns.tolist() == ["男性人數", "女性人數", "其他性別人數", "總人數"]
    empty = tables.gender_block(counts_table({"空": {"男": 0, "女": 0}}), "空")
    assert empty.frame.loc["空", "男性比例"] == "-"


def test_gender_block_suppression_hides_counts_and_their_shares():
    t = counts_table({"甲": {"男": 1, "女": 9, "其他": 4}, "乙": {"男": 20, "女": 30}})
    h = tables.gender_block(t, "x", suppress_below=3)
    row = h.frame.loc["甲"]
    # The row's 合計 goes rather than a count: women and other stay readable.
    assert row["男性人數"] == "<3" and row["其他性別人數"] == "4"
    assert row["女性人數"] == "9" and row["總人數"] == "*"
    assert set(row[["男性比例", "女性比例", "其他性別比例"]]) == {"-"}
    assert h.frame.loc["乙"].tolist()[:4] == ["20", "30", "0", "50"]
    assert "&lt;3" in h.html and "<3<" not in h.html
    assert "<tfoot>" in h.html and "未達3" in h.html
    # Without suppression the same table shows everything.
    plain = tables.gender_block(t, "x")
    assert plain.frame.loc["甲", "男性人數"] == "1" and "<tfoot>" not in plain.html


def test_gender_block_hidden_total_hides_all_shares():
    h = tables.gender_block(counts_table({"甲": {"男": 1, "女": 0}}), "x", suppress_below=3)
    assert h.frame.loc["甲"].tolist() == ["<3", "0", "0", "*", "-", "-", "-"]


def test_gender_block_multiindex_total_spans_index_columns():
    df = pd.DataFrame({"a": ["外聘", "府內"], "b": ["組1", "組1"], "gender": ["男", "女"]})
    h = tables.gender_block(gender_table(df, by=["a", "b"]), "x")
    assert '<th scope="row" colspan="2">合計</th>' in h.html
    assert '<th scope="col">a</th><th scope="col">b</th>' in h.html


def test_category_label_and_caption_are_escaped():
    t = counts_table({XSS: {"男": 1, "女": 2}})
    h = tables.gender_block(t, f"標題{XSS}")
    assert "<script>" not in h.html
    assert h.html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3  # label, caption, aria
    assert XSS in parse(h.html).cells


def test_frame_block_members_list_escaped_and_masked():
    members = pd.DataFrame(
        {
            "小組成員": ["當然委員", "派聘委員"],
            "職稱": ["副局長", "股長"],
            "姓名": ["高志煌", XSS],
            "性別": ["男", "女"],
            "時數": [1234, None],
        }
    )
    h = tables.frame_block(members, "委員名單", numeric_cols=["時數"], mask_cols=["姓名"])
    assert h.frame["姓名"].tolist()[0] == "高○煌"
    assert h.frame["時數"].tolist() == ["1,234", "-"]
    assert "<script>" not in h.html and "高志煌" not in h.html
    assert '<th scope="row">當然委員</th>' in h.html
    assert '<td class="gs-num">1,234</td>' in h.html

    raw = tables.frame_block(members.drop(columns="時數"), "名單")
    assert "<script>" not in raw.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw.html
    assert XSS in parse(raw.html).cells


def test_frame_block_index_as_row_headers():
    df = pd.DataFrame({"預算數": [5820000, 22500]}, index=pd.Index(["數位平權", "出席費"],
                                                                   name="計畫"))
    h = tables.frame_block(df, "預算", numeric_cols=["預算數"], index=True)
    assert '<th scope="col">計畫</th>' in h.html
    assert '<th scope="row">數位平權</th><td class="gs-num">5,820,000</td>' in h.html


def test_table_css_hooks():
    css = (config.TEMPLATES_DIR / "tables.css").read_text(encoding="utf-8")
    for hook in [".gs-table-wrap", ".gs-table", ".gs-num", ".gs-total", ".gs-suppressed",
                 ".gs-findings", "caption", "tabular-nums", "overflow-x: auto"]:
        assert hook in css
    assert not re.search(r"url\(|@import|https?:", css)  # nothing loaded from the internet


def test_masked_names_are_kept_whole_on_one_line():
    df = pd.DataFrame({"組別": ["專家"], "出席者": ["戴○凱、歐陽○明、<姜○淳>"]})
    html = tables.frame_block(df, "出席").html
    assert ('<td><span class="gs-name">戴○凱</span>、<span class="gs-name">歐陽○明</span>、'
            '&lt;<span class="gs-name">姜○淳</span>&gt;</td>') in html
