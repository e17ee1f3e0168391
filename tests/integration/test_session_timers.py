"""Timers of a stream session: client inactivity (`--stream-timeout`),
handler silence (60 s in Condure, `--zhttp-session-timeout` in zedge) and the batched
keep-alives the server sends to handlers (45 s in Condure, `--zhttp-keepalive-interval` in
zedge). Condure's fixed 45/60 s are too long for this file; test_keepalive_45s.py compares
one real 45 s keep-alive with Condure's."""
import time

import pytest

from harness import HttpReader, connect, is_condure, wait_closed, zedge_only

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HOST = b"Host: example.com\r\n"
STREAM_TIMEOUT_S = 2
SESSION_TIMEOUT_S = 2
# Closing "after N s" is checked within these margins (the machine may be busy).
EARLY_S = 0.5
LATE_S = 2.5

ZEDGE_ONLY = pytest.mark.skipif(is_condure(), reason="Condure 1.9.1 has fixed 45 s / 60 s timers "
                                "and no flags to shorten them (zedge-only flags)")


def open_stream(stack, handler=None, path=b"/stream"):
    """GET answered with a streamed head and `first\\n` by `handler` (the stack's own by
    default; another handler answers a request the stack's handler pulled). Returns
    (client, reader, rid) once the first piece arrived and its credit was received."""
    handler = handler or stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET " + path + b" HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = stack.handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    reader.read_response(head_only=True)
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    packet = handler.recv_stream()
    assert (packet["id"], packet["seq"], packet["type"]) == (rid, 1, b"credit")
    return client, reader, rid


def assert_closed_after(reader, seconds, since):
    """The server closes the connection, without sending anything, `seconds` after `since`."""
    _, data = wait_closed(reader, seconds + LATE_S + 1)
    elapsed = time.monotonic() - since
    assert data == b""
    assert seconds - EARLY_S <= elapsed <= seconds + LATE_S, elapsed


def packets_during(handler, seconds):
    """Every ROUTER packet that arrives within the next `seconds`."""
    packets = []
    deadline = time.monotonic() + seconds
    while (remaining_ms := int((deadline - time.monotonic()) * 1000)) > 0:
        try:
            packets.append(handler.recv_stream(timeout_ms=remaining_ms))
        except TimeoutError:
            break
    return packets


def cancel(rid, seq):
    return {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True}, "type": b"cancel"}


# ---------------------------------------------------------------------------------------------
# --stream-timeout: client I/O inactivity (Condure 1.9.1 has the flag too)

@pytest.fixture
def timeout_stack(make_stack):
    return make_stack(extra_args=["--stream-timeout", str(STREAM_TIMEOUT_S)])


def test_stream_timeout_closes_an_idle_stream(timeout_stack):
    handler = timeout_stack.handler
    client, reader, rid = open_stream(timeout_stack)
    assert_closed_after(reader, STREAM_TIMEOUT_S, since=time.monotonic())
    if is_condure():
        # Condure 1.9.1 closes silently; sending the cancel came with 1.10 (Condure commit
        # 5549b76).
        assert handler.recv_stream_until_quiet() == []
    else:
        # Inactivity ends the session with a cancel to the handler.
        assert handler.recv_stream() == cancel(rid, 2)


def test_stream_timeout_is_not_reset_by_handler_keep_alives(timeout_stack):
    # Only client I/O counts; handler packets keep the *session* alive, not the stream.
    handler = timeout_stack.handler
    client = connect(timeout_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /wait HTTP/1.1\r\n" + HOST + b"\r\n")
    start = time.monotonic()
    rid = handler.recv_request()["id"]
    for _ in range(3):
        handler.send(rid, type_="keep-alive")
        if reader.at_eof(timeout=0.5):
            break
    assert_closed_after(reader, STREAM_TIMEOUT_S, since=start)
    if not is_condure():
        assert handler.recv_stream() == cancel(rid, 1)


def test_stream_timeout_is_reset_by_traffic(timeout_stack):
    handler = timeout_stack.handler
    client, reader, rid = open_stream(timeout_stack)
    # A piece every 0.8 s for 3.2 s: longer than the timeout, never idle for that long.
    for n in range(4):
        time.sleep(0.8)
        handler.send(rid, body=b"tick\n", more=True)
        assert reader.read_exactly(10) == b"5\r\ntick\n\r\n"
        assert handler.recv_stream()["type"] == b"credit"
    assert_closed_after(reader, STREAM_TIMEOUT_S, since=time.monotonic())


# ---------------------------------------------------------------------------------------------
# Handler silence: --zhttp-session-timeout (zedge only; Condure's is a fixed 60 s)

@pytest.fixture
def session_stack(make_stack):
    return make_stack(extra_args=zedge_only("--zhttp-session-timeout", str(SESSION_TIMEOUT_S)))


@ZEDGE_ONLY
def test_silent_handler_session_is_closed_without_cancel(session_stack):
    handler = session_stack.handler
    client, reader, rid = open_stream(session_stack)
    since = time.monotonic()
    assert_closed_after(reader, SESSION_TIMEOUT_S, since=since)
    # The session timeout sends no cancel (the handler is presumed gone).
    assert handler.recv_stream_until_quiet() == []


@ZEDGE_ONLY
def test_handler_keep_alives_hold_the_session(session_stack):
    handler = session_stack.handler
    client, reader, rid = open_stream(session_stack)
    # Keep-alives every 0.7 s for 3.5 s: any handler packet resets the timer.
    for _ in range(5):
        handler.send(rid, type_="keep-alive")
        last_packet = time.monotonic()
        assert not reader.at_eof(timeout=0.7)
    assert_closed_after(reader, SESSION_TIMEOUT_S, since=last_packet)


@ZEDGE_ONLY
def test_connection_without_a_request_is_closed_at_the_session_timeout(session_stack):
    # The timer runs from accept, so a silent client is closed too.
    start = time.monotonic()
    reader = HttpReader(connect(session_stack.port))
    assert_closed_after(reader, SESSION_TIMEOUT_S, since=start)


@ZEDGE_ONLY
def test_idle_keep_alive_connection_is_closed_at_the_session_timeout(session_stack):
    handler = session_stack.handler
    client = connect(session_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /once HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"once\n")
    assert reader.read_response().endswith(b"\r\n\r\nonce\n")
    assert_closed_after(reader, SESSION_TIMEOUT_S, since=time.monotonic())


# ---------------------------------------------------------------------------------------------
# Keep-alives to handlers: --zhttp-keepalive-interval (zedge only; Condure's is a fixed 45 s)

KEEPALIVE_INTERVAL_S = 1


def keep_alive(ids):
    """One packet per handler, `id` a list of {id, seq}, no top-level seq.
    Condure writes a list of one as a plain id and seq (`Request::serialize` in
    src/zhttppacket.rs), as for any other packet."""
    if len(ids) == 1:
        (rid, seq), = ids
        return {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True},
                "type": b"keep-alive"}
    return {"from": b"condure", "id": [{"id": rid, "seq": seq} for rid, seq in ids],
            "ext": {"multi": True}, "type": b"keep-alive"}


