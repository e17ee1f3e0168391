"""Start the server under test (zedge, or Debian condure as the reference) and talk HTTP to it.

The binary comes from env ZEDGE_BIN (default /usr/bin/condure). Everything listens on
127.0.0.1; ipc sockets live in the test's own temp dir; ports are picked at random and checked.
"""
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time

CONDURE_BIN = "/usr/bin/condure"
SERVER_BIN = os.environ.get("ZEDGE_BIN", CONDURE_BIN)

IO_TIMEOUT_S = 5.0
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0

_version_cache = {}


def version_line(binary=SERVER_BIN):
    if binary not in _version_cache:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10)
        _version_cache[binary] = out.stdout.decode(errors="replace").strip()
    return _version_cache[binary]


def is_condure(binary=SERVER_BIN):
    """True when the binary under test is Condure itself (its --version says 'condure x.y.z')."""
    return version_line(binary).split(" ")[0] == "condure"


# ---------------------------------------------------------------------------------------------
# ports

def _port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count=1):
    """First of `count` consecutive free ports. Drawn at random below the kernel's ephemeral
    range, so parallel test processes and outgoing connections rarely collide."""
    for _ in range(200):
        first = random.randrange(15000, 30000 - count)
        if all(_port_free(first + i) for i in range(count)):
            return first
    raise RuntimeError("no free port block found")


def free_port():
    return free_port_block(1)


def wait_port_open(port, deadline, proc=None):
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited early with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} did not open")


# ---------------------------------------------------------------------------------------------
# ipc directories

IPC_PATH_MAX = 100  # sun_path holds 108 bytes; keep a margin


class IpcDir:
    """Where a test's ipc sockets go: its own temp dir, unless the socket paths would be too
    long for a unix socket (deep --basetemp), then a short private dir under /tmp."""

    def __init__(self, workdir, longest_name):
        self._owned = len(str(workdir)) + 1 + len(longest_name) > IPC_PATH_MAX
        self.path = tempfile.mkdtemp(prefix="zit-", dir="/tmp") if self._owned else str(workdir)

    def remove(self):
        if self._owned:
            shutil.rmtree(self.path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# the server process

class ServerProcess:
    """One running server. stdout and stderr go to `log_path`; stop() always kills it."""

    def __init__(self, binary, args, workdir):
        self.binary = binary
        self.args = list(args)
        self.log_path = os.path.join(workdir, "server.log")
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([binary] + self.args, stdout=self._log,
                                     stderr=subprocess.STDOUT, cwd=workdir,
                                     stdin=subprocess.DEVNULL)

    def wait_listening(self, ports):
        deadline = time.monotonic() + START_TIMEOUT_S
        for port in ports:
            wait_port_open(port, deadline, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            # SIGINT stops at once on both servers; zedge drains on SIGTERM.
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(STOP_TIMEOUT_S)
        self._log.close()

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


# ---------------------------------------------------------------------------------------------
# HTTP client side

def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S)
    sock.settimeout(IO_TIMEOUT_S)
    return sock


class HttpReader:
    """Reads whole HTTP/1.x responses off a socket and returns their exact bytes."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by server")
        self.buf += chunk

    def _take_until(self, marker):
        while marker not in self.buf:
            self._fill()
        end = self.buf.index(marker) + len(marker)
        data, self.buf = self.buf[:end], self.buf[end:]
        return data

    def read_exactly(self, size):
        return self._take(size)

    def _take(self, size):
        while len(self.buf) < size:
            self._fill()
        data, self.buf = self.buf[:size], self.buf[size:]
        return data

    def read_response(self, head_only=False):
        """One response: head plus a body framed by Content-Length or chunked encoding
        (none for 1xx, 204, 304). A response with neither is read until the server closes.
        Not for HEAD responses: Condure sends a body there, zedge does not."""
        head = self._take_until(b"\r\n\r\n")
        status_line, fields = parse_head(head)
        if head_only or status_line[9:10] == b"1" or status_line[9:12] in (b"204", b"304"):
            return head
        if fields.get(b"transfer-encoding") == b"chunked":
            body = b""
            while True:
                size_line = self._take_until(b"\r\n")
                body += size_line
                size = int(size_line.split(b";")[0], 16)
                body += self._take(size + 2)
                if size == 0:
                    return head + body
        if b"content-length" in fields:
            return head + self._take(int(fields[b"content-length"]))
        return head + self.read_until_close()

    def read_until_close(self):
        """Everything up to EOF; a reset counts as EOF (Condure resets on some errors)."""
        try:
            while True:
                self._fill()
        except (EOFError, ConnectionResetError):
            pass
        data, self.buf = self.buf, b""
        return data

    def at_eof(self, timeout=IO_TIMEOUT_S):
        """True when the server closed the connection without sending anything more; False
        when it is still open after `timeout` seconds (or sent more bytes, kept in the buffer)."""
        self.sock.settimeout(timeout)
        try:
            more = self.sock.recv(65536)
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
        finally:
            self.sock.settimeout(IO_TIMEOUT_S)
        self.buf += more
        return more == b""


def wait_until_answered(port, timeout_s=10.0, try_timeout_s=IO_TIMEOUT_S):
    """Until a plain GET gets a 200: a handler that just started drops what it publishes
    until the server's subscription reaches it (ZeroMQ's slow joiner). AssertionError if
    nothing answered within timeout_s."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            sock = connect(port)
            sock.settimeout(try_timeout_s)
            try:
                sock.sendall(b"GET /ready HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n")
                if HttpReader(sock).read_response().startswith(b"HTTP/1.1 200 "):
                    return
            finally:
                sock.close()
        except (OSError, EOFError):
            pass
        assert time.monotonic() < deadline, f"nothing answered 200 on port {port}"
        time.sleep(0.05)


