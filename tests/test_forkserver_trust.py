"""The fork server serves its own build only, never waits on a client, and leaves nothing behind.

It runs whatever it is sent, as the build's user: another user, a process of the same user
outside the build, a request without the build's token, or one that is not a launch request
must not get a process. Each refusal is checked against the server's children: nothing was
forked. Tests that switch to another user need root (as in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import wait_until
from nbformat.v4 import new_code_cell, new_notebook

from genderstats.pipeline.build import BuildOptions, build
from genderstats.pipeline.engine.fork import TOKEN_BYTES, ForkServer, fork_available, ticket
from genderstats.pipeline.engine.requests import parse_request
from genderstats.pipeline.processes import children, descends_from

pytestmark = pytest.mark.skipif(not fork_available(), reason="fork server needs Linux")
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="switching to another user needs root")
NOBODY = 65534

# A client of the server in plain Python (another user cannot import the package from here):
# the token on stdin, the socket as argument. Prints what happened: the connect error, or the
# server's answer ("closed" when it hung up without one).
CLIENT = r"""
import errno, json, os, socket, sys
token = bytes.fromhex(sys.stdin.readline().strip())
request = {"argv": ["-f", sys.argv[2]], "env": {"PATH": os.environ.get("PATH", "")},
           "cwd": "/"}
sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
sock.settimeout(60)
try:
    sock.connect(sys.argv[1])
except OSError as exc:
    print("connect", errno.errorcode[exc.errno])
    sys.exit(0)
null = os.open(os.devnull, os.O_RDWR)
try:  # a refused client may find the connection closed before it sends
    socket.send_fds(sock, [token + json.dumps(request).encode()], [null, null, null])
    print("reply", sock.recv(1 << 20).decode() or "closed")
except (BrokenPipeError, ConnectionResetError):
    print("reply closed")
"""

# The same client, run by a process that has left the build: a double fork whose middle
# process exits, so that it is given to init (or the nearest subreaper above the tests).
OUTSIDER = r"""
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
middle = os.getpid()
if os.fork():
    os._exit(0)
while os.getppid() == middle:
    time.sleep(0.01)
""" + CLIENT


@pytest.fixture(scope="module")
def server():
    """One server for the tests that only ask it for kernels (it imports for a few seconds)."""
    fork_server = ForkServer()
    yield fork_server
    fork_server.stop()


def _as_nobody() -> dict:
    """How to run the client as ``nobody`` (no groups), with a Python that user may run."""
    ids = {"user": NOBODY, "group": NOBODY, "extra_groups": []}
    for python in (sys.executable, "/usr/bin/python3"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            if subprocess.run([python, "-c", "import socket; socket.send_fds"], cwd="/",
                              capture_output=True, timeout=60, **ids).returncode == 0:
                return {**ids, "python": python}
    pytest.skip("no Python that nobody may run")


def _client(server: ForkServer, tmp_path: Path, token: bytes, code: str = CLIENT,
            python: str = sys.executable, **popen) -> str:
    proc = subprocess.run([python, "-c", code, server.address,
                           str(tmp_path / "kernel.json")],
                          input=token.hex() + "\n", capture_output=True, text=True, timeout=120,
                          cwd="/", **popen)
    assert proc.stderr == ""
    return proc.stdout.strip()


def _raw(server: ForkServer, message: bytes, fds: int = 3) -> bytes:
    """Send one message (with ``fds`` descriptors) as the build itself; the server's answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as sock:
        sock.settimeout(60)
        sock.connect(server.address)
        null = os.open(os.devnull, os.O_RDWR)
        try:
            socket.send_fds(sock, [message], [null] * fds)
            return sock.recv(1 << 20)
        except (BrokenPipeError, ConnectionResetError):
            return b""  # closed before it could send: refused all the same
        finally:
            os.close(null)


def _launch(server: ForkServer, tmp_path: Path) -> tuple[socket.socket, int]:
    """A kernel, asked for as the build's workers do; it runs while the connection is open."""
    from genderstats.pipeline.engine.provisioner import _request as ask

    return ask(ticket(server.address), _request(tmp_path), 1, 2)


def _request(tmp_path: Path) -> dict:
    return {"argv": ["-f", str(tmp_path / "kernel.json")], "env": dict(os.environ),
            "cwd": str(tmp_path)}


