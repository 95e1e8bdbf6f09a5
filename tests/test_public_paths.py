"""Nothing machine-specific is published, and the build's exit codes are the README's.

Everything under a year's output folder is public: no absolute path (which may name a
person's home folder) in the manifest, the staff page, the executed or failed notebooks,
the logs or the ODT. A build whose reports failed on the year's data exits 2, as a usage
error does; another failure exits 1.
"""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path

import pytest
from conftest import copy_registry, copy_sample_data, fixture_project

from genderstats import config
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.cli import main
from genderstats.pipeline.public_paths import PublicPaths

NAME = "王小明"


# ---------------------------------------------------------------- the rule

def test_paths_are_shown_from_the_data_folder_the_year_folder_or_the_project() -> None:
    shown = PublicPaths(f"/tmp/x/home/{NAME}/data", "/srv/out/112")
    assert shown.path(f"/tmp/x/home/{NAME}/data/112/committee_members.csv") == (
        "112/committee_members.csv")
    assert shown.path(f"/tmp/x/home/{NAME}/data") == "data"
    assert shown.path("/srv/out/112/.state/report-status.json") == ".state/report-status.json"
    assert shown.path(config.PROJECT_ROOT / "notebooks" / "annual_report.ipynb") == (
        "notebooks/annual_report.ipynb")
    assert shown.path(f"/home/{NAME}/elsewhere/notes.csv") == "notes.csv"
    assert shown.parameters({"year": 112, "data_dir": f"/tmp/x/home/{NAME}/data",
                             "report_status": "/srv/out/112/.state/report-status.json",
                             "committee": "性別平等專案小組"}) == {
        "year": 112, "data_dir": "data", "report_status": ".state/report-status.json",
        "committee": "性別平等專案小組"}


def test_messages_lose_the_folders_of_this_machine_but_pictures_are_untouched() -> None:
    shown = PublicPaths(f"/tmp/x/home/{NAME}/data", "/srv/out/112")
    assert shown.text(f"找不到「/tmp/x/home/{NAME}/data/112/x.csv」。") == "找不到「112/x.csv」。"
    assert shown.text(f"資料夾 /tmp/x/home/{NAME}/data. 與 /tmp/x/home/{NAME}/data2") == (
        f"資料夾 data. 與 /tmp/x/home/{NAME}/data2")
    # A picture's base64 text is never rewritten, even where it happens to spell a path.
    picture = '<img src="data:image/png;base64,AB/srv/out/112/CD==">'
    assert shown.text(f"{picture} /srv/out/112/a.html") == f"{picture} a.html"


def test_an_executed_notebook_is_rewritten_where_papermill_and_the_records_put_paths() -> None:
    data = f"/tmp/x/home/{NAME}/data"
    shown = PublicPaths(data, "/srv/out/112")
    escaped = json.dumps(data)[1:-1]  # papermill writes non-ASCII letters as \uXXXX
    png = base64.b64encode(b"/srv/out/112/" * 3).decode()
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"papermill": {
        "input_path": str(config.PROJECT_ROOT / "notebooks" / "a.ipynb"),
        "output_path": "/srv/out/112/.state/work/a.ipynb",
        "parameters": {"year": 112, "data_dir": data}}},
        "cells": [
            {"cell_type": "code", "metadata": {"tags": ["injected-parameters"]},
             "source": ["# Parameters\n", "year = 112\n", f'data_dir = "{escaped}"\n'],
             "outputs": [], "execution_count": 1, "id": "i"},
            {"cell_type": "code", "metadata": {}, "source": "x", "execution_count": 2,
             "id": "c", "outputs": [{"output_type": "display_data", "metadata": {}, "data": {
                 "application/vnd.genderstats.inputs+json": {
                     "read": [f"{data}/112/committee_members.csv"], "dirs": [f"{data}/112"]},
                 "image/png": png}}]},
        ]}
    text = shown.notebook(json.dumps(nb).encode(), "notebooks/a.ipynb").decode()
    assert NAME not in text and escaped not in text and "/srv/out" not in text.replace(png, "")
    got = json.loads(text)
    assert got["metadata"]["papermill"] == {
        "input_path": "notebooks/a.ipynb", "output_path": "notebooks/a.ipynb",
        "parameters": {"year": 112, "data_dir": "data"}}
    assert got["cells"][0]["source"] == ["# Parameters\n", "year = 112\n", 'data_dir = "data"\n']
    assert got["cells"][1]["outputs"][0]["data"] == {
        "application/vnd.genderstats.inputs+json": {
            "read": ["112/committee_members.csv"], "dirs": ["112"]},
        "image/png": png}


