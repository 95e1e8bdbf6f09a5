"""The city's form of the results report: its fixed wording, the same every year.

The categories and items of 七 with the rules above them, the definitions and footnotes of
性別意識培力, 三, 四 and 五, the approval line. The analyst's texts
(``data/<year>/results_report.yml``) name a category and an item by its label and number;
every word printed here comes from this module, never from a year's text file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from genderstats.years import roc_date_words

MARK = "*"
"""The form's footnote mark, after the term it explains and before the footnote."""


@dataclass(frozen=True)
class Category:
    """One category (一)–(六) of 七 and its items, in the form's order."""

    label: str
    """「(一)」."""
    text: str
    items: tuple[str, ...]
    """Each item's wording without its number (the form prints 「1、…」)."""

    @property
    def title(self) -> str:
        """「(一) 針對本府重要性別平等議題…」, as the form prints it."""
        return f"{self.label} {self.text}"

    def item(self, number: int) -> str:
        """「1、以性別觀點建構之…」: item ``number`` (from 1) as the form prints it."""
        return f"{number}、{self.items[number - 1]}"


CATEGORIES: tuple[Category, ...] = (
    Category("(一)", "針對本府重要性別平等議題，主動規劃辦理促進性別平等或相較於現行法令更加友善之"
                    "政策、措施、方案、計畫等之一", (
        "以性別觀點建構之因應少子化高齡化政策、2030邁向永續發展的臺北市性別平等政策。",
        "女性經濟賦權與照顧、勞動職場性別平等、促進工作與家庭平衡等。",
        "與性別相關之交織歧視議題，例如身心障礙女性、高齡女性、女童等。",
        "關注男性處境及需求，提供具性別觀點之政策、計畫或服務。",
    )),
    Category("(二)", "針對本府重要性別平等議題，主動規劃辦理促進性別平等或相較於現行法令更加友善之"
                    "政策、措施、方案、計畫等之二", (
        "因應司法院釋字第748號解釋施行法施行，同志家庭及其第二代相關服務與措施。",
        "研析跨性別者與雙性人等性少數之困境及需求，於政策措施層面檢視及改善。",
        "於各業務或各類型計畫涉及人數、人次、人口比例等之 KPI，倘其性別數據卻有差異且確有可能"
        "達致性別不平等，於整體目標值外，分設男女目標值。",
        "國際參與融入性別平等議題，如參與各類主題之研討會、工作坊、參訪或拜會等國際交流，"
        "分享或發表機關構或本府推動性別平等相關成果。",
        "各機關辦理府級政策規劃或管考業務融入性別平等概念，例如(委託)研究發展項目先期審查、"
        "市府策略地圖、創意提案競賽、智慧城市、運用統計資訊支援決策情形等。",
    )),
    Category("(三)", "積極運用與結合資源拓展性別平等業務，鼓勵、督導區公所、所屬機關、民間組織"
                    "(如人民團體、基金會、機構等)與企業推動性別平等", (
        "鼓勵、督導所屬機關、自營館所等單位訂頒推動性別主流化實施計畫。",
        "鼓勵、委託、合作或補助區公所、所屬機關、民間組織與企業訂定、辦理或推動性別平等計畫、"
        "方案或措施。",
        "於各類補助、獎勵、徵選、評鑑及考核區公所、所屬機關、民間組織與企業之計畫或方案等，"
        "納入對象若有推動性別平等之事項得以加額補助、優先補助、加分等積極獎勵作為。",
        "建立民間團體於性平小組間接提案機制，例如邀請民間團體於機關構性別平等專案小組列席、"
        "專案報告或提案。",
    )),
    Category("(四)", "推動及實踐性別友善環境、設計及服務", (
        "建置或改建各類性別友善設施設備及服務，如友善育嬰設施、臨托服務、哺集乳室、衡平廁所"
        "性別比例、不分性別廁所或盥洗室、親子廁所盥洗室、照護床等。",
        "辦理活動時優先考量設有性別友善設施設備之場地。",
        "於活動場地設置各項性別友善設施設備及服務。",
        "規劃性別友善專區提供服務。",
    )),
    Category("(五)", "市民性別平等宣導及教育", (
        "辦理以性別平等為主軸之活動。",
        "辦理活動時，於主題融入性別平等概念，或於內容納入性別平等專題活動。",
        "依節日規劃與性別平等相關之專題活動或方案，例如兒童節、婦女節、社工日、母親節、"
        "護理師節、國際反恐同日、父親節、臺灣女孩日等。",
        "運用多元宣導方式(含平面、網頁、廣播、影音、座談會、說明會、記者會、活動、性別意識培力"
        "課程等)或擴大宣導涵蓋範圍及對象(含屬學校教師學生、民間組織、人民團體、基金會、機構、"
        "企業、里長、一般民眾等)。",
        "自製具性別平等意識之宣導文宣：須有具體宣導內容。",
    )),
    Category("(六)", "依業務屬性自編性別平等教材或案例", (
        "針對與機關構業務相關專業人員研發具性別平等意識之教材或案例，如社工、托育人員、警察、"
        "消防員、護理師、照顧服務員等。",
        "針對機關構業務研發一般具性別平等意識之教材或案例彙編等。",
        "針對一般民眾研發性別平等宣導教材，如繪本、桌遊、案例彙編等。",
    )),
)
"""七's six categories; every year's report shows all of them with all their items."""

