"""Write data/README.md's list of placeholders from the registry (``make docs``).

The names and meanings are those notebooks/reports.yml declares under each report's
``figures`` (what its notebook records), after the results report's own (``{year}``…).
``--check`` exits 1 when the README's list is not what the registry gives.
"""

from __future__ import annotations

import sys
from pathlib import Path

from genderstats import config
from genderstats.data.results_text import BUILT_IN
from genderstats.pipeline.registry import figure_catalog, load_registry

START = "<!-- 佔位符清單：由 notebooks/reports.yml 產生（make docs），請勿手改 -->"
END = "<!-- 佔位符清單結束 -->"


def table(registry: Path | None = None) -> str:
    """The Markdown table of every placeholder name and what it stands for."""
    names = {**BUILT_IN, **figure_catalog(load_registry(registry))}
    rows = [f"| `{{{name}}}` | {meaning} |" for name, meaning in names.items()]
    return "\n".join(["| 佔位符 | 代表的數字或判定 |", "|---|---|", *rows])


def rewritten(readme: str, registry: Path | None = None) -> str:
    """``readme`` with the text between the markers replaced by :func:`table`."""
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    if not rest or END not in rest:
        raise SystemExit(f"data/README.md 缺少標記 {START} 與 {END}")
    return f"{head}{START}\n{table(registry)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    path = config.DATA_DIR / "README.md"
    text = path.read_text(encoding="utf-8")
    new = rewritten(text)
    if "--check" in argv:
        if new != text:
            print("data/README.md 的佔位符清單與 notebooks/reports.yml 不一致：請執行 make docs。")
            return 1
        return 0
    if new != text:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
