"""The yearly build: run every report of a year and publish its pages.

registry → cache check → parallel papermill runs (one kernel each) → nbconvert HTML →
atomic publish → ``<out>/<year>/{index.html, <id>.html, indicators.csv, manifest.json}``.

Heavy imports (papermill, nbconvert, pandas) happen only when a report must run, so an
unchanged rebuild costs little more than hashing the inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from genderstats import __version__, config
from genderstats.record import (
    INDICATOR_COLUMNS,
    INDICATORS_MIME,
    INPUTS_MIME,
    SUMMARY_MIME,
    file_sha256,
)
from genderstats.registry import Report, load_registry, select
from genderstats.years import roc_year

STATE_DIR = ".state"
LOCK_NAME = ".build.lock"
PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "papermill", "nbconvert", "nbclient",
            "ipykernel", "openpyxl", "odfpy")


def say(line: str) -> None:
    """Print one progress line in a single write, so parallel workers' lines stay whole."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class BuildLocked(RuntimeError):
    """Another build is writing to the same output folder."""


@dataclass
class BuildOptions:
    year: int | str
    data_dir: Path = config.DATA_DIR
    out_dir: Path = config.OUTPUTS_DIR
    only: list[str] = field(default_factory=list)
    jobs: int | None = None
    force: bool = False
    registry: Path | None = None
    echo: Callable[[str], None] = say


@dataclass
class ReportResult:
    id: str
    status: str  # "ok" | "failed" | "unchanged"
    seconds: float = 0.0
    error: str | None = None


@dataclass
class BuildResult:
    year: int
    out: Path
    results: list[ReportResult]

    @property
    def ok(self) -> bool:
        return all(r.status != "failed" for r in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


# ---------------------------------------------------------------- cache keys

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


# ---------------------------------------------------------------- state

def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: Any) -> None:
    from genderstats.publish import write_atomic

    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _relative(path: str | Path) -> str:
    p = Path(path).resolve()
    try:
        return p.relative_to(config.PROJECT_ROOT).as_posix()
    except ValueError:
        return p.as_posix()


# ---------------------------------------------------------------- one report (worker side)

def collect_records(nb: Any) -> dict[str, Any]:
    """The indicators, input files, folders and key figure a notebook recorded."""
    indicators: list[dict[str, Any]] = []
    read: list[str] = []
    dirs: list[str] = []
    summary: str | None = None
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            if INDICATORS_MIME in data:
                indicators.extend(data[INDICATORS_MIME])
            if INPUTS_MIME in data:
                read.extend(data[INPUTS_MIME].get("read", []))
                dirs.extend(data[INPUTS_MIME].get("dirs", []))
            if SUMMARY_MIME in data:
                summary = data[SUMMARY_MIME].get("key_figure")
    return {"indicators": indicators, "read": sorted(set(read)), "dirs": sorted(set(dirs)),
            "summary": summary}


def _error_text(nb: Any, exc: BaseException) -> str:
    """The message an analyst needs: the exception raised in the notebook, not papermill's."""
    for cell in nb.cells if nb is not None else []:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return f"{out.get('ename')}: {out.get('evalue')}".strip()
    return f"{type(exc).__name__}: {exc}"


def _sources(read: list[str], data_dir: str) -> list[dict[str, str]]:
    """The data files a page was made from (configuration such as the registry is not data)."""
    out = []
    root = Path(data_dir).resolve()
    for p in read:
        path = Path(p)
        if path.is_file() and path.is_relative_to(root):
            modified = datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d")
            out.append({"name": _relative(path), "modified": f"檔案日期 {modified}"})
    return out


