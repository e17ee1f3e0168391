"""The soak's second handler (a Python process beside zedge-hello-handler): it answers
whatever zedge's PUSH gives it, since PUSH load-balances every kind of request over every
handler. `GET /stream/<n>` gets a streamed response of n 1 KiB pieces, sent as zedge's
credits allow; a WebSocket request is accepted and its messages echoed
(returning credits as they are consumed); anything else gets one `hello soak` packet.

    /usr/bin/python3 tests/soak/soak_handler.py --stream-base ipc:///tmp/x/client

SIGTERM (or SIGINT) stops it; it prints its counters on stderr when it ends."""
import argparse
import os
import signal
import sys
import time

import zmq

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from zhttp_handler import decode, encode, stream_endpoints  # noqa: E402

IDENTITY = b"soak-handler"
SERVER_ID = b"condure"
PIECE = b"s" * 1023 + b"\n"
PIECE_INTERVAL_S = 0.01
# What the handler lets zedge send it on a WebSocket before it returns credits.
WS_CREDITS = 65536
# A session the handler has heard nothing of for this long is forgotten (zedge's own
# session timer has closed it by then: its default is 60 s).
FORGET_AFTER_S = 90


class Session:
    __slots__ = ("rid", "seq", "credits", "pieces_left", "next_at", "websocket", "seen")

    def __init__(self, rid, credits, websocket=False):
        self.rid = rid
        self.seq = 0
        self.credits = credits
        self.pieces_left = 0
        self.next_at = 0.0
        self.websocket = websocket
        self.seen = time.monotonic()


class SoakHandler:
    def __init__(self, base):
        out, out_stream, in_ = stream_endpoints(base)
        self.ctx = zmq.Context()
        self.pull = self.ctx.socket(zmq.PULL)
        self.router = self.ctx.socket(zmq.ROUTER)
        self.router.setsockopt(zmq.IDENTITY, IDENTITY)
        self.pub = self.ctx.socket(zmq.PUB)
        for sock, endpoint in ((self.pull, out), (self.router, out_stream), (self.pub, in_)):
            sock.setsockopt(zmq.LINGER, 0)
            sock.connect(endpoint)
        self.sessions = {}
        self.counts = {"plain": 0, "streams": 0, "stream_pieces": 0, "websockets": 0,
                       "ws_echoed": 0, "cancelled": 0, "forgotten": 0}
        self.stopping = False

    def send(self, session, **fields):
        packet = {"from": IDENTITY, "id": session.rid, "seq": session.seq}
        packet.update({name.rstrip("_").replace("_", "-"): value for name, value in fields.items()})
        session.seq += 1
        self.pub.send(SERVER_ID + b" " + encode(packet))

    def on_request(self, request):
        rid = request["id"]
        uri = request.get("uri", b"")
        path = uri.split(b"/", 3)[3] if uri.count(b"/") >= 3 else b""
        if uri.startswith((b"ws://", b"wss://")):
            session = Session(rid, request.get("credits", 0), websocket=True)
            self.sessions[rid] = session
            self.send(session, code=101, reason=b"Switching Protocols", credits=WS_CREDITS)
            self.counts["websockets"] += 1
        elif path.startswith(b"stream/"):
            session = Session(rid, request.get("credits", 0))
            session.pieces_left = int(path.split(b"/")[1] or b"1")
            self.sessions[rid] = session
            self.send(session, code=200, reason=b"OK",
                      headers=[[b"Content-Type", b"text/plain"]], more=True)
            self.counts["streams"] += 1
        else:
            session = Session(rid, 0)
            self.send(session, code=200, reason=b"OK", headers=[[b"Content-Type", b"text/plain"]],
                      body=b"hello soak\n")
            self.counts["plain"] += 1

    def on_stream_packet(self, packet):
        rids = packet["id"] if isinstance(packet["id"], list) else [{"id": packet["id"]}]
        kind = packet.get("type")
        for entry in rids:
            session = self.sessions.get(entry["id"])
            if session is None:
                continue
            session.seen = time.monotonic()
            if kind == b"credit":
                session.credits += packet.get("credits", 0)
            elif kind in (b"cancel", b"error"):
                self.counts["cancelled"] += 1
                del self.sessions[session.rid]
            elif kind == b"close" and session.websocket:
                self.send(session, type_="close", code=packet.get("code", 1000))
                del self.sessions[session.rid]
            elif kind == b"ping" and session.websocket:
                self.send(session, type_="pong", body=packet.get("body", b""))
            elif kind is None and session.websocket:
                body = packet.get("body", b"")
                # Echo only within zedge's credits; ws-load keeps one small message in
                # flight, so a shortfall means zedge stopped returning them.
                if len(body) <= session.credits:
                    session.credits -= len(body)
                    fields = {"content_type": packet.get("content-type", b"text"), "body": body}
                    if packet.get("more"):
                        fields["more"] = True
                    self.send(session, **fields)
                    self.counts["ws_echoed"] += 1
                if body:
                    self.send(session, type_="credit", credits=len(body))

    def send_due_pieces(self, now):
        finished = []
        for session in self.sessions.values():
            if session.websocket or session.pieces_left == 0 or session.next_at > now:
                continue
            if session.credits < len(PIECE):
                continue  # wait for zedge to return credits
            session.credits -= len(PIECE)
            session.pieces_left -= 1
            session.next_at = now + PIECE_INTERVAL_S
            if session.pieces_left:
                self.send(session, body=PIECE, more=True)
            else:
                self.send(session, body=PIECE)
                finished.append(session.rid)
            self.counts["stream_pieces"] += 1
        for rid in finished:
            del self.sessions[rid]

    def forget_stale(self, now):
        stale = [rid for rid, s in self.sessions.items() if now - s.seen > FORGET_AFTER_S]
        for rid in stale:
            del self.sessions[rid]
        self.counts["forgotten"] += len(stale)

    def run(self):
        poller = zmq.Poller()
        poller.register(self.pull, zmq.POLLIN)
        poller.register(self.router, zmq.POLLIN)
        last_sweep = time.monotonic()
        while not self.stopping:
            events = dict(poller.poll(int(PIECE_INTERVAL_S * 1000)))
            if self.pull in events:
                for _ in range(100):
                    try:
                        self.on_request(decode(self.pull.recv(zmq.NOBLOCK)))
                    except zmq.Again:
                        break
            if self.router in events:
                for _ in range(1000):
                    try:
                        frames = self.router.recv_multipart(zmq.NOBLOCK)
                    except zmq.Again:
                        break
                    self.on_stream_packet(decode(frames[-1]))
            now = time.monotonic()
            self.send_due_pieces(now)
            if now - last_sweep > 10:
                self.forget_stale(now)
                last_sweep = now
        self.ctx.destroy(linger=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stream-base", required=True)
    args = parser.parse_args()
    handler = SoakHandler(args.stream_base)

    def stop(*_):
        handler.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    handler.run()
    print("soak_handler: " + ", ".join(f"{k} {v}" for k, v in handler.counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
