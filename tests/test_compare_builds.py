"""scripts/compare_builds.py: two builds are the same apart from their times, or it says
which file differs."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("compare_builds",
                                              ROOT / "scripts" / "compare_builds.py")
compare_builds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_builds)

PAGE = ('<p>產製時間 <time datetime="{iso}">{roc}</time></p>'
        '<td>女性 {n} 人</td>')
NOTEBOOK = ('{{"cells": [{{"id": "{cell}", "metadata": {{"papermill": {{"duration": {d}, '
            '"start_time": "{iso}"}}}}}}]}}')


def _year(folder: Path, *, iso: str, roc: str, n: int, cell: str, d: float) -> Path:
    (folder / "notebooks").mkdir(parents=True)
    (folder / ".state").mkdir()
    (folder / "a.html").write_text(PAGE.format(iso=iso, roc=roc, n=n), encoding="utf-8")
    (folder / "notebooks" / "a.ipynb").write_text(
        NOTEBOOK.format(cell=cell, d=d, iso=iso), encoding="utf-8")
    (folder / ".state" / "a.json").write_text(f'{{"seconds": {d}}}', encoding="utf-8")
    return folder


def test_builds_that_differ_only_in_time_are_the_same(tmp_path, capsys):
    before = _year(tmp_path / "before", iso="2026-12-07T02:07:22+08:00", roc="115/12/07 02:07",
                   n=3, cell="14150357", d=1.25)
    after = _year(tmp_path / "after", iso="2026-12-08T09:41:05+08:00", roc="115/12/08 09:41",
                  n=3, cell="241a36b5", d=0.5)
    assert compare_builds.main([str(before), str(after)]) == 0
    assert capsys.readouterr().out == "比較了 2 個檔案：除時間外完全相同。\n"


def test_a_changed_figure_or_a_missing_file_is_named(tmp_path, capsys):
    before = _year(tmp_path / "before", iso="2026-12-07T02:07:22+08:00", roc="115/12/07 02:07",
                   n=3, cell="14150357", d=1.25)
    after = _year(tmp_path / "after", iso="2026-12-07T02:07:22+08:00", roc="115/12/07 02:07",
                  n=4, cell="14150357", d=1.25)
    (after / "b.csv").write_text("x\n", encoding="utf-8")
    assert compare_builds.main([str(before), str(after)]) == 1
    assert capsys.readouterr().out == (f"只在 {after}：b.csv\n不同：a.html\n"
                                       "比較了 3 個檔案：2 個不同。\n")
