"""Differential test: Debian condure and the server under test side by side, each with its own
handler, fed the same requests and the same handler answers. Handler-side packets must be
equal apart from request ids and client ports; client-side bytes must be equal apart from the
deliberate differences listed in api/zhttp.md ("Where zedge differs from Condure"),
which `normalize_response` removes.
With ZEDGE_BIN unset this compares condure with itself, which proves the test."""
import pytest

from harness import CONDURE_BIN, SERVER_BIN, HttpReader, connect, without_transfer_encoding_connection

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HOST = b"Host: example.com\r\n"


def simple(request_bytes, code=200, reason=b"OK", body=b"hello\n"):
    """One request with Connection: close, answered in one packet; read until close."""
    def run(stack):
        client = connect(stack.port)
        client.sendall(request_bytes)
        req = stack.handler.recv_request()
        stack.handler.respond(req["id"], code=code, reason=reason, headers=[TEXT_PLAIN], body=body)
        return HttpReader(client).read_until_close()
    return run


def keep_alive_pair(stack):
    client = connect(stack.port)
    reader = HttpReader(client)
    responses = b""
    for path in (b"/one", b"/two"):
        client.sendall(b"GET " + path + b" HTTP/1.1\r\n" + HOST + b"\r\n")
        req = stack.handler.recv_request()
        stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=path + b"\n")
        responses += reader.read_response()
    return responses


def echo_post(framing):
    def run(stack):
        client = connect(stack.port)
        client.sendall(b"POST /echo HTTP/1.1\r\n" + HOST + b"Connection: close\r\n" + framing)
        rid = stack.handler.recv_request()["id"]
        stack.handler.send(rid, type_="credit", credits=8192)
        body = b""
        while True:
            packet = stack.handler.recv_stream()
            body += packet.get("body", b"")
            if not packet.get("more"):
                break
        stack.handler.respond(rid, headers=[TEXT_PLAIN], body=body)
        return HttpReader(client).read_until_close()
    return run


def streamed(stack):
    """Each piece waits for the previous piece's credit, so chunking does not depend on timing."""
    client = connect(stack.port)
    client.sendall(b"GET /stream HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n")
    rid = stack.handler.recv_request()["id"]
    stack.handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    for piece in (b"second\n", b"third\n"):
        assert stack.handler.recv_stream()["type"] == b"credit"
        stack.handler.send(rid, body=piece, more=True)
    assert stack.handler.recv_stream()["type"] == b"credit"
    stack.handler.send(rid, body=b"")
    return HttpReader(client).read_until_close()


SCENARIOS = {
    "get": simple(b"GET /hello HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"),
    "get-query": simple(b"GET /search?q=a%20b&x=1 HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"),
    "head": simple(b"HEAD /hello HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"),
    "keep-alive-pair": keep_alive_pair,
    "http10": simple(b"GET /old HTTP/1.0\r\n" + HOST + b"\r\n"),
    "post-content-length": echo_post(b"Content-Length: 11\r\n\r\nhello world"),
    # Condure sends one data packet per chunk plus a final one without body; a server that
    # splits differently shows up here as a difference to look at.
    "post-chunked": echo_post(b"Transfer-Encoding: chunked\r\n\r\n"
                              b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
    "streamed": streamed,
    "not-found": simple(b"GET /missing HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n",
                        code=404, reason=b"Not Found", body=b"not found\n"),
    "odd-headers": simple(b"GET /h HTTP/1.1\r\n" + HOST +
                          b"X-MiXeD-CaSe: Value\r\n"
                          b"x-dup: a\r\n"
                          b"X-Dup: b\r\n"
                          b"x-dup: c\r\n"
                          b"X-Spaces:   padded value   \r\n"
                          b"Connection: close\r\n\r\n"),
}


def normalize_packets(received):
    """Request ids become id0, id1, ... by first appearance; client ports become 0."""
    names = {}

    def fix(packet):
        packet = dict(packet)
        if "id" in packet:
            packet["id"] = names.setdefault(packet["id"], f"id{len(names)}")
        if "peer-port" in packet:
            packet["peer-port"] = 0
        return packet
    return [(sock, fix(packet)) for sock, packet in received]


def normalize_response(scenario, response):
    # zedge writes no `Connection: Transfer-Encoding` line on chunked responses,
    # and no body after a HEAD response (Condure writes the handler's body).
    response = without_transfer_encoding_connection(response)
    if scenario == "head":
        response = response.partition(b"\r\n\r\n")[0] + b"\r\n\r\n"
    return response


@pytest.fixture
def pair(make_stack):
    return make_stack("ipc", "bind", binary=CONDURE_BIN), make_stack("ipc", "bind", binary=SERVER_BIN)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_same_as_condure(pair, scenario):
    results = []
    for stack in pair:
        response = SCENARIOS[scenario](stack)
        results.append((normalize_packets(stack.handler.received),
                        normalize_response(scenario, response)))
    (reference_packets, reference_response), (packets, response) = results
    assert reference_packets, "the scenario must make the handler receive something"
    assert reference_response.startswith(b"HTTP/1.")
    assert packets == reference_packets
    # Line by line, so a failure shows which header differs.
    assert response.split(b"\r\n") == reference_response.split(b"\r\n")
