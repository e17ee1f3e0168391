"""WebSocket through a ZHTTP handler with an ordinary client: Node.js and the `ws` npm package.

node/ws_client.js runs one scenario (steps as JSON on stdin) and prints every event its socket
emitted; the test plays the handler step by step meanwhile and then checks both sides: the
packets the handler got and what the client saw. `ws` is installed by deploy/install-node-deps.sh
(npm ci from node/package-lock.json). perMessageDeflate is off here (ws_client.js's default);
test_websocket_compression.py covers it. Proven against Debian's condure 1.9.1.
"""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess

import pytest

from test_websocket import next_packet, session_packet
from zhttp_handler import ID_PATTERN, ws_accept, ws_echo

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
WS_CLIENT_JS = os.path.join(NODE_DIR, "ws_client.js")
WAIT_TIMEOUT_MS = 5000  # each of the client's waits
SCENARIO_TIMEOUT_MS = 20000  # the whole scenario, inside node
PROCESS_TIMEOUT_S = 30  # the node process, from here
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3
KEY_PATTERN = re.compile(rb"[A-Za-z0-9+/]{22}==")  # base64 of 16 random bytes (RFC 6455 §4.1)


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()


def node_missing():
    """Why the ws client cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not installed: run deploy/install-node-deps.sh"
    if not os.path.isfile(os.path.join(NODE_DIR, "node_modules", "ws", "package.json")):
        return "npm package ws is not installed: run deploy/install-node-deps.sh"
    return None


class NodeWsClient:
    """ws_client.js running one scenario against 127.0.0.1:`port`. The scenario's options
    (`protocols`, `perMessageDeflate`) are keyword arguments."""

    def __init__(self, scenario_path, port, steps, path="/ws", **options):
        missing = node_missing()
        if missing:
            pytest.fail(missing)
        scenario = {"url": f"ws://127.0.0.1:{port}{path}", "steps": steps,
                    "wait_timeout_ms": WAIT_TIMEOUT_MS, "total_timeout_ms": SCENARIO_TIMEOUT_MS,
                    **options}
        with open(scenario_path, "w") as f:
            json.dump(scenario, f)
        self.proc = subprocess.Popen(["node", WS_CLIENT_JS, str(scenario_path)], cwd=NODE_DIR,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def events(self, timeout_s=PROCESS_TIMEOUT_S):
        """Every event of the scenario; fails the test if a step failed or timed out."""
        try:
            out, err = self.proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"ws_client.js still running after {timeout_s} s")
        try:
            result = json.loads(out)
        except ValueError:
            pytest.fail(f"ws_client.js exited {self.proc.returncode} without a result: "
                        f"stdout {out[-2000:]!r} stderr {err[-2000:]!r}")
        assert result["ok"], (f"{result['failure']}\nevents: {result['events']}\n"
                              f"stderr: {err[-2000:]!r}")
        return result["events"]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(5)


class NodeWsClients:
    """Starts NodeWsClients with their scenario files in `workdir`; kill_all() at the end."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.clients = []

    def start(self, port, steps, **options):
        path = self.workdir / f"ws-scenario{len(self.clients)}.json"
        client = NodeWsClient(path, port, steps, **options)
        self.clients.append(client)
        return client

    def kill_all(self):
        for client in self.clients:
            client.kill()


@pytest.fixture
def node_ws(tmp_path):
    """node_ws(port, steps, **options) -> a running NodeWsClient, killed when the test ends."""
    clients = NodeWsClients(tmp_path)
    yield clients.start
    clients.kill_all()


def named(events, name):
    return [e for e in events if e["event"] == name]


def b64(data):
    return base64.b64encode(data).decode()


