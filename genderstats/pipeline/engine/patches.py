"""Every override of a library's internals, in one module: declared, version-guarded, switchable.

Part of the build's speed (and the fork engine's likeness to an ordinary kernel) comes from
reaching where a library offers no public way: keeping a module out of ``sys.modules``,
calling private methods, copying a method's body, tuning the C library's allocator. Each such
override is a :class:`Patch` in :data:`PATCHES`, with the libraries and versions it was
written for, what it does and the internal names it relies on (:attr:`Patch.targets`;
``tests/test_patches.py`` checks that each still exists with the parameters the patch
expects). A patch is in effect only while every library it touches is installed at a version
in its range and it is not switched off::

    GENDERSTATS_PATCHES_OFF=all                           every patch off
    GENDERSTATS_PATCHES_OFF=nbconvert-page,glibc-malloc   these two off

Off, or outside its range, the code takes the library's own public path: slower, the same
pages. ``genderstats build --engine plain`` switches every patch off
(:mod:`genderstats.pipeline.engine`). The switch is read where the patched code runs (the
build, its workers and kernels share the environment); each report's staff log lists the
patches not in effect, and the staff page names a patch an installed version keeps out.

A leaf of the engine: it imports nothing of the package, and no library until a patch is
used (the build imports it before it knows whether any report will run).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
from dataclasses import dataclass
from typing import Any

OFF_ENV = "GENDERSTATS_PATCHES_OFF"
ALL = "all"


@dataclass(frozen=True)
class Target:
    """A library internal a patch relies on: ``module:attribute.path`` (``libc:name`` for a C
    function) and what must still hold of it: its parameters, in order (None: not checked, a
    builtin has none to read), a text its source holds (where the patch hooks in), or the
    digest of the source of a method whose body the patch copies."""

    path: str
    parameters: tuple[str, ...] | None = None
    holds: str | None = None
    digest: str | None = None


@dataclass(frozen=True)
class Patch:
    """One override: its name (the switch), the libraries and versions it was written for
    (``(distribution, specifier)``; ``python`` and ``glibc`` name the interpreter and the C
    library), what it does, and the internals it relies on. ``speed``: a speed trick, kept
    only while it saves at least 5% of a forced build (``benchmarks/bench_build.py``);
    otherwise a safeguard or a fidelity the fork engine needs."""

    name: str
    versions: tuple[tuple[str, str], ...]
    does: str
    targets: tuple[Target, ...]
    speed: bool = True


def _switches() -> set[str]:
    return {n.strip() for n in os.environ.get(OFF_ENV, "").split(",") if n.strip()}


def switched_off() -> set[str]:
    """The names switched off in the environment (every name for ``all``)."""
    given = _switches()
    return set(PATCHES) if ALL in given else given


def unknown_switches() -> list[str]:
    """Names in the switch that are no patch's (a typo would otherwise switch nothing off)."""
    return sorted(_switches() - set(PATCHES) - {ALL})


def active(name: str) -> bool:
    """Whether patch ``name`` is in effect here: not switched off, every library in range."""
    return name not in switched_off() and out_of_range(name) is None


@functools.cache
def installed(library: str) -> str | None:
    """The installed version of ``library`` (``python``, ``glibc`` or a distribution)."""
    if library == "python":
        return ".".join(map(str, sys.version_info[:3]))
    if library == "glibc":
        found = os.confstr("CS_GNU_LIBC_VERSION") if hasattr(os, "confstr") else None
        return found.split()[-1] if found and found.startswith("glibc ") else None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(library)
    except PackageNotFoundError:
        return None


@functools.cache
def out_of_range(name: str) -> str | None:
    """Why patch ``name`` does not fit what is installed (「nbconvert 8.0.1 不在它寫成時的版本
    範圍 >=7.16,<8 內」); None when every library it touches is in its range."""
    for library, specifier in PATCHES[name].versions:
        found = installed(library)
        if found is None:
            return f"找不到 {library}"
        if not fits(found, specifier):
            return f"{library} {found} 不在它寫成時的版本範圍 {specifier} 內"
    return None


