"""The build's plan, its typed records and its clock, each on its own: no notebook runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from genderstats import clock
from genderstats.pipeline import plan
from genderstats.pipeline.registry import Report
from genderstats.pipeline.state import LastGood, ReportState, RunResult, load_state, standing
from genderstats.report_status import FILED, PUBLISHED, Status, status_document


def _report(rid: str, starts_early: bool = False) -> Report:
    return Report(rid, rid, Path(f"{rid}.ipynb"), {}, starts_early=starts_early)


A, B, C, SUMMARY = _report("a"), _report("b"), _report("c"), _report("summary", True)


def test_the_reports_that_read_the_others_status_come_last_in_registry_order():
    first, last = plan.summarising_last([SUMMARY, A, B, C], {"summary"})
    assert [r.id for r in first] == ["a", "b", "c"]
    assert [r.id for r in last] == ["summary"]


def test_a_summary_starts_early_only_when_it_must_run_and_is_marked_so():
    late = _report("late")
    assert plan.early_starters([SUMMARY, late], fresh=set()) == [SUMMARY]
    assert plan.early_starters([SUMMARY, late], fresh={"summary"}) == []


def test_a_phase_runs_the_stale_longest_first_keeps_the_fresh_and_refuses_the_unfinished():
    phase = plan.phase([A, B, C, SUMMARY], fresh={"b"},
                       unfinished={"c": "還是範本"}, expected={"a": 1.0, "summary": 9.5})
    assert [r.id for r in phase.run] == ["summary", "a"]
    assert [r.id for r in phase.unchanged] == ["b"]
    assert dict(phase.unfinished) == {"c": "還是範本"}


def test_reports_of_unknown_length_keep_their_registry_order_after_the_known_ones():
    phase = plan.phase([A, B, C], fresh=set(), unfinished={}, expected={"c": 2.0})
    assert [r.id for r in phase.run] == ["c", "a", "b"]


@pytest.mark.parametrize(("requested", "cpus", "running", "waiting", "expected"), [
    (None, 2, 7, 1, 2),  # one per CPU
    (4, 2, 7, 1, 4),  # --jobs wins
    (8, 2, 3, 1, 2),  # never more than the reports that compute
    (None, None, 1, 1, 1),  # a summary alone still runs
])
def test_how_many_reports_run_at_once(requested, cpus, running, waiting, expected):
    assert plan.workers(requested, cpus, running, waiting) == expected


def test_a_state_is_written_as_the_build_always_wrote_it_and_read_back_the_same(tmp_path):
    last = LastGood("k", "2024-03-01T10:00:00+08:00", 1.5, {"data/112/a.csv": "ab"}, [],
                    ["data/112"], [{"count": 3}], "女性 3 人", {"women": "3"},
                    {"year": 112}, None)
    state = ReportState(Status.OK, None, 1.5, last.built, {"year": 112}, {"cells": 1.0}, last)
    written = json.dumps(state.to_json(), ensure_ascii=False)
    assert list(json.loads(written)) == ["status", "error", "seconds", "attempted",
                                         "parameters", "phases", "last_good"]
    assert list(json.loads(written)["last_good"]) == [
        "key", "built", "seconds", "inputs", "key_inputs", "dirs", "indicators", "summary",
        "figures", "parameters", "pdf_note"]
    assert '"status": "ok"' in written
    path = tmp_path / "a.json"
    path.write_text(written, encoding="utf-8")
    assert load_state(path) == (state, False)


@pytest.mark.parametrize("text", [
    "{", "[]", '{"status": "maybe", "error": null, "seconds": 1, "parameters": {}}',
    '{"status": "ok", "error": null, "seconds": "1", "parameters": {}}',
    '{"status": "ok", "error": null, "seconds": 1, "parameters": {}, "last_good": {"key": 1}}',
])
def test_a_damaged_or_hand_edited_state_is_set_aside(tmp_path, text):
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    assert load_state(path) == (None, True)
    assert load_state(tmp_path / "none.json") == (None, False)


def test_a_report_stands_ok_only_with_its_page():
    ok = ReportState(Status.OK, None, 1.0, None, {})
    failed = ReportState(Status.FAILED, "壞了", 1.0, None, {})
    assert [standing(ok, True), standing(ok, False), standing(failed, True),
            standing(None, True)] == [Status.OK, Status.UNBUILT, Status.FAILED, Status.UNBUILT]


def test_a_refused_run_is_a_failure_with_nothing_to_publish():
    res = RunResult.failed("a", "缺少檔案", 0.0, "2024-03-01T10:00:00+08:00", input_error=True)
    assert (res.status, res.page, res.notebook, res.indicators, res.input_error) == (
        Status.FAILED, None, None, [], True)


def test_the_statuses_are_their_words_in_json():
    doc = status_document(112, {"a": {"status": Status.PENDING}}, builder=42)
    assert json.dumps(doc) == ('{"year": 112, "reports": {"a": {"status": "pending"}}, '
                               '"complete": false, "builder": 42}')
    assert json.dumps(status_document(112, {})) == '{"year": 112, "reports": {}}'
    assert FILED == ("ok", "failed", "unbuilt") and PUBLISHED == {"ok", "unchanged"}


def test_the_clock_can_be_set_for_a_repeatable_build(monkeypatch):
    monkeypatch.setenv(clock.ENV, "1709258400")  # 2024-03-01 02:00 UTC
    monkeypatch.setenv("TZ", "Asia/Taipei")
    import time

    time.tzset()
    try:
        assert clock.stamp() == "2024-03-01T10:00:00+08:00"
        assert clock.today() == dt.date(2024, 3, 1)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert abs(clock.now() - dt.datetime.now().astimezone()) < dt.timedelta(minutes=1)
    for unusable in ("9" * 30, "１７０", "soon"):  # beyond any calendar, full-width, words
        monkeypatch.setenv(clock.ENV, unusable)
        assert abs(clock.now() - dt.datetime.now().astimezone()) < dt.timedelta(minutes=1)


def test_a_process_is_alive_until_it_is_reaped_or_a_zombie():
    import os
    import signal
    import time

    from genderstats.liveness import alive

    pid = os.fork()
    if pid == 0:
        signal.pause()
        os._exit(0)
    try:
        assert alive(pid)
        os.kill(pid, signal.SIGKILL)
        for _ in range(200):  # a zombie now, not yet reaped: it has ended
            if not alive(pid):
                break
            time.sleep(0.01)
        assert not alive(pid)
    finally:
        os.waitpid(pid, 0)
    assert not alive(pid)
    assert alive(1)  # another user's (or the system's) process runs
    assert not alive(10 ** 30)  # no process can have it: nothing to wait for
