"""Every error status zedge answers clients with, each with its exact status line
(api/zhttp.md, "Where zedge differs from Condure"), on inputs test_client_errors.py does
not already cover. Condure 1.9.1 answers none of them: it closes without a byte, or for 503
simply holds the client (no handler) or stops accepting (at its limit), and each test
states that too. 413 is in test_req_limits.py."""
import re
import time
import urllib.request

import pytest

from harness import HttpReader, connect, free_port, is_condure, parse_head, wait_closed, zedge_only
from zhttp_handler import StreamHandler

HOST = b"Host: example.com\r\n"
HANDLER_WAIT_MS = 300

STATUS_LINES = {
    400: b"HTTP/1.1 400 Bad Request",
    414: b"HTTP/1.1 414 URI Too Long",
    431: b"HTTP/1.1 431 Request Header Fields Too Large",
    501: b"HTTP/1.1 501 Not Implemented",
    503: b"HTTP/1.1 503 Service Unavailable",
    505: b"HTTP/1.1 505 HTTP Version Not Supported",
}

# (name, request bytes, status). Condure 1.9.1 closes silently on each.
MALFORMED = [
    ("header-name-with-at", b"GET / HTTP/1.1\r\n" + HOST + b"X@Y: 1\r\n\r\n", 400),
    ("header-name-with-space", b"GET / HTTP/1.1\r\n" + HOST + b"X Y: 1\r\n\r\n", 400),
    ("target-over-4096", b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\n" + HOST + b"\r\n", 414),
    ("65-headers", b"GET / HTTP/1.1\r\n" + HOST +
     b"".join(b"X-H%02d: v\r\n" % n for n in range(64)) + b"\r\n", 431),
    ("te-br", b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: br\r\n\r\n", 501),
    ("te-gzip-chunked", b"POST / HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
     b"0\r\n\r\n", 501),
    ("http-1.2", b"GET / HTTP/1.2\r\n" + HOST + b"\r\n", 505),
    ("http-2.0", b"GET / HTTP/2.0\r\n" + HOST + b"\r\n", 505),
]


def assert_error_then_close(response, status):
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, fields = parse_head(head + b"\r\n\r\n")
    assert status_line == STATUS_LINES[status], response[:200]
    assert fields[b"content-type"].startswith(b"text/plain")
    assert fields[b"connection"] == b"close"
    assert int(fields[b"content-length"]) == len(body) > 0, "the body says what was wrong"


def read_error(reader):
    _, response = wait_closed(reader, 5)
    return response


@pytest.mark.parametrize("request_bytes, status", [case[1:] for case in MALFORMED],
                         ids=[case[0] for case in MALFORMED])
def test_malformed_head(ipc_stack, request_bytes, status):
    client = connect(ipc_stack.port)
    client.sendall(request_bytes)
    response = read_error(HttpReader(client))
    if is_condure():
        assert response == b""
    else:
        assert_error_then_close(response, status)
    with pytest.raises(TimeoutError):
        ipc_stack.handler.recv_request(timeout_ms=200)


def test_method_that_is_not_a_token(ipc_stack):
    # RFC 9110 §9.1: a method is a token; '@' is not a token character.
    client = connect(ipc_stack.port)
    client.sendall(b"G@T / HTTP/1.1\r\n" + HOST + b"\r\n")
    if is_condure():
        # Condure 1.9.1 hands it to the handler as it is.
        assert ipc_stack.handler.recv_request()["method"] == b"G@T"
        return
    assert_error_then_close(read_error(HttpReader(client)), 400)
    with pytest.raises(TimeoutError):
        ipc_stack.handler.recv_request(timeout_ms=200)


def test_target_of_4000_bytes_is_fine(ipc_stack):
    # Just under Condure's uri limit (the uri with scheme and host stays <= 4096).
    client = connect(ipc_stack.port)
    client.sendall(b"GET /" + b"a" * 4000 + b" HTTP/1.1\r\n" + HOST + b"\r\n")
    req = ipc_stack.handler.recv_request()
    assert req["uri"] == b"http://example.com/" + b"a" * 4000
    ipc_stack.handler.respond(req["id"], body=b"ok\n")
    assert HttpReader(client).read_response().endswith(b"\r\n\r\nok\n")


def test_64_headers_are_fine(ipc_stack):
    client = connect(ipc_stack.port)
    client.sendall(b"GET / HTTP/1.1\r\n" + HOST +
                   b"".join(b"X-H%02d: v\r\n" % n for n in range(63)) + b"\r\n")
    req = ipc_stack.handler.recv_request()
    assert len(req["headers"]) == 64
    ipc_stack.handler.respond(req["id"], body=b"ok\n")
    assert HttpReader(client).read_response().endswith(b"\r\n\r\nok\n")


def test_head_larger_than_the_buffer(make_stack):
    # Many small fields, none large on its own: the head as a whole exceeds --buffer-size.
    stack = make_stack(extra_args=["--buffer-size", "1024"])
    client = connect(stack.port)
    client.sendall(b"GET / HTTP/1.1\r\n" + HOST + b"".join(b"X-Field-%02d: %s\r\n" % (n, b"v" * 40)
                                                           for n in range(30)) + b"\r\n")
    response = read_error(HttpReader(client))
    if is_condure():
        assert response == b""
    else:
        assert_error_then_close(response, 431)


@pytest.mark.parametrize("chunks", [b"zz\r\nhello\r\n0\r\n\r\n", b"5\r\nhelloXX\r\n0\r\n\r\n"],
                         ids=["bad-size", "no-crlf-after-data"])
def test_bad_chunk_in_stream_mode(ipc_stack, chunks):
    # The head was fine, so the handler has the request; the body fails once it is read
    # (after the handler's credits), and the handler hears a cancel, as in Condure.
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    rid = handler.recv_request()["id"]
    handler.send(rid, type_="credit", credits=8192)
    response = read_error(HttpReader(client))
    if is_condure():
        assert response == b""
    else:
        assert_error_then_close(response, 400)
    packets = handler.recv_stream_until_quiet()
    assert packets and packets[-1]["type"] == b"cancel", packets
    assert all("type" not in p for p in packets[:-1])  # at most the good bytes before it


def test_bad_chunk_in_req_mode(make_stack):
    stack = make_stack(req=True)
    client = connect(stack.req_port)
    client.sendall(b"POST /up HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n\r\n"
                   b"zz\r\nhello\r\n0\r\n\r\n")
    response = read_error(HttpReader(client))
    if is_condure():
        assert response == b""
    else:
        assert_error_then_close(response, 400)
    with pytest.raises(TimeoutError):
        stack.req_handler.recv_request(timeout_ms=200)


# ---------------------------------------------------------------------------------------------
# 503: no handler (--handler-wait-ms, zedge only) and --stream-maxconn

def test_503_when_no_handler_is_connected(make_stack):
    stack = make_stack(handler=False, extra_args=zedge_only("--handler-wait-ms", str(HANDLER_WAIT_MS)))
    client = connect(stack.port)
    client.sendall(b"GET / HTTP/1.1\r\n" + HOST + b"\r\n")
    start = time.monotonic()
    reader = HttpReader(client)
    if is_condure():
        # Condure holds the request until a handler comes or 60 s pass.
        assert not reader.at_eof(timeout=1.0) and reader.buf == b""
        return
    response = read_error(reader)
    waited = time.monotonic() - start
    assert_error_then_close(response, 503)
    # It waited for a handler first, but not much longer than asked.
    assert HANDLER_WAIT_MS / 1000 - 0.1 <= waited <= HANDLER_WAIT_MS / 1000 + 2.5, waited


def test_request_waits_for_a_handler_that_connects(make_stack):
    stack = make_stack(handler=False, extra_args=zedge_only("--handler-wait-ms", "4000"))
    client = connect(stack.port)
    client.sendall(b"GET /late HTTP/1.1\r\n" + HOST + b"\r\n")
    time.sleep(0.5)
    stack.handler = StreamHandler(stack.stream_base)
    stack.handler.wait_subscribed()
    req = stack.handler.recv_request()
    assert req["uri"] == b"http://example.com/late"
    stack.handler.respond(req["id"], body=b"late\n")
    assert HttpReader(client).read_response().endswith(b"\r\n\r\nlate\n")


@pytest.mark.skipif(is_condure(), reason="zedge-only: Condure 1.9.1 holds requests while no "
                    "handler is connected")
def test_503_after_the_handler_leaves(make_stack):
    stack = make_stack(extra_args=zedge_only("--handler-wait-ms", str(HANDLER_WAIT_MS)))
    # The handler answers one request, then goes away.
    client = connect(stack.port)
    client.sendall(b"GET /one HTTP/1.1\r\n" + HOST + b"\r\n")
    req = stack.handler.recv_request()
    stack.handler.respond(req["id"], body=b"one\n")
    reader = HttpReader(client)
    assert reader.read_response().endswith(b"\r\n\r\none\n")
    stack.handler.close()
    stack.handler = None
    time.sleep(0.5)  # time for the disconnect to be noticed
    client.sendall(b"GET /two HTTP/1.1\r\n" + HOST + b"\r\n")
    assert_error_then_close(read_error(reader), 503)


def test_503_at_stream_maxconn(make_stack):
    stack = make_stack(extra_args=["--stream-maxconn", "2", "--workers", "1"])
    handler = stack.handler
    held = []
    for n in range(2):
        client = connect(stack.port)
        client.sendall(b"GET /held%d HTTP/1.1\r\n" % n + HOST + b"\r\n")
        held.append((HttpReader(client), handler.recv_request()["id"]))
    third = connect(stack.port)
    third.sendall(b"GET /third HTTP/1.1\r\n" + HOST + b"\r\n")
    reader = HttpReader(third)
    if is_condure():
        # Condure stops accepting at the limit: the client waits in the
        # backlog, unanswered, and is served once a slot frees.
        assert not reader.at_eof(timeout=0.5) and reader.buf == b""
        with pytest.raises(TimeoutError):
            handler.recv_request(timeout_ms=100)
        first_reader, first_rid = held.pop(0)
        handler.respond(first_rid, body=b"done\n")
        assert first_reader.read_response().endswith(b"done\n")
        first_reader.sock.close()
        req = handler.recv_request()
        assert req["uri"] == b"http://example.com/third"
        handler.respond(req["id"], body=b"third\n")
        assert reader.read_response().endswith(b"third\n")
    else:
        assert_error_then_close(read_error(reader), 503)
        with pytest.raises(TimeoutError):
            handler.recv_request(timeout_ms=200)
        # The two held connections are unaffected.
        for held_reader, rid in held:
            handler.respond(rid, body=b"fine\n")
            assert held_reader.read_response().endswith(b"\r\n\r\nfine\n")


def open_connections(admin_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(int(float(n)) for n in re.findall(r"^zedge_connections_active\{[^}]*\} (\S+)$", text, re.M))


def wait_no_connections(admin_port):
    deadline = time.monotonic() + 15
    while open_connections(admin_port) != 0:
        assert time.monotonic() < deadline, "connections still open"
        time.sleep(0.05)


@pytest.mark.skipif(is_condure(), reason="zedge-only: --admin-listen")
def test_stream_maxconn_shared_by_two_listeners_serves_both(make_stack):
    """The limit counts connections, never a listener waiting for one: once the slot is free,
    a connection on either listener is served (a slot held for the quiet listener starved
    the other -- found by the TLS test's start-up probe of a second listener)."""
    other_port, admin_port = free_port(), free_port()
    stack = make_stack(extra_args=["--stream-maxconn", "1", "--workers", "1",
                                   "--listen", f"127.0.0.1:{other_port},stream",
                                   "--admin-listen", f"127.0.0.1:{admin_port}"])
    handler = stack.handler

    def served(port, path):
        client = connect(port)
        client.sendall(b"GET /%s HTTP/1.1\r\n" % path + HOST + b"\r\n")
        req = handler.recv_request()
        assert req["uri"] == b"http://example.com/" + path
        handler.respond(req["id"], body=path)
        assert HttpReader(client).read_response().endswith(b"\r\n\r\n" + path)
        client.close()

    for round_ in range(2):
        for port, name in ((other_port, b"other"), (stack.port, b"first")):
            wait_no_connections(admin_port)
            served(port, name + b"%d" % round_)
    # Full: a connection on either listener is refused, and served again once room is back.
    wait_no_connections(admin_port)
    held = connect(stack.port)
    held.sendall(b"GET /held HTTP/1.1\r\n" + HOST + b"\r\n")
    held_id = handler.recv_request()["id"]
    for port in (other_port, stack.port):
        client = connect(port)
        client.sendall(b"GET /refused HTTP/1.1\r\n" + HOST + b"\r\n")
        assert_error_then_close(read_error(HttpReader(client)), 503)
    handler.respond(held_id, body=b"held")
    assert HttpReader(held).read_response().endswith(b"held")
    held.close()
    for port, name in ((other_port, b"other-again"), (stack.port, b"first-again")):
        wait_no_connections(admin_port)
        served(port, name)
