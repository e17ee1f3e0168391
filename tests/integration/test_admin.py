"""The admin API over real HTTP (api/admin.openapi.yaml): every
endpoint, method and status, JSON bodies checked against the OpenAPI schema, the loopback
and bearer-token rules, readiness during a drain and without handlers, and exact metric
deltas after known traffic. zedge-only (Condure has no admin API)."""
import http.client
import json
import os
import socket
import subprocess
import sys
import time

import pytest

import harness
from harness import HttpReader, connect
from zhttp_handler import StreamHandler

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pkg", "admin"))
import openapi_schema  # noqa: E402  (tests/pkg/admin: validates bodies against the spec)

pytestmark = pytest.mark.skipif(harness.is_condure(), reason="zedge-only: condure has no admin API")

TOKEN = "s3cret-token"


class AdminStack:
    def __init__(self, workdir, *extra, admin_host="127.0.0.1", handler=True):
        self.ipc = harness.IpcDir(workdir, "client-out-stream")
        self.base = f"ipc://{self.ipc.path}/client"
        self.port = harness.free_port()
        self.admin_port = harness.free_port()
        self.server = harness.ServerProcess(
            harness.SERVER_BIN,
            ["--listen", f"127.0.0.1:{self.port},stream", "--zclient-stream", self.base,
             "--admin-listen", f"{admin_host}:{self.admin_port}", "--handler-wait-ms", "300",
             "--ready-handler-grace", "0", *extra], workdir)
        self.server.wait_listening([self.port, self.admin_port])
        self.handler = StreamHandler(self.base) if handler else None
        if self.handler:
            self.handler.wait_subscribed()

    def request(self, method, path, body=None, headers=None, host="127.0.0.1"):
        conn = http.client.HTTPConnection(host, self.admin_port, timeout=5)
        payload = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
        conn.request(method, path, body=payload, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, dict(response.getheaders()), data

    def json(self, method, path, body=None, status=200, **kw):
        got, headers, data = self.request(method, path, body, **kw)
        assert got == status, (got, data)
        assert headers["Content-Type"].startswith("application/json"), headers
        doc = json.loads(data)
        openapi_schema.check_response(path, method, status, doc)
        return doc

    def wait_ready(self, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.request("GET", "/readyz")[0] == 200:
                return
            time.sleep(0.02)
        raise AssertionError("never ready")

    def close(self):
        if self.handler:
            self.handler.close()
        self.server.stop()
        self.ipc.remove()


@pytest.fixture
def make_admin(tmp_path):
    stacks = []

    def make(*extra, **kw):
        stacks.append(AdminStack(str(tmp_path), *extra, **kw))
        return stacks[-1]
    yield make
    for stack in stacks:
        stack.close()


def non_loopback_address():
    """An address of this host outside 127.0.0.0/8 (the source of a non-loopback peer)."""
    done = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
    for address in done.stdout.split():
        if "." in address and not address.startswith("127."):
            return address
    return None


# ---------------------------------------------------------------------------------------------
# read-only endpoints

def test_liveness_and_readiness(make_admin):
    stack = make_admin()
    assert stack.request("GET", "/livez")[::2] == (200, b"live\n")
    stack.wait_ready()
    assert stack.request("GET", "/readyz")[::2] == (200, b"ready\n")


def test_not_ready_before_any_handler_and_503_within_the_wait(make_admin):
    stack = make_admin(handler=False)
    status, _, body = stack.request("GET", "/readyz")
    assert status == 503 and body.startswith(b"not ready: ") and b"handler" in body
    sock = connect(stack.port)
    started = time.monotonic()
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    response = HttpReader(sock).read_response()
    assert response.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert time.monotonic() - started < 2  # --handler-wait-ms 300


def test_status_json(make_admin):
    stack = make_admin()
    stack.wait_ready()
    sock = connect(stack.port)  # one idle keep-alive connection
    sock.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    request = stack.handler.recv_request()
    stack.handler.respond(request["id"], body=b"x")
    HttpReader(sock).read_response()
    status = stack.json("GET", "/status")
    assert status["state"] == "LIVE"
    assert status["version"].startswith("0.")
    assert status["uptime_seconds"] >= 0
    assert [l["address"] for l in status["listeners"]] == [f"127.0.0.1:{stack.port}"]
    assert len(status["workers"]) == 2
    assert status["connections"]["total"] == 1
    assert status["handlers"]["connected"] >= 1
    connections = stack.json("GET", "/connections")
    assert connections["connections"]["total"] == 1
    assert len(connections["workers"]) == 2


def test_metrics_exact_deltas(make_admin):
    from prometheus_client.parser import text_string_to_metric_families

    stack = make_admin()
    stack.wait_ready()

    def scrape():
        status, headers, body = stack.request("GET", "/metrics")
        assert status == 200
        assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = {}
        for family in text_string_to_metric_families(body.decode()):
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return samples

    def value(samples, name, **labels):
        return samples.get((name, tuple(sorted(labels.items()))), 0.0)

    before = scrape()
    for code in (200, 404, 503):
        sock = connect(stack.port)
        sock.sendall(b"GET /m HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        request = stack.handler.recv_request()
        stack.handler.respond(request["id"], code=code, reason=b"X", body=b"abc")
        HttpReader(sock).read_until_close()
        sock.close()
    deadline = time.monotonic() + 3
    while True:
        after = scrape()
        if value(after, "zedge_connections_closed_total", protocol="http", reason="done") - \
                value(before, "zedge_connections_closed_total", protocol="http", reason="done") >= 3 \
                or time.monotonic() > deadline:
            break
        time.sleep(0.05)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("zedge_connections_accepted_total") == 3
    assert delta("zedge_connections_closed_total", protocol="http", reason="done") == 3
    assert delta("zedge_requests_total", code_class="2xx") == 1
    assert delta("zedge_requests_total", code_class="4xx") == 1
    assert delta("zedge_requests_total", code_class="5xx") == 1
    assert delta("zedge_request_duration_seconds_count") == 3
    assert delta("zedge_zhttp_packets_total", direction="to_handler", type="data") == 3
    assert delta("zedge_zhttp_packets_total", direction="from_handler", type="data") == 3
    assert delta("zedge_client_received_bytes_total") == 3 * len(
        b"GET /m HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    assert delta("zedge_client_sent_bytes_total") > 0
    assert value(after, "zedge_handlers_connected") >= 1
    assert value(after, "zedge_draining") == 0
    assert any(name == "zedge_build_info" for name, _ in after)


# ---------------------------------------------------------------------------------------------
# methods, paths, errors

@pytest.mark.parametrize("path", ["/livez", "/readyz", "/status", "/connections", "/metrics"])
def test_post_on_a_read_endpoint_is_405(make_admin, path):
    stack = make_admin()
    status, headers, _ = stack.request("POST", path)
    assert status == 405 and "GET" in headers["Allow"]


@pytest.mark.parametrize("path", ["/drain", "/drain/cancel", "/log-level", "/quit", "/handoff"])
def test_get_on_a_mutating_endpoint_is_405(make_admin, path):
    stack = make_admin()
    status, headers, _ = stack.request("GET", path)
    assert status == 405 and headers["Allow"] == "POST"


def test_unknown_path_is_404(make_admin):
    stack = make_admin()
    assert stack.json("GET", "/nope", status=404)["error"]


def test_handoff_is_reserved(make_admin):
    stack = make_admin()
    assert stack.json("POST", "/handoff", status=501)["error"]


def test_log_level(make_admin):
    stack = make_admin()
    stack.json("POST", "/log-level", {"level": 3})
    assert stack.json("POST", "/log-level", {"level": 9}, status=400)["error"]
    assert stack.json("POST", "/log-level", b"{not json", status=400)["error"]


# ---------------------------------------------------------------------------------------------
# drain through the API

def test_drain_flips_readiness_at_once_and_cancel_restores_it(make_admin):
    stack = make_admin()
    stack.wait_ready()
    started = time.monotonic()
    doc = stack.json("POST", "/drain", {"timeout_seconds": 30}, status=202)
    assert doc["state"] == "DRAINING"
    status, _, body = stack.request("GET", "/readyz")
    assert time.monotonic() - started < 0.1
    assert (status, body) == (503, b"not ready: draining\n")
    assert stack.request("GET", "/livez")[0] == 200  # liveness never fails during a drain
    assert stack.json("POST", "/drain", {}, status=409)["error"]
    stack.json("POST", "/drain/cancel")
    assert stack.request("GET", "/readyz")[0] == 200
    assert stack.json("POST", "/drain/cancel", status=409)["error"]
    assert stack.json("POST", "/drain", {"timeout_seconds": "soon"}, status=400)["error"]


def test_drain_with_exit_ends_the_process(make_admin):
    stack = make_admin()
    stack.wait_ready()
    stack.json("POST", "/drain", {"timeout_seconds": 1, "stop_accepting": True, "exit": True}, status=202)
    assert stack.server.proc.wait(5) == 0
    with pytest.raises(OSError):
        connect(stack.port)


def test_quit(make_admin):
    stack = make_admin()
    stack.json("POST", "/quit", status=202)
    assert stack.server.proc.wait(35) == 0


# ---------------------------------------------------------------------------------------------
# who may change things

@pytest.fixture
def outside_address():
    address = non_loopback_address()
    if address is None:
        pytest.skip("this host has no non-loopback address")
    return address


def test_non_loopback_peer_may_read_but_not_change(make_admin, outside_address):
    stack = make_admin(admin_host="0.0.0.0")
    assert stack.request("GET", "/livez", host=outside_address)[0] == 200
    status, _, body = stack.request("POST", "/drain", {}, host=outside_address)
    assert status == 403 and json.loads(body)["error"]
    assert stack.request("GET", "/readyz")[0] in (200, 503)  # not draining: the POST did nothing
    assert stack.json("GET", "/status")["state"] == "LIVE"


def test_token_lets_a_non_loopback_peer_change_things(make_admin, outside_address):
    stack = make_admin("--admin-token", TOKEN, admin_host="0.0.0.0")
    status, _, _ = stack.request("POST", "/log-level", {"level": 2}, host=outside_address,
                                 headers={"Authorization": "Bearer wrong"})
    assert status == 401
    status, _, _ = stack.request("POST", "/log-level", {"level": 2}, host=outside_address)
    assert status in (401, 403)
    status, _, _ = stack.request("POST", "/log-level", {"level": 2}, host=outside_address,
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200


def test_token_file(make_admin, tmp_path, outside_address):
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    stack = make_admin("--admin-token-file", str(path), admin_host="0.0.0.0")
    status, _, _ = stack.request("POST", "/log-level", {"level": 2}, host=outside_address,
                                 headers={"Authorization": f"Bearer {TOKEN}"})
    assert status == 200


def test_sigterm_during_an_api_drain_keeps_its_deadline(make_admin):
    """A preStop hook may start the drain; the SIGTERM that follows must not cut it short."""
    import signal

    stack = make_admin()
    stack.wait_ready()
    stack.json("POST", "/drain", {"timeout_seconds": 2}, status=202)
    started = time.monotonic()
    stack.server.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert stack.server.proc.poll() is None  # still draining
    assert stack.server.proc.wait(6) == 0
    assert time.monotonic() - started >= 1.4
