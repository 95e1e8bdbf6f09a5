"""What the fork server accepts from its build (:mod:`genderstats.pipeline.engine.server`),
after the token: a kernel's launch or the year's disclosure audit, nothing else."""

from __future__ import annotations

import json
import os
from typing import Any


def parse_request(data: bytes) -> dict[str, Any] | None:
    """The request after the token: a kernel's launch, ``{"argv": [str], "env": {str: str},
    "cwd": str}``, every string one the system accepts, or the year's disclosure audit,
    ``{"audit": {"year": int, "data_dir": absolute path}}``; None for anything else."""
    try:
        request = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if isinstance(request, dict) and set(request) == {"audit"}:
        return request if _audit_request(request["audit"]) else None
    if not isinstance(request, dict) or set(request) != {"argv", "env", "cwd"}:
        return None
    argv, env, cwd = request["argv"], request["env"], request["cwd"]
    if not (isinstance(argv, list) and all(_system_str(a) for a in argv)):
        return None
    if not (isinstance(env, dict) and all(_system_str(k) and k and "=" not in k
                                          and _system_str(v) for k, v in env.items())):
        return None
    if not (_system_str(cwd) and cwd):
        return None
    return request


def _audit_request(audit: Any) -> bool:
    if not isinstance(audit, dict) or set(audit) != {"year", "data_dir"}:
        return False
    year, data_dir = audit["year"], audit["data_dir"]
    return (type(year) is int and 0 < year < 10_000 and _system_str(data_dir)
            and os.path.isabs(data_dir))


def _system_str(value: Any) -> bool:
    if not isinstance(value, str) or "\0" in value:
        return False
    try:
        os.fsencode(value)
    except UnicodeError:
        return False
    return True
