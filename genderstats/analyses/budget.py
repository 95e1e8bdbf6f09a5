"""The gender budget (性別預算): this year's and next year's items and the change between them."""

from __future__ import annotations

import pandas as pd

from genderstats.data import absence
from genderstats.numbers import format_count, format_pct

TOTAL_LABEL = "總計"


def budget_items(budget: pd.DataFrame, year: int) -> pd.DataFrame:
    """The items budgeted for ``year`` with a 總計 row, as the results report lists them.

    >>> budget_items(gs.data.load("gender_budget", 112), 112)["預算數"].iloc[-1]  # doctest: +SKIP
    5842500
    """
    rows = budget[budget["year"] == year].reset_index(drop=True)
    # 項次 is only the items' order: a blank or absent one is the item's place in the list.
    numbers = rows.get("item_no", pd.Series(pd.NA, index=rows.index))
    items = pd.DataFrame({
        "項次": [str(n).strip() if not pd.isna(n) and str(n).strip() else str(i + 1)
                 for i, n in enumerate(numbers)],
        "計畫項目名稱": rows["item"].astype(str),
        "預算數": rows["amount"].astype("int64"),
        # Without the column there is no word on the effect: say so, never leave it blank.
        absence.EFFECT.label: absence.EFFECT.cells(
            budget, rows.get("effect", pd.Series("", index=rows.index)).fillna("")),
    })
    # 總計 heads its row: a row header cell must not be empty (screen readers announce it).
    total = pd.DataFrame({"項次": [TOTAL_LABEL], "計畫項目名稱": [""],
                          "預算數": [int(items["預算數"].sum())], absence.EFFECT.label: [""]})
    return pd.concat([items, total], ignore_index=True)


def budget_change(budget: pd.DataFrame, year: int, next_year: int) -> pd.DataFrame:
    """Each item's amount in both years (matched by name), the change, and a 總計 row.

    An item found in one year only has 0 in the other, so a new or dropped item shows.
    """
    def amounts(y: int) -> pd.Series:
        return budget[budget["year"] == y].groupby("item", sort=False)["amount"].sum()

    this, nxt = amounts(year), amounts(next_year)
    names = list(dict.fromkeys([*this.index, *nxt.index]))
    table = pd.DataFrame({
        "計畫項目名稱": names,
        f"{year}年": [int(this.get(n, 0)) for n in names],
        f"{next_year}年": [int(nxt.get(n, 0)) for n in names],
    })
    table.loc[len(table)] = [TOTAL_LABEL, int(table[f"{year}年"].sum()),
                             int(table[f"{next_year}年"].sum())]
    table["增減"] = table[f"{next_year}年"] - table[f"{year}年"]
    return table


def change_text(change: pd.DataFrame, year: int, next_year: int) -> str:
    """The report's 「下年度與本年度相較之增減」: 「無」 when nothing changed, else the changes."""
    items = change[change["計畫項目名稱"] != TOTAL_LABEL]
    changed = items[items["增減"] != 0]
    if changed.empty:
        return "無"
    total = change[change["計畫項目名稱"] == TOTAL_LABEL].iloc[0]
    before, delta = int(total[f"{year}年"]), int(total["增減"])
    word = "增加" if delta > 0 else "減少"
    head = f"{next_year}年較{year}年{word}{format_count(abs(delta))}元" if delta else \
        f"{next_year}年與{year}年總額相同"
    if delta and before:
        head += f"（{format_pct(abs(delta) / before)}）"
    parts = []
    for _, row in changed.iterrows():
        d = int(row["增減"])
        if int(row[f"{year}年"]) == 0:
            parts.append(f"新增「{row['計畫項目名稱']}」{format_count(d)}元")
        elif int(row[f"{next_year}年"]) == 0:
            parts.append(f"「{row['計畫項目名稱']}」未編列（{year}年{format_count(-d)}元）")
        else:
            parts.append(f"「{row['計畫項目名稱']}」{'增加' if d > 0 else '減少'}"
                         f"{format_count(abs(d))}元")
    return head + "：" + "；".join(parts) + "。"
