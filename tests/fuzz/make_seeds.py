#!/usr/bin/env python3
"""Writes the seed corpora in corpus/<target>/ (checked in; run again after changing a
target's input layout). Seeds are the wire bytes the unit and integration tests use: real
requests, ZHTTP packets as Condure and handlers send them, masked WebSocket frames,
permessage-deflate payloads made by zlib, --listen values from the README, and session
scripts that walk a request, a streamed response and a WebSocket through the state machine.
Each target's control bytes (see its .cpp) come first.

    /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import os
import shutil
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import tnetstring  # noqa: E402  (tests/integration/tnetstring.py)

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def u16(n):
    return struct.pack("<H", n)


# ---------------------------------------------------------------- ZHTTP packets
REQUEST = {
    b"from": b"condure", b"id": b"0-0-0", b"seq": 0, b"ext": {b"multi": True},
    b"method": b"GET", b"uri": b"http://a/stream", b"headers": [[b"Host", b"a"]],
    b"credits": 8192, b"stream": True, b"peer-address": b"127.0.0.1", b"peer-port": 40000,
}
RESPONSE = {
    b"from": b"handler", b"id": b"0-0-0", b"seq": 0, b"code": 200, b"reason": b"OK",
    b"headers": [[b"Content-Type", b"text/plain"]], b"body": b"first\n", b"more": True,
}
CREDIT = {b"from": b"condure", b"id": b"0-0-0", b"seq": 1, b"ext": {b"multi": True},
          b"type": b"credit", b"credits": 6}
MULTI_KEEPALIVE = {b"from": b"condure", b"id": [{b"id": b"0-0-0", b"seq": 3}, {b"id": b"0-1-2", b"seq": 9}],
                   b"type": b"keep-alive", b"ext": {b"multi": True}}
WS_ACCEPT = {b"from": b"handler", b"id": b"0-0-0", b"seq": 0, b"code": 101, b"reason": b"Switching Protocols",
             b"headers": [[b"Sec-WebSocket-Protocol", b"chat"]], b"credits": 1024}
WS_CLOSE = {b"from": b"handler", b"id": b"0-0-0", b"seq": 3, b"type": b"close", b"code": 1000, b"body": b"bye"}
ERROR = {b"from": b"handler", b"id": b"0-0-0", b"seq": 1, b"type": b"error", b"condition": b"rejected",
         b"code": 403, b"reason": b"Forbidden", b"body": b"no"}
PACKETS = {"request": REQUEST, "response": RESPONSE, "credit": CREDIT, "multi-keepalive": MULTI_KEEPALIVE,
           "ws-accept": WS_ACCEPT, "ws-close": WS_CLOSE, "error": ERROR}


def tnet_packet(p):
    return b"T" + tnetstring.dumps(p)


write("tnetstring_fuzzer", {
    **{name: tnetstring.dumps(p) for name, p in PACKETS.items()},
    "scalars": tnetstring.dumps([1, -7, 2.5, True, False, None, b"", b"x"]),
    "nested": tnetstring.dumps({b"a": [[{b"b": []}]]}),
})

write("zhttp_fuzzer", {
    **{name: tnet_packet(p) for name, p in PACKETS.items()},
    "json-response": b'J{"from":"handler","id":"0-0-0","seq":0,"code":200,"reason":"OK",'
                     b'"headers":[["Content-Type","text/plain"]],"body":"hello\\n"}',
    "json-multi": b'J{"id":[{"id":"a","seq":1},{"id":"b","seq":7}],"ext":{"multi":true},"type":"keep-alive"}',
    "json-escapes": b'J{"id":"a","body":"\\u00e9\\u0000x","reason":"caf\\u00e9"}',
})

# ---------------------------------------------------------------- HTTP/1 requests
REQUESTS = {
    "get": b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    "post-length-pipelined": b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world"
                             b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    "chunked-trailer": b"POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhello\r\n"
                       b"1\r\n \r\n0\r\nX-T: a\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n",
    "websocket": b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 b"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
                 b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
    "http10-keepalive": b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.0\r\n\r\n",
    "expect-continue": b"PUT /u HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
    "smuggle-cl-te": b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "obs-fold": b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
}
write("http1_request_fuzzer", {
    # options (bit 0: small limits), cut (u16), body step
    name + "-" + str(i): bytes([opts]) + u16(cut) + bytes([step]) + req
    for name, req in REQUESTS.items()
    for i, (opts, cut, step) in enumerate([(0, 0, 0), (1, len(req) // 2, 3)])
})

# ---------------------------------------------------------------- WebSocket frames
MASK = b"\x37\xfa\x21\x3d"


def frame(opcode, payload, fin=True, rsv1=False, mask=MASK):
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([b0, 0x80 | n])
    elif n < 65536:
        head = bytes([b0, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(payload))


def deflate_messages(messages, wbits=15, takeover=True):
    """RFC 7692 §7.2.1 payloads: each message sync-flushed, the 00 00 ff ff tail removed."""
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    out = []
    for m in messages:
        if not takeover:
            c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
        data = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        out.append(data[:-4])
    return out


hello_deflated = deflate_messages([b"Hello"])[0]
FRAMES = {
    "text": frame(1, b"Hello"),
    "fragmented-with-ping": frame(1, b"Hel", fin=False) + frame(9, b"p") + frame(0, b"lo"),
    "binary-16bit": frame(2, bytes(range(256)) * 2),
    "close": frame(8, struct.pack(">H", 1000) + b"bye"),
    "compressed": frame(1, hello_deflated, rsv1=True),
    "unmasked": b"\x81\x05Hello",
}
write("websocket_frame_fuzzer", {
    # flags (bit 0: rsv1 allowed, bit 1: a u16 message limit follows), cut1, cut2
    name: bytes([1]) + u16(3) + u16(9) + f for name, f in FRAMES.items()
} | {"small-limit": bytes([3]) + u16(100) + u16(1) + u16(2) + frame(2, b"x" * 101)})

# ---------------------------------------------------------------- permessage-deflate


def pieces(payload, final=True, size=100):
    out = b""
    chunks = [payload[i:i + size] for i in range(0, len(payload), size)] or [b""]
    for i, c in enumerate(chunks):
        last = final and i == len(chunks) - 1
        out += bytes([(0x80 if last else 0) | len(c)]) + c
    return out


msgs = [b"Hello", b"Hello, Hello, Hello world" * 4, b"{\"event\":\"tick\",\"n\":1}" * 10]
bomb = deflate_messages([b"\0" * 20000])[0]
write("websocket_inflate_fuzzer", {
    # flags: bit 0 client_no_context_takeover, bit 1 server_no_context_takeover,
    # bits 2-4 window bits - 8, bit 7 round trip
    "takeover": bytes([7 << 2]) + b"".join(pieces(m) for m in deflate_messages(msgs)),
    "no-takeover": bytes([1 | (7 << 2)]) + b"".join(pieces(m) for m in deflate_messages(msgs, takeover=False)),
    "small-window": bytes([1 | (1 << 2)]) + b"".join(pieces(m) for m in deflate_messages(msgs, wbits=9, takeover=False)),
    "bomb": bytes([7 << 2]) + pieces(bomb),
    "round-trip": bytes([0x80 | 2 | (7 << 2)]) + b"".join(pieces(m, size=20) for m in msgs),
})

# ---------------------------------------------------------------- handshake, extensions, close
UPGRADE = (b"Host:a\nUpgrade:websocket\nConnection:Upgrade\nSec-WebSocket-Key:dGhlIHNhbXBsZSBub25jZQ==\n"
           b"Sec-WebSocket-Version:13\n")
write("websocket_handshake_fuzzer", {
    # flags (bit 0: GET), then "name:value" lines; the last line is also a close payload
    "upgrade-deflate": b"\1" + UPGRADE + b"Sec-WebSocket-Extensions:permessage-deflate; client_max_window_bits\n"
                       + struct.pack(">H", 1000) + b"bye",
    "two-offers": b"\1" + UPGRADE + b"Sec-WebSocket-Extensions:x-webkit-deflate-frame, permessage-deflate;"
                  b" server_no_context_takeover; client_max_window_bits=10\n"
                  b"Sec-WebSocket-Extensions:permessage-deflate; client_no_context_takeover\n"
                  + struct.pack(">H", 4000) + "caf\u00e9".encode(),
    "quoted": b"\1" + UPGRADE + b'Sec-WebSocket-Extensions:permessage-deflate; client_max_window_bits="12"\n',
    "post-with-body": b"\0" + UPGRADE + b"Content-Length:5\n" + struct.pack(">H", 1005),
})

# ---------------------------------------------------------------- UTF-8
write("utf8_fuzzer", {
    "ascii": bytes([3, 4]) + b"hello world",
    "mixed": bytes([1, 2]) + "caf\u00e9 \u20ac \U0001F600 \u0800\uffff".encode(),
    "surrogate": bytes([2, 1]) + b"a\xed\xa0\x80b",
    "overlong": bytes([1, 1]) + b"\xc0\xaf\xe0\x80\xaf",
    "above-max": bytes([0, 2]) + b"\xf4\x90\x80\x80",
    "truncated": bytes([5, 0]) + "\U0001F600".encode()[:3],
})

# ---------------------------------------------------------------- command line
LISTENS = [b"8000", b"0.0.0.0:8000,stream", b"127.0.0.1:8001,req", b"[::1]:8000,tls,default-cert=a",
           b"[fe80::1%2]:80", b"/tmp/zedge.sock,local,mode=660,user=www,group=www", b"fd:3,req",
           b"systemd:http"]
ARGVS = [
    [b"--listen", b"8000,stream", b"--zclient-stream", b"ipc://client", b"--workers", b"2"],
    [b"--listen=[::]:80,req", b"--zclient-req", b"tcp://127.0.0.1:5000", b"--zclient-connect",
     b"--req-maxconn", b"100", b"--log-level", b"3"],
    [b"--admin-listen", b"9000", b"--drain-timeout", b"25", b"--compression", b"--ipc-file-mode", b"777"],
    [b"--help"],
]
write("listen_fuzzer", {
    **{"listen-%d" % i: b"\0" + v for i, v in enumerate(LISTENS)},
    **{"argv-%d" % i: b"\1" + b"\0".join(a) for i, a in enumerate(ARGVS)},
})

# ---------------------------------------------------------------- session scripts
# Ops (http_session_fuzzer.cpp): 0 client bytes <len><bytes>; 2 handler packet
# <shape><code byte if op&0x20 and not op&0x40><header count><headers><body len><body>;
# 5 write done; 6 tick <half-seconds>; 8 client closes.


def client(data):
    out = b""
    for i in range(0, len(data), 255):
        c = data[i:i + 255]
        out += bytes([0, len(c)]) + c
    return out


def handler(op_flags, shape, code=None, headers=(), body=b""):
    out = bytes([2 | op_flags, shape])
    if op_flags & 0x20 and not op_flags & 0x40:
        out += bytes([(code - 100) // 2])
    out += bytes([len(headers)])
    for name_index, value in headers:
        out += bytes([(len(value) << 4) | name_index]) + value
    return out + bytes([len(body)]) + body


WRITE = bytes([5])
GET = b"GET /stream HTTP/1.1\r\nHost: a\r\n\r\n"
ws_request = (b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
write("http_session_fuzzer", {
    # shape: low 4 bits packet type (0 data, 2 credit, 7 close, 8 ping), 0x10 more,
    # 0x20 credits u16 follows, 0x40 reason, 0x80 content-type
    "stream-response": bytes([0]) + client(GET) + handler(0x20, 0x50, code=200, headers=[(0, b"text")], body=b"first\n")
    + WRITE + handler(0, 0x10, body=b"chunk") + WRITE + handler(0, 0, body=b"last") + WRITE + client(GET),
    "post-body-credits": bytes([4]) + client(b"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n" + b"x" * 100)
    + handler(0, 0x22)[:2] + u16(50) + b"\0\0" + WRITE + bytes([6, 10]),
    "req-mode": bytes([1]) + client(b"POST /r HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
    + handler(0x20, 0x40, code=200, body=b"ok") + WRITE + bytes([8]),
    "websocket": bytes([2]) + client(ws_request) + handler(0x60, 0x20)[:2] + u16(1000) + b"\0\0" + WRITE
    + client(frame(1, b"Hello") + frame(1, hello_deflated, rsv1=True) + frame(9, b"p"))
    + handler(0, 0x80, body=b"hi") + WRITE + handler(0, 0x07, body=b"") + WRITE
    + client(frame(8, struct.pack(">H", 1000))),
    "timeout": bytes([0]) + client(GET) + bytes([0x16, 200, 0x16, 200]),
})
print("seeds written to", os.path.join(HERE, "corpus"))