def run_report(report: Report, parameters: dict[str, Any], year: int, out: Path) -> dict[str, Any]:
    """Execute one report in its own kernel and publish it; never raises for a report error."""
    import nbformat
    import papermill as pm

    from genderstats.publish import notebook_to_html, write_atomic

    started = time.perf_counter()
    work = out / STATE_DIR / "work"
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{report.id}.ipynb"
    nb = None
    error = None
    # The kernel inherits fd 2: its warnings go to the report's log, not the terminal.
    log_path = out / "logs" / f"{report.id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    saved_stderr = os.dup(2)
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in finally
    os.dup2(log.fileno(), 2)
    try:
        declared = pm.inspect_notebook(str(report.notebook))
        unknown = sorted(set(parameters) - set(declared))
        if unknown:
            raise ValueError(
                f"筆記本 {report.notebook.name} 的 parameters 格沒有宣告 {', '.join(unknown)}；"
                f"請在該格加上，或從 reports.yml 移除。"
            )
        pm.execute_notebook(
            str(report.notebook), str(executed), parameters=parameters,
            kernel_name="python3", progress_bar=False, log_output=False,
            cwd=str(report.notebook.parent),
            # Saving the whole notebook after every cell costs more than some reports' work;
            # the executed notebook is saved once at the end, or on failure.
            request_save_on_cell_execute=False,
        )
    except Exception as exc:  # noqa: BLE001 - any failure of a report is reported, not raised
        if executed.is_file():
            nb = nbformat.read(executed, as_version=4)
        error = _error_text(nb, exc)
    finally:
        sys.stderr.flush()
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        log.close()
    if nb is None and executed.is_file():
        nb = nbformat.read(executed, as_version=4)

    records = collect_records(nb) if nb is not None else {
        "indicators": [], "read": [], "dirs": [], "summary": None}
    built = datetime.now().astimezone()
    try:
        if nb is not None:
            page = notebook_to_html(nb, title=report.title, year=year, built=built,
                                    sources=_sources(records["read"], parameters["data_dir"]),
                                    error=error,
                                    index_href="../index.html" if error else "index.html")
            if error is None:
                write_atomic(out / f"{report.id}.html", page)
                (out / "failed" / f"{report.id}.html").unlink(missing_ok=True)
            else:
                write_atomic(out / "failed" / f"{report.id}.html", page)
            write_atomic(out / "notebooks" / f"{report.id}.ipynb", executed.read_bytes())
    except Exception as exc:  # noqa: BLE001
        error = error or f"發布失敗：{type(exc).__name__}: {exc}"
        traceback.print_exc()
    finally:
        executed.unlink(missing_ok=True)
    return {
        "id": report.id,
        "status": "failed" if error else "ok",
        "error": error,
        "seconds": round(time.perf_counter() - started, 2),
        "built": built.isoformat(timespec="seconds"),
        "inputs": {p: file_sha256(p) for p in records["read"] if Path(p).is_file()},
        "dirs": records["dirs"],
        "indicators": records["indicators"],
        "summary": records["summary"],
    }


def _run_in_worker(args: tuple[Report, dict[str, Any], int, Path]) -> dict[str, Any]:
    report = args[0]
    # One write per line so lines of parallel workers do not interleave.
    say(f"  開始  {report.id}")
    return run_report(*args)


def _warm_imports() -> None:
    # Imported once in the parent so forked workers share them instead of paying each time.
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    import genderstats.publish  # noqa: F401


# ---------------------------------------------------------------- the build

def build(options: BuildOptions) -> BuildResult:
    """Build every selected report of a year; see the module docstring."""
    from filelock import FileLock, Timeout

    year = roc_year(options.year)
    data_dir = Path(options.data_dir).resolve()
    out = Path(options.out_dir).resolve() / str(year)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BuildLocked(
            f"另一個 genderstats build 正在寫入 {out}（鎖定檔 {out / LOCK_NAME}）。"
            "為避免兩次產製互相覆蓋，本次停止；請等它結束後再執行。"
        ) from None
    try:
        return _build_locked(options, year, data_dir, out)
    finally:
        lock.release()


