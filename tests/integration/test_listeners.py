"""Listeners other than a bound TCP port: unix sockets (`PATH,local`), a socket
bound by a parent and passed as a descriptor (`fd:N`, as Circus and uwsgi do), and systemd
socket activation (`systemd:NAME`, here with Debian's systemd-socket-activate as the
parent). The handler is the step-by-step Python one; requests come from curl."""
import os
import socket
import stat
import subprocess
import time

import pytest

import harness
from zhttp_handler import ServingHandler

ZEDGE_ONLY = pytest.mark.skipif(harness.is_condure(), reason="zedge-only: inherited listeners")


def Handler(base):
    """Answers every request with 200 `hi <uri>`."""
    return ServingHandler(base, lambda request: b"hi " + request["uri"])


def curl(*args):
    done = subprocess.run(["curl", "-sS", "--max-time", "5", "--retry", "3", "--retry-connrefused",
                           "--retry-delay", "0", *args],
                          capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def base(tmp_path):
    ipc = harness.IpcDir(str(tmp_path), "client-out-stream")
    yield f"ipc://{ipc.path}/client"
    ipc.remove()


def test_unix_socket_listener(tmp_path, base):
    sockets = harness.IpcDir(str(tmp_path), "zedge.sock")  # a short path even under a deep basetemp
    path = os.path.join(sockets.path, "zedge.sock")
    with open(path, "w") as stale:  # a stale file from an earlier run is replaced
        stale.write("stale")
    mode = "" if harness.is_condure() else ",mode=660"  # mode= is Condure 1.10's
    server = harness.ServerProcess(harness.SERVER_BIN, ["--listen", f"{path},local{mode}",
                                                        "--zclient-stream", base], str(tmp_path))
    handler = Handler(base)
    try:
        deadline = time.monotonic() + 5
        while not (os.path.exists(path) and stat.S_ISSOCK(os.stat(path).st_mode)):
            assert time.monotonic() < deadline, "socket file never appeared"
            time.sleep(0.05)
        if not harness.is_condure():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o660
        handler.stream.wait_subscribed()
        assert curl("--unix-socket", path, "http://example.com/u") == b"hi http://example.com/u"
        # No peer fields for unix-socket clients.
        assert "peer-address" not in handler.seen[-1] and "peer-port" not in handler.seen[-1]
    finally:
        handler.close()
        server.stop()
    if not harness.is_condure():  # condure 1.9.1 leaves it behind
        assert not os.path.exists(path)  # removed on exit
    sockets.remove()


@ZEDGE_ONLY
def test_descriptor_passed_by_a_parent(tmp_path, base):
    """A stand-in for Circus: bind and listen, then start zedge with the descriptor."""
    parent_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    parent_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    parent_socket.bind(("127.0.0.1", 0))
    parent_socket.listen(16)
    port = parent_socket.getsockname()[1]
    fd = parent_socket.fileno()
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen([harness.SERVER_BIN, "--listen", f"fd:{fd},stream", "--zclient-stream", base],
                            pass_fds=(fd,), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    handler = Handler(base)
    try:
        handler.stream.wait_subscribed()
        assert curl(f"http://127.0.0.1:{port}/fd") == b"hi http://127.0.0.1:%d/fd" % port
        assert handler.seen[-1]["peer-address"] == b"127.0.0.1"
    finally:
        handler.close()
        proc.send_signal(2)
        proc.wait(5)
        log.close()
        parent_socket.close()
    assert b"listening on fd:%d,stream (inherited)" % fd in (tmp_path / "server.log").read_bytes()


@ZEDGE_ONLY
def test_systemd_socket_activation(tmp_path, base):
    port = harness.free_port()
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(["systemd-socket-activate", "-l", f"127.0.0.1:{port}", "--fdname=web",
                             harness.SERVER_BIN, "--listen", "systemd:web,stream", "--zclient-stream", base],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    handler = Handler(base)
    try:
        harness.wait_port_open(port, time.monotonic() + 5, proc)
        # The first connection makes systemd-socket-activate start zedge with the socket.
        assert curl(f"http://127.0.0.1:{port}/sd") == b"hi http://127.0.0.1:%d/sd" % port
        assert curl(f"http://127.0.0.1:{port}/again") == b"hi http://127.0.0.1:%d/again" % port
    finally:
        handler.close()
        proc.send_signal(2)
        proc.wait(5)
        log.close()
    assert b"listening on systemd:web,stream (inherited)" in (tmp_path / "server.log").read_bytes()


@ZEDGE_ONLY
@pytest.mark.parametrize("case", ["not-a-socket", "not-listening", "closed", "no-activation"])
def test_wrong_descriptors_are_clear_startup_errors(base, case):
    keep = []
    if case == "not-a-socket":
        read_end, write_end = os.pipe()
        keep += [read_end, write_end]
        listen, expected = f"fd:{read_end}", b"not a socket"
    elif case == "not-listening":
        sock = socket.socket()
        keep.append(sock.detach())
        listen, expected = f"fd:{keep[0]}", b"not listening"
    elif case == "closed":
        listen, expected = "fd:900", b"Bad file descriptor"
    else:
        listen, expected = "systemd:web", b"LISTEN_FDS is not set"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LISTEN_")}
    done = subprocess.run([harness.SERVER_BIN, "--listen", listen, "--zclient-stream", base],
                          pass_fds=tuple(keep), env=env, capture_output=True,
                          timeout=10, stdin=subprocess.DEVNULL)
    for fd in keep:
        os.close(fd)
    assert done.returncode == 1
    assert expected in done.stdout + done.stderr
