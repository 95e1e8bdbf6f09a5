"""The one CJK font for every chart, and the ``genderstats fonts`` command.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so every title and
label would render as empty boxes. This module finds an installed font that renders
Traditional Chinese well and makes it matplotlib's font family::

    >>> from genderstats import fonts
    >>> fonts.apply()                      # doctest: +SKIP
    'Noto Sans CJK TC'
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import warnings
from collections.abc import MutableMapping
from typing import Any

import matplotlib
from matplotlib import font_manager

from genderstats.config import FONT_PACKAGE

# Best first. Traditional Chinese (TC) families come first; the SC/JP builds of Noto
# contain the same glyphs but some characters take the mainland/Japanese shapes,
# so they are only a last resort.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "Microsoft JhengHei",
    "PingFang TC",
    "Heiti TC",
    "Noto Sans CJK HK",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
)

DEBIAN_PACKAGE = FONT_PACKAGE
INSTALL_HINT = (
    f"Debian/Ubuntu 請執行：sudo apt-get install -y {DEBIAN_PACKAGE} && "
    "genderstats fonts --rebuild-cache。"
    "Windows 與 macOS 會自動使用系統字型（微軟正黑體／蘋方）。"
)
MISSING_MESSAGE = (
    "找不到圖表用的中文字型：圖表中的中文會顯示為空白方塊。" + INSTALL_HINT
)

_cache_rebuilt = False
_warned = False


def _installed_families() -> set[str]:
    return {entry.name for entry in font_manager.fontManager.ttflist}


def _fc_list_families() -> set[str]:
    """Families fontconfig knows about (empty when fc-list is absent or fails)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    try:
        out = subprocess.run(
            [fc_list, ":", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    # One font per line, its family names comma-separated ("Noto Sans CJK TC,Noto Sans CJK TC
    # Regular"); escaped commas do not occur in the families we look for.
    return {name.strip() for line in out.splitlines() for name in line.split(",") if name.strip()}


def rebuild_cache() -> None:
    """Rescan the system fonts and rewrite matplotlib's font cache.

    Needed when a font was installed after matplotlib first built its cache.

    >>> rebuild_cache()                    # doctest: +SKIP
    """
    global _cache_rebuilt
    fresh = font_manager._load_fontmanager(try_read_cache=False)
    # matplotlib's Agg backend, text and textpath modules hold a reference to the
    # original FontManager object, so refresh that object in place as well as
    # reassigning the module attribute; otherwise they keep the stale font list.
    current = font_manager.fontManager
    current.__dict__.update(fresh.__dict__)
    font_manager.fontManager = current
    font_manager.findfont = current.findfont
    font_manager.get_font_names = current.get_font_names
    current._findfont_cached.cache_clear()
    _cache_rebuilt = True


def find_cjk_font() -> str | None:
    """Return the first installed family of :data:`CJK_FAMILIES`, or ``None``.

    If matplotlib's cache has none but fontconfig lists one (installed later), the
    cache is rebuilt once and searched again.

    >>> find_cjk_font()                    # doctest: +SKIP
    'Noto Sans CJK TC'
    """
    installed = _installed_families()
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    if not _cache_rebuilt and set(CJK_FAMILIES) & _fc_list_families():
        rebuild_cache()
        return find_cjk_font()
    return None


def apply(rc: MutableMapping[str, Any] | None = None) -> str | None:
    """Make the CJK font matplotlib's font family; return its name or ``None``.

    Updates ``rc`` (a dict of rc settings) when given, else ``matplotlib.rcParams``.
    Warns once per process when no CJK font is installed.

    >>> theme = {}
    >>> apply(theme) and theme["axes.unicode_minus"]   # doctest: +SKIP
    False
    """
    global _warned
    target = matplotlib.rcParams if rc is None else rc
    family = find_cjk_font()
    # The CJK family itself goes first: Latin letters and digits come from it too, so a
    # label mixing 「女 14人 (40%)」 uses one consistent typeface. DejaVu Sans (bundled
    # with matplotlib) stays as a per-glyph fallback for rare symbols.
    target["axes.unicode_minus"] = False
    if family is None:
        if not _warned:
            warnings.warn(MISSING_MESSAGE, UserWarning, stacklevel=2)
            _warned = True
        return None
    target["font.family"] = [family, "DejaVu Sans"]
    return family


def _font_file(family: str) -> str:
    """Path of the regular-weight file of ``family`` (the one body text uses)."""
    entries = [e for e in font_manager.fontManager.ttflist if e.name == family]
    if not entries:
        return "?"
    def distance(entry: font_manager.FontEntry) -> int:
        weight = entry.weight if isinstance(entry.weight, int) else 400
        return abs(weight - 400)

    return min(entries, key=distance).fname


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _install_debian() -> int:
    """Install the Noto CJK fonts with apt-get (root only); return an exit code."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    steps = (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", DEBIAN_PACKAGE],
    )
    for step in steps:
        print("執行：", " ".join(step), flush=True)
        # stdin closed so nothing can ever wait for an answer.
        done = subprocess.run(step, env=env, stdin=subprocess.DEVNULL, check=False)
        if done.returncode != 0:
            print(f"失敗（結束碼 {done.returncode}）：{' '.join(step)}", file=sys.stderr)
            return done.returncode
    rebuild_cache()
    return 0


def check(install: bool = False, rebuild: bool = False) -> int:
    """``genderstats fonts [--install] [--rebuild-cache]``; 0 when a CJK font is usable.

    Prints the font found, or how to install one; ``install`` runs apt-get as root.
    """
    if rebuild:
        rebuild_cache()
        print(f"已重建 matplotlib 字型快取：{matplotlib.get_cachedir()}")

    family = find_cjk_font()
    if family is not None:
        # A font is present: --install has nothing to do, so set-up stays quick.
        print(f"中文字型：{family}（{_font_file(family)}）")
        return 0

    print("找不到圖表用的中文字型。", file=sys.stderr)
    if not install:
        print(INSTALL_HINT, file=sys.stderr)
        print("或以 root 執行：genderstats fonts --install", file=sys.stderr)
        return 1

    system = platform.system()
    if system == "Linux" and shutil.which("apt-get"):
        if not _is_root():
            # Never call sudo here: a password prompt would hang unattended set-up.
            print(
                "安裝字型需要 root 權限。請執行：\n"
                f"  sudo apt-get install -y {DEBIAN_PACKAGE} && genderstats fonts --rebuild-cache",
                file=sys.stderr,
            )
            return 1
        code = _install_debian()
        if code != 0:
            return code
        family = find_cjk_font()
        if family is None:
            print(f"已安裝 {DEBIAN_PACKAGE}，但仍找不到中文字型。", file=sys.stderr)
            return 1
        print(f"中文字型：{family}（{_font_file(family)}）")
        return 0
    if system == "Linux":
        print(
            "此系統沒有 apt-get：請以發行版的套件管理工具安裝 Noto Sans CJK 字型"
            "（如 Fedora 的 google-noto-sans-cjk-ttc-fonts、Arch 的 noto-fonts-cjk），"
            "再執行：genderstats fonts --rebuild-cache",
            file=sys.stderr,
        )
    else:
        print(
            f"請在 {system or '此系統'} 安裝繁體中文字型，如 Noto Sans CJK TC"
            "（Windows 與 macOS 通常已內建微軟正黑體／蘋方），"
            "再執行：genderstats fonts --rebuild-cache",
            file=sys.stderr,
        )
    return 1
