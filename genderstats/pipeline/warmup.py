"""What the build prepares in its own process before the reports run: warm imports shared
by the forked workers, no garbage collection while importing, and a private matplotlib
cache folder where the user's cannot be used."""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
from collections.abc import Iterator

from genderstats.pipeline.engine import patches


@contextlib.contextmanager
def private_caches() -> Iterator[None]:
    """matplotlib keeps its font list in the user's cache folder; where it cannot, it warns
    in English, naming the folder, in every notebook. Then the build's kernels get a
    temporary folder of their own instead (``MPLCONFIGDIR``), removed afterwards."""
    from genderstats.pipeline import usercache

    home = usercache.root()
    if "MPLCONFIGDIR" in os.environ or (home is not None
                                        and usercache.usable(home / "matplotlib")):
        yield
        return
    folder = tempfile.mkdtemp(prefix="genderstats-matplotlib-")
    os.environ["MPLCONFIGDIR"] = folder
    try:
        yield
    finally:
        os.environ.pop("MPLCONFIGDIR", None)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """No garbage collection inside: while importing, each full pass walks every object
    loaded so far, and the imports of a build would spend a quarter of their time on it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def warm_imports() -> None:
    """Import once in the parent what every worker needs, and load the page template:
    forked workers share them instead of paying each time."""
    patches.skip_rfc3987_syntax()
    import nbconvert  # noqa: F401
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    import genderstats.data.specs  # noqa: F401 - the pages' sources
    import genderstats.pipeline.engine.provisioner  # noqa: F401 - each worker's kernel manager
    from genderstats.pipeline.engine.plain import warm_kernel_specs

    warm_kernel_specs()

    with contextlib.suppress(Exception):  # a broken template fails each page, with its text
        render_sample_page()


def render_sample_page() -> None:
    # The first page of a process costs a second more than the next ones (the template,
    # the Markdown renderer and the HTML sanitiser load on first use): pay it once here.
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from genderstats.pipeline.publish import notebook_to_html
    from genderstats.present.model import Table

    html = {"text/html": Table.from_rows("表", [["性別", "人數"]], [["男", "1"]]).html,
            "text/plain": "表"}
    nb = new_notebook(cells=[
        # An entity too: the HTML parser loads its entity tables on the first one.
        new_markdown_cell("# 標題\n\n## 一、說明 &amp; 附註\n\n| 男 | 女 |\n|---|---|\n| 1 | 2 |"),
        new_code_cell("x", outputs=[new_output("display_data", data=html),
                                    new_output("stream", name="stdout", text="1")]),
    ])
    notebook_to_html(nb, title="暖機", year=112)