def _gone(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists()



# ------------------------------------------------------------------ who can reach it


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022])
def test_the_socket_is_in_a_folder_only_the_build_can_enter_whatever_the_umask(umask, tmp_path):
    old = os.umask(umask)
    try:
        fork_server = ForkServer()
    finally:
        os.umask(old)
    try:
        folder = os.lstat(fork_server.directory)
        assert stat.S_ISDIR(folder.st_mode) and folder.st_uid == os.geteuid()
        assert stat.S_IMODE(folder.st_mode) == 0o700
        assert stat.S_IMODE(os.lstat(fork_server.address).st_mode) == 0o600
        assert os.path.dirname(fork_server.address) == fork_server.directory
        if os.geteuid() == 0:
            # Another user cannot even reach the socket, token or not.
            token = ticket(fork_server.address).token
            assert _client(fork_server, tmp_path, token, **_as_nobody()) == "connect EACCES"
    finally:
        fork_server.process.kill()  # it is still importing: no need to wait for it
        fork_server.stop()
    assert not os.path.exists(fork_server.directory)
    assert ticket(fork_server.address) is None


@as_root
def test_another_user_who_reaches_the_socket_is_refused_by_its_uid(server, tmp_path):
    """Even with the folder and socket opened to all and the right token: nothing forked."""
    os.chmod(server.directory, 0o755)
    os.chmod(server.address, 0o777)
    try:
        said = _client(server, tmp_path, ticket(server.address).token, **_as_nobody())
    finally:
        os.chmod(server.directory, 0o700)
        os.chmod(server.address, 0o600)
    assert said == "reply closed"
    assert children(server.process.pid) == []
    # The build itself, asking the same, is served: the refusal was the uid's.
    conn, pid = _launch(server, tmp_path)
    assert children(server.process.pid) == [pid]
    conn.close()  # the kernel goes with its client
    assert wait_until(lambda: children(server.process.pid) == [])


def test_the_same_user_outside_the_build_is_refused(server, tmp_path):
    said = _client(server, tmp_path, ticket(server.address).token, code=OUTSIDER)
    assert said == "reply closed"
    assert children(server.process.pid) == []


def test_the_outsider_above_really_is_outside_the_build():
    """The double fork that the test above relies on leaves the tests' process tree."""
    code = OUTSIDER.split("\nimport errno")[0] + "\nprint(os.getpid(), flush=True)\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(proc.stdout.readline())
    proc.wait(60)
    assert not descends_from(pid, os.getpid())
    assert descends_from(os.getpid(), os.getppid()) and descends_from(os.getpid(), 1)


@pytest.mark.parametrize("case", ["no token", "wrong token", "short token"])
def test_a_process_of_the_build_without_the_token_gets_nothing(server, tmp_path, case):
    token = {"no token": b"", "wrong token": secrets.token_bytes(TOKEN_BYTES),
             "short token": ticket(server.address).token[:-1]}[case]
    assert _raw(server, token + json.dumps(_request(tmp_path)).encode()) == b""
    assert children(server.process.pid) == []


BAD_REQUESTS = {
    "not json": b"{",
    "not an object": b"[]",
    "argv not a list": json.dumps({"argv": "-f k.json", "env": {}, "cwd": "/"}).encode(),
    "argv of numbers": json.dumps({"argv": [1], "env": {}, "cwd": "/"}).encode(),
    "env value not text": json.dumps({"argv": [], "env": {"A": 1}, "cwd": "/"}).encode(),
    "env name with =": json.dumps({"argv": [], "env": {"A=B": "1"}, "cwd": "/"}).encode(),
    "NUL in cwd": json.dumps({"argv": [], "env": {}, "cwd": "/\0"}).encode(),
    "lone surrogate": b'{"argv": ["\\ud800"], "env": {}, "cwd": "/"}',
    "no cwd": json.dumps({"argv": [], "env": {}}).encode(),
    "extra key": json.dumps({"argv": [], "env": {}, "cwd": "/", "run": "x"}).encode(),
    "deep nesting": b"[" * 100_000,
    "audit year as text": json.dumps({"audit": {"year": "112", "data_dir": "/d"}}).encode(),
    "audit year true": json.dumps({"audit": {"year": True, "data_dir": "/d"}}).encode(),
    "audit relative folder": json.dumps({"audit": {"year": 112, "data_dir": "d"}}).encode(),
    "audit extra key": json.dumps({"audit": {"year": 112, "data_dir": "/d", "x": 1}}).encode(),
    "audit and a launch": json.dumps({"audit": {"year": 112, "data_dir": "/d"}, "argv": [],
                                      "env": {}, "cwd": "/"}).encode(),
}


@pytest.mark.parametrize("case", sorted(BAD_REQUESTS))
def test_a_request_that_is_neither_a_launch_nor_an_audit_is_refused(server, case):
    assert parse_request(BAD_REQUESTS[case]) is None
    assert _raw(server, ticket(server.address).token + BAD_REQUESTS[case]) == b""
    assert children(server.process.pid) == []


