"""data/README.md documents every dataset, column, accepted header and vocabulary in the code."""

from __future__ import annotations

import re

import pytest

from genderstats import config, data
from genderstats.data.vocab import GENDER_ALIASES

README = (config.DATA_DIR / "README.md").read_text(encoding="utf-8")


def section(stem: str) -> str:
    match = re.search(rf"^### {stem}（.*?(?=^## |^### |\Z)", README, flags=re.M | re.S)
    assert match, f"data/README.md has no section for {stem}"
    return match.group(0)


@pytest.mark.parametrize("stem", list(data.DATASETS))
def test_every_dataset_and_column_is_documented(stem: str) -> None:
    spec = data.DATASETS[stem]
    text = section(stem)
    assert text.startswith(f"### {stem}（{spec.title}）")
    for column in spec.columns:
        row = re.search(rf"^\| `{column.name}` \|([^|]*)\|([^|]*)\|([^|]*)\|", text, flags=re.M)
        assert row, f"{stem}.{column.name} missing from data/README.md"
        headers = [h.strip() for h in row.group(1).split("、")]
        assert headers == list(column.accepted_headers[:-1]), (stem, column.name)
        assert row.group(3).strip() == ("必填" if column.required else "選填"), column.name
        for choice in column.choices if column.kind == "choice" else ():
            assert choice in row.group(0) or choice in text, (column.name, choice)


def test_vocabularies_are_documented() -> None:
    for canonical, spellings in GENDER_ALIASES.items():
        row = re.search(rf"^\| {canonical} \|(.*)\|$", README, flags=re.M)
        assert row, canonical
        documented = {s.strip().casefold() for s in row.group(1).split("、")}
        assert documented == {canonical.casefold(), *(s.casefold() for s in spellings)}
    for band in data.AGE_BANDS:
        assert f"| {band} |" in README
    assert "genderstats validate --year 113" in README


def test_every_check_across_files_is_documented() -> None:
    from genderstats.data.crossfile import RULES, rules_of

    match = re.search(r"^### 檔案之間的檢查\n.*?(?=^## |^### |\Z)", README, flags=re.M | re.S)
    assert match, "data/README.md has no section on the checks across files"
    text = match.group(0)
    rows = re.findall(r"^\| `(\w+)`「([^」]+)」[^|]*\| `(\w+)` ", text, flags=re.M)
    assert rows == [(r.dataset, data.DATASETS[r.dataset].column(r.column).label, r.other)
                    for r in RULES]
    (evaluations,) = rules_of("course_evaluations")
    assert f"`提醒：data/112/course_evaluations.csv：{evaluations.note('data/112')}`" in text
