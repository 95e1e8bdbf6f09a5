"""Write the sample data in data/108 … data/112: invented people, the published 112 figures.

The 112 files reproduce every count in the department's 112 results report (臺北市政府資訊局
112年推動性別平等工作成果報告); the people in them are invented, and their names are built
from syllable pools so they cannot be anyone in the published documents. 108–111 hold only
the digital-training files, with plausible figures, so the five-year trend the task force
asked for can be drawn.

Run from the project root (the output is deterministic; commit it with this script):

    .venv/bin/python scripts/make_sample_data.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from genderstats.years import ad_year, roc_date

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEED = 20240222  # the day the task force approved the 112 report
FIXED_TIME = dt.datetime(2024, 2, 22, 9, 0, 0)

SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾游彭詹胡施沈余盧"
    "梁趙顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓馬董溫唐藍石蔣古紀姚連馮歐程湯田康姜白汪鄒尤巫"
)
# Given-name syllables. The final syllables are chosen so no name can share the surname and
# last character of anyone named in the published source documents.
MALE_FIRST = "志家建俊冠承彥柏子宗信育政振耀士泰昌啟立永嘉明文國"
MALE_LAST = "豪凱峰誠瑋森輝達彬勳毅軒廷霖昇翔哲安德偉強維宇賢"
FEMALE_FIRST = "淑美雅怡佳惠筱曉靜思詩秀麗玉若品郁宛幸映"
FEMALE_LAST = "萱雯琪瑜君慧玲芳貞娟潔璇薇淳嫻穎寧馨妤涵庭莉蘋"

DISTRICTS = (
    "中正區", "大同區", "中山區", "松山區", "大安區", "萬華區",
    "信義區", "士林區", "北投區", "內湖區", "南港區", "文山區",
)
CENTRES = ("數位策略中心", "資通安全中心", "系統研發中心", "數據治理中心", "數位創新中心")
SENIOR_TOPICS = (
    "手機上網輕鬆學", "玩轉社群愉快交朋友", "行動購物支付便利通", "手機攝影及影音編輯",
    "網路識讀與防詐安全", "臺北通APP生活應用", "視訊通話好簡單", "雲端相簿整理術",
)
WOMEN_TOPICS = ("婦女數位工具專班：雲端文書", "婦女數位工具專班：網路開店入門",
                "婦女數位工具專班：社群行銷")
NEW_RESIDENT_TOPICS = ("新住民手機生活應用", "新住民數位服務好便利")
INDIGENOUS_TOPICS = ("原住民族數位生活應用", "原住民族手機影音創作")


class Names:
    """Invented, unique Taiwanese names of a given gender."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def __call__(self, gender: str) -> str:
        first, last = (MALE_FIRST, MALE_LAST) if gender == "男" else (FEMALE_FIRST, FEMALE_LAST)
        while True:
            name = self.rng.choice(SURNAMES) + self.rng.choice(first) + self.rng.choice(last)
            if name not in self.used:
                self.used.add(name)
                return name


@dataclass
class Person:
    name: str
    gender: str
    title: str


