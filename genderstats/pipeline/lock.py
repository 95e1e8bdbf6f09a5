"""The build's lock on a year's output folder: one build writes there at a time.

On POSIX it is ``flock`` on the lock file, the same lock filelock takes on Unix, so a
build and anything holding a ``filelock.FileLock`` on that file see each other. Elsewhere,
or on a file system without ``flock``, filelock itself takes it (it can fall back to a lock
file of its own). Importing filelock costs a build that has nothing to do a tenth of its time,
so it is only imported where it is needed.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

__all__ = ["Held", "OutputLock"]


class Held(Exception):
    """Another process holds the lock."""


class OutputLock:
    """An exclusive lock on ``path``, taken at once or not at all (no waiting)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._fd: int | None = None
        self._fallback: Any = None

    def acquire(self) -> None:
        """Take the lock, or raise :class:`Held`; an ``OSError`` if the file cannot be made."""
        try:
            import fcntl
        except ImportError:
            return self._acquire_filelock()
        try:
            fd, made = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666), True
        except FileExistsError:
            fd, made = os.open(self.path, os.O_RDWR), False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise Held(self.path) from None
            if exc.errno in (errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP):
                if made:  # filelock's own lock there is the file existing
                    os.unlink(self.path)
                return self._acquire_filelock()
            raise
        self._fd = fd
        return None

    def _acquire_filelock(self) -> None:
        from filelock import FileLock, Timeout

        lock = FileLock(self.path, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise Held(self.path) from None
        self._fallback = lock

    def release(self) -> None:
        """Let go of the lock (closing the file lets go of ``flock``)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._fallback is not None:
            self._fallback.release()
            self._fallback = None
