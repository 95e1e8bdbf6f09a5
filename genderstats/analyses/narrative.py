"""Findings sentences in the seed report's own wording, generated from the numbers.

Each function reads one row of a gender table (see :mod:`genderstats.stats`) or of a
rule/trend table, so a sentence can never disagree with the table beside it. Shares are
printed in the styles of :mod:`genderstats.numbers`; comparisons (多於, 平衡, 缺…代表) use
the counts.

The seed writes the balance clause with 「則」 in most bullets (「，則女多於男」, 「，則男女
平衡」, 「，則缺女性代表」); that one style is used throughout.

>>> from genderstats.stats import counts_table
>>> t = counts_table({"法人代表": {"男": 2, "女": 2}})
>>> composition_sentence("法人代表", t.loc["法人代表"])
'法人代表男女比例各佔50%，則男女平衡'
"""

from __future__ import annotations

import pandas as pd

from genderstats.config import TOTAL
from genderstats.numbers import form_pct, format_count, format_pct, pct_points
from genderstats.present.tables import GENDER_WORDS

__all__ = [
    "balance_clause",
    "composition_sentence",
    "rule_sentence",
    "minority_sentence",
    "trend_sentence",
    "count_sentence",
]


def _n(row: pd.Series, col: str) -> int:
    return int(row[col]) if col in row.index else 0


def balance_clause(row: pd.Series) -> str:
    """「，則女多於男」, 「，則男多於女」, 「，則男女平衡」, 「，則缺女性代表」… from the counts.

    Returns "" for a row with nobody in it.

    >>> balance_clause(pd.Series({"男": 3, "女": 0, "其他": 0, "合計": 3}))
    '，則缺女性代表'
    """
    men, women, total = _n(row, "男"), _n(row, "女"), _n(row, TOTAL)
    if total == 0:
        return ""
    if men == 0 and women == 0:
        return "，則無男性及女性代表"
    if women == 0:
        return "，則缺女性代表"
    if men == 0:
        return "，則缺男性代表"
    if women > men:
        return "，則女多於男"
    if men > women:
        return "，則男多於女"
    return "，則男女平衡"


def composition_sentence(
    label: str, row: pd.Series, *, decimals: int = 0, balance: bool = True,
    whole: bool = False,
) -> str:
    """「全體委員男女比例為女性佔40%、男性佔60%」, women first as in the seed.

    With ``balance`` (default) the :func:`balance_clause` follows. Equal numbers of men and
    women read 「…男女比例各佔50%，則男女平衡」; 其他 is mentioned only when present; a row
    with nobody reads 「…無成員，無法計算男女比例」. ``whole`` prints a whole percentage
    without decimals (「佔40%」 rather than 「佔40.00%」), for a page whose tables do so.

    >>> from genderstats.stats import counts_table
    >>> row = counts_table({"開放資料組": {"男": 3, "女": 0}}).loc["開放資料組"]
    >>> composition_sentence("開放資料組", row)
    '開放資料組男女比例為女性佔0%、男性佔100%，則缺女性代表'
    """
    men, women, other, total = (_n(row, c) for c in ("男", "女", "其他", TOTAL))
    clause = balance_clause(row) if balance else ""
    if total == 0:
        return f"{label}無成員，無法計算男女比例"
    if men == 0 and women == 0:
        return f"{label}成員皆為其他性別" + clause

    def pct(count: int) -> str:
        return format_pct(count / total, decimals, whole=whole)

    if men == women and other == 0:
        return f"{label}男女比例各佔{pct(men)}" + clause
    text = f"{label}男女比例為女性佔{pct(women)}、男性佔{pct(men)}"
    if other:
        text += f"、其他性別佔{pct(other)}"
    return text + clause


def rule_sentence(
    rule_row: pd.Series, *, subject: str = "", threshold_text: str = "三分之一"
) -> str:
    """A row of :func:`genderstats.stats.one_third_rule` as a sentence.

    >>> from genderstats.stats import counts_table, one_third_rule
    >>> r = one_third_rule(counts_table({"小組": {"男": 7, "女": 2}})).loc["小組"]
    >>> rule_sentence(r)
    '未達任一性別不低於三分之一之規定，尚缺女性1人'
    """
    rule = f"任一性別不低於{threshold_text}之規定"
    if int(rule_row["人數"]) == 0:
        return f"{subject}無成員，不適用{rule}"
    if bool(rule_row["符合"]):
        return f"{subject}符合{rule}"
    short = [
        f"{GENDER_WORDS[g]}{int(rule_row[f'{g}缺少人數'])}人"
        for g in ("男", "女")
        if int(rule_row[f"{g}缺少人數"]) > 0
    ]
    return f"{subject}未達{rule}，尚缺{'、'.join(short)}"


