"""The year's disclosure audit beside the reports: forked by the build's fork server, or by the
build itself when there is none or it gives no answer; the same answer either way."""

from __future__ import annotations

import json
import os
import signal

import pytest
from conftest import copy_sample_data, wait_until

from genderstats.pipeline.auditor import Auditor
from genderstats.pipeline.engine.fork import ForkServer, fork_available
from genderstats.pipeline.processes import children

pytestmark = pytest.mark.skipif(not fork_available(), reason="fork server needs Linux")

BROKEN = ("DataError: data/112/onsite_engineers.csv：檔案看起來是 Big5/CP950 編碼，但內容已損壞"
          "或混有其他編碼的文字（第 1 列有無法解讀的字元）。請另存為 CSV UTF-8（Excel「另存新檔」"
          "選「CSV UTF-8（逗號分隔）」）後再放入。")


@pytest.fixture(scope="module")
def server():
    fork_server = ForkServer()
    yield fork_server
    fork_server.stop()


@pytest.fixture
def data(tmp_path):
    return copy_sample_data(tmp_path / "data")


def _broken(data):
    (data / "112" / "onsite_engineers.csv").write_bytes("姓名,性別\n".encode() + b"\xff\xfe,\n")
    return data


def test_the_fork_server_runs_the_audit_of_the_build_s_data(server, data):
    audit = Auditor(112, data, server.address)
    assert audit.pid is None and audit.conn is not None  # not forked by this process
    assert audit.result() == ([], None)
    assert audit.conn is None and audit.read == -1

    served = Auditor(112, _broken(data), server.address)
    assert served.pid is None
    assert served.result() == ([], BROKEN)
    assert Auditor(112, data).result() == ([], BROKEN)  # forked here: the same answer


def test_an_audit_the_server_never_ran_runs_in_the_build(data):
    fork_server = ForkServer()
    try:
        # Asked while the server still imports; it dies before it reads the request.
        audit = Auditor(112, _broken(data), fork_server.address)
        assert audit.conn is not None
        fork_server.process.kill()
        fork_server.process.wait()
        assert audit.result() == ([], BROKEN)
        assert audit.pid is None  # the build's own fork, reaped
    finally:
        fork_server.stop()


def test_without_a_server_of_this_build_the_audit_is_forked_here(server, data, monkeypatch):
    from genderstats.pipeline.engine import fork

    monkeypatch.setattr(fork, "_TICKETS", {})  # a socket this process did not start
    audit = Auditor(112, data, server.address)
    assert audit.conn is None and audit.pid is not None
    assert audit.result() == ([], None)


def test_an_audit_stopped_early_is_killed_by_the_server(server, data):
    audit = Auditor(112, data, server.address)
    pid = json.loads(audit.conn.recv(1024))["pid"]  # the server's reply: what it forked
    os.kill(pid, signal.SIGSTOP)  # held: it cannot finish by itself
    assert wait_until(lambda: children(server.process.pid) == [pid])
    audit.stop()
    assert wait_until(lambda: children(server.process.pid) == [])
    audit.stop()  # once only
    assert audit.result() == ([], "沒有回答（逾時或異常結束）")


def test_an_audit_that_does_not_answer_in_time_is_not_run_again(server, data, monkeypatch):
    from genderstats.pipeline import auditor

    monkeypatch.setattr(auditor, "AUDIT_TIMEOUT", 0.5)
    audit = Auditor(112, data, server.address)
    pid = json.loads(audit.conn.recv(1024))["pid"]
    os.kill(pid, signal.SIGSTOP)
    forked = []
    monkeypatch.setattr(Auditor, "_fork", lambda self, write: forked.append(write))
    assert audit.result() == ([], "沒有回答（逾時或異常結束）")
    assert forked == []  # not run again here
    assert wait_until(lambda: children(server.process.pid) == [])
