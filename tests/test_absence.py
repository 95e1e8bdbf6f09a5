"""Absence is stated, never inferred: what validate announces as 無資料 is what the pages show.

Every optional input and every optional column of every report is removed in turn from a copy
of the sample year; each report reading it is run in this process, its notebook cell by
cell as the build runs it, and the 無資料 statements on the page are compared with the
statements validate announces for it (both come from genderstats.data.absence).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import nbformat
import pandas as pd
import pytest
from conftest import validate_as_typed

from genderstats import config
from genderstats.data import absence, needs
from genderstats.data.specs import DATASETS
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.cli import main
from genderstats.pipeline.registry import load_registry
from genderstats.present import charts
from genderstats.present.model import (
    Block,
    Document,
    Findings,
    Group,
    Heading,
    ItemList,
    Paragraph,
    Section,
    Table,
)
from tests.conftest import SAMPLE_YEARS, copy_registry, copy_sample_data, published_reports

YEAR = 112
SAYS = re.compile(r"無[^，。；、]*資料")
"""A 無資料 statement: 「本年度無…資料」, 「…無專家學者委員出席資料」, a cell 「無資料」."""


# --------------------------------------------------------------------------- the pages


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    return buffer.getvalue()


_BLANK_PNG = _png()


def page_blocks(notebook: Path, parameters: dict[str, Any]) -> list[Block]:
    """The blocks ``notebook`` shows, run here cell by cell as a kernel runs it: the
    parameters cell, then the given parameters, then every cell, keeping what ``display``
    shows and each cell's last value (unless the cell ends with 「;」). Charts keep their
    words (title, alt text, data) but are not drawn: a statement is text."""
    import IPython.display

    nb = nbformat.read(notebook, as_version=4)
    scope: dict[str, Any] = {"__name__": "__main__"}
    shown: list[Any] = []
    with mock.patch.object(IPython.display, "display",
                           lambda *objs, **_: shown.extend(objs)), \
            mock.patch.object(charts, "render_png", lambda _: _BLANK_PNG):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            if "parameters" in cell.metadata.get("tags", []):
                exec(cell.source, scope)  # noqa: S102 - the project's own notebooks
                scope.update(parameters)
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) \
                else None
            exec(compile(tree, notebook.name, "exec"), scope)  # noqa: S102
            if last is not None:
                value = eval(compile(ast.Expression(last.value), notebook.name, "eval"),  # noqa: S307
                             scope)
                if value is not None and not cell.source.rstrip().endswith(";"):
                    shown.append(value)
    return [b for b in shown if isinstance(b, Block)]


def _texts(blocks: list[Any]) -> Iterator[str]:
    """Every text of ``blocks`` a reader sees, a table's 無資料 cells as 「label」欄：無資料."""
    for block in blocks:
        if isinstance(block, (Group, Section, Document)):
            yield from _texts(list(block.blocks))
        elif isinstance(block, (Paragraph, Heading)):
            yield block.text
        elif isinstance(block, (Findings, ItemList)):
            yield from block.items
        elif isinstance(block, Table):
            labels = block.column_labels
            for line in block.grid[len(block.head):]:
                for col, placed in enumerate(line):
                    text = placed.cell.text if placed.cell is not None else ""
                    yield (f"「{labels[col]}」欄：{text}" if text == absence.NO_DATA
                           else text)
            yield block.note
        else:
            yield getattr(block, "alt", "") or ""


def statements_on(blocks: list[Any]) -> set[str]:
    """The 無資料 statements a page shows."""
    return {t for t in _texts(blocks) if SAYS.search(t)}


# --------------------------------------------------------------------------- the cases


def _file(folder: Path, stem: str) -> Path:
    return next(p for p in folder.iterdir() if p.stem == stem)


def remove(data: Path, stem: str, column: str | None) -> None:
    """Remove ``stem``'s file from the year, or only its ``column`` (the file is written
    again as a UTF-8 CSV, every other cell as it was; a file without the column is left
    as it is: it is already the case)."""
    path = _file(data / str(YEAR), stem)
    if column is None:
        path.unlink()
        return
    if path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    else:
        frame = pd.read_excel(path, dtype=str, keep_default_na=False)
    kept = [h for h in frame.columns if DATASETS[stem].match_header(str(h)) != column]
    if len(kept) < len(frame.columns):
        path.unlink()
        frame[kept].to_csv(data / str(YEAR) / f"{stem}.csv", index=False, encoding="utf-8")