def fits(version: str, specifier: str) -> bool:
    """Whether ``version`` is in ``specifier``: clauses ``>=X`` and ``<Y`` joined by commas,
    compared on the release numbers (a pre-release of 8.0 counts as 8.0: outside ``<8``).

    >>> fits("7.17.2", ">=7.16,<8"), fits("8.0.0rc1", ">=7.16,<8"), fits("2.36", ">=2.26")
    (True, False, True)
    """
    found = _release(version)
    for clause in specifier.split(","):
        op, bound = re.fullmatch(r"\s*(>=|<)\s*(\S+)\s*", clause).groups()  # type: ignore[union-attr]
        if (found >= _release(bound)) != (op == ">="):
            return False
    return True


def _release(version: str) -> tuple[int, ...]:
    numbers = re.match(r"\d+(?:\.\d+)*", version)
    return tuple(int(n) for n in numbers.group().split(".")) if numbers else ()


def not_in_effect() -> list[str]:
    """One line (for a staff log) for each patch not in effect here, and why."""
    off = switched_off()
    if off >= set(PATCHES):
        return [f"所有修補都已關閉（{OFF_ENV}={ALL} 或 --engine plain）：全部使用套件本身的做法。"]
    lines = [f"修補 {name} 已關閉（{OFF_ENV}）：使用套件本身的做法。" for name in PATCHES
             if name in off]
    return lines + range_notes()


def range_notes() -> list[str]:
    """One line (for the staff page) for each patch not switched off that an installed
    version keeps out of effect."""
    off = switched_off()
    return [f"修補 {name} 未使用：{reason}，改用套件本身的做法（較慢，頁面相同）；"
            "見 docs/architecture.md「升級相依套件」。"
            for name in PATCHES if name not in off and (reason := out_of_range(name))]


def resolve(path: str) -> Any:
    """The object a :class:`Target` names (``module:attr.attr`` or ``libc:name``)."""
    import ctypes
    import importlib

    module, _, attributes = path.partition(":")
    if module == "libc":
        return getattr(ctypes.CDLL(None), attributes)
    obj: Any = importlib.import_module(module)
    for name in attributes.split(".") if attributes else []:
        obj = getattr(obj, name)
    return obj