def test_the_two_requests_the_server_serves():
    launch = {"argv": ["-f", "k.json"], "env": {"A": "1"}, "cwd": "/"}
    audit = {"audit": {"year": 112, "data_dir": "/srv/data"}}
    assert parse_request(json.dumps(launch).encode()) == launch
    assert parse_request(json.dumps(audit).encode()) == audit


def test_a_request_with_other_than_three_streams_is_refused(server, tmp_path):
    message = ticket(server.address).token + json.dumps(_request(tmp_path)).encode()
    assert _raw(server, message, fds=0) == b""
    assert _raw(server, message, fds=2) == b""
    assert _raw(server, message, fds=4) == b""
    assert children(server.process.pid) == []


def test_the_token_is_on_no_command_line_environment_or_kernel(server, tmp_path):
    token = ticket(server.address).token
    conn, kernel = _launch(server, tmp_path)
    try:
        for pid in (server.process.pid, kernel):
            for name in ("cmdline", "environ"):
                seen = Path(f"/proc/{pid}/{name}").read_bytes()
                assert token not in seen and token.hex().encode() not in seen
        # Nor anywhere in the kernel's memory: the server's copy and the request it read are
        # wiped in the fork before any notebook code runs.
        assert not _in_memory(kernel, token)
        assert _in_memory(server.process.pid, token)  # the search does find it where it is
    finally:
        conn.close()
    assert wait_until(lambda: children(server.process.pid) == [])


def _in_memory(pid: int, needle: bytes, chunk: int = 16 << 20) -> bool:
    """Whether ``needle`` is anywhere in the writable memory of process ``pid``."""
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("rw") or fields[-1] in ("[vvar]", "[vsyscall]"):
                continue
            start, end = (int(x, 16) for x in fields[0].split("-"))
            for at in range(start, end, chunk):
                try:
                    mem.seek(at)
                    # Overlapping by the needle's length, so a copy across chunks is seen.
                    if needle in mem.read(min(chunk + len(needle), end - at)):
                        return True
                except OSError:
                    break
    return False


# ------------------------------------------------------------------ never waits on a client


def test_clients_that_connect_and_say_nothing_do_not_hold_up_the_next_one(server, tmp_path):
    silent = []
    for _ in range(20):  # more than the server keeps waiting at once
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.connect(server.address)
        silent.append(sock)
    try:
        conn, pid = _launch(server, tmp_path)
        assert children(server.process.pid) == [pid]
        conn.close()  # the kernel goes with its client
        assert wait_until(lambda: children(server.process.pid) == [])
        # Each silent client is dropped (its connection closed), not served.
        for sock in silent:
            sock.settimeout(60)
            assert sock.recv(100) == b""
    finally:
        for sock in silent:
            sock.close()


# ------------------------------------------------------------------ what a kernel leaves


DAEMONS = r'''
import os, subprocess, sys, time
folder = {folder!r}
subprocess.Popen(["setsid", "sh", "-c",
                  f"echo $$ > {{folder}}/setsid.tmp && mv {{folder}}/setsid.tmp "
                  f"{{folder}}/setsid.pid && exec sleep 300"], start_new_session=True)
double = """
import os, sys, time
if os.fork():
    os._exit(0)
os.setsid()
if os.fork():
    os._exit(0)
with open(sys.argv[1] + ".tmp", "w") as fh:
    fh.write(str(os.getpid()))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(300)
"""
subprocess.Popen([sys.executable, "-c", double, f"{{folder}}/double.pid"])
end = time.monotonic() + 60
while time.monotonic() < end and not all(
        os.path.exists(f"{{folder}}/{{n}}.pid") for n in ("setsid", "double")):
    time.sleep(0.02)
'''


def _daemon_pids(folder: Path) -> list[int]:
    return [int((folder / f"{name}.pid").read_text()) for name in ("setsid", "double")]


def _kill_left(pids: list[int]) -> None:
    for pid in pids:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_daemons_a_notebook_starts_end_with_its_kernel(server, tmp_path):
    """A ``setsid`` daemon and a double-forked one stay below their kernel (a subreaper) and
    are killed and reaped by the server once the kernel ends, while the server runs on."""
    import asyncio

    from genderstats.pipeline.engine import kernel_manager_class

    started: list[int] = []

    async def life() -> list[int]:
        km = kernel_manager_class(str(tmp_path / "k"), started.append, server.address)(
            kernel_name="python3")
        await km.start_kernel(cwd=str(tmp_path))
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(DAEMONS.format(folder=str(tmp_path)),
                                                 timeout=120)
            assert reply["content"]["status"] == "ok"
            pids = _daemon_pids(tmp_path)
            for pid in pids:  # running, and still the kernel's (not init's)
                assert not _gone(pid) and descends_from(pid, started[0])
        finally:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
        return pids

    pids = asyncio.run(life())
    try:
        assert wait_until(lambda: all(_gone(pid) for pid in pids))  # killed and reaped
        assert server.process.poll() is None
        assert children(server.process.pid) == []
    finally:
        _kill_left(pids)


