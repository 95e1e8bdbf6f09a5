"""The results report's PDF: LibreOffice headless converts the ODT.

Each conversion runs LibreOffice with its own throw-away profile (``-env:UserInstallation``):
two builds at once, or a LibreOffice a person has open, would otherwise share one profile,
and the second ``soffice`` quietly hands its work to the first or waits on its lock. A new
profile starts from the extension registry of an earlier one (kept in the user's cache
folder, checked before use, rebuilt when a conversion from it fails), so LibreOffice need
not set it up and start again each time. The
conversion has a time limit and is killed with its whole process group; the PDF is written
beside the target and renamed into place, so there is the new file, the last good one, or
none, never half of one. Without LibreOffice there is no PDF and a reason to show.
:class:`Office` starts LibreOffice before its document is ready (the fork engine does so
beside a report whose last build made a PDF), so that the conversion does not wait for it.

>>> to_pdf("report.odt", "out")          # doctest: +SKIP
PdfResult(path=PosixPath('out/report.pdf'), reason='')
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from genderstats.pipeline import usercache
from genderstats.pipeline.engine.patches import malloc_tunables
from genderstats.pipeline.publish import write_atomic

__all__ = ["Conversion", "Office", "PdfResult", "convert", "find_soffice", "to_pdf",
           "write_pdf", "NO_OFFICE", "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = 120.0
NO_OFFICE = "未安裝 LibreOffice，未產製 PDF"
INSTALL_HINT = "安裝：sudo apt-get install libreoffice-writer-nogui fonts-noto-cjk"
_STDERR_KEPT = 2000
# soffice.bin's exit code when it has set up a new profile and asks to be started again.
_RESTART = 81
# A tagged PDF: headings, tables and each figure's alt text reach screen readers, as on the
# pages. Charts stay lossless: by default LibreOffice re-encodes some as JPEG, which blurs
# their text on paper (and takes longer). (JSON filter options need LibreOffice 7.4; older
# versions ignore them.)
EXPORT = ('pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
          '"UseLosslessCompression":{"type":"boolean","value":"true"}}')


@dataclass(frozen=True)
class PdfResult:
    """The PDF written (``path``), or why there is none (``reason``, for the build's
    output and the staff page). ``detail`` is LibreOffice's own message, for the log only."""

    path: Path | None
    reason: str = ""
    detail: str = ""

    def __bool__(self) -> bool:
        return self.path is not None


