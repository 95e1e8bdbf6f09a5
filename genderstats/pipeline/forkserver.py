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

The server runs whatever it is sent, so it serves its own build only (see "fork server" in
``docs/architecture.md``): its socket is in a private folder (0700) of its own; a connection
is served only if its peer (``SO_PEERCRED``) has the build's uid and is the build or one of
its descendants; and each request starts with the build's random token, which the server
reads from its stdin and the workers inherit in memory (:func:`ticket`). A client that sends
nothing is dropped after a few seconds; the server never waits on one.

Nothing outlives the build: the server dies with the build (parent-death signal, and it
stops when its stdin, a pipe from the build, closes), every kernel dies with the server,
and a kernel whose client (the worker) goes away is killed. Kernels and the server are child
subreapers: a daemon a notebook starts (``setsid``, a double fork) stays below its kernel,
and when the kernel ends the server kills it. Where forking is not available or not wanted
(not Linux, ``--no-fork``, ``GENDERSTATS_NO_FORK=1``) the build uses ordinary kernels; plain
papermill and JupyterLab always do.
"""

from __future__ import annotations

import array
import contextlib
import gc
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from genderstats.pipeline.processes import (
    become_subreaper,
    children,
    descends_from,
    die_with_parent,
    malloc_tunables,
)

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
NO_FORK_ENV = "GENDERSTATS_NO_FORK"
BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# One request: the token, the launch command, environment and folder (a few kB), three fds.
_MAX_MESSAGE = 1 << 20
# A kernel is started within seconds; a server that does not answer in this time is broken.
_LAUNCH_TIMEOUT = 120.0
TOKEN_BYTES = 32
# A worker sends its request as soon as it has connected; a client silent this long is
# dropped. At most this many connections wait for their request at once (the oldest goes).
_REQUEST_TIMEOUT = 5.0
_MAX_PENDING = 16
# The folder the socket is in must leave room for its name within sun_path (108 bytes).
_MAX_TMP_PATH = 80
_PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
_FOLDER_PREFIX = "gs-fork-"
# A folder of a server that no longer listens is removed once untouched this long (seconds):
# one just made may not be listening yet.
_STALE_AFTER = 600.0

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


# ---------------------------------------------------------------- trust


@dataclass(frozen=True)
class Ticket:
    """What a client needs to be served: the socket, the build's token and the build's pid
    (the process that listens, as the client sees it with ``SO_PEERCRED``)."""

    address: str
    token: bytes
    owner: int


# The servers this process started, by address. Workers are forked from the build, so they
# find the token here in memory: it is never on a command line or in an environment.
_TICKETS: dict[str, Ticket] = {}


def ticket(address: str) -> Ticket | None:
    """The ticket of the server at ``address``, if this process (or the build it was forked
    from) started it; None otherwise."""
    return _TICKETS.get(address)


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    """``(pid, uid, gid)`` of the other end of a connected Unix socket (``SO_PEERCRED``)."""
    data = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size)
    pid, uid, gid = _PEERCRED.unpack(data)
    return pid, uid, gid


def _temporary_folder() -> str:
    """The temporary folder (sticky: nobody else can rename what is in it); the system's
    when that path leaves no room for the socket's name."""
    base = tempfile.gettempdir()
    return "/tmp" if len(os.fsencode(base)) > _MAX_TMP_PATH else base


def private_directory() -> str:
    """A new folder only this user can enter (0700 whatever the umask), in the temporary
    folder."""
    path = tempfile.mkdtemp(prefix=_FOLDER_PREFIX, dir=_temporary_folder())
    os.chmod(path, 0o700)  # mkdtemp's mode less the umask: at most 0700, maybe less
    info = os.lstat(path)
    if (not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid()
            or stat.S_IMODE(info.st_mode) != 0o700):
        shutil.rmtree(path, ignore_errors=True)
        raise PermissionError(f"{path} is not a private folder")
    return path