def check_request(stack, req, extra_headers=()):
    """The first packet of a session opened by ws (perMessageDeflate off), exactly: Node's
    header order, a fresh random key."""
    assert ID_PATTERN.fullmatch(req["id"])
    headers = req["headers"]
    assert len(headers) > 1 and headers[1][0] == b"Sec-WebSocket-Key"
    assert KEY_PATTERN.fullmatch(headers[1][1]), headers[1]
    assert req == {
        "from": b"condure", "id": req["id"], "seq": 0, "ext": {"multi": True},
        "method": b"GET", "uri": f"ws://127.0.0.1:{stack.port}/ws".encode(),
        "headers": [[b"Sec-WebSocket-Version", b"13"], [b"Sec-WebSocket-Key", headers[1][1]],
                    [b"Connection", b"Upgrade"], [b"Upgrade", b"websocket"],
                    *[list(h) for h in extra_headers],
                    [b"Host", f"127.0.0.1:{stack.port}".encode()]],
        "credits": 8192, "peer-address": b"127.0.0.1", "peer-port": req["peer-port"],
    }  # no `stream`, no `more`
    return headers[1][1]


def open_events(key, protocol="", extra_headers=()):
    """The client's first two events for an accepted session."""
    return [{"event": "upgrade", "status": 101,
             "headers": {**dict(extra_headers), "upgrade": "websocket", "connection": "Upgrade",
                         "sec-websocket-accept": accept_for(key)}},
            {"event": "open", "protocol": protocol, "extensions": ""}]


def handler_closes_after_client(stack, rid, code=1000, body=b"bye"):
    """The client's close reaches the handler; the handler answers it."""
    packet = next_packet(stack.handler)
    assert packet == session_packet(packet, type_=b"close", code=code, body=body)
    stack.handler.send(rid, type_="close", code=code)


def test_text_and_binary_echo(stack, node_ws):
    payload = bytes(range(256)) * 2  # 16-bit length
    client = node_ws(stack.port, [
        {"op": "wait", "event": "open"},
        {"op": "send", "text": "héllo"}, {"op": "wait", "event": "message"},
        {"op": "send", "base64": b64(payload)}, {"op": "wait", "event": "message"},
        {"op": "close", "code": 1000, "reason": "bye"}, {"op": "wait", "event": "close"}])
    req = stack.handler.recv_request()
    key = check_request(stack, req)
    ws_accept(stack.handler, req["id"])
    packets = ws_echo(stack.handler, req["id"], count=2)
    assert packets == [session_packet(packets[0], content_type=b"text", body="héllo".encode()),
                       session_packet(packets[1], content_type=b"binary", body=payload)]
    handler_closes_after_client(stack, req["id"])
    assert client.events() == open_events(key) + [
        {"event": "message", "binary": False, "text": "héllo"},
        {"event": "message", "binary": True, "base64": b64(payload)},
        {"event": "close", "code": 1000, "reason": ""}]


def test_fragmented_message(ipc_stack, node_ws):
    # ws sends a text frame without FIN, then continuation frames (RFC 6455 §5.4).
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"},
        {"op": "send", "text": "fra", "fin": False}, {"op": "send", "text": "gm", "fin": False},
        {"op": "send", "text": "ent"}, {"op": "wait", "event": "message"},
        {"op": "close", "code": 1000, "reason": "bye"}, {"op": "wait", "event": "close"}])
    req = ipc_stack.handler.recv_request()
    ws_accept(ipc_stack.handler, req["id"])
    packets = ws_echo(ipc_stack.handler, req["id"], count=3)  # echoed with the same `more`
    assert packets == [
        session_packet(packets[0], content_type=b"text", body=b"fra", more=True),
        session_packet(packets[1], content_type=b"text", body=b"gm", more=True),
        session_packet(packets[2], content_type=b"text", body=b"ent")]
    handler_closes_after_client(ipc_stack, req["id"])
    events = client.events()
    assert named(events, "message") == [{"event": "message", "binary": False, "text": "fragment"}]
    assert events[-1] == {"event": "close", "code": 1000, "reason": ""}


def test_ping_from_client_answered_by_handler(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"},
        {"op": "ping", "text": "are you there"}, {"op": "wait", "event": "pong"},
        {"op": "close", "code": 1000, "reason": "bye"}, {"op": "wait", "event": "close"}])
    req = ipc_stack.handler.recv_request()
    ws_accept(ipc_stack.handler, req["id"])
    [packet] = ws_echo(ipc_stack.handler, req["id"])  # answers the ping with a pong
    assert packet == session_packet(packet, type_=b"ping", body=b"are you there")
    handler_closes_after_client(ipc_stack, req["id"])
    events = client.events()
    # Exactly one pong: the server forwards pings and never answers them itself.
    assert named(events, "pong") == [{"event": "pong", "base64": b64(b"are you there")}]
    assert events[-1] == {"event": "close", "code": 1000, "reason": ""}


