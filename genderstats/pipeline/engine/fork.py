"""The fork engine, the build's side: kernels forked from one warm process, so the build pays
the heavy imports once, not per report.

A fresh ``python -m ipykernel_launcher`` spends most of a report's time importing IPython,
pandas, matplotlib and genderstats and loading the CJK font. The build starts one *fork
server* (:class:`ForkServer`; the process is :mod:`genderstats.pipeline.engine.server`, from
the package being built, so the cache key stays honest) that imports all that and then waits,
single-threaded, with no zmq context, event loop or kernel. For each report jupyter_client's
provisioner (:class:`genderstats.pipeline.engine.provisioner.ForkProvisioner`) asks it for a
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
and when the kernel ends the server kills it. Where forking is not available (not Linux) the
build uses ordinary kernels; the plain engine, papermill and JupyterLab always do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import shutil
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

from genderstats.pipeline.engine.patches import malloc_tunables

# One request: the token, the launch command, environment and folder (a few kB), three fds.
MAX_MESSAGE = 1 << 20
# A kernel is started within seconds; a server that does not answer in this time is broken.
LAUNCH_TIMEOUT = 120.0
TOKEN_BYTES = 32
# The folder the socket is in must leave room for its name within sun_path (108 bytes).
_MAX_TMP_PATH = 80
_PEERCRED = struct.Struct("3i")  # struct ucred: pid, uid, gid
_FOLDER_PREFIX = "gs-fork-"
# A folder of a server that no longer listens is removed once untouched this long (seconds):
# one just made may not be listening yet.
_STALE_AFTER = 600.0



def fork_available() -> bool:
    """Whether kernels can be forked here: Linux (process controls, descriptor passing)."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and hasattr(socket, "send_fds"))


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
    # Refused: a socket nobody listens on, its server is gone. No socket (yet), or not one
    # to judge: left alone.
    return _connect_error(address) != errno.ECONNREFUSED


def _connect_error(address: str) -> int | None:
    """The error connecting to ``address`` gives (None: a server accepted the connection,
    which is closed at once)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        probe.settimeout(5)
        try:
            probe.connect(address)
        except OSError as exc:
            return exc.errno
    return None


def send_request(server: Ticket, request: dict[str, Any], stdout: int,
                 stderr: int) -> socket.socket:
    """Send ``request`` (a kernel's launch, or the year's audit: see
    :func:`genderstats.pipeline.engine.requests.parse_request`) to the build's fork server with
    three standard streams (stdin is the null device); returns the connection. The server's
    reply (``{"pid": …}``) comes on it once it has forked; it kills what it forked when the
    connection closes. Raises OSError when the socket cannot be reached or is not the
    build's (the listening end is the build's own process, as ``SO_PEERCRED`` shows it):
    the token is sent only then."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        sock.settimeout(LAUNCH_TIMEOUT)
        sock.connect(server.address)
        pid, uid, _gid = peer_credentials(sock)
        if uid != os.geteuid() or pid != server.owner:
            raise ConnectionRefusedError("the socket is not the build's fork server")
        stdin = os.open(os.devnull, os.O_RDONLY)
        try:
            message = server.token + json.dumps(request).encode()
            socket.send_fds(sock, [message], [stdin, stdout, stderr])
        finally:
            os.close(stdin)
    except OSError:
        sock.close()
        raise
    return sock


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
                [sys.executable, "-m", "genderstats.pipeline.engine.server",
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


def server_gone(address: str) -> bool:
    """Whether the fork server at ``address`` has stopped: nothing listens there any more."""
    return _connect_error(address) in (errno.ECONNREFUSED, errno.ENOENT)