def next_keep_alive(handler, timeout_s=KEEPALIVE_INTERVAL_S * 3):
    deadline = time.monotonic() + timeout_s
    while True:
        remaining_ms = int((deadline - time.monotonic()) * 1000)
        assert remaining_ms > 0, "no keep-alive"
        packet = handler.recv_stream(timeout_ms=remaining_ms)
        if packet.get("type") == b"keep-alive":
            return packet


def sorted_ids(packet):
    packet = dict(packet)
    packet["id"] = sorted(packet["id"], key=lambda entry: entry["id"])
    return packet


@ZEDGE_ONLY
def test_keep_alives_are_batched_per_handler(make_stack):
    stack = make_stack(extra_args=["--workers", "1",
                                   *zedge_only("--zhttp-keepalive-interval", str(KEEPALIVE_INTERVAL_S))])
    handler_a = stack.handler
    handler_b = stack.add_handler(b"handlerB")
    # (Clients are kept referenced: a collected socket would close and cancel its session.)
    streams = [open_stream(stack, path=b"/a1"), open_stream(stack, path=b"/a2"),
               # A request handler A pulled but handler B answers: B's `from` makes B its
               # address.
               open_stream(stack, handler=handler_b, path=b"/b1")]
    a1, a2, b1 = (rid for _, _, rid in streams)
    # A request no handler has answered yet: its handler is unknown, so no keep-alive.
    pending_client = connect(stack.port)
    pending_client.sendall(b"GET /pending HTTP/1.1\r\n" + HOST + b"\r\n")
    pending = handler_a.recv_request()["id"]

    # Every session's next seq from the server is 2 (request 0, credit 1).
    packet_a = next_keep_alive(handler_a)
    assert sorted_ids(packet_a) == sorted_ids(keep_alive([(a1, 2), (a2, 2)]))
    assert next_keep_alive(handler_b) == keep_alive([(b1, 2)])
    assert pending not in [entry["id"] for entry in packet_a["id"]]

    # Each keep-alive takes a seq of its own: the next packet of a1 follows the last one.
    last_seq = 2
    handler_a.send(a1, body=b"more\n", more=True)
    while (packet := handler_a.recv_stream()).get("type") == b"keep-alive":  # more rounds
        last_seq = {entry["id"]: entry["seq"] for entry in packet["id"]}[a1]
    assert packet == {"from": b"condure", "id": a1, "seq": last_seq + 1, "ext": {"multi": True},
                      "type": b"credit", "credits": 5}

    # And they keep coming, every interval.
    assert next_keep_alive(handler_b)["seq"] > 2


@ZEDGE_ONLY
def test_no_keep_alives_after_the_session_ends(make_stack):
    stack = make_stack(extra_args=["--workers", "1",
                                   *zedge_only("--zhttp-keepalive-interval", str(KEEPALIVE_INTERVAL_S))])
    handler = stack.handler
    client, reader, rid = open_stream(stack)
    assert next_keep_alive(handler) == keep_alive([(rid, 2)])
    handler.send(rid, body=b"")
    assert reader.read_exactly(5) == b"0\r\n\r\n"
    client.close()
    # Nothing more for that id: neither keep-alives nor anything else.
    assert packets_during(handler, KEEPALIVE_INTERVAL_S * 2.5) == []
