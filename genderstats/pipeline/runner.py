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
import json
import os
import re
import signal
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import clock
from genderstats.clock import stamp
from genderstats.pipeline.engine import patches
from genderstats.pipeline.kernel_output import KERNEL_ARGUMENT, OUTPUT_LIMIT
from genderstats.pipeline.registry import Report
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

# A kernel that died before any cell ran (so no cell can be named).
KERNEL_DIED = ("核心在執行任何一格之前就異常結束（可能是記憶體不足）；請重新執行 build，"
               "仍失敗時請通知系統管理者。")
NOT_FINISHED = ("{cell}之後的格沒有執行：筆記本的程式在這一格結束了執行或核心（例如 sys.exit、"
                "os._exit），或核心因記憶體不足而結束；請檢查這一格。")
FLOODED = ("{cell}的輸出超過上限 {limit} MB，已停止這份報告；請減少 print 的內容。")
PROGRAM_FAULT = "程式執行錯誤（細節記在承辦人的紀錄檔）"
# A worker that ended without a result: its notebook may have killed it (os.kill of its parent).
WORKER_DIED = ("執行這份報告的程序異常結束（筆記本的程式可能結束了它，或記憶體不足），"
               "沒有產生結果；請檢查筆記本中結束程序的指令。")
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


INPUT_ERRORS = frozenset({"DataError"})
"""What a notebook raises when the year's data is wrong (the build then exits 2)."""


def stopped_on_input(nb: Any) -> bool:
    """Whether an executed notebook stopped on an error of the year's data."""
    return any(out.get("output_type") == "error" and out.get("ename") in INPUT_ERRORS
               for cell in (nb.cells if nb is not None else []) for out in cell.get("outputs", []))


# Errors whose message is written for the person who prepares the data (in Chinese).
USER_ERRORS = {"DataError", "ValueError", "RegistryError", "FileNotFoundError"}


# A message written for people is Chinese, with its full-width punctuation; a library's
# ValueError ("could not convert string to float: '男'") is not.
_CJK = re.compile(r"[\u3400-\u9fff]")
_FULL_WIDTH = re.compile(r"[。，、；：「」（）？！]")


def _explained(ename: str, evalue: str) -> str:
    """The message alone for the project's own errors; other exceptions are program faults,
    whose name and (English) text go only to the staff log."""
    evalue = evalue.strip()
    if ename in USER_ERRORS and _CJK.search(evalue) and _FULL_WIDTH.search(evalue):
        return evalue
    return PROGRAM_FAULT


def _clean_exit(out: Any) -> bool:
    """papermill's reading of ``sys.exit(0)``: not an error (the run simply stops)."""
    return out.get("ename") == "SystemExit" and str(out.get("evalue") or "") in ("", "0")


def error_text(nb: Any, exc: BaseException, cell: int | None = None) -> str:
    """The public message of a failed run, naming the cell (``cell``: the one that ran last,
    an index of ``nb``); the exception raised in the notebook, not papermill's."""
    for index, node in enumerate(nb.cells if nb is not None else []):
        for out in node.get("outputs", []):
            if out.get("ename") == "OutputLimitError":
                return FLOODED.format(cell=cell_place(nb, index), limit=OUTPUT_LIMIT >> 20)
            if out.get("output_type") == "error" and not _clean_exit(out):
                explained = _explained(str(out.get("ename")), str(out.get("evalue") or ""))
                return f"{cell_place(nb, index)}：{explained}"
    name = type(exc).__name__
    if name == "DeadKernelError":
        return NOT_FINISHED.format(cell=cell_place(nb, cell)) if cell is not None else KERNEL_DIED
    if name == "NotebookValidationError" and cell is not None:
        # nbclient checks each output as it comes: the cell that was running sent it.
        return f"{cell_place(nb, cell)}的輸出不符合筆記本的格式：{PROGRAM_FAULT}"
    return _explained(name, str(exc))


_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.M)
_TITLE_LENGTH = 40


