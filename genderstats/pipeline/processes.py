"""Worker processes and kernels that end with the build.

Each report runs in a forked worker process, which starts its own kernel. Three things make
sure nothing outlives the build:

* On Linux every worker and kernel asks the OS to SIGKILL it when its parent dies
  (``PR_SET_PDEATHSIG``), so ``kill -9`` of the build ends the whole tree within moments.
* The parent enforces a wall-clock limit per report by killing the kernel and the worker
  (SIGKILL: a busy loop or a kernel that ignores SIGINT cannot refuse it).
* Workers ignore SIGINT and SIGTERM: only the parent decides, so a Ctrl-C is handled once.
* Every worker is a subreaper (``PR_SET_CHILD_SUBREAPER``): a process its report starts and
  leaves behind (a daemon started with ``setsid``, a double fork) becomes the worker's child
  instead of init's, and is killed with every other descendant when the report ends, by the
  worker itself or, when the report is stopped, by the parent before it kills the worker.

Workers publish nothing: they send their results back through a pipe and the parent, which
holds the lock, writes every file. A worker orphaned for any reason cannot touch the pages.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_LINUX = sys.platform.startswith("linux")
# How long a killed process is given to be gone before the next round, in seconds.
STOP_POLL = 0.005


def die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has.

    Elsewhere this does nothing and the parent's own clean-up is the only guard.
    """
    if _LINUX:
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    # The parent may have died between fork and prctl: then nobody would signal us.
    if os.getppid() != parent_pid:
        os._exit(1)


def become_subreaper() -> None:
    """Make this process the new parent of its orphaned descendants (Linux; else nothing)."""
    if _LINUX:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (from /proc; empty elsewhere), parents first.

    Zombies are left out: they are dead already, and only their parent can remove them.
    """
    children: dict[int, list[tuple[int, bool]]] = {}
    for stat in _proc_stats():
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        with contextlib.suppress(IndexError, ValueError):
            children.setdefault(int(fields[1]), []).append(
                (int(stat.split(" ", 1)[0]), fields[0] in ("Z", "X")))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child, dead in children.get(todo.pop(), []):
            if not dead:
                found.append(child)
            todo.append(child)
    return found


def descends_from(pid: int, ancestor: int) -> bool:
    """Whether process ``pid`` is ``ancestor`` or below it, by the parents in ``/proc``."""
    seen: set[int] = set()
    while pid > 0 and pid not in seen:
        if pid == ancestor:
            return True
        seen.add(pid)
        pid = _parent(pid)
    return False


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            # "pid (comm) state ppid …": the name may hold spaces and parentheses.
            return int(fh.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s children (zombies included), from ``/proc``."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                found.extend(int(p) for p in fh.read().split())
        except FileNotFoundError:  # a kernel built without CONFIG_PROC_CHILDREN
            return [p for p in _all_pids() if _parent(p) == pid]
        except OSError:
            continue
    return found


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _proc_stats() -> list[str]:
    stats = []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError), open(f"/proc/{entry.name}/stat") as fh:
                    stats.append(fh.read())
    return stats


def kill_descendants(pid: int, rounds: int = 50) -> None:
    """SIGKILL every process below ``pid``: by process group (a group led by one of them,
    never the caller's or ``pid``'s own) and by pid, until none is left.

    A process that forks while it is being killed leaves a child, which the subreaper
    ``pid`` inherits: the next round finds it. A caller that is ``pid`` reaps its children.
    Only groups led by a descendant are killed whole: a process may join any group of its
    session, e.g. the shell's.
    """
    keep = {os.getpgrp(), _pgid(pid)}
    for _ in range(rounds):
        found = descendants(pid)
        if not found:
            break
        for child in found:
            group = _pgid(child)
            if group is not None and group not in keep and group in found:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(group, signal.SIGKILL)
            _kill(child)
        time.sleep(STOP_POLL)  # a killed process takes a moment to be gone
    if pid == os.getpid():
        reap_children()


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def reap_children() -> None:
    """Collect the exit status of every child of this process that has ended."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# ---------------------------------------------------------------- the pool


@dataclass
class Job:
    """One unit of work: ``fn(*args, notify)`` in a worker, stopped after ``timeout`` seconds.

    ``notify(message)`` lets the worker tell the parent something before it finishes (the
    kernel's pid). A job that ``waits`` (for the others' results) does not count against the
    pool's size, and its time limit starts only with ``Pool.restart_clocks``.
    """

    key: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    timeout: float | None = None
    waits: bool = False


@dataclass
class Outcome:
    """How a job ended: ``kind`` is "done", "timeout" or "crashed"."""

    job: Job
    kind: str
    value: Any = None
    seconds: float = 0.0


@dataclass
class _Running:
    job: Job
    process: Any
    conn: Connection
    started: float
    clock: float | None  # when its time limit started (None: not yet)
    kernels: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # process groups it started (LibreOffice)
    exporting: bool = False  # its kernel is done: only the page is left to render