def _build_locked(options: BuildOptions, year: int, data_dir: Path, out: Path) -> BuildResult:
    echo = options.echo
    started_at = datetime.now().astimezone()
    t0 = time.perf_counter()
    all_reports = load_registry(options.registry)
    reports = select(all_reports, options.only)
    package = package_fingerprint()
    state_dir = out / STATE_DIR

    todo: list[tuple[Report, dict[str, Any]]] = []
    results: dict[str, ReportResult] = {}
    states: dict[str, dict[str, Any]] = {}
    for report in all_reports:
        states[report.id] = _read_json(state_dir / f"{report.id}.json") or {}
    for report in reports:
        params = report.build_parameters(year, data_dir)
        prev = states[report.id]
        last = prev.get("last_good") or {}
        fresh = (
            not options.force
            and prev.get("status") == "ok"
            and (out / f"{report.id}.html").is_file()
            and last.get("key") == cache_key(report, params, package,
                                             list(last.get("inputs", {})), last.get("dirs", []))
        )
        if fresh:
            results[report.id] = ReportResult(report.id, "unchanged")
            echo(f"  未變更 {report.id}")
        else:
            todo.append((report, params))

    # Longest first (by the last build's times), so no worker is left running one alone.
    todo.sort(key=lambda t: -float((states[t[0].id].get("seconds")) or 0.0))
    jobs = max(1, min(options.jobs or os.cpu_count() or 1, len(todo) or 1))
    if todo:
        echo(f"產製 {year} 年度 {len(todo)} 份報告（{jobs} 個同時執行）…")
        _warm_imports()
    finished: list[dict[str, Any]] = []

    def done(res: dict[str, Any]) -> None:
        finished.append(res)
        if res["status"] == "ok":
            echo(f"  完成  {res['id']}  {res['seconds']:.1f} 秒")
        else:
            first = (res["error"] or "").splitlines()[0] if res["error"] else ""
            echo(f"  失敗  {res['id']}  {res['seconds']:.1f} 秒：{first}")

    if jobs == 1:
        for report, params in todo:
            done(_run_in_worker((report, params, year, out)))
    elif todo:
        import multiprocessing

        method = "fork" if sys.platform.startswith("linux") else "spawn"
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context(method)) as pool:
            futures: dict[Future[dict[str, Any]], str] = {
                pool.submit(_run_in_worker, (r, p, year, out)): r.id for r, p in todo
            }
            for fut in as_completed(futures):
                try:
                    done(fut.result())
                except Exception as exc:  # noqa: BLE001 - a dead worker fails its report only
                    done({"id": futures[fut], "status": "failed", "seconds": 0.0,
                          "error": f"執行程序異常結束：{type(exc).__name__}: {exc}",
                          "built": datetime.now().astimezone().isoformat(timespec="seconds"),
                          "inputs": {}, "dirs": [], "indicators": [], "summary": None})

    params_by_id = {r.id: p for r, p in todo}
    for res in finished:
        rid = res["id"]
        prev = states[rid]
        report = next(r for r in reports if r.id == rid)
        state = {"status": res["status"], "error": res["error"], "seconds": res["seconds"],
                 "attempted": res["built"], "parameters": params_by_id[rid],
                 "last_good": prev.get("last_good")}
        if res["status"] == "ok":
            state["last_good"] = {
                "key": cache_key(report, params_by_id[rid], package, list(res["inputs"]),
                                 res["dirs"]),
                "built": res["built"], "seconds": res["seconds"], "inputs": res["inputs"],
                "dirs": res["dirs"], "indicators": res["indicators"], "summary": res["summary"],
                "parameters": params_by_id[rid],
            }
        _write_json(state_dir / f"{rid}.json", state)
        states[rid] = state
        results[rid] = ReportResult(rid, res["status"], res["seconds"], res["error"])

    finished_at = datetime.now().astimezone()
    write_outputs(out, year, all_reports, states, results, started_at, finished_at)
    ordered = [results[r.id] for r in reports]
    n_ok = sum(r.status == "ok" for r in ordered)
    n_same = sum(r.status == "unchanged" for r in ordered)
    n_fail = sum(r.status == "failed" for r in ordered)
    echo(f"{len(ordered)} 份報告：{n_ok} 份產製成功、{n_same} 份未變更、{n_fail} 份失敗，"
         f"共 {time.perf_counter() - t0:.1f} 秒 → {out / 'index.html'}")
    return BuildResult(year, out, ordered)


# ---------------------------------------------------------------- year outputs

def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def indicators_frame_rows(year: int, reports: list[Report],
                          states: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every recorded count of the year's published pages, in registry order."""
    rows = []
    for report in reports:
        last = states.get(report.id, {}).get("last_good") or {}
        for row in last.get("indicators", []):
            rows.append({"year": year, "report": report.id, **row})
    return rows


def write_indicators(path: Path, rows: list[dict[str, Any]]) -> None:
    """``indicators.csv`` in UTF-8 with BOM so Excel on Windows shows the Chinese."""
    import csv
    import io

    from genderstats.publish import write_atomic

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=INDICATOR_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        share = row.get("share")
        writer.writerow({**{k: row.get(k) for k in INDICATOR_COLUMNS},
                         "share": "" if share is None else repr(float(share))})
    write_atomic(path, "\ufeff" + buf.getvalue())


def write_outputs(out: Path, year: int, reports: list[Report], states: dict[str, dict[str, Any]],
                  results: dict[str, ReportResult], started: datetime, finished: datetime) -> None:
    """indicators.csv, manifest.json and index.html for the year, each written atomically."""
    from genderstats.index import render_index
    from genderstats.publish import write_atomic

    write_indicators(out / "indicators.csv", indicators_frame_rows(year, reports, states))
    entries = []
    previous = _read_json(out / "manifest.json") or {}
    prev_entries = {e["id"]: e for e in previous.get("reports", [])}
    for report in reports:
        state = states.get(report.id, {})
        last = state.get("last_good") or {}
        res = results.get(report.id)
        if res is None and report.id in prev_entries:
            entries.append(prev_entries[report.id])  # not part of this build (--only)
            continue
        status = res.status if res else state.get("status", "failed")
        entries.append({
            "id": report.id,
            "title": report.title,
            "notebook": _relative(report.notebook),
            "parameters": state.get("parameters") or last.get("parameters") or {},
            "status": status,
            "seconds": res.seconds if res else 0.0,
            "error": state.get("error") if status == "failed" else None,
            "built": last.get("built"),
            "html": f"{report.id}.html" if (out / f"{report.id}.html").is_file() else None,
            "failed_html": f"failed/{report.id}.html" if status == "failed" else None,
            "executed_notebook": f"notebooks/{report.id}.ipynb",
            "inputs": {_relative(p): h for p, h in sorted(last.get("inputs", {}).items())},
            "key_figure": last.get("summary"),
        })
    manifest = {
        "year": year,
        "reports": entries,
        "genderstats_version": __version__,
        "python": platform.python_version(),
        "packages": _versions(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
    }
    _write_json(out / "manifest.json", manifest)
    write_atomic(out / "index.html", render_index(out, manifest))
