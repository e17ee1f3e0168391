"""Req mode: one DEALER on the server, one ROUTER in the handler, the whole
request and the whole response each in one packet."""
import pytest

from conftest import ZMQ_MODES
from harness import HttpReader, connect
from zhttp_handler import ID_PATTERN


@pytest.fixture(params=ZMQ_MODES, ids=[f"{t}-{m}" for t, m in ZMQ_MODES])
def req_stack(request, make_stack):
    transport, mode = request.param
    return make_stack(transport, mode, req=True)


def assert_req_request(packet, method, uri, headers, body=None):
    """No from, seq, credits, stream or more in req mode; the body, if any, is inline."""
    assert ID_PATTERN.fullmatch(packet["id"]), packet["id"]
    assert type(packet["peer-port"]) is int
    expected = {"id": packet["id"], "ext": {"multi": True}, "method": method, "uri": uri,
                "headers": [list(h) for h in headers],
                "peer-address": b"127.0.0.1", "peer-port": packet["peer-port"]}
    if body is not None:
        expected["body"] = body
    assert packet == expected


def test_req_get(req_stack):
    client = connect(req_stack.req_port)
    client.sendall(b"GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n")
    envelope, req = req_stack.req_handler.recv_request()
    assert_req_request(req, b"GET", b"http://example.com/hello", [(b"Host", b"example.com")])
    req_stack.req_handler.respond(envelope, req["id"],
                                  headers=[(b"Content-Type", b"text/plain")], body=b"hello\n")
    assert HttpReader(client).read_response() == (b"HTTP/1.1 200 OK\r\n"
                                                  b"Content-Type: text/plain\r\n"
                                                  b"Content-Length: 6\r\n"
                                                  b"\r\n"
                                                  b"hello\n")
    # Nothing reached the stream-mode handler.
    assert req_stack.handler.received == []


@pytest.mark.parametrize("framing", [
    b"Content-Length: 11\r\n\r\nhello world",
    b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
], ids=["content-length", "chunked"])
def test_req_post_body_inline(make_stack, framing):
    stack = make_stack("ipc", "bind", req=True)
    client = connect(stack.req_port)
    client.sendall(b"POST /echo HTTP/1.1\r\nHost: example.com\r\n" + framing)
    envelope, req = stack.req_handler.recv_request()
    framing_header = framing.split(b"\r\n")[0].split(b": ")
    assert_req_request(req, b"POST", b"http://example.com/echo",
                       [(b"Host", b"example.com"), tuple(framing_header)], body=b"hello world")
    # The server writes its own Content-Length whatever the handler says.
    stack.req_handler.respond(envelope, req["id"], code=201, reason=b"Created",
                              headers=[(b"Content-Type", b"text/plain"),
                                       (b"Content-Length", b"999")],
                              body=req["body"])
    assert HttpReader(client).read_response() == (b"HTTP/1.1 201 Created\r\n"
                                                  b"Content-Type: text/plain\r\n"
                                                  b"Content-Length: 11\r\n"
                                                  b"\r\n"
                                                  b"hello world")


def test_req_keep_alive(make_stack):
    stack = make_stack("ipc", "bind", req=True)
    client = connect(stack.req_port)
    reader = HttpReader(client)
    ids = []
    for n in (b"1", b"2"):
        client.sendall(b"GET /" + n + b" HTTP/1.1\r\nHost: example.com\r\n\r\n")
        envelope, req = stack.req_handler.recv_request()
        ids.append(req["id"])
        stack.req_handler.respond(envelope, req["id"], body=n)
        assert reader.read_response() == b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + n
    assert ids[0] != ids[1]
