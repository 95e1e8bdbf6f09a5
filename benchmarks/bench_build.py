"""Time the yearly build against the loop a user would write by hand.

    .venv/bin/python benchmarks/bench_build.py [--year 112] [--rounds 1]

1. naive: for each report, the ``papermill`` CLI then ``jupyter nbconvert --to html --no-input``
2. ``genderstats build --force`` (all reports, in parallel, one process)
3. ``genderstats build`` again with nothing changed

Targets: full build ≥ 4× faster than the naive loop; unchanged rebuild ≥ 30× faster than a full
build. Prints the times and ratios and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def timed(cmd: list[str], **kw) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def naive_loop(year: int, work: Path) -> float:
    sys.path.insert(0, str(ROOT))
    from genderstats.pipeline.registry import load_registry

    total = 0.0
    for report in load_registry():
        params = report.build_parameters(year, ROOT / "data")
        out = work / f"{report.id}.ipynb"
        flags = [x for k, v in params.items() for x in ("-p", k, str(v))]
        total += timed([str(BIN / "papermill"), str(report.notebook), str(out), *flags],
                       cwd=report.notebook.parent)
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(out)])
    return total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=112)
    ap.add_argument("--rounds", type=int, default=1, help="repeat and keep the best time")
    args = ap.parse_args()
    gs = [str(BIN / "genderstats"), "build", "--year", str(args.year)]
    naive, full, noop = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for _ in range(args.rounds):
            naive.append(naive_loop(args.year, work))
            full.append(timed([*gs, "--force", "--out-dir", str(work / "out")]))
            noop.append(timed([*gs, "--out-dir", str(work / "out")]))
    n, f, u = min(naive), min(full), min(noop)
    print(f"naive loop (papermill CLI + nbconvert CLI): {n:6.1f} s")
    print(f"genderstats build --force:                  {f:6.1f} s   {n / f:5.1f}x faster "
          f"(target ≥ 4x)")
    print(f"genderstats build, nothing changed:         {u:6.2f} s   {f / u:5.1f}x faster "
          f"than a full build (target ≥ 30x)")
    print("commands:", shlex.join(gs))
    ok = n / f >= 4 and f / u >= 30
    print("PASS" if ok else "FAIL: a target was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
