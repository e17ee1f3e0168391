"""Graceful drain (README.md, "Admin API, metrics and drain"): SIGTERM (and the admin
API's POST /drain) lets requests in flight finish, asks clients to go elsewhere with
`Connection: close`, closes WebSockets with 1001 at the deadline and exits once nothing is left.

zedge-only: Condure stops at once on SIGTERM. The handler is the bundled C++ hello handler,
which answers HTTP and echoes WebSocket messages."""
import asyncio
import os
import signal
import subprocess
import threading
import time

import pytest

import harness
from harness import HttpReader, connect

HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")

pytestmark = [
    pytest.mark.skipif(harness.is_condure(), reason="zedge-only: condure has no graceful drain"),
    pytest.mark.skipif(not HELLO_HANDLER, reason="ZEDGE_HELLO_HANDLER not built"),
]

DRAIN_S = 3.0


class Stack:
    """zedge + the hello handler over ipc; `extra` goes to zedge."""

    def __init__(self, workdir, *extra):
        self.ipc = harness.IpcDir(workdir, "client-out-stream")
        base = f"ipc://{self.ipc.path}/client"
        self.port = harness.free_port()
        self.server = harness.ServerProcess(
            harness.SERVER_BIN, ["--listen", f"127.0.0.1:{self.port},stream", "--zclient-stream", base,
                                 "--drain-timeout", str(int(DRAIN_S)), *extra], workdir)
        self.server.wait_listening([self.port])
        self.handler = subprocess.Popen([HELLO_HANDLER, "--stream-base", base], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_for_handler()

    def wait_for_handler(self):
        # The handler's first answers may be lost until its SUB subscription arrives
        # (ZeroMQ's PUB/SUB slow joiner): retry one request until it is answered.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sock = connect(self.port)
                sock.settimeout(0.5)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                if HttpReader(sock).read_response().startswith(b"HTTP/1.1 200"):
                    sock.close()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("the hello handler never answered")

    def close(self):
        self.handler.terminate()
        self.handler.wait(5)
        self.server.stop()
        self.ipc.remove()


@pytest.fixture
def make_stack(tmp_path):
    stacks = []

    def make(*extra):
        stacks.append(Stack(str(tmp_path), *extra))
        return stacks[-1]
    yield make
    for stack in stacks:
        stack.close()


class RequestLoop(threading.Thread):
    """Sends requests back to back on a keep-alive connection, opening a new one when a
    response says `Connection: close`, until stop_at. Records every outcome with its time."""

    def __init__(self, port, stop_at):
        super().__init__(daemon=True)
        self.port = port
        self.stop_at = stop_at
        self.ok = 0
        self.closing_responses = 0
        self.failures = []  # (time, error)

    def run(self):
        sock = reader = None
        while time.monotonic() < self.stop_at:
            try:
                if sock is None:
                    sock = connect(self.port)
                    reader = HttpReader(sock)
                sock.sendall(b"GET /loop HTTP/1.1\r\nHost: a\r\n\r\n")
                response = reader.read_response()
                assert response.startswith(b"HTTP/1.1 200 OK\r\n"), response[:80]
                self.ok += 1
                if b"\r\nConnection: close\r\n" in response:
                    self.closing_responses += 1
                    sock.close()
                    sock = None
            except (OSError, AssertionError, EOFError) as e:
                self.failures.append((time.monotonic(), repr(e)))
                if sock is not None:
                    sock.close()
                sock = None
                time.sleep(0.01)
        if sock is not None:
            sock.close()


def websocket_until_closed(port, result):
    """A python websockets client that echoes once, then waits for the server's close."""
    import websockets

    async def run():
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws", open_timeout=5, close_timeout=5) as ws:
            await ws.send("before drain")
            result["echo"] = await asyncio.wait_for(ws.recv(), 5)
            result["open"] = time.monotonic()
            try:
                await asyncio.wait_for(ws.recv(), DRAIN_S + 5)
            except websockets.ConnectionClosed:
                pass
            result["closed_at"] = time.monotonic()
            result["code"] = ws.close_code
    asyncio.run(run())


def test_sigterm_drains_under_load_then_exits(make_stack):
    stack = make_stack()
    ws_result = {}
    ws_thread = threading.Thread(target=websocket_until_closed, args=(stack.port, ws_result), daemon=True)
    ws_thread.start()
    deadline_wait = time.monotonic() + 5
    while "open" not in ws_result and time.monotonic() < deadline_wait:
        time.sleep(0.02)
    assert ws_result.get("echo") == "before drain"

    # Requests keep coming until just before the drain deadline.
    started = time.monotonic()
    loop = RequestLoop(stack.port, started + 0.5 + DRAIN_S - 0.5)
    loop.start()
    time.sleep(0.5)
    drain_started = time.monotonic()
    stack.server.proc.send_signal(signal.SIGTERM)
    loop.join(DRAIN_S + 5)

    assert loop.failures == [], [(round(t - drain_started, 3), e) for t, e in loop.failures[:5]]
    assert loop.ok > 100
    # Every response after the drain began asked the client to reconnect.
    assert loop.closing_responses > 10

    # The process exits once the deadline has passed and connections are closed.
    assert stack.server.proc.wait(DRAIN_S + 5) == 0
    exited = time.monotonic()
    assert exited - drain_started >= DRAIN_S - 0.1
    assert exited - drain_started < DRAIN_S + 3

    ws_thread.join(5)
    assert ws_result.get("code") == 1001, ws_result
    assert ws_result["closed_at"] - drain_started >= DRAIN_S - 0.3

    log = stack.server.log_text()
    assert "draining: deadline in 3000 ms" in log
    assert "stopped" in log.splitlines()[-1]


def test_quiet_keepalive_connections_are_closed_by_a_drain(make_stack):
    stack = make_stack()
    sock = connect(stack.port)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    reader = HttpReader(sock)
    assert reader.read_response().startswith(b"HTTP/1.1 200 OK\r\n")
    stack.server.proc.send_signal(signal.SIGTERM)
    # Quiet for a sweep tick: closed well before the deadline, without a response.
    assert reader.at_eof(1.5)
    assert stack.server.proc.wait(DRAIN_S + 5) == 0


def test_a_second_sigterm_exits_at_once(make_stack):
    stack = make_stack()
    sock = connect(stack.port)  # an open connection keeps the drain going
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    HttpReader(sock).read_response()
    stack.server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    assert stack.server.proc.poll() is None
    stack.server.proc.send_signal(signal.SIGTERM)
    assert stack.server.proc.wait(2) == 0
