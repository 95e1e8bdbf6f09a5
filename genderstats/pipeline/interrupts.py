"""SIGINT and SIGTERM during a build: every report is stopped, and a page being published
is finished first."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


class BuildInterrupted(Exception):
    """SIGINT or SIGTERM: every report was stopped; ``published`` reports were finished."""

    def __init__(self, signum: int, published: int = 0) -> None:
        super().__init__(signum)
        self.signum = signum
        self.published = published

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        name = signal.Signals(self.signum).name
        return (f"已中斷（{name}）：所有報告都已停止。本次完成的 {self.published} 份已發布，"
                "其餘報告保持上一次發布的版本。")


class Signals:
    """SIGINT and SIGTERM raise :class:`BuildInterrupted` in the build, once.

    Inside :meth:`held` (publishing one report) a signal waits until the block ends, so a
    page and its state are written together. After the first signal, further ones are
    ignored: the build is already winding down and must not be cut short while it cleans up.
    """

    def __init__(self) -> None:
        self.hold = 0
        self.pending: int | None = None
        self.stopping = False

    def _handler(self, signum: int, _frame: Any) -> None:
        if self.stopping:
            return
        if self.hold:
            self.pending = self.pending or signum
            return
        self.stopping = True
        raise BuildInterrupted(signum)

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signal handlers can only be set from the main thread
            return
        saved = {s: signal.signal(s, self._handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, h in saved.items():
                signal.signal(s, h)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.hold += 1
        try:
            yield
        finally:
            self.hold -= 1
        if not self.hold and self.pending and not self.stopping:
            signum, self.pending, self.stopping = self.pending, None, True
            raise BuildInterrupted(signum)
