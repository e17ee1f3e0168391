"""Req mode limits: the whole body buffered up to --body-buffer-size,
--req-timeout, --req-maxconn, and WebSocket upgrades refused on a req listener."""
import time

import pytest

from harness import HttpReader, connect, is_condure, parse_head, wait_closed

HOST = b"Host: example.com\r\n"
BODY_LIMIT = 1000
REQ_TIMEOUT_S = 2


@pytest.fixture
def limited(make_stack):
    return make_stack(req=True, extra_args=["--body-buffer-size", str(BODY_LIMIT),
                                            "--req-timeout", str(REQ_TIMEOUT_S)])


def assert_413_then_close(response):
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, fields = parse_head(head + b"\r\n\r\n")
    assert status_line == b"HTTP/1.1 413 Content Too Large", response[:200]
    assert fields[b"content-type"].startswith(b"text/plain") and body


def test_body_at_the_limit_is_forwarded(limited):
    client = connect(limited.req_port)
    body = b"b" * BODY_LIMIT
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: %d\r\n\r\n" % BODY_LIMIT + body)
    envelope, req = limited.req_handler.recv_request()
    assert req["body"] == body
    limited.req_handler.respond(envelope, req["id"], body=b"ok\n")
    assert HttpReader(client).read_response() == b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"


def test_content_length_over_the_limit(limited):
    client = connect(limited.req_port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: %d\r\n\r\n" % (BODY_LIMIT + 1) +
                   b"b" * (BODY_LIMIT + 1))
    reader = HttpReader(client)
    if is_condure():
        # Condure 1.9.1 neither answers nor forwards; it resets only once it holds more than
        # it can buffer, so here it simply waits.
        assert not reader.at_eof(timeout=0.5) and reader.buf == b""
    else:
        _, response = wait_closed(reader, 5)
        assert_413_then_close(response)
    with pytest.raises(TimeoutError):
        limited.req_handler.recv_request(timeout_ms=200)


def test_expect_continue_over_the_limit(limited):
    # The client announces too large a body and waits for 100 (Continue): RFC 9110 §10.1.1
    # wants a final status instead, so the body is never sent.
    client = connect(limited.req_port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Content-Length: %d\r\n" % (BODY_LIMIT + 1) +
                   b"Expect: 100-continue\r\n\r\n")
    reader = HttpReader(client)
    if is_condure():
        # Condure 1.9.1 invites the body it cannot take.
        assert not reader.at_eof(timeout=0.5)
        assert reader.buf == b"HTTP/1.1 100 Continue\r\n\r\n", reader.buf
    else:
        _, response = wait_closed(reader, 5)
        assert_413_then_close(response)
    with pytest.raises(TimeoutError):
        limited.req_handler.recv_request(timeout_ms=200)


def test_chunked_body_over_the_limit(limited):
    client = connect(limited.req_port)
    chunks = b"".join(b"100\r\n" + b"c" * 256 + b"\r\n" for _ in range(5))  # 1280 bytes
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" +
                   chunks + b"0\r\n\r\n")
    reader = HttpReader(client)
    if is_condure():
        try:
            _, response = wait_closed(reader, 1)
        except TimeoutError:
            response = reader.buf
        assert response == b""
    else:
        _, response = wait_closed(reader, 5)
        assert_413_then_close(response)
    with pytest.raises(TimeoutError):
        limited.req_handler.recv_request(timeout_ms=200)


def test_req_timeout_closes_a_request_without_answer(limited):
    client = connect(limited.req_port)
    client.sendall(b"GET /slow HTTP/1.1\r\n" + HOST + b"\r\n")
    start = time.monotonic()
    limited.req_handler.recv_request()
    elapsed, data = wait_closed(HttpReader(client), REQ_TIMEOUT_S + 4)
    elapsed = time.monotonic() - start
    assert data == b""
    assert REQ_TIMEOUT_S - 0.5 <= elapsed <= REQ_TIMEOUT_S + 2.5, elapsed


def test_req_timeout_covers_the_wait_for_a_request(limited):
    # In req mode the timeout also bounds an idle connection.
    start = time.monotonic()
    _, data = wait_closed(HttpReader(connect(limited.req_port)), REQ_TIMEOUT_S + 4)
    elapsed = time.monotonic() - start
    assert data == b""
    assert REQ_TIMEOUT_S - 0.5 <= elapsed <= REQ_TIMEOUT_S + 2.5, elapsed


def test_req_maxconn(make_stack):
    stack = make_stack(req=True, extra_args=["--req-maxconn", "2", "--workers", "1"])
    handler = stack.req_handler
    held = []
    for n in range(2):
        client = connect(stack.req_port)
        client.sendall(b"GET /held%d HTTP/1.1\r\n" % n + HOST + b"\r\n")
        held.append((client, handler.recv_request()))
    third = connect(stack.req_port)
    third.sendall(b"GET /third HTTP/1.1\r\n" + HOST + b"\r\n")
    reader = HttpReader(third)
    with pytest.raises(TimeoutError):  # never reaches the handler while the limit holds
        handler.recv_request(timeout_ms=500)
    if is_condure():
        # Condure stops accepting: the client waits in the kernel's backlog
        # and is served once a slot is free.
        assert not reader.at_eof(timeout=0.3) and reader.buf == b""
        (client, (envelope, req)) = held.pop(0)
        handler.respond(envelope, req["id"], body=b"done\n")
        assert HttpReader(client).read_response().endswith(b"done\n")
        client.close()
        envelope, req = handler.recv_request()
        assert req["uri"] == b"http://example.com/third"
        handler.respond(envelope, req["id"], body=b"third\n")
        assert reader.read_response().endswith(b"third\n")
    else:
        # zedge answers at the limit instead of leaving the client hanging (api/zhttp.md,
        # "Where zedge differs from Condure"; the same rule as --stream-maxconn).
        _, response = wait_closed(reader, 5)
        assert response.startswith(b"HTTP/1.1 503 Service Unavailable\r\n"), response[:200]


def test_websocket_on_a_req_listener(limited):
    client = connect(limited.req_port)
    client.sendall(b"GET /ws HTTP/1.1\r\n" + HOST +
                   b"Upgrade: websocket\r\n"
                   b"Connection: Upgrade\r\n"
                   b"Sec-WebSocket-Version: 13\r\n"
                   b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                   b"\r\n")
    _, response = wait_closed(HttpReader(client), 5)
    # zedge also says `Connection: close`, as RFC 9112 §9.6 asks of a server that closes.
    assert response.replace(b"Connection: close\r\n", b"") == (
        b"HTTP/1.1 400 Bad Request\r\n"
        b"Content-Type: text/plain\r\n"
        b"Content-Length: 48\r\n"
        b"\r\n"
        b"WebSockets not supported on req mode interface.\n")
    with pytest.raises(TimeoutError):
        limited.req_handler.recv_request(timeout_ms=200)