# Held back while the build forks a worker: see Pool._start.
STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def _child(conn: Connection, job: Job, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    become_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        # Blocked by the parent for the fork; an ordinary kernel started from here would
        # otherwise inherit the block, and could not be interrupted.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)

    lock = threading.Lock()  # the worker may notify from a thread (a PDF conversion)

    def notify(message: Any) -> None:
        with lock:
            conn.send(("note", message))

    try:
        value = job.fn(*job.args, notify)
        with lock:
            conn.send(("done", value))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        with contextlib.suppress(Exception), lock:
            conn.send(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        # Whatever the report started and left running ends with it (the parent waits for
        # this worker to exit before it counts the report done).
        kill_descendants(os.getpid())
        conn.close()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


class Pool:
    """Run jobs in at most ``size`` forked workers, each with its own deadline.

    A worker that says ``notify({"phase": "export"})`` (its kernel has stopped, only the page
    is left to render) no longer counts against ``size``: the next job's kernel starts while
    it renders, so a core does not sit idle waiting on the page export. Nor does a job that
    ``waits``: it spends most of its time waiting for the others.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._running: dict[Connection, _Running] = {}
        method = "fork" if _LINUX else "spawn"
        self._ctx = multiprocessing.get_context(method)

    def run(self, jobs: list[Job], on_start: Callable[[Job], None],
            on_done: Callable[[Outcome], None]) -> None:
        """Run every job; ``on_done`` is called in the parent as each one ends.

        Any exception (a signal turned into one, or raised by ``on_done``) kills every worker
        and its kernel before it propagates.
        """
        pending = deque(jobs)
        try:
            while pending or self._running:
                while pending and self._busy() < self.size:
                    job = pending.popleft()
                    on_start(job)
                    self._start(job)
                for outcome in self._wait():
                    on_done(outcome)
        finally:
            self.stop()

    def _busy(self) -> int:
        # Exporting workers do not count, up to ``size`` of them beside the running kernels;
        # nor do waiting ones.
        running = [r for r in self._running.values() if not r.job.waits]
        exporting = sum(r.exporting for r in running)
        return len(running) - exporting + max(0, exporting - self.size)

    def restart_clocks(self) -> None:
        """Start the time limit of every running job that ``waits``, from now."""
        now = time.monotonic()
        for run in self._running.values():
            if run.job.waits:
                run.clock = now

    def _start(self, job: Job) -> None:
        parent_end, child_end = self._ctx.Pipe(duplex=False)
        process = self._ctx.Process(target=_child, args=(child_end, job, os.getpid()),
                                    daemon=True)
        # A Ctrl-C or SIGTERM arriving during the fork would raise (the build's handler) inside
        # the interpreter's at-fork hooks, e.g. logging's, which report and swallow it: the
        # build would run on as if never stopped. The signal waits until the worker exists,
        # then stops the build as usual, with the worker on the list of those to kill.
        blocked = (signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
                   if hasattr(signal, "pthread_sigmask") else None)
        try:
            process.start()
            child_end.close()  # so the parent sees EOF when the worker dies
            now = time.monotonic()
            self._running[parent_end] = _Running(job, process, parent_end, now,
                                                 None if job.waits else now)
        finally:
            if blocked is not None:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    def _deadline(self, run: _Running) -> float | None:
        if run.job.timeout is None or run.clock is None:
            return None
        return run.clock + run.job.timeout

    def _wait(self) -> list[Outcome]:
        deadlines = [d for r in self._running.values() if (d := self._deadline(r)) is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = wait(list(self._running), timeout=timeout)
        outcomes = []
        for conn in ready:
            run = self._running[conn]
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                kind, value = "crashed", None
            if kind == "note":
                if isinstance(value, dict) and "kernel" in value:
                    run.kernels.append(int(value["kernel"]))
                if isinstance(value, dict) and "group" in value:
                    run.groups.append(int(value["group"]))
                if isinstance(value, dict) and value.get("group_done") in run.groups:
                    run.groups.remove(value["group_done"])  # its id may be reused now
                if isinstance(value, dict) and value.get("phase") == "export":
                    run.exporting = True
                continue
            outcomes.append(self._finish(run, kind, value))
        now = time.monotonic()
        for run in list(self._running.values()):
            deadline = self._deadline(run)
            if deadline is not None and now >= deadline:
                outcomes.append(self._finish(run, "timeout", None))
        return outcomes

    def _finish(self, run: _Running, kind: str, value: Any) -> Outcome:
        if kind != "done":
            self._terminate(run)
        else:
            run.process.join(5)
            if run.process.is_alive():
                self._terminate(run)
        self._running.pop(run.conn, None)
        run.conn.close()
        return Outcome(run.job, kind, value, round(time.monotonic() - run.started, 2))

    def _terminate(self, run: _Running) -> None:
        # Kernels first, while their worker (their parent) still lives: their pids cannot
        # have been reused yet. So too every other process below the worker.
        if run.process.pid is not None and _LINUX:
            kill_descendants(run.process.pid)
        for pid in run.kernels:
            _kill(pid)
        for group in run.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        if run.process.pid is not None:
            _kill(run.process.pid)
        run.process.join(5)

    def stop(self) -> None:
        """Kill every running worker and kernel (also called on any error)."""
        for run in list(self._running.values()):
            self._terminate(run)
            run.conn.close()
        self._running.clear()
