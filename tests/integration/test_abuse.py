"""Abusive clients: slowloris heads, connection floods up to and past
--stream-maxconn, giant request bodies and 10 000 WebSocket connections sending at once.
Each is bounded: in time (a timer closes what never completes), in connections (503 past the
limit) and in memory (zedge's RSS, read from /proc, stays within a few MiB of where it was).

zedge has no separate header timeout: a connection that never completes a request head is
closed by the session timer, which runs from accept and which only handler packets reset,
so trickling bytes does not extend it (--zhttp-session-timeout, 60 s by default, as
Condure's fixed 60 s). In req mode --req-timeout bounds it the same way.
Condure's timers are fixed and long, and it stops accepting at its limit instead of answering
503, so most of this file is zedge-only. Against an ASan build the RSS
limits are not asserted (everything else is)."""
import json
import os
import socket
import subprocess
import threading
import time

import pytest

from harness import (MIB, HttpReader, assert_rss_growth_below, connect, free_port,
                     is_condure, rss_bytes, wait_closed, wait_until_answered)

HOST = b"Host: example.com\r\n"
HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")
# zedge-ws-load is built beside the hello handler (cmd/zedge-ws-load).
WS_LOAD = os.path.join(os.path.dirname(os.path.dirname(HELLO_HANDLER)), "zedge-ws-load",
                       "zedge-ws-load") if HELLO_HANDLER else ""



ZEDGE_ONLY = pytest.mark.skipif(is_condure(), reason="zedge-only: Condure's timers are a fixed "
                                "60 s and it stops accepting at its limit")


class RssWatch:
    """Samples a process's RSS every `interval_s` in a thread; `peak` is the largest seen."""

    def __init__(self, pid, interval_s=0.05):
        self.pid = pid
        self.start = rss_bytes(pid)
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval_s,), daemon=True)
        self._thread.start()

    def _run(self, interval_s):
        while not self._stop.wait(interval_s):
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
            except (OSError, RuntimeError):
                return

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.peak = max(self.peak, rss_bytes(self.pid))
        return self.peak - self.start


def wait_listening(host, port, timeout_s=5):
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"{host}:{port} did not open"
            time.sleep(0.05)


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


# ---------------------------------------------------------------------------------------------
# slowloris: heads that never complete

SLOW_TIMEOUT_S = 2
SLOW_CLIENTS = 100
TRICKLE_S = 0.25


@ZEDGE_ONLY
@pytest.mark.parametrize("mode,timer_flag", [("stream", "--zhttp-session-timeout"),
                                             ("req", "--req-timeout"),
                                             ("stream", "--header-timeout"),
                                             ("req", "--header-timeout")])
