"""Request bodies in stream mode: the first packet says `more`, the body follows over ROUTER
within the credits the handler grants."""
import pytest

from harness import HttpReader, connect
from zhttp_handler import assert_stream_request

TEXT_PLAIN = (b"Content-Type", b"text/plain")
ECHO_RESPONSE = (b"HTTP/1.1 200 OK\r\n"
                 b"Content-Type: text/plain\r\n"
                 b"Content-Length: 11\r\n"
                 b"\r\n"
                 b"hello world")


def collect_body(handler, rid, first_seq=1):
    """Body packets until one without `more`; checks each packet's envelope and numbering."""
    packets = []
    while not packets or packets[-1].get("more"):
        packet = handler.recv_stream()
        packets.append(packet)
        assert packet["from"] == b"condure" and packet["id"] == rid
        assert packet["ext"] == {"multi": True}
        assert "type" not in packet  # data packets
    assert [p["seq"] for p in packets] == list(range(first_seq, first_seq + len(packets)))
    assert all(p["more"] is True for p in packets[:-1])
    return b"".join(p.get("body", b"") for p in packets), packets


def test_post_content_length(stack):
    client = connect(stack.port)
    client.sendall(b"POST /echo HTTP/1.1\r\n"
                   b"Host: example.com\r\n"
                   b"Content-Length: 11\r\n"
                   b"\r\n"
                   b"hello world")
    req = stack.handler.recv_request()
    assert_stream_request(req, b"POST", b"http://example.com/echo",
                          [(b"Host", b"example.com"), (b"Content-Length", b"11")], more=True)
    stack.handler.send(req["id"], type_="credit", credits=8192)
    body, packets = collect_body(stack.handler, req["id"])
    assert body == b"hello world"
    assert packets == [{"from": b"condure", "id": req["id"], "seq": 1, "ext": {"multi": True},
                        "body": b"hello world"}]
    stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=body)
    assert HttpReader(client).read_response() == ECHO_RESPONSE


def test_post_chunked(stack):
    client = connect(stack.port)
    client.sendall(b"POST /echo HTTP/1.1\r\n"
                   b"Host: example.com\r\n"
                   b"Transfer-Encoding: chunked\r\n"
                   b"\r\n"
                   b"5\r\nhello\r\n"
                   b"6\r\n world\r\n"
                   b"0\r\n\r\n")
    req = stack.handler.recv_request()
    assert_stream_request(req, b"POST", b"http://example.com/echo",
                          [(b"Host", b"example.com"), (b"Transfer-Encoding", b"chunked")], more=True)
    stack.handler.send(req["id"], type_="credit", credits=8192)
    # Condure sends one packet per chunk and a last one without body; how the bytes are split
    # is not part of the contract, the payload and the numbering are.
    body, _ = collect_body(stack.handler, req["id"])
    assert body == b"hello world"
    stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=body)
    assert HttpReader(client).read_response() == ECHO_RESPONSE


def test_body_waits_for_credits(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    client.sendall(b"POST /echo HTTP/1.1\r\nHost: example.com\r\nContent-Length: 11\r\n\r\nhello world")
    req = handler.recv_request()
    # Nothing of the body may arrive before the handler's first packet.
    with pytest.raises(TimeoutError):
        handler.recv_stream(timeout_ms=300)
    handler.send(req["id"], type_="credit", credits=4)
    first = handler.recv_stream()
    assert (first["seq"], first["body"], first["more"]) == (1, b"hell", True)
    with pytest.raises(TimeoutError):  # credits used up
        handler.recv_stream(timeout_ms=300)
    handler.send(req["id"], type_="credit", credits=100)
    rest, _ = collect_body(handler, req["id"], first_seq=2)
    assert rest == b"o world"
    handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello world")
    assert HttpReader(client).read_response() == ECHO_RESPONSE


def test_expect_100_continue_after_first_handler_packet(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    client.sendall(b"POST /echo HTTP/1.1\r\n"
                   b"Host: example.com\r\n"
                   b"Content-Length: 11\r\n"
                   b"Expect: 100-continue\r\n"
                   b"\r\n")
    req = handler.recv_request()
    assert req["more"] is True
    handler.send(req["id"], type_="credit", credits=8192)
    reader = HttpReader(client)
    # The interim response is written when the body starts being read.
    assert reader.read_response(head_only=True) == b"HTTP/1.1 100 Continue\r\n\r\n"
    client.sendall(b"hello world")
    body, _ = collect_body(handler, req["id"])
    assert body == b"hello world"
    handler.respond(req["id"], headers=[TEXT_PLAIN], body=body)
    assert reader.read_response() == ECHO_RESPONSE