def find_soffice() -> str | None:
    """The LibreOffice program on PATH (``soffice``, else ``libreoffice``), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the conversion's whole process group (soffice starts soffice.bin under it)
    and reap the direct child."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        proc.communicate(timeout=10)


def _tail(data: bytes | None) -> str:
    text = (data or b"").decode("utf-8", "replace").strip()
    return text[-_STDERR_KEPT:]


def _unversioned(data: bytes) -> bytes:
    """The PDF with its producer and creator set to genderstats: LibreOffice writes its
    version there, and a published document names no software version. The structure tree
    (the tagged PDF) is kept. A PDF pikepdf cannot read is kept as LibreOffice wrote it."""
    import io

    import pikepdf

    try:
        # qpdf rewrites the file in C++, copying the (already compressed) streams as they
        # are: a seventh of the time pypdf's clone took on the results report.
        with pikepdf.open(io.BytesIO(data)) as doc:
            doc.docinfo["/Producer"] = doc.docinfo["/Creator"] = "genderstats"
            buffer = io.BytesIO()
            doc.save(buffer, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    except (pikepdf.PdfError, ValueError, KeyError, OSError):
        return data
    return buffer.getvalue()


@dataclass(frozen=True)
class Conversion:
    """A PDF made in memory (``data``), or why there is none (``reason``, ``detail``)."""

    data: bytes | None
    reason: str = ""
    detail: str = ""


def convert(odt: bytes, timeout: float | None = None, *,
            started: Callable[[int], None] | None = None,
            ended: Callable[[int], None] | None = None,
            scratch: str | Path | None = None) -> Conversion:
    """The PDF of the ODF text ``odt``, made by LibreOffice headless within ``timeout``
    seconds (default ``DEFAULT_TIMEOUT``); writes nothing else.

    ``started`` receives the process group of each LibreOffice process as soon as it runs,
    so whoever may have to stop it can kill the whole group, and ``ended`` the same group
    once it is gone. Its working folder (copy of the document, profiles, output) is made
    under ``scratch`` (default: the system's temporary folder) and removed afterwards.

    A conversion from a kept profile seed that fails is tried once more from a new profile;
    when that one succeeds, its registry replaces the seed (see :func:`_seed_folder`).
    """
    soffice = find_soffice()
    if soffice is None:
        return Conversion(None, NO_OFFICE, INSTALL_HINT)
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + timeout
    program, direct = _program(soffice)
    seed = _seed_folder(program) if direct else None
    work = Path(tempfile.mkdtemp(prefix="genderstats-pdf-", dir=scratch))
    try:
        # A fixed plain name: LibreOffice names its output after the input.
        src = work / "in" / "document.odt"
        src.parent.mkdir()
        src.write_bytes(odt)
        attempt = _Attempt(program, direct, src, timeout, deadline, started, ended)
        seeded = seed is not None and _copy_seed(seed, work / "seeded")
        if seeded:
            result = attempt.run(work / "seeded")
            if result.data is not None or result.reason.startswith(_TIMED_OUT):
                return result
            # A seed that passed the checks yet fails: once more from scratch, then renewed.
        result = attempt.run(work / "profile")
        if seed is not None and result.data is not None:
            _keep_seed(work / "profile", seed)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


_TIMED_OUT = "LibreOffice 轉檔逾時"


class Office:
    """A LibreOffice started before its document is ready, so that converting it does not
    wait for LibreOffice to start (about half of a conversion).

    It runs headless, with no document, in its own throw-away profile (seeded as in
    :func:`convert`). :meth:`convert` then runs a second LibreOffice on the same profile with
    ``--convert-to``: LibreOffice hands a second instance's request to the running one
    through the profile's pipe, and answers once it has done it. Anything else (no
    LibreOffice program of its own beside the ``soffice`` script, no profile seed, a
    conversion that fails) leaves :func:`convert`'s own way, from a new LibreOffice.
    ``started`` and ``ended`` receive each process group, as in :func:`convert`. Whatever
    happens, :meth:`convert` or :meth:`stop` kills it, with everything it started.
    """

    def __init__(self, *, started: Callable[[int], None] | None = None,
                 ended: Callable[[int], None] | None = None,
                 scratch: str | Path | None = None) -> None:
        self.started, self.ended, self.scratch = started, ended, scratch
        self.proc: subprocess.Popen[bytes] | None = None
        self.work: Path | None = None
        soffice = find_soffice()
        self.program, direct = _program(soffice) if soffice else ("", False)
        seed = _seed_folder(self.program) if direct else None
        if seed is None:
            return
        self.work = Path(tempfile.mkdtemp(prefix="genderstats-pdf-", dir=scratch))
        self.profile = self.work / "seeded"
        if not _copy_seed(seed, self.profile):
            return
        self.proc = subprocess.Popen(
            [self.program, f"-env:UserInstallation={self.profile.as_uri()}", *_QUIET],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=_environment(direct=True))
        if started is not None:
            started(self.proc.pid)
        # What the conversion uses once LibreOffice is done, imported while it starts instead
        # of after the conversion, at the end of the build.
        with contextlib.suppress(ImportError):
            import pikepdf  # noqa: F401

    def convert(self, odt: bytes, timeout: float | None = None) -> Conversion:
        """The PDF of ``odt`` (as :func:`convert` makes it), within ``timeout`` seconds."""
        timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        try:
            if self.proc is not None and self.work is not None and self.proc.poll() is None:
                src = self.work / "in" / "document.odt"
                src.parent.mkdir()
                src.write_bytes(odt)
                result = _Attempt(self.program, True, src, timeout, deadline, self.started,
                                  self.ended).run(self.profile)
                if result.data is not None or result.reason.startswith(_TIMED_OUT):
                    return result
        finally:
            self.stop()
        return convert(odt, max(0.0, deadline - time.monotonic()), started=self.started,
                       ended=self.ended, scratch=self.scratch)

    def stop(self) -> None:
        """Kill LibreOffice's process group (once) and remove its folder."""
        if self.proc is not None:
            _kill_group(self.proc)
            if self.ended is not None:
                self.ended(self.proc.pid)
            self.proc = None
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None