def test_slowloris_heads_are_closed_by_the_timer(make_stack, mode, timer_flag):
    # Half the clients trickle one byte of a never-ending head every TRICKLE_S, half send a
    # request line and go quiet. All are closed SLOW_TIMEOUT_S after they connected (and
    # sent their first byte), without a byte and without the handler hearing of them; a
    # normal client is served meanwhile. Either the mode's timer or --header-timeout (with
    # the mode's timer left at its default) bounds them.
    timer = [timer_flag, str(SLOW_TIMEOUT_S)]
    # (In req mode the slow clients would otherwise take all of --req-maxconn's 100 slots
    # until the timer frees them, which is the point of a slowloris, not of this test.)
    stack = make_stack(req=mode == "req", extra_args=timer + ["--req-maxconn", "1000"])
    port = stack.port if mode == "stream" else stack.req_port
    clients = []
    for n in range(SLOW_CLIENTS):
        sock = connect(port)
        sock.sendall(b"GET /slow%d HTTP/1.1\r\n" % n)
        clients.append((sock, time.monotonic(), n % 2 == 0))
    trickle = b"X-Slow: " + b"s" * 1000
    closed_after = {}
    deadline = time.monotonic() + SLOW_TIMEOUT_S + 4
    step = 0
    while len(closed_after) < SLOW_CLIENTS and time.monotonic() < deadline:
        if step == 4:
            # A normal request in the middle of it all.
            client = connect(port)
            client.sendall(b"GET /normal HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
            if mode == "stream":
                req = stack.handler.recv_request()
                stack.handler.respond(req["id"], body=b"normal\n")
            else:
                envelope, req = stack.req_handler.recv_request()
                stack.req_handler.respond(envelope, req["id"], body=b"normal\n")
            assert req["uri"] == b"http://example.com/normal"
            assert HttpReader(client).read_response().endswith(b"\r\n\r\nnormal\n")
            client.close()
        for sock, opened, trickles in clients:
            if sock in closed_after:
                continue
            try:
                if trickles:
                    sock.send(trickle[step % len(trickle):step % len(trickle) + 1])
                sock.setblocking(False)
                try:
                    data = sock.recv(4096)
                except BlockingIOError:
                    continue
                finally:
                    sock.setblocking(True)
                assert data == b"", data[:100]
            except (ConnectionResetError, BrokenPipeError):
                pass
            closed_after[sock] = time.monotonic() - opened
        step += 1
        time.sleep(TRICKLE_S)
    for sock, _, _ in clients:
        sock.close()
    assert len(closed_after) == SLOW_CLIENTS, f"{SLOW_CLIENTS - len(closed_after)} still open"
    assert SLOW_TIMEOUT_S - 0.5 <= min(closed_after.values())
    assert max(closed_after.values()) <= SLOW_TIMEOUT_S + 2.5, max(closed_after.values())
    handler = stack.handler if mode == "stream" else stack.req_handler
    with pytest.raises(TimeoutError):
        handler.recv_request(timeout_ms=100)


# ---------------------------------------------------------------------------------------------
# floods up to and past --stream-maxconn

MAXCONN = 200
FLOOD = 3000


@ZEDGE_ONLY
def test_flood_past_stream_maxconn(make_stack):
    stack = make_stack(extra_args=["--stream-maxconn", str(MAXCONN), "--workers", "2"])
    handler = stack.handler
    pid = stack.server.proc.pid
    fds_before = open_fds(pid)
    # Fill every slot with a request the handler holds.
    held = []
    for n in range(MAXCONN):
        client = connect(stack.port)
        client.sendall(b"GET /held%d HTTP/1.1\r\n" % n + HOST + b"\r\n")
        held.append(client)
    held_ids = [handler.recv_request()["id"] for _ in range(MAXCONN)]

    # FLOOD more clients, in waves: half send a request, half nothing. Each is told 503 and
    # closed; none reaches the handler; memory stays flat.
    watch = RssWatch(pid)
    statuses = {}
    try:
        for wave in range(FLOOD // 500):
            wave_clients = []
            for n in range(500):
                sock = socket.create_connection(("127.0.0.1", stack.port), timeout=5)
                if n % 2:
                    sock.sendall(b"GET /flood HTTP/1.1\r\n" + HOST + b"\r\n")
                wave_clients.append(sock)
            for sock in wave_clients:
                response = HttpReader(sock).read_until_close()
                status = response[:12]
                statuses[status] = statuses.get(status, 0) + 1
                sock.close()
    finally:
        growth = watch.stop()
    assert statuses == {b"HTTP/1.1 503": FLOOD}, statuses
    assert_rss_growth_below(growth, 16 * MIB)
    with pytest.raises(TimeoutError):
        handler.recv_request(timeout_ms=200)

    # The held requests are intact; once they are answered, new clients are served again.
    for client, rid in zip(held, held_ids):
        handler.respond(rid, body=b"held\n")
    for client in held:
        assert HttpReader(client).read_response().endswith(b"\r\n\r\nheld\n")
        client.close()
    # (The server may take a moment to see those clients leave and free their slots.)
    deadline = time.monotonic() + 3
    while True:
        client = connect(stack.port)
        client.sendall(b"GET /after HTTP/1.1\r\n" + HOST + b"\r\n")
        try:
            rid = handler.recv_request(timeout_ms=100)["id"]
            break
        except TimeoutError:
            assert HttpReader(client).read_until_close().startswith(b"HTTP/1.1 503 ")
            assert time.monotonic() < deadline, "slots were not freed"
        client.close()
    handler.respond(rid, body=b"after\n")
    assert HttpReader(client).read_response().endswith(b"\r\n\r\nafter\n")
    client.close()
    # No descriptor is left behind (refused clients linger at most 2 s).
    deadline = time.monotonic() + 5
    while open_fds(pid) > fds_before + 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert open_fds(pid) <= fds_before + 2, (fds_before, open_fds(pid))


# ---------------------------------------------------------------------------------------------
# giant request bodies: only ever what the handler granted, in bounded memory

GIANT_BYTES = 64 * MIB
GRANT = 1 * MIB


def send_in_thread(sock, head, total, chunked):
    """Sends `head` then `total` body bytes (as 1 MiB chunks when `chunked`), as fast as the
    socket takes them; stops quietly when the server closes."""
    def run():
        piece = b"g" * MIB
        try:
            sock.sendall(head)
            sent = 0
            while sent < total:
                size = min(MIB, total - sent)
                data = piece[:size]
                sock.sendall(b"%x\r\n" % size + data + b"\r\n" if chunked else data)
                sent += size
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_giant_body_follows_the_credits(ipc_stack, chunked):
    handler = ipc_stack.handler
    pid = ipc_stack.server.proc.pid
    client = connect(ipc_stack.port)
    framing = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: %d\r\n" % GIANT_BYTES
    sender = send_in_thread(client, b"POST /giant HTTP/1.1\r\n" + HOST + framing + b"\r\n",
                            GIANT_BYTES, chunked)
    rid = handler.recv_request()["id"]
    watch = RssWatch(pid)
    try:
        # A first grant, then silence: the server forwards exactly that much and holds the
        # rest back (in the client's socket, not in its own memory).
        handler.send(rid, type_="credit", credits=GRANT)
        received = 0
        while received < GRANT:
            packet = handler.recv_stream()
            assert "type" not in packet and packet["more"] is True, packet
            received += len(packet.get("body", b""))
        assert received == GRANT
        assert handler.recv_stream_until_quiet(500) == []
        stalled_growth = rss_bytes(pid) - watch.start

        # Then the whole body, a grant at a time, never a byte beyond what was granted.
        granted = GRANT
        done = False
        while not done:
            if granted - received < GRANT // 2:
                handler.send(rid, type_="credit", credits=GRANT)
                granted += GRANT
            packet = handler.recv_stream()
            assert "type" not in packet, packet
            received += len(packet.get("body", b""))
            assert received <= granted, (received, granted)
            done = not packet.get("more")
        sender.join(10)
    finally:
        growth = watch.stop()
    assert received == GIANT_BYTES
    assert_rss_growth_below(stalled_growth, 8 * MIB)
    assert_rss_growth_below(growth, 16 * MIB)
    handler.respond(rid, body=b"got it\n")
    assert HttpReader(client).read_response().endswith(b"\r\n\r\ngot it\n")


@ZEDGE_ONLY
def test_giant_body_in_req_mode_is_refused_early(make_stack):
    # Req mode buffers the whole body, so it refuses one past --body-buffer-size (413) as
    # soon as it knows, without reading it all.
    stack = make_stack(req=True)
    pid = stack.server.proc.pid
    watch = RssWatch(pid)
    client = connect(stack.req_port)
    sender = send_in_thread(client, b"POST /giant HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n",
                            GIANT_BYTES, chunked=True)
    _, response = wait_closed(HttpReader(client), 10)
    sender.join(10)
    assert response.startswith(b"HTTP/1.1 413 ")
    assert_rss_growth_below(watch.stop(), 8 * MIB)
    with pytest.raises(TimeoutError):
        stack.req_handler.recv_request(timeout_ms=200)


# ---------------------------------------------------------------------------------------------
# 10 000 WebSocket connections sending at once

WS_CONNECTIONS = 10000
WS_PROCESSES = 2  # 5000 connections each, on two loopback addresses (fd and port headroom)
WS_DURATION_S = 5
WS_RSS_GROWTH_MAX = 160 * MIB  # 16 KiB a connection; measured ~3 KiB


@ZEDGE_ONLY
@pytest.mark.skipif(not (HELLO_HANDLER and os.path.exists(WS_LOAD)),
                    reason="ZEDGE_HELLO_HANDLER / zedge-ws-load not built")
def test_ten_thousand_websockets_echo_at_once(make_stack):
    per_process = WS_CONNECTIONS // WS_PROCESSES
    # One listener per load process, each on its own loopback address, so no address pair
    # runs short of ports; the stack's own listener (127.0.0.1) is the first.
    more = [(f"127.0.0.{n + 1}", free_port()) for n in range(1, WS_PROCESSES)]
    extra = ["--stream-maxconn", str(WS_CONNECTIONS + 2000)]
    for host, port in more:
        extra += ["--listen", f"{host}:{port},stream"]
    stack = make_stack(handler=False, extra_args=extra)
    targets = [("127.0.0.1", stack.port)] + more
    for host, port in more:
        wait_listening(host, port)
    handler = subprocess.Popen([HELLO_HANDLER, "--stream-base", stack.stream_base],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    loads = []
    try:
        pid = stack.server.proc.pid
        wait_until_answered(stack.port)
        watch = RssWatch(pid, interval_s=0.2)
        for host, port in targets:
            loads.append(subprocess.Popen(
                [WS_LOAD, "--host", host, "--port", str(port), "--connections", str(per_process),
                 "--duration", str(WS_DURATION_S), "--connect-timeout", "30",
                 "--message-timeout", "5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL))
        reports = []
        for load in loads:
            out, err = load.communicate(timeout=60)
            assert load.returncode == 0, err
            reports.append(json.loads(out))
        growth = watch.stop()
    finally:
        for load in loads:
            if load.poll() is None:
                load.kill()
                load.wait(5)
        handler.kill()
        handler.wait(5)
    for report in reports:
        assert report["ready"] == per_process, report
        assert sum(report["errors"].values()) == 0, report
        # Every connection had its messages echoed (none timed out, none was lost).
        assert report["connection_messages"]["min"] >= 1, report
    assert_rss_growth_below(growth, WS_RSS_GROWTH_MAX)
    assert stack.server.proc.poll() is None
