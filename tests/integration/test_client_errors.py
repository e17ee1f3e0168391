"""Malformed requests. Condure 1.9.1 closes without a word; zedge answers
with an error status first, so each case states both expectations."""
import pytest

from harness import HttpReader, connect, is_condure, parse_head

# (request bytes, status zedge answers with). Condure closes silently on every one of these.
SILENT_IN_CONDURE = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET / HTTP/3.0\r\nHost: example.com\r\n\r\n", 505),
    (b"POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    (b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: abc\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: example.com\r\n folded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: example.com\rX-Bare-CR: 1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: example.com\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
]

# Ambiguous framing: Condure 1.9.1 forwards these to the handler (a request smuggling
# hazard); zedge must refuse them before any handler sees them.
SMUGGLING = [
    b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
]


def short_id(request_bytes):
    return request_bytes.split(b"\r\n")[0].decode(errors="replace")[:30]


def assert_error_response_then_close(response, status):
    head, _, body = response.partition(b"\r\n\r\n")
    status_line, fields = parse_head(head + b"\r\n\r\n")
    assert status_line.startswith(b"HTTP/1.1 %d " % status), response[:200]
    assert fields.get(b"content-type", b"").startswith(b"text/plain")
    assert body, "the body should say what was wrong"


@pytest.mark.parametrize("request_bytes, status", SILENT_IN_CONDURE,
                         ids=[short_id(r) + f"-{s}" for r, s in SILENT_IN_CONDURE])
def test_malformed_request(ipc_stack, request_bytes, status):
    client = connect(ipc_stack.port)
    client.sendall(request_bytes)
    response = HttpReader(client).read_until_close()
    if is_condure():
        assert response == b""
    else:
        assert_error_response_then_close(response, status)
    with pytest.raises(TimeoutError):
        ipc_stack.handler.recv_request(timeout_ms=200)


@pytest.mark.parametrize("request_bytes", SMUGGLING, ids=["cl-and-te", "two-cl"])
def test_ambiguous_framing_never_reaches_handler(ipc_stack, request_bytes):
    if is_condure():
        pytest.skip("Condure 1.9.1 forwards ambiguous framing to the handler (zedge-only check)")
    client = connect(ipc_stack.port)
    client.sendall(request_bytes)
    assert_error_response_then_close(HttpReader(client).read_until_close(), 400)
    with pytest.raises(TimeoutError):
        ipc_stack.handler.recv_request(timeout_ms=200)
