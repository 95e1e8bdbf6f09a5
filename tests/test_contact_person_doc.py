"""docs/contact-person.md tells the truth: its commands run, and the validate output it shows
is what validate prints for the year it describes (three deliberate mistakes, then none)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
from pathlib import Path

import openpyxl
import pytest

from genderstats.data.specs import DATASETS
from genderstats.data.templates import EXAMPLE_MARK
from genderstats.pipeline import cli
from tests.conftest import copy_registry, copy_sample_data, validate_as_typed

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "contact-person.md"
BLOCKS = re.findall(r"```(?:bash)?\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)
COMMANDS = [b.strip() for b in BLOCKS if b.startswith(".venv/bin/genderstats ")]
OUTPUTS = [b for b in BLOCKS if b.startswith("data/113")]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _validate(capsys, data_dir: Path, registry: Path) -> tuple[int, list[str]]:
    # Run where the guide's commands run: in the folder holding data/.
    code = validate_as_typed(data_dir, "--year", "113", "--registry", str(registry))
    out, err = capsys.readouterr()
    problems = _lines(err)
    # On a terminal the summary of the problems comes first and the verdict line last.
    return code, problems[:-1] + _lines(out) + problems[-1:] if problems else _lines(out)


def _edit(folder: Path, stem: str, change) -> None:
    path = folder / f"{stem}.xlsx"
    book = openpyxl.load_workbook(path)
    change(book.worksheets[0])
    book.save(path)


def _unmark(sheet) -> None:
    for cell in sheet[2]:
        if isinstance(cell.value, str):
            cell.value = cell.value.replace(EXAMPLE_MARK, "")


def test_the_guides_commands_are_the_ones_the_cli_takes():
    assert COMMANDS == [".venv/bin/genderstats new-year 113",
                        ".venv/bin/genderstats validate --year 113",
                        ".venv/bin/genderstats build --year 113"]
    for command in COMMANDS:
        args = cli.parser().parse_args(shlex.split(command)[1:])
        assert args.func.__name__ in ("cmd_new_year", "cmd_validate", "cmd_build")


def test_the_guides_year_runs_as_shown(tmp_path, capsys):
    data_dir = copy_sample_data(tmp_path / "data", ("112",))
    registry = copy_registry(tmp_path / "notebooks")
    new_year = shlex.split(COMMANDS[0])[1:]
    assert cli.main([*new_year, "--data-dir", str(data_dir), "--registry", str(registry)]) == 0
    capsys.readouterr()
    folder = data_dir / "113"
    for stem in DATASETS:
        if stem != "onsite_engineers":  # the mistake: its example row left in
            _edit(folder, stem, _unmark)
    _edit(folder, "committee_members", lambda s: s.__setitem__("D2", "不明"))
    _edit(folder, "training_courses", lambda s: s.__setitem__("A2", dt.datetime(2023, 9, 1)))
    text = (folder / "results_report.yml").read_text(encoding="utf-8")
    (folder / "results_report.yml").write_text(
        re.sub(r"會議: 112-\d", "會議: 113-1", text), encoding="utf-8")

    code, shown = _validate(capsys, data_dir, registry)
    assert code == 2
    assert shown == _lines(OUTPUTS[0])

    _edit(folder, "committee_members", lambda s: s.__setitem__("D2", "女"))
    _edit(folder, "training_courses", lambda s: s.__setitem__("A2", dt.datetime(2024, 9, 1)))
    _edit(folder, "onsite_engineers", lambda s: s.delete_rows(2))
    code, shown = _validate(capsys, data_dir, registry)
    assert code == 0
    assert shown == _lines(OUTPUTS[1])


@pytest.mark.parametrize("name", ["newyear-template.png"])
def test_the_guides_images_exist_and_are_small(name):
    image = GUIDE.parent / "screenshots" / name
    assert f"](screenshots/{name})" in GUIDE.read_text(encoding="utf-8")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.stat().st_size < 300 * 1024
