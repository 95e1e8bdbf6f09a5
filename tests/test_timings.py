"""The order of a build: the longest reports first, by this folder's or this machine's times."""

from __future__ import annotations

import json
from pathlib import Path

import conftest
import pytest
from conftest import fixture_project

from genderstats.pipeline import timings
from genderstats.pipeline.build import BuildOptions, build


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The real look-up (the session's builds use a folder of their own), under a cache
    # folder of this test's.
    monkeypatch.setattr(timings, "cache_file", conftest.REAL_TIMINGS_FILE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "genderstats" / timings.FILE_NAME


def _registry(tmp_path: Path) -> Path:
    return fixture_project(tmp_path, "".join(
        f"  - {{id: {rid}, title: {rid}, notebook: tiny.ipynb}}\n"
        for rid in ("one", "two", "three")))


def _started(tmp_path: Path, registry: Path, out: str, **kw) -> list[str]:
    lines: list[str] = []
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / out,
                                registry=registry, echo=lines.append, jobs=1, **kw))
    assert result.exit_code == 0
    # Each line starts with its time stamp: "2026-12-02T16:21:13+00:00   開始  one".
    return [line.split()[2] for line in lines if line.split()[1:2] == ["開始"]]


def test_times_are_kept_newest_last_and_a_bad_file_is_no_times(cache: Path) -> None:
    assert timings.load() == {}
    timings.remember({"a.ipynb#x": 1.234, "a.ipynb#y": 2})
    timings.remember({"a.ipynb#x": 3})
    assert json.loads(cache.read_text(encoding="utf-8")) == {"a.ipynb#y": 2, "a.ipynb#x": 3}
    timings.remember({f"b.ipynb#{n}": n for n in range(timings.MAX_ENTRIES)})
    kept = timings.load()
    assert len(kept) == timings.MAX_ENTRIES and "a.ipynb#x" not in kept
    assert timings.key(Path("/p/a.ipynb"), "x") != timings.key(Path("/q/a.ipynb"), "x")
    for bad in ("{not json", "[1, 2]", '{"a#x": "slow", "a#y": -1, "a#z": 2}'):
        cache.write_text(bad, encoding="utf-8")
        assert timings.load() == ({"a#z": 2.0} if "a#z" in bad else {})


def test_a_first_build_goes_by_this_machines_times_then_by_its_own(
        tmp_path: Path, cache: Path) -> None:
    registry = _registry(tmp_path)
    nb = registry.parent / "tiny.ipynb"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({timings.key(nb, "one"): 1, timings.key(nb, "two"): 5,
                                 timings.key(nb, "three"): 9}), encoding="utf-8")
    # A new output folder has no times of its own: the machine's decide, longest first.
    assert _started(tmp_path, registry, "out") == ["three", "two", "one"]
    kept = timings.load()
    assert set(kept) == {timings.key(nb, r) for r in ("one", "two", "three")}
    assert all(0 < s < 9 for s in kept.values())  # this build's own times replaced them
    # The folder's own times win over the machine's, whatever the file says now.
    state = tmp_path / "out" / "112" / ".state"
    for rid, seconds in (("one", 7), ("two", 3), ("three", 5)):
        path = state / f"{rid}.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**doc, "seconds": seconds}), encoding="utf-8")
    assert _started(tmp_path, registry, "out", force=True) == ["one", "three", "two"]


def test_without_any_times_the_registry_order_holds(tmp_path: Path, cache: Path) -> None:
    registry = _registry(tmp_path)
    cache.parent.mkdir(parents=True)
    cache.write_text("{broken", encoding="utf-8")
    assert _started(tmp_path, registry, "out") == ["one", "two", "three"]
