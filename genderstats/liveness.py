"""Whether a process runs: the one rule for every process the package waits on or watches."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs. A zombie has ended; another user's process runs; a
    number no process can have does not.

    >>> alive(os.getpid())
    True
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            stat = fh.read()
    except (OSError, ValueError):
        try:
            os.kill(pid, 0)
        except PermissionError:
            return True
        except (OSError, OverflowError, ValueError):
            return False
        return True  # no /proc: a zombie counts as alive
    return stat[stat.rfind(")") + 2:][:1] not in ("Z", "X")
