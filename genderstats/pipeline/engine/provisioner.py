"""The kernel provisioner of the build: each report's kernel is forked by the fork server.

jupyter_client starts kernels through a provisioner; this one asks the build's fork server
(:mod:`genderstats.pipeline.engine.fork`) for the kernel and falls back to an ordinary one.
The request is sent by :func:`genderstats.pipeline.engine.fork.send_request`, which checks that
the socket is the build's before it sends the build's token.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import socket
from typing import Any
from uuid import uuid4

from jupyter_client.provisioning import LocalProvisioner

from genderstats.pipeline.engine.fork import (
    MAX_MESSAGE,
    Ticket,
    is_ipykernel_command,
    send_request,
    ticket,
)


class ForkProvisioner(LocalProvisioner):  # type: ignore[misc]
    """A kernel provisioner whose kernels are forked by the build's fork server.

    ``server`` is the server's socket, set by the build's kernel manager; the token comes with
    it from the build's memory (:func:`genderstats.pipeline.engine.fork.ticket`). Without a
    server this process knows, for a kernel that is not this Python's ipykernel, or when the
    server cannot be reached or is not the build's, it launches an ordinary kernel as
    :class:`LocalProvisioner` does.
    """

    server: str | None = None
    _sock: socket.socket | None = None
    _exit: int | None = None

    _forked = False  # this kernel came from the server (else: an ordinary one)
    _forked_running = False

    @property
    def has_process(self) -> bool:
        return self._forked_running if self._forked else bool(super().has_process)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        server = ticket(self.server) if self.server else None
        if server is None or not is_ipykernel_command(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            sock, pid = _request(server, {"argv": cmd[3:], "env": env, "cwd": cwd},
                                 _stream_fd(kwargs.get("stdout"), 1),
                                 _stream_fd(kwargs.get("stderr"), 2))
        except OSError:
            # No fork server (it failed to start or died): an ordinary kernel still works.
            return await super().launch_kernel(cmd, **kwargs)
        self._sock, self._forked, self._forked_running, self._exit = sock, True, True, None
        self.pid = self.pgid = pid  # the child starts its own session, as Popen would
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if not self._forked:
            return await super().poll()
        if self._exit is None and self._sock is None:
            return 0  # let go of (cleaned up) without an exit status: no process to wait for
        if self._exit is None and self._sock is not None:
            ready, _, _ = select.select([self._sock], [], [], 0)
            if ready:
                self._exit = _read_exit(self._sock)
        return self._exit

    async def wait(self) -> int | None:
        if not self._forked:
            return await super().wait()
        while await self.poll() is None:
            await asyncio.sleep(0.005)
        self._close()
        return self._exit

    async def send_signal(self, signum: int) -> None:
        if not self._forked:
            return await super().send_signal(signum)
        if self._exit is not None or self.pid is None:
            return None  # already reaped: the pid may belong to someone else now
        try:
            os.killpg(int(self.pgid or self.pid), signum)
        except OSError:
            os.kill(int(self.pid), signum)
        return None

    async def kill(self, restart: bool = False) -> None:
        if not self._forked:
            return await super().kill(restart)
        with contextlib.suppress(ProcessLookupError):
            await self.send_signal(signal.SIGKILL)
        if self._exit is None:
            # A SIGKILL cannot be caught: the kernel has run its last instruction. The server
            # reaps it (and kills its group again once this socket closes); waiting for the
            # exit would hold the worker while the system takes apart a process of a few
            # hundred MB, on every report and twice at the end of the build.
            self._exit = -signal.SIGKILL
            self._close()
        return None

    async def terminate(self, restart: bool = False) -> None:
        if not self._forked:
            return await super().terminate(restart)
        with contextlib.suppress(ProcessLookupError):
            await self.send_signal(signal.SIGTERM)
        return None

    async def cleanup(self, restart: bool = False) -> None:
        self._close()
        await super().cleanup(restart)

    def _close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self._forked_running = False


def forked_manager(base: type, server: str) -> type:
    """``base`` (a jupyter_client kernel manager), whose kernels the fork server at ``server``
    forks: it gives each new kernel a :class:`ForkProvisioner` (jupyter_client makes one from
    the kernel spec only when none is set)."""

    class ForkedKernelManager(base):  # type: ignore[valid-type,misc]
        async def start_kernel(self, **kw: Any) -> None:
            if self.provisioner is None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid4())
                self.provisioner = ForkProvisioner(
                    kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
                self.provisioner.server = server
            await super().start_kernel(**kw)

    return ForkedKernelManager


def _stream_fd(stream: Any, default: int) -> int:
    if isinstance(stream, int) and stream >= 0:
        return stream
    if hasattr(stream, "fileno"):
        return int(stream.fileno())
    return default


def _request(server: Ticket, request: dict[str, Any], stdout: int,
             stderr: int) -> tuple[socket.socket, int]:
    """Ask the server for a kernel; returns the connection (kept open while it runs) and pid."""
    try:
        sock = send_request(server, request, stdout, stderr)
    except OSError:
        raise OSError("no kernel from the fork server") from None
    try:
        reply = sock.recv(MAX_MESSAGE)
        if not reply:
            raise ConnectionError("fork server closed the connection")
        pid = int(json.loads(reply)["pid"])
    except (OSError, ValueError, KeyError):
        sock.close()
        raise OSError("no kernel from the fork server") from None
    sock.settimeout(None)
    return sock, pid


def _read_exit(sock: socket.socket) -> int:
    try:
        data = sock.recv(MAX_MESSAGE)
        return int(json.loads(data)["exit"]) if data else -signal.SIGKILL
    except (OSError, ValueError, KeyError):
        return -signal.SIGKILL  # the server is gone, and its kernels with it