def test_daemons_a_report_starts_end_with_the_report(tmp_path):
    """The same through a whole build: when it reports, the daemons are gone."""
    (tmp_path / "data" / "112").mkdir(parents=True)
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = new_notebook(cells=[
        new_code_cell('year: int = 112\ndata_dir: str = ""\n', metadata={"tags": ["parameters"]}),
        new_code_cell(DAEMONS.format(folder=str(tmp_path)))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, nbdir / "daemons.ipynb")
    registry = nbdir / "reports.yml"
    registry.write_text("reports:\n  - {id: daemons, title: 常駐程式, notebook: daemons.ipynb}\n",
                        encoding="utf-8")
    result = build(BuildOptions(year=112, data_dir=tmp_path / "data", out_dir=tmp_path / "out",
                                registry=registry, echo=lambda _: None))
    pids = _daemon_pids(tmp_path)
    try:
        assert [(r.id, r.status) for r in result.results] == [("daemons", "ok")]
        assert [pid for pid in pids if not _gone(pid)] == []
    finally:
        _kill_left(pids)


# ------------------------------------------------------------------ the worker's side

IMPOSTOR = r"""
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
sock.bind(sys.argv[1])
sock.listen(1)
print("ready", flush=True)
conn, _ = sock.accept()
conn.settimeout(30)
try:
    print("got", conn.recv(1 << 20).hex() or "nothing")
except OSError:
    print("got nothing")
"""


def test_a_worker_sends_the_token_only_to_the_builds_own_socket(tmp_path):
    """A socket made by another process (here: of the same user) at the server's address
    gets no token: the worker checks who listens before it sends, and starts an ordinary
    kernel instead."""
    from genderstats.pipeline.engine.fork import Ticket
    from genderstats.pipeline.engine.provisioner import _request as ask

    address = str(tmp_path / "socket")
    impostor = subprocess.Popen([sys.executable, "-c", IMPOSTOR, address],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert impostor.stdout.readline() == "ready\n"
        token = secrets.token_bytes(TOKEN_BYTES)
        with pytest.raises(OSError, match="no kernel from the fork server"):
            ask(Ticket(address, token, os.getpid()), _request(tmp_path), 1, 2)
        out, _ = impostor.communicate(timeout=60)
    finally:
        impostor.kill()
    assert out == "got nothing\n"


def test_the_year_audit_sends_the_token_only_to_the_builds_own_socket(tmp_path, monkeypatch):
    """The audit, asked of an impostor's socket, is forked by the build itself instead."""
    from genderstats.pipeline.auditor import Auditor
    from genderstats.pipeline.engine import fork

    address = str(tmp_path / "socket")
    impostor = subprocess.Popen([sys.executable, "-c", IMPOSTOR, address],
                                stdout=subprocess.PIPE, text=True)
    try:
        assert impostor.stdout.readline() == "ready\n"
        monkeypatch.setattr(fork, "_TICKETS", {address: fork.Ticket(
            address, secrets.token_bytes(TOKEN_BYTES), os.getpid())})
        audit = Auditor(112, tmp_path / "no data", address)
        assert audit.conn is None and audit.pid is not None
        assert audit.result() == ([], None)
        out, _ = impostor.communicate(timeout=60)
    finally:
        impostor.kill()
    assert out == "got nothing\n"


def test_folders_of_servers_killed_with_their_build_are_removed_by_the_next_one():
    """A ``kill -9`` of the build leaves its server's folder behind; the next server removes
    it, and leaves alone a folder whose socket still listens or that was just made."""
    from genderstats.pipeline.engine.fork import private_directory, remove_stale_directories

    folders, sockets = {}, []
    for name in ("dead", "live", "new"):
        folders[name] = private_directory()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sock.bind(os.path.join(folders[name], "socket"))
        if name == "live":
            sock.listen(1)
        else:
            sock.close()  # bound, and no one listens any more
        sockets.append(sock)
        if name != "new":
            long_ago = time.time() - 3600
            os.utime(folders[name], (long_ago, long_ago))
    try:
        remove_stale_directories()
        assert {name: os.path.isdir(path) for name, path in folders.items()} == {
            "dead": False, "live": True, "new": True}
    finally:
        for sock in sockets:
            sock.close()
        for path in folders.values():
            shutil.rmtree(path, ignore_errors=True)
