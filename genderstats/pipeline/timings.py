"""How long each report took when it last ran on this machine: the order of a first build.

A build starts the longest reports first, by the times its output folder keeps (so that no
worker is left running one alone at the end). A new output folder keeps none; the build
then goes by the times kept here, in the user's cache folder (:mod:`usercache`,
``~/.cache/genderstats/report-seconds.json``: for each report, its notebook, id and
seconds, nothing else). Only the order depends on them: a missing or unreadable file, or a
cache folder that cannot be used, gives the registry's order, and the pages are the same
either way.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from genderstats.pipeline import usercache

FILE_NAME = "report-seconds.json"
MAX_ENTRIES = 200  # the reports of a few projects and their test copies


def cache_file() -> Path | None:
    """The file in the user's cache folder; None when that folder cannot be used."""
    folder = usercache.folder()
    return folder / FILE_NAME if folder is not None and usercache.usable(folder) else None


def key(notebook: Path, report_id: str) -> str:
    """A report's entry: the same id in another project (another notebook) is another."""
    return f"{notebook}#{report_id}"


def load() -> dict[str, float]:
    """The kept times, ``{key: seconds}``; empty when there are none or they are unreadable."""
    path = cache_file()
    try:
        doc = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}
    if not isinstance(doc, dict):
        return {}
    return {k: float(v) for k, v in doc.items()
            if isinstance(k, str) and isinstance(v, int | float) and v >= 0}


def remember(seconds: Mapping[str, float]) -> None:
    """Keep ``seconds`` (``{key: seconds}``) with the others, newest last, at most
    MAX_ENTRIES. Never fails the build: a read-only or full disk just keeps nothing."""
    path = cache_file()
    if path is None or not seconds:
        return
    kept = load()
    for k, v in seconds.items():
        kept.pop(k, None)  # moved to the end: the oldest entries go first
        kept[k] = round(float(v), 2)
    text = json.dumps(dict(list(kept.items())[-MAX_ENTRIES:]), ensure_ascii=False)
    with contextlib.suppress(OSError):
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{FILE_NAME}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
