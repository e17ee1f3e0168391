"""Backpressure toward the handler: a client that does not
read stops the credits once the socket buffers are full, so a handler that respects credits
cannot make the server buffer without bound; when the client reads again, the credits
resume and every byte arrives."""
import time

from harness import (HttpReader, assert_rss_growth_below, connect_small_window, dechunk,
                     is_condure, rss_bytes)

TEXT_PLAIN = (b"Content-Type", b"text/plain")
PIECE = 8192
# Loopback socket buffers (the server's send buffer grows up to tcp_wmem's max, 4 MiB here)
# hold a few MiB; anything beyond that would be the server buffering on its own.
MAX_IN_FLIGHT = 16 * 1024 * 1024
MAX_RSS_GROWTH = 16 * 1024 * 1024
STALL_S = 1.0


def test_slow_client_stops_the_credits(ipc_stack):
    handler = ipc_stack.handler
    pid = ipc_stack.server.proc.pid
    client = connect_small_window(ipc_stack.port)
    client.sendall(b"GET /flood HTTP/1.1\r\nHost: example.com\r\n\r\n")
    rid = handler.recv_request()["id"]
    rss_before = rss_bytes(pid)

    # Stream as fast as the credits allow; the first 8192 were offered with the request.
    sent = PIECE
    credited = 0
    handler.respond(rid, headers=[TEXT_PLAIN], body=b"p" * PIECE, more=True)
    peak_rss = rss_before
    while True:
        try:
            packet = handler.recv_stream(timeout_ms=int(STALL_S * 1000))
        except TimeoutError:
            break  # no credit for a second: the server stopped taking more
        assert packet["type"] == b"credit", packet
        credited += packet["credits"]
        handler.send(rid, body=b"p" * packet["credits"], more=True)
        sent += packet["credits"]
        assert sent < MAX_IN_FLIGHT, "credits kept coming while the client read nothing"
        peak_rss = max(peak_rss, rss_bytes(pid))

    # The handler keeps the session alive and waits; nothing more is granted, nothing grows.
    for _ in range(3):
        handler.send(rid, type_="keep-alive")
        time.sleep(0.2)
        peak_rss = max(peak_rss, rss_bytes(pid))
    assert handler.recv_stream_until_quiet() == []
    assert_rss_growth_below(peak_rss - rss_before, MAX_RSS_GROWTH)
    assert credited < sent

    # The client reads everything: the credits resume until every byte is accounted for.
    reader = HttpReader(client)
    assert reader.read_response(head_only=True).startswith(b"HTTP/1.1 200 OK\r\n")
    credited_while_stalled = credited
    client.settimeout(0.5)
    try:
        while chunk := client.recv(1 << 20):
            reader.buf += chunk
    except TimeoutError:
        pass
    for packet in handler.recv_stream_until_quiet():
        assert packet["type"] == b"credit", packet
        credited += packet["credits"]
    if is_condure():
        # Condure 1.9.1 was seen never to return the credit for the buffer it flushed once
        # the client read again (a handler waiting for it would wait forever); everything
        # written before the stall did come back.
        assert sent - PIECE <= credited <= sent, (credited, sent)
    else:
        # Every byte that reached the client comes back as credit.
        assert credited > credited_while_stalled, "credits never resumed"
        assert credited == sent, (credited, sent)
    handler.send(rid, body=b"")
    client.settimeout(5)
    while not reader.buf.endswith(b"\r\n0\r\n\r\n"):
        chunk = client.recv(1 << 20)
        assert chunk, "closed before the end of the body"
        reader.buf += chunk
    assert dechunk(reader.buf) == b"p" * sent
