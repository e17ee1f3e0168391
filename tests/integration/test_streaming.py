"""Responses streamed with `more`, credits returned as bytes reach the client, and cancel
in both directions."""
import pytest

from harness import HttpReader, connect, dechunk, without_transfer_encoding_connection
from zhttp_handler import assert_stream_request

TEXT_PLAIN = (b"Content-Type", b"text/plain")
CHUNKED_HEAD = (b"HTTP/1.1 200 OK\r\n"
                b"Content-Type: text/plain\r\n"
                b"Transfer-Encoding: chunked\r\n"
                b"\r\n")


def expect_credit(handler, rid, seq, credits):
    assert handler.recv_stream() == {"from": b"condure", "id": rid, "seq": seq,
                                     "ext": {"multi": True}, "type": b"credit",
                                     "credits": credits}


def test_streamed_response_returns_credits(stack):
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n")
    req = handler.recv_request()
    assert_stream_request(req, b"GET", b"http://example.com/stream", [(b"Host", b"example.com")])
    rid = req["id"]

    # Each piece is sent after the previous one's credit came back, so each becomes exactly
    # one chunk and one credit packet whatever the timing.
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    head = reader.read_response(head_only=True)
    # Condure also writes `Connection: Transfer-Encoding`; zedge does not.
    assert without_transfer_encoding_connection(head) == CHUNKED_HEAD
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    expect_credit(handler, rid, seq=1, credits=6)

    handler.send(rid, body=b"chunk0\n", more=True)
    assert reader.read_exactly(12) == b"7\r\nchunk0\n\r\n"
    expect_credit(handler, rid, seq=2, credits=7)

    handler.send(rid, body=b"last\n")
    assert reader.read_exactly(15) == b"5\r\nlast\n\r\n0\r\n\r\n"
    # No credit comes back for the final piece of a finished response.
    with pytest.raises(TimeoutError):
        handler.recv_stream(timeout_ms=300)

    # The connection is still usable.
    client.sendall(b"GET /again HTTP/1.1\r\nHost: example.com\r\n\r\n")
    again = handler.recv_request()
    assert again["id"] != rid
    handler.respond(again["id"], headers=[TEXT_PLAIN], body=b"hello\n")
    assert reader.read_response() == (b"HTTP/1.1 200 OK\r\n"
                                      b"Content-Type: text/plain\r\n"
                                      b"Content-Length: 6\r\n"
                                      b"\r\n"
                                      b"hello\n")


def test_streamed_burst_credits_sum_to_bytes_written(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /burst HTTP/1.1\r\nHost: example.com\r\n\r\n")
    rid = handler.recv_request()["id"]
    pieces = [b"piece %d\n" % n for n in range(10)]
    handler.respond(rid, headers=[TEXT_PLAIN], body=pieces[0], more=True)
    for piece in pieces[1:]:
        handler.send(rid, body=piece, more=True)
    # While the response is open, every byte written to the client comes back as credit,
    # however the writes were grouped.
    credits = []
    while sum(credits) < len(b"".join(pieces)):
        packet = handler.recv_stream()
        assert packet["type"] == b"credit" and packet["seq"] == len(credits) + 1
        credits.append(packet["credits"])
    assert sum(credits) == len(b"".join(pieces))
    handler.send(rid, body=b"")  # end of body, no bytes
    response = reader.read_response()
    assert dechunk(response.partition(b"\r\n\r\n")[2]) == b"".join(pieces)


def test_client_disconnect_sends_cancel(stack):
    handler = stack.handler
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    reader.read_response(head_only=True)
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    expect_credit(handler, rid, seq=1, credits=6)
    client.close()
    assert handler.recv_stream() == {"from": b"condure", "id": rid, "seq": 2,
                                     "ext": {"multi": True}, "type": b"cancel"}


def test_handler_cancel_before_response_closes_client(stack):
    client = connect(stack.port)
    client.sendall(b"GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n")
    req = stack.handler.recv_request()
    stack.handler.send(req["id"], type_="cancel")
    # Closed without a single byte: there is no response to give.
    assert HttpReader(client).read_until_close() == b""


def test_handler_cancel_mid_stream_closes_client(ipc_stack):
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /stream HTTP/1.1\r\nHost: example.com\r\n\r\n")
    rid = ipc_stack.handler.recv_request()["id"]
    ipc_stack.handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    reader.read_response(head_only=True)
    assert reader.read_exactly(11) == b"6\r\nfirst\n\r\n"
    ipc_stack.handler.send(rid, type_="cancel")
    # No terminating chunk: the client must see the body as cut short.
    assert reader.read_until_close() == b""
    # And the server does not send a cancel back for a session the handler cancelled.
    packets = []
    try:
        while True:
            packets.append(ipc_stack.handler.recv_stream(timeout_ms=300))
    except TimeoutError:
        pass
    assert [p.get("type") for p in packets] in ([], [b"credit"])
