"""One report, run in a worker process: execute the notebook in its own kernel, render pages.

The worker writes only its log (``logs/<id>.log``, the kernel's stderr and the error line)
and a scratch copy of the executed notebook; the pages and notebooks it produces go back to
the parent, which publishes them (see ``genderstats.pipeline.build``).
"""

from __future__ import annotations

import base64
import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats.pipeline.registry import Report
from genderstats.record import (
    DOCUMENT_MIME,
    INDICATORS_MIME,
    INPUTS_MIME,
    SUMMARY_MIME,
    file_sha256,
)

KERNEL_DIED = "核心異常結束（筆記本中的程式結束了核心，或記憶體不足）；請檢查最後執行的一格。"


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


def collect_records(nb: Any) -> dict[str, Any]:
    """The indicators, input files, folders and key figure a notebook recorded."""
    indicators: list[dict[str, Any]] = []
    read: list[str] = []
    used: list[str] = []  # consulted (the year's rosters, for names), not a source
    dirs: list[str] = []
    summary: str | None = None
    document: str | None = None
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
            if DOCUMENT_MIME in data:
                document = data[DOCUMENT_MIME].get("odt")
    return {"indicators": indicators, "read": sorted(set(read)), "uses": sorted(set(used)),
            "dirs": sorted(set(dirs)),
            "summary": summary, "document": document}


# Errors whose message is written for the person who prepares the data (in Chinese).
USER_ERRORS = {"DataError", "ValueError", "RegistryError", "FileNotFoundError"}


def _explained(ename: str, evalue: str) -> str:
    """The message alone for the project's own errors; other exceptions are program faults."""
    evalue = evalue.strip()
    if ename in USER_ERRORS and evalue:
        return evalue
    return f"程式執行錯誤（{ename}）：{evalue}" if evalue else f"程式執行錯誤（{ename}）"


def error_text(nb: Any, exc: BaseException) -> str:
    """The message an analyst needs: the exception raised in the notebook, not papermill's."""
    for cell in nb.cells if nb is not None else []:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return _explained(str(out.get("ename")), str(out.get("evalue") or ""))
    if type(exc).__name__ == "DeadKernelError":
        return KERNEL_DIED
    return _explained(type(exc).__name__, str(exc))


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


def skip_unused_imports() -> None:
    """Keep papermill's import from loading what the build never uses.

    jsonschema (through nbformat) imports rfc3987_syntax, which builds a grammar for 1.5 s,
    only for its "iri" format check; notebook validation uses no format check. Only this
    process is affected (kernels are other processes).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def unchecked_outputs() -> None:
    """Let nbclient take each output of the kernel as it comes, without a schema check each.

    nbclient turns every output message into a notebook node with nbformat's
    ``output_from_msg``, which checks the one output against its part of the schema; for a
    part, nbformat uses jsonschema's slow path, about half a millisecond per chart. Instead,
    :func:`run_report` checks the executed notebook whole, once, and fails the report on an
    output against the format (papermill's own check on writing only logs, and the page
    export's is relaxed). Only this process (a build's worker) is affected.
    """
    import nbclient.client
    from nbformat.v4 import nbbase

    if getattr(nbclient.client.output_from_msg, "_unchecked", False):
        return
    checked = nbclient.client.output_from_msg

    def output_from_msg(msg: dict[str, Any]) -> Any:
        validate = nbbase.validate
        nbbase.validate = _no_check
        try:
            return checked(msg)
        finally:
            nbbase.validate = validate

    output_from_msg._unchecked = True  # type: ignore[attr-defined]
    output_from_msg.__wrapped__ = checked  # type: ignore[attr-defined]
    nbclient.client.output_from_msg = output_from_msg


def _no_check(node: Any, ref: str | None = None) -> None:
    return None


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook's ``parameters`` cell declares (papermill's reading)."""
    skip_unused_imports()
    import papermill as pm

    return pm.inspect_notebook(str(notebook))