# Headless, no window, dialogue, restored document or start centre.
_QUIET = ("--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
          "--nolockcheck")


def _environment(direct: bool) -> dict[str, str]:
    env = {**os.environ, "SAL_USE_VCLPLUGIN": "svp",
           # Half of a conversion's time was page faults: see malloc_tunables.
           "GLIBC_TUNABLES": malloc_tunables(os.environ.get("GLIBC_TUNABLES", ""))}
    if direct:
        env["SAL_ENABLE_FILE_LOCKING"] = "1"  # as the soffice script sets it
    return env


@dataclass(frozen=True)
class _Attempt:
    """One LibreOffice conversion of ``src`` in a given profile folder."""

    program: str
    direct: bool
    src: Path
    timeout: float
    deadline: float
    started: Callable[[int], None] | None
    ended: Callable[[int], None] | None

    def run(self, profile: Path) -> Conversion:
        out = profile.parent / f"{profile.name}-out"
        out.mkdir()
        cmd = [self.program, f"-env:UserInstallation={profile.as_uri()}", *_QUIET,
               "--convert-to", EXPORT, "--outdir", str(out), str(self.src)]
        env = _environment(self.direct)
        for _ in range(2):
            code, stderr = _run(cmd, env, self.deadline, self.started, self.ended)
            if code is None:
                return Conversion(None, f"{_TIMED_OUT}（{self.timeout:g} 秒），未產製 PDF")
            # Started again as oosplash (which the soffice script runs) would do.
            if not (self.direct and code == _RESTART):
                break
        pdf = out / "document.pdf"
        data = pdf.read_bytes() if pdf.is_file() else b""
        if code != 0 or not data.startswith(b"%PDF"):
            shown = f"（結束碼 {code}）" if code else ""
            return Conversion(None, f"LibreOffice 轉檔失敗{shown}，未產製 PDF", _tail(stderr))
        return Conversion(_unversioned(data))


