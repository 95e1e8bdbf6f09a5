"""A report kernel's standard output and error, cut at the report's output limit.

The build starts every kernel with :data:`KERNEL_ARGUMENT`, which makes
``LimitedOutStream`` its stream class: a ``print`` that would pass :data:`OUTPUT_LIMIT`
raises :class:`OutputLimitError` in the cell at once, before the kernel spends a minute
sending a gigabyte. Kernels import this module; the build imports only its constants
(ipykernel is loaded when a kernel asks for the class).

A notebook can replace its streams; the worker therefore also weighs every output it receives
and refuses outsized messages (see ``genderstats.pipeline.runner``).
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

# The outputs one report may send (printed text and display data together, as UTF-8 bytes):
# 16 MiB. The largest report of the sample sends less than 0.5 MiB.
OUTPUT_LIMIT = 16 << 20
KERNEL_ARGUMENT = f"--IPKernelApp.outstream_class={__name__}.LimitedOutStream"


class OutputLimitError(Exception):
    """The report's printed text passed :data:`OUTPUT_LIMIT`."""


@functools.cache
def _limited_out_stream() -> type:
    from ipykernel.iostream import OutStream

    class LimitedOutStream(OutStream):  # type: ignore[misc]
        """ipykernel's stream, counting what stdout and stderr are given together.

        Past the limit, a write from the cell's thread raises there. One from another thread
        (ipykernel's reader of file descriptors 1 and 2, which a subprocess or ``os.write``
        fill) is dropped, so the writer never blocks on a full pipe, and the error is raised
        in the main thread instead, where the cell runs. The reader's copy to the kernel's
        original descriptor (``fileno()``: the staff log, for stderr) then goes to /dev/null.
        """

        written = 0  # bytes, both streams of this kernel
        raised = False

        def write(self, string: str) -> int | None:
            if isinstance(string, str):
                size = len(string) if string.isascii() else len(string.encode("utf-8",
                                                                              "replace"))
                LimitedOutStream.written += size
                if LimitedOutStream.written > OUTPUT_LIMIT:
                    if threading.current_thread() is threading.main_thread():
                        raise OutputLimitError(f"output over {OUTPUT_LIMIT} bytes")
                    if not LimitedOutStream.raised:
                        LimitedOutStream.raised = True
                        _raise_in_main_thread()
                    _silence(self)
                    return len(string)
            return super().write(string)  # type: ignore[no-any-return]

    return LimitedOutStream


def _silence(stream: Any) -> None:
    try:
        fd = stream.fileno()  # the copy of the kernel's original fd 1 or 2, when watched
    except OSError:  # io.UnsupportedOperation: not watching the descriptors
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _raise_in_main_thread() -> None:
    # CPython's way to raise in another thread: at its next bytecode.
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(threading.main_thread().ident or 0), ctypes.py_object(OutputLimitError))


def __getattr__(name: str) -> Any:
    if name == "LimitedOutStream":
        return _limited_out_stream()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
