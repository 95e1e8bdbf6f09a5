"""A report that summarises the others starts with them and waits for their status; the
results report's PDF is made while its notebook still runs.

Fixture notebooks (tests/fixtures: tiny, faults, status_wait) and registries in tmp_path
keep these builds to a few seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import fixture_project as _project

from genderstats import report_status
from genderstats.analyses import annual
from genderstats.pipeline import pdf as pdfmod
from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.processes import Job, Pool
from genderstats.pipeline.registry import RegistryError, load_registry
from genderstats.pipeline.runner import _EarlyPdf

STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d ")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc to follow the conversion's processes")


# ------------------------------------------------------------------ the status file

def _status(path: Path, statuses: dict[str, str], **extra: object) -> Path:
    reports = {rid: {"title": rid, "unit": "", "status": st,
                     "page": f"{rid}.html" if st == "ok" else None, "key_figure": None}
               for rid, st in statuses.items()}
    path.write_text(json.dumps({"year": 112, "reports": reports, **extra}), encoding="utf-8")
    return path


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _polls(monkeypatch: pytest.MonkeyPatch, on_poll=lambda: None) -> list[float]:
    """Record load_status's pauses between readings, calling ``on_poll`` at each instead."""
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        on_poll()

    monkeypatch.setattr(report_status, "time", SimpleNamespace(sleep=pause))
    return pauses


def test_load_status_waits_for_the_build_to_complete_the_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _status(tmp_path / "status.json", {"a": "pending"}, complete=False,
                   builder=os.getpid())

    def complete() -> None:  # the build, while load_status waits
        tmp = tmp_path / "status.tmp"
        _status(tmp, {"a": "ok"})
        os.replace(tmp, path)

    pauses = _polls(monkeypatch, complete)
    reports = report_status.load_status(path, 112)
    # It read the pending file, waited once, and returned what the completed file says.
    assert len(pauses) == 1
    assert reports["a"]["status"] == "ok"
    assert reports["a"]["page"] == "a.html"


def test_a_waiting_reader_reads_the_file_again_only_once_it_is_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _status(tmp_path / "status.json", {"a": "pending"}, complete=False,
                   builder=os.getpid())
    reads: list[Path] = []
    real_read = report_status._read
    monkeypatch.setattr(report_status, "_read",
                        lambda p, year: reads.append(p) or real_read(p, year))

    def poll() -> None:  # the build replaces the file at the fourth pause only
        if len(pauses) == 4:
            tmp = tmp_path / "status.tmp"
            _status(tmp, {"a": "ok"})
            os.replace(tmp, path)

    pauses = _polls(monkeypatch, poll)
    assert report_status.load_status(path, 112)["a"]["status"] == "ok"
    assert len(pauses) == 4
    assert reads == [path, path]  # the pending file, then the completed one


def test_without_waiting_a_pending_file_gives_the_titles(tmp_path: Path) -> None:
    path = _status(tmp_path / "status.json", {"a": "pending"}, complete=False,
                   builder=os.getpid())
    assert report_status.load_status(path, 112, wait=False)["a"]["status"] == "pending"
    assert annual.report_info(path, 112) == {
        "a": {"title": "a", "unit": "", "subject": "", "figures": {}}}


def test_a_pending_file_whose_build_has_ended_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _status(tmp_path / "status.json", {"a": "pending"}, complete=False,
                   builder=_dead_pid())
    pauses = _polls(monkeypatch)
    with pytest.raises(ValueError) as err:
        report_status.load_status(path, 112)
    assert pauses == []  # at once, without waiting for a file that cannot be completed
    assert str(err.value) == ("報告狀態檔 status.json 尚未完成，"
                              "而寫入它的 genderstats build 已結束；請重新執行 genderstats build。")
    # A file without a writer cannot be completed either.
    _status(path, {"a": "pending"}, complete=False)
    with pytest.raises(ValueError, match="尚未完成"):
        report_status.load_status(path, 112)


def test_pending_is_no_status_of_a_complete_file(tmp_path: Path) -> None:
    path = _status(tmp_path / "status.json", {"a": "pending"})
    with pytest.raises(ValueError) as err:
        report_status.load_status(path, 112)
    assert str(err.value) == ("報告狀態檔 status.json 中「a」的 status 應為 "
                              "ok、failed、unbuilt 之一。")


# ------------------------------------------------------------------ the pool

def _sleep(seconds: float, notify: object) -> float:
    time.sleep(seconds)
    return seconds


