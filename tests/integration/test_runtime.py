"""The running process: the bundled C++ example handler end to end, IPv6 and several
stream bases, log format, and a clean stop on SIGTERM that tells handlers of open
sessions."""
import os
import re
import signal
import subprocess
import time

import pytest

import harness
from harness import HttpReader, connect
from zhttp_handler import StreamHandler

HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")
LOG_LINE = re.compile(rb"^\[(ERR|WARN|INFO|DEBUG|TRACE)\] \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[[^\]]+\] ")


def curl(url, *extra):
    done = subprocess.run(["curl", "-sS", "-i", "--max-time", "5", *extra, url],
                          capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def workdir(tmp_path):
    return str(tmp_path)


def start_server(workdir, *args):
    port = harness.free_port()
    server = harness.ServerProcess(harness.SERVER_BIN, ["--listen", f"127.0.0.1:{port},stream", *args],
                                   workdir)
    server.wait_listening([port])
    return server, port


@pytest.mark.skipif(not HELLO_HANDLER, reason="ZEDGE_HELLO_HANDLER not built")
@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_hello_handler_answers_curl(workdir, transport):
    ipc = harness.IpcDir(workdir, "client-out-stream")
    base = (f"ipc://{ipc.path}/client" if transport == "ipc"
            else f"tcp://127.0.0.1:{harness.free_port_block(3)}")
    server, port = start_server(workdir, "--zclient-stream", base)
    handler = subprocess.Popen([HELLO_HANDLER, "--stream-base", base], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The handler's PUB may drop its first answers until the subscription reaches it
        # (ZeroMQ's PUB/SUB slow joiner), so retry the very first request briefly.
        deadline = time.monotonic() + 5
        while True:
            done = subprocess.run(["curl", "-sS", "-i", "--max-time", "1", f"http://127.0.0.1:{port}/"],
                                  capture_output=True, timeout=10, stdin=subprocess.DEVNULL)
            if done.returncode == 0 or time.monotonic() > deadline:
                break
        assert done.returncode == 0, done.stderr
        response = done.stdout
        assert response.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nContent-Length: 12\r\n" in response
        assert response.endswith(b"\r\n\r\nhello world\n")
        # Keep-alive through curl: two URLs, one connection.
        twice = curl(f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b")
        assert twice.count(b"hello world\n") == 2
    finally:
        handler.terminate()
        handler.wait(5)
        server.stop()
        ipc.remove()


def test_ipv6_listener(workdir):
    ipc = harness.IpcDir(workdir, "client-out-stream")
    base = f"ipc://{ipc.path}/client"
    port = harness.free_port()
    handler = StreamHandler(base)
    server = harness.ServerProcess(harness.SERVER_BIN,
                                   ["--listen", f"[::1]:{port},stream", "--zclient-stream", base], workdir)
    try:
        deadline = time.monotonic() + harness.START_TIMEOUT_S
        while subprocess.run(["curl", "-s", "-g", "-o", "/dev/null", "--max-time", "0.2",
                              f"http://[::1]:{port}/probe"], stdin=subprocess.DEVNULL).returncode == 7:
            assert time.monotonic() < deadline, "server did not listen on [::1]"
            time.sleep(0.05)
        handler.wait_subscribed()
        # Drain the probe request (if it reached the handler) before the real one.
        try:
            handler.recv_request(timeout_ms=300)
        except TimeoutError:
            pass
        client = connect_v6(port)
        client.sendall(b"GET /six HTTP/1.1\r\nHost: v6\r\n\r\n")
        request = handler.recv_request()
        assert request["uri"] == b"http://v6/six"
        assert request["peer-address"] == b"::1"
        handler.respond(request["id"], body=b"six\n")
        assert HttpReader(client).read_response().endswith(b"\r\n\r\nsix\n")
        client.close()
    finally:
        handler.close()
        server.stop()
        ipc.remove()


def connect_v6(port):
    import socket
    sock = socket.create_connection(("::1", port), timeout=harness.IO_TIMEOUT_S)
    return sock


def test_requests_reach_a_handler_on_any_of_several_bases(workdir):
    ipc = harness.IpcDir(workdir, "second-out-stream")
    first, second = f"ipc://{ipc.path}/first", f"ipc://{ipc.path}/second"
    # Only the second base has a handler: PUSH load-balances over connected peers only.
    handler = StreamHandler(second)
    server, port = start_server(workdir, "--zclient-stream", first, "--zclient-stream", second)
    try:
        handler.wait_subscribed()
        client = connect(port)
        client.sendall(b"GET /two HTTP/1.1\r\nHost: b\r\n\r\n")
        request = handler.recv_request()
        handler.respond(request["id"], body=b"second\n")
        assert HttpReader(client).read_response().endswith(b"\r\n\r\nsecond\n")
    finally:
        handler.close()
        server.stop()
        ipc.remove()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stop_signal_cancels_open_sessions_and_exits_cleanly(workdir, signum):
    """Condure stops at once on any of these signals. zedge does on SIGINT; on SIGTERM it
    drains first, so with a 1 s --drain-timeout the held stream is cancelled at
    the deadline and the outcome is the same."""
    ipc = harness.IpcDir(workdir, "client-out-stream")
    base = f"ipc://{ipc.path}/client"
    handler = StreamHandler(base)
    drain = [] if harness.is_condure() else ["--drain-timeout", "1"]
    server, port = start_server(workdir, "--zclient-stream", base, *drain)
    try:
        handler.wait_subscribed()
        client = connect(port)
        client.sendall(b"GET /held HTTP/1.1\r\nHost: a\r\n\r\n")
        request = handler.recv_request()
        # The handler opens a stream and holds it: the session is open when zedge stops.
        handler.respond(request["id"], body=b"start\n", more=True)
        reader = HttpReader(client)
        reader.read_response(head_only=True)
        assert reader.read_exactly(11) == b"6\r\nstart\n\r\n"
        credit = handler.recv_stream()
        assert credit["type"] == b"credit"

        server.proc.send_signal(signum)
        assert server.proc.wait(harness.STOP_TIMEOUT_S) == 0
        cancel = handler.recv_stream()
        assert cancel["type"] == b"cancel"
        assert cancel["id"] == request["id"]
        assert cancel["seq"] == credit["seq"] + 1
        assert reader.at_eof()
        # Bound ipc socket files are removed on exit.
        assert [name for name in os.listdir(ipc.path) if name.startswith("client")] == []
    finally:
        handler.close()
        server.stop()
        ipc.remove()
    log = server.log_text().encode()
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines, "the server logged nothing"
    for line in lines:
        assert LOG_LINE.match(line), line
    assert b"stopped" in lines[-1]


def test_log_level_zero_is_quiet(workdir):
    ipc = harness.IpcDir(workdir, "client-out-stream")
    server, _ = start_server(workdir, "--log-level", "0", "--zclient-stream", f"ipc://{ipc.path}/client")
    server.stop()
    ipc.remove()
    assert server.log_text() == ""


def test_pipelined_burst_larger_than_the_buffer(workdir):
    # 200 pipelined requests (~9 KB) in one write, more than one --buffer-size of 4096:
    # the server must keep reading what the kernel holds, one request at a time.
    ipc = harness.IpcDir(workdir, "client-out-stream")
    base = f"ipc://{ipc.path}/client"
    handler = StreamHandler(base)
    server, port = start_server(workdir, "--zclient-stream", base, "--buffer-size", "4096")
    try:
        handler.wait_subscribed()
        client = connect(port)
        count = 200
        burst = b"".join(b"GET /n/%03d HTTP/1.1\r\nHost: burst.example\r\n\r\n" % i for i in range(count))
        assert len(burst) > 4096 * 2
        client.sendall(burst)
        reader = HttpReader(client)
        for i in range(count):
            request = handler.recv_request()
            assert request["uri"] == b"http://burst.example/n/%03d" % i
            handler.respond(request["id"], body=b"%03d\n" % i)
            assert reader.read_response().endswith(b"\r\n\r\n%03d\n" % i)
    finally:
        handler.close()
        server.stop()
        ipc.remove()
