"""Handler B of a handoff, as a process of its own: it takes over a session
another handler started, so the server must learn B's address from B's first packet.

usage: handoff_peer.py <stream base> <server id> <identity> <request id> <first seq> <piece>...

Connects a ROUTER (identity = `from`) and an XPUB to the server's sockets (no PULL: new
requests are not for B), waits for the server's subscription and the ROUTER handshake,
prints `ready` and waits for a line on stdin. Then it sends one data packet per piece,
numbered from <first seq>, `more` on all but the last, and before each next piece waits for
the packet the server sends back for the previous one (its credit). After the last piece
it listens 500 ms more. Every packet its ROUTER received is printed as
`packet <hex of the T frame>`; `done` ends.
"""
import sys

from zhttp_handler import StreamHandler, encode

QUIET_MS = 500


def main(base, server_id, identity, rid, first_seq, pieces):
    handler = StreamHandler(base, identity=identity, server_id=server_id, pull=False,
                            watch_router=True)
    try:
        handler.wait_subscribed()
        handler.wait_router_connected()
        print("ready", flush=True)
        sys.stdin.readline()
        handler.set_next_seq(rid, first_seq)
        for n, piece in enumerate(pieces):
            last = n == len(pieces) - 1
            if last:
                handler.send(rid, body=piece)
            else:
                handler.send(rid, body=piece, more=True)
                handler.recv_stream()
        handler.recv_stream_until_quiet(QUIET_MS)
        for _, packet in handler.received:
            print("packet", encode(packet).hex(), flush=True)
        print("done", flush=True)
    finally:
        handler.close()


if __name__ == "__main__":
    args = [arg.encode() for arg in sys.argv[1:]]
    main(sys.argv[1], args[1], args[2], args[3], int(sys.argv[5]), args[5:])