def cell_place(nb: Any, index: int | None) -> str:
    """「第 3 格（委員組成）」: cell ``index`` of ``nb`` as the analyst finds it.

    Code cells are counted from 1 as the notebook shows them (papermill's injected parameters
    are not one of them). The title is the heading of the Markdown just above the cell, else
    the cell's first comment line, else the nearest heading further up.
    """
    number, near, above = 0, None, None
    for i, cell in enumerate(nb.cells if nb is not None else []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown" and "papermill-error-cell-tag" not in tags:
            headings = _HEADING.findall(str(cell.get("source", "")))
            if headings:
                near = above = headings[-1].strip()
            continue
        if cell.get("cell_type") != "code":
            continue
        if "injected-parameters" in tags:
            if i == index:
                return "reports.yml 給的參數"
            continue
        number += 1
        if i == index:
            title = near or _first_comment(str(cell.get("source", ""))) or above
            if title and len(title) > _TITLE_LENGTH:
                title = title[:_TITLE_LENGTH] + "…"
            return f"第 {number} 格（{title}）" if title else f"第 {number} 格"
        near = None
    return "筆記本"


def _first_comment(source: str) -> str | None:
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("#") and not text.startswith("#!"):
            return text.lstrip("#").strip() or None
    return None


def _unfinished(nb: Any) -> int | None:
    """The first code cell that did not run to its end (papermill's record), if any."""
    for index, cell in enumerate(nb.cells if nb is not None else []):
        if cell.get("cell_type") != "code" or not str(cell.get("source", "")).strip():
            continue
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status != "completed" or cell.get("execution_count") is None:
            return index
    return None


def public_failed_notebook(nb: Any, failed: int | None) -> Any:
    """What a failed run may publish of its notebook: the Markdown and the charts and tables of
    the cells before ``failed`` (an index of ``nb``); no code, no error, no printed text, no
    papermill banner or metadata (the notebook's holds the parameters' paths)."""
    nb = copy.deepcopy(nb)
    end = len(nb.cells) if failed is None else failed + 1
    kept = []
    for index, cell in enumerate(nb.cells[:end]):
        tags = cell.get("metadata", {}).get("tags", [])
        if "papermill-error-cell-tag" in tags:
            continue
        cell["metadata"] = {"tags": tags} if tags else {}  # papermill's times and flags
        if cell.get("cell_type") == "code":
            cell["source"] = ""
            cell["outputs"] = [] if index >= end - 1 and failed is not None else [
                o for o in cell.get("outputs", [])
                if o.get("output_type") in ("display_data", "execute_result")]
        kept.append(cell)
    nb.cells = kept
    nb.metadata.pop("papermill", None)
    return nb


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


def declared_parameters(notebook: Path) -> dict[str, Any]:
    """The parameters a notebook's ``parameters`` cell declares (papermill's reading)."""
    patches.skip_rfc3987_syntax()
    import papermill as pm

    return pm.inspect_notebook(str(notebook))


STAFF_DIR = ".staff"
"""``<out-dir>/.staff/<year>/``: the staff-only logs, never published."""


def staff_log(out: Path, rid: str) -> Path:
    """``<out-dir>/.staff/<year>/<rid>.log``: outside the published ``out`` (``<out-dir>/<year>``),
    in folders only the build's account may open, whatever the umask."""
    folder = out.parent / STAFF_DIR / out.name
    for part in (folder.parent, folder):
        part.mkdir(mode=0o700, exist_ok=True)
        os.chmod(part, 0o700)
    return folder / f"{rid}.log"


def public_log(out: Path, rid: str, line: str, mode: str = "a") -> None:
    """Add a status (Chinese, for anyone) to ``<out>/logs/<rid>.log``, each of its lines
    time-stamped."""
    path = out / "logs" / f"{rid}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    now = stamp()
    with open(path, mode, encoding="utf-8") as fh:
        fh.write("".join(f"{now} {text}\n" for text in line.splitlines() or [""]))


def _sanitised_traceback(lines: list[str]) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(str(x) for x in lines))


