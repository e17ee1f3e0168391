"""Faults on the handler side and the client side: a handler killed and restarted
under load, ZeroMQ peers that come and go (and some that are not ZeroMQ at all), handler
packets that are malformed, out of sequence, for sessions that do not exist, beyond the
credits or with a huge head, and clients that reset their connection mid-request and
mid-response. In every case only the connection concerned is affected: a second client,
mid-stream at the same time, still gets every byte.

Tests that need zedge's own timers (`--zhttp-session-timeout`, `--handler-wait-ms`) are
skipped against Condure, whose fixed 60 s would make them far too long."""
import os
import signal
import socket
import struct
import subprocess
import threading
import time

import pytest
import zmq

from harness import (MIB, HttpReader, assert_rss_growth_below, connect, is_condure, rss_bytes,
                     wait_closed, wait_until_answered, ws_frame, ws_read_frame,
                     ws_upgrade_request, zedge_only)
from zhttp_handler import ServingHandler, StreamHandler, encode, stream_endpoints, ws_accept

HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")
HOST = b"Host: example.com\r\n"
TEXT_PLAIN = (b"Content-Type", b"text/plain")
SESSION_TIMEOUT_S = 2
# A request whose handler vanished is closed by the session timer; give it this much more.
RESOLVE_MARGIN_S = 3
WARM_UP_CYCLES = 20
FLAPPING_CYCLES = 400

ZEDGE_TIMERS = pytest.mark.skipif(is_condure(), reason="needs --zhttp-session-timeout and "
                                  "--handler-wait-ms (zedge-only; Condure waits a fixed 60 s)")
NEEDS_HELLO = pytest.mark.skipif(not HELLO_HANDLER, reason="ZEDGE_HELLO_HANDLER not built")


def cancel(rid, seq):
    return {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True}, "type": b"cancel"}


def open_stream(stack, path=b"/stream"):
    """A GET answered with a streamed head and `first\\n`; (reader, rid) once the client has
    the first piece and the handler its credit (seq 1)."""
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET " + path + b" HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    assert reader.read_response(head_only=True).startswith(b"HTTP/1.1 200 OK\r\n")
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    packet = handler.recv_stream()
    assert (packet["id"], packet["type"]) == (rid, b"credit"), packet
    return reader, rid


def assert_still_streaming(stack, reader, rid, piece=b"still here\n"):
    """The stream of `rid` takes one more piece and the client gets it whole."""
    stack.handler.send(rid, body=piece, more=True)
    assert reader.read_exactly(len(piece) + 5) == b"%x\r\n" % len(piece) + piece + b"\r\n"
    packet = stack.handler.recv_stream()
    assert packet["id"] == rid and packet["type"] == b"credit", packet


def finish_stream(stack, reader, rid):
    stack.handler.send(rid, body=b"")
    assert reader.read_exactly(5) == b"0\r\n\r\n"


