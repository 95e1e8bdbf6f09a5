"""Every command the documentation prints runs as printed, from the project folder, in a fresh
shell after the README's set-up (``make report``: ``.venv/`` exists, nothing is activated).

What is a command: each line of a ```bash, ```sh or ```console block (in a console block, the
lines after ``$ ``), each line of a ```cron block, each ``ExecStart=`` of an ```ini block, and
inline code that starts with ``make ``, ``.venv/bin/``, ``scripts/`` or ``genderstats`` with
arguments (a synopsis, with ``…`` for what to fill in, is none). A fenced block without a
language holds output, never a command.

Each command is checked as far as it can be without the year it is about: ``make`` runs with
``-n`` in a copy of the project's make files (and the commands it would run are checked in
turn); a ``.venv/bin/`` program must be one the set-up installs; ``genderstats`` arguments go
through the command line's own parser; ``python`` runs a file the project has or a module that
is installed; ``jupyter lab`` options must name settings JupyterLab has.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from genderstats.pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "data" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
VENV_BIN = Path(sys.executable).parent
"""The set-up's ``.venv/bin`` (the tests run in it)."""
SHELL_TOOLS = {"cd", "source", "mkdir", "cp", "ls", "head"}
"""Shell built-ins and coreutils the examples use."""
SYSTEM_SETUP = {"conda", "sudo", "apt-get", "systemctl", "journalctl"}
"""Set-up steps of other platforms and of the system (conda, packages, systemd): not this
machine's business, so not run."""
ACTIVATE = re.compile(r"^(conda activate \S+|source \.venv/bin/activate)$")
LANGUAGES = {"bash", "sh", "console", "cron", "ini"}
LOOKS_LIKE_A_COMMAND = re.compile(r"^(\$ |make |\.venv/bin/|genderstats [a-z]|scripts/\S+ )")


@dataclass(frozen=True)
class Command:
    where: str  # file:line
    text: str
    activated: bool = False  # after conda activate / source .venv/bin/activate in its block


