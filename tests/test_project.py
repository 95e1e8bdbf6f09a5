"""The project as a user meets it: set-up files in step, clean notebooks, plain papermill runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import papermill as pm
import pytest
import yaml
from conftest import published_reports

from genderstats import config
from genderstats.pipeline.registry import BUILD_PARAMETERS

ROOT = config.PROJECT_ROOT
BIN = Path(sys.executable).parent
NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(d): d.replace(" ", "") for d in
              project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert env["name"] == "genderstats"
    assert env["channels"] == ["conda-forge"]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = [d for d in env["dependencies"] if isinstance(d, str)]
    listed += [d.split("#")[0] for d in pip if not d.startswith("-e")]
    conda = {_name(d): d.replace(" ", "") for d in listed if _name(d) not in {"python", "pip"}}
    assert conda == wanted
    assert "python=3.11" in env["dependencies"]


def test_the_ci_script_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    commands = [line for line in ci.splitlines() if line and not line.startswith(("#", "set ",
                                                                                  "cd "))]
    assert commands == ["make test"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_committed_clean_with_one_parameters_cell(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), \
        f"{path.name} has outputs: run `nbstripout {path}`"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name} needs exactly one cell tagged 'parameters'"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_parameter_is_documented_with_type_and_meaning(path):
    params = pm.inspect_notebook(str(path))
    assert set(BUILD_PARAMETERS) <= set(params), f"{path.name} must declare year and data_dir"
    for name, p in params.items():
        assert p["inferred_type_name"] not in ("None", ""), f"{path.name}: {name} has no type"
        assert p["help"], f"{path.name}: {name} has no comment saying what it means"


def test_the_build_passes_only_parameters_the_notebooks_declare():
    for report in published_reports():
        declared = set(pm.inspect_notebook(str(report.notebook)))
        passed = set(report.build_parameters(112, config.DATA_DIR))
        assert passed <= declared, (report.id, passed - declared)


def test_jupyterlab_and_the_notebooks_kernel_are_installed():
    version = subprocess.run([str(BIN / "jupyter"), "lab", "--version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert re.fullmatch(r"4\.\d+\.\d+", version)
    from jupyter_client.kernelspec import KernelSpecManager

    assert "python3" in KernelSpecManager().find_kernel_specs()


@pytest.mark.slow
def test_every_notebook_runs_with_plain_papermill_and_no_arguments(tmp_path):
    def run(path: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "papermill"), path.name, str(tmp_path / path.name), "--no-progress-bar"],
            cwd=config.NOTEBOOKS_DIR, capture_output=True, text=True, encoding="utf-8",
        )

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(run, NOTEBOOKS))
    for path, res in zip(NOTEBOOKS, results, strict=True):
        assert res.returncode == 0, f"{path.name}:\n{res.stderr[-3000:]}"
        assert "Passed unknown parameter" not in res.stderr


def test_the_set_up_font_command_runs_and_finds_a_chinese_font():
    res = subprocess.run([str(BIN / "genderstats"), "fonts", "--install"], capture_output=True,
                         text=True, encoding="utf-8")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Noto Sans CJK" in res.stdout or "JhengHei" in res.stdout or "PingFang" in res.stdout


@pytest.mark.slow
def test_a_fresh_clone_is_clean_after_the_set_up_installs_the_git_filter(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("不是 git 工作目錄")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    # The set-up's git step (Makefile), then every notebook touched so git filters it anew.
    subprocess.run([str(BIN / "nbstripout"), "--install"], cwd=clone, check=True)
    notebooks = sorted(clone.rglob("*.ipynb"))
    assert len(notebooks) >= 7
    for path in notebooks:
        path.touch()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, check=True,
                            capture_output=True, text=True).stdout
    assert status == "", status
    # What the set-up and a build write is ignored.
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert {".venv/", "outputs/"} <= set(ignored)
