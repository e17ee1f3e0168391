"""Differential tests of sessions: Debian condure and the server under test side by side,
each with its own handlers, driven through the same session. The packets the handlers
receive must be equal apart from request ids and client ports (test_differential.py's
style); the client's bytes apart from the deliberate differences
listed in api/zhttp.md, "Where zedge differs from Condure".
Scenarios: streamed upload with credits, streamed response with credits returned,
100-continue, handoff between two handler processes, cancel on client disconnect. The 45 s
keep-alive is compared in test_keepalive_45s.py."""
import pytest

from harness import CONDURE_BIN, SERVER_BIN, HttpReader, connect, without_transfer_encoding_connection
from test_handoff import HandoffPeer

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HOST = b"Host: example.com\r\n"


def upload_with_credits(stack, _peers):
    """20 bytes against grants of 8: the pieces follow the grants exactly."""
    handler = stack.handler
    client = connect(stack.port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Connection: close\r\nContent-Length: 20\r\n\r\n"
                   b"abcdefghijklmnopqrst")
    rid = handler.recv_request()["id"]
    body = b""
    for _ in range(3):
        handler.send(rid, type_="credit", credits=8)
        body += handler.recv_stream()["body"]
    assert body == b"abcdefghijklmnopqrst"
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"got 20\n")
    return HttpReader(client).read_until_close()


def chunked_upload_with_credits(stack, _peers):
    handler = stack.handler
    client = connect(stack.port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST +
                   b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"8\r\naaaaaaaa\r\n8\r\nbbbbbbbb\r\n0\r\n\r\n")
    rid = handler.recv_request()["id"]
    # Grants of 10: the first brings 10 bytes, the second the other 6 and the end.
    handler.send(rid, type_="credit", credits=10)
    got = b""
    while len(got) < 10:
        got += handler.recv_stream()["body"]
    handler.send(rid, type_="credit", credits=10)
    while (packet := handler.recv_stream()).get("more"):
        got += packet["body"]
    assert got + packet.get("body", b"") == b"aaaaaaaabbbbbbbb"
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"ok\n")
    return HttpReader(client).read_until_close()


def response_with_credits(stack, _peers):
    """A handler Content-Length across three packets, each sent after the previous credit,
    then the same connection used again for a chunked stream."""
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /sized HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN, (b"Content-Length", b"18")], body=b"hello ", more=True)
    handler.recv_stream()
    handler.send(rid, body=b"there ", more=True)
    handler.recv_stream()
    handler.send(rid, body=b"world\n")
    response = reader.read_response()
    client.sendall(b"GET /chunked HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"one\n", more=True)
    handler.recv_stream()
    handler.send(rid, body=b"two\n", more=True)
    handler.recv_stream()
    handler.send(rid, body=b"")
    return response + reader.read_until_close()


def expect_continue(stack, _peers):
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST +
                   b"Connection: close\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    rid = handler.recv_request()["id"]
    handler.send(rid, type_="credit", credits=100)
    interim = reader.read_response(head_only=True)
    client.sendall(b"hello")
    assert handler.recv_stream()["body"] == b"hello"
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"ok\n")
    return interim + reader.read_until_close()


def handoff(stack, peers):
    """Handler A streams, hands off; handler B (another process) finishes the response."""
    handler_a = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /handoff HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    rid = handler_a.recv_request()["id"]
    handler_a.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    handler_a.recv_stream()  # credit
    handler_a.send(rid, body=b"second\n", more=True)
    handler_a.send(rid, type_="handoff-start")
    handler_a.recv_stream()  # credit
    handler_a.recv_stream()  # handoff-proceed
    peer = HandoffPeer(stack, b"handlerB", rid, handler_a.next_seq(rid), [b"third\n", b"last\n"])
    peers.append(peer)
    handler_a.received += [("handlerB", packet) for packet in peer.go()]
    handler_a.recv_stream_until_quiet()
    return reader.read_until_close()


def cancel_on_disconnect(stack, _peers):
    """One client leaves mid-response, another mid-upload: each session gets a cancel."""
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /stream HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    response = reader.read_response(head_only=True) + reader.read_exactly(11)
    handler.recv_stream()  # credit
    client.close()
    handler.recv_stream()  # cancel

    uploader = connect(stack.port)
    uploader.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: 100\r\n\r\n" + b"a" * 10)
    rid = handler.recv_request()["id"]
    handler.send(rid, type_="credit", credits=1000)
    handler.recv_stream()  # the 10 bytes
    uploader.close()
    handler.recv_stream()  # cancel
    return response


SCENARIOS = {
    "upload-with-credits": upload_with_credits,
    "chunked-upload-with-credits": chunked_upload_with_credits,
    "response-with-credits": response_with_credits,
    "expect-100-continue": expect_continue,
    "handoff-two-processes": handoff,
    "cancel-on-disconnect": cancel_on_disconnect,
}


def normalize_packets(received):
    """Request ids become id0, id1, ... by first appearance (also inside multi-id lists);
    client ports become 0."""
    names = {}

    def name(rid):
        return names.setdefault(rid, f"id{len(names)}")

    def fix(packet):
        packet = dict(packet)
        if isinstance(packet.get("id"), list):
            packet["id"] = [dict(entry, id=name(entry["id"])) for entry in packet["id"]]
        elif "id" in packet:
            packet["id"] = name(packet["id"])
        if "peer-port" in packet:
            packet["peer-port"] = 0
        return packet
    return [(sock, fix(packet)) for sock, packet in received]


@pytest.fixture
def pair(make_stack):
    return make_stack("ipc", "bind", binary=CONDURE_BIN), make_stack("ipc", "bind", binary=SERVER_BIN)


@pytest.fixture
def peers():
    started = []
    yield started
    for peer in started:
        peer.kill()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_handler_bytes_as_condure(pair, peers, scenario):
    results = []
    for stack in pair:
        response = SCENARIOS[scenario](stack, peers)
        results.append((normalize_packets(stack.handler.received),
                        without_transfer_encoding_connection(response)))
    (reference_packets, reference_response), (packets, response) = results
    assert len(reference_packets) > 1, "the scenario must make the handler receive something"
    # Packet by packet, so a failure shows the first one that differs.
    for n, (expected, got) in enumerate(zip(reference_packets, packets)):
        assert got == expected, f"packet {n}"
    assert len(packets) == len(reference_packets)
    assert response.split(b"\r\n") == reference_response.split(b"\r\n")
