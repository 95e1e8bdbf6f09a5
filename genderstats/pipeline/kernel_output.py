"""A report kernel's standard output and error, cut at the report's output limit.

The build starts every kernel with ``--IPKernelApp.outstream_class`` naming
:class:`LimitedOutStream`: a ``print`` that would pass :data:`OUTPUT_LIMIT` raises
:class:`OutputLimitError` in the cell at once, before the kernel spends a minute sending a
gigabyte. This module is imported by kernels: it imports only ipykernel.

A notebook can replace its streams; the worker therefore also weighs every output it receives
and refuses outsized messages (see ``genderstats.pipeline.runner``).
"""

from __future__ import annotations

from ipykernel.iostream import OutStream

# The outputs one report may send (stream text and display data, as UTF-8 bytes): 16 MiB.
# The largest report of the sample sends less than 0.5 MiB.
OUTPUT_LIMIT = 16 << 20
KERNEL_ARGUMENT = f"--IPKernelApp.outstream_class={__name__}.LimitedOutStream"


class OutputLimitError(Exception):
    """The report's printed text passed :data:`OUTPUT_LIMIT`."""


class LimitedOutStream(OutStream):
    """ipykernel's stream, counting what stdout and stderr are given together."""

    written = 0  # bytes, both streams of this kernel

    def write(self, string: str) -> int | None:  # type: ignore[override]
        if isinstance(string, str):
            size = len(string) if string.isascii() else len(string.encode("utf-8", "replace"))
            LimitedOutStream.written += size
            if LimitedOutStream.written > OUTPUT_LIMIT:
                raise OutputLimitError(f"output over {OUTPUT_LIMIT} bytes")
        return super().write(string)
