"""One wrk run against one server, with the server's CPU and memory over the load window."""
import json
import os
import resource
import subprocess
import time

import procfs

WRK_BIN = "wrk"
WRK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wrk_report.lua")
# wrk counts a request slower than this as a timeout (its default is 2 s).
WRK_TIMEOUT_S = 2
# wrk stops itself after -d; this only guards against a wedged wrk.
WRK_EXTRA_WALL_S = 30


class LoadCase:
    """A wrk load: `connections` keep-alive (or, with close, one request per connection)."""

    unit, units = "req", "requests"  # how the table names what is counted

    def __init__(self, name, connections, close=False, description=""):
        self.name = name
        self.connections = connections
        self.close = close
        self.description = description

    def wrk_argv(self, port, duration_s):
        argv = [WRK_BIN, "-t1", f"-c{self.connections}", f"-d{duration_s}s",
                f"--timeout={WRK_TIMEOUT_S}s", "-s", WRK_SCRIPT]
        if self.close:
            # wrk reconnects after every response that does not keep the connection alive.
            argv += ["-H", "Connection: close"]
        return argv + [f"http://127.0.0.1:{port}/"]

    def run(self, stack, duration_s):
        return run_load(self, stack, duration_s)


LOAD_CASES = [
    LoadCase("c100", 100, description="100 keep-alive connections, GET /"),
    LoadCase("c1000", 1000, description="1000 keep-alive connections, GET /"),
    LoadCase("close", 100, close=True,
             description="100 concurrent clients, new connection per request (Connection: close)"),
]


class LoadWindow:
    """Server, handler and client CPU, the server's peak RSS and the rest of the machine's
    CPU use, over one run of a load client (wrk, zedge-ws-load) that this process reaps."""

    def __init__(self, stack):
        self.stack = stack

    def run(self, argv, timeout_s):
        """Runs argv to completion; returns (subprocess.CompletedProcess, measurements)."""
        stack = self.stack
        stack.check_alive()
        server_pid, handler_pid = stack.server.pid, stack.handler.pid
        procfs.reset_peak_rss(server_pid)
        rss_before = procfs.rss_bytes(server_pid)
        server_cpu0 = procfs.cpu_seconds(server_pid)
        handler_cpu0 = procfs.cpu_seconds(handler_pid)
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy0 = procfs.system_busy_seconds()
        t0 = time.monotonic()
        done = subprocess.run(argv, capture_output=True, timeout=timeout_s)
        wall_s = time.monotonic() - t0
        server_cpu = procfs.cpu_seconds(server_pid) - server_cpu0
        handler_cpu = procfs.cpu_seconds(handler_pid) - handler_cpu0
        peak_rss = procfs.peak_rss_bytes(server_pid)
        # Only the client was reaped in the window, so the children's rusage delta is its.
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_cpu = ((children.ru_utime + children.ru_stime)
                      - (children0.ru_utime + children0.ru_stime))
        # Busy CPU nobody in this benchmark used (other jobs on the machine): a noise flag.
        other_cpu = procfs.system_busy_seconds() - busy0 - server_cpu - handler_cpu - client_cpu
        stack.check_alive()
        return done, {
            "server_cpu_s": server_cpu,
            "handler_cpu_s": handler_cpu,
            "client_cpu_s": client_cpu,
            # Clock-tick rounding makes a quiet machine read a hair below zero.
            "other_cpu_s_per_s": max(0.0, other_cpu / wall_s),
            "window_s": wall_s,
            "rss_before_bytes": rss_before,
            "peak_rss_bytes": peak_rss,
        }


def per_10k(window, count):
    """CPU seconds per 10,000 requests or messages, for each process measured."""
    def scale(cpu):
        return cpu * 10000 / count if count else None
    return {"server_cpu_s_per_10k": scale(window["server_cpu_s"]),
            "handler_cpu_s_per_10k": scale(window["handler_cpu_s"]),
            "client_cpu_s_per_10k": scale(window["client_cpu_s"])}


def run_load(case, stack, duration_s):
    """Run wrk once and return the measurement as a dict (see README for each field)."""
    done, window = LoadWindow(stack).run(case.wrk_argv(stack.port, duration_s),
                                         timeout_s=duration_s + WRK_EXTRA_WALL_S)
    stdout = done.stdout.decode(errors="replace")
    lines = [l for l in stdout.splitlines() if l.startswith("BENCH_JSON ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed (status {done.returncode}):\n{stdout}\n"
                           f"{done.stderr.decode(errors='replace')}")
    wrk = json.loads(lines[-1][len("BENCH_JSON "):])
    requests = wrk["requests"]
    seconds = wrk["duration_us"] / 1e6
    return {
        "requests": requests,
        "requests_per_s": requests / seconds if seconds else 0.0,
        "p50_ms": wrk["latency_us"]["p50"] / 1000,
        "p90_ms": wrk["latency_us"]["p90"] / 1000,
        "p99_ms": wrk["latency_us"]["p99"] / 1000,
        "mean_ms": wrk["latency_us"]["mean"] / 1000,
        "max_ms": wrk["latency_us"]["max"] / 1000,
        "errors": wrk["errors"],
        **window,
        **per_10k(window, requests),
        "wrk_stdout": stdout.split("BENCH_JSON")[0].rstrip(),
    }
