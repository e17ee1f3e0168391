"""Idle connections: open N keep-alive connections that each did one request, then hold them.

Reports the server's RSS per connection at N = measure_n, the kernel memory the connections
cost (both ends: client and server sockets are both on this machine), and the highest N the
server held. Clients are several idle_client.py processes, each on its own source address
(127.0.0.2, 127.0.0.3, ...), so no client process or source address runs out of fds or ports.
"""
import json
import math
import os
import select
import subprocess
import sys
import time

import procfs
import stack as stacklib

IDLE_CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "idle_client.py")
# Let the server return per-request buffers to its pool and the kernel settle slab counts.
SETTLE_S = 1.0
# A client command (opening up to a few thousand connections) must answer within this.
CLIENT_REPLY_TIMEOUT_S = 120.0
SLAB_CACHES_REPORTED = 8


class ClientProcess:
    def __init__(self, port, source, timeout_s):
        self.source = source
        self.proc = stacklib.spawn(
            [sys.executable, IDLE_CLIENT, "--port", str(port), "--source", source,
             "--timeout-s", str(timeout_s)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.held = 0

    def send(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def reply(self):
        # The client bounds every connection by its own timeout; this is a last resort.
        ready, _, _ = select.select([self.proc.stdout], [], [], CLIENT_REPLY_TIMEOUT_S)
        line = self.proc.stdout.readline() if ready else ""
        if not line:
            raise RuntimeError(f"idle client on {self.source} exited "
                               f"(status {self.proc.poll()})")
        return json.loads(line)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(stacklib.STOP_TIMEOUT_S * 4)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()


class IdleRun:
    def __init__(self, stack, max_n, per_client, timeout_s):
        self.stack = stack
        self.max_n = max_n
        self.per_client = per_client
        self.timeout_s = timeout_s
        self.clients = []
        self.errors = {}
        self.buffer_sizes = {}

    def held(self):
        return sum(c.held for c in self.clients)

    def open_to(self, target):
        """Open connections, spread over the clients, until `target` are held or the
        server stops answering. Returns the number held."""
        wanted_clients = math.ceil(self.max_n / self.per_client)
        while len(self.clients) < wanted_clients:
            source = f"127.0.0.{2 + len(self.clients)}"
            self.clients.append(ClientProcess(self.stack.port, source, self.timeout_s))
        need = target - self.held()
        if need <= 0:
            return self.held()
        room = [self.per_client - c.held for c in self.clients]
        share = math.ceil(need / max(1, sum(1 for r in room if r > 0)))
        asked = []
        for client, free in zip(self.clients, room):
            count = min(free, share, need)
            if count > 0:
                client.send(f"open {count}")
                asked.append(client)
                need -= count
        for client in asked:
            reply = client.reply()
            client.held = reply["held"]
            for name, n in reply["errors"].items():
                self.errors[name] = self.errors.get(name, 0) + n
            for key in ("so_rcvbuf", "so_sndbuf"):
                if key in reply:
                    self.buffer_sizes[key] = reply[key]
        return self.held()

    def check(self):
        """Drop connections the server closed; returns how many are still open."""
        for client in self.clients:
            client.send("check")
        for client in self.clients:
            client.held = client.reply()["held"]
        return self.held()

    def close(self):
        for client in self.clients:
            client.close()


def _per_conn(after, before, n):
    return (after - before) / n if n else None


def _kernel_delta(before, after, n):
    return {
        "slab_per_conn_bytes": _per_conn(after["slab_bytes"], before["slab_bytes"], n),
        "sunreclaim_per_conn_bytes": _per_conn(after["sunreclaim_bytes"],
                                               before["sunreclaim_bytes"], n),
        "tcp_mem_per_conn_bytes": _per_conn(after["tcp_mem_bytes"], before["tcp_mem_bytes"], n),
        "before": before,
        "after": after,
    }


def _slab_growth(before, after, n):
    growth = {name: (after.get(name, 0) - size) / n for name, size in before.items()} if n else {}
    top = sorted(growth.items(), key=lambda kv: -kv[1])[:SLAB_CACHES_REPORTED]
    return {name: round(per) for name, per in top}


def run_idle(stack, measure_n, max_n, per_client, timeout_s):
    """The idle case on a freshly started, warmed-up stack. Returns a dict (see README)."""
    pid = stack.server.pid
    time.sleep(SETTLE_S)
    rss_before = procfs.rss_bytes(pid)
    kernel_before = procfs.kernel_memory_snapshot()
    slab_before = procfs.slab_caches()
    run = IdleRun(stack, max_n, per_client, timeout_s)
    try:
        t0 = time.monotonic()
        run.open_to(measure_n)
        open_s = time.monotonic() - t0
        time.sleep(SETTLE_S)
        rss_at_n = procfs.rss_bytes(pid)
        kernel_at_n = procfs.kernel_memory_snapshot()
        slab_at_n = procfs.slab_caches()
        n = run.check()
        stack.check_alive()

        run.open_to(max_n)
        # CPU while full: a server that cannot accept (EMFILE) should not spin.
        cpu0 = procfs.cpu_seconds(pid)
        time.sleep(SETTLE_S)
        cpu_at_highest = procfs.cpu_seconds(pid) - cpu0
        highest = run.check()
        stack.check_alive()
        rss_at_highest = procfs.rss_bytes(pid)
        server_fds = len(os.listdir(f"/proc/{pid}/fd"))
    finally:
        run.close()
    return {
        "measure_n": measure_n,
        "n": n,
        "open_s": open_s,
        "rss_before_bytes": rss_before,
        "rss_at_n_bytes": rss_at_n,
        "rss_per_conn_bytes": _per_conn(rss_at_n, rss_before, n),
        "kernel_at_n": _kernel_delta(kernel_before, kernel_at_n, n),
        "slab_caches_per_conn_bytes": _slab_growth(slab_before, slab_at_n, n),
        "max_n_tried": max_n,
        "highest_n": highest,
        "rss_at_highest_bytes": rss_at_highest,
        "server_open_fds_at_highest": server_fds,
        "server_cpu_s_per_s_at_highest": cpu_at_highest / SETTLE_S,
        "server_open_files_limit": procfs.open_files_limit(pid),
        "client_processes": len(run.clients),
        "client_errors": run.errors,
        "socket_buffers": run.buffer_sizes,
    }
