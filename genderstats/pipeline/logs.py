"""A report's two logs: the public one (Chinese status lines, for anyone) and the staff one
(outside the published folder, for the build's account only)."""

from __future__ import annotations

import os
from pathlib import Path

from genderstats.clock import stamp

STAFF_DIR = ".staff"
"""``<out-dir>/.staff/<year>/``: the staff-only logs, never published."""


def staff_log(out: Path, rid: str) -> Path:
    """``<out-dir>/.staff/<year>/<rid>.log``: outside the published ``out`` (``<out-dir>/<year>``),
    in folders only the build's account may open, whatever the umask."""
    folder = out.parent / STAFF_DIR / out.name
    for part in (folder.parent, folder):
        part.mkdir(mode=0o700, exist_ok=True)
        os.chmod(part, 0o700)
    return folder / f"{rid}.log"


def public_log(out: Path, rid: str, line: str, mode: str = "a") -> None:
    """Add a status (Chinese, for anyone) to ``<out>/logs/<rid>.log``, each of its lines
    time-stamped."""
    path = out / "logs" / f"{rid}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    now = stamp()
    with open(path, mode, encoding="utf-8") as fh:
        fh.write("".join(f"{now} {text}\n" for text in line.splitlines() or [""]))
