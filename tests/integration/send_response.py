"""Publish one complete ZHTTP response from a process of its own (like Condure's sendresp.py
example): proves any process can answer any request by its id, without ROUTER or state.

usage: send_response.py <in endpoint> <server id> <request id> <body>
"""
import sys

import zmq

import tnetstring

SUBSCRIBE_TIMEOUT_MS = 5000


def main(endpoint, server_id, rid, body):
    ctx = zmq.Context()
    pub = ctx.socket(zmq.XPUB)
    pub.setsockopt(zmq.LINGER, 2000)
    pub.connect(endpoint)
    # Wait for the server's subscription, or the packet is dropped.
    if not pub.poll(SUBSCRIBE_TIMEOUT_MS, zmq.POLLIN):
        sys.exit("no subscription from the server")
    assert pub.recv() == b"\x01" + server_id + b" "
    packet = {"from": b"send-response", "id": rid, "seq": 0, "code": 200, "reason": b"OK",
              "headers": [[b"Content-Type", b"text/plain"]], "body": body}
    pub.send(server_id + b" T" + tnetstring.dumps(packet))
    pub.close()
    ctx.term()


if __name__ == "__main__":
    main(sys.argv[1], *(arg.encode() for arg in sys.argv[2:]))