def test_a_failure_quoting_the_data_path_is_published_without_it(tmp_path: Path) -> None:
    registry = fixture_project(tmp_path / NAME,
                               "  - {id: lost, title: 遺失, notebook: lost.ipynb}\n")
    nb = json.loads(json.dumps(DATA_NOTEBOOK))
    nb["cells"][1]["source"] = ('import os\n'
                                'path = os.path.join(data_dir, "112", "x.csv")\n'
                                'raise FileNotFoundError(f"找不到「{path}」，請確認。")')
    (registry.parent / "lost.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    data, out_dir = tmp_path / NAME / "data", tmp_path / "out"
    result = build(BuildOptions(year=112, data_dir=data, out_dir=out_dir, registry=registry,
                                echo=lambda _: None, jobs=1))
    assert result.exit_code == 1  # not a data error of the project's: a failure
    error = "第 2 格：找不到「112/x.csv」，請確認。"
    assert result.results[0].error == error
    out = out_dir / "112"
    for name in ("failed/lost.ipynb", "failed/lost.html", "manifest.json", "staff.html",
                 ".state/lost.json", "logs/lost.log"):
        text = (out / name).read_text(encoding="utf-8")
        assert NAME not in text and json.dumps(NAME)[1:-1] not in text, name
        assert str(tmp_path) not in text, name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][0]["error"] == error
    assert (out / "logs" / "lost.log").read_text(encoding="utf-8").endswith(f" {error}\n")


# ---------------------------------------------------------------- exit codes

DATA_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "cells": [
        {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, "outputs": [],
         "execution_count": None, "source": 'year: int = 112\ndata_dir: str = ""'},
        {"cell_type": "code", "id": "l", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "from genderstats import data\n"
                   'data.load("committee_members", year, data_dir)'},
    ],
}
BAD_MEMBERS = "委員會,屆,姓名,性別\n性別平等專案小組,3,王小明,Q\n"


def _project(tmp_path: Path, entries: str) -> list[str]:
    registry = fixture_project(tmp_path, entries)
    (registry.parent / "members.ipynb").write_text(json.dumps(DATA_NOTEBOOK), encoding="utf-8")
    (tmp_path / "data" / "112" / "committee_members.csv").write_text(BAD_MEMBERS,
                                                                     encoding="utf-8")
    return ["build", "--year", "112", "--data-dir", str(tmp_path / "data"),
            "--out-dir", str(tmp_path / "out"), "--registry", str(registry), "--jobs", "1"]


def test_a_build_whose_report_failed_on_invalid_data_exits_2(tmp_path: Path, capsys) -> None:
    args = _project(tmp_path, "  - {id: members, title: 委員, notebook: members.ipynb}\n")
    assert main(args) == 2
    out = capsys.readouterr().out
    assert "失敗  members" in out and "committee_members.csv：缺少必要欄位「府內外聘」" in out
    assert (tmp_path / "out" / "112" / "index.html").is_file()


def test_a_build_whose_report_misses_required_data_exits_2(tmp_path: Path) -> None:
    args = _project(tmp_path, "  - {id: engineers, title: 工程師, notebook: tiny.ipynb,\n"
                              "     requires: [onsite_engineers]}\n")
    assert main(args) == 2


def test_a_build_with_a_report_failed_for_another_reason_exits_1(tmp_path: Path) -> None:
    args = _project(tmp_path, "  - {id: members, title: 委員, notebook: members.ipynb}\n"
                              "  - {id: broken, title: 壞, notebook: tiny.ipynb,\n"
                              "     parameters: {fail: true}}\n")
    assert main(args) == 1
    assert main([*args, "--only", "members"]) == 2


