"""Client load on one pod while it stops, the way a Service's clients see it.

While the pod is in the Service endpoints, a new connection opens every 10 ms for one
GET; once it is out (remove_from_endpoints, as kube-proxy does a moment after the stop
began) new connections go to other pods, so none come here. Keep-alive clients keep their
connections and reconnect only while the pod is in the endpoints; a request on a kept-alive
connection that the server closed before any response byte, at once (closing an idle
connection as the request arrived), is retried once on a new connection, as any HTTP
client may; everything else that is not a whole 200 fails, a request left unanswered
until its connection closed included.
WebSockets echo a message every 100 ms until the server closes them; their close codes are
kept."""
import asyncio
import concurrent.futures
import threading
import time

from harness import HttpReader, connect

NEW_CONNECTION_INTERVAL_S = 0.01
KEEPALIVE_INTERVAL_S = 0.02
WEBSOCKET_INTERVAL_S = 0.1
WEBSOCKET_REPLY_TIMEOUT_S = 5.0
# A close later than this after the request was sent is not a race with an idle close.
CLOSE_RACE_S = 0.5


class ClosedBeforeResponse(Exception):
    """The server closed (or reset) the connection before any byte of the response."""


def get(sock, reader, keep_alive):
    """One GET; the response (bytes). ClosedBeforeResponse when the server closed the
    connection at once, without a byte of response."""
    connection = b"" if keep_alive else b"Connection: close\r\n"
    sent = time.monotonic()
    try:
        sock.sendall(b"GET /load HTTP/1.1\r\nHost: pod\r\n" + connection + b"\r\n")
        return reader.read_response()
    except (EOFError, ConnectionResetError, BrokenPipeError) as e:
        waited = time.monotonic() - sent
        if not reader.buf and waited < CLOSE_RACE_S:
            raise ClosedBeforeResponse(repr(e)) from e
        raise EOFError(f"{e!r} after {waited:.3f} s and {len(reader.buf)} bytes") from e


class Load:
    def __init__(self, port, websockets=20, keepalive_clients=4):
        self.port = port
        self.in_endpoints = threading.Event()
        self.in_endpoints.set()
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.failures = []  # (time, what)
        self.counts = {"new": 0, "keepalive": 0, "retried": 0, "reconnects": 0, "ws_echoes": 0}
        self.ws_count = websockets
        self.ws_closes = {}  # index -> (time, code)
        self.ws_open = 0
        self.threads = [threading.Thread(target=self._new_connections, daemon=True)]
        self.threads += [threading.Thread(target=self._keepalive_client, daemon=True)
                         for _ in range(keepalive_clients)]
        self.ws_thread = threading.Thread(target=lambda: asyncio.run(self._websockets()), daemon=True)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)

    # -- control

    def start(self, timeout=10):
        self.ws_thread.start()
        deadline = time.monotonic() + timeout
        while self.ws_open < self.ws_count and time.monotonic() < deadline and not self.failures:
            time.sleep(0.02)
        assert self.ws_open == self.ws_count, (self.ws_open, self.failures[:3])
        for t in self.threads:
            t.start()

    def remove_from_endpoints(self):
        self.in_endpoints.clear()

    def stop(self, timeout=10):
        self.stopping.set()
        for t in self.threads:
            t.join(timeout)
        self.pool.shutdown(wait=True)
        self.ws_thread.join(timeout)

    def fail(self, what):
        with self.lock:
            self.failures.append((time.monotonic(), what))

    def count(self, name):
        with self.lock:
            self.counts[name] += 1

    # -- a new connection per request

    def _one_new_connection(self):
        try:
            sock = connect(self.port)
        except OSError as e:
            self.fail(f"new connection: connect: {e!r}")
            return
        try:
            response = get(sock, HttpReader(sock), keep_alive=False)
            if not response.startswith(b"HTTP/1.1 200 "):
                self.fail(f"new connection: {response[:60]!r}")
            else:
                self.count("new")
        except (OSError, EOFError, ClosedBeforeResponse) as e:
            self.fail(f"new connection: {e!r}")
        finally:
            sock.close()

    def _new_connections(self):
        next_at = time.monotonic()
        while not self.stopping.is_set() and self.in_endpoints.is_set():
            self.pool.submit(self._one_new_connection)
            next_at += NEW_CONNECTION_INTERVAL_S
            time.sleep(max(0.0, next_at - time.monotonic()))

    # -- keep-alive clients

    def _keepalive_client(self):
        sock = reader = None
        retrying = False
        while not self.stopping.is_set():
            if sock is None:
                if not self.in_endpoints.is_set():
                    return  # its next connection goes to another pod
                try:
                    sock = connect(self.port)
                except OSError as e:
                    self.fail(f"keep-alive: connect: {e!r}")
                    return
                reader = HttpReader(sock)
                self.count("reconnects")
            try:
                response = get(sock, reader, keep_alive=True)
            except ClosedBeforeResponse as e:
                sock.close()
                sock = None
                if retrying:
                    self.fail(f"keep-alive: the retry was closed too: {e}")
                    return
                retrying = True
                self.count("retried")
                continue
            except (OSError, EOFError) as e:
                self.fail(f"keep-alive: {e!r}")
                sock.close()
                return
            retrying = False
            if not response.startswith(b"HTTP/1.1 200 "):
                self.fail(f"keep-alive: {response[:60]!r}")
            else:
                self.count("keepalive")
            if b"\r\nConnection: close\r\n" in response:
                sock.close()
                sock = None
            time.sleep(KEEPALIVE_INTERVAL_S)
        if sock is not None:
            sock.close()

    # -- WebSockets

    async def _websocket(self, index):
        import websockets
        try:
            ws = await websockets.connect(f"ws://127.0.0.1:{self.port}/ws", open_timeout=5, close_timeout=5)
        except (OSError, websockets.WebSocketException, asyncio.TimeoutError) as e:
            self.fail(f"websocket {index}: connect: {e!r}")
            return
        with self.lock:
            self.ws_open += 1
        n = 0
        try:
            while True:
                n += 1
                message = f"ws{index}-{n}"
                await ws.send(message)
                echo = await asyncio.wait_for(ws.recv(), WEBSOCKET_REPLY_TIMEOUT_S)
                if echo != message:
                    self.fail(f"websocket {index}: echo {echo!r} for {message!r}")
                self.count("ws_echoes")
                await asyncio.sleep(WEBSOCKET_INTERVAL_S)
        except websockets.ConnectionClosed:
            pass
        except asyncio.TimeoutError:
            self.fail(f"websocket {index}: no echo within {WEBSOCKET_REPLY_TIMEOUT_S} s")
        await ws.close()
        with self.lock:
            self.ws_closes[index] = (time.monotonic(), ws.close_code)

    async def _websockets(self):
        await asyncio.gather(*(self._websocket(i) for i in range(self.ws_count)))
