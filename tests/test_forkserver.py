"""Kernels forked from the build's fork server: isolated, killed with the build, same pages.

Each test builds from its own registry of tiny notebooks (or the tests' copy of the sample)
in tmp_path.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import re
import shutil
import signal
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import wait_until
from nbformat.v4 import new_code_cell, new_notebook

from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.engine import patches
from genderstats.pipeline.engine.fork import ForkServer, fork_available, is_ipykernel_command

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
forking = pytest.mark.skipif(not fork_available(), reason="fork server needs Linux")

PARAMETERS = 'year: int = 112\ndata_dir: str = ""\n'

# The first report changes everything a later one could trip over, in every place it can:
# a module-level global of the package, rcParams, an imported module, its namespace, random.
SPOILER = """
import gc, random, sys
import matplotlib
import genderstats.stats as stats
stats.LEAKED = "spoiled"
gc.disable()
stats.gender_table = None
matplotlib.rcParams["lines.linewidth"] = 9.5
matplotlib.rcParams["font.size"] = 31.0
sys.modules["gs_leaked_module"] = object()
leaked_global = 1
print("draw", random.random())
"""

# The second asserts it sees none of it, and says what process it ran in.
CHECKER = """
import gc, json, os, random, sys
import matplotlib
import genderstats.stats as stats
from genderstats.present import charts
assert not hasattr(stats, "LEAKED"), "a module global leaked"
assert callable(stats.gender_table), "a patched function leaked"
assert matplotlib.rcParams["lines.linewidth"] == matplotlib.rcParamsDefault["lines.linewidth"]
assert matplotlib.rcParams["font.size"] == charts.THEME.get(
    "font.size", matplotlib.rcParamsDefault["font.size"])
assert "gs_leaked_module" not in sys.modules
assert "leaked_global" not in globals()
assert matplotlib.get_backend() == "module://matplotlib_inline.backend_inline"
assert gc.isenabled(), "garbage collection is off"
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "sid": os.getsid(0),
                  "parent_env": int(os.environ["JPY_PARENT_PID"]), "cwd": os.getcwd(),
                  "argv0": os.path.basename(sys.argv[0]), "draw": random.random(),
                  "frozen": gc.get_freeze_count(),
                  "tunables": os.environ.get("GLIBC_TUNABLES")}))
