"""Handler discovery in gateway mode: with --zclient-connect and a tcp base named
by DNS, zedge connects to every A record and follows the changes. A local dnsmasq (Debian's
dnsmasq-base, on a loopback port) answers `handlers.test` with two, then three, then one of
three handlers bound on 127.0.0.2/.3/.4; requests keep flowing through every change.
zedge-only (Condure leaves the name to ZeroMQ, which connects to one address)."""
import os
import shutil
import signal
import subprocess
import threading
import time

import pytest

import harness
from harness import HttpReader, connect
from zhttp_handler import ServingHandler

pytestmark = [
    pytest.mark.skipif(harness.is_condure(), reason="zedge-only: DNS discovery"),
    pytest.mark.skipif(shutil.which("dnsmasq") is None, reason="dnsmasq (dnsmasq-base) not installed"),
]

NAME = "handlers.test"
ADDRESSES = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]


class Dns:
    """dnsmasq answering NAME from a hosts file; set() rewrites it and reloads (SIGHUP)."""

    def __init__(self, workdir):
        self.port = harness.free_port()
        self.hosts = os.path.join(workdir, "hosts")
        self.set([])
        self.proc = subprocess.Popen(
            ["dnsmasq", "--keep-in-foreground", f"--port={self.port}", "--listen-address=127.0.0.1",
             "--bind-interfaces", "--no-resolv", "--no-hosts", f"--addn-hosts={self.hosts}", "--pid-file=",
             "--user=root", "--local-ttl=0", "--log-facility=-"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(0.3)
        assert self.proc.poll() is None, "dnsmasq did not start"

    def set(self, addresses):
        with open(self.hosts, "w") as f:
            for address in addresses:
                f.write(f"{address} {NAME}\n")
        if hasattr(self, "proc"):
            self.proc.send_signal(signal.SIGHUP)

    def close(self):
        self.proc.terminate()
        self.proc.wait(5)


def NamedHandler(address, port):
    """A handler bound on one address, answering every request with that address."""
    return ServingHandler(f"tcp://{address}:{port}", lambda request: address.encode(), bind=True,
                          identity=address.encode())


@pytest.fixture
def gateway(tmp_path):
    dns = Dns(str(tmp_path))
    base_port = harness.free_port_block(3)
    handlers = {a: NamedHandler(a, base_port) for a in ADDRESSES}
    port = harness.free_port()
    admin_port = harness.free_port()
    server = harness.ServerProcess(
        harness.SERVER_BIN,
        ["--listen", f"127.0.0.1:{port},stream", "--zclient-connect",
         "--zclient-stream", f"tcp://{NAME}:{base_port}", "--discovery-interval", "1",
         "--discovery-dns-server", f"127.0.0.1:{dns.port}", "--admin-listen", str(admin_port)],
        str(tmp_path))
    server.wait_listening([port, admin_port])
    yield dns, handlers, port, admin_port, server
    server.stop()
    for handler in handlers.values():
        handler.close()
    dns.close()


def get(port):
    sock = connect(port)
    try:
        sock.sendall(b"GET /who HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        response = HttpReader(sock).read_until_close()
    finally:
        sock.close()
    assert response.startswith(b"HTTP/1.1 200 OK\r\n"), response[:200]
    return response.split(b"\r\n\r\n", 1)[1].decode()


def answering(port, n):
    """Which handlers answered n requests (in order)."""
    return [get(port) for _ in range(n)]


def wait_for(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def discovery_status(admin_port):
    import json
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/status", timeout=5) as response:
        return json.loads(response.read())["handlers"]["discovery"]


def test_requests_follow_the_dns_records(gateway):
    dns, handlers, port, admin_port, server = gateway
    failures = []
    stop = threading.Event()

    def background():
        # Requests keep flowing through every change; none may fail.
        while not stop.is_set():
            try:
                get(port)
            except Exception as e:  # noqa: BLE001
                failures.append(repr(e))
            time.sleep(0.01)

    dns.set(ADDRESSES[:2])
    assert wait_for(lambda: sorted(discovery_status(admin_port)[0]["addresses"]) == ADDRESSES[:2])
    # ZeroMQ connects in the background: wait until both take requests.
    assert wait_for(lambda: set(answering(port, 6)) == set(ADDRESSES[:2]))
    loop = threading.Thread(target=background, daemon=True)
    loop.start()

    dns.set(ADDRESSES)
    assert wait_for(lambda: set(answering(port, 9)) == set(ADDRESSES))

    dns.set(ADDRESSES[2:])
    assert wait_for(lambda: discovery_status(admin_port)[0]["addresses"] == ADDRESSES[2:])
    before = {a: h.count for a, h in handlers.items()}
    assert set(answering(port, 10)) == {ADDRESSES[2]}
    # The removed handlers get nothing new.
    assert all(handlers[a].count == before[a] for a in ADDRESSES[:2])
    status = discovery_status(admin_port)[0]
    assert status["leaving"] == ADDRESSES[:2]
    assert status["lookups_ok"] >= 3 and status["last_error"] == ""

    stop.set()
    loop.join(5)
    assert failures == []


def test_a_failed_lookup_keeps_the_handlers(gateway):
    dns, handlers, port, admin_port, server = gateway
    dns.set(ADDRESSES[:1])
    assert wait_for(lambda: get(port) == ADDRESSES[0])
    dns.close()  # the DNS server goes away: lookups time out
    assert wait_for(lambda: discovery_status(admin_port)[0]["lookups_failed"] >= 1, timeout=15)
    assert answering(port, 3) == [ADDRESSES[0]] * 3
