"""性別意識培力: the seed's (一)–(五) figures, shortfalls, thresholds and masked names."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
from conftest import indicator, run_notebook

from genderstats import config
from genderstats import data as gsdata
from genderstats.analyses import staff_training as st
from genderstats.data import absence
from genderstats.names import mask_name
from genderstats.numbers import form_pct

REPORT = "gender-training"


def staff_frame(men_hours: list[float], women_hours: list[float], *, staff_type: str = st.GENERAL,
                in_person: float = 0.0) -> pd.DataFrame:
    rows = [("男", h) for h in men_hours] + [("女", h) for h in women_hours]
    return pd.DataFrame({
        "staff_id": [f"E{i:03d}" for i in range(1, len(rows) + 1)],
        "staff_type": staff_type,
        "gender": [g for g, _ in rows],
        "hours": [h for _, h in rows],
        "in_person_hours": [min(in_person, h) for _, h in rows],
        "unit": "秘書室",
    })


def contacts_frame(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "name": [n for n, _, _ in rows],
        "role": "性平聯絡人",
        "total_hours": [t for _, t, _ in rows],
        "advanced_hours": [a for _, _, a in rows],
    })


# --------------------------------------------------------------------------- package functions


def test_completion_table_has_the_seed_columns_and_everyone_complete_prints_100():
    staff = staff_frame([3] * 59, [3.5] * 53)
    table = st.completion_table(staff, st.GENERAL)
    assert list(table.index) == ["完成3小時性別主流化訓練"]
    assert list(table.columns) == ["整體完成人數", "整體完成比率", "男性完成人數", "男性完成比率",
                                   "女性完成人數", "女性完成比率"]
    row = table.iloc[0]
    assert [int(row[c]) for c in ("整體完成人數", "男性完成人數", "女性完成人數")] == [112, 59, 53]
    cells = st.rate_table(table, "示例").frame.iloc[0].tolist()
    assert cells == ["完成3小時性別主流化訓練", "112", "100%", "59", "100%", "53", "100%"]


def test_one_man_with_two_hours_is_not_complete_and_lowers_the_rates():
    staff = staff_frame([2] + [3] * 58, [3] * 53)
    table = st.completion_table(staff, st.GENERAL)
    cells = st.rate_table(table, "示例").frame.iloc[0].tolist()
    assert cells == ["完成3小時性別主流化訓練", "111", "99.11%", "58", "98.31%", "53", "100%"]
    assert st.shortfall_counts(staff).values.tolist() == [["一般公務人員", 1]]
    assert st.key_figure(staff).startswith("一般公務人員完成率99.11%")
    # The one man short is a count of 1 (59 − 58): the headcounts by gender are not
    # published beside the completions, so indicators.csv keeps the totals only.
    shown = st.protected_counts(staff, st.GENERAL)
    assert shown.marks.loc["總人數"].tolist() == ["*", "*", "", ""]
    counts = st.completion_counts(staff, st.GENERAL)
    assert counts.loc["完成人數", ["合計"]].tolist() == [111]
    assert counts.loc["總人數", ["合計"]].tolist() == [112]
    assert "男" not in counts.columns


def test_threshold_is_a_parameter():
    staff = staff_frame([3, 4], [6])
    assert st.completion_rate(staff, st.GENERAL, required_hours=4) == pytest.approx(2 / 3)
    assert st.completion_table(staff, st.GENERAL, 4).index[0] == "完成4小時性別主流化訓練"
    assert st.shortfall_counts(staff, 4).values.tolist() == [["一般公務人員", 1]]


def test_in_person_rate_counts_only_completers_with_an_in_person_hour():
    staff = pd.DataFrame({
        "staff_type": [st.GENERAL] * 4 + [st.SUPERVISOR],
        "gender": ["男", "男", "女", "女", "女"],
        "hours": [3, 3, 2, 6, 3],
        "in_person_hours": [1, 0.5, 2, 3, 3],   # the 2-hour one is not a completer
    })
    assert st.in_person_rate(staff) == 0.5
    table = st.in_person_table(staff)
    assert float(table.iloc[0]["男性參訓率"]) == 0.5 and float(table.iloc[0]["女性參訓率"]) == 0.5
    assert st.in_person_counts(staff, suppress_below=None).loc["含實體課程完成人數", "合計"] == 2
    assert st.in_person_sentence(staff, suppress_below=None).endswith("為50%（2/4）")


def test_other_gender_gets_its_own_columns_and_empty_types_print_a_dash():
    staff = pd.DataFrame({"staff_type": [st.GENERAL] * 2, "gender": ["其他", "女"],
                          "hours": [3, 3], "in_person_hours": [0, 0]})
    table = st.completion_table(staff, st.GENERAL)
    assert "其他性別完成比率" in table.columns
    empty = st.completion_table(staff, st.SUPERVISOR)
    assert "其他性別完成人數" not in empty.columns
    assert st.rate_table(empty, "示例").frame.iloc[0].tolist()[1:3] == ["0", "-"]


@pytest.mark.parametrize(
    ("total", "advanced", "met", "note"),
    [(18, 6, True, ""), (17, 6, False, "總時數未達18小時"), (18, 5, False, "進階課程未達6小時"),
     (10, 2, False, "總時數未達18小時、進階課程未達6小時")],
)
def test_contact_person_needs_18_hours_with_6_advanced(total, advanced, met, note):
    contacts = contacts_frame([("王大明", total, advanced)])
    assert st.contact_met(contacts).tolist() == [met]
    row = st.contact_table(contacts).iloc[0]
    assert (row["姓名"], row["是否完成"]) == ("王○明", "已完成" if met else "未完成")
    short = st.shortfall_contacts(contacts)
    assert short["未達事項"].tolist() == ([] if met else [note])
    assert st.contact_completion_rate(contacts) == (1.0 if met else 0.0)


def test_courses_table_and_participants():
    courses = pd.DataFrame({
        "date": pd.to_datetime(["2023-10-02", "2023-09-01", "2023-12-01"]),
        "title": ["講座", "從 AI 技術看性別化差異", "講座"], "hours": [2.0, 3.0, 1.5],
        "audience": ["一般公務人員", "一般公務人員、高階公務人員", None],
        "men": [1, 38, 2], "women": [2, 35, 3], "other": [0, 0, 1],
    })
    table = st.courses_table(courses)
    assert table["辦理日期"].tolist() == ["112-09-01", "112-10-02", "112-12-01"]
    # Participants are staff: 1 or 2 of a gender in a course are not printed.
    assert table["參加人數"].tolist() == ["總計73人 男38人 女35人", "總計* 男未達3人 女未達3人",
                                      "總計6人 男未達3人 女* 其他未達3人"]
    parts = st.course_participants(courses)
    assert list(parts.index) == ["從 AI 技術看性別化差異", "講座（112-10-02）", "講座（112-12-01）",
                                 "合計"]
    assert parts.loc["合計", ["男", "女", "其他", "合計"]].tolist() == [41, 40, 1, 82]


def test_rates_print_as_the_form_prints_them():
    # One rule for the form's rates: two decimals, a whole rate without them.
    staff = pd.DataFrame({"staff_type": [st.GENERAL] * 7, "gender": list("男男女女女男男"),
                          "hours": [3.0, 0.0, 3.0, 3.0, 0.0, 3.0, 3.0],
                          "in_person_hours": [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]})
    frame = st.rate_table(st.completion_table(staff, st.GENERAL), "x").frame
    assert frame.loc[0, ["整體完成比率", "男性完成比率", "女性完成比率"]].tolist() == [
        "71.43%", "75%", "66.67%"]
    assert st.key_figure(staff, suppress_below=None) == (
        "一般公務人員完成率71.43%、實體課程參訓率42.86%")


# --------------------------------------------------------------------------- the sample year


def _count(rows, table, category, gender):
    return int(indicator(rows, REPORT, table, category, gender)["count"])


@pytest.mark.slow
def test_sample_indicators_match_the_seed(sample_indicators):
    for table, (total, men, women) in {
        "一般公務人員性別主流化訓練完成情形": (112, 59, 53),
        "主管人員性別主流化訓練完成情形": (24, 13, 11),
    }.items():
        for category in ("總人數", "完成人數"):
            got = [_count(sample_indicators, table, category, g) for g in ("合計", "男", "女")]
            assert got == [total, men, women], (table, category)
    in_person = "一般公務人員實體課程參訓情形"
    assert _count(sample_indicators, in_person, "含實體課程完成人數", "合計") == 72
    got = [_count(sample_indicators, "自辦訓練參加人數", "合計", g) for g in ("合計", "男", "女")]
    assert got == [73, 38, 35]


@pytest.mark.slow
def test_sample_page_shows_the_seed_tables(sample_build, sample_manifest):
    page = (sample_build["out"] / f"{REPORT}.html").read_text(encoding="utf-8")
    cells = '<td class="gs-num">{}</td>'
    for staff_type, (total, men, women) in {"一般公務人員": (112, 59, 53),
                                            "主管人員": (24, 13, 11)}.items():
        row = ('<th scope="row">完成3小時性別主流化訓練</th>'
               + "".join(cells.format(v) for v in (total, "100%", men, "100%", women, "100%")))
        caption = f"112年{staff_type}完成3小時性別主流化訓練情形"
        table = page[page.index(caption):]
        assert table[: table.index("</table>")].count(row) == 1, staff_type
    assert "總人數：112人；男性人數：59人；女性人數：53人" in page
    assert "主管總人數：24人；男性主管人數：13人；女性主管人數：11人" in page
    assert ("實體課程參訓率（一般公務人員完成3小時性別主流化訓練且其中含實體課程1小時以上者）"
            "為64.29%（72/112）") in page
    assert "完成比率100%" in page
    for hours in ((23, 18), (18, 18)):
        assert re.search(r'<td><span class="gs-name">[^<]*○[^<]*</span></td>'
                         + "".join(cells.format(h) for h in hours)
                         + r"<td>已完成</td>", page), hours
    assert ('<td data-label="辦理日期">112-09-01</td>'
            '<td data-label="訓練班期名稱">從 AI 技術看性別化差異</td>') in page
    assert "總計73人 男38人 女35人" in page
    assert "皆已完成規定時數，無需追蹤" in page
    contacts = gsdata.load("contact_training", 112)
    for name in contacts["name"]:
        assert name not in page
        assert mask_name(name) in page
    entry = next(r for r in sample_manifest["reports"] if r["id"] == REPORT)
    assert entry["key_figure"] == "一般公務人員完成率100%、實體課程參訓率64.29%"


@pytest.mark.slow
def test_notebook_lists_who_is_short_with_masked_names(tmp_path):
    year_dir = tmp_path / "112"
    year_dir.mkdir()
    (year_dir / "staff_training.csv").write_text(
        "員工編號,人員類別,性別,完成時數,實體時數,單位\n"
        "E001,一般公務人員,男,2,0,秘書室\n"
        "E002,一般公務人員,女,3,1,會計室\n"
        "E003,主管人員,女,3,3,人事室\n",
        encoding="utf-8",
    )
    (year_dir / "contact_training.csv").write_text(
        "姓名,身分,年度培力總時數,進階課程時數\n"
        "王大明,性平聯絡人,17,6\n"
        "歐陽小華,性別業務相關人員,20,5\n"
        "陳美玲,性平聯絡人,18,6\n",
        encoding="utf-8",
    )
    run = run_notebook("gender_training", tmp_path, tmp_path, title="性別意識培力參訓統計")
    nb, page = run.notebook, run.page
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]

    for name in ("王大明", "歐陽小華", "陳美玲"):
        assert name not in page
    short = page[page.index("未完成名單（供追蹤）"):]
    # A count, never an identifier beside the protected gender tables.
    assert "<th scope=\"row\">一般公務人員</th><td class=\"gs-num\">1</td>" in short
    assert "E001" not in page
    assert "王○明" in short and "總時數未達18小時" in short
    assert "歐陽○華" in short and "進階課程未達6小時" in short
    assert "陳○玲" not in short[: short.index("分析發現")]
    assert "無需追蹤" not in page
    assert "男性完成比率" in page and "<td class=\"gs-num\">0.00%</td>" not in page
    assert "總人數：不公開；男性人數：未達3人；女性人數：未達3人" in page
    assert "完成比率33.33%" in page  # 1 of 3 contact persons met both requirements
    # No training_courses file: no data, which is not 「未自辦」.
    assert absence.COURSES.say() in page and "未自辦" not in page
    assert "自辦訓練參加人數" not in {r["table"] for r in run.indicators}
    assert "一般公務人員尚有1人未完成3小時，詳見未完成名單" in page
    assert "性平聯絡人及相關人員尚有2人未達培力時數規定" in page
    # 1 man and 1 woman (1 female supervisor): nothing by gender, nor the overall figures
    assert "一般公務人員人數過少，為保護個人隱私不公開完成情形" in page
    assert "主管人員人數過少，為保護個人隱私不公開完成情形" in page
    assert "男性0.00%" not in page and "女性100%" not in page
    assert "一般公務人員人數過少，為保護個人隱私不公開實體課程參訓率" in page
    assert not [r for r in run.indicators if r["table"].endswith("訓練完成情形")]
    assert "性平聯絡人及辦理性別平等業務相關人員3人中1人完成18小時（其中進階課程6小時以上），" \
        "完成率33.33%" in page


# --------------------------------------------------------------------------- missing inputs


def test_findings_name_the_population_and_who_completed():
    staff = staff_frame([2, 2] + [3] * 57, [3] * 59, in_person=1)
    sentences = st.findings(staff)
    # 2 men short: a headcount beside 57 completions would print who did not complete (2),
    # so the rates by gender are not printed; the overall ones are.
    assert sentences[0] == "一般公務人員118人中116人完成3小時性別主流化訓練，完成率98.31%"
    assert sentences[1] == ("一般公務人員118人中116人完成3小時且其中含實體課程1小時以上，"
                            "實體課程參訓率98.31%")
    # The findings print a rate exactly as the table beside them does.
    shown = st.protected_counts(staff, st.GENERAL)
    cells = st.rate_table(st.completion_table(staff, st.GENERAL), "示例", shown).frame.iloc[0]
    assert cells.tolist()[1:] == ["116", "98.31%", "57", "*", "59", "*"]


def test_a_missing_file_says_no_data_and_an_empty_file_means_none():
    staff = staff_frame([3], [3])
    contacts = contacts_frame([("王大明", 18, 6)])
    courses = gsdata.empty_frame("training_courses")

    def text(part, **kw):
        args = {"staff": staff, "contacts": contacts, "courses": courses, **kw}
        return "".join(o.html for o in st.section(part, 113, **args, charts=False))

    # The form's footnotes stand whatever the data: who the staff are, the hours they owe.
    contact_rule = ("<p>*每人每年均須完成18小時課程訓練，其中6小時以上應屬進階課程。"
                    "年中間因職務異動者，則依人事處認定方式填列參訓時數。</p>")
    assert text("四", contacts=None) == f"{contact_rule}<p>{absence.CONTACTS.say()}</p>"
    assert text("四", contacts=contacts.iloc[0:0]) == f"{contact_rule}<p>{st.NO_CONTACTS}</p>"
    assert text("五", courses=None) == "<p>本年度無自辦訓練資料。</p>"
    assert text("五") == "<p>本年度本局未自辦性別意識培力訓練。</p>"
    assert text("二", staff=None) == "<p>本年度無性別主流化訓練參訓資料。</p>"
    assert text("三", staff=None) == (
        "<p>*「主管人員」係指市府及機關正副首長、正副幕僚長及單位主管，每人每年均須完成3小時"
        "性別主流化訓練。</p><p>本年度無性別主流化訓練參訓資料。</p>")
    assert text("一", staff=None, rules=st.Rules(required_hours=4)) == (
        "<p>*「一般公務人員」係指1. 依法任用、派用之有給專任人員；2. 依法聘任、聘用及僱用人員；"
        "3. 公務人員考試錄用人員。每人每年均須完成4小時性別主流化訓練。</p>"
        "<p>本年度無性別主流化訓練參訓資料。</p>")
    assert st.NO_COURSES in st.findings(staff, contacts, courses)
    missing = st.findings(staff, None, None)
    assert not [s for s in missing if "聯絡人" in s or "自辦" in s]


def _copy_112(tmp_path):
    data_dir = tmp_path / "data"
    shutil.copytree(config.DATA_DIR / "112", data_dir / "112")
    return data_dir


def _run_ok(data_dir, tmp_path):
    run = run_notebook("gender_training", data_dir, tmp_path, title="性別意識培力參訓統計")
    outputs = [o for c in run.notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return run, re.sub(r"<[^>]+>", "", run.page)


@pytest.mark.slow
def test_notebook_builds_without_contact_training_and_training_courses(tmp_path):
    data_dir = _copy_112(tmp_path)
    (data_dir / "112" / "contact_training.ods").unlink()
    (data_dir / "112" / "training_courses.csv").unlink()
    run, text = _run_ok(data_dir, tmp_path)
    part4 = text[text.rindex("(四) 性平聯絡人"):text.rindex("(五) 自辦訓練")]
    assert absence.CONTACTS.say() in part4 and "完成比率" not in part4
    assert absence.COURSES.say() in text and "未自辦" not in text
    findings = text[text.rindex("分析發現"):text.rindex("建議")]
    assert "性平聯絡人" not in findings and "自辦" not in findings
    assert "所有一般公務人員、主管人員皆已完成規定時數，無需追蹤。" in text
    # The rest is the seed's, unchanged.
    assert "總人數：112人；男性人數：59人；女性人數：53人" in text
    assert "為64.29%（72/112）" in text
    tables = {r["table"] for r in run.indicators}
    assert "一般公務人員性別主流化訓練完成情形" in tables
    assert not [t for t in tables if "聯絡人" in t or "自辦" in t]


@pytest.mark.slow
def test_notebook_with_a_courses_file_without_rows_says_no_course_was_run(tmp_path):
    data_dir = _copy_112(tmp_path)
    courses = data_dir / "112" / "training_courses.csv"
    header = courses.read_text(encoding="utf-8-sig").splitlines()[0]
    courses.write_text(header + "\n", encoding="utf-8-sig")
    # No course run, so no questionnaire either (answers would name courses that were not).
    (data_dir / "112" / "course_evaluations.csv").unlink()
    assert gsdata.load("training_courses", 112, data_dir).empty  # the file says: none
    run, text = _run_ok(data_dir, tmp_path)
    assert "本年度本局未自辦性別意識培力訓練。" in text
    assert "本年度無自辦訓練課程滿意度問卷資料。" in text
    got = [int(r["count"]) for r in run.indicators
           if r["table"] == "自辦訓練參加人數" and r["category"] == "合計"]
    assert got == [0, 0, 0, 0]  # no participant: a true zero


# --------------------------------------------------------------------------- small counts


def _with_other_staff(tmp_path, others):
    """A copy of the 112 data with ``others`` general staff of gender 其他 added."""
    data_dir = _copy_112(tmp_path)
    staff = gsdata.load("staff_training", 112, data_dir)
    extra = pd.DataFrame({"staff_id": [f"X{i}" for i in range(others)],
                          "staff_type": st.GENERAL, "gender": "其他", "hours": 3.0,
                          "in_person_hours": 1.0, "unit": "秘書室"})
    staff = pd.concat([staff.astype(object), extra], ignore_index=True)
    (data_dir / "112" / "staff_training.xlsx").unlink()
    staff.rename(columns={"staff_id": "員工編號", "staff_type": "人員類別", "gender": "性別",
                          "hours": "完成時數", "in_person_hours": "實體時數", "unit": "單位"}
                 ).to_csv(data_dir / "112" / "staff_training.csv", index=False)
    return data_dir


def test_one_other_gender_hides_it_and_the_women_but_keeps_the_overall_figures():
    staff = gsdata.load("staff_training", 112)
    extra = pd.DataFrame({"staff_type": [st.GENERAL], "gender": ["其他"], "hours": [3.0],
                          "in_person_hours": [1.0]})
    staff = pd.concat([staff.astype(object), extra], ignore_index=True)
    shown = st.protected_counts(staff, st.GENERAL)
    assert shown.marks.loc["總人數"].tolist() == ["", "*", "<", ""]
    assert st.population_sentence(staff, st.GENERAL) == (
        "總人數：113人；男性人數：59人；女性人數：不公開；其他性別人數：未達3人")
    cells = st.rate_table(st.completion_table(staff, st.GENERAL), "示例", shown).frame
    assert cells.iloc[0].tolist() == ["完成3小時性別主流化訓練", "113", "100%", "59", "100%",
                                      "*", "*", "未達3人", "未達3人"]
    counts = st.completion_counts(staff, st.GENERAL)
    assert list(counts.columns[:2]) == ["男", "合計"] and "其他" not in counts.columns
    assert st.findings(staff)[0] == ("一般公務人員113人全數完成3小時性別主流化訓練，完成率100%"
                                     "（男性100%）")
    # the supervisors have no 其他: unchanged
    assert st.protected_counts(staff, st.SUPERVISOR).any_hidden is False


@pytest.mark.slow
@pytest.mark.parametrize("others", [1, 2])
def test_notebook_with_other_gender_staff_publishes_no_small_count(tmp_path, others):
    data_dir = _with_other_staff(tmp_path, others)
    run, text = _run_ok(data_dir, tmp_path)
    total = 112 + others
    assert f"總人數：{total}人；男性人數：59人；女性人數：不公開；其他性別人數：未達3人" in text
    assert "其他性別人數：1人" not in text and "其他性別人數：2人" not in text
    assert f"為{form_pct((72 + others) / total)}（{72 + others}/{total}）" in text
    assert "「未達3人」表示該性別人數未達3人" in text
    # the supervisors' table is the seed's
    assert "主管總人數：24人；男性主管人數：13人；女性主管人數：11人" in text
    general = {(r["table"], r["category"], r["gender"]): int(r["count"])
               for r in run.indicators if r["table"].startswith("一般公務人員")}
    assert not [k for k in general if k[2] in ("女", "其他")]
    assert general[("一般公務人員性別主流化訓練完成情形", "總人數", "合計")] == total
    assert general[("一般公務人員性別主流化訓練完成情形", "總人數", "男")] == 59
    # the women (53) cannot be printed either, or 總人數 − 男 − 女 gives the 其他 count
    assert "女性人數：53人" not in text
    part1 = text[text.rindex("(一) 一般公務人員*參訓比率"):text.rindex("(二) 實體課程參訓率")]
    assert "53" not in part1


@pytest.mark.slow
def test_annual_report_training_section_protects_one_other_gender(tmp_path):
    data_dir = _with_other_staff(tmp_path, 1)
    run = run_notebook("annual_report", data_dir, tmp_path, title="成果報告")
    text = re.sub(r"<[^>]+>", "", run.page)
    assert "總人數：113人；男性人數：59人；女性人數：不公開；其他性別人數：未達3人" in text
    assert "其他性別人數：1人" not in text
    rows = [r for r in run.indicators if r["table"] == "一般公務人員性別主流化訓練完成情形"]
    assert rows and not [r for r in rows if r["gender"] in ("女", "其他")]
