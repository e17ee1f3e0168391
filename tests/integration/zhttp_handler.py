"""A ZHTTP handler for tests, driven step by step by the test itself (no threads).

Stream mode: PULL on `<base>-out` gets new requests, ROUTER on
`<base>-out-stream` (identity = our `from`) gets later packets of a session, and we publish on
`<base>-in` as `b"<server id> T" + tnetstring`. tcp bases use port, port+1, port+2.
Req mode: one ROUTER; frames are `[peer identity, b"", b"T..."]` both ways.
By default the server binds and we connect; with `--zclient-connect` we bind.
Every packet received is appended to `self.received` as (socket name, packet dict).
"""
import re

import zmq

import tnetstring

POLL_TIMEOUT_MS = 5000
ID_PATTERN = re.compile(rb"\d+-\d+-[0-9a-f]+")


def stream_endpoints(base):
    """(out, out-stream, in) endpoints for a `--zclient-stream` base spec."""
    if base.startswith("ipc://"):
        return base + "-out", base + "-out-stream", base + "-in"
    host, _, port = base.rpartition(":")
    port = int(port)
    return f"{host}:{port}", f"{host}:{port + 1}", f"{host}:{port + 2}"


def encode(packet):
    return b"T" + tnetstring.dumps(packet)


def decode(frame):
    assert frame[:1] == b"T", f"ZHTTP frame must start with T: {frame[:40]!r}"
    return tnetstring.loads(frame[1:])


def _attach(sock, endpoint, bind):
    if bind:
        sock.bind(endpoint)
    else:
        sock.connect(endpoint)


def _recv(sock, name, timeout_ms):
    if not sock.poll(timeout_ms, zmq.POLLIN):
        raise TimeoutError(f"no packet on {name} within {timeout_ms} ms")
    return sock.recv_multipart()


class StreamHandler:
    def __init__(self, base, bind=False, identity=b"testhandler", server_id=b"condure", pull=True,
                 watch_router=False):
        """pull=False: no PULL socket, so no new requests come here (a handoff target, or a
        handler that only answers sessions it is told about). watch_router=True: watch the
        ROUTER's handshake, for wait_router_connected()."""
        self.identity = identity
        self.server_id = server_id
        self.received = []
        self._out_seq = {}
        self.ctx = zmq.Context()
        out, out_stream, in_ = stream_endpoints(base)
        self.pull = self.ctx.socket(zmq.PULL) if pull else None
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.IDENTITY, identity)
        # XPUB rather than PUB: it tells us when the server's SUB has subscribed, so the
        # first response is not lost to the PUB/SUB slow-joiner race.
        self.pub = self.ctx.socket(zmq.XPUB)
        for sock in (self.pull, self.router, self.pub):
            if sock is not None:
                sock.setsockopt(zmq.LINGER, 0)
        if self.pull is not None:
            _attach(self.pull, out, bind)
        # Watched before it connects, or the event could pass unseen.
        self._router_monitor = (self.router.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED)
                                if watch_router else None)
        _attach(self.router, out_stream, bind)
        _attach(self.pub, in_, bind)

    def wait_subscribed(self, timeout_ms=POLL_TIMEOUT_MS):
        frame = _recv(self.pub, "XPUB (subscription)", timeout_ms)[0]
        assert frame == b"\x01" + self.server_id + b" ", frame

    def wait_router_connected(self, timeout_ms=POLL_TIMEOUT_MS):
        """Wait until our ROUTER's ZMTP handshake with the server is done. The server's
        ROUTER drops (EHOSTUNREACH) what it sends to an identity it does not know yet, so a
        handler that joins late (a handoff target) must be known before it speaks; the
        XPUB subscription says nothing about the ROUTER. Needs watch_router=True."""
        monitor = self._router_monitor
        try:
            if not monitor.poll(timeout_ms, zmq.POLLIN):
                raise TimeoutError(f"ROUTER handshake not done within {timeout_ms} ms")
            monitor.recv_multipart()
        finally:
            self.router.disable_monitor()
            monitor.close(linger=0)
            self._router_monitor = None

    def recv_request(self, timeout_ms=POLL_TIMEOUT_MS):
        """Next new-session packet from PULL."""
        frames = _recv(self.pull, "PULL", timeout_ms)
        assert len(frames) == 1, frames
        packet = decode(frames[0])
        self.received.append(("pull", packet))
        return packet

    def recv_stream(self, timeout_ms=POLL_TIMEOUT_MS):
        """Next later packet of some session, from ROUTER: frames [sender, b"", T...]."""
        frames = _recv(self.router, "ROUTER", timeout_ms)
        assert len(frames) == 3 and frames[1] == b"", frames
        packet = decode(frames[2])
        self.received.append(("router", packet))
        return packet

    def send(self, rid, **fields):
        """Publish one packet for session `rid`, numbering it with our own seq counter.
        Field names use `_` for `-` (peer_port -> peer-port); `type_` for `type`."""
        seq = self._out_seq.get(rid, 0)
        self._out_seq[rid] = seq + 1
        packet = {"from": self.identity, "id": rid, "seq": seq}
        for name, value in fields.items():
            packet[name.rstrip("_").replace("_", "-")] = value
        self.pub.send(self.server_id + b" " + encode(packet))
        return packet

    def respond(self, rid, code=200, reason=b"OK", headers=(), body=b"", **extra):
        return self.send(rid, code=code, reason=reason,
                         headers=[list(h) for h in headers], body=body, **extra)

    def next_seq(self, rid):
        """The seq our next packet for `rid` will carry."""
        return self._out_seq.get(rid, 0)

    def set_next_seq(self, rid, seq):
        """Continue a session another handler started (handoff)."""
        self._out_seq[rid] = seq

    def send_packet(self, packet):
        """Publish `packet` exactly as given: no `from`, id or seq added, counters untouched."""
        self.pub.send(self.server_id + b" " + encode(packet))

    def send_multi(self, rids, **fields):
        """One packet for several sessions: `id` is a list of {id, seq}, each id numbered by
        its own counter. Field names as in send()."""
        ids = []
        for rid in rids:
            ids.append({"id": rid, "seq": self.next_seq(rid)})
            self._out_seq[rid] = self.next_seq(rid) + 1
        packet = {"from": self.identity, "id": ids}
        for name, value in fields.items():
            packet[name.rstrip("_").replace("_", "-")] = value
        self.send_packet(packet)
        return packet

    def recv_stream_until_quiet(self, quiet_ms=300):
        """Every ROUTER packet that arrives until none has come for `quiet_ms`."""
        packets = []
        while True:
            try:
                packets.append(self.recv_stream(timeout_ms=quiet_ms))
            except TimeoutError:
                return packets

    def close(self):
        self.ctx.destroy(linger=0)


