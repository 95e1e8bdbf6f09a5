"""The plain engine: ordinary kernels, started by jupyter_client as papermill starts them, on
the libraries' public APIs.

Each report's worker drives its kernel with :func:`kernel_manager_class`: IPC sockets, a
kernel that dies with its worker, its pid told to the parent (which can then kill it), and
the kernel spec looked up once, in the build (:func:`warm_kernel_specs`), not in every worker.
The fork engine uses the same manager, with its provisioner
(:mod:`genderstats.pipeline.engine.provisioner`). One override of jupyter_client's internals
(``kernel-ready`` in :mod:`genderstats.pipeline.engine.patches`) joins it only where it is in
effect; the plain engine switches every patch off.
"""

from __future__ import annotations

import contextlib
import copy
import os
from collections.abc import Callable
from typing import Any

from genderstats.pipeline.engine import patches
from genderstats.pipeline.processes import die_with_parent

KERNEL_NAME = "python3"


def kernel_specs() -> Any:
    """This process's kernel spec manager, which looks each spec up once (jupyter_client's
    ``KernelSpecManager``, whose ``get_kernel_spec`` is its public way in)."""
    global _SPECS
    if _SPECS is None:
        from jupyter_client.kernelspec import KernelSpecManager

        class KeptKernelSpecs(KernelSpecManager):  # type: ignore[misc]
            found: dict[str, Any] = {}

            def get_kernel_spec(self, kernel_name: str) -> Any:
                if kernel_name not in self.found:
                    self.found[kernel_name] = super().get_kernel_spec(kernel_name)
                return copy.deepcopy(self.found[kernel_name])  # a manager may change its copy

        _SPECS = KeptKernelSpecs()
    return _SPECS


_SPECS: Any = None


def warm_kernel_specs() -> None:
    """Look the kernel spec up in the build, before it forks the workers: each then starts its
    kernel from this copy instead of scanning the kernel folders (and importing IPython)."""
    from jupyter_client.kernelspec import NoSuchKernel

    with contextlib.suppress(NoSuchKernel, OSError, ValueError):
        kernel_specs().get_kernel_spec(KERNEL_NAME)


def kernel_manager_class(ipc_prefix: str,
                         on_start: Callable[[int], None] | None = None) -> type:
    """A jupyter_client kernel manager whose kernels use IPC sockets and die with the worker.

    IPC (Unix sockets under ``ipc_prefix``) instead of TCP: no ports to collide, no warning
    about connecting over the network. ``on_start`` receives the kernel's pid so the parent can
    kill it directly, which also covers systems without a parent-death signal.
    """
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class GsKernelManager(AsyncKernelManager):  # type: ignore[misc]
        @default("kernel_spec_manager")
        def _default_kernel_spec_manager(self) -> Any:
            return kernel_specs()

        @default("client_factory")
        def _default_client_factory(self) -> type:
            return patches.ready_client(AsyncKernelClient)

        @default("transport")
        def _default_transport(self) -> str:
            return "ipc" if os.name == "posix" else "tcp"

        @default("ip")
        def _default_ip(self) -> str:
            return ipc_prefix if self.transport == "ipc" else "127.0.0.1"

        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            worker = os.getpid()
            kw.setdefault("preexec_fn", lambda: die_with_parent(worker))
            await super().start_kernel(**kw)
            pid = getattr(self.provisioner, "pid", None)
            if on_start is not None and pid:
                on_start(int(pid))

    return GsKernelManager