"""


def _notebook(path: Path, code: str) -> None:
    nb = new_notebook(cells=[new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
                             new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def _isolation_project(tmp_path: Path) -> Path:
    (tmp_path / "data" / "112").mkdir(parents=True)
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _notebook(nbdir / "spoil.ipynb", SPOILER)
    _notebook(nbdir / "check.ipynb", CHECKER)
    registry = nbdir / "reports.yml"
    registry.write_text(
        "reports:\n"
        "  - {id: spoil, title: 先執行, notebook: spoil.ipynb}\n"
        "  - {id: check, title: 後執行, notebook: check.ipynb}\n"
        "  - {id: check-again, title: 再執行, notebook: check.ipynb}\n", encoding="utf-8")
    return registry


def _printed(out: Path, rid: str) -> dict:
    nb = nbformat.read(out / "notebooks" / f"{rid}.ipynb", as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    return json.loads(text.strip().splitlines()[-1])


@forking
def test_a_report_never_sees_what_another_changed(tmp_path):
    registry = _isolation_project(tmp_path)
    lines: list[str] = []
    # One at a time, in registry order: the spoiler's kernel runs first, then the checkers.
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, jobs=1, echo=lines.append))
    assert [(r.id, r.status, r.error) for r in result.results] == [
        ("spoil", "ok", None), ("check", "ok", None), ("check-again", "ok", None)]
    out = tmp_path / "out" / "112"
    first, second = _printed(out, "check"), _printed(out, "check-again")
    for seen in (first, second):
        # Forked by the server (its parent), not started by the worker that drives it ...
        assert seen["ppid"] != seen["parent_env"]
        # ... yet set up as jupyter_client would start it: own session, papermill's cwd.
        assert seen["sid"] == seen["pid"]
        assert seen["cwd"] == str(registry.parent)
        assert seen["argv0"] == "ipykernel_launcher.py"
    assert first["pid"] != second["pid"]
    assert first["ppid"] == second["ppid"]  # the same server forked both
    assert first["draw"] != second["draw"]  # random is reseeded in each fork
    # What the server imported is frozen (gc.freeze): a kernel's collections skip it.
    assert first["frozen"] > 10_000 and second["frozen"] > 10_000
    # The server's malloc settings are not in a kernel's environment: that is the worker's.
    assert first["tunables"] == os.environ.get("GLIBC_TUNABLES")
    # The build froze its own objects only while it forked workers.
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_the_checker_fails_when_state_does_leak():
    """The checker above is no formality: run after the spoiler in one process, it fails."""
    import subprocess

    code = PARAMETERS + SPOILER + CHECKER
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "agg"}, timeout=120)
    assert proc.returncode == 1
    assert "AssertionError: a module global leaked" in proc.stderr


def _normalised(text: str) -> str:
    """A page or CSV without its build times (「2026-12-01 10:00」, 「115/12/01 10:00」,
    「3.2 秒」)."""
    text = re.sub(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?([+-]\d\d:\d\d)?", "<時間>", text)
    text = re.sub(r"\d{2,3}/\d\d/\d\d \d\d:\d\d", "<時間>", text)
    return re.sub(r"\d+(\.\d+)? 秒", "<秒>", text)


@forking
@pytest.mark.slow
def test_the_plain_engine_with_every_patch_off_makes_the_same_pages_and_indicators(
        tmp_path, sample_build, sample_data, sample_registry):
    """The sample build (fork engine, every patch in effect) against one with ordinary kernels
    and every override of a library internal off: the same pages, read as HTML (nbconvert's
    own closing pass re-serialises a page), the same CSVs."""
    bs4 = pytest.importorskip("bs4")
    result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path,
                                registry=sample_registry, echo=lambda _: None, engine="plain"))
    assert result.ok, [(r.id, r.error) for r in result.results]
    assert patches.OFF_ENV not in os.environ  # switched off for the build only
    forked, plain = sample_build["out"], tmp_path / "112"
    pages = sorted(p.name for p in plain.glob("*.html"))
    assert pages == sorted(p.name for p in forked.glob("*.html"))
    assert "gender-equality-task-force.html" in pages and "index.html" in pages
    for name in [*pages, "indicators.csv", "tables.csv"]:
        if name == "staff.html":
            continue  # the staff's page lists each report's run time: it differs by design
        a = _normalised((forked / name).read_text(encoding="utf-8-sig"))
        b = _normalised((plain / name).read_text(encoding="utf-8-sig"))
        if name.endswith(".html"):
            a, b = (str(bs4.BeautifulSoup(t, "html.parser")) for t in (a, b))
        assert a == b, name
    with open(forked / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 100
    # Both builds really ran every report, the plain one with every patch off (its workers'
    # and kernels' environment said so) ...
    for out in (forked, plain):
        state = json.loads((out / ".state" / "gender-training.json").read_text("utf-8"))
        assert set(state["phases"]) == {"kernel", "cells", "stop", "export"}
    staff = (tmp_path / ".staff" / "112" / "gender-training.log").read_text(encoding="utf-8")
    assert staff.startswith("所有修補都已關閉（GENDERSTATS_PATCHES_OFF=all 或 --engine plain）：")
    # ... the fork build with each in effect, its staff log naming none.
    forked_staff = forked.parent / ".staff" / "112" / "gender-training.log"
    assert "修補" not in forked_staff.read_text(encoding="utf-8")


# ------------------------------------------------------------------ kill paths


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"



@forking
def test_a_kernel_dies_when_its_client_goes_and_stopping_the_server_ends_every_kernel(
        tmp_path):
    from genderstats.pipeline.engine.fork import ticket
    from genderstats.pipeline.engine.provisioner import _request

    server = ForkServer()
    try:
        # Two real kernels, each writing its own connection file (nobody connects).
        request = {"env": dict(os.environ), "cwd": str(tmp_path)}
        hung_up, pid1 = _request(ticket(server.address), {**request, "argv": [
            "-f", str(tmp_path / "k1.json")]}, 1, 2)
        kept, pid2 = _request(ticket(server.address), {**request, "argv": [
            "-f", str(tmp_path / "k2.json")]}, 1, 2)
        assert {pid1, pid2} <= set(_children(server.process.pid))
        hung_up.close()  # the worker went away: its kernel must not outlive it
        assert wait_until(lambda: pid1 not in _children(server.process.pid))
    finally:
        server.stop()
    assert server.process.returncode == 0
    assert not _alive(pid2)
    assert not Path(server.directory).exists()  # its private folder, socket and all
    kept.close()


@forking
def test_a_kernel_past_its_time_limit_is_killed_and_the_build_reports_it(tmp_path,
                                                                         monkeypatch):
    (tmp_path / "data" / "112").mkdir(parents=True)
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    shutil.copy(FIXTURES / "faults.ipynb", nbdir / "faults.ipynb")
    _notebook(nbdir / "pid.ipynb", "import os\nopen(os.environ['GS_PID_FILE'], 'w')"
              ".write(str(os.getpid()))\nwhile True:\n    pass\n")
    registry = nbdir / "reports.yml"
    registry.write_text(
        "reports:\n  - {id: stuck, title: 卡住, notebook: pid.ipynb, timeout: 10}\n"
        "  - {id: fine, title: 正常, notebook: faults.ipynb}\n", encoding="utf-8")
    pid_file = tmp_path / "kernel.pid"
    monkeypatch.setenv("GS_PID_FILE", str(pid_file))  # the kernel's environment is the build's
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, echo=lambda _: None, jobs=2))
    by_id = {r.id: r for r in result.results}
    assert by_id["stuck"].status == "failed"
    assert by_id["stuck"].error == "執行逾時（10 秒）：已停止這份報告與它的核心。"
    assert by_id["fine"].status == "ok"
    assert not _alive(int(pid_file.read_text()))


# ------------------------------------------------------------------ switches


def test_the_engine_comes_from_the_option_then_the_environment(monkeypatch):
    from genderstats.pipeline.engine import resolve

    monkeypatch.delenv("GENDERSTATS_ENGINE", raising=False)
    assert resolve() == "fork" and resolve("plain") == "plain"
    monkeypatch.setenv("GENDERSTATS_ENGINE", "plain")
    assert resolve() == "plain" and resolve("fork") == "fork"
    monkeypatch.setenv("GENDERSTATS_ENGINE", "forked")
    with pytest.raises(ValueError) as exc:
        resolve()
    assert str(exc.value) == ("沒有「forked」這個執行引擎：--engine（或環境變數 "
                              "GENDERSTATS_ENGINE）請用 fork 或 plain。")


def test_a_patch_switch_naming_no_patch_stops_the_build_before_it_writes(monkeypatch,
                                                                          tmp_path):
    from genderstats.pipeline.build import BuildUsageError

    monkeypatch.setenv("GENDERSTATS_PATCHES_OFF", "nbconvert-page,glibc-maloc")
    with pytest.raises(BuildUsageError) as exc:
        build(BuildOptions(year=112, out_dir=tmp_path))
    assert str(exc.value).startswith(
        "環境變數 GENDERSTATS_PATCHES_OFF 中的 glibc-maloc 不是任何修補的名稱；可用的名稱："
        "jsonschema-rfc3987、")
    assert list(tmp_path.iterdir()) == []


def test_the_engine_option_reaches_the_build(monkeypatch, tmp_path):
    from genderstats.pipeline import build as build_module
    from genderstats.pipeline import cli

    seen = {}

    def fake_build(options):
        seen["engine"] = options.engine
        raise SystemExit(0)

    monkeypatch.setattr(build_module, "build", fake_build)
    for extra, engine in (([], None), (["--engine", "plain"], "plain"),
                          (["--engine", "fork"], "fork")):
        with pytest.raises(SystemExit):
            cli.main(["build", "--year", "112", "--out-dir", str(tmp_path), *extra])
        assert seen["engine"] == engine


def test_only_this_pythons_ipykernel_is_forked():
    assert is_ipykernel_command([sys.executable, "-m", "ipykernel_launcher", "-f", "x.json"])
    assert not is_ipykernel_command(["/usr/bin/env", "-m", "ipykernel_launcher"])
    assert not is_ipykernel_command([sys.executable, "-m", "other_kernel", "-f", "x.json"])


def test_plain_papermill_and_jupyterlab_keep_ordinary_kernels():
    """The python3 kernelspec names no provisioner: jupyter_client's default is used; the
    build's managers give their kernels the fork provisioner themselves."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert "kernel_provisioner" not in (spec.metadata or {})
    assert KernelProvisionerFactory.instance().default_provisioner_name == "local-provisioner"
    assert "kernel_provisioners" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


