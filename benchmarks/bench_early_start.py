"""Time what the early-start tests check only in order: how soon the results report sees the
status file complete, and that a job waiting for the others holds no place in the pool.

    .venv/bin/python benchmarks/bench_early_start.py

1. ``report_status.load_status`` on a pending file the build completes 0.4 s later: returns within
   0.1 s of the completion (it reads the file every 0.01 s).
2. ``report_status.load_status`` on a pending file whose build has ended: fails within 0.5 s.
3. ``Pool(1)`` with a waiting job and two 1 s jobs: the first starts within 0.5 s of the
   waiting one, the second no sooner than 0.9 s (after the first).

Prints each time against its bound and exits 1 when one is missed. On a loaded machine the
bounds may be missed without a fault; run it again on a quiet one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genderstats import report_status  # noqa: E402
from genderstats.pipeline.processes import Job, Pool  # noqa: E402

COMPLETE_AFTER = 0.4


def _status(path: Path, status: str, **extra: object) -> None:
    report = {"title": "a", "unit": "", "status": status, "page": None, "key_figure": None}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"year": 112, "reports": {"a": report}, **extra}),
                   encoding="utf-8")
    os.replace(tmp, path)


def status_wait(work: Path) -> float:
    """Seconds from the file's completion to load_status returning."""
    path = work / "status.json"
    _status(path, "pending", complete=False, builder=os.getpid())
    completed: list[float] = []

    def complete() -> None:
        time.sleep(COMPLETE_AFTER)
        _status(path, "ok")
        completed.append(time.perf_counter())

    writer = threading.Thread(target=complete)
    writer.start()
    report_status.load_status(path, 112)
    returned = time.perf_counter()
    writer.join()
    return returned - completed[0]


def dead_builder(work: Path) -> float:
    """Seconds load_status takes to refuse a pending file whose build has ended."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    path = work / "dead.json"
    _status(path, "pending", complete=False, builder=proc.pid)
    t0 = time.perf_counter()
    try:
        report_status.load_status(path, 112)
    except ValueError:
        return time.perf_counter() - t0
    raise SystemExit("load_status accepted a pending file whose build has ended")


def _sleep(seconds: float, notify: object) -> float:
    time.sleep(seconds)
    return seconds


def pool_starts() -> dict[str, float]:
    """Seconds from the pool's start to each job's start."""
    started: dict[str, float] = {}
    t0 = time.perf_counter()
    jobs = [Job("waiting", _sleep, (3.0,), timeout=2.5, waits=True),
            Job("a", _sleep, (1.0,)), Job("b", _sleep, (1.0,))]
    pool = Pool(1)

    def done(outcome) -> None:
        if outcome.job.key == "b":
            pool.restart_clocks()

    pool.run(jobs, lambda job: started.setdefault(job.key, time.perf_counter() - t0), done)
    return started


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        starts = pool_starts()
        checks = [
            ("status file completed → load_status returns", status_wait(work), "≤", 0.1),
            ("build ended → load_status fails", dead_builder(work), "≤", 0.5),
            ("pool: first job starts beside the waiting one", starts["a"], "≤", 0.5),
            ("pool: second job starts after the first", starts["b"], "≥", 0.9),
        ]
    missed = 0
    for what, seconds, op, bound in checks:
        ok = seconds <= bound if op == "≤" else seconds >= bound
        missed += not ok
        print(f"{what:<48} {seconds:6.3f} s  (目標 {op} {bound} s){'' if ok else '  未達'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
