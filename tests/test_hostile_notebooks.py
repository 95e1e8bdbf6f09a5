"""Notebooks that try to fake success or escape: an early exit, daemons, a killed fork server,
output floods, and what a failed run publishes (tests/fixtures/hostile.ipynb).

Its code cells as the notebook shows them: 1 parameters, 2 「準備」 (a chart-like display),
3 「動手腳」 (what ``mode`` asks for), 4 「收尾」.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from conftest import fixture_project
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from genderstats.pipeline import build as build_module
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.engine.fork import fork_available
from genderstats.pipeline.run_errors import (
    FLOODED,
    NOT_FINISHED,
    PROGRAM_FAULT,
    WORKER_DIED,
    cell_place,
    explained,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc and uses Linux process controls")
forking = pytest.mark.skipif(not fork_available(), reason="fork server needs Linux")
ENGINES = [pytest.param("fork", id="fork", marks=forking), pytest.param("plain", id="plain")]
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d"
CELL3 = "第 3 格（動手腳）"


def _registry(tmp_path: Path, **reports: dict) -> Path:
    lines = "".join(
        f"  - {{id: {rid}, title: 測試{rid}, notebook: hostile.ipynb, "
        f"parameters: {json.dumps(params, ensure_ascii=False)}}}\n"
        for rid, params in reports.items())
    return fixture_project(tmp_path, lines)


def _build(tmp_path: Path, registry: Path, **kw):
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, echo=lines.append, **kw))
    return {r.id: (r.status, r.error) for r in result.results}, lines, tmp_path / "out" / "112"


def _public_failure(out: Path, rid: str, error: str) -> dict:
    """What a failed run published: the Chinese error, the cell, and no code or traceback."""
    page = (out / "failed" / f"{rid}.html").read_text(encoding="utf-8")
    nb = json.loads((out / "failed" / f"{rid}.ipynb").read_text(encoding="utf-8"))
    log = (out / "logs" / f"{rid}.log").read_text(encoding="utf-8")
    assert f"<pre>{error}</pre>" in page
    assert nb["cells"][0]["cell_type"] == "markdown"
    assert "".join(nb["cells"][0]["source"]) == f"**這份報告沒有產製成功**\n\n{error}"
    for text in (page, json.dumps(nb, ensure_ascii=False), log):
        for absent in ("Traceback", "def ", "mode ==", "import ", "secret-key", "KeyError",
                       "SystemExit", "DeadKernelError", "Exception", "papermill", "In [",
                       str(out.parent.parent)):
            assert absent not in text, (absent, text[:300])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not "".join(c["source"]) for c in code)
    kinds = [o["output_type"] for c in code for o in c["outputs"]]
    assert "error" not in kinds and "stream" not in kinds
    assert "papermill" not in nb["metadata"]
    # The public log: time-stamped Chinese status lines only.
    assert re.fullmatch(rf"({STAMP} [^\n]*\n)+", log), log
    assert log.endswith(f" {error}\n")
    return {"page": page, "notebook": nb, "log": log}


# ------------------------------------------------------------------ exits before the end

@linux_only
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", ["sys-exit", "os-exit"])
def test_a_notebook_that_exits_early_fails_naming_its_cell_and_keeps_the_good_page(
        tmp_path, mode, engine):
    statuses, _, out = _build(tmp_path, _registry(tmp_path, early={}), engine=engine)
    assert statuses == {"early": ("ok", None)}
    good = (out / "early.html").read_bytes()
    good_nb = (out / "notebooks" / "early.ipynb").read_bytes()

    statuses, lines, out = _build(tmp_path, _registry(tmp_path, early={"mode": mode}),
                                  engine=engine)
    error = NOT_FINISHED.format(cell=CELL3)
    assert error == ("第 3 格（動手腳）之後的格沒有執行：筆記本的程式在這一格結束了執行或核心"
                     "（例如 sys.exit、os._exit），或核心因記憶體不足而結束；請檢查這一格。")
    assert statuses == {"early": ("failed", error)}
    assert any("  失敗  early  " in line and line.endswith(f"秒：{error}") for line in lines)
    assert (out / "early.html").read_bytes() == good  # the last good page stays
    assert (out / "notebooks" / "early.ipynb").read_bytes() == good_nb
    failed = _public_failure(out, "early", error)
    assert "前段的結果" in failed["page"]  # what ran before the exit is shown
    assert "最後一格" not in failed["page"]  # the cells after it never ran
    assert "發布中的頁面仍是上一次成功的版本" in failed["page"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (entry,) = manifest["reports"]
    assert (entry["status"], entry["error"], entry["html"]) == ("failed", error, "early.html")


# ------------------------------------------------------------------ processes left behind

def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@linux_only
def test_processes_a_report_starts_end_with_it(tmp_path):
    pidfile = tmp_path / "pids"
    registry = _registry(tmp_path, daemons={"mode": "daemons", "pidfile": str(pidfile)})
    statuses, _, _ = _build(tmp_path, registry, engine="plain")
    assert statuses == {"daemons": ("ok", None)}
    pids = [int(p) for p in pidfile.read_text().split()]
    assert len(pids) == 2  # a setsid'd sleep and a double-forked daemon
    assert [p for p in pids if not _gone(p)] == []


@linux_only
def test_processes_of_a_report_that_times_out_end_with_it(tmp_path, monkeypatch):
    pidfile = tmp_path / "pids"
    registry = _registry(tmp_path, stuck={"mode": "daemons", "pidfile": str(pidfile),
                                          "hold": 120})
    monkeypatch.setattr(build_module._Build, "_timeout", lambda self, r: 8.0)
    statuses, _, out = _build(tmp_path, registry, engine="plain")
    assert statuses == {"stuck": ("failed", "執行逾時（8 秒）：已停止這份報告與它的核心。")}
    pids = [int(p) for p in pidfile.read_text().split()]
    assert len(pids) == 2
    assert [p for p in pids if not _gone(p)] == []


# ------------------------------------------------------------------ a killed fork server

@forking
def test_a_report_that_kills_the_fork_server_fails_alone(tmp_path):
    registry = _registry(tmp_path, culprit={"mode": "kill-server", "seconds": 0.5},
                         bystander={"seconds": 1.5})
    statuses, _, out = _build(tmp_path, registry, jobs=2)
    assert statuses == {"culprit": ("failed", WORKER_DIED), "bystander": ("ok", None)}
    assert (out / "bystander.html").is_file() and not (out / "culprit.html").exists()
    log = (out / "logs" / "culprit.log").read_text(encoding="utf-8")
    assert log.endswith(f" {WORKER_DIED}\n")
    assert re.fullmatch(rf"({STAMP} [^\n]*\n)+", log), log


# ------------------------------------------------------------------ output floods

@linux_only
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", ["flood", "fd-flood", "display-flood", "display-giant"])
def test_an_output_flood_is_cut_with_a_chinese_message(tmp_path, monkeypatch, mode, engine):
    # ipykernel reads file descriptors 1 and 2 only outside pytest (as in every real build).
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    statuses, _, out = _build(tmp_path, _registry(tmp_path, flood={"mode": mode}),
                              engine=engine)
    error = FLOODED.format(cell=CELL3, limit=16)
    assert error == "第 3 格（動手腳）的輸出超過上限 16 MB，已停止這份報告；請減少 print 的內容。"
    assert statuses == {"flood": ("failed", error)}
    failed = _public_failure(out, "flood", error)
    assert "after 4 seconds" not in failed["page"]
    # Nothing of the flood is published; the staff log (kernel's stderr) holds at most the
    # limit's worth of it, not the 64 MiB written to file descriptor 2.
    for path in (out / "failed" / "flood.html", out / "failed" / "flood.ipynb",
                 out / "logs" / "flood.log"):
        assert path.stat().st_size < 1 << 20, path
    assert (out.parent / ".staff" / "112" / "flood.log").stat().st_size < 17 << 20
    assert not (out / "flood.html").exists()


# ------------------------------------------------------------------ what a failure publishes

@linux_only
def test_a_program_fault_is_named_by_its_cell_and_its_details_go_to_the_staff_log(tmp_path):
    old = os.umask(0)
    try:
        statuses, lines, out = _build(tmp_path, _registry(tmp_path, fault={"mode": "fault"}))
    finally:
        os.umask(old)
    error = f"{CELL3}：{PROGRAM_FAULT}"
    assert error == "第 3 格（動手腳）：程式執行錯誤（細節記在承辦人的紀錄檔）"
    assert statuses == {"fault": ("failed", error)}
    assert any("  失敗  fault  " in line and line.endswith(f"秒：{error}") for line in lines)
    failed = _public_failure(out, "fault", error)
    # The display of cell 2, before the failure, is kept; cell 3's outputs are not.
    shown = [o for c in failed["notebook"]["cells"] if c["cell_type"] == "code"
             for o in c["outputs"]]
    assert ["".join(o["data"]["text/markdown"]) for o in shown] == ["前段的結果"]
    assert "前段的結果" in failed["page"]
    # Everything else is for staff, outside the published folder, in folders of mode 0700.
    staff = out.parent / ".staff"
    for folder in (staff, staff / "112"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    detail = (staff / "112" / "fault.log").read_text(encoding="utf-8")
    assert "第 3 格（動手腳）：KeyError: 'secret-key'" in detail
    assert "Traceback" in detail and 'return {}["secret-key"]' in detail
    assert not list(out.rglob(".staff"))


def test_a_cell_is_named_by_its_number_and_the_heading_or_comment_above_it():
    nb = new_notebook(cells=[
        new_code_cell("year = 112", metadata={"tags": ["parameters"]}),
        new_code_cell("year = 113", metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# 報告\n\n## 一、委員組成 ##\n\n說明"),
        new_code_cell("x = 1"),
        new_markdown_cell("沒有標題的說明"),
        new_code_cell("\n# 計算比例\ny = 2"),
        new_code_cell("z = 3"),
        new_markdown_cell("## " + "長" * 50),
        new_code_cell(""),
    ])
    assert [cell_place(nb, i) for i in (0, 1, 3, 5, 6, 8)] == [
        "第 1 格", "reports.yml 給的參數", "第 2 格（一、委員組成）", "第 3 格（計算比例）",
        "第 4 格（一、委員組成）", f"第 5 格（{'長' * 40}…）"]


def test_only_chinese_messages_of_data_errors_are_shown():
    assert explained("DataError", "data/112/x.csv 第 3 列「性別」欄：「Q」不是可接受的性別。") == (
        "data/112/x.csv 第 3 列「性別」欄：「Q」不是可接受的性別。")
    for ename, evalue in [("ValueError", "could not convert string to float: '男'"),
                          ("FileNotFoundError", "[Errno 2] No such file or directory: '/x'"),
                          ("KeyError", "「性別」欄"), ("DataError", "")]:
        assert explained(ename, evalue) == PROGRAM_FAULT


@linux_only
def test_a_fork_server_is_gone_only_when_nothing_listens_on_its_socket(tmp_path):
    import socket

    from genderstats.pipeline.engine.fork import server_gone

    address = str(tmp_path / "server")
    listening = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listening.bind(address)
    listening.listen(1)
    assert not server_gone(address)
    listening.close()  # the file stays, nothing listens: ECONNREFUSED
    assert server_gone(address)
    os.unlink(address)  # ENOENT
    assert server_gone(address)


@linux_only
def test_a_subreaper_kills_what_its_children_left_but_not_another_group(tmp_path):
    """kill_descendants in a process of its own: a setsid'd grandchild is found and killed;
    a process that joined the caller's group is killed by pid, the group is spared."""
    import subprocess

    script = f"""
import os, subprocess, sys, time
from genderstats.pipeline.processes import become_subreaper, descendants, kill_descendants
become_subreaper()
shell = subprocess.Popen(["sh", "-c", "setsid sleep 300 & sleep 300 & wait"])
time.sleep(0.5)
found = descendants(os.getpid())
kill_descendants(os.getpid())
open({str(tmp_path / 'pids')!r}, "w").write(" ".join(map(str, found)))
print(len(descendants(os.getpid())))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])},
                          timeout=60)
    assert done.stdout.strip() == "0", done.stderr
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert len(pids) == 3  # the shell and its two sleeps
    assert [p for p in pids if not _gone(p)] == []
    assert not _gone(os.getpid())  # the caller's own group (this test's) was left alone