def _run(cmd: list[str], env: dict[str, str], deadline: float,
         started: Callable[[int], None] | None,
         ended: Callable[[int], None] | None) -> tuple[int | None, bytes]:
    """Run one LibreOffice process in its own session until ``deadline``: (exit code, its
    standard error), or (None, b"") when it ran out of time and was killed."""
    # Its own session (process group), so a time-out can kill everything it started.
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, env=env)
    try:
        if started is not None:
            started(proc.pid)
        _, stderr = proc.communicate(timeout=max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        return None, b""
    except BaseException:
        # Ctrl-C or SIGTERM of the build: LibreOffice must not outlive it.
        _kill_group(proc)
        raise
    finally:
        if ended is not None and proc.returncode is not None:
            ended(proc.pid)
    return proc.returncode, stderr


def _program(soffice: str) -> tuple[str, bool]:
    """The program to run, and whether it is LibreOffice's ``soffice.bin`` itself.

    ``soffice`` is a shell script that runs ``oosplash``, which runs ``soffice.bin``: where
    that sits beside the script, it is run directly, which saves two programs' start-up.
    """
    real = Path(os.path.realpath(soffice))
    binary = real.with_name("soffice.bin")
    if real.name in ("soffice", "libreoffice") and os.access(binary, os.X_OK):
        return str(binary), True
    return soffice, False


def _seed_folder(program: str) -> Path | None:
    """Where the profile seed of this LibreOffice is kept: the user's cache folder.

    A new profile makes LibreOffice set up its extension registry and then start again,
    about a tenth of its time. The registry it made (``user/extensions``: empty databases
    and the build id, no paths or documents) is kept and copied into each new throw-away
    profile, as JODConverter's template profile does. Keyed by the program's size and
    modification time, so an upgraded LibreOffice gets its own. None when the cache folder
    cannot be used (:mod:`usercache`): every profile is then made from scratch.
    """
    folder = usercache.folder()
    try:
        info = os.stat(program)
    except OSError:
        return None
    if folder is None or not usercache.usable(folder):
        return None
    key = hashlib.sha256(f"{program}\0{info.st_size}\0{info.st_mtime_ns}".encode()).hexdigest()
    return folder / f"libreoffice-{key[:16]}"


# A seed is a few dozen small files (about 150 KB): anything much larger is not one.
_SEED_FILES = 500
_SEED_FILE_BYTES = 256 * 1024
_SEED_BYTES = 4 * 1024 * 1024


def valid_seed(extensions: Path) -> bool:
    """Whether ``extensions`` holds a usable extension registry: a build id, well-formed
    registry databases (``*.xml``), sync stamps that are numbers; only plain files and
    folders, of a seed's size. A seed that fails is not used, and is replaced."""
    import xml.etree.ElementTree as ET

    try:
        if extensions.is_symlink() or not (extensions / "buildid").is_file():
            return False
        if not (extensions / "buildid").read_bytes().strip():
            return False
        count = total = 0
        for path in extensions.rglob("*"):
            info = path.lstat()
            count += 1
            if count > _SEED_FILES:
                return False
            if stat.S_ISDIR(info.st_mode):
                continue
            total += info.st_size
            if (not stat.S_ISREG(info.st_mode) or info.st_size > _SEED_FILE_BYTES
                    or total > _SEED_BYTES):
                return False
            if path.suffix == ".xml":
                ET.fromstring(path.read_bytes())
            elif path.name == "lastsynchronized" and not path.read_bytes().strip().isdigit():
                return False
    except (OSError, ET.ParseError, ValueError):
        return False
    return True


def _copy_seed(seed: Path, profile: Path) -> bool:
    """Copy a kept seed into the new profile; False when there is none, or it is unusable."""
    if not valid_seed(seed / "extensions"):
        return False
    try:
        shutil.copytree(seed / "extensions", profile / "user" / "extensions", symlinks=True)
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)
        return False
    return True


def _keep_seed(profile: Path, seed: Path) -> None:
    """Keep the extension registry of a profile LibreOffice has just set up, in place of
    any seed there, atomically (another build may do the same at once); a cache that cannot
    be written is skipped."""
    source = profile / "user" / "extensions"
    if not valid_seed(source):
        return
    with contextlib.suppress(OSError):
        seed.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".seed-", dir=seed.parent))
        try:
            shutil.copytree(source, staging / "extensions")
            if seed.exists() or seed.is_symlink():
                # The old seed is moved aside first: a folder cannot be renamed over another.
                old = Path(tempfile.mkdtemp(prefix=".old-", dir=seed.parent))
                os.rename(seed, old / "seed")
                shutil.rmtree(old, ignore_errors=True)
            os.rename(staging, seed)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def write_pdf(conversion: Conversion, target: str | Path) -> PdfResult:
    """Publish a conversion at ``target`` (atomically); a failed one writes nothing."""
    if conversion.data is None:
        return PdfResult(None, conversion.reason, conversion.detail)
    return PdfResult(write_atomic(Path(target), conversion.data))


def to_pdf(odt_path: str | Path, out_dir: str | Path, timeout: float | None = None,
           *, name: str | None = None) -> PdfResult:
    """Convert ``odt_path`` to ``out_dir/<name or its stem>.pdf`` with LibreOffice headless.

    Returns the written path, or no path and the reason in Traditional Chinese: LibreOffice
    is missing, ran past ``timeout`` seconds, or failed. A failed conversion writes nothing
    and leaves the previous PDF in place. The ODT is converted from a copy, so LibreOffice's
    lock file never appears beside it.
    """
    source = Path(odt_path)
    target = Path(out_dir) / f"{name or source.stem}.pdf"
    return write_pdf(convert(source.read_bytes(), timeout), target)
