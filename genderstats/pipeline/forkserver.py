"""Kernels forked from one warm process: the build pays the heavy imports once, not per report.

A fresh ``python -m ipykernel_launcher`` spends most of a report's time importing IPython,
pandas, matplotlib and genderstats and loading the CJK font. The build starts one *fork
server* (:class:`ForkServer`, from the package being built, so the cache key stays honest)
that imports all that and then waits, single-threaded, with no zmq context, event loop or
kernel. For each report jupyter_client's provisioner
(:class:`genderstats.pipeline.provisioner.ForkProvisioner`) asks it for a
kernel; it forks a child that sets itself up as the process ``jupyter_client`` would have
started (its environment, working folder, ``sys.argv``, standard streams, new session) and
runs an ordinary :class:`ipykernel.kernelapp.IPKernelApp` on the connection file
jupyter_client wrote. Papermill drives it as usual: parameters, errors and outputs are the
same. Each report still gets its own new process: what one notebook changes (globals,
rcParams) dies with it.

Nothing outlives the build: the server dies with the build (parent-death signal, and it
stops when its stdin, a pipe from the build, closes), every kernel dies with the server,
and a kernel whose client (the worker) goes away is killed. Where forking is not available
or not wanted (not Linux, ``--no-fork``, ``GENDERSTATS_NO_FORK=1``) the build uses ordinary
kernels; plain papermill and JupyterLab always do.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import socket
import subprocess
import sys
from typing import Any

from genderstats.pipeline.processes import die_with_parent, malloc_tunables

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
NO_FORK_ENV = "GENDERSTATS_NO_FORK"
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# One request: the launch command, environment and folder (a few kB) plus three fds.
_MAX_MESSAGE = 1 << 20
# A kernel is started within seconds; a server that does not answer in this time is broken.
_LAUNCH_TIMEOUT = 120.0

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
)


def fork_available() -> bool:
    """Whether the build may fork its kernels: Linux, and not switched off by the env var."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and hasattr(socket, "send_fds") and os.environ.get(NO_FORK_ENV, "") != "1")


def is_ipykernel_command(cmd: list[str]) -> bool:
    """``[this python, -m, ipykernel_launcher, …]``: the only command a fork can stand in for."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return False
    with contextlib.suppress(OSError):
        return os.path.samefile(cmd[0], sys.executable)
    return False


# ---------------------------------------------------------------- the build's side


class ForkServer:
    """The server process of one build, listening on a Unix socket under ``directory``."""

    def __init__(self, directory: str) -> None:
        self.address = os.path.join(directory, "forkserver")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            listener.bind(self.address)
            listener.listen(64)
            # The socket is made here, before the server runs, so a worker can connect at
            # once: its request waits in the backlog while the server still imports.
            # Its malloc settings (read by glibc when the server starts) last into every
            # kernel it forks; a kernel's environment is the worker's, as usual.
            env = {**os.environ,
                   "GLIBC_TUNABLES": malloc_tunables(os.environ.get("GLIBC_TUNABLES", ""))}
            self.process = subprocess.Popen(
                [sys.executable, "-m", "genderstats.pipeline.forkserver",
                 str(listener.fileno()), str(os.getpid())],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(listener.fileno(),), close_fds=True, env=env)
        finally:
            listener.close()  # a dead server then refuses connections instead of hanging them

    def stop(self) -> None:
        """End the server and every kernel it forked; waits until they are gone."""
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()  # the server kills its kernels, then exits
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()  # its kernels die with it (parent-death signal)
            self.process.wait()
        with contextlib.suppress(OSError):
            os.unlink(self.address)


# ---------------------------------------------------------------- the server


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
        charts._render(fig)  # the charts' own path: Agg, palette, PNG encoder


class _Server:
    def __init__(self, listener: socket.socket) -> None:
        self.listener = listener
        self.clients: dict[int, tuple[socket.socket, int]] = {}  # pid → (conn, pidfd)

    def serve(self) -> None:
        import selectors

        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(0, selectors.EVENT_READ, "stdin")
        while True:
            for key, _ in self.selector.select():
                what = key.data
                if what == "stdin":
                    if not os.read(0, 4096):
                        return  # the build is done (or gone)
                elif what == "accept":
                    self._accept()
                else:
                    kind, pid = what
                    self._child_event(kind, pid)

    def _accept(self) -> None:
        import selectors

        conn, _ = self.listener.accept()
        try:
            msg, fds, _flags, _addr = socket.recv_fds(conn, _MAX_MESSAGE, 3)
            request = json.loads(msg)
            if len(fds) != 3:
                raise ValueError("three streams expected")
        except (OSError, ValueError):
            conn.close()
            return
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
                self._close_all(conn)
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

    def _close_all(self, conn: socket.socket) -> None:
        """In a new kernel: drop every descriptor of the server (it must not hold them)."""
        self.selector.close()
        self.listener.close()
        conn.close()
        for other, pidfd in self.clients.values():
            other.close()
            os.close(pidfd)

    def shutdown(self) -> None:
        for pid in list(self.clients):
            _killpg(pid)
        for pid in list(self.clients):
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
    import atexit
    import importlib.util
    import random
    import traceback

    os.setsid()  # as Popen(start_new_session=True): signals go to the kernel's own group
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
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def main(argv: list[str]) -> int:
    """``python -m genderstats.pipeline.forkserver <listening fd> <build pid>``."""
    listen_fd, parent = int(argv[0]), int(argv[1])
    die_with_parent(parent)
    # Only the build decides when to stop: a Ctrl-C reaches it, and it ends the server.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    listener = socket.socket(fileno=listen_fd)
    # No garbage collection while importing (each full pass walks every object loaded so
    # far: a quarter of the imports' time), then the loaded objects are frozen so that a
    # kernel's collections neither walk them nor copy their pages (gc.freeze's own use).
    gc.disable()
    preload()
    gc.freeze()
    server = _Server(listener)
    try:
        server.serve()
    finally:
        server.shutdown()
    # Nothing to tear down that the OS does not: skipping the interpreter's clean-up of
    # pandas, matplotlib and IPython lets the build finish half a second sooner.
    os._exit(0)


def __getattr__(name: str) -> Any:
    # The provisioner lives in its own module, so that starting the server does not wait for
    # jupyter_client to be imported; older installs name it here in their entry point.
    if name == "ForkProvisioner":
        from genderstats.pipeline.provisioner import ForkProvisioner

        return ForkProvisioner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
