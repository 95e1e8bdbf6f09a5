"""The environment never stops a build for a cache: an unusable cache folder, a damaged
LibreOffice profile seed, a failed conversion (tried again on the next build), and where
LibreOffice's own messages go (the staff log, never the public one)."""

from __future__ import annotations

import json
import os
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

import conftest
import pytest
from conftest import fixture_project

from genderstats.pipeline import pdf as pdfmod
from genderstats.pipeline import timings, usercache
from genderstats.pipeline.build import BuildOptions, build

DOCUMENT_NOTEBOOK = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "cells": [
        {"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, "outputs": [],
         "execution_count": None, "source": 'year: int = 112\ndata_dir: str = ""'},
        {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# 文件報告"},
        {"cell_type": "code", "id": "d", "metadata": {}, "outputs": [], "execution_count": None,
         "source": (
             "from genderstats.present.model import Document, Paragraph, Section\n"
             "from genderstats.present.odf import record_document\n"
             "import matplotlib.pyplot  # noqa: F401 - its cache folder is the user's\n"
             "from genderstats.record import record_summary\n"
             'record_document(Document("文件報告", (Section("一、說明", '
             '(Paragraph("一段文字。"),)),)))\n'
             'record_summary("一份文件")')},
    ],
}


def _project(tmp_path: Path) -> Path:
    registry = fixture_project(tmp_path, "  - {id: doc, title: 文件報告, notebook: doc.ipynb}\n")
    (registry.parent / "doc.ipynb").write_text(json.dumps(DOCUMENT_NOTEBOOK, ensure_ascii=False),
                                               encoding="utf-8")
    return registry


def _office(root: Path) -> Path:
    """A LibreOffice installation (``bin/soffice`` → ``program/soffice``, beside
    ``program/soffice.bin``) that sets up a new profile and asks to be started again, as the
    real one does; aborts like the real one when ``root/FAIL`` exists or the profile's build
    id says ``poison``; else writes a PDF. Each run appends its profile to ``root/runs``."""
    program = root / "program"
    program.mkdir(parents=True)
    (program / "soffice").write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    (program / "soffice.bin").write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case $a in -env:UserInstallation=file://*) '
        "profile=${a#-env:UserInstallation=file://};; esac; done\n"
        'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out=$2; shift; done\n'
        f'echo "$profile" >> {root}/runs\n'
        f'if [ -f {root}/FAIL ]; then\n'
        '  echo "Fatal exception: Signal 6 in /opt/office/libuno_sal.so.3" >&2; kill -ABRT $$\n'
        "fi\n"
        'if [ ! -f "$profile/user/extensions/buildid" ]; then\n'
        '  mkdir -p "$profile/user/extensions/bundled"\n'
        '  echo "7(Build:1)" > "$profile/user/extensions/buildid"\n'
        "  exit 81\n"
        "fi\n"
        'if grep -q poison "$profile/user/extensions/buildid"; then\n'
        '  echo "Fatal exception: Signal 6" >&2; kill -ABRT $$\n'
        "fi\n"
        "printf '%%PDF-1.7 whole' > \"$out/document.pdf\"\n", encoding="utf-8")
    for name in ("soffice", "soffice.bin"):
        (program / name).chmod(0o755)
    (root / "bin").mkdir()
    (root / "bin" / "soffice").symlink_to(program / "soffice")
    return root / "bin"


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fake LibreOffice first on PATH; returns its folder."""
    root = tmp_path / "office"
    monkeypatch.setenv("PATH", f"{_office(root)}:{os.environ['PATH']}")
    return root


@pytest.fixture
def real_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real look-up of the report times (the session's builds use a folder of their own)."""
    monkeypatch.setattr(timings, "cache_file", conftest.REAL_TIMINGS_FILE)


def _build(tmp_path: Path, registry: Path, lines: list[str] | None = None, **kw):
    return build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                              registry=registry, echo=(lines if lines is not None else []).append,
                              jobs=1, **kw))


# ---------------------------------------------------------------- the cache folder

