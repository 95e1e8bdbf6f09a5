"""How the build runs each report's notebook: the fork engine (the default) or the plain one.

``fork``   kernels forked from one warm server (:mod:`.fork` starts it, :mod:`.server` is its
           process, :mod:`.requests` what it accepts, :mod:`.provisioner` asks it for each
           kernel; it forks the year's disclosure audit too), with the overrides of
           :mod:`genderstats.pipeline.engine.patches` in effect, each version-guarded and switchable
           (``GENDERSTATS_PATCHES_OFF``). Where forking is not available (not Linux): ordinary
           kernels, the same overrides. A report whose last build made a PDF has LibreOffice
           started beside its notebook (:class:`genderstats.pipeline.pdf.Office`).
``plain``  ordinary kernels (:mod:`.plain`), on the libraries' public APIs only: every patch
           is off for the build, its workers and their kernels, and LibreOffice starts when
           the document is ready. Slower; the same pages (``tests/test_forkserver.py``
           compares them) and PDF (``tests/test_odf.py``).

Chosen with ``genderstats build --engine plain|fork``, else ``GENDERSTATS_ENGINE``, else fork.
papermill and JupyterLab start ordinary kernels. Nothing here imports jupyter_client: the
build starts the fork server before it needs it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import Any

from genderstats.pipeline.engine import patches

ENGINES = ("fork", "plain")
ENGINE_ENV = "GENDERSTATS_ENGINE"


def resolve(name: str | None = None) -> str:
    """The engine to use: ``name``, else ``GENDERSTATS_ENGINE``, else fork. A name that is no
    engine, or a patch switch that names no patch, is a usage error (in Chinese)."""
    chosen = name or os.environ.get(ENGINE_ENV) or "fork"
    if chosen not in ENGINES:
        raise ValueError(f"沒有「{chosen}」這個執行引擎：--engine（或環境變數 {ENGINE_ENV}）"
                         f"請用 {' 或 '.join(ENGINES)}。")
    unknown = patches.unknown_switches()
    if unknown:
        raise ValueError(
            f"環境變數 {patches.OFF_ENV} 中的 {'、'.join(unknown)} 不是任何修補的名稱；"
            f"可用的名稱：{'、'.join(patches.PATCHES)}，或 {patches.ALL}（全部關閉）。")
    return chosen


@contextlib.contextmanager
def switches(name: str) -> Iterator[None]:
    """While a build with engine ``name`` runs: the plain engine switches every patch off, for
    the build and (through the environment) its workers and their kernels."""
    if name != "plain":
        yield
        return
    saved = os.environ.get(patches.OFF_ENV)
    os.environ[patches.OFF_ENV] = patches.ALL
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(patches.OFF_ENV, None)
        else:
            os.environ[patches.OFF_ENV] = saved


class Engine:
    """The engine of one build: its name, and its fork server once started."""

    def __init__(self, name: str | None = None) -> None:
        self.name = resolve(name)
        self.server: Any = None
        self.started = False
        # LibreOffice started beside a report's notebook, before its document is ready
        # (genderstats.pipeline.pdf.Office): the fork engine's, like its server.
        self.warm_office = self.name == "fork"

    def start(self) -> bool:
        """Start the fork server (fork engine, where forking is available), once a build;
        True the first time. A server that fails to start leaves ordinary kernels: slower,
        the same pages."""
        if self.started:
            return False
        self.started = True
        if self.name == "fork":
            from genderstats.pipeline.engine.fork import ForkServer, fork_available

            if fork_available():
                with contextlib.suppress(OSError):
                    self.server = ForkServer()
        return True

    @property
    def address(self) -> str | None:
        """The fork server's socket, for the workers; None: ordinary kernels."""
        return self.server.address if self.server is not None else None

    def stop(self) -> None:
        """Stop the fork server and every kernel it forked."""
        if self.server is not None:
            self.server.stop()
            self.server = None

def kernel_manager_class(ipc_prefix: str, on_start: Callable[[int], None] | None = None,
                         forkserver: str | None = None) -> type:
    """The kernel manager a worker drives its report's kernel with (see
    :func:`genderstats.pipeline.engine.plain.kernel_manager_class`); with ``forkserver`` (the
    build's fork server's socket) its kernels are forked by that server."""
    from genderstats.pipeline.engine.plain import kernel_manager_class as plain_manager

    manager = plain_manager(ipc_prefix, on_start)
    if forkserver is None:
        return manager
    from genderstats.pipeline.engine.provisioner import forked_manager

    return forked_manager(manager, forkserver)
