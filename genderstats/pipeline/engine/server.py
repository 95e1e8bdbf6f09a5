"""The fork server's process: it imports what every report uses, then forks a kernel for each
request of its build, and the year's disclosure audit (see
:mod:`genderstats.pipeline.engine.fork`, which starts it, and "fork server" in
``docs/architecture.md``).

    python -m genderstats.pipeline.engine.server <listening fd> <build pid>
"""

from __future__ import annotations

import array
import contextlib
import gc
import hmac
import json
import os
import signal
import socket
import sys
import time
from typing import Any

from genderstats.pipeline.engine import patches
from genderstats.pipeline.engine.fork import MAX_MESSAGE, TOKEN_BYTES, peer_credentials
from genderstats.pipeline.engine.requests import parse_request
from genderstats.pipeline.processes import (
    become_subreaper,
    children,
    descends_from,
    die_with_parent,
)

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# A worker sends its request as soon as it has connected; a client silent this long is
# dropped. At most this many connections wait for their request at once (the oldest goes).
_REQUEST_TIMEOUT = 5.0
_MAX_PENDING = 16

# What every report imports; loaded once in the server. Order: the slow ones first.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    # What IPKernelApp.initialize imports (the debugger, the history's sqlite3, tornado).
    "ipykernel.debugger",
    "IPython.core.debugger",
    # ... and what the shell and the kernel's event loop import when first set up.
    "IPython.core.oinspect",
    "IPython.core.completerlib",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "tornado.platform.asyncio",
    "zmq.utils.garbage",  # pyzmq's zero-copy sends (a chart's PNG)
    "sqlite3",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "matplotlib_inline.backend_inline",
    "numpy",
    "pandas",
    "matplotlib.pyplot",
    "scipy.optimize",
    "PIL.Image",
    # What a first PNG (PIL's plugins), table text and a CSV or ODS input import.
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PpmImagePlugin",
    "pandas.core.reshape.reshape",
    "pandas.io.formats.string",
    "encodings.utf_8_sig",
    "encodings.cp437",
    "odf.load",
    "IPython.core.logger",
    "openpyxl",  # xlsx inputs
    "genderstats",
    "genderstats.present.charts",
    "genderstats.present.tables",
    "genderstats.record",
    "genderstats.stats",
    "genderstats.privacy",
    "genderstats.data",
    "genderstats.analyses.committees",
    "genderstats.analyses.digital_training",
    "genderstats.analyses.engineers",
    "genderstats.analyses.staff_training",
    "genderstats.analyses.results_report",
    "genderstats.analyses.recommendations",
    "genderstats.present.html",
    "genderstats.present.odf",
    "genderstats.analyses.year_audit",  # the year's audit, forked from here too
    "genderstats.pipeline.auditor",
)


def preload() -> None:
    """Import what the reports use and draw one CJK title, so each fork starts warm.

    ``MPLBACKEND`` is set as ipykernel sets it before any notebook code runs, since
    matplotlib reads it when first imported. Modules imported here run their import-time
    code once, in the server: e.g. importing ``genderstats.present.charts`` applies the chart
    theme to rcParams, as it would in the notebook that imports it.
    """
    import importlib

    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE_BACKEND
    # OpenBLAS (numpy's and scipy's) would start a thread pool when imported; a process
    # that forks must have no threads. One BLAS thread per kernel: the build already runs
    # a kernel per core, and the reports' arrays are small.
    for var in BLAS_THREADS:
        os.environ.setdefault(var, "1")
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):
        _warm_fonts()


def _warm_fonts() -> None:
    # Finding the CJK font and laying out glyphs are cached per process; the FT2Font objects
    # themselves are not kept across a fork (matplotlib clears them), the look-ups are.
    import matplotlib
    from matplotlib.figure import Figure

    from genderstats.present import charts

    with matplotlib.rc_context(charts.THEME):
        fig = Figure(figsize=(2, 1), layout="constrained")
        fig.suptitle("性別統計 男女 123")
        charts.render_png(fig)  # the charts' own path: Agg, palette, PNG encoder


def read_token(fd: int = 0) -> bytearray | None:
    """The build's token, the first bytes on the server's stdin; None if the build is gone.

    Read straight into a bytearray, so that a kernel can overwrite its copy (see
    :meth:`_Server.forget`)."""
    token = bytearray(TOKEN_BYTES)
    view, got = memoryview(token), 0
    while got < TOKEN_BYTES:
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return None
        got += n
    return token


