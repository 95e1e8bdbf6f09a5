"""The build's lock on a year's output folder, and that it sees filelock's (and back)."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from genderstats.pipeline import lock as lockmod
from genderstats.pipeline.lock import Held, OutputLock


def test_one_holder_at_a_time_and_free_again_after_release(tmp_path: Path) -> None:
    path = tmp_path / ".build.lock"
    first, second = OutputLock(path), OutputLock(path)
    first.acquire()
    with pytest.raises(Held):
        second.acquire()
    first.release()
    second.acquire()
    second.release()
    assert path.is_file()  # left in place: removing it would race with a new holder


def test_it_sees_a_filelock_and_a_filelock_sees_it(tmp_path: Path) -> None:
    path = tmp_path / ".build.lock"
    with FileLock(str(path), timeout=0):
        with pytest.raises(Held):
            OutputLock(path).acquire()
    ours = OutputLock(path)
    ours.acquire()
    with pytest.raises(Timeout):
        FileLock(str(path), timeout=0).acquire()
    ours.release()
    with FileLock(str(path), timeout=0):
        pass


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_a_file_system_without_flock_gets_filelocks_own_lock(tmp_path: Path,
                                                             monkeypatch) -> None:
    import fcntl

    def no_flock(fd: int, op: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(fcntl, "flock", no_flock)
    path = tmp_path / ".build.lock"
    ours = OutputLock(path)
    ours.acquire()
    assert isinstance(ours._fallback, FileLock) and ours._fallback.is_locked
    with pytest.raises(Held):
        OutputLock(path).acquire()
    ours.release()
    assert ours._fallback is None


def test_any_other_error_is_raised_as_it_is(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        OutputLock(tmp_path / "no such folder" / ".build.lock").acquire()
    assert lockmod.__all__ == ["Held", "OutputLock"]
