"""The yearly build: cache keys, atomic publish, failures, the lock, and the sample year."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import published_reports
from filelock import FileLock

from genderstats import config
from genderstats.pipeline.build import LOCK_NAME, BuildLocked, BuildOptions, build
from genderstats.pipeline.publish import write_atomic
from genderstats.pipeline.registry import Report
from genderstats.pipeline.state import cache_key, package_fingerprint

FIXTURES = Path(__file__).parent / "fixtures"
REPORT_IDS = [r.id for r in published_reports()]


# ------------------------------------------------------------------ units

def test_cache_key_changes_with_each_thing_a_report_depends_on(tmp_path):
    nb = tmp_path / "r.ipynb"
    nb.write_text("{}", encoding="utf-8")
    data = tmp_path / "112"
    data.mkdir()
    (data / "a.csv").write_text("x\n1\n", encoding="utf-8")
    report = Report("r", "R", nb)
    params = {"year": 112}
    inputs, dirs = [str(data / "a.csv")], [str(data)]
    base = cache_key(report, params, "pkg", inputs, dirs)
    assert cache_key(report, params, "pkg", inputs, dirs) == base
    assert cache_key(report, {"year": 111}, "pkg", inputs, dirs) != base
    assert cache_key(report, params, "pkg2", inputs, dirs) != base
    (data / "a.csv").write_text("x\n2\n", encoding="utf-8")
    changed_input = cache_key(report, params, "pkg", inputs, dirs)
    assert changed_input != base
    (data / "b.csv").write_text("new\n", encoding="utf-8")  # a file appears in a folder read
    assert cache_key(report, params, "pkg", inputs, dirs) != changed_input
    nb.write_text('{"cells": []}', encoding="utf-8")
    assert cache_key(report, params, "pkg", inputs, dirs) != base


def test_editing_any_module_of_the_package_changes_its_fingerprint(tmp_path, monkeypatch):
    pkg = tmp_path / "genderstats"
    shutil.copytree(config.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(config, "PACKAGE_DIR", pkg)
    before = package_fingerprint()
    with open(pkg / "stats.py" if (pkg / "stats.py").exists() else pkg / "years.py", "a") as fh:
        fh.write("\n# edited\n")
    assert package_fingerprint() != before


def test_write_atomic_replaces_whole_files_and_keeps_the_old_one_on_failure(tmp_path):
    target = tmp_path / "page.html"
    write_atomic(target, "old")
    assert target.read_text() == "old"

    def failing_replace(src, dst):
        raise OSError("disk full")

    original = os.replace
    os.replace = failing_replace
    try:
        with pytest.raises(OSError, match="disk full"):
            write_atomic(target, "new")
    finally:
        os.replace = original
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temp file left


# ------------------------------------------------------------------ small builds

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d "


def _unstamped(lines: list[str]) -> list[str]:
    """Build lines without their time stamp, checking that every line has one."""
    for line in lines:
        assert re.match(STAMP, line), line
    return [re.sub(f"^{STAMP}", "", line) for line in lines]


def _tiny_project(tmp_path: Path, fail: bool = False) -> Path:
    (tmp_path / "112").mkdir(exist_ok=True)  # the year's data folder must exist
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "tiny.ipynb", nbdir / "tiny.ipynb")
    registry = nbdir / "reports.yml"
    registry.write_text(
        "reports:\n"
        "  - {id: good, title: 好的報告, notebook: tiny.ipynb}\n"
        f"  - {{id: flaky, title: 會失敗的報告, notebook: tiny.ipynb, "
        f"parameters: {{fail: {str(fail).lower()}}}}}\n",
        encoding="utf-8",
    )
    return registry


def _tiny_build(tmp_path: Path, registry: Path, **kw) -> tuple:
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=tmp_path, out_dir=tmp_path / "out",
                                registry=registry, echo=lines.append, **kw))
    return result, _unstamped(lines), tmp_path / "out" / "112"


def test_a_failed_report_keeps_its_last_good_page_and_does_not_stop_the_others(tmp_path):
    registry = _tiny_project(tmp_path)
    result, _, out = _tiny_build(tmp_path, registry, jobs=2)
    assert result.exit_code == 0
    good_page = (out / "flaky.html").read_text(encoding="utf-8")

    registry = _tiny_project(tmp_path, fail=True)
    result, lines, out = _tiny_build(tmp_path, registry, jobs=2)

    assert result.exit_code == 1
    assert {r.id: r.status for r in result.results} == {"good": "unchanged", "flaky": "failed"}
    assert (out / "flaky.html").read_text(encoding="utf-8") == good_page  # not replaced
    failed_page = (out / "failed" / "flaky.html").read_text(encoding="utf-8")
    assert "這份報告沒有產製成功" in failed_page
    assert "「Q」不是可接受的性別" in failed_page
    assert "發布中的頁面仍是上一次成功的版本" in failed_page  # a good version exists
    assert "尚未有成功產製的版本" not in failed_page

    def errors_in(path: Path) -> list[dict]:
        executed = json.loads(path.read_text(encoding="utf-8"))
        return [o for c in executed["cells"] for o in c.get("outputs", [])
                if o.get("output_type") == "error"]

    # The failed run's notebook goes beside its failed page, public: its error in Chinese,
    # without the error output (a traceback); the last good one is kept.
    assert errors_in(out / "failed" / "flaky.ipynb") == []
    failed_nb = json.loads((out / "failed" / "flaky.ipynb").read_text(encoding="utf-8"))
    assert "".join(failed_nb["cells"][0]["source"]) == (
        "**這份報告沒有產製成功**\n\n第 2 格（第一節）：data/112/x.csv 第 3 列「性別」欄："
        "「Q」不是可接受的性別。")
    assert errors_in(out / "notebooks" / "flaky.ipynb") == []
    log = (out / "logs" / "flaky.log").read_text(encoding="utf-8")
    assert log.endswith(
        " 第 2 格（第一節）：data/112/x.csv 第 3 列「性別」欄：「Q」不是可接受的性別。\n")
    assert "TCP" not in log and "tcp" not in log and "Traceback" not in log
    staff = (out.parent / ".staff" / "112" / "flaky.log").read_text(encoding="utf-8")
    assert "第 2 格（第一節）：ValueError: data/112/x.csv" in staff and "Traceback" in staff
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    flaky = next(e for e in manifest["reports"] if e["id"] == "flaky")
    assert flaky["status"] == "failed"
    assert flaky["error"].startswith("第 2 格（第一節）：data/112/x.csv 第 3 列「性別」欄")
    assert (flaky["html"], flaky["failed_html"], flaky["failed_notebook"]) == (
        "flaky.html", "failed/flaky.html", "failed/flaky.ipynb")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "本報告尚未完成" in index and "不是可接受的性別" not in index
    assert any(line.startswith("  失敗  flaky") for line in lines)
    assert lines[-1].startswith("2 份報告：0 份產製成功、1 份未變更、1 份失敗")

    # Fixed again: it is re-run (a failed report is never "unchanged") and the failure page goes.
    registry = _tiny_project(tmp_path, fail=False)
    result, _, out = _tiny_build(tmp_path, registry)
    assert {r.id: r.status for r in result.results} == {"good": "unchanged", "flaky": "ok"}
    assert not (out / "failed" / "flaky.html").exists()
    assert not (out / "failed" / "flaky.ipynb").exists()


def test_a_second_build_into_the_same_folder_stops_and_says_why(tmp_path):
    registry = _tiny_project(tmp_path)
    out = tmp_path / "out" / "112"
    out.mkdir(parents=True)
    with FileLock(str(out / LOCK_NAME)):
        with pytest.raises(BuildLocked, match="另一個 genderstats build 正在寫入"):
            _tiny_build(tmp_path, registry)
        cli = subprocess.run(
            [sys.executable, "-m", "genderstats.pipeline.cli", "build", "--year", "112",
             "--data-dir", str(tmp_path), "--out-dir", str(tmp_path / "out"),
             "--registry", str(registry)],
            capture_output=True, text=True, encoding="utf-8",
        )
    assert cli.returncode == 3
    assert "請等它結束後再執行" in cli.stderr


def test_force_reruns_and_a_parameter_the_notebook_lacks_is_an_error(tmp_path):
    registry = _tiny_project(tmp_path)
    _tiny_build(tmp_path, registry)
    result, _, _ = _tiny_build(tmp_path, registry, force=True)
    assert [r.status for r in result.results] == ["ok", "ok"]

    registry.write_text("reports:\n  - {id: good, title: 好, notebook: tiny.ipynb, "
                        "parameters: {colour: red}}\n", encoding="utf-8")
    result, _, out = _tiny_build(tmp_path, registry)
    assert result.results[0].status == "failed"
    assert "parameters 格沒有宣告 colour" in result.results[0].error


def test_a_report_stopped_by_the_years_data_points_to_validate(tmp_path):
    registry = _tiny_project(tmp_path)
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + "  - {id: members, title: 委員, notebook: tiny.ipynb, requires: [committee_members]}\n",
        encoding="utf-8")
    result, lines, _ = _tiny_build(tmp_path, registry)
    assert {r.id: r.status for r in result.results} == {
        "good": "ok", "flaky": "ok", "members": "failed"}
    assert result.exit_code == 2
    assert lines[-2:] == [
        "  注意  資料有問題的報告沒有產製：請先執行 genderstats validate --year 112，"
        "一次列出所有檔案的所有問題。",
        lines[-1]]
    assert lines[-1].startswith("3 份報告：2 份產製成功、0 份未變更、1 份失敗")

    # A report that fails for another reason is no data problem: no such line.
    registry = _tiny_project(tmp_path, fail=True)
    _, lines, _ = _tiny_build(tmp_path, registry)
    assert not [line for line in lines if "genderstats validate" in line]


# ------------------------------------------------------------------ the sample year

@pytest.mark.slow
def test_sample_build_publishes_every_report(sample_build):
    result, out = sample_build["result"], sample_build["out"]
    assert {r.id: r.status for r in result.results} == {i: "ok" for i in REPORT_IDS}, \
        [r.error for r in result.results if r.error]
    assert result.exit_code == 0
    for rid in REPORT_IDS:
        assert (out / f"{rid}.html").is_file()
        assert (out / "notebooks" / f"{rid}.ipynb").is_file()
    assert _unstamped(sample_build["log"])[-1].startswith(
        "7 份報告：7 份產製成功、0 份未變更、0 份失敗")


@pytest.mark.slow
@pytest.mark.parametrize("rid", REPORT_IDS)
def test_published_pages_are_self_contained_committee_pages(sample_build, rid):
    page = (sample_build["out"] / f"{rid}.html").read_text(encoding="utf-8")
    title = next(r.title for r in published_reports() if r.id == rid)
    assert '<html lang="zh-Hant-TW">' in page
    assert f"<title>{title}｜112年（2023）｜臺北市政府資訊局</title>" in page
    # Nothing leaves the file: no http(s) in src/href/@import, no script at all.
    assert not re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I)
    assert not re.findall(r"@import", page)
    assert "<script" not in page
    # No code, no prompts, no kernel noise, no genderstats records.
    assert "import genderstats" not in page
    assert "In&nbsp;[" not in page and "Out[" not in page
    assert "IPKernelApp" not in page
    assert "application/vnd.genderstats" not in page
    assert "已記錄" not in page


@pytest.mark.slow
def test_indicators_csv_has_bom_exact_columns_and_shares(sample_build, sample_indicators):
    raw = (sample_build["out"] / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfyear,report,table,category,gender,count,share\r\n")
    assert sample_indicators, "no indicators recorded"
    for row in sample_indicators:
        assert row["year"] == "112"
        assert row["gender"] in {"男", "女", "其他", "合計"}
    totals = {(r["report"], r["table"], r["category"]): int(r["count"])
              for r in sample_indicators if r["gender"] == "合計"}
    for row in sample_indicators:
        total = totals[(row["report"], row["table"], row["category"])]
        if total:
            assert float(row["share"]) == pytest.approx(int(row["count"]) / total, abs=1e-12)
        else:
            assert row["share"] == ""


@pytest.mark.slow
def test_manifest_records_what_ran_on_which_inputs(sample_build, sample_manifest):
    m = sample_manifest
    assert m["year"] == 112
    assert {"genderstats_version", "python", "packages", "started", "finished"} <= set(m)
    assert m["packages"]["papermill"] and m["packages"]["pandas"]
    lock = config.PROJECT_ROOT / "requirements.lock"
    assert m["lock_sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert [e["id"] for e in m["reports"]] == REPORT_IDS
    for e in m["reports"]:
        assert e["status"] == "ok"
        assert e["parameters"]["year"] == 112
        # No folder of this machine: the data folder by its name, files from it; the
        # tests' registry is outside the project, so its notebooks go by their names.
        assert e["parameters"]["data_dir"] == sample_build["data"].name == "data"
        assert e["notebook"] == Path(e["notebook"]).name
        assert e["inputs"], e["id"]
        for path, digest in e["inputs"].items():
            assert (re.fullmatch(r"1\d\d/\w+\.(csv|xlsx|ods|yml)", path)
                    or path == ".state/report-status.json"), path
            assert re.fullmatch(r"[0-9a-f]{64}", digest)
    engineers = next(e for e in m["reports"] if e["id"] == "onsite-engineers")
    assert "112/onsite_engineers.csv" in engineers["inputs"]
    dgc = next(e for e in m["reports"] if e["id"] == "data-governance-committee")
    assert dgc["parameters"]["committee"] == "資料治理委員會"


@pytest.mark.slow
def test_index_lists_every_report_with_status_and_link(sample_build):
    index = (sample_build["out"] / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-Hant-TW">' in index
    for report in published_reports():
        assert f'<a href="{report.id}.html">{report.title}</a>' in index
    assert index.count("已產製") == len(REPORT_IDS)
    assert 'href="tables.csv"' in index and "indicators.csv" not in index


@pytest.mark.slow
def test_unchanged_rebuild_reruns_nothing_and_a_changed_input_reruns_its_report(tmp_path):
    # Work on copies so the shared sample outputs and data stay as they are.
    data = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    out_dir = tmp_path / "outputs"

    def run(**kw):
        return build(BuildOptions(year=112, data_dir=data, out_dir=out_dir,
                                  only=["onsite-engineers"], echo=lambda s: None, **kw))

    assert run().results[0].status == "ok"
    assert run().results[0].status == "unchanged"
    assert before == {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}  # untouched

    manifest = json.loads((out_dir / "112" / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["reports"] if e["id"] == "onsite-engineers")
    (name,) = [p for p in entry["inputs"] if "onsite_engineers" in p]
    path = data / "112" / Path(name).name
    os.utime(path)  # touched but identical: content, not time, decides
    assert run().results[0].status == "unchanged"
    path.write_bytes(path.read_bytes() + b"\n")  # same rows, different bytes
    assert run().results[0].status == "ok"
    (data / "112" / "notes.txt").write_text("新檔案", encoding="utf-8")  # folder listing changed
    assert run().results[0].status == "ok"
    assert run().results[0].status == "unchanged"


def test_package_versions_are_looked_up_once_and_the_cache_names_no_folder(tmp_path,
                                                                          monkeypatch):
    import importlib.metadata

    from genderstats.pipeline import outputs

    first = outputs.versions(tmp_path)
    assert first["pandas"] == importlib.metadata.version("pandas")
    cached = (tmp_path / "versions.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in cached and sys.executable not in cached
    calls = []
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: calls.append(name) or "0")
    assert outputs.versions(tmp_path) == first and calls == []
    # Another interpreter (or an installed package) gives another key: looked up again ...
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    assert outputs.versions(tmp_path)["pandas"] == "0" and "pandas" in calls
    # ... and both answers are kept: a build by `python -m` after one by `genderstats`.
    monkeypatch.undo()
    monkeypatch.setattr(importlib.metadata, "version", lambda name: calls.append(name) or "0")
    calls.clear()
    assert outputs.versions(tmp_path) == first and calls == []
    for n in range(outputs.VERSION_ANSWERS):
        monkeypatch.setattr(sys, "executable", f"/elsewhere/python{n}")
        outputs.versions(tmp_path)
    kept = json.loads((tmp_path / "versions.json").read_text(encoding="utf-8"))["answers"]
    assert len(kept) == outputs.VERSION_ANSWERS  # the oldest answer has gone


def test_a_count_the_year_lets_be_worked_out_is_a_note_for_the_staff(tmp_path, monkeypatch):
    from genderstats.analyses import year_audit
    from genderstats.pipeline.auditor import AUDIT_PINNED

    pinned = year_audit.Pinned("數位訓練", "各開班對象之班數與參訓人次", "新住民", "男", 1, 1)
    monkeypatch.setattr(year_audit, "audit_year", lambda year, data_dir: [pinned])
    registry = _tiny_project(tmp_path)
    # The plain engine: the audit is forked from this process, where the stand-in is.
    result, lines, out = _tiny_build(tmp_path, registry, engine="plain")
    note = AUDIT_PINNED.format(n=1)
    assert result.exit_code == 0
    assert f"  注意  {note}" in lines
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notes"] == [note]
    assert note in (out / "staff.html").read_text(encoding="utf-8")
    staff = (tmp_path / "out" / ".staff" / "112" / "year-audit.log").read_text(encoding="utf-8")
    assert "新住民" in staff and "新住民" not in (out / "logs" / "year-audit.log").read_text(
        encoding="utf-8")
    # Nothing ran: not audited again, and the last verdict stays on the staff page.
    monkeypatch.setattr(year_audit, "audit_year", lambda year, data_dir: 1 / 0)
    result, lines, out = _tiny_build(tmp_path, registry, engine="plain")
    assert {r.status for r in result.results} == {"unchanged"}
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notes"] == [note]


def test_an_audit_that_fails_says_so_to_the_staff_only(tmp_path, monkeypatch):
    from genderstats.analyses import year_audit
    from genderstats.pipeline.auditor import AUDIT_FAILED

    def broken(year, data_dir):
        raise RuntimeError("solver gave up")

    monkeypatch.setattr(year_audit, "audit_year", broken)
    registry = _tiny_project(tmp_path)
    result, lines, out = _tiny_build(tmp_path, registry, engine="plain")
    assert result.exit_code == 0
    assert f"  注意  {AUDIT_FAILED}" in lines
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notes"] == [
        AUDIT_FAILED]
    staff = (tmp_path / "out" / ".staff" / "112" / "year-audit.log").read_text(encoding="utf-8")
    assert "RuntimeError: solver gave up" in staff
    public = (out / "logs" / "year-audit.log").read_text(encoding="utf-8")
    assert public.endswith(f" {AUDIT_FAILED}\n") and "RuntimeError" not in public
