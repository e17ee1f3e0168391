#!/usr/bin/python3
"""Idle-connection client: opens keep-alive connections, does one GET on each, holds them.

Driven over stdin, one command a line; answers one JSON line on stdout per command:
  open N   open N more connections (at most --window in flight), each sends one GET and
           reads the whole response; answers {"ok", "failed", "errors", "held", "elapsed_s"}
  check    counts held connections the server has not closed: {"held", "closed"}
  (EOF)    closes everything with RST (SO_LINGER 0, so no TIME_WAIT is left behind) and exits

Every socket binds --source before connecting, so several clients on 127.0.0.2, 127.0.0.3, ...
each have a full ephemeral port range. One process keeps well under its 20,000 open files.
"""
import argparse
import errno
import json
import selectors
import socket
import struct
import sys
import time

IP_BIND_ADDRESS_NO_PORT = 24  # linux/in.h: pick the port at connect(), per 4-tuple
REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
LINGER_RST = struct.pack("ii", 1, 0)
# After this many failures in one `open`, stop starting new connections: the server is full.
GIVE_UP_AFTER_FAILURES = 20


class Pending:
    __slots__ = ("sock", "started", "buf", "sent")

    def __init__(self, sock, started):
        self.sock = sock
        self.started = started
        self.buf = b""
        self.sent = False


def response_complete(buf):
    """(done, status) once the head and a Content-Length body are in buf."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return False, None
    head = buf[:end].decode("latin-1").split("\r\n")
    status = head[0].split(" ")[1] if " " in head[0] else "?"
    length = 0
    for line in head[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return len(buf) >= end + 4 + length, status


class IdleClient:
    def __init__(self, host, port, source, window, timeout_s):
        self.addr = (host, port)
        self.source = source
        self.window = window
        self.timeout_s = timeout_s
        self.held = []
        self.sel = selectors.DefaultSelector()

    def _start(self, now):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        sock.bind((self.source, 0))
        code = sock.connect_ex(self.addr)
        if code not in (0, errno.EINPROGRESS):
            sock.close()
            return errno.errorcode.get(code, str(code))
        self.sel.register(sock, selectors.EVENT_WRITE, Pending(sock, now))
        return None

    def _finish(self, pending, error, errors):
        self.sel.unregister(pending.sock)
        if error is None:
            self.held.append(pending.sock)
            return True
        pending.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
        pending.sock.close()
        errors[error] = errors.get(error, 0) + 1
        return False

    def _step(self, pending):
        """Advance one ready connection: None (not done), "" (done OK) or an error name."""
        sock = pending.sock
        if not pending.sent:
            code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                return "connect " + errno.errorcode.get(code, str(code))
            try:
                sock.send(REQUEST)  # 33 bytes into an empty send buffer: always whole
            except OSError as e:
                return "send " + (errno.errorcode.get(e.errno) or str(e))
            pending.sent = True
            self.sel.modify(sock, selectors.EVENT_READ, pending)
            return None
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return None
        except OSError as e:
            return "recv " + (errno.errorcode.get(e.errno) or str(e))
        if not chunk:
            return "closed before response"
        pending.buf += chunk
        done, status = response_complete(pending.buf)
        if not done:
            return None
        return "" if status == "200" else f"status {status}"

    def open(self, count):
        t0 = time.monotonic()
        ok = failed = started = 0
        errors = {}
        while True:
            now = time.monotonic()
            in_flight = len(self.sel.get_map())
            while (started < count and in_flight < self.window
                   and failed < GIVE_UP_AFTER_FAILURES):
                started += 1
                error = self._start(now)
                if error:
                    failed += 1
                    errors["connect " + error] = errors.get("connect " + error, 0) + 1
                else:
                    in_flight += 1
            if in_flight == 0:
                break
            for key, _ in self.sel.select(timeout=0.1):
                result = self._step(key.data)
                if result is not None:
                    if self._finish(key.data, result or None, errors):
                        ok += 1
                    else:
                        failed += 1
            for key in list(self.sel.get_map().values()):
                if now - key.data.started > self.timeout_s:
                    self._finish(key.data, "timeout", errors)
                    failed += 1
        return {"ok": ok, "failed": failed, "errors": errors, "held": len(self.held),
                "elapsed_s": round(time.monotonic() - t0, 3)}

    def check(self):
        """Drop held connections the server closed (or wrote to). A peek, not a poll: an
        epoll set here would add kernel objects to the very memory the benchmark measures."""
        alive, closed = [], 0
        for sock in self.held:
            try:
                sock.recv(1, socket.MSG_PEEK)
                still_open = False  # EOF, or bytes nobody asked for
            except BlockingIOError:
                still_open = True
            except OSError:
                still_open = False
            if still_open:
                alive.append(sock)
            else:
                closed += 1
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
                sock.close()
        self.held = alive
        return {"held": len(alive), "closed": closed}

    def close_all(self):
        for sock in self.held:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
            sock.close()
        self.held = []


def socket_buffer_sizes(sock):
    return {"so_rcvbuf": sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF),
            "so_sndbuf": sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--source", default="127.0.0.2", help="source address to bind")
    parser.add_argument("--window", type=int, default=200, help="connections in flight")
    parser.add_argument("--timeout-s", type=float, default=5.0,
                        help="seconds a connection may take to connect and be answered")
    args = parser.parse_args()
    if not (args.host.startswith("127.") and args.source.startswith("127.")):
        parser.error("loopback (127.0.0.0/8) only")
    client = IdleClient(args.host, args.port, args.source, args.window, args.timeout_s)
    try:
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            if words[0] == "open":
                reply = client.open(int(words[1]))
                if client.held:
                    reply.update(socket_buffer_sizes(client.held[0]))
            elif words[0] == "check":
                reply = client.check()
            else:
                reply = {"error": f"unknown command {words[0]!r}"}
            print(json.dumps(reply), flush=True)
    finally:
        client.close_all()


if __name__ == "__main__":
    main()
