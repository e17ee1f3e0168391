"""Streamed responses beyond test_streaming.py: a handler Content-Length across packets,
HTTP/1.0 streams with credits, credit overruns, sequence checks, `error` from the handler,
multi-id packets, and bodiless responses that still stream (api/zhttp.md, "Packets")."""
from harness import (HttpReader, connect, dechunk, is_condure, wait_closed,
                     without_transfer_encoding_connection)

TEXT_PLAIN = (b"Content-Type", b"text/plain")
HOST = b"Host: example.com\r\n"


def credit(rid, seq, credits):
    return {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True},
            "type": b"credit", "credits": credits}


def cancel(rid, seq):
    return {"from": b"condure", "id": rid, "seq": seq, "ext": {"multi": True}, "type": b"cancel"}


def open_stream(stack, path=b"/stream", version=b"1.1", extra=b""):
    """A GET answered with a streamed head and `first\\n`; returns (client, reader, rid)
    after the client got the first piece and the handler its credit."""
    client = connect(stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET " + path + b" HTTP/" + version + b"\r\n" + HOST + extra + b"\r\n")
    rid = stack.handler.recv_request()["id"]
    stack.handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    reader.read_response(head_only=True)
    first = reader.read_exactly(11 if version == b"1.1" else 6)
    assert first in (b"6\r\nfirst\n\r\n", b"first\n")
    assert stack.handler.recv_stream() == credit(rid, 1, 6)
    return client, reader, rid


def test_handler_content_length_across_packets(ipc_stack):
    # With its own Content-Length the handler's pieces go out as they are, no chunking,
    # and credits come back for every piece but the last.
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /sized HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN, (b"Content-Length", b"18")], body=b"hello ", more=True)
    assert reader.read_response(head_only=True) == (b"HTTP/1.1 200 OK\r\n"
                                                    b"Content-Type: text/plain\r\n"
                                                    b"Content-Length: 18\r\n"
                                                    b"\r\n")
    assert reader.read_exactly(6) == b"hello "
    assert handler.recv_stream() == credit(rid, 1, 6)
    handler.send(rid, body=b"there ", more=True)
    assert reader.read_exactly(6) == b"there "
    assert handler.recv_stream() == credit(rid, 2, 6)
    handler.send(rid, body=b"world\n")
    assert reader.read_exactly(6) == b"world\n"
    assert handler.recv_stream_until_quiet() == []
    # Persistent: the next request on the same connection works.
    client.sendall(b"GET /next HTTP/1.1\r\n" + HOST + b"\r\n")
    nxt = handler.recv_request()
    handler.respond(nxt["id"], headers=[TEXT_PLAIN], body=b"next\n")
    assert reader.read_response().endswith(b"\r\n\r\nnext\n")


def test_http10_stream_returns_credits_and_ends_with_close(ipc_stack):
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack, version=b"1.0")
    handler.send(rid, body=b"second\n", more=True)
    assert reader.read_exactly(7) == b"second\n"
    assert handler.recv_stream() == credit(rid, 2, 7)
    handler.send(rid, body=b"last\n")
    # Close-delimited: the end of the body is the end of the connection.
    assert reader.read_until_close() == b"last\n"
    assert handler.recv_stream_until_quiet() == []


def test_exactly_the_offered_credits_in_one_packet(ipc_stack):
    # The first request packet offers 8192 credits; a first response piece of exactly that
    # size is within them.
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /full HTTP/1.1\r\n" + HOST + b"\r\n")
    req = handler.recv_request()
    assert req["credits"] == 8192
    handler.respond(req["id"], headers=[TEXT_PLAIN], body=b"z" * 8192, more=True)
    credits = 0
    while credits < 8192:
        packet = handler.recv_stream()
        assert packet["type"] == b"credit", packet
        credits += packet["credits"]
    assert credits == 8192
    handler.send(req["id"], body=b"")
    assert dechunk(reader.read_response().partition(b"\r\n\r\n")[2]) == b"z" * 8192


def test_overrun_in_a_later_packet_closes_the_client(ipc_stack):
    # 9000 bytes when at most 8192 were ever outstanding (Condure's buffer
    # overflows; zedge counts credits).
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack)
    handler.send(rid, body=b"x" * 9000, more=True)
    _, rest = wait_closed(reader, 5)
    assert not rest.endswith(b"0\r\n\r\n") and len(rest) < 9000
    # The handler is told, as Condure does for a connection it ends itself.
    assert handler.recv_stream() == cancel(rid, 2)


def test_overrun_in_the_first_packet_closes_the_client(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /big HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"x" * 9000, more=True)
    _, data = wait_closed(reader, 5)
    if is_condure():
        assert data == b""  # Condure fails before writing the head
    else:
        # Whatever zedge managed to write, the client cannot take it for a whole body.
        assert b"x" * 9000 not in data
    assert handler.recv_stream() == cancel(rid, 1)


def test_wrong_seq_from_handler_closes_the_client(ipc_stack):
    # A seq other than the expected one closes the client, no cancel.
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack)
    handler.send_packet({"from": handler.identity, "id": rid, "seq": 5, "body": b"late\n", "more": True})
    _, rest = wait_closed(reader, 5)
    assert rest == b""
    assert handler.recv_stream_until_quiet() == []


def test_repeated_seq_from_handler_closes_the_client(ipc_stack):
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack)
    handler.send_packet({"from": handler.identity, "id": rid, "seq": 0, "body": b"again\n", "more": True})
    _, rest = wait_closed(reader, 5)
    assert rest == b""


