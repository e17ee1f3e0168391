"""Bodiless requests in stream mode: one GET, keep-alive, HTTP/1.0, pipelining."""
import subprocess

from harness import HttpReader, connect
from zhttp_handler import assert_stream_request

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HELLO_RESPONSE = (b"HTTP/1.1 200 OK\r\n"
                  b"Content-Type: text/plain\r\n"
                  b"Content-Length: 6\r\n"
                  b"\r\n"
                  b"hello\n")


def curl_version():
    out = subprocess.run(["curl", "--version"], capture_output=True, timeout=10).stdout
    return out.split(b" ")[1]


def test_get_raw_socket(stack):
    client = connect(stack.port)
    client.sendall(b"GET /hello?x=1 HTTP/1.1\r\n"
                   b"Host: example.com\r\n"
                   b"X-Odd-Case: a\r\n"
                   b"x-odd-case: b\r\n"
                   b"\r\n")
    req = stack.handler.recv_request()
    assert_stream_request(req, b"GET", b"http://example.com/hello?x=1",
                          [(b"Host", b"example.com"), (b"X-Odd-Case", b"a"), (b"x-odd-case", b"b")])
    stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello\n")
    assert HttpReader(client).read_response() == HELLO_RESPONSE
    assert stack.handler.received == [("pull", req)]


def test_get_curl(stack):
    url = f"http://127.0.0.1:{stack.port}/hello"
    curl = subprocess.Popen(["curl", "-sS", "-i", "--max-time", "10", url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        req = stack.handler.recv_request()
        assert_stream_request(req, b"GET", f"http://127.0.0.1:{stack.port}/hello".encode(),
                              [(b"Host", f"127.0.0.1:{stack.port}".encode()),
                               (b"User-Agent", b"curl/" + curl_version()),
                               (b"Accept", b"*/*")])
        stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello\n")
        out, err = curl.communicate(timeout=10)
    finally:
        curl.kill()
        curl.wait()
    assert curl.returncode == 0, err
    assert out == HELLO_RESPONSE


def test_no_host_header_gives_localhost_uri(ipc_stack):
    client = connect(ipc_stack.port)
    client.sendall(b"GET /hello HTTP/1.0\r\n\r\n")
    req = ipc_stack.handler.recv_request()
    assert_stream_request(req, b"GET", b"http://localhost/hello", [])


def test_keep_alive_two_requests_get_new_ids(ipc_stack):
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    ids = []
    for path in (b"/one", b"/two"):
        client.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: example.com\r\n\r\n")
        req = ipc_stack.handler.recv_request()
        assert_stream_request(req, b"GET", b"http://example.com" + path, [(b"Host", b"example.com")])
        ids.append(req["id"])
        ipc_stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello\n")
        assert reader.read_response() == HELLO_RESPONSE
    assert ids[0] != ids[1]


def test_http10_closes_after_response(ipc_stack):
    client = connect(ipc_stack.port)
    client.sendall(b"GET /old HTTP/1.0\r\nHost: example.com\r\n\r\n")
    req = ipc_stack.handler.recv_request()
    ipc_stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello\n")
    assert HttpReader(client).read_until_close() == (b"HTTP/1.0 200 OK\r\n"
                                                     b"Content-Type: text/plain\r\n"
                                                     b"Content-Length: 6\r\n"
                                                     b"\r\n"
                                                     b"hello\n")


def test_http10_keep_alive(ipc_stack):
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    for _ in range(2):
        client.sendall(b"GET /old HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n")
        req = ipc_stack.handler.recv_request()
        ipc_stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"hello\n")
        assert reader.read_response() == (b"HTTP/1.0 200 OK\r\n"
                                          b"Content-Type: text/plain\r\n"
                                          b"Connection: keep-alive\r\n"
                                          b"Content-Length: 6\r\n"
                                          b"\r\n"
                                          b"hello\n")


def test_pipelined_requests_answered_in_order_then_close(ipc_stack):
    client = connect(ipc_stack.port)
    client.sendall(b"GET /1 HTTP/1.1\r\nHost: example.com\r\n\r\n"
                   b"GET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n"
                   b"GET /3 HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
    ids = []
    for n in (b"1", b"2", b"3"):
        # Requests are handled one at a time: the next reaches the handler only after
        # the previous response is complete.
        req = ipc_stack.handler.recv_request()
        assert req["uri"] == b"http://example.com/" + n
        ids.append(req["id"])
        ipc_stack.handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"body " + n + b"\n")
    assert len(set(ids)) == 3
    assert HttpReader(client).read_until_close() == (b"HTTP/1.1 200 OK\r\n"
                                                     b"Content-Type: text/plain\r\n"
                                                     b"Content-Length: 7\r\n"
                                                     b"\r\n"
                                                     b"body 1\n"
                                                     b"HTTP/1.1 200 OK\r\n"
                                                     b"Content-Type: text/plain\r\n"
                                                     b"Content-Length: 7\r\n"
                                                     b"\r\n"
                                                     b"body 2\n"
                                                     b"HTTP/1.1 200 OK\r\n"
                                                     b"Content-Type: text/plain\r\n"
                                                     b"Connection: close\r\n"
                                                     b"Content-Length: 7\r\n"
                                                     b"\r\n"
                                                     b"body 3\n")