async def _ready_kernel(tmp_path, server, started: list[int]):
    """A kernel manager and its client, with a kernel forked by ``server`` and ready."""
    from genderstats.pipeline.engine import kernel_manager_class

    km = kernel_manager_class(str(tmp_path / "k"), started.append, server.address)(
        kernel_name="python3")
    await km.start_kernel(cwd=str(tmp_path))
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return km, kc


@forking
def test_the_kernel_manager_drives_a_forked_kernel_through_its_whole_life(tmp_path):
    """Start, ask, interrupt-free shutdown, and the provisioner's answers after it."""
    import asyncio

    from genderstats.pipeline.engine.provisioner import ForkProvisioner

    server = ForkServer()
    started: list[int] = []

    async def life() -> dict:
        km, kc = await _ready_kernel(tmp_path, server, started)
        # A graceful exit is what is tested: a loaded machine may need more than the
        # default five seconds before jupyter_client falls back to SIGTERM.
        km.shutdown_wait_time = 120
        provisioner = km.provisioner
        assert isinstance(provisioner, ForkProvisioner) and provisioner._forked
        reply = await kc.execute_interactive("import os; print(os.getcwd())", timeout=60)
        alive = await km.is_alive()
        kc.stop_channels()
        await km.shutdown_kernel()
        return {"status": reply["content"]["status"], "alive": alive,
                "after": await km.is_alive(), "has_process": provisioner.has_process,
                "poll": await provisioner.poll()}

    try:
        seen = asyncio.run(life())
    finally:
        server.stop()
    assert seen == {"status": "ok", "alive": True, "after": False, "has_process": False,
                    "poll": 0}
    assert len(started) == 1 and not _alive(started[0])