def _exit_code(args: list[str]) -> int:
    try:
        return main(args)
    except SystemExit as exc:  # argparse's own checks
        return int(exc.code)


@pytest.mark.parametrize("option", [["--year", "abc"], ["--year", "99"], ["--only", "nope"],
                                    ["--jobs", "0"], ["--jobs", "-2"], ["--timeout", "0"]])
def test_usage_errors_exit_2_with_one_chinese_line(tmp_path: Path, capsys,
                                                   option: list[str]) -> None:
    args = _project(tmp_path, "  - {id: one, title: 一, notebook: tiny.ipynb}\n")
    assert _exit_code([*args, *option]) == 2
    err = capsys.readouterr().err
    assert "錯誤：" in err and "Traceback" not in err and "argument" not in err
    assert not (tmp_path / "out" / "112").exists()


# ---------------------------------------------------------------- a whole year

@pytest.mark.slow
def test_nothing_published_names_the_data_or_output_folder(tmp_path: Path) -> None:
    data = copy_sample_data(tmp_path / "home" / NAME / "data", ("111", "112"))
    registry = copy_registry(tmp_path / "notebooks")
    # One report fails on its data, so its failed notebook and page are published too.
    engineers = data / "112" / "onsite_engineers.csv"
    engineers.write_text(engineers.read_text(encoding="utf-8-sig").replace(",男性,", ",Q,", 1),
                         encoding="utf-8")
    out_dir = tmp_path / "published" / "outputs"
    code = main(["build", "--year", "112", "--data-dir", str(data), "--out-dir", str(out_dir),
                 "--registry", str(registry)])
    assert code == 2  # every failure is the data's
    out = out_dir / "112"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    status = {e["id"]: e["status"] for e in manifest["reports"]}
    assert status["onsite-engineers"] == "failed" and status["gender-training"] == "ok"
    assert (out / "failed" / "onsite-engineers.ipynb").is_file()
    entry = next(e for e in manifest["reports"] if e["id"] == "gender-equality-task-force")
    assert entry["parameters"]["data_dir"] == "data"
    assert entry["notebook"] == "committee_composition.ipynb"  # the registry is not the project's
    assert "112/committee_members.csv" in entry["inputs"]
    annual = next(e for e in manifest["reports"] if e["id"] == "annual-report")
    assert annual["parameters"]["report_status"] == ".state/report-status.json"
    nb = json.loads((out / "notebooks" / "gender-training.ipynb").read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["parameters"]["data_dir"] == "data"
    assert nb["metadata"]["papermill"]["output_path"] == "notebooks/gender-training.ipynb"

    def leaks() -> list[tuple[str, str]]:
        forbidden = [str(data), json.dumps(str(data))[1:-1], str(out_dir), str(tmp_path), NAME,
                     json.dumps(NAME)[1:-1], str(config.PROJECT_ROOT)]
        found, checked = [], 0
        for path in sorted(out.rglob("*")):
            if not path.is_file() or path.suffix == ".pdf":  # the PDF's text is compressed
                continue
            if path.suffix == ".odt":
                with zipfile.ZipFile(path) as odt:
                    parts = [odt.read(n) for n in odt.namelist()]
            else:
                parts = [path.read_bytes()]
            checked += 1
            found += [(str(path.relative_to(out)), word) for part in parts for word in forbidden
                      if word.encode() in part]
        assert checked >= 30  # pages, notebooks, logs, state, compiled templates…
        return found

    assert leaks() == []
    # The state keeps its paths in its own form, and the next build still finds it current.
    state = json.loads((out / ".state" / "gender-training.json").read_text(encoding="utf-8"))
    assert "data:112/staff_training.xlsx" in state["last_good"]["inputs"]
    assert state["last_good"]["dirs"] == ["data:111", "data:112"]  # rosters: this year and before
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=data, out_dir=out_dir, registry=registry,
                                echo=lines.append))
    assert {r.id: r.status for r in result.results} == {
        rid: "failed" if was == "failed" else "unchanged" for rid, was in status.items()}
    assert leaks() == []
