"""The yearly build: run every report of a year and publish its pages.

registry → cache check → parallel papermill runs (one worker and one kernel each, each with a
time limit) → nbconvert HTML → atomic publish by the parent, which holds the lock →
``<out>/<year>/{index.html, <id>.html, indicators.csv, manifest.json}``.

Reports whose notebook declares a ``report_status`` parameter (the annual report) receive the
path of ``.state/report-status.json``: the status of every other report, and run after them.
One marked ``starts_early`` in the registry that must run whatever the others do (its own
inputs changed, or ``--force``) starts with them instead, outside the ``--jobs`` count: the
file then says ``"complete": false`` and its notebook (through ``annual.load_status``) waits
for the complete one, written as soon as every other report has finished. Its time limit
starts then.

Kernels are forked from one warm fork server per build where possible (the fork engine,
``genderstats.pipeline.engine``; ``--engine plain`` or ``GENDERSTATS_ENGINE=plain``: ordinary
kernels on the libraries' public APIs). Heavy imports (papermill, nbconvert, pandas) happen
only when a report must run, so an unchanged rebuild costs little more than hashing the
inputs.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import __version__, config
from genderstats.pipeline.engine import Engine, patches, resolve, switches
from genderstats.pipeline.public_paths import PublicPaths
from genderstats.pipeline.registry import Report, load_registry, select
from genderstats.pipeline.runner import Task, collect_records, run_report, stamp
from genderstats.record import INDICATOR_COLUMNS, file_sha256
from genderstats.years import roc_year

__all__ = ["BuildOptions", "BuildResult", "ReportResult", "build", "cache_key",
           "collect_records", "package_fingerprint", "write_indicators", "BuildLocked",
           "BuildInterrupted", "BuildEnvironmentError", "BuildUsageError"]

STATE_DIR = ".state"
_LOG_SCRUBBED = 16 * 1024 * 1024  # a public log longer than this is not rewritten
LOCK_NAME = ".build.lock"
AUDIT_PINNED = ("揭露稽核：本年度公開的表格與文字合起來，可推算出 {n} 個 1–2 人的數字；"
                "細節在承辦人紀錄 year-audit.log，請先不要對外公布。")
AUDIT_FAILED = "揭露稽核沒有完成（細節在承辦人紀錄 year-audit.log）。"
AUDIT_FILE = "year-audit.json"
AUDIT_TIMEOUT = 120.0
_VERSION_ANSWERS = 4  # the package versions kept for so many interpreters/paths
STATUS_FILE = "report-status.json"
STATUS_PARAMETER = "report_status"
# Long enough for any notebook; a report stuck longer than this is ended (see --timeout).
DEFAULT_TIMEOUT = 600.0
# Ids become file names (<id>.html, .<id>.ipynb.XXXXXXXX.tmp): keep them far below NAME_MAX.
MAX_ID_LENGTH = 100
PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient",
            "ipykernel", "openpyxl", "odfpy")


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


class BuildInterrupted(Exception):
    """SIGINT or SIGTERM: every report was stopped; ``published`` reports were finished."""

    def __init__(self, signum: int, published: int = 0) -> None:
        super().__init__(signum)
        self.signum = signum
        self.published = published

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        return (f"已中斷（{name}）：所有報告都已停止。本次完成的 {self.published} 份已發布，"
                "其餘報告保持上一次發布的版本。")


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
class ReportResult:
    id: str
    status: str  # "ok" | "failed" | "unchanged"
    seconds: float = 0.0
    error: str | None = None
    input_error: bool = False  # failed on the year's data (invalid, or required files missing)


@dataclass
class BuildResult:
    year: int
    out: Path
    results: list[ReportResult]

    @property
    def ok(self) -> bool:
        return all(r.status != "failed" for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 all done; 2 every failed report failed on the year's data (as validate would
        say); 1 a report failed for another reason (the README's table of exit codes)."""
        failed = [r for r in self.results if r.status == "failed"]
        if not failed:
            return 0
        return 2 if all(r.input_error for r in failed) else 1


# ---------------------------------------------------------------- cache keys

