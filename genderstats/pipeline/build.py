"""The yearly build: run every report of a year and publish its pages.

registry → plan (:mod:`plan`: what runs, in what order) → parallel papermill runs (one
worker and one kernel each, each with a time limit; :mod:`runner`) → atomic publish by
this process, which holds the lock (:mod:`report_files`) → the year's outputs
(:mod:`outputs`): ``<out>/<year>/{index.html, <id>.html, indicators.csv, manifest.json}``.
What is kept between builds is in :mod:`state`.

Reports whose notebook declares a ``report_status`` parameter (the annual report) receive the
path of ``.state/report-status.json`` (:mod:`genderstats.report_status`): the status of
every other report, and run after them. One marked ``starts_early`` in the registry that
must run whatever the others do (its own inputs changed, or ``--force``) starts with them
instead, outside the ``--jobs`` count: the file then says ``"complete": false`` and its
notebook waits for the complete one, written as soon as every other report has finished.
Its time limit starts then.

Kernels are forked from one warm fork server per build where possible (the fork engine,
``genderstats.pipeline.engine``; ``--engine plain`` or ``GENDERSTATS_ENGINE=plain``: ordinary
kernels on the libraries' public APIs). Heavy imports (papermill, nbconvert, pandas) happen
only when a report must run, so an unchanged rebuild costs little more than hashing the
inputs.

Over 500 lines because the build's steps share one build's state (the reports' states and
results, the engine, the signals); each rule they follow lives in its own module.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import clock, config
from genderstats.clock import stamp
from genderstats.pipeline import plan
from genderstats.pipeline.auditor import AUDIT_FILE, Auditor, audit_notes
from genderstats.pipeline.engine import Engine, patches, resolve, switches
from genderstats.pipeline.interrupts import BuildInterrupted, Signals
from genderstats.pipeline.notebook_parameters import summarising_reports
from genderstats.pipeline.outputs import write_outputs, write_report_status
from genderstats.pipeline.public_paths import PublicPaths
from genderstats.pipeline.publish import write_json
from genderstats.pipeline.registry import Report, load_registry, select
from genderstats.pipeline.report_files import ReportFiles
from genderstats.pipeline.runner import Task, run_report
from genderstats.pipeline.state import (
    STATE_DIR,
    LastGood,
    ReportResult,
    ReportState,
    RunResult,
    cache_key,
    load_state,
    package_fingerprint,
)
from genderstats.pipeline.warmup import no_gc, private_caches, warm_imports
from genderstats.report_status import STATUS_FILE, STATUS_PARAMETER, Status
from genderstats.years import roc_year

LOCK_NAME = ".build.lock"
# Long enough for any notebook; a report stuck longer than this is ended (see --timeout).
DEFAULT_TIMEOUT = 600.0
# Ids become file names (<id>.html, .<id>.ipynb.XXXXXXXX.tmp): keep them far below NAME_MAX.
MAX_ID_LENGTH = 100


def say(line: str) -> None:
    """Print one progress line in a single write."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class BuildLocked(RuntimeError):
    """Another build is writing to the same output folder."""


class BuildUsageError(ValueError):
    """The year, the output folder or the registry cannot be used; nothing was written."""


class BuildEnvironmentError(RuntimeError):
    """The output folder cannot be written (permissions, read-only, disk full)."""


@dataclass
class BuildOptions:
    year: int | str
    data_dir: Path = config.DATA_DIR
    out_dir: Path = config.OUTPUTS_DIR
    only: list[str] = field(default_factory=list)
    jobs: int | None = None
    force: bool = False
    registry: Path | None = None
    echo: Callable[[str], None] = say
    timeout: float | None = DEFAULT_TIMEOUT  # seconds per report, unless reports.yml says
    drafts: bool = False  # also build the reports marked draft: true
    engine: str | None = None  # "fork" or "plain" (--engine); None: GENDERSTATS_ENGINE, else fork