def cases() -> list[tuple[str, str | None]]:
    """Every optional input of a report, and every optional column of each input it reads."""
    found: dict[tuple[str, str | None], None] = {}
    for report in published_reports():
        for stem in report.optional:
            found[(stem, None)] = None
        for stem in (*report.requires, *report.optional):
            for column in DATASETS[stem].columns if stem in DATASETS else ():
                if not column.required:
                    found[(stem, column.name)] = None
    return list(found)


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> Path:
    return copy_registry(tmp_path_factory.mktemp("registry") / "notebooks")


def _pages(data: Path, registry: Path, stem: str | None
           ) -> Iterator[tuple[Any, set[str] | None]]:
    """Validate's verdict and the statements on the page, for each report that reads
    ``stem`` (every report when None). A page outside absence.DECLARED with no declared
    statement to look for, and a report validate says cannot be built, are not run."""
    with mock.patch.object(config, "REGISTRY_FILE", registry):
        for report in load_registry(registry):
            if stem is not None and stem not in (*report.requires, *report.optional):
                continue
            verdict = needs.check_report(report, YEAR, data)
            if not verdict.buildable or (stem is not None and not verdict.statements
                                         and verdict.page not in absence.DECLARED):
                yield verdict, None
                continue
            blocks = page_blocks(report.notebook, {"year": YEAR, "data_dir": str(data),
                                                   **report.parameters})
            yield verdict, statements_on(blocks)


@pytest.mark.parametrize("stem, column", [(None, None), *cases()],
                         ids=lambda v: v or "-")
def test_validate_announces_exactly_the_statements_each_page_shows(
        tmp_path, registry, stem, column) -> None:
    data = copy_sample_data(tmp_path / "data", SAMPLE_YEARS)
    if stem is not None:
        remove(data, stem, column)
    checked = 0
    for verdict, shown in _pages(data, registry, stem):
        checked += 1
        rid = verdict.report_id
        announced = {s.shown(YEAR) for s in verdict.statements}
        if not verdict.buildable:  # a required file removed: validate says so
            assert verdict.missing_required == [stem] and column is None, rid
            continue
        if shown is None:  # the results report, with nothing declared for this input
            assert verdict.notes and not announced, rid
            continue
        if verdict.page in absence.DECLARED:
            assert announced == shown, rid
            # validate prints each one with its exact words.
            assert len(verdict.notes) == len(verdict.statements), rid
            for note, statement in zip(verdict.notes, verdict.statements, strict=True):
                assert f"寫「{statement.say(YEAR)}」" in note, (rid, note)
        else:
            # The results report's own parts are not declared yet: validate names what is
            # missing, and the statements declared for its page are on it.
            assert announced <= shown, rid
        if stem is None:
            assert not shown and not verdict.notes, rid
    assert checked


def test_the_cases_cover_every_optional_input_of_the_six_topic_pages() -> None:
    found = set(cases())
    assert ("recommendations", None) in found
    assert {("task_force_meetings", None), ("contact_training", None),
            ("training_courses", None)} <= found
    assert {("onsite_engineers", "seniority_years"), ("contact_training", "duty"),
            ("training_participations", "age"), ("committee_members", "working_group")} <= found
    # Every declared statement is reached by a case (or by the sample, for derived columns).
    for s in absence.STATEMENTS:
        assert (s.dataset, None) in found or any((s.dataset, c) in found for c in s.columns), s


# --------------------------------------------------------------------------- the statements


def _one_page(data: Path, registry: Path, rid: str) -> list[Block]:
    report = next(r for r in load_registry(registry) if r.id == rid)
    with mock.patch.object(config, "REGISTRY_FILE", registry):
        return page_blocks(report.notebook, {"year": YEAR, "data_dir": str(data),
                                             **report.parameters})


def test_recommendations_none_and_no_file_are_two_statements(tmp_path, registry) -> None:
    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    # The sample's file has no recommendation for the task force: it has none this year.
    page = _one_page(data, registry, "gender-equality-task-force")
    assert "本年度無建議事項。" in [b.text for b in page if isinstance(b, Paragraph)]
    assert "本年度無建議事項資料。" not in statements_on(page)
    (data / str(YEAR) / "recommendations.yml").unlink()
    for rid in ("gender-equality-task-force", "data-governance-committee",
                "procurement-review-committee", "onsite-engineers", "digital-training",
                "gender-training"):
        texts = [b.text for b in _one_page(data, registry, rid) if isinstance(b, Paragraph)]
        assert "本年度無建議事項資料。" in texts, rid
        assert "本年度無建議事項。" not in texts, rid


def test_missing_seniority_is_said_in_its_own_section(tmp_path, registry) -> None:
    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    remove(data, "onsite_engineers", "seniority_years")
    page = _one_page(data, registry, "onsite-engineers")
    at = next(i for i, b in enumerate(page) if isinstance(b, Heading) and b.text == "依年資")
    assert page[at + 1].text == "本年度駐點工程師資料無「年資」欄，無年資資料。"