def package_fingerprint() -> str:
    """Hash of every file of the helper package: editing any module invalidates every report."""
    digest = hashlib.sha256()
    root = config.PACKAGE_DIR
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _listing(directory: str) -> list[str]:
    d = Path(directory)
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def cache_key(report: Report, parameters: dict[str, Any], package: str,
              inputs: list[str], dirs: list[str]) -> str:
    """What a report's result depends on: notebook, parameters, code, inputs and their folders.

    ``inputs`` and ``dirs`` come from the report's last run (the files it read and the
    folders it looked in), so a changed file, or a file added to a folder, re-runs it.
    """
    payload = {
        "notebook": file_sha256(report.notebook),
        "parameters": parameters,
        "package": package,
        "inputs": {p: (file_sha256(p) if Path(p).is_file() else None) for p in sorted(inputs)},
        "dirs": {d: _listing(d) for d in sorted(dirs)},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


# ---------------------------------------------------------------- state

def _write_json(path: Path, data: Any) -> None:
    from genderstats.pipeline.publish import write_atomic

    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _valid_last_good(last: Any) -> bool:
    if last is None:
        return True
    return (isinstance(last, dict)
            and isinstance(last.get("key"), str)
            and isinstance(last.get("built"), str)
            and isinstance(last.get("inputs"), dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in last["inputs"].items())
            and _is_str_list(last.get("dirs"))
            and _is_str_list(last.get("key_inputs", []))
            and isinstance(last.get("indicators"), list)
            and all(isinstance(r, dict) for r in last["indicators"])
            and isinstance(last.get("summary"), str | None)
            and isinstance(last.get("figures", {}), dict)
            and all(isinstance(v, str | None) for v in last.get("figures", {}).values())
            and isinstance(last.get("parameters"), dict))


def _valid_state(state: Any) -> bool:
    return (isinstance(state, dict)
            and state.get("status") in ("ok", "failed")
            and isinstance(state.get("error"), str | None)
            and isinstance(state.get("seconds"), int | float)
            and isinstance(state.get("parameters"), dict)
            and _valid_last_good(state.get("last_good")))


def load_state(path: Path) -> tuple[dict[str, Any], bool]:
    """A report's saved state, and whether a file was there but unusable (then ``{}``).

    Any shape is survived: an unreadable, truncated or hand-edited file is ignored, and the
    report is simply built again.
    """
    if not path.exists() and not path.is_symlink():
        return {}, False
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, True
    return (state, False) if _valid_state(state) else ({}, True)


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


class _Signals:
    """SIGINT and SIGTERM raise :class:`BuildInterrupted` in the build, once.

    Inside :meth:`held` (publishing one report) a signal waits until the block ends, so a
    page and its state are written together. After the first signal, further ones are
    ignored: the build is already winding down and must not be cut short while it cleans up.
    """

    def __init__(self) -> None:
        self.hold = 0
        self.pending: int | None = None
        self.stopping = False

    def _handler(self, signum: int, _frame: Any) -> None:
        if self.stopping:
            return
        if self.hold:
            self.pending = self.pending or signum
            return
        self.stopping = True
        raise BuildInterrupted(signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be set from the main thread
            return
        saved = {s: signal.signal(s, self._handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in saved.items():
                signal.signal(s, h)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.hold += 1
        try:
            yield
        finally:
            self.hold -= 1
        if not self.hold and self.pending and not self.stopping:
            signum, self.pending, self.stopping = self.pending, None, True
            raise BuildInterrupted(signum)


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
    signals = _Signals()
    try:
        with _environment_faults(), signals.installed(), _private_caches(), switches(engine):
            return _Build(options, year, data_dir, out, all_reports, reports, echo,
                          signals).run()
    finally:
        lock.release()


@contextlib.contextmanager
def _private_caches() -> Iterator[None]:
    """matplotlib keeps its font list in the user's cache folder; where it cannot, it warns
    in English, naming the folder, in every notebook. Then the build's kernels get a
    temporary folder of their own instead (``MPLCONFIGDIR``), removed afterwards."""
    from genderstats.pipeline import usercache

    home = usercache.root()
    if "MPLCONFIGDIR" in os.environ or (home is not None
                                        and usercache.usable(home / "matplotlib")):
        yield
        return
    folder = tempfile.mkdtemp(prefix="genderstats-matplotlib-")
    os.environ["MPLCONFIGDIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("MPLCONFIGDIR", None)
        shutil.rmtree(folder, ignore_errors=True)


class _Build:
    """One build under the lock: the reports' states, the workers, and what gets published."""

    def __init__(self, options: BuildOptions, year: int, data_dir: Path, out: Path,
                 all_reports: list[Report], reports: list[Report],
                 echo: Callable[[str], None], signals: _Signals) -> None:
        self.options, self.year, self.data_dir, self.out = options, year, data_dir, out
        self.all_reports, self.reports, self.echo = all_reports, reports, echo
        self.state_dir = out / STATE_DIR
        self.work = self.state_dir / "work"
        self.states: dict[str, dict[str, Any]] = {}
        self.results: dict[str, ReportResult] = {}
        self.params: dict[str, dict[str, Any]] = {}
        self.published = 0
        self.package = ""
        self.signals = signals
        self.engine = Engine(options.engine)  # started with the first report that must run
        self.auditor: _Auditor | None = None  # the year's disclosure audit, beside the reports
        self.kept_times: dict[str, float] | None = None  # this machine's, read when needed
        self.notes: list[str] = []  # for the staff page: what the build did without
        self.paths = PublicPaths(data_dir, out)  # how the published files show paths

    # -------------------------------------------------------- driver

    def run(self) -> BuildResult:
        started_at = datetime.now().astimezone()
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
            first, last, status_ids = self._load_states()
        except BaseException:
            self._clean_up(ipc_dir)
            raise
        try:
            status_path = self.state_dir / STATUS_FILE
            # Decided on the status file of the last build, before it is overwritten.
            early_ids = {r.id for r in last
                         if r.starts_early and not self._fresh(r, status_path)}
            early = self._stale([r for r in last if r.id in early_ids], status_path)
            todo = self._stale(first)
            if early:
                self._write_status(status_ids, pending={r.id for r in todo})
            self._run_phase([*early, *todo], ipc_dir, waiting={r.id for r in early},
                            others_done=lambda: self._write_status(status_ids))
            late = [r for r in last if r.id not in early_ids]
            if late:
                self._run_phase(self._stale(late, self._write_status(status_ids)), ipc_dir)
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
        n_ok = sum(r.status == "ok" for r in ordered)
        n_same = sum(r.status == "unchanged" for r in ordered)
        n_fail = sum(r.status == "failed" for r in ordered)
        if any(r.input_error for r in ordered if r.status == "failed"):
            self.echo(f"  注意  資料有問題的報告沒有產製：請先執行 genderstats validate --year "
                      f"{self.year}，一次列出所有檔案的所有問題。")
        self.echo(f"{len(ordered)} 份報告：{n_ok} 份產製成功、{n_same} 份未變更、{n_fail} 份失敗，"
                  f"共 {time.perf_counter() - t0:.1f} 秒 → {self.out / 'index.html'}")
        return BuildResult(self.year, self.out, ordered)

    def _check_cache(self) -> None:
        """A user cache folder that cannot be used is skipped, and the staff page says so."""
        from genderstats.pipeline import usercache

        if not usercache.usable():
            self.notes.append(usercache.SKIPPED)
            self.echo(f"  注意  {usercache.SKIPPED}")

    def _load_states(self) -> tuple[list[Report], list[Report], set[str]]:
        """Read every report's state; the reports of the two phases and the status ids."""
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
        status_ids = self._status_reports()
        first = [r for r in self.reports if r.id not in status_ids]
        last = [r for r in self.reports if r.id in status_ids]
        return first, last, status_ids

    def _clean_up(self, ipc_dir: str) -> None:
        """Stop the fork server (and every kernel it forked); drop the scratch and sockets."""
        self.engine.stop()
        patches.restore_rfc3987_syntax()
        if self.auditor is not None:
            self.auditor.stop()
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(ipc_dir, ignore_errors=True)

    def _status_reports(self) -> set[str]:
        """Ids of the reports whose notebook declares ``report_status``.

        Papermill's answer is remembered per notebook content in ``.state/declared.json``, so
        an unchanged build still does not import papermill.
        """
        path = self.state_dir / "declared.json"
        try:
            cache = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
        if not isinstance(cache, dict):
            cache = {}
        answers: dict[str, bool] = {}
        ids = set()
        for report in self.all_reports:
            digest = file_sha256(report.notebook)
            known = cache.get(digest)
            if digest not in answers:
                answers[digest] = (known if isinstance(known, bool)
                                   else _wants_status(report.notebook))
            if answers[digest]:
                ids.add(report.id)
        if answers != cache:  # only the registry's notebooks are kept
            _write_json(path, answers)
        return ids

    def _stale(self, reports: list[Report], status_path: Path | None = None) -> list[Report]:
        """The reports that must run; the others are reported unchanged."""
        from genderstats.pipeline import scaffold

        # A page is never published, not even as "unchanged", while its notebook still holds
        # the scaffold's template (e.g. after a trial with --drafts and the draft line gone).
        unfinished = {r.id: why for r in reports if not r.draft
                      for why in [scaffold.unfinished(r)] if why}
        for rid in unfinished:
            # A page made from the template's placeholder (a --drafts trial) is no good page.
            (self.out / f"{rid}.html").unlink(missing_ok=True)
        self._refuse(unfinished, reports)
        todo = []
        for report in reports:
            if report.id in unfinished:
                continue
            fresh = self._fresh(report, status_path)
            if fresh:
                self.results[report.id] = ReportResult(report.id, "unchanged")
                self.echo(f"  未變更 {report.id}")
            else:
                todo.append(report)
        todo = self._refuse_unbuildable(todo)
        # Longest first (by the last build's times), so no worker is left running one alone.
        todo.sort(key=lambda r: -self._expected_seconds(r))
        return todo

    def _expected_seconds(self, report: Report) -> float:
        """How long ``report`` took last time: in this output folder, else on this machine."""
        seconds = self.states[report.id].get("seconds")
        if seconds:
            return float(seconds)
        from genderstats.pipeline import timings

        if self.kept_times is None:
            self.kept_times = timings.load()
        return self.kept_times.get(timings.key(report.notebook, report.id), 0.0)

    def _remember_times(self) -> None:
        """Keep the times of the reports that ran, for a first build elsewhere."""
        ran = {r.id: self.results[r.id].seconds for r in self.reports
               if r.id in self.results and self.results[r.id].status == "ok"}
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
        last = prev.get("last_good") or {}
        # The state keeps paths in its own form (PublicPaths.stored); the key is of the paths.
        paths = self.paths
        return (
            not self.options.force
            and prev.get("status") == "ok"
            and (self.out / f"{report.id}.html").is_file()
            and last.get("key") == cache_key(
                report, params, self.package,
                [*(paths.restored(p) for p in last.get("inputs", {})), *key_inputs],
                [paths.restored(d) for d in last.get("dirs", [])])
        )

    def _refuse_unbuildable(self, todo: list[Report]) -> list[Report]:
        """Fail at once, before any kernel starts, the reports whose required data is missing.

        The same verdict ``genderstats validate`` prints (genderstats.data.needs). Only
        reports that must run are checked, so an unchanged rebuild never loads the data code.
        """
        if not todo:
            return todo
        with _no_gc():
            from genderstats.data.needs import unbuildable

            refused = unbuildable(todo, self.year, self.data_dir)
        self._refuse(refused, todo, input_error=True)
        return [r for r in todo if r.id not in refused]

    def _refuse(self, refused: dict[str, str], reports: list[Report],
                input_error: bool = False) -> None:
        """Fail each report of ``refused`` at once with its message, as a run would
        (``input_error``: because of the year's data)."""
        from types import SimpleNamespace

        for report in reports:
            if report.id in refused:
                self.params.setdefault(report.id,
                                       report.build_parameters(self.year, self.data_dir))
                res = {"id": report.id, "status": "failed", "error": refused[report.id],
                       "seconds": 0.0, "built": stamp(), "inputs": {}, "dirs": [],
                       "indicators": [], "summary": None, "page": None, "notebook": None,
                       "document": None, "input_error": input_error}
                self._append_log(report.id, refused[report.id])
                self._finish(report, SimpleNamespace(kind="done", value=res))

    def _timeout(self, report: Report) -> float | None:
        own = getattr(report, "timeout", None)
        return float(own) if own else self.options.timeout

    def _run_phase(self, todo: list[Report], ipc_dir: str, waiting: set[str] = frozenset(),
                   others_done: Callable[[], Any] | None = None) -> None:
        """Run ``todo``. The reports in ``waiting`` wait for the others' status: they do not
        count against ``--jobs``, and ``others_done`` (which writes that status) is called
        as soon as every other report has finished."""
        others = {r.id for r in todo} - set(waiting)
        if waiting and not others:
            # Nothing to wait for: the status is complete now, and they run as any report.
            if others_done is not None:
                others_done()
            waiting = frozenset()
        if not todo:
            return
        from genderstats.pipeline.processes import Job, Pool

        computing = len(todo) - len(waiting)
        jobs = max(1, min(self.options.jobs or os.cpu_count() or 1, max(1, computing)))
        self.echo(f"產製 {self.year} 年度 {len(todo)} 份報告（{jobs} 個同時執行）…")
        self._start_engine()
        with _no_gc():
            _warm_imports()
        if self.auditor is None:
            self.auditor = _Auditor(self.year, self.data_dir)
        patches.keep_large_blocks()
        by_id = {r.id: r for r in todo}
        work = []
        for n, report in enumerate(todo):
            task = Task(report, self.params[report.id], self.year, self.out,
                        self.work / f"{report.id}.ipynb", os.path.join(ipc_dir, f"k{n}"),
                        (self.out / f"{report.id}.html").is_file(),
                        self.engine.address)
            work.append(Job(report.id, run_report, (task,), self._timeout(report),
                            waits=report.id in waiting))
        pool = Pool(jobs)

        def started(job: Job) -> None:
            self.echo(f"  開始  {job.key}")

        def done(outcome: Any) -> None:
            self._finish(by_id[outcome.job.key], outcome)
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

    def _start_engine(self) -> None:
        """Start the engine (the fork engine's server) once per build; the staff page names
        each patch an installed version keeps out of effect."""
        if self.engine.start():
            for note in patches.range_notes():
                self.notes.append(note)
                self.echo(f"  注意  {note}")

    # -------------------------------------------------------- one finished report

    def _finish(self, report: Report, outcome: Any) -> None:
        input_error = False
        if outcome.kind == "done":
            input_error = self._made_public(outcome.value)
        with self.signals.held():
            self._finish_one(report, outcome)
        result = self.results.get(report.id)
        if result is not None and result.status == "failed":
            result.input_error = input_error

    def _made_public(self, res: dict[str, Any]) -> bool:
        """Put a finished run's notebook, page and error in public form (no path of this
        machine: :mod:`public_paths`); returns whether it failed on its input data."""
        shown = self.paths
        input_error = bool(res.pop("input_error", False))
        if res.get("notebook") is not None:
            folder = "notebooks" if res["status"] == "ok" else "failed"
            res["notebook"] = shown.notebook(res["notebook"], f"{folder}/{res['id']}.ipynb")
        for key in ("page", "error"):
            if isinstance(res.get(key), str):
                res[key] = shown.text(res[key])
        self._public_log(res["id"])
        return input_error

    def _public_log(self, rid: str) -> None:
        """The public log the worker wrote, with the paths of this machine in public form."""
        from genderstats.pipeline.publish import write_atomic

        path = self.out / "logs" / f"{rid}.log"
        with contextlib.suppress(OSError):
            if path.stat().st_size > _LOG_SCRUBBED:
                return
            text = path.read_text(encoding="utf-8", errors="replace")
            shown = self.paths.text(text)
            if shown != text:
                write_atomic(path, shown)

    def _finish_one(self, report: Report, outcome: Any) -> None:
        if outcome.kind == "done":
            res = outcome.value
        else:
            if outcome.kind == "timeout":
                limit = _seconds(outcome.job.timeout)
                error = f"執行逾時（{limit} 秒）：已停止這份報告與它的核心。"
            else:
                from genderstats.pipeline.runner import WORKER_DIED

                error = WORKER_DIED
            res = {"id": report.id, "status": "failed", "error": error,
                   "seconds": outcome.seconds, "built": stamp(), "inputs": {}, "dirs": [],
                   "indicators": [], "summary": None, "page": None, "notebook": None,
                   "document": None}
            self._append_log(report.id, error, outcome.value)
        self._publish(report, res)
        state = self._new_state(report, res)
        _write_json(self.state_dir / f"{report.id}.json", state)
        self.states[report.id] = state
        self.results[report.id] = ReportResult(report.id, res["status"], res["seconds"],
                                               res["error"])
        if res["status"] == "ok":
            self.published += 1
            self.echo(f"  完成  {report.id}  {res['seconds']:.1f} 秒")
        else:
            first = (res["error"] or "").splitlines()[0] if res["error"] else ""
            self.echo(f"  失敗  {report.id}  {res['seconds']:.1f} 秒：{first}")

    def _append_log(self, rid: str, line: str, detail: str | None = None) -> None:
        """``line`` (Chinese) on the report's public log; with ``detail`` (English text,
        another program's output) on its staff log only."""
        from genderstats.pipeline.runner import public_log, staff_log

        public_log(self.out, rid, line)
        with contextlib.suppress(OSError):  # a staff log that cannot be written stops nothing
            with open(staff_log(self.out, rid), "a", encoding="utf-8") as fh:
                fh.write(f"{stamp()} {line}\n" + (f"{detail}\n" if detail else ""))

    def _publish(self, report: Report, res: dict[str, Any]) -> None:
        """Write a finished report's files; only the parent does, under the lock."""
        from genderstats.pipeline.publish import write_atomic

        out, rid = self.out, report.id
        failed_page, failed_nb = out / "failed" / f"{rid}.html", out / "failed" / f"{rid}.ipynb"
        if res["status"] == "ok":
            if res.get("document"):
                res["pdf_note"] = self._publish_document(rid, res["document"], res.get("pdf"))
            write_atomic(out / f"{rid}.html", res["page"])
            write_atomic(out / "notebooks" / f"{rid}.ipynb", res["notebook"])
            failed_page.unlink(missing_ok=True)
            failed_nb.unlink(missing_ok=True)
            return
        page = res["page"] or self._error_page(report, res["error"])
        write_atomic(failed_page, page)
        # The last good run's notebook stays in notebooks/; this run's goes beside its page.
        if res["notebook"] is not None:
            write_atomic(failed_nb, res["notebook"])
        else:
            failed_nb.unlink(missing_ok=True)

    def _publish_document(self, rid: str, odt: bytes, conversion: Any = None) -> str | None:
        """``<id>.odt`` and its PDF; returns why there is no PDF (None when there is one).

        ``conversion`` is the PDF the worker made of this ODT while the notebook ran; without
        one, it is made here. A PDF that could not be made from this ODT is removed rather
        than left beside it: it would show the figures of an earlier build.
        """
        from genderstats.pipeline.publish import write_atomic

        write_atomic(self.out / f"{rid}.odt", odt)
        return self._make_pdf(rid, odt, conversion)

    def _make_pdf(self, rid: str, odt: bytes, conversion: Any = None) -> str | None:
        """``<id>.pdf`` of ``odt``; returns why there is none. The reason goes to the public
        log, LibreOffice's own message only to the staff log."""
        from genderstats.pipeline.pdf import convert, write_pdf

        result = write_pdf(conversion if conversion is not None else convert(odt),
                           self.out / f"{rid}.pdf")
        if result:
            return None
        (self.out / f"{rid}.pdf").unlink(missing_ok=True)
        self._append_log(rid, result.reason, result.detail)
        self.echo(f"  注意  {rid}：{result.reason}")
        return result.reason

    def _retry_pdfs(self) -> None:
        """Convert again the kept ODT of each unchanged report whose PDF is missing (the
        last conversion failed, or the file was removed); the notebook does not run again."""
        missing = [r.id for r in self.reports
                   if getattr(self.results.get(r.id), "status", None) == "unchanged"
                   and (self.out / f"{r.id}.odt").is_file()
                   and not (self.out / f"{r.id}.pdf").is_file()
                   and "pdf_note" in (self.states[r.id].get("last_good") or {})]
        if not missing:
            return
        from genderstats.pipeline.pdf import NO_OFFICE, convert, find_soffice

        for rid in missing:
            state = self.states[rid]
            last = state["last_good"]
            if last["pdf_note"] == NO_OFFICE and find_soffice() is None:
                continue  # still none: nothing new to say
            self.echo(f"  轉換  {rid}：上次沒有 PDF，以保留的 ODT 重新轉換")
            data = (self.out / f"{rid}.odt").read_bytes()
            conversion = convert(data)  # killed with the build on a signal
            with self.signals.held():
                last["pdf_note"] = self._make_pdf(rid, data, conversion)
                _write_json(self.state_dir / f"{rid}.json", state)
            if last["pdf_note"] is None:
                self.echo(f"  完成  {rid}.pdf")

    def _error_page(self, report: Report, error: str) -> str:
        """A failed page for a run that left no notebook (time-out, dead worker)."""
        from nbformat.v4 import new_notebook

        from genderstats.pipeline.publish import notebook_to_html

        return notebook_to_html(new_notebook(), title=report.title, year=self.year,
                                error=error, index_href="../index.html",
                                published=(self.out / f"{report.id}.html").is_file())

    def _new_state(self, report: Report, res: dict[str, Any]) -> dict[str, Any]:
        """A report's state after a run. It lies in the published folder, so it names no
        folder of this machine: paths in PublicPaths.stored form, parameters public."""
        params = self.params[report.id]
        prev = self.states[report.id]
        paths = self.paths
        shown = paths.parameters(params)
        state = {"status": res["status"], "error": res["error"], "seconds": res["seconds"],
                 "attempted": res["built"], "parameters": shown,
                 "phases": res.get("phases") or {},
                 "last_good": prev.get("last_good")}
        if res["status"] == "ok":
            key_inputs = [params[STATUS_PARAMETER]] if STATUS_PARAMETER in params else []
            state["last_good"] = {
                "key": cache_key(report, params, self.package,
                                 [*res["inputs"], *key_inputs], res["dirs"]),
                "built": res["built"], "seconds": res["seconds"],
                "inputs": {paths.stored(p): h for p, h in res["inputs"].items()},
                "key_inputs": [paths.stored(p) for p in key_inputs],
                "dirs": [paths.stored(d) for d in res["dirs"]],
                "indicators": res["indicators"], "summary": res["summary"],
                # Only the figures the registry declares: those are what the prose may use.
                "figures": {n: v for n, v in (res.get("figures") or {}).items()
                            if n in report.figures},
                "parameters": shown, "pdf_note": res.get("pdf_note"),
            }
        return state

    # -------------------------------------------------------- year outputs

    def _status_of(self, report: Report) -> str:
        """ok, failed or unbuilt: ok only for a published page whose last run succeeded."""
        state = self.states.get(report.id) or {}
        page = (self.out / f"{report.id}.html").is_file()
        if state.get("status") == "ok" and page:
            return "ok"
        if state.get("status") == "failed":
            return "failed"
        return "unbuilt"

    def _write_status(self, status_ids: set[str], pending: set[str] = frozenset()) -> Path:
        """``.state/report-status.json`` for the reports that summarise the others.

        With ``pending`` (the reports still to run) the file is incomplete: it names them
        ``pending`` and this process as its writer, so a reader knows to wait, and can tell
        when the build that would complete it has gone.
        """
        from genderstats.pipeline.scaffold import committee_reports

        reports = {}
        for report in committee_reports(self.all_reports):
            if report.id in status_ids:
                continue
            status = "pending" if report.id in pending else self._status_of(report)
            last = (self.states.get(report.id) or {}).get("last_good") or {}
            recorded = (last.get("figures") or {}) if status == "ok" else {}
            reports[report.id] = {
                "title": report.title,
                "unit": report.unit,
                "subject": report.subject,
                "status": status,
                "page": f"{report.id}.html" if status == "ok" else None,
                "key_figure": last.get("summary") if status == "ok" else None,
                "figures": {n: {"meaning": m, "value": recorded.get(n)}
                            for n, m in report.figures.items()},
            }
        path = self.state_dir / STATUS_FILE
        # No time stamp in it: an unchanged year gives the same bytes, so no re-run.
        doc: dict[str, Any] = {"year": self.year, "reports": reports}
        if pending:
            doc.update(complete=False, builder=os.getpid())
        _write_json(path, doc)
        return path

    def _audit(self) -> None:
        """The year's disclosure audit, after a build that ran a report (it ran beside the
        reports: :class:`_Auditor`); an unchanged build keeps the last verdict
        (``.state/year-audit.json``). A count that can be worked out is a note for the staff
        (terminal, staff page, staff log); the note names no count."""
        path = self.state_dir / AUDIT_FILE
        if self.auditor is None:  # no report ran: the last verdict stands
            with contextlib.suppress(OSError, ValueError, AttributeError):
                kept = json.loads(path.read_text(encoding="utf-8")).get("notes")
                self.notes.extend(kept if _is_str_list(kept) else [])
            return
        pinned, failure = self.auditor.result()
        notes = []
        if failure is not None:
            notes.append(AUDIT_FAILED)
            self._append_log("year-audit", AUDIT_FAILED, failure)
        elif pinned:
            notes.append(AUDIT_PINNED.format(n=len(pinned)))
            self._append_log("year-audit", notes[-1], "\n".join(pinned))
        for note in notes:
            self.echo(f"  注意  {note}")
        self.notes.extend(notes)
        _write_json(path, {"notes": notes})

    def _write_outputs(self, started: datetime) -> None:
        write_outputs(self.out, self.year, self.all_reports, self.states, self.results,
                      started, datetime.now().astimezone(), self.notes, self.data_dir)


class _Auditor:
    """The year's disclosure audit (:func:`genderstats.analyses.year_audit.audit_year`) in a
    process forked from the build, so that it runs while the reports do instead of after
    them. It reads only the data folder; it dies with the build, and is killed when the
    build stops or when it has not answered :data:`AUDIT_TIMEOUT` seconds after the reports."""

    def __init__(self, year: int, data_dir: Path) -> None:
        from genderstats.pipeline.processes import STOP_SIGNALS, die_with_parent

        self.read, write = os.pipe()
        self.pid: int | None = None
        parent = os.getpid()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            self.pid = os.fork()
        finally:
            if self.pid:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if self.pid == 0:  # the auditor; never returns
            try:
                os.close(self.read)
                for signum in STOP_SIGNALS:
                    signal.signal(signum, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                die_with_parent(parent)
                os.write(write, json.dumps(_audit_result(year, data_dir)).encode()[:1 << 15])
            finally:
                os._exit(0)
        os.close(write)

    def result(self) -> tuple[list[str], str | None]:
        """The pinned counts (as text for the staff log), or why there is no answer."""
        import select

        data = b""
        deadline = time.monotonic() + AUDIT_TIMEOUT
        while (left := deadline - time.monotonic()) > 0 and select.select(
                [self.read], [], [], left)[0]:
            chunk = os.read(self.read, 1 << 16)
            if not chunk:
                break
            data += chunk
        self.stop()
        try:
            answer = json.loads(data)
            return list(answer["pinned"]), answer.get("error")
        except (ValueError, KeyError, TypeError):
            return [], "沒有回答（逾時或異常結束）"

    def stop(self) -> None:
        """Kill and reap the auditor (once: its pid may be another process's afterwards)."""
        if self.pid is None:
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)
        with contextlib.suppress(OSError):
            os.close(self.read)
        self.pid = None


def _audit_result(year: int, data_dir: Path) -> dict[str, Any]:
    from genderstats.analyses.year_audit import audit_year

    try:
        return {"pinned": [str(p) for p in audit_year(year, data_dir)][:100]}
    except Exception as exc:  # noqa: BLE001 - reported on the staff log
        return {"pinned": [], "error": f"{type(exc).__name__}: {exc}"}


# The exceptions a notebook raises for the year's data: their message says what to fix.
def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _wants_status(notebook: Path) -> bool:
    """Whether a notebook declares ``report_status`` (cheap text test, then papermill's)."""
    try:
        text = notebook.read_text(encoding="utf-8")
    except OSError:
        return False
    if STATUS_PARAMETER not in text:
        return False  # most notebooks: decided without importing papermill
    from genderstats.pipeline.runner import declared_parameters

    try:
        return STATUS_PARAMETER in declared_parameters(notebook)
    except Exception:  # noqa: BLE001 - an unreadable notebook fails later, with its message
        return False


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No garbage collection inside: while importing, each full pass walks every object
    loaded so far, and the imports of a build would spend a quarter of their time on it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _warm_imports() -> None:
    """Import once in the parent what every worker needs, and load the page template:
    forked workers share them instead of paying each time."""
    patches.skip_rfc3987_syntax()
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    import genderstats.data.specs  # noqa: F401 - the pages' sources
    import genderstats.pipeline.engine.provisioner  # noqa: F401 - each worker's kernel manager
    from genderstats.pipeline.engine.plain import warm_kernel_specs

    warm_kernel_specs()

    with contextlib.suppress(Exception):  # a broken template fails each page, with its text
        _render_sample_page()


def _render_sample_page() -> None:
    # The first page of a process costs a second more than the next ones (the template,
    # the Markdown renderer and the HTML sanitiser load on first use): pay it once here.
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from genderstats.pipeline.publish import notebook_to_html
    from genderstats.present.model import Table

    html = {"text/html": Table.from_rows("表", [["性別", "人數"]], [["男", "1"]]).html,
            "text/plain": "表"}
    nb = new_notebook(cells=[
        # An entity too: the HTML parser loads its entity tables on the first one.
        new_markdown_cell("# 標題\n\n## 一、說明 &amp; 附註\n\n| 男 | 女 |\n|---|---|\n| 1 | 2 |"),
        new_code_cell("x", outputs=[new_output("display_data", data=html),
                                    new_output("stream", name="stdout", text="1")]),
    ])
    notebook_to_html(nb, title="暖機", year=112)


# ---------------------------------------------------------------- year outputs

def _versions(state_dir: Path | None = None) -> dict[str, str]:
    """The versions of PACKAGES installed, for the manifest.

    Looking them up scans every folder on ``sys.path``; with ``state_dir`` the answer is
    kept in ``versions.json`` and reused while this Python and the modification times of
    those folders (which change whenever a package is installed or removed) stay the same.
    A few answers are kept, since ``sys.path`` begins with the folder of whatever started
    Python (the ``genderstats`` program, ``python -m``, a notebook), and the answers differ.
    """
    # A digest, so the file names no folder of this machine.
    key = hashlib.sha256(json.dumps(
        [sys.executable, *[[p, _mtime(p)] for p in sys.path if p]]).encode()).hexdigest()
    cache = state_dir / "versions.json" if state_dir is not None else None
    kept: dict[str, Any] = {}
    if cache is not None:
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError, AttributeError):
            kept = dict(json.loads(cache.read_text(encoding="utf-8"))["answers"])
            found = kept[key]
            if isinstance(found, dict):
                return {str(k): str(v) for k, v in found.items()}
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    if cache is not None:
        kept.pop(key, None)
        kept = {**dict(list(kept.items())[-(_VERSION_ANSWERS - 1):]), key: found}
        with contextlib.suppress(OSError):
            _write_json(cache, {"answers": kept})
    return found


def _mtime(path: str) -> int | None:
    try:
        return os.stat(path).st_mtime_ns
    except OSError:
        return None


def indicators_frame_rows(year: int, reports: list[Report],
                          states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every recorded count of the year's published pages, in registry order.

    The year and the report are the build's: a notebook's record cannot name others.
    """
    rows = []
    for report in reports:
        last = states.get(report.id, {}).get("last_good") or {}
        for row in last.get("indicators", []):
            rows.append({**row, "year": year, "report": report.id})
    return rows


# OWASP "CSV injection": a spreadsheet runs a text cell starting with these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# The committee's table: the same rows as indicators.csv, in words and printed figures.
TABLE_COLUMNS = ("年度", "報告", "表格", "類別", "性別", "人數", "比例")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _write_spreadsheet(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV in UTF-8 with BOM and CRLF, so Excel on Windows shows the Chinese."""
    import csv
    import io

    from genderstats.pipeline.publish import write_atomic

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    write_atomic(path, "\ufeff" + buf.getvalue())


def write_indicators(path: Path, rows: list[dict[str, Any]]) -> None:
    """``indicators.csv``, for the statistics office: code ids and unrounded shares."""
    def cells(row: dict[str, Any]) -> list[Any]:
        share = row.get("share")
        return [*(spreadsheet_safe(row.get(k)) for k in INDICATOR_COLUMNS[:-1]),
                "" if share is None else repr(float(share))]

    _write_spreadsheet(path, INDICATOR_COLUMNS, (cells(row) for row in rows))


def _printed(value: Any, number: Callable[[Any], str]) -> Any:
    """A figure as the pages print it (``number``); a recorded text stays text, made safe."""
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return spreadsheet_safe(str(value))


def write_table(path: Path, rows: list[dict[str, Any]], reports: list[Report]) -> None:
    """The committee's table of ``rows`` (:func:`indicators_frame_rows`): Chinese headers,
    report titles, counts 「2,676」 and shares 「77.88%」 as the pages print them."""
    from genderstats.numbers import format_count, format_pct

    titles = {r.id: r.title for r in reports}
    _write_spreadsheet(path, TABLE_COLUMNS, (
        [row["year"], *(spreadsheet_safe(v) for v in (titles[row["report"]], row.get("table"),
                                                       row.get("category"), row.get("gender"))),
         _printed(row.get("count"), format_count), _printed(row.get("share"), format_pct)]
        for row in rows))


def _table_key(rows: list[dict[str, Any]], reports: list[Report],
               states: dict[str, dict[str, Any]]) -> str:
    """What the committee's table depends on: the rows, the titles and the reports' cache keys
    (which change with the package, so with the formatters)."""
    keys = [(states.get(r.id, {}).get("last_good") or {}).get("key") for r in reports]
    payload = [rows, [[r.id, r.title] for r in reports], keys]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def write_table_if_changed(out: Path, name: str, rows: list[dict[str, Any]],
                           reports: list[Report], states: dict[str, dict[str, Any]]) -> None:
    """:func:`write_table` unless ``out/name`` is the one written for the same rows.

    Formatting imports pandas, which an unchanged rebuild otherwise never loads. The table on
    disk must still hash as written, so an edited or damaged file is written again.
    """
    memo = out / STATE_DIR / "table.json"
    key = _table_key(rows, reports, states)
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        kept = json.loads(memo.read_text(encoding="utf-8"))
        if kept["key"] == key and kept["sha256"] == file_sha256(out / name):
            return
    write_table(out / name, rows, reports)
    with contextlib.suppress(OSError):
        _write_json(memo, {"key": key, "sha256": file_sha256(out / name)})


def _documents(out: Path, rid: str, status: str, last: dict[str, Any]) -> dict[str, Any]:
    """The manifest's links to a report's ODT and PDF, and why there is no PDF."""
    if status == "unbuilt" or not (out / f"{rid}.odt").is_file():
        return {}
    pdf = (out / f"{rid}.pdf").is_file()
    return {"odt": f"{rid}.odt", "pdf": f"{rid}.pdf" if pdf else None,
            "pdf_note": None if pdf else (last.get("pdf_note") or "未產製 PDF")}


def write_outputs(out: Path, year: int, reports: list[Report], states: dict[str, dict[str, Any]],
                  results: dict[str, ReportResult], started: datetime, finished: datetime,
                  notes: Sequence[str] = (), data_dir: Path = config.DATA_DIR) -> None:
    """indicators.csv, the committee's table, manifest.json, staff.html and index.html for the
    year, each written atomically.

    ``notes`` (staff page and manifest) say what the build had to do without; paths are
    shown relative to ``data_dir`` (see ``public_paths``).

    Every entry comes from the reports' states and the files on disk (the previous manifest
    is never read, so a damaged one cannot break the build). A report never built has status
    ``unbuilt`` and no links.
    """
    from genderstats.pipeline.environment import lock_hash
    from genderstats.pipeline.index import TABLE_NAME, render_index
    from genderstats.pipeline.publish import write_atomic
    from genderstats.pipeline.scaffold import draft_reason
    from genderstats.pipeline.staff_page import render_staff

    drafts = {r.id: why for r in reports for why in [draft_reason(r)] if why}
    done = [r for r in reports if r.id not in drafts]  # a draft's figures are no one's
    rows = indicators_frame_rows(year, done, states)
    write_indicators(out / "indicators.csv", rows)
    write_table_if_changed(out, TABLE_NAME, rows, done, states)
    shown = PublicPaths(data_dir, out)
    entries = []
    for report in reports:
        state = states.get(report.id) or {}
        last = state.get("last_good") or {}
        res = results.get(report.id)
        page = (out / f"{report.id}.html").is_file()
        if res is not None:
            status = res.status
        elif state.get("status") == "failed":
            status = "failed"
        else:
            status = "ok" if state.get("status") == "ok" and page else "unbuilt"
        failed = status == "failed"
        executed = out / "notebooks" / f"{report.id}.ipynb"
        parameters = state.get("parameters") or last.get("parameters") or {}
        entries.append({
            "id": report.id,
            "title": report.title,
            "draft": drafts.get(report.id),  # listed on the staff page only
            "notebook": shown.path(report.notebook),
            "parameters": shown.parameters(parameters),
            "status": status,
            "seconds": res.seconds if res else float(state.get("seconds") or 0.0),
            "error": (shown.text(state.get("error") or "") or None) if failed else None,
            "built": last.get("built") if status != "unbuilt" else None,
            "html": f"{report.id}.html" if page and status != "unbuilt" else None,
            "failed_html": (f"failed/{report.id}.html"
                            if failed and (out / "failed" / f"{report.id}.html").is_file()
                            else None),
            "executed_notebook": (f"notebooks/{report.id}.ipynb"
                                  if executed.is_file() and status != "unbuilt" else None),
            "failed_notebook": (f"failed/{report.id}.ipynb"
                                if failed and (out / "failed" / f"{report.id}.ipynb").is_file()
                                else None),
            "inputs": {shown.path(p): h for p, h in sorted(last.get("inputs", {}).items())},
            "key_figure": last.get("summary") if status != "unbuilt" else None,
            **_documents(out, report.id, status, last),
        })
    manifest = {
        "year": year,
        "reports": entries,
        "genderstats_version": __version__,
        "python": platform.python_version(),
        "packages": _versions(out / STATE_DIR),
        "lock_sha256": lock_hash(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "notes": list(notes),
    }
    _write_json(out / "manifest.json", manifest)
    # The staff page first: the committee's index never names it, but it must be there
    # whenever the index says a report is not ready.
    write_atomic(out / "staff.html", render_staff(out, manifest))
    write_atomic(out / "index.html", render_index(out, manifest))