def test_a_waiting_job_takes_no_place_and_its_clock_restarts() -> None:
    pool = Pool(1)
    events: list[str] = []
    ended: dict[str, str] = {}

    def done(outcome) -> None:
        events.append(f"end {outcome.job.key}")
        ended[outcome.job.key] = outcome.kind
        if outcome.job.key == "b":
            pool.restart_clocks()

    jobs = [Job("waiting", _sleep, (3.0,), timeout=2.5, waits=True),
            Job("a", _sleep, (1.0,)), Job("b", _sleep, (1.0,))]
    pool.run(jobs, lambda job: events.append(f"start {job.key}"), done)
    # The waiting job and the first job start at once; the second waits for the first only.
    assert events == ["start waiting", "start a", "end a", "start b", "end b", "end waiting"]
    # Its 2.5 s limit counted from the end of the others (about 2 s in), not from its start.
    assert ended == {"a": "done", "b": "done", "waiting": "done"}


def _mask(notify: object) -> list[int]:
    return sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []))


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_stop_signals_wait_while_a_worker_is_forked_and_the_worker_gets_them_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A Ctrl-C during the fork itself would raise inside the at-fork hooks, which swallow
    it (the build runs on): SIGINT and SIGTERM are held back for the fork only."""
    from multiprocessing.process import BaseProcess

    during: list[list[int]] = []
    start = BaseProcess.start

    def watched(self) -> None:
        during.append(_mask(None))
        start(self)

    monkeypatch.setattr(BaseProcess, "start", watched)
    before = _mask(None)
    results: list[object] = []
    Pool(1).run([Job("mask", _mask, ())], lambda job: None,
                lambda outcome: results.append(outcome.value))
    stop = sorted(int(s) for s in (signal.SIGINT, signal.SIGTERM))
    assert during == [sorted(set(before) | set(stop))]
    assert _mask(None) == before  # the build's own mask is as it was
    assert results == [[s for s in before if s not in stop]]  # and the worker's too


def _group_then_hang(pidfile: str, notify) -> None:
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    Path(pidfile).write_text(str(proc.pid))
    notify({"group": proc.pid})
    time.sleep(60)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


@linux_only
def test_a_process_group_a_worker_reports_dies_with_it_at_the_time_limit(tmp_path: Path) -> None:
    pidfile = tmp_path / "sleep.pid"
    outcomes = []
    Pool(1).run([Job("hang", _group_then_hang, (str(pidfile),), timeout=1.5)],
                lambda job: None, outcomes.append)
    assert [o.kind for o in outcomes] == ["timeout"]
    pid = int(pidfile.read_text())
    end = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not _alive(pid)  # in its own session: only the group kill reaches it


# ------------------------------------------------------------------ builds

def _build(tmp_path: Path, registry: Path, **kw):
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, echo=lines.append, **kw))
    return result, [STAMP.sub("", line) for line in lines], tmp_path / "out" / "112"


SUMMARY = ("  - {id: summary, title: 總表, notebook: status_wait.ipynb, starts_early: true,"
           " timeout: 3}\n")


@linux_only
def test_the_summary_starts_first_waits_and_sees_every_final_status(tmp_path: Path) -> None:
    registry = _project(tmp_path, (
        "  - {id: slow1, title: 慢一, notebook: faults.ipynb,"
        " parameters: {mode: sleep, seconds: 1.5}}\n"
        "  - {id: slow2, title: 慢二, notebook: faults.ipynb,"
        " parameters: {mode: sleep, seconds: 1.5}}\n"
        "  - {id: flaky, title: 會失敗, notebook: tiny.ipynb, parameters: {fail: true}}\n"
        + SUMMARY))
    result, lines, out = _build(tmp_path, registry, jobs=1)
    assert {r.id: r.status for r in result.results} == {
        "slow1": "ok", "slow2": "ok", "flaky": "failed", "summary": "ok"}
    starts = [line.split()[-1] for line in lines if line.startswith("  開始")]
    assert starts[0] == "summary"
    # --jobs 1: the others run one at a time beside it; it does not hold their place.
    first_done = next(i for i, line in enumerate(lines) if line.startswith("  完成  slow"))
    assert lines.index("  開始  summary") < lines.index(f"  開始  {starts[1]}") < first_done
    # Its 3 s limit began when the others were done (they took over 3 s one after another).
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["reports"]}
    assert entries["summary"]["key_figure"] == "slow1=ok、slow2=ok、flaky=failed"
    status = json.loads((out / ".state" / "report-status.json").read_text(encoding="utf-8"))
    assert "complete" not in status and "builder" not in status  # the final file
    assert {k: v["status"] for k, v in status["reports"].items()} == {
        "slow1": "ok", "slow2": "ok", "flaky": "failed"}

    # Nothing changed: nothing runs. A changed report re-runs the summary, after it.
    result, _, _ = _build(tmp_path, registry, jobs=1)
    assert {r.status for r in result.results} == {"unchanged", "failed"}
    registry.write_text(registry.read_text(encoding="utf-8").replace(
        "parameters: {fail: true}", "parameters: {fail: false}"), encoding="utf-8")
    result, lines, out = _build(tmp_path, registry, jobs=1)
    assert {r.id: r.status for r in result.results} == {
        "slow1": "unchanged", "slow2": "unchanged", "flaky": "ok", "summary": "ok"}
    flaky_done = next(i for i, line in enumerate(lines) if line.startswith("  完成  flaky"))
    assert lines.index("  開始  summary") > flaky_done
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in manifest["reports"]}
    assert entries["summary"]["key_figure"] == "slow1=ok、slow2=ok、flaky=ok"


@linux_only
def test_a_summary_alone_reads_the_complete_status_at_once(tmp_path: Path) -> None:
    # Its limit is not what is tested here: a generous one, for a loaded machine.
    registry = _project(tmp_path, "  - {id: good, title: 好, notebook: tiny.ipynb}\n"
                        + SUMMARY.replace("timeout: 3", "timeout: 120"))
    _build(tmp_path, registry)
    result, lines, out = _build(tmp_path, registry, only=["summary"], force=True)
    assert [r.status for r in result.results] == ["ok"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {e["id"]: e for e in manifest["reports"]}["summary"]["key_figure"] == "good=ok"


def test_starts_early_must_be_true_or_false(tmp_path: Path) -> None:
    registry = _project(tmp_path, SUMMARY.replace("starts_early: true", "starts_early: 是"))
    with pytest.raises(RegistryError) as err:
        load_registry(registry)
    assert str(err.value).endswith(
        "（summary）：starts_early「是」應為 true 或 false；只有以 "
        "genderstats.report_status.load_status 讀取報告狀態的筆記本才可設為 true。")
    assert [r.starts_early for r in load_registry(_project(tmp_path, SUMMARY))] == [True]


# ------------------------------------------------------------------ the PDF beside the run

def _fake_soffice(bin_dir: Path, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "soffice"
    script.write_text(
        "#!/bin/sh\n"
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out=$2; shift; done\n' + body,
        encoding="utf-8")
    script.chmod(0o755)


def test_only_a_pdf_of_the_final_document_is_used(tmp_path: Path, monkeypatch) -> None:
    import base64

    calls = []
    monkeypatch.setattr(pdfmod, "convert", lambda odt, **kw: calls.append(odt) or
                        pdfmod.Conversion(b"%PDF " + odt))
    early = _EarlyPdf(lambda message: None, tmp_path)
    cell = {"outputs": [{"data": {"application/vnd.genderstats.document+json":
                                  {"odt": base64.b64encode(b"first").decode()}}}]}
    early.cell_executed(cell)
    early.cell_executed(cell)  # converted once
    assert early.of(b"first") == pdfmod.Conversion(b"%PDF first")
    assert early.of(b"second") is None  # a later document: the build converts that one
    assert early.of(None) is None
    assert calls == [b"first"]
    assert _EarlyPdf(lambda message: None, tmp_path).of(b"first") is None
    # A record it cannot read starts nothing and fails nothing: the build converts instead.
    broken = _EarlyPdf(lambda message: None, tmp_path)
    broken.cell_executed({"outputs": [{"data": {"application/vnd.genderstats.document+json":
                                                {"odt": "不是 base64"}}}]})
    assert broken.thread is None and broken.of(b"first") is None


@linux_only
@pytest.mark.slow
def test_the_worker_converts_the_pdf_and_a_hung_conversion_is_ended(
        tmp_path: Path, sample_data: Path, sample_registry: Path, monkeypatch) -> None:
    parents = tmp_path / "parents.txt"
    pidfile = tmp_path / "sleep.pid"
    _fake_soffice(tmp_path / "bin", f"echo $PPID >> {parents}\n"
                  f"sleep 60 &\necho $! > {pidfile}\nwait\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setattr(pdfmod, "DEFAULT_TIMEOUT", 2.0)
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=sample_data, out_dir=tmp_path / "out",
                                registry=sample_registry, only=["annual-report"],
                                echo=lines.append))
    assert [r.status for r in result.results] == ["ok"]
    year = tmp_path / "out" / "112"
    assert (year / "annual-report.odt").is_file() and not (year / "annual-report.pdf").exists()
    assert any(line.endswith("注意  annual-report：LibreOffice 轉檔逾時（2 秒），未產製 PDF")
               for line in lines)
    # Converted by the report's worker, not by the build's own process, and only once.
    (parent,) = parents.read_text().split()
    assert int(parent) != os.getpid()
    pid = int(pidfile.read_text())
    end = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not _alive(pid)
