"""The real 45 s keep-alive, compared with Debian condure's: both servers
run side by side with default timers and one worker, each holds two streamed sessions for
the same handler, and each must send that handler one multi-id keep-alive packet for both
within 45 s (plus a margin). The packets must be equal apart from request ids; the seq the
keep-alive took must be the one the next credit follows. Takes about 45 s."""
import time

import pytest

from harness import CONDURE_BIN, SERVER_BIN, HttpReader, connect
from test_differential_sessions import normalize_packets

KEEPALIVE_S = 45
MARGIN_S = 4
TEXT_PLAIN = (b"Content-Type", b"text/plain")


def open_two_streams(stack):
    streams = []
    for path in (b"/one", b"/two"):
        client = connect(stack.port)
        reader = HttpReader(client)
        client.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: example.com\r\n\r\n")
        rid = stack.handler.recv_request()["id"]
        stack.handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
        reader.read_response(head_only=True)
        assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
        assert stack.handler.recv_stream()["type"] == b"credit"
        streams.append((reader, rid))
    return streams


def sorted_ids(packet):
    packet = dict(packet)
    if isinstance(packet["id"], list):
        packet["id"] = sorted(packet["id"], key=lambda entry: entry["id"])
    return packet


@pytest.fixture
def pair(make_stack):
    # One worker each, so both sessions belong to one worker's keep-alive batch (with two
    # workers Condure would send one packet per worker).
    return (make_stack("ipc", "bind", binary=CONDURE_BIN, extra_args=["--workers", "1"]),
            make_stack("ipc", "bind", binary=SERVER_BIN, extra_args=["--workers", "1"]))


def test_keep_alive_after_45_s_same_as_condure(pair):
    streams = [open_two_streams(stack) for stack in pair]
    opened = time.monotonic()
    keep_alives = [None, None]
    deadline = opened + KEEPALIVE_S + MARGIN_S
    while None in keep_alives:
        remaining_s = deadline - time.monotonic()
        assert remaining_s > 0, f"no keep-alive within {KEEPALIVE_S + MARGIN_S} s: {keep_alives}"
        for n, stack in enumerate(pair):
            if keep_alives[n] is None:
                try:
                    packet = stack.handler.recv_stream(timeout_ms=200)
                except TimeoutError:
                    continue
                keep_alives[n] = (time.monotonic() - opened, packet)
    (condure_at, condure_packet), (server_at, server_packet) = keep_alives
    print(f"keep-alive after {condure_at:.1f} s (condure), {server_at:.1f} s (server under test)")

    # {from, id: [{id, seq}, {id, seq}], ext: {multi: true}, type: "keep-alive"}
    reference = [sorted_ids(p) for _, p in normalize_packets([("router", condure_packet)])]
    got = [sorted_ids(p) for _, p in normalize_packets([("router", server_packet)])]
    assert reference == [{"from": b"condure", "id": [{"id": "id0", "seq": 2}, {"id": "id1", "seq": 2}],
                          "ext": {"multi": True}, "type": b"keep-alive"}]
    assert got == reference

    # Not a premature one either: a session gets its first keep-alive about one interval
    # after it has a handler address, not right away.
    assert server_at > 5, server_at

    # The keep-alive used seq 2 of each session: the next credit is seq 3.
    for stack, sessions in zip(pair, streams):
        reader, rid = sessions[0]
        stack.handler.send(rid, body=b"more\n", more=True)
        assert reader.read_exactly(10) == b"5\r\nmore\n\r\n"
        credit = stack.handler.recv_stream()
        assert (credit["id"], credit["seq"], credit["type"]) == (rid, 3, b"credit")