class _Watch:
    """What the worker keeps an eye on while a notebook runs: the cell running (an index of
    the running notebook), the size of the outputs so far and the kernel, which it kills when
    the outputs pass :data:`OUTPUT_LIMIT`."""

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self.limit = limit
        self.nb: Any = None
        self.cell: int | None = None
        self.size = 0
        self.flooded: int | None = None  # the cell whose outputs passed the limit
        self.kernels: list[int] = []
        self.monitor: Any = None  # IOPub's disconnections (see _watched_manager)
        self.listener: Any = None  # the task reading them
        self.alive_at_end = False  # the kernel still ran after the last cell

    def notebook_start(self, notebook: Any = None, **_: Any) -> None:
        import asyncio

        self.nb = notebook
        if self.monitor is not None and self.listener is None:
            self.listener = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        """Stop the kernel as soon as ZeroMQ drops its IOPub connection for an outsized
        message (the flood would otherwise run on until the cell's end): a connection lost
        while the kernel still lives."""
        import asyncio

        await self.monitor.recv_multipart()
        await asyncio.sleep(_SETTLE)  # a kernel that is exiting has closed it too
        if any(_alive(pid) for pid in self.kernels) and self.flooded is None:
            self.flooded = self.cell if self.cell is not None else -1
            self.stop_kernel()

    def stop_listening(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(Exception):
                self.listener.cancel()

    def cell_start(self, cell_index: int | None = None, **_: Any) -> None:
        self.cell = cell_index

    def weigh(self, msg: dict[str, Any]) -> None:
        """Count the output an IOPub message carries (printed text, display data); past the
        limit, stop the kernel and empty the output, so that the flood is not kept."""
        kind, content = msg.get("msg_type"), msg.get("content") or {}
        if kind == "stream":
            self.size += _size(content.get("text", ""))
        elif kind in _DISPLAYS:
            self.size += sum(_size(v) for v in (content.get("data") or {}).values())
        else:
            return
        if self.size <= self.limit:
            return
        if self.flooded is None:
            self.flooded = self.cell if self.cell is not None else -1
            self.stop_kernel()
        if kind == "stream":
            content["text"] = ""
        else:
            content["data"] = {}

    def iopub_lost(self) -> None:
        """Called while the kernel still runs: a dropped IOPub connection means ZeroMQ refused
        a message larger than the limit (its flood was never read)."""
        import zmq

        with contextlib.suppress(Exception):
            if self.monitor is not None and self.monitor.get(zmq.EVENTS) & zmq.POLLIN:
                if self.flooded is None:
                    self.flooded = self.cell if self.cell is not None else -1

    def stop_kernel(self) -> None:
        for pid in self.kernels:
            with contextlib.suppress(OSError):
                if os.getpgid(pid) == pid:
                    os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


_DISPLAYS = ("display_data", "execute_result", "update_display_data")
_SETTLE = 0.2  # seconds for a kernel whose connection dropped to be seen dead, if it is


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            stat = fh.read()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True  # no /proc: a zombie counts as alive, the shutdown check still holds
    return stat[stat.rfind(")") + 2:][:1] not in ("Z", "X")


def _size(value: Any) -> int:
    """The bytes of an output's text or of one of its data, as UTF-8."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "replace"))
    return len(json.dumps(value, ensure_ascii=False, default=str))


def _watched_manager(base: type, watch: _Watch) -> type:
    """The worker's kernel manager class, refusing outsized messages and telling ``watch``
    of every output (its client's IOPub channel weighs each message it reads)."""
    import zmq

    class WatchedKernelManager(base):  # type: ignore[valid-type,misc]
        def client(self, **kw: Any) -> Any:
            kc = super().client(**kw)
            # Every socket to the kernel: a message above the limit drops its connection
            # before its body is read.
            kc.context.setsockopt(zmq.MAXMSGSIZE, watch.limit)
            connect = kc.connect_iopub

            def connect_iopub(identity: bytes | None = None) -> Any:
                sock = connect(identity=identity)
                watch.monitor = sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
                return sock

            kc.connect_iopub = connect_iopub
            kc.iopub_channel_class = _weighed_channel(kc.iopub_channel_class, watch)
            return kc

        async def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
            # nbclient shuts down only a kernel it finds alive at the end.
            watch.alive_at_end = True
            watch.stop_listening()
            watch.iopub_lost()  # before the kernel's end closes the connection anyway
            await super().shutdown_kernel(now=now, restart=restart)

    return WatchedKernelManager


def _weighed_channel(base: type, watch: _Watch) -> type:
    """``base`` (jupyter_client's IOPub channel), telling ``watch`` of each message read."""

    class WeighedChannel(base):  # type: ignore[valid-type,misc]
        async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
            msg = await super().get_msg(timeout)
            watch.weigh(msg)
            return msg  # type: ignore[no-any-return]

    return WeighedChannel


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
    early_pdf = _EarlyPdf(notify, task.scratch.parent)
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
    watch = _Watch()

    def kernel_started(pid: int) -> None:
        watch.kernels.append(pid)
        notify({"kernel": pid})

    manager = _watched_manager(kernel_manager_class(task.ipc_prefix, kernel_started,
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
        failed = _unfinished(nb)
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


def _failed_cell(nb: Any, exc: BaseException, watch: _Watch) -> int | None:
    """The index of the cell a failure happened in: the one with an error, else the one
    that ran last."""
    if watch.flooded is not None and watch.flooded >= 0:
        return watch.flooded
    for index, cell in enumerate(nb.cells if nb is not None else []):
        if any(o.get("output_type") == "error" and not _clean_exit(o)
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