@dataclass
class BuildResult:
    year: int
    out: Path
    results: list[ReportResult]

    @property
    def ok(self) -> bool:
        return all(r.status != Status.FAILED for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all done; 2 every failed report failed on the year's data (as validate would
        say); 1 a report failed for another reason (the README's table of exit codes)."""
        failed = [r for r in self.results if r.status == Status.FAILED]
        if not failed:
            return 0
        return 2 if all(r.input_error for r in failed) else 1


# ---------------------------------------------------------------- faults

_REASONS = {
    errno.EACCES: ("沒有寫入權限", "確認執行 build 的帳號對輸出資料夾有寫入權限"),
    errno.EPERM: ("沒有寫入權限", "確認執行 build 的帳號對輸出資料夾有寫入權限"),
    errno.EROFS: ("位在唯讀的檔案系統", "以 --out-dir 指定可寫入的資料夾"),
    errno.ENOSPC: ("磁碟空間不足", "清出磁碟空間"),
    errno.EDQUOT: ("超過磁碟配額", "清出磁碟空間或提高配額"),
    errno.ENAMETOOLONG: ("檔名太長", "縮短輸出資料夾的路徑或報告 id"),
    errno.ENOTDIR: ("路徑中有一項不是資料夾", "以 --out-dir 指定一個資料夾"),
    errno.EISDIR: ("是資料夾而不是檔案", "移除或改名該資料夾"),
}


def describe_os_error(exc: OSError) -> str:
    """One line, in Chinese, for an error of the file system (no traceback)."""
    reason, fix = _REASONS.get(exc.errno or 0, (exc.strerror or "無法存取", "排除問題"))
    where = exc.filename or "輸出資料夾"
    return (f"無法寫入 {where}：{reason}。已發布的頁面保持上一次的版本，沒有留下寫到一半的檔案；"
            f"請{fix}後重新執行。")


@contextlib.contextmanager
def _environment_faults() -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise BuildEnvironmentError(describe_os_error(exc)) from None


# ---------------------------------------------------------------- the build

def _check_ids(reports: list[Report]) -> None:
    for report in reports:
        if len(report.id) > MAX_ID_LENGTH:
            raise BuildUsageError(
                f"報告 id「{report.id[:20]}…」有 {len(report.id)} 個字元，太長，無法作為檔名；"
                f"請在 reports.yml 改為 {MAX_ID_LENGTH} 個字元以內。")


def _output_folder(out_dir: Path, year: int) -> Path:
    for folder in (out_dir, out_dir / str(year)):
        if folder.exists() and not folder.is_dir():
            raise BuildUsageError(
                f"輸出資料夾 {folder} 是一個檔案，不是資料夾；請以 --out-dir 指定一個資料夾。")
    return out_dir / str(year)


def build(options: BuildOptions) -> BuildResult:
    """Build every selected report of a year; see the module docstring.

    Raises :class:`BuildUsageError` (nothing written), :class:`BuildLocked`,
    :class:`BuildEnvironmentError` and :class:`BuildInterrupted`.
    """
    from genderstats.pipeline.lock import Held, OutputLock

    try:
        engine = resolve(options.engine)
    except ValueError as exc:
        raise BuildUsageError(str(exc)) from None
    year = roc_year(options.year)
    data_dir = Path(options.data_dir).resolve()
    if not (data_dir / str(year)).is_dir():
        raise BuildUsageError(
            f"找不到 {year} 年度的資料夾 {data_dir / str(year)}；請先建立並放入資料"
            f"（見 data/README.md），或確認 --year 與 --data-dir。沒有產製任何檔案。")
    if (data_dir / str(year)).is_symlink():  # the loader (and pandas) only when it matters
        from genderstats.data.folders import year_folder_problem

        refused = year_folder_problem(data_dir / str(year), data_dir)
        if refused is not None:
            raise BuildUsageError(f"{refused}沒有產製任何檔案。")
    all_reports = load_registry(options.registry)  # drafts too: the staff page lists them
    drafts = [r.id for r in all_reports if r.draft]
    runnable = all_reports
    if drafts and not options.drafts:
        named = [i for i in options.only if i in drafts]
        if named:
            raise BuildUsageError(
                f"{'、'.join(named)} 是草稿（reports.yml 中 draft: true）："
                "要試產製請加上 --drafts；要發布，請刪除該報告的 draft 這一行。")
        runnable = [r for r in all_reports if not r.draft]
    reports = select(runnable, options.only)
    _check_ids(all_reports)
    out = _output_folder(Path(options.out_dir).resolve(), year)

    def echo(line: str) -> None:
        options.echo(f"{stamp()} {line}")

    if drafts and not options.drafts:
        echo(f"略過 {len(drafts)} 份草稿：{'、'.join(drafts)}（reports.yml 中 draft: true；"
             "加上 --drafts 可試產製）")

    with _environment_faults():
        out.mkdir(parents=True, exist_ok=True)
        lock = OutputLock(out / LOCK_NAME)
        try:
            lock.acquire()
        except Held:
            raise BuildLocked(
                f"另一個 genderstats build 正在寫入 {out}（鎖定檔 {out / LOCK_NAME}）。"
                "為避免兩次產製互相覆蓋，本次停止；請等它結束後再執行。"
            ) from None
    signals = Signals()
    try:
        with _environment_faults(), signals.installed(), private_caches(), switches(engine):
            return _Build(options, year, data_dir, out, all_reports, reports, echo,
                          signals).run()
    finally:
        lock.release()


class _Build:
    """One build under the lock: the reports' states, the workers, and what gets published."""

    def __init__(self, options: BuildOptions, year: int, data_dir: Path, out: Path,
                 all_reports: list[Report], reports: list[Report],
                 echo: Callable[[str], None], signals: Signals) -> None:
        self.options, self.year, self.data_dir, self.out = options, year, data_dir, out
        self.all_reports, self.reports, self.echo = all_reports, reports, echo
        self.state_dir = out / STATE_DIR
        self.work = self.state_dir / "work"
        self.states: dict[str, ReportState | None] = {}
        self.results: dict[str, ReportResult] = {}
        self.params: dict[str, dict[str, Any]] = {}
        self.published = 0
        self.package = ""
        self.signals = signals
        self.engine = Engine(options.engine)  # started with the first report that must run
        self.auditor: Auditor | None = None  # the year's disclosure audit, beside the reports
        self.kept_times: dict[str, float] | None = None  # this machine's, read when needed
        self.notes: list[str] = []  # for the staff page: what the build did without
        self.paths = PublicPaths(data_dir, out)  # how the published files show paths
        self.files = ReportFiles(out, year, self.paths, echo)

    # -------------------------------------------------------- driver

    def run(self) -> BuildResult:
        started_at = clock.now()
        t0 = time.perf_counter()
        self._check_cache()
        # Scratch left by a build that was killed outright is never published; drop it.
        shutil.rmtree(self.work, ignore_errors=True)
        # Kernel sockets: beside the scratch (removed by the next build even after a kill)
        # unless that path is too long for a Unix socket name (about 100 bytes).
        if len(os.fsencode(self.work)) <= 70:
            ipc_dir = str(self.work / "ipc")
            os.makedirs(ipc_dir, exist_ok=True)
        else:
            ipc_dir = tempfile.mkdtemp(prefix="genderstats-")
        try:
            if self.options.force:
                # Every report will run: the fork server imports while the inputs are hashed.
                self._start_engine()
            summarising = self._load_states()
        except BaseException:
            self._clean_up(ipc_dir)
            raise
        try:
            first, last = plan.summarising_last(self.reports, summarising)
            status_path = self.state_dir / STATUS_FILE
            # Decided on the status file of the last build, before it is overwritten.
            early = plan.early_starters(last, self._fresh_ids(last, status_path))
            early_run = self._stale(early, status_path)
            todo = self._stale(first)
            if early_run:
                self._write_status(summarising, pending={r.id for r in todo})
            self._run_phase([*early_run, *todo], ipc_dir, waiting={r.id for r in early_run},
                            others_done=lambda: self._write_status(summarising))
            late = [r for r in last if r.id not in {e.id for e in early}]
            if late:
                self._run_phase(self._stale(late, self._write_status(summarising)), ipc_dir)
            self._retry_pdfs()
            self._audit()
        except BuildInterrupted as exc:
            # Every worker and kernel is dead by now (the pool kills them on the way out).
            # The index is brought in line with the pages finished before the signal; after
            # this, nothing more is written.
            self._write_outputs(started_at)
            exc.published = self.published
            raise
        finally:
            self._clean_up(ipc_dir)
        try:
            with self.signals.held():
                self._write_outputs(started_at)
        except BuildInterrupted as exc:  # arrived while the index was written: all done
            exc.published = self.published
            raise
        self._remember_times()
        ordered = [self.results[r.id] for r in self.reports]
        count = {s: sum(r.status == s for r in ordered) for s in Status}
        if any(r.input_error for r in ordered if r.status == Status.FAILED):
            self.echo(f"  注意  資料有問題的報告沒有產製：請先執行 genderstats validate --year "
                      f"{self.year}，一次列出所有檔案的所有問題。")
        self.echo(f"{len(ordered)} 份報告：{count[Status.OK]} 份產製成功、"
                  f"{count[Status.UNCHANGED]} 份未變更、{count[Status.FAILED]} 份失敗，"
                  f"共 {time.perf_counter() - t0:.1f} 秒 → {self.out / 'index.html'}")
        return BuildResult(self.year, self.out, ordered)

    def _check_cache(self) -> None:
        """A user cache folder that cannot be used is skipped, and the staff page says so."""
        from genderstats.pipeline import usercache

        if not usercache.usable():
            self.notes.append(usercache.SKIPPED)
            self.echo(f"  注意  {usercache.SKIPPED}")

    def _load_states(self) -> set[str]:
        """Read every report's state; returns the ids of the reports that summarise."""
        self.package = package_fingerprint()
        for report in self.all_reports:
            path = self.state_dir / f"{report.id}.json"
            state, bad = load_state(path)
            if bad:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)  # our own state folder: a folder here is debris
                self.echo(f"  注意  {report.id}：狀態檔 {path.name} 無法讀取或格式不符，"
                          "已忽略；這份報告會重新產製。")
            self.states[report.id] = state
        return summarising_reports(self.all_reports, self.state_dir)

    def _clean_up(self, ipc_dir: str) -> None:
        """Stop the fork server (and every kernel it forked); drop the scratch and sockets."""
        self.engine.stop()
        patches.restore_rfc3987_syntax()
        if self.auditor is not None:
            self.auditor.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(ipc_dir, ignore_errors=True)

    def _stale(self, reports: list[Report], status_path: Path | None = None) -> list[Report]:
        """The reports that must run (longest first); the others are reported unchanged,
        or refused."""
        from genderstats.pipeline import scaffold

        # A page is never published, not even as "unchanged", while its notebook still holds
        # the scaffold's template (e.g. after a trial with --drafts and the draft line gone).
        unfinished = {r.id: why for r in reports if not r.draft
                      for why in [scaffold.unfinished(r)] if why}
        considered = [r for r in reports if r.id not in unfinished]
        fresh = self._fresh_ids(considered, status_path)
        expected = {r.id: self._expected_seconds(r) for r in considered if r.id not in fresh}
        phase = plan.phase(reports, fresh=fresh, unfinished=unfinished, expected=expected)
        for rid in phase.unfinished:
            # A page made from the template's placeholder (a --drafts trial) is no good page.
            (self.out / f"{rid}.html").unlink(missing_ok=True)
        self._refuse(phase.unfinished, reports)
        for report in phase.unchanged:
            self.results[report.id] = ReportResult(report.id, Status.UNCHANGED)
            self.echo(f"  未變更 {report.id}")
        refused = self._unbuildable(phase.run)
        self._refuse(refused, reports, input_error=True)
        return [r for r in phase.run if r.id not in refused]

    def _fresh_ids(self, reports: list[Report], status_path: Path | None = None) -> set[str]:
        return {r.id for r in reports if self._fresh(r, status_path)}

    def _expected_seconds(self, report: Report) -> float:
        """How long ``report`` took last time: in this output folder, else on this machine."""
        state = self.states[report.id]
        if state is not None and state.seconds:
            return state.seconds
        from genderstats.pipeline import timings

        if self.kept_times is None:
            self.kept_times = timings.load()
        return self.kept_times.get(timings.key(report.notebook, report.id), 0.0)

    def _remember_times(self) -> None:
        """Keep the times of the reports that ran, for a first build elsewhere."""
        ran = {r.id: self.results[r.id].seconds for r in self.reports
               if r.id in self.results and self.results[r.id].status == Status.OK}
        if not ran:
            return
        from genderstats.pipeline import timings

        timings.remember({timings.key(r.notebook, r.id): ran[r.id]
                          for r in self.reports if r.id in ran})

    def _fresh(self, report: Report, status_path: Path | None = None) -> bool:
        """Whether the last good run of ``report`` still holds (sets its parameters)."""
        params = report.build_parameters(self.year, self.data_dir)
        key_inputs = []
        if status_path is not None:
            params[STATUS_PARAMETER] = str(status_path)
            key_inputs = [str(status_path)]  # another report's status re-runs this one
        self.params[report.id] = params
        prev = self.states[report.id]
        if self.options.force or prev is None or prev.status != Status.OK:
            return False
        last = prev.last_good
        # The state keeps paths in its own form (PublicPaths.stored); the key is of the paths.
        paths = self.paths
        return (
            last is not None
            and (self.out / f"{report.id}.html").is_file()
            and last.key == cache_key(
                report, params, self.package,
                [*(paths.restored(p) for p in last.inputs), *key_inputs],
                [paths.restored(d) for d in last.dirs])
        )

    def _unbuildable(self, todo: Sequence[Report]) -> dict[str, str]:
        """The reports to fail at once, before any kernel starts, since their required data
        is missing (id → message): the same verdict ``genderstats validate`` prints
        (genderstats.data.needs). Only reports that must run are checked, so an unchanged
        rebuild never loads the data code."""
        if not todo:
            return {}
        with no_gc():
            from genderstats.data.needs import unbuildable

            return unbuildable(list(todo), self.year, self.data_dir)

    def _refuse(self, refused: dict[str, str], reports: list[Report],
                input_error: bool = False) -> None:
        """Fail each report of ``refused`` at once with its message, as a run would
        (``input_error``: because of the year's data)."""
        for report in reports:
            if report.id in refused:
                self.params.setdefault(report.id,
                                       report.build_parameters(self.year, self.data_dir))
                self.files.log(report.id, refused[report.id])
                self._finish(report, RunResult.failed(report.id, refused[report.id], 0.0,
                                                      stamp(), input_error=input_error))

    def _timeout(self, report: Report) -> float | None:
        own = getattr(report, "timeout", None)
        return float(own) if own else self.options.timeout

    def _run_phase(self, todo: list[Report], ipc_dir: str, waiting: Collection[str] = (),
                   others_done: Callable[[], Any] | None = None) -> None:
        """Run ``todo``. The reports in ``waiting`` wait for the others' status: they do not
        count against ``--jobs``, and ``others_done`` (which writes that status) is called
        as soon as every other report has finished."""
        others = {r.id for r in todo} - set(waiting)
        if waiting and not others:
            # Nothing to wait for: the status is complete now, and they run as any report.
            if others_done is not None:
                others_done()
            waiting = ()
        if not todo:
            return
        from genderstats.pipeline.processes import Job, Pool

        jobs = plan.workers(self.options.jobs, os.cpu_count(), len(todo), len(waiting))
        self.echo(f"產製 {self.year} 年度 {len(todo)} 份報告（{jobs} 個同時執行）…")
        self._start_engine()
        with no_gc():
            warm_imports()
        if self.auditor is None:
            self.auditor = Auditor(self.year, self.data_dir, self.engine.address)
        patches.keep_large_blocks()
        by_id = {r.id: r for r in todo}
        work = []
        for n, report in enumerate(todo):
            task = Task(report, self.params[report.id], self.year, self.out,
                        self.work / f"{report.id}.ipynb", os.path.join(ipc_dir, f"k{n}"),
                        (self.out / f"{report.id}.html").is_file(),
                        self.engine.address,
                        # Its last build made a PDF: LibreOffice starts with the kernel.
                        self.engine.warm_office and (self.out / f"{report.id}.pdf").is_file())
            work.append(Job(report.id, run_report, (task,), self._timeout(report),
                            waits=report.id in waiting))
        pool = Pool(jobs)

        def started(job: Job) -> None:
            self.echo(f"  開始  {job.key}")

        def done(outcome: Any) -> None:
            self._finish(by_id[outcome.job.key], self._result_of(outcome))
            if outcome.job.key not in others:
                return
            others.discard(outcome.job.key)
            if waiting and not others:
                if others_done is not None:
                    with self.signals.held():
                        others_done()
                pool.restart_clocks()  # a waiting report's time limit starts now

        # The workers are forked from this process: with its objects frozen, a worker's
        # collections neither walk them nor copy their pages.
        gc.freeze()
        try:
            pool.run(work, started, done)
        finally:
            gc.unfreeze()

    def _result_of(self, outcome: Any) -> RunResult:
        """A worker's outcome as a run result: its own, or a failure for a run that timed
        out or whose worker died (the detail, another program's text, for the staff log)."""
        if outcome.kind == "done":
            return outcome.value
        if outcome.kind == "timeout":
            error = f"執行逾時（{_seconds(outcome.job.timeout)} 秒）：已停止這份報告與它的核心。"
        else:
            from genderstats.pipeline.run_errors import WORKER_DIED

            error = WORKER_DIED
        self.files.log(outcome.job.key, error, outcome.value)
        return RunResult.failed(outcome.job.key, error, outcome.seconds, stamp())

    def _start_engine(self) -> None:
        """Start the engine (the fork engine's server) once per build; the staff page names
        each patch an installed version keeps out of effect."""
        if self.engine.start():
            for note in patches.range_notes():
                self.notes.append(note)
                self.echo(f"  注意  {note}")

    # -------------------------------------------------------- one finished report

    def _finish(self, report: Report, res: RunResult) -> None:
        """Publish a finished report and keep its state (a signal waits until both are)."""
        self.files.made_public(res)
        with self.signals.held():
            pdf_note = self.files.publish(report, res)
            state = self._new_state(report, res, pdf_note)
            write_json(self.state_dir / f"{report.id}.json", state.to_json())
            self.states[report.id] = state
            self.results[report.id] = ReportResult(report.id, res.status, res.seconds,
                                                   res.error, res.input_error)
        if res.status == Status.OK:
            self.published += 1
            self.echo(f"  完成  {report.id}  {res.seconds:.1f} 秒")
        else:
            first = res.error.splitlines()[0] if res.error else ""
            self.echo(f"  失敗  {report.id}  {res.seconds:.1f} 秒：{first}")

    def _retry_pdfs(self) -> None:
        """Convert again the kept ODT of each unchanged report whose PDF is missing (the
        last conversion failed, or the file was removed); the notebook does not run again."""
        missing = [r.id for r in self.reports
                   if getattr(self.results.get(r.id), "status", None) == Status.UNCHANGED
                   and (self.out / f"{r.id}.odt").is_file()
                   and not (self.out / f"{r.id}.pdf").is_file()]
        if not missing:
            return
        from genderstats.pipeline.pdf import NO_OFFICE, convert, find_soffice

        for rid in missing:
            state = self.states[rid]
            last = state.last_good if state else None
            if last is None or last.pdf_note == NO_OFFICE and find_soffice() is None:
                continue  # still none: nothing new to say
            self.echo(f"  轉換  {rid}：上次沒有 PDF，以保留的 ODT 重新轉換")
            data = (self.out / f"{rid}.odt").read_bytes()
            conversion = convert(data)  # killed with the build on a signal
            with self.signals.held():
                last.pdf_note = self.files.make_pdf(rid, data, conversion)
                write_json(self.state_dir / f"{rid}.json", state.to_json())
            if last.pdf_note is None:
                self.echo(f"  完成  {rid}.pdf")

    def _new_state(self, report: Report, res: RunResult, pdf_note: str | None) -> ReportState:
        """A report's state after a run. It lies in the published folder, so it names no
        folder of this machine: paths in PublicPaths.stored form, parameters public."""
        params = self.params[report.id]
        prev = self.states[report.id]
        paths = self.paths
        shown = paths.parameters(params)
        last = prev.last_good if prev else None
        if res.status == Status.OK:
            key_inputs = [params[STATUS_PARAMETER]] if STATUS_PARAMETER in params else []
            last = LastGood(
                key=cache_key(report, params, self.package,
                              [*res.inputs, *key_inputs], res.dirs),
                built=res.built, seconds=res.seconds,
                inputs={paths.stored(p): h for p, h in res.inputs.items()},
                key_inputs=[paths.stored(p) for p in key_inputs],
                dirs=[paths.stored(d) for d in res.dirs],
                indicators=res.indicators, summary=res.summary,
                # Only the figures the registry declares: those are what the prose may use.
                figures={n: v for n, v in res.figures.items() if n in report.figures},
                parameters=shown, pdf_note=pdf_note)
        return ReportState(res.status, res.error, res.seconds, res.built, shown,
                           res.phases or {}, last)

    # -------------------------------------------------------- year outputs

    def _write_status(self, summarising: set[str], pending: Collection[str] = ()) -> Path:
        """The status file for the reports that summarise the others (with ``pending``, the
        reports still to run, an incomplete one naming this process as its writer)."""
        path = self.state_dir / STATUS_FILE
        write_report_status(path, self.year, self.out, self.all_reports, self.states,
                            summarising, pending)
        return path

    def _audit(self) -> None:
        """The year's disclosure audit's notes for the staff (:func:`auditor.audit_notes`)."""
        for note in audit_notes(self.auditor, self.state_dir / AUDIT_FILE, self.files.log):
            self.notes.append(note)
            if self.auditor is not None:  # a kept verdict was said when it was new
                self.echo(f"  注意  {note}")

    def _write_outputs(self, started: datetime) -> None:
        write_outputs(self.out, self.year, self.all_reports,
                      {rid: s for rid, s in self.states.items() if s is not None},
                      self.results, started, clock.now(), self.notes, self.data_dir)


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
