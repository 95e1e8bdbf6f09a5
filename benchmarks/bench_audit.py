"""Time of the year's disclosure audit (genderstats.analyses.year_audit.audit_year).

    .venv/bin/python benchmarks/bench_audit.py [--rounds 3] [--random 20]

Copies the sample data into a temporary directory (never the project's), adds the
second sample year (113, as scripts/make_sample_data.py writes it), and times
``audit_year`` for 112 and 113: the digital training (with last year's tables under this
year's trend), the onsite engineers and the staff of each type, rebuilt and solved again
by integer programming. Then ``--random`` synthetic populations of the digital-training
shape with 1–2 people in many cells, protected and audited, to show the cost where the
solver has most to do. Each timing is the fastest of ``--rounds`` runs (the machine may be
shared). Prints the times and what was pinned (nothing, when the protection holds); exits
1 when something is pinned or a year's audit takes more than 10 s.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genderstats import config  # noqa: E402
from genderstats.analyses.year_audit import audit_year  # noqa: E402
from genderstats.privacy import Population  # noqa: E402

LIMIT = 10.0


def sample_data(dest: Path) -> Path:
    """The sample years and the generated 113 in ``dest``."""
    for year in ("108", "109", "110", "111", "112"):
        shutil.copytree(config.DATA_DIR / year, dest / year)
    spec = importlib.util.spec_from_file_location("make_sample_data",
                                                  ROOT / "scripts" / "make_sample_data.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.year_113(dest / "113")
    return dest


def fastest(fn, rounds: int) -> tuple[float, object]:
    best, value = float("inf"), None
    for _ in range(rounds):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def random_population(rng: np.random.Generator) -> Population:
    """Groups × bands and nationalities of a small year, many cells of 1 or 2."""
    groups, bands, nations = ["甲", "乙", "丙", "丁"], ["b1", "b2", "b3", "b4", "b5"], 6
    cross = pd.DataFrame(
        [{"男": int(rng.choice([0, 1, 2, 3, 8])), "女": int(rng.choice([0, 1, 2, 5, 20])),
          "其他": int(rng.choice([0, 0, 0, 1]))} for _ in groups for _ in bands],
        index=pd.MultiIndex.from_product([groups, bands]))
    totals = cross.sum()
    split = {g: rng.multinomial(int(totals[g]), [0.7] + [0.3 / (nations - 1)] * (nations - 1))
             for g in ("男", "女", "其他")}
    nation = pd.DataFrame(split, index=[f"國{i}" for i in range(nations)])
    pop = Population(3)
    pop.add_facet("cross", cross)
    pop.add_facet("nation", nation)
    pop.add_table("groups", "cross", {g: [(g, b) for b in bands] for g in groups})
    pop.add_table("bands", "cross", {b: [(g, b) for g in groups] for b in bands})
    pop.add_table("first", "cross", {b: [(groups[0], b)] for b in bands}, total=False)
    pop.add_table("nation", "nation", {k: [k] for k in nation.index})
    return pop


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--random", type=int, default=20)
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        data = sample_data(Path(tmp) / "data")
        for year in (112, 113):
            seconds, pinned = fastest(lambda y=year: audit_year(y, data), args.rounds)
            print(f"audit_year({year}): {seconds:6.2f} s, pinned: {pinned or '無'}")
            failed |= bool(pinned) or seconds > LIMIT
    rng = np.random.default_rng(27)
    protect, audit, hidden = [], [], 0
    for _ in range(args.random):
        pop = random_population(rng)
        t0 = time.perf_counter()
        marks = pop.marks()
        protect.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        leaks = pop.leaks()
        audit.append(time.perf_counter() - t0)
        hidden += sum(m != "" for m in marks.values())
        failed |= bool(leaks)
    if args.random:
        print(f"{args.random} random populations: protect median {np.median(protect):.2f} s "
              f"(max {max(protect):.2f} s), audit median {np.median(audit):.2f} s "
              f"(max {max(audit):.2f} s), {hidden} cells hidden in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
