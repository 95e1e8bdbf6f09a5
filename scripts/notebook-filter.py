"""Git's filter for notebooks: what a notebook is committed as.

    python scripts/notebook-filter.py < x.ipynb    # the committed form of x.ipynb (clean filter)
    python scripts/notebook-filter.py x.ipynb      # the same, of a file (git diff's textconv)
    python scripts/notebook-filter.py --install    # make it this repository's filter (make does)

nbstripout strips outputs, execution counts, cell ids and the metadata it strips by default;
then the notebook's kernel metadata is set to the one every notebook is committed with.
JupyterLab writes the kernel it ran (``kernelspec``) and its language's details
(``language_info``: version, lexer…) into the notebook: neither is part of the analysis, and
with them every session in Lab would leave the notebook changed. The build runs every
notebook in the ``python3`` kernel.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

KERNEL_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python"},
}
STRIPPED_KEYS = [
    "metadata.signature", "metadata.widgets", "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime", "cell.metadata.execution", "cell.metadata.heading_collapsed",
    "cell.metadata.hidden", "cell.metadata.scrolled",
]
"""Metadata stripped besides outputs, counts and ids: nbstripout's command line defaults."""
DRIVER = "nbstripout"  # the name .gitattributes gives (and nbstripout --install gave) the filter


def committed(notebook: bytes) -> bytes:
    """``notebook`` as it is committed."""
    from genderstats.pipeline.engine.patches import skip_rfc3987_syntax

    skip_rfc3987_syntax()  # git runs this for every changed notebook: no schema grammar
    import nbformat
    from nbstripout import strip_output

    with warnings.catch_warnings():  # as nbstripout's command line: no note on missing ids
        warnings.simplefilter("ignore", category=UserWarning)
        nb = nbformat.reads(notebook.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        nb = strip_output(nb, keep_output=False, keep_count=False, keep_id=False,
                          extra_keys=STRIPPED_KEYS)
        nb.metadata.update(KERNEL_METADATA)
        text = nbformat.writes(nb)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def install() -> bool:
    """Configure this repository: the filter runs this script from the top of the work tree
    (git runs filters there), with this Python. Whether anything changed."""
    command = f'"{sys.executable}" scripts/notebook-filter.py'
    changed = False
    for key, value in ((f"filter.{DRIVER}.clean", command), (f"filter.{DRIVER}.smudge", "cat"),
                       (f"filter.{DRIVER}.required", "true"), ("diff.ipynb.textconv", command)):
        now = subprocess.run(["git", "config", "--get", key], stdout=subprocess.PIPE, text=True)
        if now.stdout.strip() != value:
            subprocess.run(["git", "config", key, value], check=True)
            changed = True
    return changed


def main(argv: list[str]) -> int:
    if argv == ["--install"]:
        if install():
            print("git：筆記本提交時不帶輸出，也不帶 JupyterLab 寫入的核心資訊"
                  "（scripts/notebook-filter.py）")
        return 0
    if len(argv) > 1:
        print(__doc__, file=sys.stderr)
        return 2
    source = Path(argv[0]).read_bytes() if argv else sys.stdin.buffer.read()
    sys.stdout.buffer.write(committed(source))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