def reset(sock):
    """Close with an RST instead of a FIN (SO_LINGER with a zero timeout)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def next_non_credit(handler, timeout_ms=5000, rid=None):
    """The next packet other than credit or keep-alive; with rid, of that session only (a
    packet of an earlier session, e.g. its close, may still be on the way)."""
    while True:
        packet = handler.recv_stream(timeout_ms=timeout_ms)
        if rid is not None and packet.get("id") != rid:
            continue
        if packet.get("type") not in (b"credit", b"keep-alive"):
            return packet


# ---------------------------------------------------------------------------------------------
# The handler killed and restarted under load (the bundled C++ handler, so the load is real)

class LoadClients:
    """`count` threads, each sending GETs on a keep-alive connection (a new one after any
    close) and recording (time sent, outcome, seconds taken): the status code, "closed"
    (EOF or reset before a whole response) or "timeout" (nothing within timeout_s)."""

    def __init__(self, port, count, timeout_s):
        self.port = port
        self.timeout_s = timeout_s
        self.results = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]
        for thread in self._threads:
            thread.start()

    def _run(self):
        sock = reader = None
        while not self._stop.is_set():
            if sock is None:
                try:
                    sock = socket.create_connection(("127.0.0.1", self.port),
                                                    timeout=self.timeout_s)
                except OSError:
                    self._record(time.monotonic(), "connect-failed", 0)
                    time.sleep(0.05)
                    continue
                sock.settimeout(self.timeout_s)
                reader = HttpReader(sock)
            sent = time.monotonic()
            try:
                sock.sendall(b"GET /load HTTP/1.1\r\n" + HOST + b"\r\n")
                response = reader.read_response()
                outcome = int(response[9:12])
                if outcome != 200 or b"\r\nConnection: close\r\n" in response:
                    sock.close()
                    sock = None
            except (EOFError, ConnectionResetError, BrokenPipeError):
                outcome = "closed"
            except TimeoutError:
                outcome = "timeout"
            if outcome in ("closed", "timeout"):
                sock.close()
                sock = None
                time.sleep(0.01)
            self._record(sent, outcome, time.monotonic() - sent)
        if sock is not None:
            sock.close()

    def _record(self, sent, outcome, took):
        with self._lock:
            self.results.append((sent, outcome, took))

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout_s + 2)
        assert not any(thread.is_alive() for thread in self._threads)
        return sorted(self.results)


def start_hello(base):
    return subprocess.Popen([HELLO_HANDLER, "--stream-base", base], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@ZEDGE_TIMERS
@NEEDS_HELLO
@pytest.mark.parametrize("transport", ["ipc", "tcp"])
@pytest.mark.parametrize("outage_s", [0.0, 1.5], ids=["restart-at-once", "restart-after-1.5s"])
def test_handler_killed_and_restarted_under_load(make_stack, transport, outage_s):
    handler_wait_ms = 500
    stack = make_stack(transport, handler=False,
                       extra_args=["--zhttp-session-timeout", str(SESSION_TIMEOUT_S),
                                   "--handler-wait-ms", str(handler_wait_ms)])
    handler = start_hello(stack.stream_base)
    load = None
    try:
        wait_until_answered(stack.port)
        client_timeout_s = SESSION_TIMEOUT_S + handler_wait_ms / 1000 + RESOLVE_MARGIN_S
        load = LoadClients(stack.port, count=8, timeout_s=client_timeout_s)
        time.sleep(1.5)
        killed_at = time.monotonic()
        handler.send_signal(signal.SIGKILL)
        handler.wait(5)
        if outage_s:
            # A request that finds no handler is answered 503 after --handler-wait-ms (the
            # load clients may all be waiting on requests the dead handler took).
            time.sleep(0.2)
            client = connect(stack.port)
            client.sendall(b"GET /outage HTTP/1.1\r\n" + HOST + b"\r\n")
            assert HttpReader(client).read_response().startswith(b"HTTP/1.1 503 ")
            client.close()
        time.sleep(max(0.0, killed_at + outage_s - time.monotonic()))
        handler = start_hello(stack.stream_base)
        restarted_at = time.monotonic()
        time.sleep(SESSION_TIMEOUT_S + 2.5)
        results = load.stop()
        load = None
        assert stack.server.proc.poll() is None, "zedge died"
    finally:
        if load is not None:
            load.stop()
        handler.kill()
        handler.wait(5)

    outcomes = [outcome for _, outcome, _ in results]
    # Everyone got an answer, a 503 or a clean close; nobody waited past the timers.
    assert set(outcomes) <= {200, 503, "closed"}, sorted(set(map(str, outcomes)))
    assert max(took for _, _, took in results) < SESSION_TIMEOUT_S + handler_wait_ms / 1000 + 1.5
    assert outcomes.count(200) > 50, "too little load to mean anything"
    assert any(sent < killed_at and outcome == 200 for sent, outcome, _ in results)
    # Once the new handler is connected (and subscribed), every request succeeds again.
    settled = restarted_at + 1.0
    after = [outcome for sent, outcome, _ in results if sent > settled]
    assert after and set(after) == {200}, after


def websocket_echo_through(stack, handler, text):
    """A WebSocket session the handler accepts; one client message must reach it, which
    zedge sends over its ROUTER to the handler's identity."""
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(ws_upgrade_request())
    rid = handler.recv_request()["id"]
    ws_accept(handler, rid)
    assert reader.read_response().startswith(b"HTTP/1.1 101 ")
    client.sendall(ws_frame(1, text))
    # rid: the close of the previous echo's session can reach the restarted handler first.
    assert next_non_credit(handler, rid=rid)["body"] == text
    handler.send(rid, content_type=b"text", body=text + b" back")
    assert ws_read_frame(reader) == (True, 1, text + b" back")
    client.close()


