"""Stop the set-up when requirements.lock no longer matches pyproject.toml.

    python scripts/check-lock.py [pyproject.toml] [requirements.lock]

Offline and quick (``make`` runs it before every install): every dependency pyproject.toml
declares (the project's, the dev extra's and the build system's) is pinned in the lock at a
version its specifier allows, and every package the lock pins as a direct dependency of the
project (pip-compile's ``# via genderstats (pyproject.toml)``) is still declared. Exits 1 with
what to run, and each mismatch, on standard error.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a new .venv, before the lock is installed: pip's own copy
    from pip._vendor.packaging.requirements import Requirement
    from pip._vendor.packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
STALE = ("requirements.lock 與 pyproject.toml 不一致（相依套件改了卻沒有重新鎖定）："
         "執行 make lock 只更新需要變動的套件，或 make upgrade 全部升到允許的最新版並執行測試。")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)")
VIA = re.compile(r"^\s+#\s+(?:via\s+)?(\S.*)$")


def declared(pyproject: Path) -> tuple[str, list[Requirement]]:
    """The project's name and the requirements the lock must satisfy."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    texts = [*project.get("dependencies", []),
             *project.get("optional-dependencies", {}).get("dev", []),
             *data.get("build-system", {}).get("requires", [])]
    requirements = [Requirement(t) for t in texts]
    return project["name"], [r for r in requirements
                             if r.marker is None or r.marker.evaluate({"extra": "dev"})]


def pins(lock: Path) -> dict[str, tuple[str, set[str]]]:
    """Each pinned package's canonical name → (version, what it is pulled in by)."""
    pinned: dict[str, tuple[str, set[str]]] = {}
    via: set[str] = set()
    for line in lock.read_text(encoding="utf-8").splitlines():
        if match := PIN.match(line):
            via = set()
            pinned[canonicalize_name(match[1])] = (match[2], via)
        elif (match := VIA.match(line)) and pinned:
            via.add(match[1].strip())
    return pinned


def mismatches(pyproject: Path, lock: Path) -> list[str]:
    """One line for each way the lock does not match pyproject.toml; empty when it does."""
    name, requirements = declared(pyproject)
    pinned = pins(lock)
    problems = []
    for req in requirements:
        key = canonicalize_name(req.name)
        if key not in pinned:
            problems.append(f"{req.name}：pyproject.toml 要求 {req}，鎖定檔沒有這個套件")
        elif not req.specifier.contains(pinned[key][0], prereleases=True):
            problems.append(f"{req.name}：pyproject.toml 要求 {req}，鎖定的是 {pinned[key][0]}")
    wanted = {canonicalize_name(r.name) for r in requirements}
    direct = f"{name} (pyproject.toml)"
    for key, (version, via) in pinned.items():
        if direct in via and key not in wanted:
            problems.append(f"{key}：鎖定檔當作直接相依（{version}），pyproject.toml 已沒有")
    return problems


def main(argv: list[str]) -> int:
    pyproject = Path(argv[0]) if argv else ROOT / "pyproject.toml"
    lock = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.lock"
    problems = mismatches(pyproject, lock)
    if problems:
        print(STALE, *(f"  {p}" for p in problems), sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
