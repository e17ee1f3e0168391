"""1 000 pipelined requests in one write on one connection: each reaches the handler in
order with a new id, and the answers come back in the same order."""
from harness import HttpReader, connect

COUNT = 1000


def test_thousand_pipelined_requests_answered_in_order(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    requests = [b"GET /n/%04d HTTP/1.1\r\nHost: pipe.example\r\n" % n +
                (b"Connection: close\r\n" if n == COUNT - 1 else b"") + b"\r\n" for n in range(COUNT)]
    client.sendall(b"".join(requests))
    ids = set()
    for n in range(COUNT):
        req = handler.recv_request()
        assert req["uri"] == b"http://pipe.example/n/%04d" % n
        assert req["id"] not in ids
        ids.add(req["id"])
        handler.respond(req["id"], body=b"%04d\n" % n)
        expected_head = (b"HTTP/1.1 200 OK\r\nConnection: close\r\n" if n == COUNT - 1
                         else b"HTTP/1.1 200 OK\r\n")
        assert reader.read_response() == expected_head + b"Content-Length: 5\r\n\r\n%04d\n" % n
    # The last one asked to close.
    assert reader.at_eof()
