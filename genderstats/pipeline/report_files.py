"""A finished report's files in the year's output folder: its page, executed notebook,
document (ODT and PDF) and logs. Only the build's own process writes them, under the lock,
each file atomically."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from genderstats.clock import stamp
from genderstats.pipeline.logs import public_log, staff_log
from genderstats.pipeline.public_paths import PublicPaths
from genderstats.pipeline.publish import write_atomic
from genderstats.pipeline.registry import Report
from genderstats.pipeline.state import RunResult
from genderstats.report_status import Status

LOG_SCRUBBED = 16 * 1024 * 1024  # a public log longer than this is not rewritten


class ReportFiles:
    """Writes what a report's run produced into ``out`` (``<out>/<year>``)."""

    def __init__(self, out: Path, year: int, paths: PublicPaths,
                 echo: Callable[[str], None]) -> None:
        self.out, self.year, self.paths, self.echo = out, year, paths, echo

    def made_public(self, res: RunResult) -> None:
        """Put a finished run's notebook, page and error in public form (no path of this
        machine: :mod:`public_paths`), and its public log too."""
        shown = self.paths
        if res.notebook is not None:
            folder = "notebooks" if res.status == Status.OK else "failed"
            res.notebook = shown.notebook(res.notebook, f"{folder}/{res.id}.ipynb")
        if res.page is not None:
            res.page = shown.text(res.page)
        if res.error is not None:
            res.error = shown.text(res.error)
        self._public_log(res.id)

    def _public_log(self, rid: str) -> None:
        """The public log the worker wrote, with the paths of this machine in public form."""
        path = self.out / "logs" / f"{rid}.log"
        with contextlib.suppress(OSError):
            if path.stat().st_size > LOG_SCRUBBED:
                return
            text = path.read_text(encoding="utf-8", errors="replace")
            shown = self.paths.text(text)
            if shown != text:
                write_atomic(path, shown)

    def log(self, rid: str, line: str, detail: str | None = None) -> None:
        """``line`` (Chinese) on the report's public log; with ``detail`` (English text,
        another program's output) on its staff log only."""
        public_log(self.out, rid, line)
        with contextlib.suppress(OSError):  # a staff log that cannot be written stops nothing
            with open(staff_log(self.out, rid), "a", encoding="utf-8") as fh:
                fh.write(f"{stamp()} {line}\n" + (f"{detail}\n" if detail else ""))

    def publish(self, report: Report, res: RunResult) -> str | None:
        """Write a finished report's files; returns why its document has no PDF (None when
        it has one, or has no document)."""
        out, rid = self.out, report.id
        failed_page, failed_nb = out / "failed" / f"{rid}.html", out / "failed" / f"{rid}.ipynb"
        if res.status == Status.OK:
            note = None
            if res.document:
                write_atomic(out / f"{rid}.odt", res.document)
                note = self.make_pdf(rid, res.document, res.pdf)
            write_atomic(out / f"{rid}.html", res.page or "")
            write_atomic(out / "notebooks" / f"{rid}.ipynb", res.notebook or b"")
            failed_page.unlink(missing_ok=True)
            failed_nb.unlink(missing_ok=True)
            return note
        write_atomic(failed_page, res.page or self._error_page(report, res.error or ""))
        # The last good run's notebook stays in notebooks/; this run's goes beside its page.
        if res.notebook is not None:
            write_atomic(failed_nb, res.notebook)
        else:
            failed_nb.unlink(missing_ok=True)
        return None

    def make_pdf(self, rid: str, odt: bytes, conversion: Any = None) -> str | None:
        """``<id>.pdf`` of ``odt`` (``conversion``: the PDF the worker made of it while the
        notebook ran; without one, it is made here); returns why there is none. A PDF that
        could not be made from this ODT is removed rather than left beside it: it would show
        the figures of an earlier build. The reason goes to the public log, LibreOffice's
        own message only to the staff log."""
        from genderstats.pipeline.pdf import convert, write_pdf

        result = write_pdf(conversion if conversion is not None else convert(odt),
                           self.out / f"{rid}.pdf")
        if result:
            return None
        (self.out / f"{rid}.pdf").unlink(missing_ok=True)
        self.log(rid, result.reason, result.detail)
        self.echo(f"  注意  {rid}：{result.reason}")
        return result.reason

    def _error_page(self, report: Report, error: str) -> str:
        """A failed page for a run that left no notebook (time-out, dead worker)."""
        from nbformat.v4 import new_notebook

        from genderstats.pipeline.publish import notebook_to_html

        return notebook_to_html(new_notebook(), title=report.title, year=self.year,
                                error=error, index_href="../index.html",
                                published=(self.out / f"{report.id}.html").is_file())
