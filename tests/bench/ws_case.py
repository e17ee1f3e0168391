"""The WebSocket echo case: one zedge-ws-load run against one server, measured like wrk's.

zedge-ws-load opens the connections, upgrades each (the hello handler accepts every
ws:// request and echoes), then keeps one text message in flight per connection for the
duration: send a masked frame of N bytes, wait for its echo, send the next. It prints one
JSON line (messages, errors, latency percentiles in microseconds, its own CPU time).
"""
import json

import load_case

# Seconds allowed for connecting and upgrading every connection before the load starts.
WS_CONNECT_TIMEOUT_S = 10
# An echo slower than this is an error and closes its connection (wrk's timeout is 2 s).
WS_MESSAGE_TIMEOUT_S = 2
# zedge-ws-load ends itself after connect + duration (and a watchdog); this only guards
# against a wedged one.
WS_LOAD_EXTRA_WALL_S = 30
# What a server answers an upgrade it cannot serve: zedge before WebSocket support.
STATUS_NOT_IMPLEMENTED = 501

# Set by bench.py from --ws-load before any run.
ws_load_bin = None


class WsEchoCase:
    """`connections` WebSocket connections, each echoing `message_bytes`-byte text messages."""

    unit, units = "msg", "messages"  # how the table names what is counted

    def __init__(self, name, connections, message_bytes, description):
        self.name = name
        self.connections = connections
        self.message_bytes = message_bytes
        self.description = description

    def load_argv(self, port, duration_s):
        return [ws_load_bin, "--port", str(port), "--connections", str(self.connections),
                "--message-bytes", str(self.message_bytes), "--duration", str(duration_s),
                "--connect-timeout", str(WS_CONNECT_TIMEOUT_S),
                "--message-timeout", str(WS_MESSAGE_TIMEOUT_S)]

    def run(self, stack, duration_s):
        return run_ws_load(self, stack, duration_s)


WS_CASES = [
    WsEchoCase("ws32-c100", 100, 32, "100 WebSocket connections, 32-byte text echo"),
    WsEchoCase("ws32-c1000", 1000, 32, "1000 WebSocket connections, 32-byte text echo"),
    WsEchoCase("ws4k-c100", 100, 4096, "100 WebSocket connections, 4-KB text echo"),
    WsEchoCase("ws4k-c1000", 1000, 4096, "1000 WebSocket connections, 4-KB text echo"),
]
# --smoke's WebSocket case: a few connections, and messages big enough that the handler's
# credit returns (every 64 KB per connection) happen within a second.
WS_SMOKE_CASE = WsEchoCase("ws4k-c10", 10, 4096, "10 WebSocket connections, 4-KB text echo")


def run_ws_load(case, stack, duration_s):
    """Run zedge-ws-load once; the result has run_load's keys ("requests" are messages)."""
    done, window = load_case.LoadWindow(stack).run(
        case.load_argv(stack.port, duration_s),
        timeout_s=WS_CONNECT_TIMEOUT_S + duration_s + WS_LOAD_EXTRA_WALL_S)
    stdout = done.stdout.decode(errors="replace").strip()
    try:
        load = json.loads(stdout.splitlines()[-1])
    except (IndexError, ValueError):
        load = None
    if done.returncode != 0 or load is None:
        raise RuntimeError(f"zedge-ws-load failed (status {done.returncode}):\n{stdout}\n"
                           f"{done.stderr.decode(errors='replace')}")
    return {**from_ws_load(load), **window,
            **load_case.per_10k(window, load["messages"])}


def from_ws_load(load):
    """zedge-ws-load's JSON as a load result: wrk's error kinds, latency in ms."""
    e = load["errors"]
    refused = sum(load["handshake_status"].values())
    # Map onto wrk's error kinds so the table and the checks treat both cases alike:
    # "status" are wrong answers (upgrade refused, echo differs), "read" includes the
    # server closing a connection mid-run.
    errors = {"status": e["handshake"] + e["mismatch"], "timeout": e["timeout"],
              "connect": e["connect"], "read": e["read"] + e["closed"], "write": e["write"]}
    # A server that refused every upgrade with 501 has no WebSocket support (zedge until
    # it has): no figures, and bench.py notes it instead of failing the run.
    unsupported = (load["ready"] == 0 and refused > 0
                   and set(load["handshake_status"]) == {str(STATUS_NOT_IMPLEMENTED)})
    latency = load["latency_us"] if load["latency_valid"] else {}

    def ms(key):
        return latency[key] / 1000 if key in latency else None

    return {
        "requests": load["messages"],
        "requests_per_s": None if unsupported else load["messages_per_s"],
        "p50_ms": ms("p50"),
        "p90_ms": ms("p90"),
        "p99_ms": ms("p99"),
        "mean_ms": ms("mean"),
        "max_ms": ms("max"),
        "errors": errors,
        "unsupported": unsupported,
        "client_load_cpu_s": load["cpu_s"]["load"],
        "ws_load": load,
    }
