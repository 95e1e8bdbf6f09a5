"""One report, run in a worker process: execute the notebook in its own kernel, render pages.

The worker writes only its two logs and a scratch copy of the executed notebook; the pages and
notebooks it produces go back to the parent, which publishes them (see
``genderstats.pipeline.build``). The public log ``<out>/logs/<id>.log`` holds time-stamped
Chinese status lines; the staff log ``<out-dir>/.staff/<year>/<id>.log`` (a folder only the
build's account can read) holds the kernel's stderr, tracebacks and English exception text.

A notebook is not trusted to end well: a run is a success only when every code cell ran to
its end, and its outputs are cut at :data:`OUTPUT_LIMIT`. What a failed run publishes (the
failed page and ``failed/<id>.ipynb``) names the failing cell by number and title, in
Chinese, with neither code nor traceback.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import os
import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import clock
from genderstats.pipeline.engine import patches
from genderstats.pipeline.kernel_output import KERNEL_ARGUMENT
from genderstats.pipeline.logs import public_log, staff_log
from genderstats.pipeline.notebook_parameters import declared_parameters
from genderstats.pipeline.output_watch import Watch, watched_manager
from genderstats.pipeline.registry import Report
from genderstats.pipeline.run_errors import (
    FLOODED,
    NOT_FINISHED,
    PROGRAM_FAULT,
    cell_place,
    clean_exit,
    error_text,
    public_failed_notebook,
    stopped_on_input,
    unfinished_cell,
)
from genderstats.pipeline.state import RunResult
from genderstats.record import (
    DOCUMENT_MIME,
    FIGURES_MIME,
    INDICATORS_MIME,
    INPUTS_MIME,
    SUMMARY_MIME,
    file_sha256,
)
from genderstats.report_status import Status

# OUTPUT_LIMIT (16 MiB) is what one report may send, printed text and display data together,
# as UTF-8 bytes. Past it, the kernel's print raises (kernel_output), or the worker stops the
# kernel; one message larger than this is refused by ZeroMQ unread, so a gigabyte never
# reaches the worker's memory. Either way the report fails with FLOODED.

RETRIED = "共用的核心伺服器已結束（可能被另一份報告停止），改用一般核心重新執行。"


@dataclass(frozen=True)
class Task:
    """What a worker needs to run one report."""

    report: Report
    parameters: dict[str, Any]
    year: int
    out: Path
    scratch: Path  # where papermill saves the executed notebook
    ipc_prefix: str  # kernel sockets
    published: bool  # a last good page exists (the failed page says so)
    forkserver: str | None = None  # socket of the build's fork server; None: ordinary kernels
    warm_office: bool = False  # start LibreOffice with the kernel: a document is expected


def collect_records(nb: Any) -> dict[str, Any]:
    """The indicators, input files, folders and key figure a notebook recorded."""
    indicators: list[dict[str, Any]] = []
    read: list[str] = []
    used: list[str] = []  # consulted (the year's rosters, for names), not a source
    dirs: list[str] = []
    summary: str | None = None
    document: str | None = None
    figures: dict[str, str | None] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if INDICATORS_MIME in data:
                indicators.extend(data[INDICATORS_MIME])
            if INPUTS_MIME in data:
                read.extend(data[INPUTS_MIME].get("read", []))
                used.extend(data[INPUTS_MIME].get("uses", []))
                dirs.extend(data[INPUTS_MIME].get("dirs", []))
            if SUMMARY_MIME in data:
                summary = data[SUMMARY_MIME].get("key_figure")
            if FIGURES_MIME in data and isinstance(data[FIGURES_MIME], dict):
                figures.update({str(k): None if v is None else str(v)
                                for k, v in data[FIGURES_MIME].items()})
            if DOCUMENT_MIME in data:
                document = data[DOCUMENT_MIME].get("odt")
    return {"indicators": indicators, "read": sorted(set(read)), "uses": sorted(set(used)),
            "dirs": sorted(set(dirs)),
            "summary": summary, "figures": figures, "document": document}


def sources(read: list[str], data_dir: str) -> list[dict[str, str]]:
    """The datasets a page was made from, each with the years it covers: 「委員名單（112年）」.

    Files are named by their dataset's title, never by path: committee pages carry no paths.
    Configuration (the registry, the status file) and files of no known dataset are left out.
    """
    from genderstats.data.specs import DATASETS

    root = Path(data_dir).resolve()
    years: dict[str, set[int]] = {}
    for p in read:
        path = Path(p)
        spec = DATASETS.get(path.stem)
        if spec is None or not path.is_relative_to(root) or not path.parent.name.isdigit():
            continue
        years.setdefault(spec.title, set()).add(int(path.parent.name))
    out = []
    for title, found in years.items():
        first, last = min(found), max(found)
        period = f"{first}年" if first == last else f"{first}–{last}年"
        out.append({"name": title, "period": period})
    return out


def _sanitised_traceback(lines: list[str]) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(str(x) for x in lines))


@contextlib.contextmanager
def _stderr_to(path: Path) -> Any:
    """Send fd 2 (this process and the kernel it starts) to ``path`` (the staff log)."""
    saved = os.dup(2)
    with open(path, "w", encoding="utf-8") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield log
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


class _EarlyPdf:
    """The PDF of a document record, converted while the notebook goes on running.

    A report that records its document (the annual report) usually does so long before its
    last cell, which may wait for the other reports: the conversion runs beside it, in a
    thread of the worker, and LibreOffice's process group is reported to the parent, which
    kills it with the worker if it must. Only a PDF of the document the notebook finally
    recorded is used; any other case leaves the conversion to the parent.
    """

    def __init__(self, notify: Callable[[Any], None], scratch: Path,
                 warm_office: bool = False) -> None:
        self.notify, self.scratch = notify, scratch
        self.odt: bytes | None = None
        self.thread: Any = None
        self.result: Any = None
        self.warm_office = warm_office
        self.office: Any = None

    def _started(self, pid: int) -> None:
        self.notify({"group": pid})

    def _ended(self, pid: int) -> None:
        self.notify({"group_done": pid})

    def cell_executed(self, cell: Any, **_: Any) -> None:
        # A hook that raised would fail the report: any trouble here only means the parent
        # converts the document afterwards, as it would without this.
        with contextlib.suppress(Exception):
            if self.warm_office:
                # Once the kernel runs (its first cell): LibreOffice starts beside the
                # notebook instead of after it (pdf.Office).
                from genderstats.pipeline.pdf import Office

                self.warm_office = False
                self.office = Office(started=self._started, ended=self._ended,
                                     scratch=self.scratch)
            for out in cell.get("outputs", []):
                odt = ((out.get("data") or {}).get(DOCUMENT_MIME) or {}).get("odt")
                if odt and self.thread is None:
                    import threading

                    self.odt = base64.b64decode(odt)
                    thread = threading.Thread(target=self._convert, daemon=True)
                    thread.start()
                    self.thread = thread

    def _convert(self) -> None:
        from genderstats.pipeline.pdf import convert

        groups: list[int] = []

        def started(pid: int) -> None:
            groups.append(pid)
            self._started(pid)

        def ended(pid: int) -> None:
            groups.remove(pid)
            self._ended(pid)

        try:
            if self.office is not None:
                self.result = self.office.convert(self.odt or b"")
            else:
                self.result = convert(self.odt or b"", started=started, ended=ended,
                                      scratch=self.scratch)
        finally:
            for pid in list(groups):
                self._ended(pid)

    def of(self, odt: bytes | None) -> Any:
        """The conversion of ``odt``, once finished; None if another document was converted.
        A LibreOffice started for a document that never came is stopped."""
        if self.thread is None:
            if self.office is not None:
                self.office.stop()
            return None
        self.thread.join()
        return self.result if odt is not None and odt == self.odt else None


def run_report(task: Task, notify: Callable[[Any], None]) -> RunResult:
    """Execute one report and render its page; never raises for a report's own error.

    Returns its status, error, records, the page and executed notebook to publish, and the
    PDF of its document when one was made while it ran (:class:`state.RunResult`).

    A run whose kernel died while the build's fork server is gone (another report may have
    stopped it, and every kernel it forked with it) is run once more on an ordinary kernel,
    so the report fails only for what its own notebook does.
    """
    from genderstats.pipeline.engine.fork import server_gone
    from genderstats.pipeline.publish import notebook_to_html

    report, parameters, out = task.report, task.parameters, task.out
    started = time.perf_counter()
    task.scratch.parent.mkdir(parents=True, exist_ok=True)
    launched = time.time()
    early_pdf = _EarlyPdf(notify, task.scratch.parent, task.warm_office)
    public_log(out, report.id, "開始產製", mode="w")
    with _stderr_to(staff_log(out, report.id)) as log:
        log.write("".join(f"{line}\n" for line in patches.not_in_effect()))
        log.flush()  # before the kernel writes to the same file
        nb, error, failed, died = _execute(task, task.forkserver, notify, early_pdf, log)
        if error and died and task.forkserver and server_gone(task.forkserver):
            public_log(out, report.id, RETRIED)
            log.write(f"\n{RETRIED}\n")
            launched = time.time()
            nb, error, failed, died = _execute(task, None, notify, early_pdf, log)
        input_error = bool(error) and stopped_on_input(nb)
        records = collect_records(nb) if nb is not None and not error else {
            "indicators": [], "read": [], "uses": [], "dirs": [], "summary": None,
            "figures": {}}
        notify({"phase": "export"})  # the kernel is gone: the pool may start the next one
        built = clock.now()
        ran = time.time()
        shown = public_failed_notebook(nb, failed) if error and nb is not None else nb
        page = None
        if shown is not None:
            try:
                page = notebook_to_html(
                    shown, title=report.title, year=task.year, built=built,
                    sources=sources(records["read"], parameters["data_dir"]), error=error,
                    index_href="../index.html" if error else "index.html",
                    published=task.published)
            except Exception:  # noqa: BLE001 - a page that cannot render fails
                log.write(f"\n{traceback.format_exc()}\n")
                error = error or f"頁面轉換失敗：{PROGRAM_FAULT}"
        public_log(out, report.id, error or "完成")
        if error:
            log.write(f"\n{error}\n")
    phases = _phases(nb, launched, ran, time.time())
    notebook = _notebook_bytes(task.scratch, shown, error)
    task.scratch.unlink(missing_ok=True)
    document = base64.b64decode(records["document"]) if records.get("document") else None
    pdf = early_pdf.of(document if not error else None)
    return RunResult(
        id=report.id,
        status=Status.FAILED if error else Status.OK,
        error=error,
        seconds=round(time.perf_counter() - started, 2),
        built=built.isoformat(timespec="seconds"),
        inputs={p: file_sha256(p) for p in (*records["read"], *records["uses"])
                if Path(p).is_file()},
        dirs=records["dirs"],
        indicators=records["indicators"],
        summary=records["summary"],
        figures=records["figures"],
        document=document,
        pdf=pdf,
        page=page,
        notebook=notebook,
        phases=phases,
        input_error=input_error,
    )


def _notebook_bytes(scratch: Path, shown: Any, error: str | None) -> bytes | None:
    """The executed notebook as papermill saved it; for a failed run, its public version."""
    import nbformat

    if not error:
        return scratch.read_bytes() if scratch.is_file() else None
    if shown is None:
        return None
    shown = copy.deepcopy(shown)
    shown.cells.insert(0, nbformat.v4.new_markdown_cell(
        f"**這份報告沒有產製成功**\n\n{error}"))
    return nbformat.writes(shown).encode("utf-8")


def _execute(task: Task, forkserver: str | None, notify: Callable[[Any], None],
             early_pdf: _EarlyPdf, log: Any) -> tuple[Any, str | None, int | None, bool]:
    """Run the notebook once: (notebook, public error, index of the failed cell, whether the
    kernel died). Details of a failure (tracebacks, English text) go to ``log`` only."""
    import nbformat
    import papermill as pm

    from genderstats.pipeline.engine import kernel_manager_class

    report, parameters, executed = task.report, task.parameters, task.scratch
    executed.unlink(missing_ok=True)
    watch = Watch()

    def kernel_started(pid: int) -> None:
        watch.kernels.append(pid)
        notify({"kernel": pid})

    manager = watched_manager(kernel_manager_class(task.ipc_prefix, kernel_started,
                                                    forkserver), watch)
    nb = error = None
    failed: int | None = None
    died = False
    try:
        unknown = sorted(set(parameters) - set(declared_parameters(report.notebook)))
        if unknown:
            raise ValueError(
                f"筆記本 {report.notebook.name} 的 parameters 格沒有宣告 {', '.join(unknown)}；"
                f"請在該格加上，或從 reports.yml 移除。"
            )
        nb = pm.execute_notebook(
            str(report.notebook), str(executed), parameters=parameters,
            kernel_name="python3", progress_bar=False, log_output=False,
            cwd=str(report.notebook.parent), kernel_manager_class=manager,
            # Saving the whole notebook after every cell costs more than some reports'
            # work; the executed notebook is saved once at the end, or on failure.
            request_save_on_cell_execute=False, shutdown_kernel="immediate",
            on_notebook_start=watch.notebook_start, on_cell_start=watch.cell_start,
            on_cell_executed=early_pdf.cell_executed, extra_arguments=[KERNEL_ARGUMENT],
        )
        if watch.flooded is not None:
            raise RuntimeError("outputs over the limit")
        # A run that stopped early (sys.exit(0) is no error to papermill), or whose kernel
        # was gone by its end, is no success.
        failed = unfinished_cell(nb)
        if failed is not None or not watch.alive_at_end:
            failed = watch.cell if watch.cell is not None else failed
            error = NOT_FINISHED.format(cell=cell_place(nb, failed))
            log.write(f"\n{error}\n")
    except Exception as exc:  # noqa: BLE001 - any failure of a report is reported
        log.write("\n" + "".join(traceback.format_exception(exc)))
        if executed.is_file():
            nb = nbformat.read(executed, as_version=4)
        nb = nb if nb is not None else watch.nb
        died = type(exc).__name__ == "DeadKernelError"
        failed = _failed_cell(nb, exc, watch)
        if watch.flooded is not None:
            error = FLOODED.format(cell=cell_place(nb, failed), limit=watch.limit >> 20)
        else:
            error = error_text(nb, exc, failed)
        _log_cell_errors(nb, log)
    finally:
        watch.stop_listening()
    return nb, error, failed, died


def _failed_cell(nb: Any, exc: BaseException, watch: Watch) -> int | None:
    """The index of the cell a failure happened in: the one with an error, else the one
    that ran last."""
    if watch.flooded is not None and watch.flooded >= 0:
        return watch.flooded
    for index, cell in enumerate(nb.cells if nb is not None else []):
        if any(o.get("output_type") == "error" and not clean_exit(o)
               for o in cell.get("outputs", [])):
            return index
    index = getattr(exc, "cell_index", None)
    return index if isinstance(index, int) else watch.cell


def _log_cell_errors(nb: Any, log: Any) -> None:
    for index, cell in enumerate(nb.cells if nb is not None else []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                log.write(f"\n{cell_place(nb, index)}：{out.get('ename')}: {out.get('evalue')}\n"
                          f"{_sanitised_traceback(out.get('traceback') or [])}\n")


def _phases(nb: Any, launched: float, ran: float, exported: float) -> dict[str, float]:
    """Where a report's time went, in seconds: kernel start, cells, kernel stop, page.

    From papermill's time stamps in the executed notebook; only the page's share when the
    notebook did not run at all.
    """
    starts, ends = [], []
    for cell in nb.cells if nb is not None else []:
        meta = cell.get("metadata", {}).get("papermill", {})
        with contextlib.suppress(TypeError, ValueError):
            if meta.get("start_time"):
                starts.append(datetime.fromisoformat(meta["start_time"]).timestamp())
            if meta.get("end_time"):
                ends.append(datetime.fromisoformat(meta["end_time"]).timestamp())
    phases = {"export": round(exported - ran, 2)}
    if starts and ends:
        first, last = min(starts), max(ends)
        phases.update(kernel=round(first - launched, 2), cells=round(last - first, 2),
                      stop=round(ran - last, 2))
    return phases