def _blocks(path: Path):
    """(first line number, language, lines) of each fenced block of ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opened = re.match(r"^(\s*)```(\S*)\s*$", lines[i])
        if not opened:
            i += 1
            continue
        body, start = [], i + 2
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][len(opened.group(1)):])
            i += 1
        yield start, opened.group(2), body
        i += 1


def _joined(lines: list[str], start: int):
    """(line number, logical line) with backslash continuations joined."""
    held, first = "", start
    for n, line in enumerate(lines, start):
        if not held:
            first = n
        if line.rstrip().endswith("\\"):
            held += line.rstrip()[:-1] + " "
            continue
        yield first, held + line
        held = ""


def commands(path: Path) -> list[Command]:
    """Every command ``path`` prints (see the module docstring)."""
    found: list[Command] = []
    name = path.relative_to(ROOT).as_posix()
    text = path.read_text(encoding="utf-8")
    for start, language, body in _blocks(path):
        if language not in LANGUAGES:
            continue
        activated = False
        for n, line in _joined(body, start):
            if language == "console":
                if not line.startswith("$ "):
                    continue
                line = line[2:]
            elif language == "cron":
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                line = line.split(None, 5)[5]
            elif language == "ini":
                if not line.startswith("ExecStart="):
                    continue
                line = line.removeprefix("ExecStart=")
            words = shlex.split(line, comments=True)
            if not words:
                continue
            line = shlex.join(words) if "#" in line else line.strip()
            found.append(Command(f"{name}:{n}", line, activated))
            activated = activated or bool(ACTIVATE.match(line))
    outside = re.sub(r"(?ms)^\s*```.*?^\s*```\s*$", "", text)
    for span in dict.fromkeys(re.findall(r"`([^`\n]+)`", outside)):
        if "…" not in span and re.match(r"^(make \S|\.venv/bin/|scripts/\S+ )", span) or re.match(
                r"^genderstats [a-z-]+ \S", span):
            n = text[:text.index(f"`{span}`")].count("\n") + 1
            found.append(Command(f"{name}:{n}", span))
    return found


ALL = [c for doc in DOCS for c in commands(doc)]


def _simple(command: str) -> list[list[str]]:
    """The simple commands of a line (split at &&, ||, ; and |), redirections dropped and
    leading VAR=value assignments kept apart from the program."""
    parts, current, skip = [], [], False
    for token in shlex.split(command):
        if skip:
            skip = False
        elif token in ("&&", "||", ";", "|"):
            parts.append(current)
            current = []
        elif token in (">", ">>", "<", "2>"):
            skip = True
        elif re.fullmatch(r"\d?>>?&?\d*\S*|<\S+", token):
            continue
        else:
            current.append(token)
    return [p for p in [*parts, current] if p]


def _program(words: list[str]) -> tuple[str, list[str]]:
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", words[0]):
        words = words[1:]
    return words[0], words[1:]


def check(command: Command, make_calls: list[list[str]]) -> list[str]:
    """What keeps ``command`` from running as printed (nothing when it runs); ``make`` calls
    are collected in ``make_calls`` and run together."""
    problems = []
    for words in _simple(command.text):
        program, args = _program(words)
        venv = re.fullmatch(r"(?:\S*/)?\.venv/bin/(\S+)", program)
        tool = venv.group(1) if venv else program if command.activated else None
        if program == "make":
            make_calls.append(args)
        elif tool is not None and tool not in SHELL_TOOLS | SYSTEM_SETUP:
            if not (VENV_BIN / tool).exists():
                problems.append(f"{program}：set-up 不會安裝這個程式")
            elif tool == "genderstats":
                problems += _genderstats(args)
            elif tool == "python":
                problems += _python(args)
        elif program in ("genderstats", "pytest", "python", "jupyter", "papermill"):
            problems.append(f"{program}：新開的終端機找不到（沒有啟用 .venv）；"
                            f"請寫 .venv/bin/{program}")
        elif program.startswith("scripts/"):
            problems.append(f"{program}：請寫 .venv/bin/python {program}（或 bash）")
        elif program == "bash":
            if not (ROOT / args[0]).is_file():
                problems.append(f"{args[0]}：沒有這個檔案")
        elif program not in SHELL_TOOLS | SYSTEM_SETUP:
            problems.append(f"{program}：不是專案或設定安裝的程式")
    return [f"{command.where}「{command.text}」：{p}" for p in problems]


def _genderstats(args: list[str]) -> list[str]:
    try:
        cli.parser().parse_args(args)
    except SystemExit as exc:
        if exc.code:
            return [f"genderstats 不接受這些參數（結束碼 {exc.code}）"]
    return []


def _python(args: list[str]) -> list[str]:
    if args[:1] == ["-m"]:
        return [] if importlib.util.find_spec(args[1]) else [f"沒有 {args[1]} 模組"]
    return [] if (ROOT / args[0]).is_file() else [f"{args[0]}：沒有這個檔案"]


def make_dry_run(tmp: Path, args: list[str]) -> subprocess.CompletedProcess:
    """``make -n args`` in a copy of the project's make files, with no make variables or flags
    from the environment (this suite may itself run under make)."""
    if not (tmp / "Makefile").exists():
        for name in ("Makefile", "pyproject.toml", "requirements.lock"):
            shutil.copy2(ROOT / name, tmp / name)
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "YEAR", "PORT", "TOKEN", "ARGS")}
    return subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=60)


def _recipe_problems(printed: str) -> list[str]:
    """What keeps the commands make would run from running."""
    problems = []
    for n, line in _joined(printed.splitlines(), 1):
        if ".venv/bin/genderstats " in line or ".venv/bin/jupyter lab" in line:
            problems += check(Command(f"make:{n}", line.strip()), [])
        if ".venv/bin/jupyter lab" in line:
            problems += lab_options(shlex.split(line)[2:])
    return problems


def lab_options(options: list[str]) -> list[str]:
    """The ``jupyter lab`` options that name no setting or flag JupyterLab has."""
    from jupyter_server.auth.identity import IdentityProvider
    from jupyter_server.serverapp import ServerApp
    from jupyterlab.labapp import LabApp

    classes = {c.__name__: c for c in (ServerApp, LabApp, IdentityProvider)}
    lab = LabApp()
    unknown = []
    for option in options:
        setting = re.fullmatch(r"--(\w+)\.(\w+)=.*", option)
        alias = re.fullmatch(r"--([\w-]+)=.*", option)
        if setting:
            cls = classes.get(setting.group(1))
            if cls is None or setting.group(2) not in cls.class_traits(config=True):
                unknown.append(option)
        elif alias:
            if alias.group(1) not in lab.aliases:
                unknown.append(option)
        elif option.removeprefix("--") not in lab.flags:
            unknown.append(option)
    return [f"jupyter lab 沒有 {o} 這個設定" for o in unknown]


def test_the_docs_print_commands_in_every_place_they_should():
    texts = [c.text for c in ALL]
    # The data contract's new year starts with new-year; each step in both forms.
    contract = ROOT / "data" / "README.md"
    lines = contract.read_text(encoding="utf-8").splitlines()
    first = lines.index("## 新增一個年度") + 1
    last = next(n for n, line in enumerate(lines[first:], first + 1) if line.startswith("## "))
    steps = sorted((int(c.where.split(":")[1]), c.text) for c in commands(contract)
                   if first < int(c.where.split(":")[1]) < last)
    assert [text for _, text in steps] == [
        "make new-year YEAR=113", ".venv/bin/genderstats new-year 113",
        "make validate YEAR=113", ".venv/bin/genderstats validate --year 113",
        "make build YEAR=113", ".venv/bin/genderstats build --year 113"]
    assert "make lab PORT=8890 TOKEN=k7q2m9x4" in texts
    assert ".venv/bin/python benchmarks/bench_build.py" in texts
    assert len(ALL) > 40


def test_no_output_block_hides_a_command():
    hidden = [f"{doc.relative_to(ROOT)}:{start}" for doc in DOCS
              for start, language, body in _blocks(doc)
              if not language and any(LOOKS_LIKE_A_COMMAND.match(line) for line in body)]
    assert hidden == [], "指令請放在 ```bash 區塊"


def test_every_command_in_the_docs_runs_as_printed(tmp_path):
    make_calls: list[list[str]] = []
    problems = [p for c in ALL for p in check(c, make_calls)]
    for args in {tuple(a): a for a in make_calls}.values():
        done = make_dry_run(tmp_path, args)
        if done.returncode:
            problems.append(f"make {' '.join(args)}：{done.stderr.strip()}")
        problems += [f"make {' '.join(args)} → {p}" for p in _recipe_problems(done.stdout)]
    assert problems == []


def test_the_checks_catch_commands_that_cannot_run(tmp_path):
    def problems(text, activated=False):
        calls: list[list[str]] = []
        found = check(Command("x.md:1", text, activated), calls)
        for args in calls:
            done = make_dry_run(tmp_path, args)
            found += [done.stderr.strip()] if done.returncode else _recipe_problems(done.stdout)
        return found

    assert problems("genderstats validate --year 113") == [
        "x.md:1「genderstats validate --year 113」：genderstats：新開的終端機找不到"
        "（沒有啟用 .venv）；請寫 .venv/bin/genderstats"]
    assert problems("genderstats validate --year 113", activated=True) == []
    assert problems(".venv/bin/genderstats validate --yaer 113") == [
        "x.md:1「.venv/bin/genderstats validate --yaer 113」："
        "genderstats 不接受這些參數（結束碼 2）"]
    assert problems(".venv/bin/python scripts/nope.py")[0].endswith("scripts/nope.py：沒有這個檔案")
    assert problems("scripts/page_screenshots.py outputs/112 docs/screenshots")[0].endswith(
        "請寫 .venv/bin/python scripts/page_screenshots.py（或 bash）")
    assert problems("make validate YEAR=113") == []
    assert "No rule to make target 'valdate'" in problems("make valdate YEAR=113")[0]
    (refused,) = problems("make new-year")
    assert refused.endswith("*** 請指定年度，例如 make new-year YEAR=113.  Stop.")
    assert lab_options(["--ServerApp.port=8890", "--IdentityProvider.token=x", "--allow-root",
                        "--config=x.py", "--ServerApp.prot=1", "--no-such-flag", "--confg=x"]) == [
        "jupyter lab 沒有 --ServerApp.prot=1 這個設定", "jupyter lab 沒有 --no-such-flag 這個設定",
        "jupyter lab 沒有 --confg=x 這個設定"]


@pytest.mark.parametrize(("args", "runs"), [
    (["validate", "YEAR=113"], ".venv/bin/genderstats validate --year 113"),
    (["build", "YEAR=113"], ".venv/bin/genderstats build --year 113"),
    (["report", "YEAR=2024"], ".venv/bin/genderstats build --year 2024"),
    (["new-year", "YEAR=113"], ".venv/bin/genderstats new-year 113"),
    (["build", "YEAR=113", "ARGS=--only digital-training"],
     ".venv/bin/genderstats build --year 113 --only digital-training"),
])
def test_make_runs_the_years_commands(tmp_path, args, runs):
    printed = make_dry_run(tmp_path, args).stdout.splitlines()
    assert printed[-1].strip() == runs
    assert "scripts/check-lock.py" in "\n".join(printed)  # set up first when needed


def test_make_lab_takes_a_port_and_a_token(tmp_path):
    def lab(*args):
        printed = make_dry_run(tmp_path, ["lab", *args]).stdout
        line = next(j for _, j in _joined(printed.splitlines(), 1) if "jupyter lab" in j)
        return shlex.split(line)[2:]

    options = lab("PORT=8890", "TOKEN=k7q2m9x4")
    assert {"--ServerApp.port=8890", "--ServerApp.port_retries=0",
            "--IdentityProvider.token=k7q2m9x4"} <= set(options)
    assert lab_options(options) == []
    assert not [o for o in lab() if ".port=" in o or ".token=" in o]
