"""The worker's watch over a running notebook: which cell runs, how much it has printed and
displayed, and its kernel, stopped as soon as the outputs pass the limit (:data:`OUTPUT_LIMIT`).

Everything here uses jupyter_client's public classes (a kernel manager's ``client``, the
IOPub channel class) and ZeroMQ's socket options: it is the same in both engines.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from typing import Any

from genderstats.liveness import alive
from genderstats.pipeline.kernel_output import OUTPUT_LIMIT


class Watch:
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
        self.monitor: Any = None  # IOPub's disconnections (see watched_manager)
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
        if any(alive(pid) for pid in self.kernels) and self.flooded is None:
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


def _size(value: Any) -> int:
    """The bytes of an output's text or of one of its data, as UTF-8."""
    if isinstance(value, str):
        return len(value) if value.isascii() else len(value.encode("utf-8", "replace"))
    return len(json.dumps(value, ensure_ascii=False, default=str))


def watched_manager(base: type, watch: Watch) -> type:
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


def _weighed_channel(base: type, watch: Watch) -> type:
    """``base`` (jupyter_client's IOPub channel), telling ``watch`` of each message read."""

    class WeighedChannel(base):  # type: ignore[valid-type,misc]
        async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
            msg = await super().get_msg(timeout)
            watch.weigh(msg)
            return msg  # type: ignore[no-any-return]

    return WeighedChannel
