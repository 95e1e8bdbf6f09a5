"""Notebooks are committed without outputs nor the kernel details JupyterLab writes into them,
so a session in Lab leaves ``git status`` clean (scripts/notebook-filter.py, .gitattributes,
and make's set-up, which configures the filter)."""

from __future__ import annotations

import json
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_docs_commands import make_dry_run

ROOT = Path(__file__).resolve().parent.parent
FILTER = ROOT / "scripts" / "notebook-filter.py"
LAB_CONFIG = ROOT / "scripts" / "jupyter_lab_config.py"


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True)


def committed(rel: str) -> bytes:
    """The bytes of the project's notebook ``rel`` as committed (HEAD), whatever a session in
    the working tree did to the file; outside a git checkout, the file's own."""
    done = _git("show", f"HEAD:{rel}")
    return done.stdout if done.returncode == 0 else (ROOT / rel).read_bytes()


_LISTED = _git("ls-files", "-z", "--", "*.ipynb")
NOTEBOOKS = (sorted(p for p in _LISTED.stdout.decode().split("\0") if p)
             if _LISTED.returncode == 0 else
             sorted(p.relative_to(ROOT).as_posix()
                    for folder in ("notebooks", "genderstats", "tests")
                    for p in (ROOT / folder).rglob("*.ipynb")))
"""Every notebook of the project (committed ones: not a draft an analyst is writing): the
filter must give each its committed bytes, or git would list it as changed as soon as the
set-up configures the filter."""


def as_lab_leaves_it(notebook: bytes) -> bytes:
    """``notebook`` after a session in JupyterLab: every cell run (outputs, counts, timings,
    new ids), the kernel's language details and another kernel's spec in the metadata."""
    nb = json.loads(notebook)
    nb["metadata"]["kernelspec"] = {"display_name": "genderstats (.venv)",
                                    "language": "python", "name": "genderstats"}
    nb["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.11.2"}
    for n, cell in enumerate(nb["cells"]):
        cell["id"] = f"5f3c2a1e-{n:04d}"
        if cell["cell_type"] == "code":
            cell["execution_count"] = n + 1
            cell["metadata"]["execution"] = {"iopub.execute_input": "2024-03-01T02:00:00Z",
                                             "shell.execute_reply": "2024-03-01T02:00:01Z"}
            cell["outputs"] = [
                {"name": "stdout", "output_type": "stream", "text": ["共 37 人\n"]},
                {"data": {"image/png": "iVBORw0KGgo=", "text/plain": ["<Figure>"]},
                 "metadata": {}, "output_type": "display_data"}]
    return json.dumps(nb, ensure_ascii=False, indent=2).encode()


def run_filter(*args: str, data: bytes = b"", cwd: Path = ROOT) -> bytes:
    return subprocess.run([sys.executable, str(FILTER), *args], input=data, cwd=cwd,
                          capture_output=True, check=True).stdout


@pytest.mark.parametrize("rel", NOTEBOOKS)
def test_a_notebook_run_in_lab_is_stripped_to_its_committed_bytes(rel):
    assert run_filter(data=as_lab_leaves_it(committed(rel))) == committed(rel)


@pytest.fixture
def project(tmp_path):
    """A git repository holding a notebook, the filter configured as make's set-up does."""
    repo = tmp_path / "project"
    (repo / "scripts").mkdir(parents=True)
    (repo / "notebooks").mkdir()
    for script in (FILTER, LAB_CONFIG):
        shutil.copy(script, repo / "scripts" / script.name)
    shutil.copy(ROOT / ".gitattributes", repo / ".gitattributes")
    (repo / "notebooks" / "digital_training.ipynb").write_bytes(
        committed("notebooks/digital_training.ipynb"))
    git(repo, "init", "-q")
    assert run_filter("--install", cwd=repo).decode() == (
        "git：筆記本提交時不帶輸出，也不帶 JupyterLab 寫入的核心資訊"
        "（scripts/notebook-filter.py）\n")
    assert run_filter("--install", cwd=repo) == b""  # configured already: nothing to say
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "notebooks")
    return repo


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout


def saved_in_lab(path: Path, content: bytes) -> None:
    """What JupyterLab does on saving ``path`` with make lab's settings: write, then the
    post-save hook."""
    path.write_bytes(content)
    hook = runpy.run_path(str(LAB_CONFIG))["refresh_git"]
    assert hook(model={"type": "notebook"}, os_path=str(path), contents_manager=None).wait(60) == 0


def test_a_session_in_lab_leaves_git_status_clean(project):
    notebook = project / "notebooks" / "digital_training.ipynb"
    before = notebook.read_bytes()
    saved_in_lab(notebook, as_lab_leaves_it(before))
    assert b'"outputs": [\n' in notebook.read_bytes()  # the analyst keeps the outputs
    assert git(project, "status", "--porcelain") == ""

    # An edit of the analysis itself shows (the diff: that line alone), is not staged by Lab,
    # and is committed without the session's outputs and kernel details.
    edited = as_lab_leaves_it(before).replace("數位訓練".encode(), "數位課程".encode(), 1)
    saved_in_lab(notebook, edited)
    assert git(project, "status", "--porcelain") == " M notebooks/digital_training.ipynb\n"
    assert git(project, "diff", "--cached") == ""
    changed = [line for line in git(project, "diff").splitlines()
               if line[:1] in ("+", "-") and line[:3] not in ("+++", "---")]
    assert len(changed) == 2 and "數位訓練" in changed[0] and "數位課程" in changed[1]
    git(project, "commit", "-qam", "wording")
    assert git(project, "show", "HEAD:notebooks/digital_training.ipynb").encode() == (
        before.replace("數位訓練".encode(), "數位課程".encode(), 1))


def test_make_lab_reads_the_save_hook():
    from traitlets.config.loader import PyFileConfigLoader

    loaded = PyFileConfigLoader(LAB_CONFIG.name, path=str(LAB_CONFIG.parent)).load_config()
    assert loaded.FileContentsManager.post_save_hook.__name__ == "refresh_git"


def test_the_set_up_configures_the_filter(tmp_path):
    assert "*.ipynb filter=nbstripout diff=ipynb" in (ROOT / ".gitattributes").read_text()
    printed = make_dry_run(tmp_path, ["setup"]).stdout
    assert ".venv/bin/python scripts/notebook-filter.py --install" in printed
    lab = make_dry_run(tmp_path, ["lab"]).stdout
    assert f'--config="{tmp_path}/scripts/jupyter_lab_config.py"' in lab
