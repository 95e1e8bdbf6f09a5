"""The project as a user meets it: set-up files in step, clean notebooks, plain papermill runs."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
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
from genderstats.pipeline.environment import lock_hash
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


LOCK = ROOT / "requirements.lock"
SEVEN = ("numpy", "pandas", "scipy", "matplotlib", "pillow", "pikepdf", "pyzmq")
STALE = ("requirements.lock 與 pyproject.toml 不一致（相依套件改了卻沒有重新鎖定）："
         "執行 make lock 只更新需要變動的套件，或 make upgrade 全部升到允許的最新版並執行測試。")


def _check_lock(*args: Path) -> subprocess.CompletedProcess:
    script = ROOT / "scripts" / "check-lock.py"
    return subprocess.run([sys.executable, str(script), *map(str, args)],
                          capture_output=True, text=True, encoding="utf-8")


def _pins(text: str) -> dict[str, list[str]]:
    """Each pinned requirement of a pip-compile lock → its hashes."""
    return {m[1]: re.findall(r"--hash=sha256:([0-9a-f]{64})", m[2])
            for m in re.finditer(r"^(\S+==\S+)((?: \\\n    --hash=\S+)*)", text, flags=re.M)}


def test_the_lock_is_in_step_with_pyproject():
    res = _check_lock()
    assert (res.returncode, res.stderr) == (0, "")


def test_the_lock_check_names_each_mismatch(tmp_path):
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for old in ('"pandas>=2.2"', '    "pypdf>=4.0",  # tests read the PDF\'s text\n',
                '"setuptools>=68"'):
        assert old in text
    text = text.replace('"pandas>=2.2"', '"pandas>=3.2", "tablib>=3"')
    text = text.replace('    "pypdf>=4.0",  # tests read the PDF\'s text\n', "")
    text = text.replace('"setuptools>=68"', '"setuptools<60"')
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    pinned = dict(p.split("==") for p in _pins(LOCK.read_text(encoding="utf-8")))
    res = _check_lock(tmp_path / "pyproject.toml", LOCK)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        STALE,
        f"  pandas：pyproject.toml 要求 pandas>=3.2，鎖定的是 {pinned['pandas']}",
        "  tablib：pyproject.toml 要求 tablib>=3，鎖定檔沒有這個套件",
        f"  setuptools：pyproject.toml 要求 setuptools<60，鎖定的是 {pinned['setuptools']}",
        f"  pypdf：鎖定檔當作直接相依（{pinned['pypdf']}），pyproject.toml 已沒有",
    ]


def test_every_pin_of_the_lock_is_hashed_and_no_index_is_named():
    text = LOCK.read_text(encoding="utf-8")
    pins = _pins(text)
    requirement_lines = [line for line in text.splitlines()
                         if line and not line.startswith((" ", "#"))]
    assert len(requirement_lines) == len(pins) > 100
    assert all(hashes for hashes in pins.values())
    # The set-up builds the project without isolation, with the lock's own tools.
    assert {p.split("==")[0] for p in pins} >= {"pip", "setuptools", "pip-tools"}
    # No index, host or path of the machine that locked it: pip uses the one it is set up with.
    assert not re.search(r"^-|://|(^|\s)/|--(index|extra-index|find-links|trusted-host)", text,
                         flags=re.M)
    assert "#    make lock\n" in text


OFFLINE = (r"NewConnectionError|ConnectTimeout|Could not fetch URL|Max retries exceeded|"
           r"Temporary failure in name resolution")


def _platform_report(arch: str, tmp_path: Path) -> subprocess.CompletedProcess:
    block = _pins(LOCK.read_text(encoding="utf-8"))
    lines = [f"{pin} " + " ".join(f"--hash=sha256:{h}" for h in hashes)
             for pin, hashes in block.items() if pin.split("==")[0] in SEVEN]
    requirements = tmp_path / f"{arch}.txt"
    requirements.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # Every glibc a wheel may be tagged for, up to Debian 12's (2.36).
    platforms = [f"--platform=manylinux_2_{minor}_{arch}" for minor in range(17, 37)]
    return subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
         "--no-deps", "--only-binary=:all:", *platforms, "--python-version", "3.11",
         "--implementation", "cp", "--target", str(tmp_path / arch),
         "--require-hashes", "-r", str(requirements), "--report", str(tmp_path / f"{arch}.json")],
        capture_output=True, text=True)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_the_lock_installs_the_compiled_packages_on_linux(arch, tmp_path):
    """pip picks, among the files the lock hashes, a CPython 3.11 wheel for the architecture."""
    res = _platform_report(arch, tmp_path)
    if res.returncode and re.search(OFFLINE, res.stderr):
        pytest.skip("連不上套件索引")
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / f"{arch}.json").read_text(encoding="utf-8"))
    wheels = {i["metadata"]["name"].lower(): i["download_info"]["url"].rsplit("/", 1)[1]
              for i in report["install"]}
    assert sorted(wheels) == sorted(SEVEN)
    for name, wheel in wheels.items():
        assert re.search(rf"-cp311-(cp311|abi3)-manylinux.*_{arch}\.whl$", wheel), (name, wheel)


def test_the_manifest_hash_is_the_lock_files():
    assert lock_hash() == hashlib.sha256(LOCK.read_bytes()).hexdigest()


def _make_dry_run(project: Path) -> str:
    res = subprocess.run(["make", "--dry-run", "setup"], cwd=project, capture_output=True,
                         text=True, check=True)
    return res.stdout


INSTALL = [".venv/bin/python scripts/check-lock.py",
           ".venv/bin/pip install --quiet --require-hashes --no-deps -r requirements.lock",
           ".venv/bin/pip install --quiet --no-deps --no-build-isolation -e .",
           ".venv/bin/pip check"]


def test_the_set_up_installs_exactly_the_lock_and_again_when_it_changes(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make 未安裝")
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    first = _make_dry_run(tmp_path).splitlines()
    # Checked, then the lock and the project alone, nothing resolved by pip.
    assert [line for line in first if re.search(r"check-lock|/pip ", line)] == INSTALL
    # Installed: nothing to do but the office check, until the lock changes.
    (stamp,) = re.findall(r"^touch (\.venv/\.installed-\w+)$", "\n".join(first), flags=re.M)
    (tmp_path / stamp).parent.mkdir()
    (tmp_path / stamp).touch()
    assert "pip install" not in _make_dry_run(tmp_path)
    with (tmp_path / "requirements.lock").open("a", encoding="utf-8") as lock:
        lock.write("\n")
    assert INSTALL[1] in _make_dry_run(tmp_path).splitlines()


def test_a_stale_lock_stops_the_set_up_with_what_to_run(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make 未安裝")
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    pyproject = tmp_path / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert '"pandas>=2.2"' in text
    pyproject.write_text(text.replace('"pandas>=2.2"', '"pandas>=99"'), encoding="utf-8")
    res = subprocess.run(["make", "setup"], cwd=tmp_path, capture_output=True, text=True,
                         encoding="utf-8")
    assert res.returncode != 0
    pinned = dict(p.split("==") for p in _pins(LOCK.read_text(encoding="utf-8")))
    assert res.stderr.splitlines()[:2] == [
        STALE, f"  pandas：pyproject.toml 要求 pandas>=99，鎖定的是 {pinned['pandas']}"]
    assert "pip install" not in res.stdout
    assert not list((tmp_path / ".venv").glob(".installed-*"))


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
