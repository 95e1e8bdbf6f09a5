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
from genderstats.pipeline.forkserver import ForkServer, fork_available, is_ipykernel_command

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
def test_forked_kernels_make_the_same_pages_and_indicators_as_ordinary_ones(
        tmp_path, sample_data, sample_registry):
    outs = {}
    for fork in (True, False):
        out_dir = tmp_path / ("fork" if fork else "plain")
        result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=out_dir,
                                    registry=sample_registry, echo=lambda _: None, fork=fork))
        assert result.ok, [(r.id, r.error) for r in result.results]
        outs[fork] = out_dir / "112"
    forked, plain = outs[True], outs[False]
    pages = sorted(p.name for p in plain.glob("*.html"))
    assert pages == sorted(p.name for p in forked.glob("*.html"))
    assert "gender-equality-task-force.html" in pages and "index.html" in pages
    for name in [*pages, "indicators.csv", "tables.csv"]:
        if name == "staff.html":
            continue  # the staff's page lists each report's run time: it differs by design
        a = (forked / name).read_text(encoding="utf-8-sig")
        b = (plain / name).read_text(encoding="utf-8-sig")
        assert _normalised(a) == _normalised(b), name
    with open(forked / "indicators.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 100
    # Both builds really ran every report: the fork server's kernels are the fast path.
    for out in (forked, plain):
        state = json.loads((out / ".state" / "gender-training.json").read_text("utf-8"))
        assert set(state["phases"]) == {"kernel", "cells", "stop", "export"}


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
    from genderstats.pipeline.forkserver import ticket
    from genderstats.pipeline.provisioner import _request

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


def test_fork_is_off_with_the_environment_variable(monkeypatch):
    monkeypatch.setenv("GENDERSTATS_NO_FORK", "1")
    assert not fork_available()
    monkeypatch.setenv("GENDERSTATS_NO_FORK", "0")
    assert fork_available() == sys.platform.startswith("linux")


def test_no_fork_option_reaches_the_build(monkeypatch, tmp_path):
    from genderstats.pipeline import build as build_module
    from genderstats.pipeline import cli

    seen = {}

    def fake_build(options):
        seen["fork"] = options.fork
        raise SystemExit(0)

    monkeypatch.setattr(build_module, "build", fake_build)
    for extra, fork in (([], True), (["--no-fork"], False)):
        with pytest.raises(SystemExit):
            cli.main(["build", "--year", "112", "--out-dir", str(tmp_path), *extra])
        assert seen["fork"] is fork


def test_only_this_pythons_ipykernel_is_forked():
    assert is_ipykernel_command([sys.executable, "-m", "ipykernel_launcher", "-f", "x.json"])
    assert not is_ipykernel_command(["/usr/bin/env", "-m", "ipykernel_launcher"])
    assert not is_ipykernel_command([sys.executable, "-m", "other_kernel", "-f", "x.json"])


def test_plain_papermill_and_jupyterlab_keep_ordinary_kernels():
    """The python3 kernelspec names no provisioner: jupyter_client's default is used."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.provisioning import KernelProvisionerFactory

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert "kernel_provisioner" not in (spec.metadata or {})
    assert KernelProvisionerFactory.instance().default_provisioner_name == "local-provisioner"
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert ('[project.entry-points."jupyter_client.kernel_provisioners"]\n'
            'genderstats-fork = "genderstats.pipeline.provisioner:ForkProvisioner"') in text


async def _ready_kernel(tmp_path, server, started: list[int]):
    """A kernel manager and its client, with a kernel forked by ``server`` and ready."""
    from genderstats.pipeline.processes import kernel_manager_class

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

    from genderstats.pipeline.provisioner import ForkProvisioner

    server = ForkServer()
    started: list[int] = []

    async def life() -> dict:
        km, kc = await _ready_kernel(tmp_path, server, started)
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

    from genderstats.pipeline import forkserver
    from genderstats.pipeline.forkserver import _Server

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


def test_a_stopping_kernel_is_checked_every_few_milliseconds(monkeypatch, tmp_path):
    """jupyter_client looks every 0.1 s whether a killed kernel is gone; the build's manager
    every 5 ms, so that a report's slot is free as soon as its kernel is."""
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    from genderstats.pipeline import processes

    intervals: list[float] = []

    async def wait(self, pollinterval: float = 0.1) -> None:
        intervals.append(pollinterval)

    monkeypatch.setattr(AsyncKernelManager, "_async_wait", wait)
    km = processes.kernel_manager_class(str(tmp_path / "k"))(kernel_name="python3")
    asyncio.run(km._async_wait())
    assert intervals == [0.005] == [processes.STOP_POLL]


@forking
def test_the_server_starts_with_glibc_keeping_large_blocks(tmp_path, monkeypatch):
    """Passed in its environment at start (glibc reads it then; the kernels it forks keep
    the settings, not the variable). /proc cannot show it: glibc cuts the string it parses."""
    import subprocess

    from genderstats.pipeline import forkserver

    real, seen = subprocess.Popen, []

    def popen(*args, **kwargs):
        seen.append(kwargs["env"]["GLIBC_TUNABLES"])
        return real(*args, **kwargs)

    monkeypatch.setattr(forkserver.subprocess, "Popen", popen)
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    ForkServer().stop()
    assert seen == ["glibc.malloc.mmap_threshold=268435456:"
                    "glibc.malloc.trim_threshold=268435456:glibc.malloc.arena_max=2"]


def test_the_build_sets_the_same_malloc_settings_for_itself(monkeypatch):
    from genderstats.pipeline import processes

    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append((option, value))
            return 1

    monkeypatch.setattr(processes.ctypes, "CDLL", lambda name: Libc())
    processes.keep_large_blocks()
    # M_MMAP_THRESHOLD (-3) and M_TRIM_THRESHOLD (-1) of glibc's malloc.h, 256 MiB each.
    assert sorted(calls) == [(-3, 268435456), (-1, 268435456)]


@forking
@pytest.mark.slow
def test_the_server_has_imported_everything_a_sample_report_imports(
        tmp_path, sample_build, sample_reports):
    """Each report's kernel imports nothing the server did not: every module a notebook
    imports on first use (PIL's plugins for a PNG, pandas' text formatter, the ODS reader …)
    would otherwise be imported again by every kernel."""
    import asyncio

    from genderstats.pipeline.processes import kernel_manager_class

    status = sample_build["out"] / ".state" / "report-status.json"
    reports = list({r.notebook.name: r for r in reversed(sample_reports)}.values())
    server = ForkServer()

    async def imported(report) -> list[str]:
        params = report.build_parameters(112, sample_build["data"])
        if "report_status" in nbformat.read(report.notebook, as_version=4).cells[1].source:
            params["report_status"] = str(status)
        km = kernel_manager_class(str(tmp_path / report.id), lambda _pid: None,
                                  server.address)(kernel_name="python3")
        await km.start_kernel(cwd=str(report.notebook.parent))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            cells = ["import sys as _s; _before = set(_s.modules)",
                     "\n".join(f"{k} = {v!r}" for k, v in params.items())]
            nb = nbformat.read(report.notebook, as_version=4)
            cells[1:1] = [c.source for c in nb.cells if c.cell_type == "code"][:1]
            cells += [c.source for c in nb.cells if c.cell_type == "code"][1:]
            cells.append("print(sorted(set(_s.modules) - _before))")
            printed: list[str] = []
            for code in cells:
                reply = await kc.execute_interactive(
                    code, timeout=120, output_hook=lambda m: printed.append(
                        m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
                assert reply["content"]["status"] == "ok", (report.id, code)
            return eval(printed[-1])  # noqa: S307 - the list the kernel printed
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)

    try:
        seen = {r.id: asyncio.run(imported(r)) for r in reports}
    finally:
        server.stop()
    assert seen == {r.id: [] for r in reports}


def test_starting_the_server_waits_for_no_jupyter_import():
    """The build spawns the server first thing; the provisioner (jupyter_client, a tenth of a
    second) is imported later, by the workers' kernel managers."""
    import subprocess

    code = ("import sys, genderstats.pipeline.forkserver as f; "
            "print(sorted(m for m in ('jupyter_client', 'zmq', 'pandas') if m in sys.modules)); "
            "print(f.ForkProvisioner.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split("\n")
    assert out[:2] == ["[]", "genderstats.pipeline.provisioner"]
