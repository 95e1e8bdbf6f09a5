"""Every override of a library internal (genderstats/pipeline/engine/patches.py): its targets
still exist as written for, each is switchable, and outside its versions the plain path is
taken."""

from __future__ import annotations

import inspect

import pytest

from genderstats.pipeline.engine import patches


def test_every_patched_target_still_exists_with_the_expected_signature():
    """Run after every upgrade (make upgrade): a patch whose internals moved is named here,
    before a build uses it. A patch an installed version keeps out is not checked: the build
    already takes the plain path and says so."""
    wrong = []
    for patch in patches.PATCHES.values():
        if patches.out_of_range(patch.name):
            continue
        for target in patch.targets:
            try:
                obj = patches.resolve(target.path)
            except (ImportError, AttributeError) as exc:
                wrong.append(f"{patch.name}: {target.path} is gone ({exc})")
                continue
            if target.parameters is not None:
                found = tuple(inspect.signature(obj).parameters)
                if found != target.parameters:
                    wrong.append(f"{patch.name}: {target.path}{found} != {target.parameters}")
            if target.holds is not None and target.holds not in inspect.getsource(obj):
                wrong.append(f"{patch.name}: {target.path} no longer holds {target.holds!r}")
            if target.digest is not None and patches.source_digest(obj) != target.digest:
                wrong.append(f"{patch.name}: {target.path} changed; compare the copied body "
                             f"and record its new digest {patches.source_digest(obj)}")
    assert wrong == []


def test_the_check_sees_a_changed_signature_and_a_missing_target():
    target = patches.Target("nbformat.v4.nbbase:validate", ("node",))
    assert tuple(inspect.signature(patches.resolve(target.path)).parameters) != target.parameters
    with pytest.raises(AttributeError):
        patches.resolve("nbformat.v4.nbbase:no_such_function")


def test_every_patch_names_its_versions_and_what_it_does():
    assert list(patches.PATCHES) == [
        "jsonschema-rfc3987", "kernel-ready", "nbconvert-page", "glibc-malloc", "fork-atexit"]
    for patch in patches.PATCHES.values():
        assert patch.versions and patch.targets and patch.does


def test_a_patch_is_off_when_switched_off(monkeypatch):
    monkeypatch.delenv(patches.OFF_ENV, raising=False)
    assert patches.active("nbconvert-page") and patches.not_in_effect() == []
    monkeypatch.setenv(patches.OFF_ENV, "nbconvert-page, glibc-malloc")
    assert not patches.active("nbconvert-page") and patches.active("kernel-ready")
    assert patches.not_in_effect() == [
        "修補 nbconvert-page 已關閉（GENDERSTATS_PATCHES_OFF）：使用套件本身的做法。",
        "修補 glibc-malloc 已關閉（GENDERSTATS_PATCHES_OFF）：使用套件本身的做法。"]
    assert patches.malloc_tunables("glibc.malloc.arena_max=2") == "glibc.malloc.arena_max=2"
    monkeypatch.setenv(patches.OFF_ENV, "all")
    assert not any(patches.active(name) for name in patches.PATCHES)
    assert patches.not_in_effect() == ["所有修補都已關閉（GENDERSTATS_PATCHES_OFF=all 或 "
                                       "--engine plain）：全部使用套件本身的做法。"]
    monkeypatch.setenv(patches.OFF_ENV, "all,nbconvert-pages")
    assert patches.unknown_switches() == ["nbconvert-pages"]


def test_a_patch_outside_the_versions_it_was_written_for_is_skipped_and_named(monkeypatch):
    monkeypatch.delenv(patches.OFF_ENV, raising=False)
    real = patches.installed

    def installed(library: str) -> str | None:
        return {"nbconvert": "8.0.1", "glibc": None}.get(library, real(library))

    monkeypatch.setattr(patches, "installed", installed)
    patches.out_of_range.cache_clear()
    try:
        assert not patches.active("nbconvert-page") and not patches.active("glibc-malloc")
        assert patches.active("kernel-ready")
        from nbconvert import HTMLExporter

        assert patches.page_exporter() is HTMLExporter  # nbconvert's own, soup and all
        note = ("修補 nbconvert-page 未使用：nbconvert 8.0.1 不在它寫成時的版本範圍 >=7.16,<8 內，"
                "改用套件本身的做法（較慢，頁面相同）；見 docs/architecture.md「升級相依套件」。")
        assert patches.range_notes()[0] == note
        assert patches.range_notes()[1].startswith("修補 glibc-malloc 未使用：找不到 glibc，")
        assert patches.not_in_effect() == patches.range_notes()
        monkeypatch.setenv(patches.OFF_ENV, "nbconvert-page")  # switched off: no version note
        assert [n.split()[1] for n in patches.range_notes()] == ["glibc-malloc"]
    finally:
        patches.out_of_range.cache_clear()


def test_rfc3987_syntax_is_kept_out_only_while_the_patch_is_in_effect(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "rfc3987_syntax", raising=False)
    monkeypatch.setenv(patches.OFF_ENV, "jsonschema-rfc3987")
    patches.skip_rfc3987_syntax()
    assert "rfc3987_syntax" not in sys.modules
    monkeypatch.delenv(patches.OFF_ENV)
    patches.skip_rfc3987_syntax()
    assert sys.modules["rfc3987_syntax"] is None
    with pytest.raises(ImportError):
        import rfc3987_syntax  # noqa: F401
    patches.restore_rfc3987_syntax()
    assert "rfc3987_syntax" not in sys.modules
