"""The CJK font: found here, applied to matplotlib, and a clear message when missing."""

from __future__ import annotations

import subprocess
import warnings

import matplotlib
import pytest
from matplotlib import font_manager

from genderstats import fonts
from genderstats.pipeline import cli


@pytest.fixture
def fresh_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reset the once-only flags so each test sees a first call."""
    monkeypatch.setattr(fonts, "_warned", False)
    monkeypatch.setattr(fonts, "_cache_rebuilt", False)


def test_find_cjk_font_returns_an_installed_cjk_family() -> None:
    family = fonts.find_cjk_font()
    assert family in fonts.CJK_FAMILIES
    assert family in {entry.name for entry in font_manager.fontManager.ttflist}


def test_apply_sets_the_family_itself_first() -> None:
    rc: dict[str, object] = {}
    family = fonts.apply(rc)
    assert family is not None
    assert rc["font.family"][0] == family  # type: ignore[index]
    assert rc["axes.unicode_minus"] is False


def test_apply_without_rc_updates_matplotlib() -> None:
    with matplotlib.rc_context():
        family = fonts.apply()
        assert matplotlib.rcParams["font.family"][0] == family
        resolved = font_manager.get_font(
            font_manager.findfont(font_manager.FontProperties(family=family))
        )
        assert "CJK" in resolved.family_name or resolved.family_name in fonts.CJK_FAMILIES


def test_missing_font_warns_once_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, fresh_state: None
) -> None:
    monkeypatch.setattr(fonts, "_installed_families", lambda: set())
    monkeypatch.setattr(fonts, "_fc_list_families", lambda: set())
    assert fonts.find_cjk_font() is None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rc: dict[str, object] = {}
        assert fonts.apply(rc) is None
        assert fonts.apply(rc) is None
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1
    assert "fonts-noto-cjk" in messages[0]
    assert "genderstats fonts --rebuild-cache" in messages[0]
    assert "font.family" not in rc


def test_font_known_to_fontconfig_only_triggers_one_rebuild(
    monkeypatch: pytest.MonkeyPatch, fresh_state: None
) -> None:
    seen: set[str] = set()
    rebuilds: list[int] = []

    def fake_rebuild() -> None:
        rebuilds.append(1)
        seen.add("Noto Sans CJK TC")
        monkeypatch.setattr(fonts, "_cache_rebuilt", True)

    monkeypatch.setattr(fonts, "_installed_families", lambda: set(seen))
    monkeypatch.setattr(fonts, "_fc_list_families", lambda: {"Noto Sans CJK TC", "DejaVu Sans"})
    monkeypatch.setattr(fonts, "rebuild_cache", fake_rebuild)
    assert fonts.find_cjk_font() == "Noto Sans CJK TC"
    assert rebuilds == [1]


def test_no_second_rebuild_when_fontconfig_font_stays_invisible(
    monkeypatch: pytest.MonkeyPatch, fresh_state: None
) -> None:
    rebuilds: list[int] = []

    def fake_rebuild() -> None:
        rebuilds.append(1)
        monkeypatch.setattr(fonts, "_cache_rebuilt", True)

    monkeypatch.setattr(fonts, "_installed_families", lambda: set())
    monkeypatch.setattr(fonts, "_fc_list_families", lambda: {"Noto Sans CJK TC"})
    monkeypatch.setattr(fonts, "rebuild_cache", fake_rebuild)
    assert fonts.find_cjk_font() is None
    assert fonts.find_cjk_font() is None
    assert rebuilds == [1]


def test_rebuild_cache_keeps_the_shared_font_manager_usable() -> None:
    before = font_manager.fontManager
    fonts.rebuild_cache()
    # Modules that imported fontManager by name still hold this object.
    assert font_manager.fontManager is before
    assert fonts.find_cjk_font() in fonts.CJK_FAMILIES


def test_main_reports_the_font_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["fonts"]) == 0
    out = capsys.readouterr().out
    assert fonts.find_cjk_font() in out


def test_main_install_is_quick_when_a_font_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected command {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert cli.main(["fonts", "--install"]) == 0


def _no_font(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts.platform, "system", lambda: "Linux")
    monkeypatch.setattr(fonts.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_main_without_font_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_font(monkeypatch)
    assert cli.main(["fonts"]) == 1
    assert "fonts-noto-cjk" in capsys.readouterr().err


def test_main_install_not_root_prints_sudo_command_and_never_prompts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _no_font(monkeypatch)
    monkeypatch.setattr(fonts, "_is_root", lambda: False)

    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"unexpected command {args}")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    assert cli.main(["fonts", "--install"]) == 1
    assert "sudo apt-get install -y fonts-noto-cjk" in capsys.readouterr().err


def test_main_install_as_root_runs_apt_then_rebuilds(monkeypatch: pytest.MonkeyPatch) -> None:
    found = iter([None, "Noto Sans CJK TC"])
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: next(found))
    monkeypatch.setattr(fonts.platform, "system", lambda: "Linux")
    monkeypatch.setattr(fonts.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(fonts, "_is_root", lambda: True)
    rebuilt: list[int] = []
    monkeypatch.setattr(fonts, "rebuild_cache", lambda: rebuilt.append(1))
    calls: list[tuple[list[str], dict[str, object]]] = []

    def fake_run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append((cmd, kwargs))
        return subprocess.CompletedProcess(cmd, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert cli.main(["fonts", "--install"]) == 0
    commands = [cmd for cmd, _ in calls]
    assert commands[0][:2] == ["apt-get", "update"]
    assert commands[1][:2] == ["apt-get", "install"] and "fonts-noto-cjk" in commands[1]
    assert "-y" in commands[1]
    assert all(kwargs["stdin"] is subprocess.DEVNULL for _, kwargs in calls)
    assert rebuilt == [1]


def test_main_install_on_other_os_explains(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    monkeypatch.setattr(fonts.platform, "system", lambda: "Windows")
    assert cli.main(["fonts", "--install"]) == 1
    assert capsys.readouterr().err == (
        "找不到圖表用的中文字型。\n請在 Windows 安裝繁體中文字型，如 Noto Sans CJK TC"
        "（Windows 與 macOS 通常已內建微軟正黑體／蘋方），"
        "再執行：genderstats fonts --rebuild-cache\n")
