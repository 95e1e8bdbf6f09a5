"""Whether the fork server has imported everything the year's reports import.

    .venv/bin/python benchmarks/bench_preload.py [--year 112]

Each report's kernel is forked from the server; a module a notebook imports on first use
(PIL's plugins for a PNG, pandas' text formatter, the ODS reader …) that the server did not
import is imported again by every kernel, at every build. This builds the year once (into a
temporary folder, for the results report's status file), then runs each published report's
notebook, cell by cell, in a kernel forked from a new server, and prints what each imported
beyond the server's ``PRELOAD`` (``genderstats/pipeline/engine/server.py``): add those there.
Exits 1 when a report imported anything. A notebook that imports a module of its own still
runs, only a little slower: this is a speed check, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

from genderstats import config  # noqa: E402
from genderstats.pipeline.build import BuildOptions, build  # noqa: E402
from genderstats.pipeline.engine import kernel_manager_class  # noqa: E402
from genderstats.pipeline.engine.fork import ForkServer, fork_available  # noqa: E402
from genderstats.pipeline.registry import Report, load_registry  # noqa: E402


async def imported(report: Report, year: int, status: Path, server: ForkServer,
                   work: Path) -> list[str]:
    """The modules ``report``'s notebook imports in a kernel forked by ``server``."""
    params = report.build_parameters(year, config.DATA_DIR)
    nb = nbformat.read(report.notebook, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if "report_status" in code[0]:
        params["report_status"] = str(status)
    km = kernel_manager_class(str(work / report.id), None, server.address)(
        kernel_name="python3")
    await km.start_kernel(cwd=str(report.notebook.parent))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        cells = ["import sys as _s; _before = set(_s.modules)", code[0],
                 "\n".join(f"{k} = {v!r}" for k, v in params.items()), *code[1:],
                 "print(sorted(set(_s.modules) - _before))"]
        printed: list[str] = []
        for source in cells:
            reply = await kc.execute_interactive(
                source, timeout=120, output_hook=lambda m: printed.append(
                    m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{report.id}: a cell failed")
        return list(eval(printed[-1]))  # noqa: S307 - the list the kernel printed
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--year", type=int, default=112)
    args = ap.parse_args()
    if not fork_available():
        print("the fork server needs Linux")
        return 0
    reports = [r for r in load_registry() if not r.draft]
    reports = list({r.notebook.name: r for r in reversed(reports)}.values())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        build(BuildOptions(year=args.year, out_dir=work / "out", force=True,
                           echo=lambda _: None))
        status = work / "out" / str(args.year) / ".state" / "report-status.json"
        server = ForkServer()
        try:
            seen = {r.id: asyncio.run(imported(r, args.year, status, server, work))
                    for r in reports}
        finally:
            server.stop()
    for rid, modules in seen.items():
        print(f"{rid:34s} {', '.join(modules) if modules else '-'}")
    missed = any(seen.values())
    print("FAIL: add these to PRELOAD" if missed else "PASS: nothing imported twice")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
