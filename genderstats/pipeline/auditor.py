"""The year's disclosure audit, in a process of its own beside the reports (forked by the
build's fork server where there is one)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genderstats.pipeline.publish import write_json

AUDIT_PINNED = ("揭露稽核：本年度公開的表格與文字合起來，可推算出 {n} 個 1–2 人的數字；"
                "細節在承辦人紀錄 year-audit.log，請先不要對外公布。")
AUDIT_FAILED = "揭露稽核沒有完成（細節在承辦人紀錄 year-audit.log）。"
AUDIT_FILE = "year-audit.json"  # in the state folder: the last verdict, for unchanged builds
AUDIT_TIMEOUT = 120.0


class Auditor:
    """The year's disclosure audit (:func:`genderstats.analyses.year_audit.audit_year`) in a
    process of its own, so that it runs while the reports do instead of after them.

    With ``server`` (the build's fork server, :mod:`genderstats.pipeline.engine.fork`) the
    server forks it, with everything it uses imported already; it is killed when this
    process hangs up. Otherwise, or when the server gives no answer, it is forked from this
    process. It reads only the data folder; it dies with the build, and is killed when the
    build stops or when it has not answered :data:`AUDIT_TIMEOUT` seconds after the reports.
    """

    def __init__(self, year: int, data_dir: Path, server: str | None = None) -> None:
        self.year, self.data_dir = year, data_dir
        self.pid: int | None = None  # forked here
        self.conn: Any = None  # forked by the server: the connection that keeps it alive
        self.read, write = os.pipe()
        try:
            if server is not None:
                self.conn = _ask(server, year, data_dir, write)
            if self.conn is None:
                self._fork(write)
        finally:
            os.close(write)

    def _fork(self, write: int) -> None:
        from genderstats.pipeline.processes import STOP_SIGNALS, die_with_parent

        parent = os.getpid()
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        pid = -1
        try:
            pid = os.fork()
        finally:
            if pid != 0:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        if pid == 0:  # the auditor; never returns
            try:
                os.close(self.read)
                for signum in STOP_SIGNALS:
                    signal.signal(signum, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                die_with_parent(parent)
                answer(self.year, self.data_dir, write)
            finally:
                os._exit(0)
        self.pid = pid

    def result(self) -> tuple[list[str], str | None]:
        """The pinned counts (as text for the staff log), or why there is no answer."""
        data, ended = self._answer()
        if not data and ended and self.conn is not None:
            # The server stopped or refused before it answered: the audit runs here instead.
            self.stop()
            self.read, write = os.pipe()
            try:
                self._fork(write)
            finally:
                os.close(write)
            data, _ = self._answer()
        self.stop()
        try:
            answered = json.loads(data)
            return list(answered["pinned"]), answered.get("error")
        except (ValueError, KeyError, TypeError):
            return [], "沒有回答（逾時或異常結束）"

    def _answer(self) -> tuple[bytes, bool]:
        """What the audit wrote, and whether its end of the pipe closed (False: it did not
        answer in time)."""
        import select

        data = b""
        deadline = time.monotonic() + AUDIT_TIMEOUT
        while self.read >= 0 and (left := deadline - time.monotonic()) > 0 and select.select(
                [self.read], [], [], left)[0]:
            chunk = os.read(self.read, 1 << 16)
            if not chunk:
                return data, True
            data += chunk
        return data, False

    def stop(self) -> None:
        """Kill and reap the auditor (once: its pid may be another process's afterwards)."""
        if self.conn is not None:
            self.conn.close()  # the server kills what it forked for this connection
            self.conn = None
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self.pid, 0)
            self.pid = None
        if self.read >= 0:
            with contextlib.suppress(OSError):
                os.close(self.read)
            self.read = -1


def _ask(server: str, year: int, data_dir: Path, write: int) -> Any:
    """The connection to the fork server at ``server`` that asked it for the audit, its
    answer to come on ``write``; None when this process has no such server."""
    from genderstats.pipeline.engine.fork import send_request, ticket

    found = ticket(server)
    if found is None:
        return None
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        return send_request(found, {"audit": {"year": year, "data_dir": str(data_dir)}},
                            write, null)
    except OSError:
        return None
    finally:
        os.close(null)


def answer(year: int, data_dir: Path, fd: int) -> None:
    """Audit ``year`` and write the answer, JSON, on ``fd``."""
    data = json.dumps(_audit_result(year, data_dir)).encode()[:1 << 15]
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _audit_result(year: int, data_dir: Path) -> dict[str, Any]:
    from genderstats.analyses.year_audit import audit_year

    try:
        return {"pinned": [str(p) for p in audit_year(year, data_dir)][:100]}
    except Exception as exc:  # noqa: BLE001 - reported on the staff log
        return {"pinned": [], "error": f"{type(exc).__name__}: {exc}"}


def audit_notes(auditor: Auditor | None, kept: Path,
                log: Callable[[str, str, str | None], None]) -> list[str]:
    """The audit's notes for the staff (terminal, staff page), each with its detail on the
    staff log through ``log(id, note, detail)``; the notes name no count.

    ``auditor`` ran beside the reports of this build; with none (no report ran) the last
    verdict, kept in ``kept``, stands. The new verdict is kept there.
    """
    if auditor is None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            notes = json.loads(kept.read_text(encoding="utf-8")).get("notes")
            if isinstance(notes, list) and all(isinstance(n, str) for n in notes):
                return notes
        return []
    pinned, failure = auditor.result()
    notes = []
    if failure is not None:
        notes.append(AUDIT_FAILED)
        log("year-audit", AUDIT_FAILED, failure)
    elif pinned:
        notes.append(AUDIT_PINNED.format(n=len(pinned)))
        log("year-audit", notes[-1], "\n".join(pinned))
    write_json(kept, {"notes": notes})
    return notes
