"""make lab's Jupyter settings (``jupyter lab --config=scripts/jupyter_lab_config.py``).

After JupyterLab saves a notebook whose committed form has not changed (no outputs, the
usual kernel metadata: scripts/notebook-filter.py), git is told so. Otherwise ``git status``
would list every notebook run in Lab as modified: it trusts a changed file size without
looking inside (``git diff`` shows nothing). ``git add`` of a file whose committed form is
what the index holds stages nothing; it only records the file's new size and time.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

# Compare the file's committed form (the filter runs) with the index's; only when they are the
# same is the file added, so a real change is never staged behind the analyst's back. Another
# git command may hold the index for a moment: try again.
REFRESH = ('[ "$(git hash-object --path="$1" -- "$1")" = "$(git rev-parse -q --verify ":./$1")" ]'
           ' || exit 0; for _ in 1 2 3 4 5; do git add -- "$1" && exit 0; sleep 1; done')


def refresh_git(model: dict[str, Any], os_path: str, **_: Any) -> subprocess.Popen | None:
    """The post-save hook: in the background, so a save never waits for git."""
    if model.get("type") != "notebook":
        return None
    path = Path(os_path)
    return subprocess.Popen(["sh", "-c", REFRESH, "refresh", path.name], cwd=path.parent,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


if "get_config" in globals():  # read by Jupyter, which defines get_config
    get_config().FileContentsManager.post_save_hook = refresh_git  # noqa: F821