class _Server:
    def __init__(self, listener: socket.socket, token: bytearray, build: int) -> None:
        self.listener = listener
        self.token = token
        self.build = build  # the build's pid: every client is it or below it
        self.uid = os.geteuid()
        self.clients: dict[int, tuple[socket.socket, int]] = {}  # pid → (conn, pidfd)
        self.pending: dict[socket.socket, float] = {}  # no request yet → when it is dropped
        self.strays: dict[int, int] = {}  # killed children that are no kernel → pidfd
        self.buffer = bytearray(MAX_MESSAGE)  # each request is read here, then wiped

    def serve(self) -> None:
        import selectors

        self.listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(0, selectors.EVENT_READ, "stdin")
        while True:
            for key, _ in self.selector.select(self._wait_limit()):
                what = key.data
                if what == "stdin":
                    if not os.read(0, 4096):
                        return  # the build is done (or gone)
                elif what == "accept":
                    self._accept()
                elif what == "request":
                    self._request(key.fileobj)  # type: ignore[arg-type]
                else:
                    kind, pid = what
                    self._child_event(kind, pid)
            self._drop_silent()

    def _wait_limit(self) -> float | None:
        if not self.pending:
            return None
        return max(0.0, min(self.pending.values()) - time.monotonic())

    def _accept(self) -> None:
        import selectors

        try:
            conn, _ = self.listener.accept()
        except OSError:
            return  # gone before it was accepted, or no descriptor left
        if not self._trusted(conn):
            conn.close()  # before reading a byte: nothing of it is looked at
            return
        conn.setblocking(False)
        if len(self.pending) >= _MAX_PENDING:
            self._drop(next(iter(self.pending)))
        self.pending[conn] = time.monotonic() + _REQUEST_TIMEOUT
        self.selector.register(conn, selectors.EVENT_READ, "request")

    def _trusted(self, conn: socket.socket) -> bool:
        """The peer runs as the build's user and is the build or one of its processes."""
        try:
            pid, uid, _gid = peer_credentials(conn)
        except OSError:
            return False
        return uid == self.uid and descends_from(pid, self.build)

    def _request(self, conn: socket.socket) -> None:
        try:
            size, fds, flags = self._receive(conn)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(conn)
            return
        self.pending.pop(conn, None)
        self.selector.unregister(conn)
        request = None
        cut = flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC)
        with memoryview(self.buffer) as view:
            if (not cut and len(fds) == 3 and size >= TOKEN_BYTES
                    and hmac.compare_digest(view[:TOKEN_BYTES], self.token)):
                request = parse_request(bytes(view[TOKEN_BYTES:size]))
            view[:size] = bytes(size)  # the token it carried is not left for a kernel to find
        if request is None:
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        self._fork(conn, request, fds)

    def _receive(self, conn: socket.socket) -> tuple[int, list[int], int]:
        """One message into the server's buffer: its size, the descriptors, the flags."""
        fds = array.array("i")
        size, ancillary, flags, _addr = conn.recvmsg_into(
            [self.buffer], socket.CMSG_SPACE(3 * fds.itemsize))
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
        return size, list(fds), flags

    def _drop(self, conn: socket.socket) -> None:
        self.pending.pop(conn, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn)
        conn.close()

    def _drop_silent(self) -> None:
        now = time.monotonic()
        for conn in [c for c, limit in self.pending.items() if limit <= now]:
            self._drop(conn)

    def _fork(self, conn: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
        import selectors

        server_pid = os.getpid()
        try:
            pid = os.fork()
        except OSError:
            # No process to spare (EAGAIN, ENOMEM): the worker, seeing no reply, starts an
            # ordinary kernel, which fails with the system's own message if it cannot either.
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        if pid == 0:  # the new kernel; never returns
            code = 1
            try:
                self.forget(conn)
                if "audit" in request:
                    code = become_auditor(request["audit"], fds, server_pid)
                else:
                    code = become_kernel(request, fds, server_pid)
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)
        try:
            conn.send(json.dumps({"pid": pid}).encode())
        except OSError:
            _killpg(pid)
        pidfd = os.pidfd_open(pid)
        self.clients[pid] = (conn, pidfd)
        self.selector.register(pidfd, selectors.EVENT_READ, ("exit", pid))
        self.selector.register(conn, selectors.EVENT_READ, ("client", pid))

    def _child_event(self, kind: str, pid: int) -> None:
        if kind == "stray":
            self._reap_stray(pid)
            return
        if pid not in self.clients:
            # Its exit and its worker's hang-up came in the same select(); the exit, handled
            # first, has already let go of both.
            return
        conn, pidfd = self.clients[pid]
        if kind == "client":
            # The worker hung up (or died) while its kernel runs: the kernel goes too.
            _killpg(pid)
            self.selector.unregister(conn)
            return
        _, status = os.waitpid(pid, 0)
        with contextlib.suppress(OSError):
            conn.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        conn.close()
        del self.clients[pid]
        self.end_strays()

    def end_strays(self) -> None:
        """Kill every child that is not a running kernel: what a kernel left behind (a
        daemon, given to this subreaper when the kernel ended). Reaped when gone."""
        import selectors

        for pid in children(os.getpid()):
            if pid in self.clients or pid in self.strays:
                continue
            _killpg(pid)  # a child is not reaped yet: its pid cannot be someone else's
            try:
                pidfd = os.pidfd_open(pid)
            except OSError:
                continue
            self.strays[pid] = pidfd
            self.selector.register(pidfd, selectors.EVENT_READ, ("stray", pid))

    def _reap_stray(self, pid: int) -> None:
        pidfd = self.strays.pop(pid)
        self.selector.unregister(pidfd)
        os.close(pidfd)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        self.end_strays()  # its own children are this server's now

    def forget(self, conn: socket.socket) -> None:
        """In a new kernel: drop every descriptor of the server (it must not hold them) and
        overwrite the token, so that the notebook's process does not hold it."""
        self.token[:] = bytes(len(self.token))
        self.selector.close()
        self.listener.close()
        conn.close()
        for other, pidfd in self.clients.values():
            other.close()
            os.close(pidfd)
        for waiting in self.pending:
            waiting.close()
        for pidfd in self.strays.values():
            os.close(pidfd)

    def shutdown(self) -> None:
        """Kill every kernel and whatever they left, and reap them all."""
        for pid in list(self.clients):
            _killpg(pid)
        for _ in range(1000):  # each round reaps a generation; a fork bomb is not endless
            left = children(os.getpid())
            if not left:
                break
            for pid in left:
                _killpg(pid)
            for pid in left:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)


