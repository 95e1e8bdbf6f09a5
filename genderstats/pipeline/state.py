"""What the build keeps of each report between builds, and what one run gives back.

A run's :class:`RunResult` crosses from the worker to the build; the build keeps a
:class:`ReportState` per report in ``<out>/<year>/.state/<id>.json``, whose
:class:`LastGood` (the last successful run) decides whether the report must run again
(:func:`cache_key`) and what its page published (indicators, key figure, figures).
The states lie in the published folder: they name no folder of this machine (paths in
``PublicPaths.stored`` form).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from genderstats import config
from genderstats.pipeline.registry import Report
from genderstats.record import file_sha256
from genderstats.report_status import Status

STATE_DIR = ".state"  # in the year's output folder


@dataclass
class ReportResult:
    """What became of one report in this build (the build's result lists one per report)."""

    id: str
    status: Status  # ok, failed or unchanged
    seconds: float = 0.0
    error: str | None = None
    input_error: bool = False  # failed on the year's data (invalid, or required files missing)


@dataclass
class RunResult:
    """One report's run, as the worker (or the build, for a report it refused) reports it.

    ``page`` is the committee page when it succeeded, the failed page otherwise;
    ``notebook`` the executed notebook to publish (for a failed run, its public version);
    ``pdf`` the PDF made of ``document`` while the notebook ran (a ``pdf.Conversion``).
    """

    id: str
    status: Status
    error: str | None
    seconds: float
    built: str
    inputs: dict[str, str] = field(default_factory=dict)  # path → sha256
    dirs: list[str] = field(default_factory=list)
    indicators: list[dict[str, Any]] = field(default_factory=list)
    summary: str | None = None
    figures: dict[str, str | None] = field(default_factory=dict)
    document: bytes | None = None
    pdf: Any = None
    page: str | None = None
    notebook: bytes | None = None
    phases: dict[str, float] = field(default_factory=dict)
    input_error: bool = False  # failed on the year's data (invalid, or required files missing)

    @classmethod
    def failed(cls, rid: str, error: str, seconds: float, built: str,
               input_error: bool = False) -> RunResult:
        """A report that failed without a notebook run (refused, timed out, worker died)."""
        return cls(rid, Status.FAILED, error, seconds, built, input_error=input_error)


@dataclass
class LastGood:
    """A report's last successful run: its cache key and what it published."""

    key: str
    built: str
    seconds: float
    inputs: dict[str, str]  # stored path → sha256
    key_inputs: list[str]  # other files the key depends on (the status file)
    dirs: list[str]
    indicators: list[dict[str, Any]]
    summary: str | None
    figures: dict[str, str | None]  # only the names the registry declares
    parameters: dict[str, Any]
    pdf_note: str | None = None  # why its document has no PDF


@dataclass
class ReportState:
    """A report's state after its last attempt (``ok`` or ``failed``)."""

    status: Status
    error: str | None
    seconds: float
    attempted: str | None
    parameters: dict[str, Any]
    phases: dict[str, float] = field(default_factory=dict)
    last_good: LastGood | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> ReportState | None:
        """The state a file holds; None for any other shape (an old, truncated or
        hand-edited file: the report is simply built again)."""
        if not (isinstance(data, dict)
                and data.get("status") in (Status.OK, Status.FAILED)
                and isinstance(data.get("error"), str | None)
                and isinstance(data.get("seconds"), int | float)
                and isinstance(data.get("parameters"), dict)):
            return None
        last = data.get("last_good")
        good = _last_good(last)
        if last is not None and good is None:
            return None
        phases = data.get("phases")
        return cls(Status(data["status"]), data["error"], float(data["seconds"]),
                   data.get("attempted") if isinstance(data.get("attempted"), str) else None,
                   data["parameters"],
                   phases if isinstance(phases, dict) else {}, good)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _last_good(last: Any) -> LastGood | None:
    if not (isinstance(last, dict)
            and isinstance(last.get("key"), str)
            and isinstance(last.get("built"), str)
            and isinstance(last.get("seconds", 0.0), int | float)
            and isinstance(last.get("inputs"), dict)
            and all(isinstance(k, str) and isinstance(v, str)
                    for k, v in last["inputs"].items())
            and _is_str_list(last.get("dirs"))
            and _is_str_list(last.get("key_inputs", []))
            and isinstance(last.get("indicators"), list)
            and all(isinstance(r, dict) for r in last["indicators"])
            and isinstance(last.get("summary"), str | None)
            and isinstance(last.get("figures", {}), dict)
            and all(isinstance(v, str | None) for v in last.get("figures", {}).values())
            and isinstance(last.get("parameters"), dict)
            and isinstance(last.get("pdf_note"), str | None)):
        return None
    return LastGood(last["key"], last["built"], float(last.get("seconds", 0.0)),
                    last["inputs"], last.get("key_inputs", []), last["dirs"],
                    last["indicators"], last["summary"], last.get("figures", {}),
                    last["parameters"], last.get("pdf_note"))


def standing(state: ReportState | None, page: bool) -> Status:
    """A report as the year stands: ``ok`` only for a published ``page`` whose last run
    succeeded, ``failed`` when its last run failed, else ``unbuilt``."""
    if state is not None and state.status == Status.OK and page:
        return Status.OK
    if state is not None and state.status == Status.FAILED:
        return Status.FAILED
    return Status.UNBUILT


def load_state(path: Path) -> tuple[ReportState | None, bool]:
    """A report's saved state (None when there is none), and whether a file was there but
    unusable (then None: the report is built again)."""
    if not path.exists() and not path.is_symlink():
        return None, False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, True
    state = ReportState.from_json(data)
    return state, state is None


def package_fingerprint() -> str:
    """Hash of every file of the helper package: editing any module invalidates every report."""
    digest = hashlib.sha256()
    root = config.PACKAGE_DIR
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _listing(directory: str) -> list[str]:
    d = Path(directory)
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def cache_key(report: Report, parameters: dict[str, Any], package: str,
              inputs: list[str], dirs: list[str]) -> str:
    """What a report's result depends on: notebook, parameters, code, inputs and their folders.

    ``inputs`` and ``dirs`` come from the report's last run (the files it read and the
    folders it looked in), so a changed file, or a file added to a folder, re-runs it.
    """
    payload = {
        "notebook": file_sha256(report.notebook),
        "parameters": parameters,
        "package": package,
        "inputs": {p: (file_sha256(p) if Path(p).is_file() else None) for p in sorted(inputs)},
        "dirs": {d: _listing(d) for d in sorted(dirs)},
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()