def test_missing_duty_fills_the_contact_table_column_with_no_data(tmp_path) -> None:
    from genderstats.analyses import results_report

    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    remove(data, "contact_training", "duty")
    table = results_report.header_part(results_report.load_inputs(YEAR, data))[-1]
    assert list(table.frame.columns) == ["身分", "姓名", "科室", "職稱", "任務"]
    assert table.frame["任務"].tolist() == ["無資料", "無資料"]
    assert table.frame["科室"].tolist() == ["數位策略中心", "數位策略中心"]


def test_missing_role_is_never_read_as_a_plain_member(tmp_path, registry) -> None:
    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    remove(data, "committee_members", "role")
    page = _one_page(data, registry, "gender-equality-task-force")
    roster = next(t for g in page if isinstance(g, Group) for t in g.blocks
                  if isinstance(t, Table) and t.caption.endswith("委員名單")).frame
    assert list(roster.columns[:3]) == ["小組成員", "兼任", "職稱"]
    assert set(roster["小組成員"]) == {"無資料"}
    assert "召集人" in roster["兼任"].tolist()


def test_missing_course_columns_read_no_data_never_unticked(tmp_path, registry) -> None:
    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    remove(data, "training_courses", "methods")
    page = _one_page(data, registry, "gender-training")
    table = next(b for b in page if isinstance(b, Table) and b.caption == f"{YEAR}年自辦訓練")
    assert table.frame["訓練方式"].tolist() == ["無資料"]
    assert "☐" in table.frame["課程類別"].iloc[0]


PAGE_NAMES = {absence.COMMITTEE: "委員會", absence.ENGINEERS: "駐點工程師",
              absence.DIGITAL: "數位訓練", absence.TRAINING: "性別意識培力",
              absence.ANNUAL: "成果報告"}


def readme_row(s: absence.Statement) -> str:
    """The statement's row in data/README.md〈沒有資料時頁面寫什麼〉."""
    what = ("".join(f"「{DATASETS[s.dataset].column(c).label}」" for c in s.columns) + "欄"
            if s.columns else "整個檔案")
    words = f"「{s.label}」欄每一格寫「{absence.NO_DATA}」" if s.label else s.say(YEAR)
    pages = "、".join(PAGE_NAMES[p] for p in s.pages)
    return f"| `{s.dataset}` | {what} | {pages} | {s.place} | {words} |"


def test_every_statement_is_documented() -> None:
    readme = (config.DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("### 沒有資料時頁面寫什麼", 1)[1].split("\n## ", 1)[0]
    section = section.split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows == [readme_row(s) for s in absence.STATEMENTS]


# --------------------------------------------------------------------------- validate and build


@pytest.mark.slow
def test_a_year_without_recommendations_says_so_in_validate_and_on_the_page(
        tmp_path, capsys, registry) -> None:
    data = copy_sample_data(tmp_path / "data", SAMPLE_YEARS)
    (data / str(YEAR) / "recommendations.yml").unlink()
    code = validate_as_typed(data, "--year", str(YEAR), "--registry", str(registry))
    text = capsys.readouterr().out
    assert code == 0
    note = ("      － 本年度無建議事項資料（recommendations.yml／.yaml）："
            "建議事項處寫「本年度無建議事項資料。」")
    lines = text.splitlines()
    at = lines.index("  ✓ 資料治理委員會性別統計分析（data-governance-committee）：可以產製。")
    assert lines[at + 1] == note
    assert text.count(note) == 6
    assert lines[-1] == "data/112：所有報告都可以產製，6 個段落將顯示「無資料」（見上方說明）。"

    result = build(BuildOptions(year=YEAR, data_dir=data, out_dir=tmp_path / "out",
                                registry=registry, only=["data-governance-committee"],
                                echo=lambda _: None))
    assert result.ok
    page = (tmp_path / "out" / str(YEAR) / "data-governance-committee.html").read_text(
        encoding="utf-8")
    assert "本年度無建議事項資料。" in page
    assert "本年度無建議事項。" not in page
    assert "建議各工作小組開會時" not in page


def test_validate_names_the_missing_column_and_the_words_on_the_page(
        tmp_path, capsys, registry) -> None:
    data = copy_sample_data(tmp_path / "data", (str(YEAR),))
    remove(data, "onsite_engineers", "seniority_years")
    main(["validate", "--year", str(YEAR), "--data-dir", str(data), "--registry", str(registry)])
    assert ("      － 駐點工程師（onsite_engineers）沒有「年資」欄：「依年資」一節寫"
            "「本年度駐點工程師資料無「年資」欄，無年資資料。」") in capsys.readouterr().out