def parse_head(head):
    """(status line, {lower-case name: last value}) of a response head."""
    lines = head.split(b"\r\n")
    fields = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(b":")
            fields[name.strip().lower()] = value.strip()
    return lines[0], fields


def dechunk(body):
    """Payload of a chunked body (chunk boundaries depend on timing, the payload does not)."""
    out = b""
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return out
        out += body[:size]
        body = body[size + 2:]


def without_transfer_encoding_connection(response):
    """Drop Condure's `Connection: Transfer-Encoding` line; zedge does
    not write it, so tests compare responses without it."""
    return response.replace(b"Connection: Transfer-Encoding\r\n", b"")


# ---------------------------------------------------------------------------------------------
# zedge-only options, timing and memory

def zedge_only(*args):
    """Command-line options that only zedge has (Condure 1.9.1 would refuse to start): the
    arguments themselves for zedge, nothing for Condure."""
    return [] if is_condure() else list(args)


def connect_small_window(port, rcvbuf_bytes=4096):
    """A client whose receive buffer is small, so a server writing to it fills the socket
    buffers quickly when the client does not read (backpressure tests)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf_bytes)
    sock.settimeout(IO_TIMEOUT_S)
    sock.connect(("127.0.0.1", port))
    return sock


def wait_closed(reader, timeout):
    """(seconds until the server closed the connection, bytes it sent until then); raises
    TimeoutError if it is still open after `timeout` seconds."""
    start = time.monotonic()
    reader.sock.settimeout(timeout)
    try:
        data = reader.read_until_close()
    finally:
        reader.sock.settimeout(IO_TIMEOUT_S)
    return time.monotonic() - start, data


def rss_bytes(pid):
    """Resident set size of a process, from /proc/<pid>/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _sanitized(binary):
    """True for an ASan build (deploy/test-sanitizers.sh): its shadow memory and quarantine
    (freed memory held back, 256 MiB by default) make RSS say nothing about zedge's own."""
    if not binary or not os.path.exists(binary):
        return False
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


SANITIZED = _sanitized(SERVER_BIN)


MIB = 1 << 20


def assert_rss_growth_below(growth, limit):
    """RSS bounds hold for the normal build; under ASan they are not checked (see above)."""
    if not SANITIZED:
        assert growth < limit, f"RSS grew {growth / MIB:.1f} MiB (limit {limit / MIB:.0f} MiB)"


# ---------------------------------------------------------------------------------------------
# WebSocket client side (raw frames, so tests control masking, fragmentation and bad input)

WS_KEY = b"dGhlIHNhbXBsZSBub25jZQ=="
WS_ACCEPT = b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="  # RFC 6455 §1.3 example for WS_KEY
WS_MASK = b"\x37\xfa\x21\x3d"


def ws_upgrade_request(path=b"/ws", extra=b""):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: " + WS_KEY + b"\r\n"
            b"Sec-WebSocket-Version: 13\r\n" + extra + b"\r\n")


def ws_frame(opcode, payload=b"", fin=True, mask=True, rsv=0):
    """One client frame; masked with WS_MASK unless mask=False."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    size = len(payload)
    bit = 0x80 if mask else 0
    if size < 126:
        head += bytes([bit | size])
    elif size < 65536:
        head += bytes([bit | 126]) + size.to_bytes(2, "big")
    else:
        head += bytes([bit | 127]) + size.to_bytes(8, "big")
    if not mask:
        return head + payload
    return head + WS_MASK + bytes(b ^ WS_MASK[i % 4] for i, b in enumerate(payload))


def ws_read_frame(reader):
    """(fin, opcode, payload) of the next server frame (server frames are never masked)."""
    b0, b1 = reader.read_exactly(2)
    assert not b1 & 0x80, "server frames must not be masked"
    size = b1 & 0x7F
    if size == 126:
        size = int.from_bytes(reader.read_exactly(2), "big")
    elif size == 127:
        size = int.from_bytes(reader.read_exactly(8), "big")
    return bool(b0 & 0x80), b0 & 0x0F, reader.read_exactly(size) if size else b""