def test_packets_without_seq_are_accepted(ipc_stack):
    # No seq means "not checked", and the expected counter stays put.
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack)
    handler.send_packet({"from": handler.identity, "id": rid, "body": b"free\n", "more": True})
    assert reader.read_exactly(10) == b"5\r\nfree\n\r\n"
    assert handler.recv_stream() == credit(rid, 2, 5)
    handler.send(rid, body=b"last\n")  # seq 1, still the expected one
    assert reader.read_exactly(15) == b"5\r\nlast\n\r\n0\r\n\r\n"


def test_handler_error_before_response_closes_without_bytes(ipc_stack):
    client = connect(ipc_stack.port)
    client.sendall(b"GET /x HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = ipc_stack.handler.recv_request()["id"]
    ipc_stack.handler.send(rid, type_="error", condition=b"bad-request")
    assert HttpReader(client).read_until_close() == b""
    assert ipc_stack.handler.recv_stream_until_quiet() == []


def test_handler_error_mid_stream_closes_without_more_bytes(ipc_stack):
    handler = ipc_stack.handler
    client, reader, rid = open_stream(ipc_stack)
    handler.send(rid, type_="error", condition=b"undefined-condition")
    # No terminating chunk: the client sees the body cut short.
    assert reader.read_until_close() == b""
    assert handler.recv_stream_until_quiet() == []


def test_multi_id_data_packet_reaches_both_clients(make_stack):
    # As Condure's example holdhandler.py does: one packet whose id is a list of {id, seq}.
    stack = make_stack(extra_args=["--workers", "1"])
    handler = stack.handler
    one = open_stream(stack, b"/one")
    two = open_stream(stack, b"/two")
    handler.send_multi([one[2], two[2]], body=b"both\n", more=True)
    for _, reader, rid in (one, two):
        assert reader.read_exactly(10) == b"5\r\nboth\n\r\n"
    credits = sorted((p["id"], p["seq"], p["credits"]) for p in
                     (handler.recv_stream(), handler.recv_stream()))
    assert credits == sorted([(one[2], 2, 5), (two[2], 2, 5)])
    # Each session's counter moved on by one: the next single packets are in sequence.
    for _, reader, rid in (one, two):
        handler.send(rid, body=b"end\n")
        assert reader.read_exactly(14) == b"4\r\nend\n\r\n0\r\n\r\n"


def test_multi_id_cancel_closes_both_clients(make_stack):
    stack = make_stack(extra_args=["--workers", "1"])
    one = open_stream(stack, b"/one")
    two = open_stream(stack, b"/two")
    stack.handler.send_multi([one[2], two[2]], type_="cancel")
    for _, reader, _ in (one, two):
        assert reader.read_until_close() == b""


def test_head_streamed_response_has_no_body_and_keeps_the_connection(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"HEAD /stream HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"first\n", more=True)
    head = without_transfer_encoding_connection(reader.read_response(head_only=True))
    # RFC 9110 §9.3.2 lets a HEAD response leave out framing fields that only the content
    # would determine, so `Transfer-Encoding: chunked` may or may not be announced.
    assert head.replace(b"Transfer-Encoding: chunked\r\n", b"") == (b"HTTP/1.1 200 OK\r\n"
                                                                      b"Content-Type: text/plain\r\n"
                                                                      b"\r\n")
    # The handler still streams within credits, so the credits must come back.
    assert handler.recv_stream() == credit(rid, 1, 6)
    handler.send(rid, body=b"last\n")
    if is_condure():
        # Condure 1.9.1 writes a HEAD response's body.
        assert reader.read_exactly(26) == b"6\r\nfirst\n\r\n5\r\nlast\n\r\n0\r\n\r\n"
    else:
        # RFC 9110 §9.3.2: no content after a HEAD response; the connection carries on.
        assert not reader.at_eof(timeout=0.3) and reader.buf == b""
    client.sendall(b"GET /next HTTP/1.1\r\n" + HOST + b"\r\n")
    nxt = handler.recv_request()
    handler.respond(nxt["id"], headers=[TEXT_PLAIN], body=b"next\n")
    assert reader.read_response().endswith(b"\r\n\r\nnext\n")


def test_204_streamed_response_has_no_body(ipc_stack):
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /nothing HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    handler.respond(rid, code=204, reason=b"No Content", headers=[TEXT_PLAIN], body=b"", more=True)
    assert reader.read_response(head_only=True) == (b"HTTP/1.1 204 No Content\r\n"
                                                    b"Content-Type: text/plain\r\n"
                                                    b"\r\n")
    handler.send(rid, body=b"")
    assert not reader.at_eof(timeout=0.3) and reader.buf == b""
    client.sendall(b"GET /next HTTP/1.1\r\n" + HOST + b"\r\n")
    nxt = handler.recv_request()
    handler.respond(nxt["id"], headers=[TEXT_PLAIN], body=b"next\n")
    assert reader.read_response().endswith(b"\r\n\r\nnext\n")


def test_burst_of_pieces_is_delivered_whole(ipc_stack):
    # Pieces sent without waiting for credits, within the 8192 offered: all of it arrives,
    # and the credits returned add up to what was written while the response was open.
    handler = ipc_stack.handler
    client = connect(ipc_stack.port)
    reader = HttpReader(client)
    client.sendall(b"GET /burst HTTP/1.1\r\n" + HOST + b"\r\n")
    rid = handler.recv_request()["id"]
    pieces = [bytes([65 + n]) * 1000 for n in range(8)]
    handler.respond(rid, headers=[TEXT_PLAIN], body=pieces[0], more=True)
    for piece in pieces[1:]:
        handler.send(rid, body=piece, more=True)
    returned = 0
    while returned < 8000:
        packet = handler.recv_stream()
        assert packet["type"] == b"credit"
        returned += packet["credits"]
    assert returned == 8000
    handler.send(rid, body=b"")
    assert dechunk(reader.read_response().partition(b"\r\n\r\n")[2]) == b"".join(pieces)