@forking
def test_a_killed_kernel_lets_its_worker_go_at_once_and_the_server_reaps_it(tmp_path):
    """papermill ends each report with an immediate shutdown (a SIGKILL): the worker goes
    on without waiting for the system to take the kernel apart; the server reaps it."""
    import asyncio

    server = ForkServer()
    started: list[int] = []

    async def life() -> dict:
        km, kc = await _ready_kernel(tmp_path, server, started)
        kc.stop_channels()
        # The server is stopped: it can neither reap the kernel nor report its exit, so
        # a shutdown that waited for that would take jupyter_client's 5 s time limit.
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            await asyncio.wait_for(km.shutdown_kernel(now=True), 3)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        return {"after": await km.is_alive(), "poll": await km.provisioner.poll(),
                "has_process": km.provisioner.has_process}

    try:
        seen = asyncio.run(life())
        assert seen == {"after": False, "poll": -signal.SIGKILL, "has_process": False}
        # Gone and reaped while the server still runs: no zombie is left for the build's end.
        assert wait_until(lambda: started[0] not in _children(server.process.pid))
        assert not _alive(started[0])
    finally:
        server.stop()
    assert server.process.returncode == 0


@forking
def test_a_kernels_exit_and_its_workers_hang_up_in_one_select_leave_the_server_serving(
        monkeypatch):
    """The worker lets go of a killed kernel at once, so the server may see the kernel's
    exit and the worker's hang-up together: the second event finds nothing left to do."""
    import selectors
    import socket

    from genderstats.pipeline.engine import server as forkserver
    from genderstats.pipeline.engine.server import _Server

    # The "server" here is the tests' own process: what else it has started is not a
    # kernel's leftover, and must not be killed.
    monkeypatch.setattr(forkserver, "children", lambda pid: [])

    pid = os.fork()
    if pid == 0:
        os._exit(0)
    listener, unused = socket.socketpair()
    conn, worker = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server = _Server(listener, bytearray(32), os.getpid())
    server.selector = selectors.DefaultSelector()
    pidfd = os.pidfd_open(pid)
    server.clients[pid] = (conn, pidfd)
    server.selector.register(pidfd, selectors.EVENT_READ, ("exit", pid))
    server.selector.register(conn, selectors.EVENT_READ, ("client", pid))
    worker.close()
    try:
        server._child_event("exit", pid)  # reaped, reported (to nobody), let go
        server._child_event("client", pid)  # the same batch's hang-up: nothing left
        assert server.clients == {} and not server.selector.get_map()
    finally:
        server.selector.close()
        listener.close()
        unused.close()


@forking
def test_the_server_starts_with_glibc_keeping_large_blocks(tmp_path, monkeypatch):
    """Passed in its environment at start (glibc reads it then; the kernels it forks keep
    the settings, not the variable). /proc cannot show it: glibc cuts the string it parses."""
    import subprocess

    from genderstats.pipeline.engine import fork

    real, seen = subprocess.Popen, []

    def popen(*args, **kwargs):
        seen.append(kwargs["env"]["GLIBC_TUNABLES"])
        return real(*args, **kwargs)

    monkeypatch.setattr(fork.subprocess, "Popen", popen)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    ForkServer().stop()
    assert seen == ["glibc.malloc.mmap_threshold=268435456:"
                    "glibc.malloc.trim_threshold=268435456:glibc.malloc.arena_max=2"]


def test_the_build_sets_the_same_malloc_settings_for_itself(monkeypatch):
    import ctypes

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(ctypes, "CDLL", lambda name: Libc())
    patches.keep_large_blocks()
    # M_MMAP_THRESHOLD (-3) and M_TRIM_THRESHOLD (-1) of glibc's malloc.h, 256 MiB each.
    assert sorted(calls) == [(-3, 268435456), (-1, 268435456)]


def test_starting_the_server_waits_for_no_jupyter_import():
    """The build spawns the server first thing; the provisioner (jupyter_client, a tenth of a
    second) is imported later, by the workers' kernel managers."""
    import subprocess

    code = ("import sys, genderstats.pipeline.build, genderstats.pipeline.engine.server; "
            "print(sorted(m for m in ('jupyter_client', 'zmq', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out == "[]\n"
