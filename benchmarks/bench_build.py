"""Time the yearly build against the loop a user would write by hand, per engine and per patch.

    .venv/bin/python benchmarks/bench_build.py [--year 112] [--no-patches]

1. naive: for each report, the ``papermill`` CLI then ``jupyter nbconvert --to html --no-input``
2. ``genderstats build --force`` in the output folder of an earlier build, as a user forces
   one (all reports run again, in parallel; the fork engine, every patch on); beside it, the
   first build in a new output folder, which has no earlier build to go by (the reports'
   times, a PDF made before; see docs/performance.md)
3. ``genderstats build --force --engine plain`` (ordinary kernels, the libraries' public APIs
   only: every patch off), to show what the fork engine and the patches save together
4. for each speed patch of ``genderstats/pipeline/engine/patches.py``, the forced build with
   that patch alone switched off (``GENDERSTATS_PATCHES_OFF=<name>``) beside one with every
   patch on, in pairs (which goes first alternates): what the patch is worth, as the median of
   the pairs' ratios, in wall-clock time and in the CPU time of all the build's processes. The
   build keeps both cores busy, so CPU saved is time saved; it is also what a busy shared
   machine hides least (a patch that saves waiting, not work, shows in wall-clock time
   only). A patch that saves less than 5% of a forced build by both measures is marked for
   dropping
5. ``genderstats build`` again with nothing changed

Then, per report of a forced build of each engine, where its time went (kernel start, cells,
kernel stop, page export; from ``.state/<id>.json``).

Targets: forced build (fork engine) ≥ 10× faster than the naive loop; unchanged rebuild
≥ 30× faster than a forced build. Prints the times and ratios and exits 1 when a target is
missed. The build is run from this checkout (``PYTHONPATH``), with this Python. Every build
is timed five times or more and the median kept, each build beside the others in time: on
a shared machine one forced build of six seconds varies by a second from run to run, and by
more when the machine gets busy; a pair run back to back sees the same machine. The naive
loop's minute evens that out by itself.

Every run uses compiled bytecode, as an installed copy does: the package is compiled first,
and ``PYTHONDONTWRITEBYTECODE`` (set on some machines) is dropped for the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from genderstats.pipeline.engine import patches  # noqa: E402

BIN = Path(sys.executable).parent
# The benchmark's own choices only: no engine or patch switch of the caller's.
DROPPED = ("PYTHONDONTWRITEBYTECODE", patches.OFF_ENV, "GENDERSTATS_ENGINE")
ENV = {k: v for k, v in os.environ.items() if k not in DROPPED}
ENV["PYTHONPATH"] = str(ROOT)
NOOP_RUNS = 5
FULL_RUNS = 5
FULL_TARGET, NOOP_TARGET = 10, 30
WORTH = 0.05  # a speed patch saves at least this share of a forced build, or goes
SPEED = [p.name for p in patches.PATCHES.values() if p.speed]


def timed(cmd: list[str], env: dict[str, str] | None = None, **kw) -> float:
    return measured(cmd, env, **kw)[0]


def measured(cmd: list[str], env: dict[str, str] | None = None, **kw) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of every process of the run (each is waited for
    by its parent: the build, its workers, the fork server and its kernels, LibreOffice)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**ENV, **(env or {})}, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def naive_loop(year: int, work: Path) -> float:
    from genderstats.pipeline.registry import load_registry

    total = 0.0
    for report in load_registry():
        if report.draft:
            continue
        params = report.build_parameters(year, ROOT / "data")
        out = work / f"{report.id}.ipynb"
        flags = [x for k, v in params.items() for x in ("-p", k, str(v))]
        total += timed([str(BIN / "papermill"), str(report.notebook), str(out), *flags],
                       cwd=report.notebook.parent)
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(out)])
    return total


def breakdown(out: Path) -> list[tuple[str, float, dict[str, float]]]:
    """(id, seconds, phases) of each report of a build, longest first."""
    rows = []
    for path in sorted((out / ".state").glob("*.json")):
        state = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(state, dict) and "phases" in state:
            rows.append((path.stem, float(state["seconds"]), state["phases"]))
    return sorted(rows, key=lambda r: -r[1])


def print_breakdown(title: str, rows: list[tuple[str, float, dict[str, float]]]) -> None:
    print(f"\n{title}")
    print(f"  {'report':34s} {'total':>6s} {'kernel':>7s} {'cells':>6s} {'stop':>5s} "
          f"{'export':>7s}")
    sums = {"kernel": 0.0, "cells": 0.0, "stop": 0.0, "export": 0.0}
    for rid, seconds, ph in rows:
        for k in sums:
            sums[k] += ph.get(k, 0.0)
        print(f"  {rid:34s} {seconds:6.2f} {ph.get('kernel', 0):7.2f} {ph.get('cells', 0):6.2f}"
              f" {ph.get('stop', 0):5.2f} {ph.get('export', 0):7.2f}")
    print(f"  {'sum':34s} {sum(r[1] for r in rows):6.2f} {sums['kernel']:7.2f} "
          f"{sums['cells']:6.2f} {sums['stop']:5.2f} {sums['export']:7.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=112)
    ap.add_argument("--no-patches", action="store_true",
                    help="skip what each patch is worth (ten forced builds a patch)")
    args = ap.parse_args()
    gs = [sys.executable, "-m", "genderstats.pipeline.cli", "build", "--year", str(args.year)]
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "genderstats")],
                   check=True, stdout=subprocess.DEVNULL, env=ENV)
    weighed = [] if args.no_patches else SPEED
    fork_runs: list[float] = []
    first_runs: list[float] = []
    plain_runs: list[float] = []
    ratios: dict[str, list[tuple[float, float]]] = {name: [] for name in weighed}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        builds = iter(range(1_000_000))

        fork_out, plain_out = work / "out", work / "plain"

        def forced(*extra: str, env: dict[str, str] | None = None) -> tuple[float, float]:
            out = plain_out if "plain" in extra else fork_out
            return measured([*gs, "--force", *extra, "--out-dir", str(out)], env)

        def first() -> float:
            return timed([*gs, "--out-dir", str(work / f"first-{next(builds)}")])

        naive = naive_loop(args.year, work)
        timed([*gs, "--engine", "plain", "--out-dir", str(plain_out)])  # the earlier builds
        timed([*gs, "--out-dir", str(fork_out)])
        for n in range(FULL_RUNS):
            first_runs.append(first())
            fork_runs.append(forced()[0])
            plain_runs.append(forced("--engine", "plain")[0])
            for name in weighed:
                pair = {}
                for off in ((False, True) if n % 2 == 0 else (True, False)):
                    pair[off] = forced(env={patches.OFF_ENV: name} if off else None)
                fork_runs.append(pair[False][0])
                ratios[name].append((pair[True][0] / pair[False][0],
                                     pair[True][1] / pair[False][1]))
        forked = breakdown(fork_out / str(args.year))
        ordinary = breakdown(plain_out / str(args.year))
        noop = statistics.median(timed([*gs, "--out-dir", str(fork_out)])
                                 for _ in range(NOOP_RUNS))
    f, p = statistics.median(fork_runs), statistics.median(plain_runs)
    fresh = statistics.median(first_runs)
    print(f"naive loop (papermill CLI + nbconvert CLI):   {naive:6.1f} s")
    print(f"genderstats build --force (fork engine):      {f:6.1f} s   {naive / f:5.1f}x faster "
          f"(target ≥ {FULL_TARGET}x; median of {len(fork_runs)}, "
          f"{min(fork_runs):.1f}–{max(fork_runs):.1f} s)")
    print(f"  the first build, in a new output folder:    {fresh:6.1f} s   "
          f"{naive / fresh:5.1f}x faster "
          f"(median of {len(first_runs)}, {min(first_runs):.1f}–{max(first_runs):.1f} s)")
    print(f"genderstats build --force --engine plain:     {p:6.1f} s   {naive / p:5.1f}x faster; "
          f"the fork engine saves {p - f:.1f} s ({p / f:.2f}x; median of {len(plain_runs)}, "
          f"{min(plain_runs):.1f}–{max(plain_runs):.1f} s)")
    print(f"genderstats build, nothing changed:           {noop:6.2f} s   {f / noop:5.1f}x "
          f"faster than a full build (target ≥ {NOOP_TARGET}x)")
    if weighed:
        print(f"\nwhat each speed patch is worth: a forced build with it alone off against one "
              f"with every patch on, median of {FULL_RUNS} pairs")
        print(f"  {'patch':26s} {'wall':>6s} {'CPU':>6s}   pairs (wall/CPU)")
        for name in weighed:
            wall = statistics.median(r[0] for r in ratios[name]) - 1
            cpu = statistics.median(r[1] for r in ratios[name]) - 1
            verdict = "keep" if max(wall, cpu) >= WORTH else f"below {WORTH:.0%}: drop it"
            pairs = ", ".join(f"{w - 1:+.0%}/{c - 1:+.0%}" for w, c in ratios[name])
            print(f"  {name:26s} {wall:+6.1%} {cpu:+6.1%}   {pairs}  {verdict}")
    print_breakdown("per report, fork engine (seconds):", forked)
    print_breakdown("per report, plain engine (seconds):", ordinary)
    print("commands:", shlex.join(gs))
    ok = naive / f >= FULL_TARGET and f / noop >= NOOP_TARGET
    print("PASS" if ok else "FAIL: a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
