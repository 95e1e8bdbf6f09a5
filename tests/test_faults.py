"""The build under faults: time-outs, signals, dead kernels, hostile text, a broken disk.

Tiny fixture notebooks (tests/fixtures/faults.ipynb: sleep, busy loop, a kernel deaf to
SIGINT, os._exit) and registries in tmp_path keep every build here to a few seconds.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import fixture_project as _project
from filelock import FileLock, Timeout

from genderstats.pipeline import build as build_module
from genderstats.pipeline.build import LOCK_NAME, BuildOptions, build, describe_os_error
from genderstats.pipeline.cli import main
from genderstats.pipeline.outputs import write_indicators
from genderstats.pipeline.run_errors import NOT_FINISHED, PROGRAM_FAULT

WORKTREE = Path(__file__).resolve().parents[1]
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc to find the build's processes")


def _build(tmp_path: Path, registry: Path, **kw):
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, echo=lines.append, **kw))
    return result, lines, tmp_path / "out" / "112"


def _processes_with(marker: str) -> list[int]:
    """Live processes (other than this one) whose environment carries ``marker``."""
    found = []
    needle = f"GS_TEST_MARKER={marker}".encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            entries = environ.read_bytes().split(b"\0")
        except OSError:
            continue
        pid = int(environ.parent.name)
        if needle in entries and pid != os.getpid():
            found.append(pid)
    return found


def _wait_for(predicate, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*") if p.is_file()}


def _cli(tmp_path: Path, registry: Path, marker: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "genderstats.pipeline.cli", "build", "--year", "112",
            "--data-dir", str(tmp_path / "data"), "--out-dir", str(tmp_path / "out"),
            "--registry", str(registry), "--jobs", "2", *extra]


def _env(marker: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(WORKTREE), "GS_TEST_MARKER": marker}


# ------------------------------------------------------------------ time-outs, dead kernels

def _stopped_quietly(marker: str, out: Path, ended: int) -> None:
    """Every process of the build is gone and nothing is written after it said it stopped."""
    assert _wait_for(lambda: _processes_with(marker) == [], 5), _processes_with(marker)
    before = _snapshot(out)
    assert all(mtime <= ended for mtime, _ in before.values())
    time.sleep(2)
    assert _snapshot(out) == before


@linux_only
def test_time_outs_and_a_dead_kernel_fail_only_their_reports(tmp_path, monkeypatch):
    registry = _project(tmp_path, (
        "  - {id: fine, title: 正常, notebook: faults.ipynb}\n"
        "  - {id: busy, title: 迴圈, notebook: faults.ipynb, parameters: {mode: loop}}\n"
        "  - {id: deaf, title: 不理中斷, notebook: faults.ipynb, parameters: {mode: deaf-loop}}\n"
        "  - {id: dies, title: 核心結束, notebook: faults.ipynb, parameters: {mode: exit}}\n"))
    marker = uuid.uuid4().hex
    monkeypatch.setenv("GS_TEST_MARKER", marker)  # inherited by workers and kernels
    # Only the two loops get a short limit, so a slow machine cannot time out the others.
    monkeypatch.setattr(build_module._Build, "_timeout",
                        lambda self, r: 3.0 if r.id in ("busy", "deaf") else None)
    old_umask = os.umask(0o022)
    try:
        result, lines, out = _build(tmp_path, registry, jobs=4)
    finally:
        os.umask(old_umask)

    statuses = {r.id: (r.status, r.error) for r in result.results}
    died = NOT_FINISHED.format(cell="第 2 格（第一節）")
    assert statuses == {
        "fine": ("ok", None),
        "busy": ("failed", "執行逾時（3 秒）：已停止這份報告與它的核心。"),
        "deaf": ("failed", "執行逾時（3 秒）：已停止這份報告與它的核心。"),
        "dies": ("failed", died),
    }
    assert result.exit_code == 1
    assert _processes_with(marker) == []  # every worker and kernel ended with its report
    with FileLock(str(out / LOCK_NAME), timeout=0):
        pass  # the lock is free again

    assert (out / "fine.html").is_file()
    for rid in ("busy", "deaf", "dies"):
        page = (out / "failed" / f"{rid}.html").read_text(encoding="utf-8")
        assert "這份報告沒有產製成功" in page
        assert "這份報告尚未有成功產製的版本" in page  # none was ever published
        assert not (out / f"{rid}.html").exists()
    assert "執行逾時（3 秒）" in (out / "failed" / "busy.html").read_text(encoding="utf-8")
    log = (out / "logs" / "deaf.log").read_text(encoding="utf-8")
    assert log.endswith("執行逾時（3 秒）：已停止這份報告與它的核心。\n")
    assert (out / "logs" / "dies.log").read_text(encoding="utf-8").endswith(died + "\n")
    # The staff log, outside the published folder, has the same line.
    assert (out.parent / ".staff" / "112" / "deaf.log").read_text(encoding="utf-8").endswith(
        "執行逾時（3 秒）：已停止這份報告與它的核心。\n")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    dies = next(e for e in manifest["reports"] if e["id"] == "dies")
    assert (dies["status"], dies["html"], dies["failed_html"]) == (
        "failed", None, "failed/dies.html")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "failed/" not in index and 'href="dies.html"' not in index
    assert "本報告尚未完成" in index
    assert 'href="failed/dies.html"' in (out / "staff.html").read_text(encoding="utf-8")

    assert all(STAMP.match(line) for line in lines), lines
    # Published files and folders follow the umask (022 → 0644 / 0755), not mkstemp's 0600.
    for path in out.rglob("*"):
        if path.name == LOCK_NAME:
            continue
        mode = path.stat().st_mode & 0o777
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert not (out / ".state" / "work").exists()


def test_an_output_against_the_notebook_format_fails_its_report(tmp_path):
    """Display data that is not what the notebook format allows fails the report, named by
    its cell; the staff log says what was wrong."""
    registry = _project(tmp_path, (
        "  - {id: fine, title: 正常, notebook: faults.ipynb}\n"
        "  - {id: bad, title: 壞圖, notebook: faults.ipynb, parameters: {mode: bad-output}}\n"))
    result, _, out = _build(tmp_path, registry)
    statuses = {r.id: (r.status, r.error) for r in result.results}
    assert statuses == {"fine": ("ok", None), "bad": (
        "failed", f"第 2 格（第一節）的輸出不符合筆記本的格式：{PROGRAM_FAULT}")}
    staff = (out.parent / ".staff" / "112" / "bad.log").read_text(encoding="utf-8")
    assert "5 is not valid under any of the given schemas" in staff
    assert "On instance['data']['image/png']" in staff
    assert (out / "fine.html").is_file() and not (out / "bad.html").exists()
    assert (out / "failed" / "bad.html").is_file()


def test_a_report_time_limit_comes_from_the_registry_before_the_option():
    job = build_module._Build.__new__(build_module._Build)
    job.options = BuildOptions(year=112, timeout=600.0)
    assert job._timeout(SimpleNamespace(id="a", timeout=30)) == 30.0
    assert job._timeout(SimpleNamespace(id="a")) == 600.0
    assert job._timeout(SimpleNamespace(id="a", timeout=None)) == 600.0


def test_kernels_talk_over_ipc_sockets_not_tcp(tmp_path):
    from genderstats.pipeline.engine import kernel_manager_class

    manager = kernel_manager_class(str(tmp_path / "k"))(kernel_name="python3")
    assert (manager.transport, manager.ip) == ("ipc", str(tmp_path / "k"))


# ------------------------------------------------------------------ signals

def _signal_project(tmp_path: Path) -> Path:
    return _project(tmp_path, (
        "  - {id: quick, title: 很快, notebook: faults.ipynb}\n"
        "  - {id: slow, title: 很慢, notebook: faults.ipynb, "
        "parameters: {mode: sleep, seconds: 120}}\n"))


@linux_only
@pytest.mark.skipif(shutil.which("timeout") is None, reason="needs coreutils timeout")
def test_sigterm_from_timeout_stops_every_process_and_publishes_nothing_after(tmp_path):
    registry = _signal_project(tmp_path)
    marker = uuid.uuid4().hex
    proc = subprocess.run(["timeout", "-s", "TERM", "25", *_cli(tmp_path, registry, marker)],
                          capture_output=True, text=True, encoding="utf-8", env=_env(marker),
                          timeout=90)
    ended = time.time_ns()
    assert proc.returncode == 124  # timeout's code: the build was stopped by its signal
    assert "Traceback" not in proc.stderr + proc.stdout
    last = proc.stderr.strip().splitlines()[-1]
    assert STAMP.match(last)
    assert "已中斷（SIGTERM）：所有報告都已停止。" in last
    out = tmp_path / "out" / "112"
    _stopped_quietly(marker, out, ended)
    assert not (out / "slow.html").exists()
    # What the message claims is what is on disk.
    finished = "  完成  quick" in proc.stdout
    assert (out / "quick.html").is_file() == finished
    assert f"本次完成的 {int(finished)} 份已發布" in last
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    slow = next(e for e in manifest["reports"] if e["id"] == "slow")
    assert (slow["status"], slow["html"]) == ("unbuilt", None)
    assert not (out / ".state" / "work").exists()
    with FileLock(str(out / LOCK_NAME), timeout=0):
        pass


@linux_only
def test_ctrl_c_stops_every_process_and_says_so_last(tmp_path):
    registry = _signal_project(tmp_path)
    marker = uuid.uuid4().hex
    proc = subprocess.Popen(_cli(tmp_path, registry, marker), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            env=_env(marker))
    try:
        # Parent, worker and kernel of the slow report at least.
        assert _wait_for(lambda: len(_processes_with(marker)) >= 3, 60)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    ended = time.time_ns()
    assert proc.returncode == 130
    assert "Traceback" not in stdout + stderr
    assert stderr.strip().splitlines()[-1].endswith(
        "所有報告都已停止。本次完成的 "
        f"{int('  完成  quick' in stdout)} 份已發布，其餘報告保持上一次發布的版本。")
    assert "已中斷（SIGINT）" in stderr
    _stopped_quietly(marker, tmp_path / "out" / "112", ended)


@linux_only
def test_a_build_killed_outright_leaves_no_process_and_no_page(tmp_path):
    registry = _project(tmp_path, (
        "  - {id: soon, title: 三秒, notebook: faults.ipynb, "
        "parameters: {mode: sleep, seconds: 3}}\n"
        "  - {id: later, title: 四秒, notebook: faults.ipynb, "
        "parameters: {mode: sleep, seconds: 4}}\n"))
    marker = uuid.uuid4().hex
    proc = subprocess.Popen(_cli(tmp_path, registry, marker), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_env(marker))
    try:
        # The parent, two workers and two kernels are running.
        assert _wait_for(lambda: len(_processes_with(marker)) >= 5, 60), _processes_with(marker)
        # Forked workers inherit the lock's descriptor, but the lock stays held by the build.
        with pytest.raises(Timeout):
            FileLock(str(tmp_path / "out" / "112" / LOCK_NAME), timeout=0).acquire()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: _processes_with(marker) == [], 5), _processes_with(marker)
    out = tmp_path / "out" / "112"
    before = _snapshot(out)
    time.sleep(5)  # long past the notebooks' own end: an orphan would have published by now
    assert _snapshot(out) == before
    assert not (out / "soon.html").exists() and not (out / "later.html").exists()
    # The OS released the dead build's lock: the next scheduled build is not blocked.
    with FileLock(str(out / LOCK_NAME), timeout=0):
        pass


# ------------------------------------------------------------------ hostile text

def test_indicators_text_cells_cannot_run_as_formulas(tmp_path):
    texts = ['=HYPERLINK("http://x.example","y")', "+cmd|' /C calc'!A0", "-1+1", "@SUM(A1)",
             "\tx", "\rx", "一般市民"]
    rows = [{"year": 112, "report": "r", "table": "t", "category": text, "gender": "女",
             "count": -3, "share": -0.5} for text in texts]
    write_indicators(tmp_path / "i.csv", rows)
    with open(tmp_path / "i.csv", encoding="utf-8-sig", newline="") as fh:
        read = list(csv.DictReader(fh))
    assert [r["category"] for r in read] == [
        '\'=HYPERLINK("http://x.example","y")', "'+cmd|' /C calc'!A0", "'-1+1", "'@SUM(A1)",
        "'\tx", "'\rx", "一般市民"]
    assert {(r["year"], r["count"], r["share"]) for r in read} == {("112", "-3", "-0.5")}


def test_a_hostile_title_is_inert_on_the_page_and_the_index(tmp_path):
    from genderstats.pipeline.index import render_index
    from genderstats.pipeline.publish import notebook_to_html
    from genderstats.pipeline.scaffold import new_analysis

    registry = _project(tmp_path, "  - {id: fine, title: 正常, notebook: tiny.ipynb}\n")
    hostile = "<img src=x onerror=alert(1)>"
    path = new_analysis("x", hostile, registry=registry)
    import nbformat

    page = notebook_to_html(nbformat.read(path, as_version=4), title=hostile, year=112)
    # The printed footer quotes the title in CSS, where "<" is escaped (no </style> escape).
    style = page[page.index("<style>"):page.index("</style>")]
    assert '"\\3C img src=x onerror=alert(1)>"' in style
    page = page.replace(style, "")
    assert "<img src=x" not in page and "onerror=alert(1)>" not in page
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in page  # the header
    body = page.split('id="gs-content"')[1]  # the notebook does not repeat the page's heading
    assert "onerror" not in body
    manifest = {"year": 112, "reports": [
        {"id": "x", "title": hostile, "status": "ok", "html": "x.html", "error": None,
         "key_figure": "<b>重點</b>", "built": None}]}
    (tmp_path / "out" / "112").mkdir(parents=True)
    index = render_index(tmp_path / "out" / "112", manifest)
    assert "<img src=x" not in index and "<b>重點</b>" not in index
    assert '<a href="x.html">&lt;img src=x onerror=alert(1)&gt;</a>' in index


# ------------------------------------------------------------------ bad input, bad places

def test_a_year_without_a_data_folder_exits_2_and_writes_nothing(tmp_path, capsys):
    registry = _project(tmp_path, "  - {id: fine, title: 正常, notebook: tiny.ipynb}\n")
    code = main(["build", "--year", "113", "--data-dir", str(tmp_path / "data"),
                 "--out-dir", str(tmp_path / "out"), "--registry", str(registry)])
    err = capsys.readouterr().err
    assert code == 2
    assert STAMP.match(err)
    assert f"錯誤：找不到 113 年度的資料夾 {tmp_path / 'data' / '113'}" in err
    assert not (tmp_path / "out").exists()


def test_an_out_dir_that_is_a_file_and_a_too_long_id_exit_2(tmp_path, capsys):
    registry = _project(tmp_path, "  - {id: fine, title: 正常, notebook: tiny.ipynb}\n")
    target = tmp_path / "outputs.txt"
    target.write_text("不是資料夾", encoding="utf-8")
    args = ["build", "--year", "112", "--data-dir", str(tmp_path / "data"),
            "--registry", str(registry)]
    assert main([*args, "--out-dir", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"輸出資料夾 {target} 是一個檔案，不是資料夾；請以 --out-dir 指定一個資料夾。" in err
    assert target.read_text(encoding="utf-8") == "不是資料夾"

    long_id = "a" * 300
    registry.write_text(f"reports:\n  - {{id: {long_id}, title: 長, notebook: tiny.ipynb}}\n",
                        encoding="utf-8")
    assert main([*args, "--out-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"報告 id「{'a' * 20}…」有 300 個字元，太長，無法作為檔名" in err
    assert long_id not in err
    assert not (tmp_path / "out").exists()


def test_damaged_state_and_manifest_files_are_rebuilt_with_a_note(tmp_path):
    registry = _project(tmp_path, (
        "  - {id: one, title: 一, notebook: tiny.ipynb}\n"
        "  - {id: two, title: 二, notebook: tiny.ipynb}\n"
        "  - {id: three, title: 三, notebook: tiny.ipynb}\n"))
    result, _, out = _build(tmp_path, registry)
    assert result.exit_code == 0
    state = out / ".state"
    (state / "one.json").write_text("[1, 2, 3]", encoding="utf-8")
    (state / "two.json").write_text('{"status": "ok", "last_good": {"key"', encoding="utf-8")
    (state / "three.json").unlink()
    (state / "three.json").mkdir()
    (out / "manifest.json").write_text('{"reports": [{"id": 5}], "year": "x"}', encoding="utf-8")

    result, lines, out = _build(tmp_path, registry)
    assert result.exit_code == 0
    assert {r.id: r.status for r in result.results} == {"one": "ok", "two": "ok", "three": "ok"}
    notes = [line for line in lines if "注意" in line]
    assert len(notes) == 3
    assert "狀態檔 one.json 無法讀取或格式不符，已忽略；這份報告會重新產製。" in notes[0]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year"] == 112
    assert [(e["id"], e["status"]) for e in manifest["reports"]] == [
        ("one", "ok"), ("two", "ok"), ("three", "ok")]


def test_os_errors_are_one_chinese_line():
    import errno

    assert describe_os_error(OSError(errno.ENOSPC, "No space left", "/srv/out/112/a.html")) == (
        "無法寫入 /srv/out/112/a.html：磁碟空間不足。已發布的頁面保持上一次的版本，"
        "沒有留下寫到一半的檔案；請清出磁碟空間後重新執行。")
    assert "唯讀" in describe_os_error(OSError(errno.EROFS, "Read-only", "/x"))
    assert "沒有寫入權限" in describe_os_error(PermissionError(errno.EACCES, "denied", "/x"))


@pytest.mark.skipif(not sys.platform.startswith("linux") or os.geteuid() != 0,
                    reason="mounts a small tmpfs (needs root on Linux)")
def test_a_full_disk_and_a_read_only_folder_exit_4_and_keep_the_good_pages(tmp_path, capsys):
    registry = _project(tmp_path, "  - {id: fine, title: 正常, notebook: tiny.ipynb}\n")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)]
                      ).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        args = ["build", "--year", "112", "--data-dir", str(tmp_path / "data"),
                "--out-dir", str(mnt), "--registry", str(registry), "--force"]
        assert main(args) == 0
        capsys.readouterr()
        out = mnt / "112"
        good = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

        filler = mnt / "filler"
        with open(filler, "wb", buffering=0) as fh, pytest.raises(OSError):
            while True:
                fh.write(b"\0" * 4096)
        assert main(args) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "磁碟空間不足。已發布的頁面保持上一次的版本" in err
        for path, data in good.items():
            if "logs" not in path.parts:  # the log is rewritten by each run
                assert path.read_bytes() == data, path
        assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]

        filler.unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        assert main(args) == 4
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "位在唯讀的檔案系統" in err
        assert (out / "fine.html").read_bytes() == good[out / "fine.html"]
    finally:
        subprocess.run(["umount", "-l", str(mnt)])


# ------------------------------------------------------------------ bookkeeping

def test_only_marks_the_others_unbuilt_and_the_status_report_runs_last(tmp_path):
    def registry(fail: bool) -> Path:
        return _project(tmp_path, (
            "  - {id: good, title: 好的報告, notebook: tiny.ipynb}\n"
            f"  - {{id: flaky, title: 會失敗的報告, notebook: tiny.ipynb, "
            f"parameters: {{fail: {str(fail).lower()}}}}}\n"
            "  - {id: summary, title: 總表, notebook: status.ipynb}\n"))

    result, lines, out = _build(tmp_path, registry(False), only=["good", "summary"], jobs=2)
    assert [(r.id, r.status) for r in result.results] == [("good", "ok"), ("summary", "ok")]
    text = [STAMP.sub("", line) for line in lines]
    good_done = next(i for i, t in enumerate(text) if t.startswith("  完成  good"))
    assert text.index("  開始  summary") > good_done  # after every other report
    status = json.loads((out / ".state" / "report-status.json").read_text(encoding="utf-8"))
    assert status == {"year": 112, "reports": {
        "good": {"title": "好的報告", "unit": "", "subject": "", "status": "ok",
                 "page": "good.html", "key_figure": "女性 11 人（64.71%）", "figures": {}},
        "flaky": {"title": "會失敗的報告", "unit": "", "subject": "", "status": "unbuilt",
                  "page": None, "key_figure": None, "figures": {}},
    }}
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["reports"]}
    assert entries["summary"]["key_figure"] == "good=ok、flaky=unbuilt"
    flaky = entries["flaky"]
    assert (flaky["status"], flaky["html"], flaky["failed_html"]) == ("unbuilt", None, None)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "本報告尚未完成" in index and 'href="flaky.html"' not in index
    assert 'href="failed/flaky.html"' not in index

    result, _, _ = _build(tmp_path, registry(False), only=["good", "summary"])
    assert [r.status for r in result.results] == ["unchanged", "unchanged"]

    _build(tmp_path, registry(True), only=["flaky"])
    result, _, out = _build(tmp_path, registry(True), only=["summary"])
    assert result.results[0].status == "ok"  # another report's status changed: re-run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["reports"]}
    assert entries["summary"]["key_figure"] == "good=ok、flaky=failed"
    assert entries["flaky"]["status"] == "failed"


def test_a_signal_while_a_report_is_published_waits_for_it_and_a_second_is_ignored():
    from genderstats.pipeline.interrupts import BuildInterrupted, Signals

    signals = Signals()
    written = []
    with signals.installed():
        with pytest.raises(BuildInterrupted) as caught:
            with signals.held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.1)
                written.append("page and state")  # not cut off half-way
        assert caught.value.signum == signal.SIGTERM and caught.value.exit_code == 143
        os.kill(os.getpid(), signal.SIGINT)  # winding down: ignored
        time.sleep(0.1)
    assert written == ["page and state"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # handlers restored