def test_a_cache_folder_is_usable_only_as_a_folder_this_account_can_read_and_write(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert usercache.usable(tmp_path / "new" / "genderstats")
    assert not (tmp_path / "new").exists()  # nothing is made by asking
    assert usercache.usable(tmp_path)
    assert not usercache.usable(tmp_path / "file")  # a file where the folder should be
    assert not usercache.usable(tmp_path / "file" / "genderstats")  # a path under a file
    assert not usercache.usable(tmp_path / ("x" * 300) / "genderstats")  # a name too long
    # An unreadable folder (chmod 000 for anyone but root): what os.access says decides.
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert not usercache.usable(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    assert usercache.folder() == tmp_path / "file" / "genderstats"


@pytest.mark.parametrize("where", ["file in place", "under a file"])
def test_an_unusable_cache_folder_is_skipped_with_a_note_on_the_staff_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: Path, real_cache: None,
        where: str) -> None:
    cache = tmp_path / "cache"
    if where == "file in place":
        cache.mkdir()
        (cache / "genderstats").write_bytes(b"not a folder")
    else:
        cache.write_bytes(b"not a folder")
        cache = cache / "below"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.delenv("MPLCONFIGDIR", raising=False)
    lines: list[str] = []
    # Plain kernels: each imports matplotlib itself, as a notebook in JupyterLab would.
    result = _build(tmp_path, _project(tmp_path), lines, engine="plain")
    assert result.exit_code == 0 and [r.status for r in result.results] == ["ok"]
    out = tmp_path / "out" / "112"
    # matplotlib, whose cache folder is there too, had a private one: no English warning
    # naming the folder in the notebook, and nothing left behind.
    notebook = (out / "notebooks" / "doc.ipynb").read_text(encoding="utf-8")
    assert "Matplotlib" not in notebook and "stderr" not in notebook
    assert "MPLCONFIGDIR" not in os.environ
    assert (out / "index.html").is_file()
    # LibreOffice ran from scratch each time (new profile, started again), and made the PDF.
    assert (out / "doc.pdf").read_bytes() == b"%PDF-1.7 whole"
    assert any(line.endswith(f"  注意  {usercache.SKIPPED}") for line in lines)
    staff = (out / "staff.html").read_text(encoding="utf-8")
    assert f"<li>{usercache.SKIPPED}</li>" in staff
    assert "無法使用快取資料夾，已略過（不影響報告內容）" in staff
    assert str(tmp_path) not in staff
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notes"] == [usercache.SKIPPED]
    # The committee's index says nothing of it, and the cache was left as it was.
    assert usercache.SKIPPED not in (out / "index.html").read_text(encoding="utf-8")
    assert (tmp_path / "cache").is_file() or (tmp_path / "cache" / "genderstats").read_bytes() \
        == b"not a folder"


def test_a_usable_cache_folder_gives_no_note_and_keeps_the_times_and_the_seed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: Path, real_cache: None) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert _build(tmp_path, _project(tmp_path)).exit_code == 0
    out = tmp_path / "out" / "112"
    assert usercache.SKIPPED not in (out / "staff.html").read_text(encoding="utf-8")
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["notes"] == []
    kept = sorted(p.name for p in (tmp_path / "cache" / "genderstats").iterdir())
    assert kept[1] == timings.FILE_NAME and kept[0].startswith("libreoffice-")
    assert stat.S_IMODE((tmp_path / "cache" / "genderstats").stat().st_mode) == 0o700


# ---------------------------------------------------------------- the profile seed

def _seed(cache: Path) -> Path:
    (seed,) = (cache / "genderstats").glob("libreoffice-*")
    return seed / "extensions"


def test_a_seed_that_passes_the_checks_but_fails_is_retried_without_it_and_replaced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    odt = b"PK fake document"
    assert pdfmod.convert(odt).data == b"%PDF-1.7 whole"
    seed = _seed(tmp_path / "cache")
    (seed / "buildid").write_text("poison\n", encoding="utf-8")
    assert pdfmod.valid_seed(seed)
    (office / "runs").unlink()
    result = pdfmod.convert(odt)
    assert (result.data, result.reason) == (b"%PDF-1.7 whole", "")
    # From the seed (aborted), then from a new profile (set up, started again, converted).
    runs = [Path(p).name for p in (office / "runs").read_text().split()]
    assert runs == ["seeded", "profile", "profile"]
    assert (seed / "buildid").read_text(encoding="utf-8") == "7(Build:1)\n"
    (office / "runs").unlink()
    assert pdfmod.convert(odt).data == b"%PDF-1.7 whole"
    assert [Path(p).name for p in (office / "runs").read_text().split()] == ["seeded"]


@pytest.mark.parametrize("damage", ["garbage registry", "link out", "empty build id"])
def test_a_seed_that_fails_the_checks_is_not_used(tmp_path: Path, damage: str) -> None:
    seed = tmp_path / "extensions"
    (seed / "bundled" / "registry" / "x").mkdir(parents=True)
    (seed / "buildid").write_text("40(Build:2)\n", encoding="utf-8")
    (seed / "bundled" / "lastsynchronized").write_text("1", encoding="utf-8")
    db = seed / "bundled" / "registry" / "x" / "backenddb.xml"
    db.write_text('<?xml version="1.0"?>\n<db/>\n', encoding="utf-8")
    assert pdfmod.valid_seed(seed)
    if damage == "garbage registry":
        db.write_bytes(os.urandom(64).replace(b"<", b"x"))
    elif damage == "link out":
        (seed / "bundled" / "passwd").symlink_to("/etc/passwd")
    else:
        (seed / "buildid").write_text("\n", encoding="utf-8")
    assert not pdfmod.valid_seed(seed)