def _killpg(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def become_kernel(request: dict[str, Any], fds: list[int], server_pid: int) -> int:
    """Turn this fresh fork into the kernel ``python -m ipykernel_launcher`` would have been.

    Returns the exit code of the kernel (the caller leaves with ``os._exit``).
    """
    import importlib.util
    import random
    import traceback

    os.setsid()  # as Popen(start_new_session=True): signals go to the kernel's own group
    # Before any notebook code: what it starts stays below the kernel, and the server ends
    # it with the kernel.
    become_subreaper()
    gc.enable()  # off in the server only; a notebook's cycles are collected as usual
    die_with_parent(server_pid)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    cwd = request["cwd"]
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(request["env"])
    spec = importlib.util.find_spec("ipykernel_launcher")
    sys.argv = [str(spec.origin if spec else "ipykernel_launcher"), *request["argv"]]
    sys.path[0] = cwd  # what ``python -m`` puts first
    random.seed()  # a fork would otherwise repeat the server's random sequence
    code = 0
    try:
        from ipykernel import kernelapp

        # ipykernel reads these from the environment when imported, i.e. in the server,
        # which has none: give the kernel the values its own launch sets.
        kernelapp.launch_new_instance(
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - shown in the report's log, as a kernel would
        traceback.print_exc()
        code = 1
    patches.run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def become_auditor(audit: dict[str, Any], fds: list[int], server_pid: int) -> int:
    """Run the year's disclosure audit in this fresh fork, its answer on the standard output
    the build passed (:func:`genderstats.pipeline.auditor.answer`): everything it uses is
    imported already. Returns the exit code (the caller leaves with ``os._exit``)."""
    from pathlib import Path

    os.setsid()  # its own group, which the server kills when the build hangs up
    gc.enable()
    die_with_parent(server_pid)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    from genderstats.pipeline.auditor import answer

    answer(audit["year"], Path(audit["data_dir"]), 1)
    return 0


def main(argv: list[str]) -> int:
    """``python -m genderstats.pipeline.engine.server <listening fd> <build pid>``, the
    build's token first on stdin."""
    listen_fd, parent = int(argv[0]), int(argv[1])
    die_with_parent(parent)
    # Only the build decides when to stop: a Ctrl-C reaches it, and it ends the server.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    token = read_token()
    if token is None:
        return 0  # the build is gone already
    become_subreaper()
    listener = socket.socket(fileno=listen_fd)
    # No garbage collection while importing (each full pass walks every object loaded so
    # far: a quarter of the imports' time), then the loaded objects are frozen so that a
    # kernel's collections neither walk them nor copy their pages (gc.freeze's own use).
    gc.disable()
    preload()
    gc.freeze()
    server = _Server(listener, token, parent)
    try:
        server.serve()
    finally:
        server.shutdown()
    # Nothing to tear down that the OS does not: skipping the interpreter's clean-up of
    # pandas, matplotlib and IPython lets the build finish half a second sooner.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