# ── writing ──────────────────────────────────────────────────────────────────────────────


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM and CRLF, as Excel on Windows exports 「CSV UTF-8」."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_other_formats(path)
    text = frame.to_csv(index=False, lineterminator="\r\n")
    path.write_bytes(("\ufeff" + text).encode("utf-8"))


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    """An .xlsx with fixed metadata and zip timestamps, so reruns give identical bytes."""
    from openpyxl import Workbook

    _remove_other_formats(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "工作表1"
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    wb.properties.creator = "資訊局"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def write_ods(frame: pd.DataFrame, path: Path) -> None:
    """An .ods (OpenDocument spreadsheet) written with odfpy, with fixed zip timestamps."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    _remove_other_formats(path)
    doc = OpenDocumentSpreadsheet()
    table = Table(name="工作表1")
    for values in [list(frame.columns), *frame.itertuples(index=False)]:
        row = TableRow()
        for value in values:
            if isinstance(value, int | float) and not isinstance(value, bool):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            row.addElement(cell)
        table.addElement(row)
    doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip with constant entry times (entry order and compression kept)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as 「modified」 whatever the workbook says.
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            dst.writestr(fixed, content)
    return out.getvalue()


def _remove_other_formats(path: Path) -> None:
    # One file per stem: a leftover committee_members.xlsx next to a new .csv is an error.
    path.parent.mkdir(parents=True, exist_ok=True)
    for ext in (".csv", ".xlsx", ".ods"):
        other = path.with_suffix(ext)
        if other != path and other.exists():
            other.unlink()


# ── helpers ──────────────────────────────────────────────────────────────────────────────


def split_total(rng: random.Random, total: int, parts: int, low: int, high: int) -> list[int]:
    """``parts`` integers in [low, high] summing to ``total``, randomly spread."""
    if not low * parts <= total <= high * parts:
        raise ValueError(f"cannot split {total} into {parts} parts of {low}..{high}")
    sizes = [total // parts] * parts
    for i in range(total - sum(sizes)):
        sizes[i] += 1
    for _ in range(parts * 20):
        i, j = rng.randrange(parts), rng.randrange(parts)
        step = rng.randint(1, 4)
        if i != j and sizes[i] - step >= low and sizes[j] + step <= high:
            sizes[i] -= step
            sizes[j] += step
    return sizes


def weekdays(rng: random.Random, year_ad: int, count: int) -> list[dt.date]:
    """``count`` sorted weekday dates in ``year_ad`` (repeats allowed: several classes a day)."""
    start = dt.date(year_ad, 1, 9)
    days = [start + dt.timedelta(d) for d in range(340)]
    days = [d for d in days if d.weekday() < 5 and d.year == year_ad]
    return sorted(rng.choice(days) for _ in range(count))


# ── committees ───────────────────────────────────────────────────────────────────────────


def department_officials(names: Names) -> dict[str, Person]:
    """The department's office holders who sit on its committees (fixed genders)."""
    spec = {
        "director": ("局長", "男"),
        "deputy_a": ("副局長", "男"),
        "deputy_b": ("副局長", "女"),
        "chief_secretary": ("主任秘書", "女"),
        "senior_analyst": ("簡任高級分析師", "男"),
        "counselor": ("專門委員", "男"),
        "secretariat": ("秘書室主任", "女"),
        "head_數位策略中心": ("數位策略中心主任", "女"),
        "head_資通安全中心": ("資通安全中心主任", "女"),
        "head_系統研發中心": ("系統研發中心主任", "女"),
        "head_數據治理中心": ("數據治理中心主任", "男"),
        "head_數位創新中心": ("數位創新中心主任", "女"),
        "personnel": ("人事室主任", "女"),
        "ethics": ("政風室主任", "男"),
        "accounting": ("會計室主任", "女"),
        "press": ("秘書室專員（新聞聯絡）", "男"),
        "gender_affairs": ("數位策略中心股長（性別業務）", "女"),
        "data_analyst": ("數據治理中心高級分析師", "女"),
        "chief_數位策略中心": ("數位策略中心股長", "男"),
        "chief_資通安全中心": ("資通安全中心股長", "男"),
        "chief_系統研發中心": ("系統研發中心股長", "男"),
        "chief_數位創新中心": ("數位創新中心股長", "男"),
    }
    return {key: Person(names(g), g, title) for key, (title, g) in spec.items()}


def member_row(committee: str, term: int | None, person: Person, affiliation: str,
               role: str, duty: str = "", working_group: str = "", sector: str = "",
               title: str | None = None) -> dict[str, object]:
    return {
        "委員會": committee, "屆": term, "姓名": person.name, "性別": person.gender,
        "府內外聘": affiliation, "身分": role, "兼任": duty,
        "職稱": person.title if title is None else title,
        "工作小組": working_group, "代表類別": sector,
    }


def task_force(officials: dict[str, Person], experts: list[Person]) -> list[dict[str, object]]:
    """性別平等專案小組, 3rd term: 17 members, 6 men (1 external) and 11 women (2 external)."""
    committee, term = "性別平等專案小組", 3
    duties = {"director": "召集人", "deputy_a": "副召集人", "secretariat": "執行秘書"}
    internal = [
        "director", "deputy_a", "chief_secretary", "secretariat",
        *(f"head_{c}" for c in CENTRES), "personnel", "ethics", "accounting", "press",
        "gender_affairs",
    ]
    rows = [
        member_row(committee, term, officials[k], "府內", "機關代表委員", duties.get(k, ""))
        for k in internal
    ]
    rows += [member_row(committee, term, p, "外聘", "專家學者委員") for p in experts]
    return rows


def procurement(officials: dict[str, Person]) -> list[dict[str, object]]:
    """採購工作及審查小組: 11 ex officio and 5 appointed members, 8 men and 8 women."""
    committee = "採購工作及審查小組"
    ex_officio = [
        ("deputy_a", "召集人"), ("deputy_b", "副召集人"), ("chief_secretary", ""),
        ("senior_analyst", ""), ("counselor", ""), ("secretariat", "執行秘書"),
        *((f"head_{c}", "") for c in CENTRES),
    ]
    appointed = ["data_analyst", *(f"chief_{c}" for c in CENTRES if c != "數據治理中心")]
    rows = [member_row(committee, None, officials[k], "府內", "當然委員", duty)
            for k, duty in ex_officio]
    rows += [member_row(committee, None, officials[k], "府內", "派聘委員") for k in appointed]
    return rows


CITY_TITLES = (
    "副市長", "資訊局局長", "秘書長", "法務局局長", "主計處處長", "研究發展考核委員會主任委員",
    "民政局局長", "社會局局長", "衛生局局長", "交通局局長", "都市發展局局長", "地政局局長",
    "教育局局長", "產業發展局局長", "警察局局長", "財政局局長", "環境保護局局長",
)
SECTOR_TITLES = {
    "產業": ("科技股份有限公司總經理", "資訊股份有限公司技術長", "數位股份有限公司資料科學總監",
             "雲端服務股份有限公司副總經理", "智慧科技股份有限公司執行長"),
    "學界": ("大學資訊工程學系教授", "大學地理學系副教授", "大學法律學系教授",
             "大學資訊管理學系教授", "大學統計學系副教授", "大學公共行政學系教授"),
    "法人": ("財團法人數位發展基金會執行長", "財團法人資料治理研究院研究員",
             "社團法人開放資料協會理事長", "財團法人個資保護研究中心主任"),
}
INSTITUTION_PREFIXES = ("晨曦", "青峰", "遠帆", "德蘊", "光譜", "嘉禾", "星澄", "匯川", "東籬")

# (working group, sector, gender, how many) for external members.
DG_TERM2_EXTERNAL = (
    ("整合應用組", "產業", "女", 5), ("整合應用組", "法人", "女", 1),
    ("整合應用組", "產業", "男", 1),
    ("空間資訊組", "學界", "女", 1), ("空間資訊組", "學界", "男", 2),
    ("空間資訊組", "產業", "男", 1),
    ("個資保護組", "法人", "女", 1), ("個資保護組", "學界", "男", 2),
    ("個資保護組", "法人", "男", 1),
    ("開放資料組", "學界", "男", 2), ("開放資料組", "法人", "男", 1),
)
DG_TERM1_EXTERNAL = (
    ("整合應用組", "產業", "女", 2), ("整合應用組", "法人", "女", 1),
    ("整合應用組", "產業", "男", 2), ("整合應用組", "學界", "男", 1),
    ("空間資訊組", "學界", "女", 1), ("空間資訊組", "學界", "男", 3),
    ("空間資訊組", "產業", "男", 1),
    ("個資保護組", "法人", "女", 1), ("個資保護組", "學界", "男", 2),
    ("個資保護組", "法人", "男", 1),
)
DG_TERM2_INTERNAL_WOMEN = {"秘書長", "法務局局長", "主計處處長", "社會局局長", "衛生局局長",
                           "教育局局長"}
DG_TERM1_INTERNAL_WOMEN = {"法務局局長", "主計處處長", "社會局局長", "衛生局局長", "教育局局長"}


def data_governance(rng: random.Random, names: Names,
                    officials: dict[str, Person]) -> list[dict[str, object]]:
    """資料治理委員會: 1st term (31 members) and 2nd term (35; 開放資料組 is new)."""
    committee = "資料治理委員會"
    rows: list[dict[str, object]] = []
    internal2 = _city_members(names, officials, CITY_TITLES, DG_TERM2_INTERNAL_WOMEN)
    # The 1st term had no 環境保護局 seat; most agency heads of the same gender carried over.
    internal1: dict[str, Person] = {}
    for title, person in internal2.items():
        if title == "環境保護局局長":
            continue
        gender = "女" if title in DG_TERM1_INTERNAL_WOMEN else "男"
        same = person.gender == gender and rng.random() < 0.7
        internal1[title] = person if same else Person(names(gender), gender, title)
    duties = {"副市長": "召集人", "資訊局局長": "副召集人"}

    external2 = _externals(rng, names, DG_TERM2_EXTERNAL, reuse=[])
    external1 = _externals(rng, names, DG_TERM1_EXTERNAL, reuse=external2)
    for term, internal, external in ((1, internal1, external1), (2, internal2, external2)):
        for title, person in internal.items():
            rows.append(member_row(committee, term, person, "府內", "機關代表委員",
                                   duties.get(title, ""), sector="政府機關", title=title))
        for group, sector, person in external:
            rows.append(member_row(committee, term, person, "外聘", "專家學者或民間團體代表委員",
                                   working_group=group, sector=sector))
    return rows


def _city_members(names: Names, officials: dict[str, Person], titles: Sequence[str],
                  women: set[str]) -> dict[str, Person]:
    members: dict[str, Person] = {}
    for title in titles:
        if title == "資訊局局長":
            members[title] = officials["director"]
            continue
        g = "女" if title in women else "男"
        members[title] = Person(names(g), g, title)
    return members


def _externals(rng: random.Random, names: Names, slots: Iterable[tuple[str, str, str, int]],
               reuse: list[tuple[str, str, Person]]) -> list[tuple[str, str, Person]]:
    """External members for the slots; some members of ``reuse`` serve again in the same seat."""
    pool = list(reuse)
    out: list[tuple[str, str, Person]] = []
    for group, sector, gender, count in slots:
        for _ in range(count):
            again = [m for m in pool if m[:2] == (group, sector) and m[2].gender == gender]
            if again and rng.random() < 0.6:
                member = again[0]
                pool.remove(member)
                out.append(member)
                continue
            title = rng.choice(INSTITUTION_PREFIXES) + rng.choice(SECTOR_TITLES[sector])
            out.append((group, sector, Person(names(gender), gender, title)))
    return out


# ── 112 report files ─────────────────────────────────────────────────────────────────────


def year_112(rng: random.Random, names: Names, out: Path) -> list[Person]:
    """The 112 files from committees to budget; returns the task force's experts."""
    officials = department_officials(names)
    experts = [
        Person(names("男"), "男", "法律事務所律師"),
        Person(names("女"), "女", "大學社會工作學系教授"),
        Person(names("女"), "女", "大學公共事務研究所副教授"),
    ]
    members = task_force(officials, experts) + data_governance(rng, names, officials) \
        + procurement(officials)
    frame = pd.DataFrame(members)
    frame["屆"] = frame["屆"].astype("Int64")
    write_csv(frame, out / "committee_members.csv")

    women_experts = "、".join(p.name for p in experts[1:])
    all_experts = "、".join(p.name for p in experts)
    write_csv(pd.DataFrame({
        "會議": ["112-1", "112-2", "112-3"],
        "日期": ["112-03-20", "112-08-28", "112-12-13"],
        "主席": ["首長"] * 3,
        "主席職稱": [""] * 3,
        "委員總數": [17, 17, 17],
        "出席人數": [17, 16, 17],
        "出席專家學者": [all_experts, women_experts, all_experts],
    }), out / "task_force_meetings.csv")

    write_csv(onsite_engineers(rng), out / "onsite_engineers.csv")
    write_xlsx(staff_training(rng), out / "staff_training.xlsx")

    contacts = pd.DataFrame({
        "姓名": [officials["gender_affairs"].name, names("男")],
        "身分": ["性平聯絡人", "性平聯絡人"],
        "職稱": ["股長", "聘用研究員"],
        "年度培力總時數": [23, 18],
        "進階課程時數": [18, 18],
        "科室": ["數位策略中心", "數位策略中心"],
        "任務": [CONTACT_DUTY, ""],
    })
    write_ods(contacts, out / "contact_training.ods")

    effects = (
        "針對不利處境女性促進數位推動，鼓勵報名數位訓練課程，去除e化性別不平等相關障礙，"
        "提升性別平等。",
        "使本局在業務規劃上，可以研提促進性別平等之建議。",
    )
    items = ("數位平權推動相關費用", "專家學者出席費支付有關性別平等相關費用")
    budget = [
        {"年度": y, "項次": i + 1, "計畫項目名稱": items[i], "預算數": amount,
         "對促進性別平等的影響": effects[i]}
        for y in (112, 113)
        for i, amount in enumerate(("5,820,000", "22,500"))
    ]
    write_csv(pd.DataFrame(budget), out / "gender_budget.csv")
    return experts


# ── 112 inputs of the complete results report ────────────────────────────────────────────

RESULTS_SEED = SEED + 17
"""Its own random stream: drawing from the main one would change every file made after."""
CONTACT_DUTY = ("1. 熟悉本府性別主流化總計畫。 2. 具性別平等知能，協助單位及同仁落實性別主流化"
                "暨推展性別平等工作。")
COURSE_TITLE = "從 AI 技術看性別化差異"
QUESTIONS = ("課程內容符合需求", "講師表達清楚易懂", "課程有助於業務推動", "課程時間安排適當",
             "整體而言對本課程感到滿意")
RESPONDENTS = 47
# 235 answers, 228 of them 非常滿意 or 滿意: 97.02% (the report's 整體滿意度).
RATING_COUNTS = {"非常滿意": 150, "滿意": 78, "普通": 6, "不滿意": 1}
DIGITAL_INDICATOR = "臺北市府資訊局辦理市民數位訓練人次性別比率"
INVENTORY = (  # kind, level, name, parent, new, definition
    ("指標", "主計處列管", "臺北市資訊局職員性別比率", "", "否", ""),
    ("指標", "主計處列管", "臺北市資訊局主管人員性別比率", "", "否", ""),
    ("指標", "主計處列管", "臺北市資訊局一般公務人員性別主流化訓練完成率", "", "否", ""),
    ("指標", "機關構列管", DIGITAL_INDICATOR, "", "否", ""),
    ("指標", "機關構列管", "臺北市府資訊局駐點工程師性別比率", "", "否", ""),
    ("指標", "機關構列管", "臺北市府資訊局資料治理委員會委員性別比率", "", "否", ""),
    ("指標", "機關構列管", "臺北市府資訊局採購工作及審查小組委員性別比率", "", "否", ""),
    ("項目", "主計處列管", "臺北市資訊局性平聯絡人培力時數", "", "否", ""),
    ("項目", "主計處列管", "臺北市資訊局自辦性別意識培力課程參加人數", "", "否", ""),
    ("項目", "機關構列管", "臺北市民免費數位訓練開班數", "", "否", ""),
    ("項目", "機關構列管", "臺北市民免費數位訓練銀髮族參訓人次年齡別", "", "否", ""),
    ("項目", "機關構列管", "臺北市府資訊局黑客松參賽者性別", "", "否", ""),
    ("指標", "機關構列管", "國籍", DIGITAL_INDICATOR, "是",
     f"於「{DIGITAL_INDICATOR}」指標底下新增「國籍」複分類"),
)
RESOLUTIONS = (  # date, item, progress, closed, unit
    ("111-02-21",
     "111年推動性別平等工作規劃：「臺北市民免費數位訓練」可增加近5年數據彙整，以看見消弭數位"
     "落差成果，請業務單位配合委員意見辦理。",
     "已於「臺北市民免費數位訓練性別統計分析」彙整108年至112年數據並呈現五年趨勢，"
     "於112年第3次會議提報，建請委員解除列管。",
     "是", "數位策略中心"),
    ("112-08-28",
     "性別影響評估檢視表-單一陳情系統：請業務單位參酌專家學者委員意見修正後，"
     "再提報本小組審查。",
     "已參採委員意見修正評估檢視表，並於112年第3次會議提報修正後之評估檢視表，"
     "建請委員解除列管。",
     "是", "系統研發中心"),
    ("112-12-13",
     "臺北市民免費數位訓練性別統計分析：請業務單位評估開設男性較感興趣的類型課程，"
     "以提升男性參與率。",
     "將於113年課程規劃時評估結合運動、聯誼、園藝等主題之數位課程，並追蹤男性參訓比率。",
     "否", "數位策略中心"),
)


def results_inputs_112(experts: list[Person], used: set[str], out: Path) -> None:
    """training_courses with every column of the form's (五), and the results report's
    tables: resolutions, gender_statistics, impact_assessments, course_evaluations."""
    rng = random.Random(RESULTS_SEED)
    names = Names(rng)
    names.used = used  # never the name of someone in the other files
    write_csv(pd.DataFrame({
        "辦理日期": ["112-09-01"],
        "訓練班期名稱": [COURSE_TITLE],
        "訓練對象": ["一般公務人員、高階公務人員"],
        "訓練目標": ["推動本局服務政策培養性別敏感度，使性別主流化之理念、目標與操作架構與"
                     "業務工作相結合。"],
        "講師": [names("女")],
        "講師單位": ["國立清華大學資工系"],
        "講師職稱": ["教授"],
        "課程類別": ["進階課程、性別主流化"],
        "訓練方式": ["多元形式、含實際案例討論、設計課後評估或滿意度調查問卷"],
        "時數": [3],
        "男": [38],
        "女": [35],
        "其他": [0],
    }), out / "training_courses.csv")

    write_csv(pd.DataFrame(RESOLUTIONS, columns=["會議日期", "內容說明或裁(指)示事項",
                                                 "執行情形", "是否解列", "辦理單位"]),
              out / "resolutions.csv")
    write_csv(pd.DataFrame(INVENTORY, columns=["類型", "列管層級", "名稱", "上層指標",
                                               "本年度新增", "定義及說明"]),
              out / "gender_statistics.csv")

    # The seed lists the experts 嚴、彭、陳: the social-work professor, the lawyer, the
    # associate professor.
    panel = "、".join(p.name for p in (experts[1], experts[0], experts[2]))
    write_csv(pd.DataFrame([{
        "類別": "重大施政", "名稱": "性別影響評估檢視表-單一陳情系統",
        "簡要說明": "以本府單一陳情系統進行性別影響評估報告", "程序參與方式": "性平小組",
        "專家學者": panel, "意見項數": 5, "參採項數": 3,
        "初次提報日期": "112-08-28", "修正後提報日期": "112-12-13",
        "採購類別": "非巨額採購", "CSR納入落實性別平等": "未納入",
    }]), out / "impact_assessments.csv")

    ratings = [r for r, n in RATING_COUNTS.items() for _ in range(n)]
    rng.shuffle(ratings)
    answers = [
        {"訓練班期名稱": COURSE_TITLE, "問卷編號": f"Q{i:03d}", "題目": question,
         "滿意度": ratings[(i - 1) * len(QUESTIONS) + j]}
        for i in range(1, RESPONDENTS + 1) for j, question in enumerate(QUESTIONS)
    ]
    write_csv(pd.DataFrame(answers), out / "course_evaluations.csv")


ENGINEERS = (  # job category, men, women
    ("系統工程師", 7, 3), ("網路工程師", 6, 0), ("資安工程師", 5, 1),
    ("資料庫管理師", 3, 1), ("專案經理", 2, 3), ("客服工程師", 3, 3),
)
VENDORS = ("翔宇資訊股份有限公司", "泰和數位科技股份有限公司", "新峰系統整合股份有限公司",
           "群睿資訊股份有限公司")
ENGINEER_CENTRE = {
    "系統工程師": ("系統研發中心", "數位創新中心", "數據治理中心"),
    "網路工程師": ("資通安全中心", "系統研發中心"),
    "資安工程師": ("資通安全中心",),
    "資料庫管理師": ("數據治理中心", "系統研發中心"),
    "專案經理": CENTRES,
    "客服工程師": ("數位策略中心", "數位創新中心"),
}


def onsite_engineers(rng: random.Random) -> pd.DataFrame:
    """37 onsite engineers, 26 men and 11 women (the vendors' lists say 男性/女性)."""
    rows = []
    for job, men, women in ENGINEERS:
        for gender in ["男性"] * men + ["女性"] * women:
            rows.append({
                "職別": job, "性別": gender, "科室": rng.choice(ENGINEER_CENTRE[job]),
                "廠商": rng.choice(VENDORS), "年資": round(rng.uniform(0.5, 15), 1),
            })
    rng.shuffle(rows)
    return pd.DataFrame(rows).sort_values(["科室", "職別"], kind="stable")


UNITS = ("秘書室", "人事室", "政風室", "會計室", *CENTRES)


def staff_training(rng: random.Random) -> pd.DataFrame:
    """112 general staff (59 men, 53 women; 72 with ≥1 in-person hour) and 24 supervisors."""
    genders = ["男"] * 59 + ["女"] * 53
    rng.shuffle(genders)
    in_person = [True] * 72 + [False] * 40
    rng.shuffle(in_person)
    staff = []
    for i, (gender, live) in enumerate(zip(genders, in_person, strict=True), start=1):
        hours = rng.choice((3, 3, 3, 3.5, 4, 5, 6, 9))
        live_hours = rng.choice([h for h in (1, 2, 3) if h <= hours]) if live \
            else rng.choice((0, 0, 0, 0.5))
        staff.append({"員工編號": f"E{i:03d}", "人員類別": "一般公務人員", "性別": gender,
                      "完成時數": hours, "實體時數": live_hours, "單位": rng.choice(UNITS)})
    men = [s for s in staff if s["性別"] == "男"]
    women = [s for s in staff if s["性別"] == "女"]
    supervisors = rng.sample(men, 13) + rng.sample(women, 11)
    supervisors.sort(key=lambda s: s["員工編號"])
    rows = staff + [{**s, "人員類別": "主管人員"} for s in supervisors]
    return pd.DataFrame(rows)


# ── digital training (all years) ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Group:
    """One target group's classes and participations in a year."""

    target: str
    classes: int
    participations: int
    men: int


TRAINING = {
    108: (Group("銀髮族", 128, 2660, 672), Group("婦女專班", 6, 120, 0),
          Group("原住民", 3, 50, 12), Group("新住民", 3, 70, 4)),
    109: (Group("銀髮族", 87, 1720, 370), Group("婦女專班", 4, 70, 0),
          Group("原住民", 2, 30, 6), Group("新住民", 2, 30, 2)),
    110: (Group("銀髮族", 64, 1210, 257), Group("婦女專班", 3, 50, 0),
          Group("原住民", 1, 18, 4), Group("新住民", 2, 22, 1)),
    111: (Group("銀髮族", 106, 2150, 505), Group("婦女專班", 5, 90, 0),
          Group("原住民", 2, 28, 6), Group("新住民", 2, 32, 2)),
    112: (Group("銀髮族", 121, 2526, 586), Group("婦女專班", 5, 93, 0),
          Group("原住民", 2, 26, 5), Group("新住民", 2, 31, 1)),
}
# 112 senior learners by age band (the report's age-by-gender table): band → (men, women).
SENIOR_BANDS_112 = {(51, 60): (7, 45), (61, 70): (246, 965), (71, 80): (272, 733),
                    (81, 92): (61, 197)}
SENIOR_BAND_WEIGHTS = {(51, 60): 2, (61, 70): 47, (71, 80): 40, (81, 92): 11}
NEW_RESIDENT_ORIGINS = ("越南", "越南", "越南", "印尼", "印尼", "中國大陸", "中國大陸", "菲律賓",
                        "泰國", "緬甸", "馬來西亞")
TOPICS = {"銀髮族": SENIOR_TOPICS, "婦女專班": WOMEN_TOPICS, "原住民": INDIGENOUS_TOPICS,
          "新住民": NEW_RESIDENT_TOPICS}


def learners(rng: random.Random, year: int, group: Group) -> list[dict[str, object]]:
    """The group's participations (gender, age, nationality), shuffled."""
    people: list[dict[str, object]] = []
    genders = ["男"] * group.men + ["女"] * (group.participations - group.men)
    if group.target == "銀髮族":
        if year == 112:
            bands = [(band, g) for band, (m, w) in SENIOR_BANDS_112.items()
                     for g in ["男"] * m + ["女"] * w]
        else:
            keys = list(SENIOR_BAND_WEIGHTS)
            weights = list(SENIOR_BAND_WEIGHTS.values())
            bands = [(rng.choices(keys, weights)[0], g) for g in genders]
        for (low, high), g in bands:
            people.append({"性別": g, "年齡": rng.randint(low, high), "國籍": "中華民國"})
        # A few learners from elsewhere and a few unknown nationalities, so the nationality
        # table has small cells to suppress and missing values to report.
        for person in rng.sample(people, 4):
            person["國籍"] = rng.choice(("中國大陸", "中國大陸", "日本"))
        for person in rng.sample(people, 5):
            person["國籍"] = ""
    else:
        low, high = (25, 65) if group.target == "婦女專班" else (22, 70)
        for g in genders:
            nationality = "中華民國"
            if group.target == "新住民":
                nationality = rng.choice(NEW_RESIDENT_ORIGINS)
            elif group.target == "婦女專班" and rng.random() < 0.05:
                nationality = rng.choice(("越南", "印尼"))
            people.append({"性別": g, "年齡": rng.randint(low, high), "國籍": nationality})
    rng.shuffle(people)
    return people


def digital_training(rng: random.Random, year: int, out: Path) -> None:
    """training_classes and training_participations for one year."""
    classes: list[dict[str, object]] = []
    participations: list[dict[str, object]] = []
    for group in TRAINING[year]:
        people = learners(rng, year, group)
        low, high = (8, 40) if group.target == "銀髮族" else (6, 30)
        sizes = split_total(rng, group.participations, group.classes, low, high)
        dates = weekdays(rng, ad_year(year), group.classes)
        start = 0
        for date, size in zip(dates, sizes, strict=True):
            classes.append({
                "日期": date, "行政區": rng.choice(DISTRICTS), "對象": group.target,
                "時數": rng.choice((1, 2, 2, 3, 3)), "課程名稱": rng.choice(TOPICS[group.target]),
                "_people": people[start : start + size],
            })
            start += size
    classes.sort(key=lambda c: (c["日期"], c["行政區"]))
    for number, cls in enumerate(classes, start=1):
        class_id = f"D{year}-{number:03d}"
        cls["班次代碼"] = class_id
        participations += [{"班次代碼": class_id, **p} for p in cls.pop("_people")]
        cls["日期"] = roc_date(cls["日期"], sep="-")
    columns = ["班次代碼", "日期", "行政區", "對象", "時數", "課程名稱"]
    write_csv(pd.DataFrame(classes)[columns], out / "training_classes.csv")
    write_csv(pd.DataFrame(participations, columns=["班次代碼", "性別", "年齡", "國籍"]),
              out / "training_participations.csv")


# ── a second year (113), shaped unlike 112 ───────────────────────────────────────────────

SECOND_YEAR = 113
SECOND_SEED = 20250301


def write_big5_csv(frame: pd.DataFrame, path: Path) -> None:
    """Big5 (CP950) with CRLF, as older Excel and government systems export 「CSV」."""
    _remove_other_formats(path)
    path.write_bytes(frame.to_csv(index=False, lineterminator="\r\n").encode("cp950"))


def year_113(out: Path) -> None:
    """A second year unlike 112, as a contact person would really bring it.

    - formats mixed: xlsx with Chinese headers, Big5 CSV, UTF-8-with-BOM CSV, ods;
    - 採購工作及審查小組 fails the one-third rule (2 women of 9);
    - a task-force member of gender 其他;
    - no contact_training or training_courses file, and the meetings file has no
      出席專家學者 column;
    - digital-training classes for 一般市民 too, with learners under 50.
    """
    rng = random.Random(SECOND_SEED)
    names = Names(rng)
    members: list[dict[str, object]] = []
    genders = ["男"] * 6 + ["女"] * 10 + ["其他"]
    for i, gender in enumerate(genders):
        external = i in (0, 7, 8)
        person = Person(names(gender), gender, "大學教授" if external else "科長")
        members.append(member_row(
            "性別平等專案小組", 4, person, "外聘" if external else "府內",
            "專家學者委員" if external else "機關代表委員",
            duty="召集人" if i == 1 else ""))
    for i, gender in enumerate(["男"] * 7 + ["女"] * 2):
        person = Person(names(gender), gender, "中心主任")
        members.append(member_row("採購工作及審查小組", None, person, "府內",
                                  "當然委員" if i < 5 else "派聘委員",
                                  duty="召集人" if i == 0 else ""))
    for i, gender in enumerate(["男"] * 12 + ["女"] * 9):
        external = i % 3 == 0
        person = Person(names(gender), gender, "局長" if not external else "教授")
        members.append(member_row(
            "資料治理委員會", 3, person, "外聘" if external else "府內",
            "專家學者或民間團體代表委員" if external else "機關代表委員",
            working_group=("整合應用組", "空間資訊組", "開放資料組")[i % 3] if external else "",
            sector="學界" if external else "政府機關"))
    frame = pd.DataFrame(members)
    frame["屆"] = frame["屆"].astype("Int64")
    write_xlsx(frame, out / "committee_members.xlsx")

    write_big5_csv(pd.DataFrame({
        "會議": ["113-1", "113-2"],
        "日期": ["113-04-15", "113-10-21"],
        "主席": ["首長", "副首長"],
        "主席職稱": ["", ""],
        "委員總數": [17, 17],
        "出席人數": [15, 17],
    }), out / "task_force_meetings.csv")

    engineers = [
        {"職別": job, "性別": gender, "科室": rng.choice(CENTRES), "廠商": rng.choice(VENDORS),
         "年資": round(rng.uniform(0.5, 12), 1)}
        for job, men, women in (("系統工程師", 9, 4), ("網路工程師", 5, 1), ("專案經理", 2, 3))
        for gender in ["男"] * men + ["女"] * women
    ]
    engineers.append({"職別": "網路工程師", "性別": "其他", "科室": CENTRES[1],
                      "廠商": VENDORS[0], "年資": 2.0})
    write_ods(pd.DataFrame(engineers), out / "onsite_engineers.ods")

    staff = []
    for i in range(1, 41):
        gender = "男" if i % 2 else "女"
        hours = 2 if i in (5, 12) else 3
        staff.append({"員工編號": f"F{i:03d}", "人員類別": "一般公務人員", "性別": gender,
                      "完成時數": hours, "實體時數": 1 if i % 3 else 0,
                      "單位": rng.choice(UNITS)})
    staff += [{**s, "人員類別": "主管人員"} for s in staff[:8]]
    write_xlsx(pd.DataFrame(staff), out / "staff_training.xlsx")

    groups = (("銀髮族", 6, (55, 85)), ("一般市民", 4, (20, 49)), ("新住民", 2, (25, 45)))
    classes, participations = [], []
    dates = weekdays(rng, ad_year(SECOND_YEAR), sum(n for _, n, _ in groups))
    number = 0
    for target, count, (low, high) in groups:
        for _ in range(count):
            number += 1
            class_id = f"E{SECOND_YEAR}-{number:03d}"
            classes.append({"班次代碼": class_id, "日期": roc_date(dates[number - 1], sep="-"),
                            "行政區": rng.choice(DISTRICTS), "對象": target, "時數": 2,
                            "課程名稱": rng.choice(TOPICS.get(target, SENIOR_TOPICS))})
            for _ in range(rng.randint(8, 16)):
                participations.append({
                    "班次代碼": class_id, "性別": rng.choice(("男", "女", "女")),
                    "年齡": rng.randint(low, high),
                    "國籍": rng.choice(NEW_RESIDENT_ORIGINS) if target == "新住民" else "中華民國",
                })
    write_csv(pd.DataFrame(classes), out / "training_classes.csv")
    write_big5_csv(pd.DataFrame(participations), out / "training_participations.csv")

    items = ("數位平權推動相關費用", "專家學者出席費支付有關性別平等相關費用")
    write_csv(pd.DataFrame([
        {"年度": y, "項次": i + 1, "計畫項目名稱": items[i], "預算數": amount}
        for y, amounts in ((113, ("5,600,000", "22,500")), (114, ("5,900,000", "24,000")))
        for i, amount in enumerate(amounts)
    ]), out / "gender_budget.csv")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "data",
                        help="data folder to write into (default: the project's data/)")
    parser.add_argument("--second-year", action="store_true",
                        help=f"write only the second sample year ({SECOND_YEAR}) into --out")
    args = parser.parse_args(argv)
    if args.second_year:
        year_113(args.out / str(SECOND_YEAR))
        print(f"second sample year written to {args.out / str(SECOND_YEAR)}")
        return
    rng = random.Random(SEED)
    names = Names(rng)
    experts = year_112(rng, names, args.out / "112")
    for year in sorted(TRAINING):
        digital_training(rng, year, args.out / str(year))
    results_inputs_112(experts, names.used, args.out / "112")
    print(f"sample data written to {args.out}")


if __name__ == "__main__":
    main()