@pytest.mark.skipif(pdfmod.find_soffice() is None, reason="LibreOffice 未安裝")
def test_a_corrupted_libreoffice_seed_is_rebuilt_and_the_pdf_made(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from genderstats.present.model import Document, Paragraph, Section
    from genderstats.present.odf import odt_bytes

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    odt = odt_bytes(Document("文件", (Section("一、說明", (Paragraph("一段文字。"),)),)))
    assert pdfmod.convert(odt).data.startswith(b"%PDF")
    seed = _seed(tmp_path / "cache")
    registries = sorted(seed.rglob("backenddb.xml"))
    assert registries
    for path in registries:  # what made every conversion abort (signal 6)
        path.write_bytes(b"\x00\xff garbage \x13" * 20)
    assert not pdfmod.valid_seed(seed)
    result = pdfmod.convert(odt)
    assert result.reason == "" and result.data.startswith(b"%PDF")
    assert pdfmod.valid_seed(seed)
    for path in sorted(seed.rglob("backenddb.xml")):
        ET.fromstring(path.read_bytes())


# ---------------------------------------------------------------- a missing PDF, its logs

def test_a_failed_conversion_is_tried_again_on_the_next_build_without_running_the_notebook(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    registry = _project(tmp_path)
    out = tmp_path / "out" / "112"
    (office / "FAIL").touch()
    lines: list[str] = []
    result = _build(tmp_path, registry, lines)
    # The report itself is fine: its page and ODT are published, the PDF is not.
    assert result.exit_code == 0 and (out / "doc.html").is_file() and (out / "doc.odt").is_file()
    assert not (out / "doc.pdf").exists()
    reason = "LibreOffice 轉檔失敗（結束碼 -6），未產製 PDF"
    assert any(line.endswith(f"  注意  doc：{reason}") for line in lines)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["reports"][0]["pdf"], manifest["reports"][0]["pdf_note"]) == (None, reason)
    # LibreOffice's own words only on the staff log, outside the published folder.
    public = (out / "logs" / "doc.log").read_text(encoding="utf-8")
    assert reason in public and "Signal 6" not in public and "/opt/office" not in public
    staff_dir = tmp_path / "out" / ".staff" / "112"
    staff = (staff_dir / "doc.log").read_text(encoding="utf-8")
    assert reason in staff and "Fatal exception: Signal 6 in /opt/office/libuno_sal.so.3" in staff
    for folder in (staff_dir, staff_dir.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in out.rglob("*"):
        if path.is_file():
            assert b"Signal 6" not in path.read_bytes(), path

    (office / "FAIL").unlink()
    lines = []
    result = _build(tmp_path, registry, lines)
    assert [(r.id, r.status) for r in result.results] == [("doc", "unchanged")]
    assert not any("  開始  " in line for line in lines)  # the notebook did not run again
    assert any(line.endswith("  轉換  doc：上次沒有 PDF，以保留的 ODT 重新轉換") for line in lines)
    assert (out / "doc.pdf").read_bytes() == b"%PDF-1.7 whole"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["reports"][0]["pdf"], manifest["reports"][0]["pdf_note"]) == (
        "doc.pdf", None)
    state = json.loads((out / ".state" / "doc.json").read_text(encoding="utf-8"))
    assert state["last_good"]["pdf_note"] is None

    # Nothing more to do: the next build converts nothing.
    (office / "runs").unlink()
    lines = []
    assert _build(tmp_path, registry, lines).exit_code == 0
    assert not (office / "runs").exists()
    assert not any("  轉換  " in line for line in lines)
    # A PDF removed by hand is made again too.
    (out / "doc.pdf").unlink()
    assert _build(tmp_path, registry).exit_code == 0
    assert (out / "doc.pdf").read_bytes() == b"%PDF-1.7 whole"


def test_without_libreoffice_every_build_says_so_and_converts_when_it_is_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, office: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    registry = _project(tmp_path)
    out = tmp_path / "out" / "112"
    monkeypatch.setattr(pdfmod, "find_soffice", lambda: None)
    assert _build(tmp_path, registry).exit_code == 0
    assert not (out / "doc.pdf").exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["reports"][0]["pdf_note"] == pdfmod.NO_OFFICE
    assert pdfmod.INSTALL_HINT in (tmp_path / "out" / ".staff" / "112" / "doc.log").read_text(
        encoding="utf-8")
    assert pdfmod.INSTALL_HINT not in (out / "logs" / "doc.log").read_text(encoding="utf-8")
    # Still none: an unchanged build neither tries again nor adds to the logs.
    log = (out / "logs" / "doc.log").read_text(encoding="utf-8")
    lines: list[str] = []
    assert _build(tmp_path, registry, lines).exit_code == 0
    assert not any("轉換" in line or "注意" in line for line in lines)
    assert (out / "logs" / "doc.log").read_text(encoding="utf-8") == log
    monkeypatch.undo()
    monkeypatch.setenv("PATH", f"{office / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lines = []
    result = _build(tmp_path, registry, lines)
    assert [(r.id, r.status) for r in result.results] == [("doc", "unchanged")]
    assert any(line.endswith("  轉換  doc：上次沒有 PDF，以保留的 ODT 重新轉換") for line in lines)
    assert (out / "doc.pdf").read_bytes() == b"%PDF-1.7 whole"
