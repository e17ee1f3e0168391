"""Differential WebSocket test: Debian condure and the server under test (ZEDGE_BIN) side by
side, each with its own handler, driven by the same client frames and the same scripted handler.
Handler-side packets must be equal apart from ids and client ports; `credit` packets (and so
seq numbers) are left out of the comparison because how the server batches its credit grants
depends on timing.
Client-side bytes (101 head and every frame) must be equal too.
With ZEDGE_BIN unset this compares condure with itself, which proves the test."""
import pytest

from harness import CONDURE_BIN, SERVER_BIN, HttpReader, connect, ws_frame, ws_read_frame, ws_upgrade_request
from test_differential import normalize_packets
from zhttp_handler import ws_accept, ws_echo

TEXT, BINARY, CLOSE, PING, CONT = 1, 2, 8, 9, 0


def open_ws(stack):
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(ws_upgrade_request(extra=b"Sec-WebSocket-Protocol: chat, superchat\r\n"))
    rid = stack.handler.recv_request()["id"]
    ws_accept(stack.handler, rid, headers=[(b"Sec-WebSocket-Protocol", b"chat")])
    return client, reader, rid, reader.read_response()


def next_packet(handler):
    while True:
        packet = handler.recv_stream()
        if packet.get("type") not in (b"credit", b"keep-alive"):
            return packet


def echo_and_client_close(stack):
    client, reader, rid, head = open_ws(stack)
    frames = []
    for sent, count, replies in (
            (ws_frame(TEXT, b"hello"), 1, 1),
            (ws_frame(BINARY, bytes(range(200))), 1, 1),
            (ws_frame(TEXT, b"fra", fin=False) + ws_frame(CONT, b"gm", fin=False)
             + ws_frame(CONT, b"ent"), 3, 3),
            (ws_frame(PING, b"ping!"), 1, 1)):
        client.sendall(sent)
        ws_echo(stack.handler, rid, count=count)
        frames += [ws_read_frame(reader) for _ in range(replies)]
    stack.handler.send(rid, type_="ping", body=b"hb")
    frames.append(ws_read_frame(reader))
    client.sendall(ws_frame(CLOSE, b"\x03\xe8bye"))
    next_packet(stack.handler)
    stack.handler.send(rid, type_="close", code=1000)
    frames.append(ws_read_frame(reader))
    return head, frames, reader.at_eof(2)


def handler_close(stack):
    client, reader, rid, head = open_ws(stack)
    stack.handler.send(rid, type_="close", code=4000, body=b"done")
    frames = [ws_read_frame(reader)]
    client.sendall(ws_frame(CLOSE, b"\x0f\xa0ok"))
    next_packet(stack.handler)
    return head, frames, reader.at_eof(2)


SCENARIOS = {"echo-and-client-close": echo_and_client_close, "handler-close": handler_close}


@pytest.fixture
def pair(make_stack):
    return make_stack("ipc", "bind", binary=CONDURE_BIN), make_stack("ipc", "bind", binary=SERVER_BIN)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_as_condure(pair, scenario):
    results = []
    for stack in pair:
        client_side = SCENARIOS[scenario](stack)
        received = normalize_packets(stack.handler.received)
        # Each server numbers its packets 0, 1, 2, ... with credits among them; how many
        # credit packets it sends depends on timing, so seq is checked here and then left out.
        assert [p["seq"] for _, p in received] == list(range(len(received)))
        packets = [(sock, {k: v for k, v in packet.items() if k != "seq"}) for sock, packet in received
                   if packet.get("type") not in (b"credit", b"keep-alive")]
        results.append((packets, client_side))
    (reference_packets, reference_client), (packets, client_side) = results
    assert reference_packets[0][1]["uri"] == b"ws://example.com/ws"
    assert reference_client[0].startswith(b"HTTP/1.1 101 ")
    assert packets == reference_packets
    assert client_side[0].split(b"\r\n") == reference_client[0].split(b"\r\n")
    assert client_side[1:] == reference_client[1:]