def open_hello_websocket(port):
    """A WebSocket the hello handler accepted and echoes on."""
    client = connect(port)
    reader = HttpReader(client)
    client.sendall(ws_upgrade_request())
    assert reader.read_response().startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    client.sendall(ws_frame(1, b"ping me"))
    assert ws_read_frame(reader) == (True, 1, b"ping me")
    return reader


RESTART_END_S = 5  # well inside the 60 s session timer the sessions would wait for before


@NEEDS_HELLO
@pytest.mark.skipif(is_condure(), reason="needs --zhttp-keepalive-interval (zedge-only)")
@pytest.mark.parametrize("nudge", ["client-message", "keep-alive"])
def test_hello_handler_restarted_cancels_the_sessions_it_lost(make_stack, nudge):
    # The restarted handler (same identity, so zedge's ROUTER hands it the old route) gets
    # packets of sessions it never knew and answers `cancel`, so they end at once: the
    # client's next message does it, or, on a quiet WebSocket, zedge's next keep-alive.
    interval = "1" if nudge == "keep-alive" else "45"
    stack = make_stack(handler=False, extra_args=["--zhttp-keepalive-interval", interval])
    handler = start_hello(stack.stream_base)
    try:
        wait_until_answered(stack.port)
        old = open_hello_websocket(stack.port)
        handler.send_signal(signal.SIGKILL)
        handler.wait(5)
        handler = start_hello(stack.stream_base)
        wait_until_answered(stack.port)
        restarted_at = time.monotonic()
        if nudge == "client-message":
            old.sock.sendall(ws_frame(1, b"anyone?"))
        # A plain close: a cancel ends a WebSocket without a close frame (a 1011 would mean
        # zedge had found the handler gone, which a prompt restart must not look like).
        took, data = wait_closed(old, RESTART_END_S)
        assert data == b""
        assert time.monotonic() - restarted_at < RESTART_END_S
        # The restarted handler serves new requests and WebSockets.
        client = connect(stack.port)
        client.sendall(b"GET /after HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
        assert HttpReader(client).read_response().endswith(b"\r\n\r\nhello world\n")
        client.close()
        open_hello_websocket(stack.port).sock.close()
    finally:
        handler.kill()
        handler.wait(5)


@pytest.mark.skipif(is_condure(), reason="Condure 1.9.1 loses the route to a handler that "
                    "comes back under the same identity (its ROUTER keeps the old peer's)")
@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_handler_restarted_under_the_same_identity_gets_its_packets(make_stack, transport):
    # Found by the soak: a handler with a fixed identity (most handlers have one) restarted,
    # and zedge's ROUTER kept ignoring the new connection because the old one still held the
    # identity; every packet zedge sent it later (WebSocket messages, request bodies,
    # credits) was dropped as unroutable. ZMQ_ROUTER_HANDOVER gives the route to the newcomer.
    stack = make_stack(transport)
    websocket_echo_through(stack, stack.handler, b"before")
    stack.handler.close()
    stack.handler = StreamHandler(stack.stream_base, watch_router=True)  # same identity
    stack.handler.wait_router_connected()
    stack.handler.wait_subscribed()
    websocket_echo_through(stack, stack.handler, b"after")
    assert "dropping packet for unknown handler" not in stack.server.log_text()


# A handler that is gone for good (not restarted under its identity): the packets zedge sends
# it are unroutable, and the sessions it was serving end then instead of at the session
# timer (60 s by default, longer than these reads wait). Condure drops such packets and
# leaves the sessions to its timer.
GONE_WAIT_S = 20  # ~1 s of ROUTER retries after the packet; generous for a loaded machine
HANDLER_GONE = pytest.mark.skipif(is_condure(), reason="zedge-only: Condure waits for its "
                                  "session timer")


@HANDLER_GONE
def test_handler_gone_before_its_response_gets_502(make_stack):
    # The keep-alive zedge sends every second is what finds the handler gone.
    stack = make_stack(extra_args=["--zhttp-keepalive-interval", "1"])
    client = connect(stack.port)
    client.sendall(b"POST /upload HTTP/1.1\r\n" + HOST + b"Content-Length: 3\r\n\r\nabc")
    rid = stack.handler.recv_request()["id"]
    stack.handler.send(rid, type_="credit", credits=100)
    assert next_non_credit(stack.handler)["body"] == b"abc"  # the route worked
    stack.handler.close()
    stack.handler = None
    client.settimeout(GONE_WAIT_S)
    response = HttpReader(client).read_response()
    assert response.startswith(b"HTTP/1.1 502 Bad Gateway\r\n"), response
    assert response.endswith(b"The handler of this request went away.\n"), response
    assert "handler testhandler is gone" in stack.server.log_text()


@HANDLER_GONE
def test_handler_gone_closes_its_websockets_with_1011(make_stack):
    # The client's message, sent the moment the handler left, may still go into the pipe of
    # the closing connection and vanish; the keep-alive a second later finds it gone.
    stack = make_stack(extra_args=["--zhttp-keepalive-interval", "1"])
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(ws_upgrade_request())
    rid = stack.handler.recv_request()["id"]
    ws_accept(stack.handler, rid)
    assert reader.read_response().startswith(b"HTTP/1.1 101 ")
    stack.handler.close()
    stack.handler = None
    client.sendall(ws_frame(1, b"anyone there?"))
    client.settimeout(GONE_WAIT_S)
    fin, opcode, payload = ws_read_frame(reader)
    assert (fin, opcode) == (True, 8)
    assert payload == (1011).to_bytes(2, "big") + b"handler went away"
    assert wait_closed(reader, 5)[1] == b""


# ---------------------------------------------------------------------------------------------
# ZeroMQ peers appearing and vanishing, and peers that do not speak ZMTP

@ZEDGE_TIMERS
def test_zmq_peers_come_and_go(make_stack):
    stack = make_stack("tcp", handler=False,
                       extra_args=["--zhttp-session-timeout", str(SESSION_TIMEOUT_S)])
    stable = ServingHandler(stack.stream_base, lambda req: b"stable\n", identity=b"stable",
                            watch_router=True)
    stable.stream.wait_subscribed()
    stable.stream.wait_router_connected()
    host, _, first_port = stack.stream_base.rpartition(":")
    zmq_ports = [int(first_port) + n for n in range(3)]
    idle = []
    load = LoadClients(stack.port, count=4, timeout_s=SESSION_TIMEOUT_S + RESOLVE_MARGIN_S)
    try:
        for round_ in range(8):
            # A handler that joins, serves for a moment and vanishes (sometimes with
            # requests it never answered: those clients are closed by the session timer).
            flapping = ServingHandler(stack.stream_base, lambda req: b"flapping\n",
                                      identity=b"flap%d" % round_)
            # Peers that are not ZeroMQ: garbage, an HTTP request, a torn greeting, silence.
            for port in zmq_ports:
                for junk in (b"\xff" * 64, b"GET / HTTP/1.1\r\n\r\n",
                             b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f"):
                    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                        sock.sendall(junk)
                idle.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            time.sleep(0.3)
            flapping.close()
            time.sleep(0.1)
        results = load.stop()
        load = None
        assert stack.server.proc.poll() is None, "zedge died"
        outcomes = [outcome for _, outcome, _ in results]
        # A handler was always connected, so never a 503; lost requests end by the timer.
        assert set(outcomes) <= {200, "closed"}, sorted(set(map(str, outcomes)))
        assert outcomes.count(200) > 20
        # Only the stable handler is left, and it gets every request.
        for n in range(20):
            client = connect(stack.port)
            client.sendall(b"GET /after%d HTTP/1.1\r\n" % n + HOST + b"Connection: close\r\n\r\n")
            assert HttpReader(client).read_response().endswith(b"\r\n\r\nstable\n")
            client.close()
    finally:
        if load is not None:
            load.stop()
        for sock in idle:
            sock.close()
        stable.close()


@pytest.mark.skipif(is_condure(), reason="Condure 1.9.1 keeps the same memory (RSS +9.2 MiB "
                    "over the 400 handlers)")
def test_handlers_that_come_and_go_leave_no_memory_behind(make_stack):
    """Every handler connection that ends must be freed even while zedge has nothing to
    send. libzmq frees a vanished peer's pipe only when zedge next calls into that socket,
    and zedge only writes to PUSH and ROUTER: before it handled their commands on its own,
    each handler that came and went while they were quiet kept ~11 KiB per socket (the soak
    found RSS climbing with every restart)."""
    stack = make_stack("ipc", handler=False)
    context = zmq.Context.instance()
    out, out_stream, _ = stream_endpoints(stack.stream_base)
    endpoints = [(zmq.PULL, out), (zmq.ROUTER, out_stream)]

    def come_and_go(cycle):
        for kind, endpoint in endpoints:
            sock = context.socket(kind)
            if kind == zmq.ROUTER:
                sock.setsockopt(zmq.IDENTITY, b"flapping-%d" % cycle)
            monitor = sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
            sock.connect(endpoint)
            # zedge's side of the connection exists once the ZMTP handshake is done.
            assert monitor.poll(5000, zmq.POLLIN), f"no handshake with {endpoint}"
            monitor.recv_multipart()
            sock.disable_monitor()
            monitor.close(linger=0)
            sock.close(linger=0)

    for cycle in range(WARM_UP_CYCLES):
        come_and_go(cycle)
    time.sleep(0.2)
    before = rss_bytes(stack.server.proc.pid)
    for cycle in range(WARM_UP_CYCLES, WARM_UP_CYCLES + FLAPPING_CYCLES):
        come_and_go(cycle)
    time.sleep(0.2)
    assert stack.server.proc.poll() is None, "zedge died"
    # Without the fix: +8.7 MiB for 400 cycles.
    assert_rss_growth_below(rss_bytes(stack.server.proc.pid) - before, 2 * MIB)
    # A handler that stays still gets its requests.
    handler = ServingHandler(stack.stream_base, lambda req: b"still here\n", identity=b"stays")
    try:
        handler.stream.wait_subscribed()
        client = connect(stack.port)
        client.sendall(b"GET / HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
        assert HttpReader(client).read_response().endswith(b"\r\n\r\nstill here\n")
        client.close()
    finally:
        handler.close()


# ---------------------------------------------------------------------------------------------
# Malformed handler packets: logged and dropped; the sessions they name carry on

def raw(stack, frame):
    """Publish `frame` (the bytes after "<server id> ") exactly as given."""
    stack.handler.pub.send(b"condure " + frame)


def victim_packet(**changes):
    """Builds (stack, victim rid) -> a frame: one body piece for the victim with the seq it
    expects next, with `changes` applied (a value of None removes that field)."""
    def build(stack, rid):
        packet = {"from": stack.handler.identity, "id": rid, "seq": stack.handler.next_seq(rid),
                  "body": b"x", "more": True}
        for name, value in changes.items():
            name = name.rstrip("_").replace("_", "-")
            if value is None:
                packet.pop(name, None)
            else:
                packet[name] = value
        return encode(packet)
    return build


def literal(frame):
    return lambda stack, rid: frame


NO_ID = "zhttp packet without a valid id"
WRONG_TYPE = "zhttp parse error: field has the wrong type"
PARSE_ERROR = "zhttp parse error"

# (id, frame builder, zedge's log line). None of these can be delivered, so the victim's
# stream carries on with the seq it expected. (After open_stream the handler's next seq is 1.)
UNDELIVERABLE = [
    ("not-tnetstring", literal(b"Tthis is not a tnetstring"), NO_ID),
    ("truncated", lambda stack, rid: victim_packet()(stack, rid)[:-9], NO_ID),
    ("bad-json", lambda stack, rid: b'J{"id": "' + rid + b'", "seq": ', NO_ID),
    ("unknown-format", lambda stack, rid: b"X" + victim_packet()(stack, rid)[1:], None),
    ("empty", literal(b""), None),
    ("top-level-list", literal(b"T5:1:a,]"), NO_ID),
    ("missing-id", victim_packet(id=None), NO_ID),
    ("id-is-an-int", victim_packet(id=7), NO_ID),
    ("seq-is-a-string", victim_packet(seq=b"1"), WRONG_TYPE),
    ("more-is-a-string", victim_packet(more=b"true"), WRONG_TYPE),
    ("body-is-an-int", victim_packet(body=5), WRONG_TYPE),
    ("negative-credits", victim_packet(type_=b"credit", credits=-5, body=None, more=None),
     PARSE_ERROR),
    ("from-too-long", victim_packet(from_=b"f" * 100), PARSE_ERROR),
    ("unknown-id", victim_packet(id=b"0-999-ffff", seq=0), None),
    ("unknown-worker", victim_packet(id=b"77-0-1", seq=0), None),
    ("stale-id-in-victims-slot", lambda stack, rid: victim_packet(
        id=rid.rpartition(b"-")[0] + b"-fffff")(stack, rid), None),
    ("not-for-us", None, None),  # the victim's next piece under another server id
]


# Condure 1.9.1 reads these as addressed to the victim and closes it (a BadMessage).
CONDURE_CLOSES_VICTIM = {"from-too-long"}


@pytest.mark.parametrize("name, make_frame, log_line", UNDELIVERABLE,
                         ids=[c[0] for c in UNDELIVERABLE])
def test_undeliverable_packet_is_dropped(ipc_stack, name, make_frame, log_line):
    victim_reader, victim = open_stream(ipc_stack, b"/victim")
    bystander_reader, bystander = open_stream(ipc_stack, b"/bystander")
    if make_frame is None:
        ipc_stack.handler.pub.send(b"other " + victim_packet()(ipc_stack, victim))
    else:
        raw(ipc_stack, make_frame(ipc_stack, victim))
    if is_condure() and name in CONDURE_CLOSES_VICTIM:
        assert wait_closed(victim_reader, 5)[1] == b""
        assert_still_streaming(ipc_stack, bystander_reader, bystander)
        return
    # Nothing of it reaches either client; both streams carry on and end normally.
    assert_still_streaming(ipc_stack, victim_reader, victim)
    assert_still_streaming(ipc_stack, bystander_reader, bystander)
    finish_stream(ipc_stack, victim_reader, victim)
    finish_stream(ipc_stack, bystander_reader, bystander)
    assert ipc_stack.server.proc.poll() is None
    if log_line and not is_condure():
        assert log_line in ipc_stack.server.log_text()


# (id, what the handler does to the victim, whether zedge sends it a cancel). Each closes the
# victim's connection, with a log line, and nothing else.
def _wrong_seq(stack, rid):
    stack.handler.set_next_seq(rid, stack.handler.next_seq(rid) + 3)
    stack.handler.send(rid, body=b"x", more=True)


def _repeated_seq(stack, rid):
    stack.handler.set_next_seq(rid, 0)
    stack.handler.send(rid, body=b"x", more=True)


def _overrun(stack, rid):
    stack.handler.send(rid, body=b"x" * 20000, more=True)


ATTRIBUTABLE = [
    ("wrong-seq", _wrong_seq, False, "bad seq from handler"),
    ("repeated-seq", _repeated_seq, False, "bad seq from handler"),
    ("overrun-credits", _overrun, True, "body bytes with only"),
    ("handler-cancel", lambda s, rid: s.handler.send(rid, type_="cancel"), False, None),
    ("handler-error", lambda s, rid: s.handler.send(rid, type_="error", condition=b"bad-request"),
     False, None),
]


@pytest.mark.parametrize("misbehave, cancels, log_line", [c[1:] for c in ATTRIBUTABLE],
                         ids=[c[0] for c in ATTRIBUTABLE])
def test_bad_packet_closes_only_its_connection(ipc_stack, misbehave, cancels, log_line):
    victim_reader, victim = open_stream(ipc_stack, b"/victim")
    bystander_reader, bystander = open_stream(ipc_stack, b"/bystander")
    seq_before = 2  # the server sent the request (0) and one credit (1)
    misbehave(ipc_stack, victim)
    _, rest = wait_closed(victim_reader, 5)
    assert not rest.endswith(b"0\r\n\r\n"), "the client must see the body cut short"
    packets = [p for p in ipc_stack.handler.recv_stream_until_quiet() if p["id"] == victim]
    if cancels:
        assert packets == [cancel(victim, seq_before)]
    else:
        assert [p for p in packets if p.get("type") != b"credit"] == []
    assert_still_streaming(ipc_stack, bystander_reader, bystander)
    finish_stream(ipc_stack, bystander_reader, bystander)
    if log_line and not is_condure():
        assert log_line in ipc_stack.server.log_text()


def test_response_with_too_many_headers_is_dropped(make_stack):
    # 100 headers is past ZHTTP's 64: a parse error, logged, packet dropped,
    # as in Condure; the victim waits for a packet it can use and ends by the session timer.
    stack = make_stack(extra_args=zedge_only("--zhttp-session-timeout", str(SESSION_TIMEOUT_S)))
    bystander_reader, bystander = open_stream(stack, b"/bystander")
    client = connect(stack.port)
    client.sendall(b"GET /victim HTTP/1.1\r\n" + HOST + b"\r\n")
    victim = stack.handler.recv_request()["id"]
    stack.handler.respond(victim, headers=[(b"X-%d" % n, b"v") for n in range(100)], body=b"x")
    reader = HttpReader(client)
    assert not reader.at_eof(timeout=0.3) and reader.buf == b""
    assert_still_streaming(stack, bystander_reader, bystander)
    if is_condure():
        assert "too many headers" in stack.server.log_text()
        return
    assert "zhttp parse error: more than 128 ids or 64 headers" in stack.server.log_text()
    took, data = wait_closed(reader, SESSION_TIMEOUT_S + RESOLVE_MARGIN_S)
    assert data == b""
    finish_stream(stack, bystander_reader, bystander)


@pytest.mark.parametrize("headers, reason", [
    ([(b"X-A", b"a\r\nSet-Cookie: injected=1")], b"OK"),
    ([(b"X A", b"a")], b"OK"),
    ([], b"OK\r\nSet-Cookie: injected=1"),
], ids=["crlf-in-value", "space-in-name", "crlf-in-reason"])
def test_response_head_that_cannot_be_written(ipc_stack, headers, reason):
    # A handler header or reason that would split the response: the client gets nothing,
    # never an injected field. (Condure 1.9.1 writes them; checked, not asserted here.)
    if is_condure():
        pytest.skip("Condure 1.9.1 writes what the handler gives it")
    bystander_reader, bystander = open_stream(ipc_stack, b"/bystander")
    client = connect(ipc_stack.port)
    client.sendall(b"GET /victim HTTP/1.1\r\n" + HOST + b"\r\n")
    victim = ipc_stack.handler.recv_request()["id"]
    ipc_stack.handler.respond(victim, reason=reason, headers=headers, body=b"x")
    _, data = wait_closed(HttpReader(client), 5)
    assert data == b""
    assert "handler sent a response zedge cannot write" in ipc_stack.server.log_text()
    assert_still_streaming(ipc_stack, bystander_reader, bystander)
    finish_stream(ipc_stack, bystander_reader, bystander)


def test_unknown_packet_type_closes_its_connection(make_stack):
    stack = make_stack(extra_args=zedge_only("--zhttp-session-timeout", "30"))
    bystander_reader, bystander = open_stream(stack, b"/bystander")
    victim_reader, victim = open_stream(stack, b"/victim")
    stack.handler.send(victim, type_="no-such-type")
    took, _ = wait_closed(victim_reader, 3)
    assert took < 1
    assert_still_streaming(stack, bystander_reader, bystander)


def test_huge_response_head_closes_its_connection(ipc_stack):
    bystander_reader, bystander = open_stream(ipc_stack, b"/bystander")
    client = connect(ipc_stack.port)
    client.sendall(b"GET /victim HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    victim = ipc_stack.handler.recv_request()["id"]
    ipc_stack.handler.respond(victim, headers=[(b"X-Huge", b"h" * (1 << 20))], body=b"x")
    _, data = wait_closed(HttpReader(client), 5)
    assert b"X-Huge" not in data
    assert ipc_stack.handler.recv_stream_until_quiet() == [cancel(victim, 1)]
    assert_still_streaming(ipc_stack, bystander_reader, bystander)
    finish_stream(ipc_stack, bystander_reader, bystander)


# ---------------------------------------------------------------------------------------------
# Clients that reset their connection: the handler hears `cancel`

@pytest.mark.parametrize("request_bytes, leave", [
    (b"GET /slow HTTP/1.1\r\n" + HOST + b"\r\n", "fin"),
    (b"GET /slow HTTP/1.1\r\n" + HOST + b"\r\n", "rst"),
    (b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: 100000\r\n\r\n" + b"b" * 5000, "rst"),
], ids=["get-fin", "get-rst", "post-rst"])
def test_client_gone_before_the_handler_speaks(ipc_stack, request_bytes, leave):
    # The handler cannot be told at once (the server does not know it yet: the request went
    # out on PUSH); it must hear `cancel` when it speaks for the session.
    client = connect(ipc_stack.port)
    client.sendall(request_bytes)
    rid = ipc_stack.handler.recv_request()["id"]
    time.sleep(0.1)
    if leave == "rst":
        reset(client)
    else:
        client.close()
    time.sleep(0.3)
    ipc_stack.handler.respond(rid, headers=[TEXT_PLAIN], body=b"x" * 100, more=True)
    packets = ipc_stack.handler.recv_stream_until_quiet(1000)
    assert [p.get("type") for p in packets if p.get("type") != b"credit"] == [b"cancel"], packets


def test_client_reset_mid_request_body(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: 100000\r\n\r\n" +
                   b"b" * 3000)
    rid = handler.recv_request()["id"]
    handler.send(rid, type_="credit", credits=2000)
    got = b""
    while len(got) < 2000:
        packet = handler.recv_stream()
        assert packet["id"] == rid and "type" not in packet, packet
        got += packet["body"]
    assert got == b"b" * 2000
    reset(client)
    if is_condure():
        # Condure 1.9.1 reads the socket (and so sees the reset) only with credits to spend.
        handler.send(rid, type_="credit", credits=8192)
    packets = handler.recv_stream_until_quiet(1000)
    assert packets and packets[-1] == cancel(rid, packets[-1]["seq"]), packets
    assert all("type" not in p and set(p["body"]) <= {ord("b")} for p in packets[:-1])


def test_client_reset_mid_response(stack):
    reader, rid = open_stream(stack)
    reset(reader.sock)
    assert next_non_credit(stack.handler) == cancel(rid, 2)


def test_client_reset_mid_response_while_the_handler_streams(ipc_stack):
    # The reset arrives while the server is writing: it notices on a write, not a read.
    reader, rid = open_stream(ipc_stack)
    reset(reader.sock)
    for _ in range(5):
        ipc_stack.handler.send(rid, body=b"z" * 1000, more=True)
    packets = ipc_stack.handler.recv_stream_until_quiet(500)
    assert [p.get("type") for p in packets if p.get("type") != b"credit"] == [b"cancel"]
    assert ipc_stack.server.proc.poll() is None


def test_client_reset_mid_websocket(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(ws_upgrade_request())
    rid = handler.recv_request()["id"]
    ws_accept(handler, rid)
    assert reader.read_response().startswith(b"HTTP/1.1 101 ")
    client.sendall(ws_frame(1, b"hello"))
    assert next_non_credit(handler)["body"] == b"hello"
    handler.send(rid, content_type=b"text", body=b"hello back")
    assert ws_read_frame(reader) == (True, 1, b"hello back")
    reset(client)
    assert next_non_credit(handler)["type"] == b"cancel"