@contextlib.contextmanager
def _stderr_to(path: Path) -> Any:
    """Send fd 2 (this process and the kernel it starts) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
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

    def __init__(self, notify: Callable[[Any], None], scratch: Path) -> None:
        self.notify, self.scratch = notify, scratch
        self.odt: bytes | None = None
        self.thread: Any = None
        self.result: Any = None

    def cell_executed(self, cell: Any, **_: Any) -> None:
        # A hook that raised would fail the report: any trouble here only means the parent
        # converts the document afterwards, as it would without this.
        with contextlib.suppress(Exception):
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
            self.notify({"group": pid})

        def ended(pid: int) -> None:
            groups.remove(pid)
            self.notify({"group_done": pid})

        try:
            self.result = convert(self.odt or b"", started=started, ended=ended,
                                  scratch=self.scratch)
        finally:
            for pid in list(groups):
                self.notify({"group_done": pid})

    def of(self, odt: bytes | None) -> Any:
        """The conversion of ``odt``, once finished; None if another document was converted."""
        if self.thread is None:
            return None
        self.thread.join()
        return self.result if odt is not None and odt == self.odt else None


def run_report(task: Task, notify: Callable[[Any], None]) -> dict[str, Any]:
    """Execute one report and render its page; never raises for a report's own error.

    Returns its status, error, records, and the page and executed notebook to publish
    (``page`` is the committee page when it succeeded, the failed page otherwise), and the
    PDF of its document when one was made while it ran (``pdf``, a ``pdf.Conversion``).
    """
    import nbformat
    import papermill as pm

    from genderstats.pipeline.processes import kernel_manager_class
    from genderstats.pipeline.publish import notebook_to_html

    unchecked_outputs()
    report, parameters, out = task.report, task.parameters, task.out
    started = time.perf_counter()
    executed = task.scratch
    executed.parent.mkdir(parents=True, exist_ok=True)
    nb = None
    error = None
    launched = time.time()
    manager = kernel_manager_class(task.ipc_prefix, lambda pid: notify({"kernel": pid}),
                                   task.forkserver)
    early_pdf = _EarlyPdf(notify, executed.parent)
    with _stderr_to(out / "logs" / f"{report.id}.log") as log:
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
                on_cell_executed=early_pdf.cell_executed,
            )
            # Each output went in unchecked (see unchecked_outputs): the notebook is checked
            # whole, and an output a kernel should not have sent fails the report here.
            nbformat.validate(nb)
        except Exception as exc:  # noqa: BLE001 - any failure of a report is reported
            if executed.is_file():
                nb = nbformat.read(executed, as_version=4)
            error = error_text(nb, exc)
        if nb is None and executed.is_file():
            nb = nbformat.read(executed, as_version=4)
        records = collect_records(nb) if nb is not None else {
            "indicators": [], "read": [], "uses": [], "dirs": [], "summary": None}
        notify({"phase": "export"})  # the kernel is gone: the pool may start the next one
        built = datetime.now().astimezone()
        ran = time.time()
        page = None
        if nb is not None:
            try:
                page = notebook_to_html(
                    nb, title=report.title, year=task.year, built=built,
                    sources=sources(records["read"], parameters["data_dir"]), error=error,
                    index_href="../index.html" if error else "index.html",
                    published=task.published)
            except Exception as exc:  # noqa: BLE001 - a page that cannot render fails
                error = error or f"頁面轉換失敗：{type(exc).__name__}: {exc}"
        if error:
            log.write(f"\n{error}\n")
    phases = _phases(nb, launched, ran, time.time())
    notebook = executed.read_bytes() if executed.is_file() else None
    executed.unlink(missing_ok=True)
    document = base64.b64decode(records["document"]) if records.get("document") else None
    pdf = early_pdf.of(document if not error else None)
    return {
        "id": report.id,
        "status": "failed" if error else "ok",
        "error": error,
        "seconds": round(time.perf_counter() - started, 2),
        "built": built.isoformat(timespec="seconds"),
        "inputs": {p: file_sha256(p) for p in (*records["read"], *records["uses"])
                   if Path(p).is_file()},
        "dirs": records["dirs"],
        "indicators": records["indicators"],
        "summary": records["summary"],
        "document": document,
        "pdf": pdf,
        "page": page,
        "notebook": notebook,
        "phases": phases,
    }


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