class ReqHandler:
    def __init__(self, spec, bind=False):
        self.received = []
        self.ctx = zmq.Context()
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.LINGER, 0)
        _attach(self.router, spec, bind)

    def recv_request(self, timeout_ms=POLL_TIMEOUT_MS):
        """(envelope, packet); the envelope must be sent back unchanged with the reply."""
        frames = _recv(self.router, "req ROUTER", timeout_ms)
        assert len(frames) == 3 and frames[1] == b"", frames
        packet = decode(frames[2])
        self.received.append(("req", packet))
        return frames[0], packet

    def respond(self, envelope, rid, code=200, reason=b"OK", headers=(), body=b""):
        packet = {"id": rid, "code": code, "reason": reason,
                  "headers": [list(h) for h in headers], "body": body}
        self.router.send_multipart([envelope, b"", encode(packet)])

    def close(self):
        self.ctx.destroy(linger=0)


def assert_stream_request(packet, method, uri, headers, more=False, server_id=b"condure"):
    """The first packet of a stream-mode HTTP session, exactly:
    only the id (`<worker>-<slot>-<hex counter>`) and the client's port vary."""
    assert ID_PATTERN.fullmatch(packet["id"]), packet["id"]
    assert type(packet["peer-port"]) is int and 0 < packet["peer-port"] < 65536
    expected = {
        "from": server_id, "id": packet["id"], "seq": 0, "ext": {"multi": True},
        "method": method, "uri": uri, "headers": [list(h) for h in headers],
        "credits": 8192, "stream": True,
        "peer-address": b"127.0.0.1", "peer-port": packet["peer-port"],
    }
    if not headers:  # Condure leaves the key out rather than sending an empty list
        del expected["headers"]
    if more:  # a body follows in later packets; the first one never carries body bytes
        expected["more"] = True
    assert packet == expected


def ws_accept(handler, rid, headers=(), credits=8192):
    """Accept a WebSocket session: a data packet with code 101 and credits;
    the server writes the 101 head and the accept hash itself."""
    return handler.send(rid, code=101, reason=b"Switching Protocols",
                        headers=[list(h) for h in headers], credits=credits)


def ws_echo(handler, rid, count=1, timeout_ms=POLL_TIMEOUT_MS):
    """Answer the next `count` session packets: data back with the same content-type, body and
    more; ping with pong; credits from the server are ignored (not counted). Returns them."""
    packets = []
    while len(packets) < count:
        packet = handler.recv_stream(timeout_ms)
        kind = packet.get("type")
        if kind == b"credit" or kind == b"keep-alive":
            continue
        packets.append(packet)
        if kind is None:
            fields = {"content_type": packet["content-type"], "body": packet.get("body", b"")}
            if packet.get("more"):
                fields["more"] = True
            handler.send(rid, **fields)
        elif kind == b"ping":
            handler.send(rid, type_="pong", body=packet.get("body", b""))
    return packets


class ServingHandler:
    """A StreamHandler answering every new request in a thread with 200 and
    `body_of(request)`. `seen` keeps the requests; `count` how many were answered."""

    def __init__(self, base, body_of, **stream_args):
        import threading

        self.stream = StreamHandler(base, **stream_args)
        self.body_of = body_of
        self.seen = []
        self.count = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                request = self.stream.recv_request(timeout_ms=100)
            except Exception:  # noqa: BLE001 (nothing arrived while idle)
                continue
            self.seen.append(request)
            self.count += 1
            self.stream.respond(request["id"], body=self.body_of(request))

    def close(self):
        self._stop = True
        self._thread.join(2)
        self.stream.close()
