"""Project paths: every path in the package derives from PROJECT_ROOT."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# An installed wheel has no project around it; GENDERSTATS_ROOT points at one.
PROJECT_ROOT = Path(os.environ.get("GENDERSTATS_ROOT", PACKAGE_DIR.parent)).resolve()
DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
OUTPUTS_DIR = PROJECT_ROOT / "outputs"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
REGISTRY_FILE = NOTEBOOKS_DIR / "reports.yml"

# Debian's package of the charts' CJK font (Noto Sans CJK TC).
FONT_PACKAGE = "fonts-noto-cjk"

GENDERS: tuple[str, ...] = ("男", "女", "其他")
TOTAL = "合計"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """The folder of input data: ``data_dir`` if given, else the project's ``data/``.

    Notebooks declare ``data_dir: str = ""`` (papermill parameters cannot be None-typed).
    """
    return Path(data_dir).expanduser().resolve() if data_dir else DATA_DIR