def test_ping_from_handler_answered_by_client(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"}, {"op": "wait", "event": "ping"},
        {"op": "wait", "event": "close"}])
    req = ipc_stack.handler.recv_request()
    rid = req["id"]
    ws_accept(ipc_stack.handler, rid)
    ipc_stack.handler.send(rid, type_="ping", body=b"hb")
    packet = next_packet(ipc_stack.handler)  # ws answers pings by itself (autoPong)
    assert packet == session_packet(packet, type_=b"pong", body=b"hb")
    ipc_stack.handler.send(rid, type_="close", code=1000)
    packet = next_packet(ipc_stack.handler)  # ws echoes the close frame (an empty reason: no body)
    assert packet == session_packet(packet, type_=b"close", code=1000)
    events = client.events()
    assert named(events, "ping") == [{"event": "ping", "base64": b64(b"hb")}]
    assert events[-1] == {"event": "close", "code": 1000, "reason": ""}


def test_close_from_client_with_code_and_reason(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"},
        {"op": "close", "code": 4001, "reason": "bye now"}, {"op": "wait", "event": "close"}])
    req = ipc_stack.handler.recv_request()
    ws_accept(ipc_stack.handler, req["id"])
    packet = next_packet(ipc_stack.handler)
    assert packet == session_packet(packet, type_=b"close", code=4001, body=b"bye now")
    # The handler's own answer (another reason) is what the client sees.
    ipc_stack.handler.send(req["id"], type_="close", code=4001, body=b"see you")
    assert client.events()[-1] == {"event": "close", "code": 4001, "reason": "see you"}


def test_close_from_handler(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"}, {"op": "wait", "event": "close"}])
    req = ipc_stack.handler.recv_request()
    ws_accept(ipc_stack.handler, req["id"])
    ipc_stack.handler.send(req["id"], type_="close", code=4000, body=b"done")
    packet = next_packet(ipc_stack.handler)  # ws echoes the close frame: code and reason
    assert packet == session_packet(packet, type_=b"close", code=4000, body=b"done")
    events = client.events()
    assert named(events, "close") == [{"event": "close", "code": 4000, "reason": "done"}]


def test_subprotocol_chosen_by_handler(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [
        {"op": "wait", "event": "open"},
        {"op": "send", "text": "hi"}, {"op": "wait", "event": "message"},
        {"op": "close", "code": 1000, "reason": "bye"}, {"op": "wait", "event": "close"}],
        protocols=["chat", "superchat"])
    req = ipc_stack.handler.recv_request()
    key = check_request(ipc_stack, req, [(b"Sec-WebSocket-Protocol", b"chat,superchat")])
    ws_accept(ipc_stack.handler, req["id"], headers=[(b"Sec-WebSocket-Protocol", b"chat")])
    ws_echo(ipc_stack.handler, req["id"])
    handler_closes_after_client(ipc_stack, req["id"])
    events = client.events()
    assert events[:2] == open_events(key, "chat", [("sec-websocket-protocol", "chat")])
    assert named(events, "message") == [{"event": "message", "binary": False, "text": "hi"}]


def test_rejected_with_403(ipc_stack, node_ws):
    client = node_ws(ipc_stack.port, [{"op": "wait", "event": "unexpected-response"}])
    req = ipc_stack.handler.recv_request()
    ipc_stack.handler.send(req["id"], type_="error", condition=b"rejected", code=403,
                           reason=b"Forbidden", headers=[[b"Content-Type", b"text/plain"]],
                           body=b"nope\n")
    assert client.events() == [
        {"event": "unexpected-response", "status": 403,
         "headers": {"content-type": "text/plain", "content-length": "5"}, "body": "nope\n"}]