def remove_stale_directories() -> None:
    """Remove the private folders of servers that died with their build (a ``kill -9``
    leaves no one to remove them): this user's, untouched for a while, whose socket no
    longer listens."""
    base = _temporary_folder()
    try:
        entries = [e for e in os.scandir(base) if e.name.startswith(_FOLDER_PREFIX)]
    except OSError:
        return
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if (stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()
                and time.time() - info.st_mtime > _STALE_AFTER
                and not _listening(os.path.join(entry.path, "socket"))):
            shutil.rmtree(entry.path, ignore_errors=True)


def _listening(address: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        try:
            probe.connect(address)
        except ConnectionRefusedError:
            return False  # a socket nobody listens on: its server is gone
        except OSError:
            return True  # no socket (yet), or not one to judge: left alone
    return True


# ---------------------------------------------------------------- the build's side


class ForkServer:
    """The server process of one build, listening on a socket in a private folder of its own.

    ``address`` is the socket; ``ticket(address)`` gives any process forked from this one what
    it needs to be served. :meth:`stop` ends the server and removes the folder.
    """

    def __init__(self) -> None:
        remove_stale_directories()
        self.directory = private_directory()
        self.address = os.path.join(self.directory, "socket")
        self.process: subprocess.Popen[bytes] | None = None
        token = secrets.token_bytes(TOKEN_BYTES)
        try:
            self._start(token)
        except BaseException:
            self.stop()
            raise
        _TICKETS[self.address] = Ticket(self.address, token, os.getpid())

    def _start(self, token: bytes) -> None:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            listener.bind(self.address)
            os.chmod(self.address, 0o600)
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
        assert self.process.stdin is not None
        # The token goes first on the server's stdin (a pipe of the build's alone).
        self.process.stdin.write(token)
        self.process.stdin.flush()

    def stop(self) -> None:
        """End the server and every kernel it forked; waits until they are gone."""
        _TICKETS.pop(self.address, None)
        if self.process is not None:
            with contextlib.suppress(OSError):
                if self.process.stdin is not None:
                    self.process.stdin.close()  # the server kills its kernels, then exits
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()  # its kernels die with it (parent-death signal)
                self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


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


def parse_request(data: bytes) -> dict[str, Any] | None:
    """The request after the token: ``{"argv": [str], "env": {str: str}, "cwd": str}``, every
    string one the system accepts; None for anything else."""
    try:
        request = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(request, dict) or set(request) != {"argv", "env", "cwd"}:
        return None
    argv, env, cwd = request["argv"], request["env"], request["cwd"]
    if not (isinstance(argv, list) and all(_system_str(a) for a in argv)):
        return None
    if not (isinstance(env, dict) and all(_system_str(k) and k and "=" not in k
                                          and _system_str(v) for k, v in env.items())):
        return None
    if not (_system_str(cwd) and cwd):
        return None
    return request


def _system_str(value: Any) -> bool:
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        os.fsencode(value)
    except UnicodeError:
        return False
    return True


class _Server:
    def __init__(self, listener: socket.socket, token: bytearray, build: int) -> None:
        self.listener = listener
        self.token = token
        self.build = build  # the build's pid: every client is it or below it
        self.uid = os.geteuid()
        self.clients: dict[int, tuple[socket.socket, int]] = {}  # pid → (conn, pidfd)
        self.pending: dict[socket.socket, float] = {}  # no request yet → when it is dropped
        self.strays: dict[int, int] = {}  # killed children that are no kernel → pidfd
        self.buffer = bytearray(_MAX_MESSAGE)  # each request is read here, then wiped

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
    import atexit
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
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def main(argv: list[str]) -> int:
    """``python -m genderstats.pipeline.forkserver <listening fd> <build pid>``, the build's
    token first on stdin."""
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


def __getattr__(name: str) -> Any:
    # The provisioner lives in its own module, so that starting the server does not wait for
    # jupyter_client to be imported; older installs name it here in their entry point.
    if name == "ForkProvisioner":
        from genderstats.pipeline.provisioner import ForkProvisioner

        return ForkProvisioner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