def minority_sentence(label: str, row: pd.Series, *, unit: str = "人") -> str:
    """The lower single-gender share (較低者單一性別比例) as a sentence, printed as the
    form's column prints it (:func:`genderstats.numbers.form_pct`).

    >>> from genderstats.stats import counts_table
    >>> minority_sentence("全體委員", counts_table({"全體委員": {"男": 6, "女": 11}}).iloc[0])
    '全體委員17人，較低者單一性別（男性）比例為35.29%'
    """
    men, women, total = _n(row, "男"), _n(row, "女"), _n(row, TOTAL)
    if total == 0:
        return f"{label}無成員"
    head = f"{label}{format_count(total)}{unit}"
    if men == 0 and women == 0:
        return f"{head}，皆為其他性別，無男性及女性代表"
    if men == women:
        return f"{head}，男女各佔{form_pct(men / total)}"
    lower = "男" if men < women else "女"
    share = form_pct(min(men, women) / total)
    return f"{head}，較低者單一性別（{GENDER_WORDS[lower]}）比例為{share}"


def trend_sentence(
    trend_df: pd.DataFrame,
    *,
    year: int | None = None,
    gender: str = "女",
    label: str = "參與人次",
    decimals: int = 2,
) -> str:
    """One year of :func:`genderstats.stats.trend` compared with the row before it.

    「112年女性參與人次佔77.88%，較111年增加1.23個百分點」; 減少 when it fell, 「與111年
    持平」 when the change rounds to 0, 「111年無資料，無法比較」 when the previous year is
    missing, 「112年無資料」 when the year itself is (「112年無參與人次」 when its total is
    0, so there is no share to speak of). ``year`` defaults to the last row.
    The change is the difference of the two percentages as printed, so a reader who
    subtracts them gets the same number (the trend table's 女%變化 keeps the exact value).

    >>> df = pd.DataFrame({"year": [111] * 4 + [112] * 4, "gender": list("男女女女男女女女")})
    >>> from genderstats.stats import trend
    >>> trend_sentence(trend(df, [111, 112]))
    '112年女性參與人次佔75.00%，與111年持平'
    """
    years = list(trend_df.index)
    if not years:
        raise ValueError("趨勢表沒有任何年度")
    current = years[-1] if year is None else year
    if current not in years:
        raise KeyError(f"趨勢表沒有 {current} 年")
    pos = years.index(current)
    share_col = f"{gender}%"
    share = trend_df.loc[current, share_col]
    if pd.isna(trend_df.loc[current, TOTAL]):
        return f"{current}年無資料"
    if trend_df.loc[current, TOTAL] == 0:
        return f"{current}年無{label}"
    text = f"{current}年{GENDER_WORDS[gender]}{label}佔{format_pct(share, decimals)}"
    if pos == 0:
        return text
    previous = years[pos - 1]
    before = trend_df.loc[previous, share_col]
    if pd.isna(trend_df.loc[previous, TOTAL]):
        return f"{text}，{previous}年無資料，無法比較"
    if pd.isna(before):  # the previous year had data but a total of 0
        return f"{text}，{previous}年無{label}，無法比較"
    diff = pct_points(share, before, decimals)
    if diff == 0:
        return f"{text}，與{previous}年持平"
    direction = "增加" if diff > 0 else "減少"
    return f"{text}，較{previous}年{direction}{abs(diff):.{decimals}f}個百分點"


def count_sentence(
    row: pd.Series,
    *,
    label: str = "參訓人數",
    unit: str = "人次",
    decimals: int = 2,
    lead: str = "",
) -> str:
    """Counts with shares in brackets, men first, as the seed's training summary.

    >>> from genderstats.stats import counts_table
    >>> row = counts_table({"男": 592, "女": 2084}).iloc[0]
    >>> count_sentence(row, lead="總計開班130班，")
    '總計開班130班，參訓人數為2,676人次，男性為592人次（22.12%），女性為2,084人次（77.88%）'
    """
    total = _n(row, TOTAL)
    text = f"{lead}{label}為{format_count(total)}{unit}"
    if total == 0:
        return text
    for g in ("男", "女", "其他"):
        count = _n(row, g)
        if g == "其他" and count == 0:
            continue
        text += f"，{GENDER_WORDS[g]}為{format_count(count)}{unit}"
        text += f"（{format_pct(count / total, decimals)}）"
    return text