RULES: tuple[str, ...] = (
    "辦理單位及規範：各執行辦理單位依組別每年辦理類別及項目如下：",
    "(一) A群：下開(一)至(六)類，每年至少辦理5類，總計至少7項以上。",
    "(二) B群：下開(一)至(六)類，每年至少辦理4類，總計至少5項以上。",
    "(三) C群：下開(一)至(六)類，每年至少辦理3類，總計至少3項以上。",
    "(四) D群：下開(一)至(六)類，每年至少辦理3類，總計至少5項以上。",
    "(五) D1組、E1組：下開(一)至(六)類，每年至少辦理2類，總計至少3項以上。",
)
"""The lines above 七's table: how many categories and items each group must do."""

# ── 性別意識培力 ──────────────────────────────────────────────────────────────────────────

STAFF_DEFINITIONS: dict[str, str] = {
    "一般公務人員": "「一般公務人員」係指1. 依法任用、派用之有給專任人員；2. 依法聘任、聘用及"
                "僱用人員；3. 公務人員考試錄用人員。",
    "主管人員": "「主管人員」係指市府及機關正副首長、正副幕僚長及單位主管，",
}
"""Who each staff type is; the footnote goes on with the hours every one must complete."""

CONTACT_JOB_CHANGE = "年中間因職務異動者，則依人事處認定方式填列參訓時數。"
"""The end of (四)'s footnote, after the hours the contact people must complete."""

VARIED_FORMS = ("「訓練方式」之「多元形式」係指非僅以傳統講師授課方式辦理，如工作坊、座談會、參訪、"
                "電影賞析、讀書會、選讀性平相關媒材、個案研討、分組討論、角色扮演、體驗學習、案例演練、"
                "論壇、小旅行或實地踏查等；或其他具創意性且可提升前開各類受訓人員性別意識及知能等方式。")
"""(五)'s footnote on the training method 多元形式."""

# ── 二、三、四、五 ────────────────────────────────────────────────────────────────────────

ATTENDANCE = "全體委員出席比率(%) (代理出席仍可列計)"
"""二 (二) 運作情形's attendance column: a member's proxy counts as attending."""

STATISTICS_LEVEL_NOTE = ("主計處列管係指為「臺北市性別統計指標」之指標項目；"
                         "若非前項所指則為機關(構)列管。")
ANALYSIS_NOTE = ("委託研究案需納入性別專章/性別分析，並將分析結果提報至性平小組會議，"
                 "才可列為機關(構)專題篇數。")
MEETING_NOTE = ("程序參與皆採提報性平小組會議辦理者，會議日期填寫「初次提報審查」及「修正後提報」"
                "之2次會議日期；如初次審查採研商會議或書面審查者，會議日期填寫「修正後提報性平小組"
                "會議日期」。")
CSR_COLUMN = f"採購過程使用CSR評選指標{MARK}納入「落實性別平等」項目"
LARGE_PROCUREMENT_NOTE = ("巨額採購(工程採購2億元、財物採購1億元、勞務採購2千萬元以上者)之評選"
                          "優先適用「企業社會責任評選項目表」，表單內容參考：https://bit.ly/2X8KvgA")
"""The footnote of :data:`CSR_COLUMN`."""

# ── the approval line ────────────────────────────────────────────────────────────────────

APPROVAL = "{date}經資訊局性平小組決議通過"
"""The line under the title once the next year's task force has approved the report."""


def approval_line(date: dt.date) -> str:
    """「113年2月22日經資訊局性平小組決議通過」."""
    return APPROVAL.format(date=roc_date_words(date))
