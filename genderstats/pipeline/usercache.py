"""The user's cache folder: ``$XDG_CACHE_HOME/genderstats``, else ``~/.cache/genderstats``.

Only speed depends on it (the order of a first build, :mod:`timings`; LibreOffice's profile
seed, :mod:`pdf`), never a page. A folder that cannot be used (unreadable, a file in its
place, under a file, a path too long) is skipped: the build goes on without it and the staff
page says so, in :data:`SKIPPED`. matplotlib keeps its font list in the same :func:`root`;
where it cannot, the build gives its kernels a temporary one (``warmup.private_caches``).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

SKIPPED = "無法使用快取資料夾，已略過（不影響報告內容）"


def root() -> Path | None:
    """The user's cache folder of every program (``$XDG_CACHE_HOME``, else ``~/.cache``);
    None when there is no home folder."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"))
    except RuntimeError:  # no home folder to be found
        return None


def folder() -> Path | None:
    """Our cache folder's path (it may not exist yet); None when there is no home folder."""
    home = root()
    return home / "genderstats" if home is not None else None


def usable(path: Path | None = None) -> bool:
    """Whether the cache folder (``path``, default :func:`folder`) can be read and written, or
    made where it is missing. Creates nothing."""
    path = folder() if path is None else path
    if path is None:
        return False
    probe = path
    while True:
        try:
            info = os.stat(probe)
        except FileNotFoundError:
            if probe.parent == probe:
                return False
            probe = probe.parent  # to be made: its nearest existing folder decides
            continue
        except OSError:  # under a file, a loop of links, a name too long, no access
            return False
        break
    if not stat.S_ISDIR(info.st_mode):
        return False
    need = os.W_OK | os.X_OK | (os.R_OK if probe == path else 0)
    return os.access(probe, need)
