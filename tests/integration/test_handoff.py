"""Handoff: handler A sends `handoff-start`; the server flushes what it holds
for the client, answers `handoff-proceed`, sends nothing more for the session until the next
handler packet, and from then on addresses the sender of that packet (handler B, another
ROUTER identity, here also another process)."""
import os
import subprocess
import sys

import pytest

from harness import HttpReader, connect, is_condure, zedge_only
from zhttp_handler import decode

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HOST = b"Host: example.com\r\n"
PEER_SCRIPT = os.path.join(os.path.dirname(__file__), "handoff_peer.py")
PEER_TIMEOUT_S = 10


def packet(rid, seq, **fields):
    out = {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True}}
    out.update({name.replace("_", "-"): value for name, value in fields.items()})
    return out


class HandoffPeer:
    """handoff_peer.py running as handler B; see that script for what it does."""

    def __init__(self, stack, identity, rid, first_seq, pieces):
        self.proc = subprocess.Popen(
            [sys.executable, PEER_SCRIPT, stack.stream_base, "condure", identity.decode(),
             rid.decode(), str(first_seq), *(p.decode() for p in pieces)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=os.path.dirname(__file__))
        line = self._readline()
        assert line == b"ready\n", (line, self.proc.stderr.read() if self.proc.poll() is not None else b"")

    def _readline(self):
        # The peer's own zmq timeouts (5 s) bound every wait; the process timeout bounds all.
        return self.proc.stdout.readline()

    def go(self):
        """Let B send its pieces; returns the packets B's ROUTER received."""
        try:
            out, err = self.proc.communicate(b"go\n", timeout=PEER_TIMEOUT_S)
        finally:
            self.kill()
        assert self.proc.returncode == 0, err
        lines = out.splitlines()
        assert lines[-1] == b"done", out
        return [decode(bytes.fromhex(line.split()[1].decode())) for line in lines[:-1]]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def peers():
    started = []
    yield started
    for peer in started:
        peer.kill()


def start_stream(stack):
    """A GET answered by the stack's handler (A) with a streamed head and `first\\n`."""
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /handoff HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    reader.read_response(head_only=True)
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    assert handler.recv_stream() == packet(rid, 1, type=b"credit", credits=6)
    return client, reader, rid


def hand_off(stack, reader, rid):
    """A sends one more piece and at once `handoff-start`: the piece reaches the client and
    its credit comes back before `handoff-proceed` (the flush), then A hears nothing."""
    handler_a = stack.handler
    handler_a.send(rid, body=b"second\n", more=True)   # seq 1
    handler_a.send(rid, type_="handoff-start")          # seq 2
    assert reader.read_exactly(12) == b"7\r\nsecond\n\r\n"
    assert handler_a.recv_stream() == packet(rid, 2, type=b"credit", credits=7)
    assert handler_a.recv_stream() == packet(rid, 3, type=b"handoff-proceed")


def test_handoff_to_a_handler_in_another_process(ipc_stack, peers):
    handler_a = ipc_stack.handler
    client, reader, rid = start_stream(ipc_stack)
    hand_off(ipc_stack, reader, rid)
    peer = HandoffPeer(ipc_stack, b"handlerB", rid, handler_a.next_seq(rid), [b"third\n", b"last\n"])
    peers.append(peer)
    assert handler_a.recv_stream_until_quiet() == []  # paused: nothing while B gets ready
    received_by_b = peer.go()
    # B's packet (seq 3) made B the session's address: the credit for `third` goes to B
    # with the server's next seq (4); none comes for the final piece.
    assert received_by_b == [packet(rid, 4, type=b"credit", credits=6)]
    assert reader.read_exactly(26) == b"6\r\nthird\n\r\n5\r\nlast\n\r\n0\r\n\r\n"
    assert handler_a.recv_stream_until_quiet() == []
    # The connection is persistent and the next request starts a fresh session.
    client.sendall(b"GET /after HTTP/1.1\r\n" + HOST + b"\r\n")
    nxt = handler_a.recv_request()
    assert nxt["id"] != rid and nxt["seq"] == 0
    handler_a.respond(nxt["id"], headers=[TEXT_PLAIN], body=b"after\n")
    assert reader.read_response().endswith(b"\r\n\r\nafter\n")


def test_cancel_after_handoff_goes_to_the_new_handler(ipc_stack):
    handler_a = ipc_stack.handler
    handler_b = ipc_stack.add_handler(b"handlerB")
    client, reader, rid = start_stream(ipc_stack)
    hand_off(ipc_stack, reader, rid)
    handler_b.set_next_seq(rid, handler_a.next_seq(rid))
    handler_b.send(rid, type_="keep-alive")  # how Pushpin's new owner resumes
    # Make sure the server took B's packet before the client leaves.
    handler_b.send(rid, body=b"from b\n", more=True)
    assert reader.read_exactly(12) == b"7\r\nfrom b\n\r\n"
    assert handler_b.recv_stream() == packet(rid, 4, type=b"credit", credits=7)
    client.close()
    assert handler_b.recv_stream() == packet(rid, 5, type=b"cancel")
    assert handler_a.recv_stream_until_quiet() == []


def test_handoff_back_and_forth(ipc_stack):
    # The address follows every packet's `from`, so a session can move more than once.
    handler_a = ipc_stack.handler
    handler_b = ipc_stack.add_handler(b"handlerB")
    client, reader, rid = start_stream(ipc_stack)
    hand_off(ipc_stack, reader, rid)
    handler_b.set_next_seq(rid, handler_a.next_seq(rid))
    handler_b.send(rid, type_="handoff-start")  # B takes over and at once hands back
    assert handler_b.recv_stream() == packet(rid, 4, type=b"handoff-proceed")
    handler_a.set_next_seq(rid, handler_b.next_seq(rid))
    handler_a.send(rid, body=b"back\n")
    assert reader.read_exactly(15) == b"5\r\nback\n\r\n0\r\n\r\n"
    assert handler_b.recv_stream_until_quiet() == []


@pytest.mark.skipif(is_condure(), reason="zedge-only: --zhttp-keepalive-interval; Condure 1.9.1's "
                    "keep-alive task keeps addressing the old handler during the pause")
def test_no_keep_alives_while_paused(make_stack):
    # After handoff-proceed the server sends nothing for the session until the next
    # handler packet -- keep-alives included; then they go to the new address.
    stack = make_stack(extra_args=["--workers", "1", *zedge_only("--zhttp-keepalive-interval", "1")])
    handler_a = stack.handler
    handler_b = stack.add_handler(b"handlerB")
    client, reader, rid = start_stream(stack)
    # Keep-alives may come before the handoff; numbering then shifts, so skip them.
    handler_a.send(rid, type_="handoff-start")
    while (reply := handler_a.recv_stream())["type"] == b"keep-alive":
        pass
    assert reply["type"] == b"handoff-proceed"
    assert handler_a.recv_stream_until_quiet(quiet_ms=2500) == []  # 2.5 keep-alive intervals
    handler_b.set_next_seq(rid, handler_a.next_seq(rid))
    handler_b.send(rid, type_="keep-alive")
    keep_alive = handler_b.recv_stream(timeout_ms=3000)
    assert (keep_alive["id"], keep_alive["seq"], keep_alive["type"]) == (rid, reply["seq"] + 1, b"keep-alive")
    assert handler_a.recv_stream_until_quiet() == []