def source_digest(obj: Any) -> str:
    """The sha256 of ``obj``'s source, as :attr:`Target.digest` records it."""
    import hashlib
    import inspect

    return hashlib.sha256(inspect.getsource(obj).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- jsonschema-rfc3987

def skip_rfc3987_syntax() -> None:
    """Keep jsonschema from importing rfc3987_syntax (see the patch): it builds a grammar for a
    second and more, only for its "iri" format check, which notebook validation never uses."""
    if active("jsonschema-rfc3987"):
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


def restore_rfc3987_syntax() -> None:
    """Undo :func:`skip_rfc3987_syntax`: a later import finds the module again."""
    if "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None:
        del sys.modules["rfc3987_syntax"]


# ---------------------------------------------------------------- kernel-ready

def ready_client(base: type) -> type:
    """``base`` (jupyter_client's async client), with a ``wait_for_ready`` that does not wait
    for 0.2 s of silence on IOPub; ``base`` itself when the patch is not in effect.

    After the kernel_info reply, jupyter_client reads IOPub until no message has come for
    0.2 s, on every kernel start. nbclient matches every output to the request that caused it,
    so a start-up message read later is ignored all the same: draining what has already
    arrived is enough.
    """
    return _ready_client(base) if active("kernel-ready") else base


@functools.cache
def _ready_client(base: type) -> type:
    import asyncio
    import time
    from queue import Empty

    class ReadyClient(base):  # type: ignore[valid-type,misc]
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:  # IOPub is connected once the reply's status message arrives
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            break
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
                await asyncio.sleep(0)
            while True:
                try:
                    await self.iopub_channel.get_msg(timeout=0)
                except Empty:
                    break

    return ReadyClient


# ---------------------------------------------------------------- nbconvert-page

def page_exporter() -> type:
    """nbconvert's ``HTMLExporter``, without its closing BeautifulSoup pass when the patch is
    in effect.

    That pass parses and re-serialises the whole page (two thirds of a page's export) to give
    an ``<img>`` without ``alt`` an English one and Lab's input and output areas a
    ``tabindex``: the project's template writes every image's alt text itself, in Chinese,
    and has no such areas. The method's body up to the pass is copied (its digest is checked).
    """
    from nbconvert import HTMLExporter

    return _page_exporter(HTMLExporter) if active("nbconvert-page") else HTMLExporter


@functools.cache
def _page_exporter(base: type) -> type:
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(base):  # type: ignore[valid-type,misc]
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            # HTMLExporter.from_notebook_node up to its soup.
            lang = nb.metadata.get("language_info", {})
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(
                    pygments_lexer=lang.get("pygments_lexer", lang.get("name")), parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter


# ---------------------------------------------------------------- glibc-malloc

MALLOC_KEEP = 256 << 20  # bytes: see malloc_tunables
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def malloc_tunables(given: str = "") -> str:
    """``GLIBC_TUNABLES`` for a heavy child process: glibc's malloc keeps blocks of up to
    256 MiB in the heap, after any settings the user gave (glibc keeps the last value of a
    name, so theirs win); ``given`` alone when the patch is not in effect.

    With glibc's defaults, a large block is mapped, touched and handed back to the system on
    every use: LibreOffice spent half of a conversion on those page faults (300,000 of them),
    a kernel a tenth of each chart (its canvas is several MB). A process grows by at most
    that much more memory. Other C libraries ignore the variable.
    """
    if not active("glibc-malloc"):
        return given
    ours = ":".join(f"glibc.malloc.{name}={MALLOC_KEEP}" for name in ("mmap_threshold",
                                                                       "trim_threshold"))
    return f"{ours}:{given}" if given else ours


def keep_large_blocks() -> None:
    """The same malloc settings as :func:`malloc_tunables`, for this running process (and the
    workers it forks): glibc's ``mallopt``."""
    if not active("glibc-malloc"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        for option in (_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD):
            libc.mallopt(option, MALLOC_KEEP)


# ---------------------------------------------------------------- fork-atexit

def run_exit_handlers() -> None:
    """Run the ``atexit`` handlers of a forked kernel that has finished (the IPython history,
    a notebook's own), as the interpreter would at exit: a fork ends with ``os._exit``, which
    skips them, since the server's own clean-up must not run in it."""
    if active("fork-atexit"):
        import atexit

        with contextlib.suppress(Exception):
            atexit._run_exitfuncs()


# ---------------------------------------------------------------- the registry

PATCHES: dict[str, Patch] = {p.name: p for p in (
    Patch("jsonschema-rfc3987", (("jsonschema", ">=4.18,<5"),),
          "None in sys.modules keeps jsonschema from importing rfc3987_syntax, which spends a "
          "second or more on a grammar for a format check notebooks never use.",
          (Target("jsonschema._format", holds="rfc3987_syntax"),)),
    Patch("kernel-ready", (("jupyter_client", ">=8,<9"),),
          "Overrides wait_for_ready with jupyter_client's private _handle_kernel_info_reply "
          "and _async_is_alive: no 0.2 s of IOPub silence awaited at each kernel start.",
          (Target("jupyter_client.asynchronous.client:AsyncKernelClient.wait_for_ready",
                  ("self", "timeout")),
           Target("jupyter_client.asynchronous.client:AsyncKernelClient."
                  "_handle_kernel_info_reply", ("self", "msg")),
           Target("jupyter_client.asynchronous.client:AsyncKernelClient._async_is_alive",
                  ("self",)))),
    Patch("nbconvert-page", (("nbconvert", ">=7.16,<8"),),
          "Copies HTMLExporter.from_notebook_node up to its BeautifulSoup pass (with the "
          "private _init_resources): the page is not parsed and written again.",
          (Target("nbconvert.exporters.html:HTMLExporter.from_notebook_node",
                  ("self", "nb", "resources", "kw"),
                  digest="3dccafff45cc4e749766089c7de2f5385ac071e03f4f5a15bfb3b025f54893b9"),
           Target("nbconvert.exporters.html:HTMLExporter._init_resources",
                  ("self", "resources")),
           Target("nbconvert.exporters.exporter:Exporter.__init__", holds="_nb_metadata"),
           Target("nbconvert.exporters.templateexporter:TemplateExporter.from_notebook_node",
                  ("self", "nb", "resources", "kw")))),
    Patch("glibc-malloc", (("glibc", ">=2.26"),),
          "mallopt and GLIBC_TUNABLES keep blocks up to 256 MiB in glibc's heap (the build, "
          "the fork server's kernels, LibreOffice): fewer page faults.",
          (Target("libc:mallopt"),)),
    Patch("fork-atexit", (("python", ">=3.11,<3.15"),),
          "A forked kernel runs its atexit handlers (IPython's history, a notebook's own) with "
          "the private atexit._run_exitfuncs, as an ordinary kernel's interpreter would.",
          (Target("atexit:_run_exitfuncs"),),
          speed=False),
)}
