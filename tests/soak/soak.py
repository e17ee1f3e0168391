"""Soak zedge: HTTP, streamed responses and WebSockets through zedge for a bounded
time, with the handlers killed and restarted now and then, zedge's RSS sampled all along.
Prints an RSS table (idle, start, middle, end, max), a timeline and the traffic and error
counts; exits 1 when the RSS grew more than --max-growth-mib from the middle of the run to
its end (memory that does not plateau), or zedge died; 2 for a bad command line.

    /usr/bin/python3 tests/soak/soak.py --minutes 3

Not a test: ctest never runs it. See README.md beside it."""
import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WRK_SCRIPT = os.path.join(REPO, "tests", "bench", "wrk_report.lua")
SOAK_HANDLER = os.path.join(HERE, "soak_handler.py")
MIB = 1 << 20

# Each load round: wrk and zedge-ws-load run this long, side by side, while the stream clients
# run throughout; the hello handler is killed (SIGKILL) and restarted in the middle of every
# round, the Python handler (SIGTERM) every third round.
ROUND_S = 30
HANDLER_DOWN_S = 0.5
WRK_CONNECTIONS = 64
WRK_TIMEOUT_S = 5
WS_CONNECTIONS = 200
WS_MESSAGE_BYTES = 64
STREAM_CLIENTS = 8
STREAM_PIECES = 20
# One stream client in this many leaves mid-stream (zedge must cancel the session).
STREAM_ABANDON_EVERY = 10
CLIENT_TIMEOUT_S = 15
# zedge's own timers, shortened so sessions lost with a killed handler end within seconds
# rather than Condure's 60 s; the 503 wait covers the handler's restart gap.
ZEDGE_ARGS = ["--workers", "2", "--zhttp-session-timeout", "10", "--handler-wait-ms", "2000"]

_libc = ctypes.CDLL("libc.so.6", use_errno=True)
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(argv, **kwargs):
    """A child that the kernel kills if the soak dies, however it dies."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.Popen(argv, preexec_fn=_die_with_parent, **kwargs)


def stop(proc, sig=signal.SIGTERM, timeout_s=5):
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout_s)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Counters:
    def __init__(self):
        self._lock = threading.Lock()
        self.values = {}

    def add(self, name, n=1):
        with self._lock:
            self.values[name] = self.values.get(name, 0) + n


# ---------------------------------------------------------------------------------------------
# stream clients: GET /stream/<n>, read the chunked body, check it

def read_chunked(sock, buf):
    """(payload, leftover) of one chunked body whose head is already consumed."""
    payload = b""
    while True:
        while b"\r\n" not in buf:
            more = sock.recv(65536)
            if not more:
                raise EOFError
            buf += more
        line, _, buf = buf.partition(b"\r\n")
        size = int(line.split(b";")[0], 16)
        while len(buf) < size + 2:
            more = sock.recv(65536)
            if not more:
                raise EOFError
            buf += more
        payload += buf[:size]
        buf = buf[size + 2:]
        if size == 0:
            return payload, buf


def stream_client(port, counters, stop_event, index):
    n = 0
    while not stop_event.is_set():
        n += 1
        abandon = (n + index) % STREAM_ABANDON_EVERY == 0
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=CLIENT_TIMEOUT_S) as sock:
                sock.sendall(b"GET /stream/%d HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"
                             % STREAM_PIECES)
                buf = b""
                while b"\r\n\r\n" not in buf:
                    more = sock.recv(65536)
                    if not more:
                        raise EOFError
                    buf += more
                head, _, buf = buf.partition(b"\r\n\r\n")
                status = head[9:12]
                if status != b"200":
                    counters.add(f"stream status {status.decode()}")
                    continue
                if b"transfer-encoding: chunked" not in head.lower():
                    counters.add("stream answered plainly (hello handler)")
                    continue
                if abandon:
                    sock.recv(1024)
                    counters.add("stream abandoned on purpose")
                    continue
                payload, _ = read_chunked(sock, buf)
                expected = (b"s" * 1023 + b"\n") * STREAM_PIECES
                counters.add("stream ok" if payload == expected else "stream error: wrong body")
        except (EOFError, ConnectionResetError, BrokenPipeError):
            counters.add("stream error: closed early")
        except TimeoutError:
            counters.add("stream error: timeout")
        except OSError as e:
            counters.add(f"stream error: {e.__class__.__name__}")
            time.sleep(0.1)


# ---------------------------------------------------------------------------------------------
# the run

class Soak:
    def __init__(self, args):
        self.args = args
        self.workdir = tempfile.mkdtemp(prefix="zedge-soak-")
        self.base = f"ipc://{self.workdir}/client"
        self.port = free_port()
        self.zedge = self.hello = self.soak_handler = None
        self.samples = []  # (seconds since load start, rss bytes)
        self.counters = Counters()
        self.restarts = {"hello (SIGKILL)": 0, "soak_handler (SIGTERM)": 0}
        self.idle_rss = None

    def start_hello(self):
        self.hello = spawn([self.args.hello_handler, "--stream-base", self.base],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start_soak_handler(self):
        self.soak_handler = spawn([sys.executable, SOAK_HANDLER, "--stream-base", self.base],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self):
        self.zedge_log = open(os.path.join(self.workdir, "zedge.log"), "wb")
        self.zedge = spawn([self.args.zedge, "--listen", f"127.0.0.1:{self.port},stream",
                            "--zclient-stream", self.base, *ZEDGE_ARGS],
                           stdout=self.zedge_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.zedge.poll() is not None:
                    raise RuntimeError("zedge did not start; see " + self.zedge_log.name)
                time.sleep(0.05)
        self.idle_rss = rss_bytes(self.zedge.pid)
        self.start_hello()
        self.start_soak_handler()
        self.wait_answering()

    def wait_answering(self):
        """Until plain GETs are answered (the handlers' PUB drops answers sent before
        zedge's subscription reached it: ZeroMQ's slow joiner)."""
        deadline = time.monotonic() + 15
        answered = 0
        while answered < 5:
            if time.monotonic() > deadline:
                raise RuntimeError("the handlers never answered")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n")
                    answered = answered + 1 if sock.recv(100).startswith(b"HTTP/1.1 200") else 0
            except OSError:
                answered = 0

    def sample_rss(self, started, stop_event):
        while not stop_event.wait(self.args.sample_seconds):
            if self.zedge.poll() is not None:
                return
            self.samples.append((time.monotonic() - started, rss_bytes(self.zedge.pid)))

    def run_round(self, number):
        wrk = spawn(["wrk", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{ROUND_S}s", "--timeout", f"{WRK_TIMEOUT_S}s",
                     "-s", WRK_SCRIPT, f"http://127.0.0.1:{self.port}/"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ws = spawn([self.args.ws_load, "--port", str(self.port), "--connections", str(WS_CONNECTIONS),
                    "--message-bytes", str(WS_MESSAGE_BYTES), "--duration", str(ROUND_S - 2),
                    "--connect-timeout", "10", "--message-timeout", "5"],
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(ROUND_S / 2)
        stop(self.hello, signal.SIGKILL)
        if number % 3 == 2:
            stop(self.soak_handler, signal.SIGTERM)
        time.sleep(HANDLER_DOWN_S)
        self.start_hello()
        self.restarts["hello (SIGKILL)"] += 1
        if number % 3 == 2:
            self.start_soak_handler()
            self.restarts["soak_handler (SIGTERM)"] += 1
        wrk_out, wrk_err = wrk.communicate(timeout=ROUND_S + 30)
        ws_out, ws_err = ws.communicate(timeout=ROUND_S + 60)
        self.count_wrk(wrk_out, wrk_err)
        self.count_ws(ws_out, ws_err)

    def count_wrk(self, out, err):
        line = [l for l in out.splitlines() if l.startswith("BENCH_JSON ")]
        if not line:
            self.counters.add("http error: wrk printed no summary")
            return
        summary = json.loads(line[-1][len("BENCH_JSON "):])
        self.counters.add("http requests", summary["requests"])
        non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        if non2xx:
            self.counters.add("http non-2xx (503 while no handler)", int(non2xx.group(1)))
        for kind, n in summary["errors"].items():
            if n and kind != "status":
                self.counters.add(f"http error: {kind}", n)

    def count_ws(self, out, err):
        try:
            report = json.loads(out.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            self.counters.add("ws error: zedge-ws-load printed no report")
            return
        self.counters.add("ws messages echoed", report["messages"])
        self.counters.add("ws connections up", report["ready"])
        for kind, n in report["errors"].items():
            if n:
                self.counters.add(f"ws error: {kind}", n)

    def run(self):
        rounds = max(1, round(self.args.minutes * 60 / ROUND_S))
        self.start()
        started = time.monotonic()
        stop_event = threading.Event()
        sampler = threading.Thread(target=self.sample_rss, args=(started, stop_event), daemon=True)
        sampler.start()
        clients = [threading.Thread(target=stream_client, args=(self.port, self.counters, stop_event, i),
                                    daemon=True) for i in range(STREAM_CLIENTS)]
        for client in clients:
            client.start()
        try:
            for number in range(rounds):
                self.run_round(number)
                if self.zedge.poll() is not None:
                    break
                elapsed = time.monotonic() - started
                rss = f"{self.samples[-1][1] / MIB:.1f} MiB" if self.samples else "-"
                print(f"  round {number + 1}/{rounds} done at {elapsed:.0f} s, RSS {rss}", flush=True)
        finally:
            stop_event.set()
            for client in clients:
                client.join(CLIENT_TIMEOUT_S + 1)
            sampler.join(self.args.sample_seconds + 1)
        return time.monotonic() - started

    def close(self):
        stop(self.hello, signal.SIGKILL)
        stop(self.soak_handler)
        stop(self.zedge, signal.SIGINT)
        if self.zedge is not None:
            self.zedge_log.close()
        if self.args.keep_logs:
            print(f"logs kept in {self.workdir}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def report(soak, seconds, max_growth_mib):
    """Prints the tables; returns the exit status."""
    samples = soak.samples
    print()
    print(f"soak: {seconds / 60:.1f} min, {len(samples)} RSS samples every "
          f"{soak.args.sample_seconds:g} s, zedge {soak.args.zedge}")
    died = soak.zedge.poll() is not None
    if died:
        print(f"zedge DIED with status {soak.zedge.returncode}")
    if len(samples) < 3:
        print("too few samples for an RSS verdict")
        return 1
    mid_t = samples[-1][0] / 2
    middle = min(samples, key=lambda s: abs(s[0] - mid_t))
    start, end = samples[0], samples[-1]
    peak = max(samples, key=lambda s: s[1])
    print()
    print("RSS        t (s)    MiB")
    for name, (t, rss) in (("idle", (0, soak.idle_rss)), ("start", start), ("middle", middle),
                           ("end", end), ("max", peak)):
        print(f"{name:8} {t:7.0f} {rss / MIB:8.1f}")
    growth = (end[1] - middle[1]) / MIB
    print(f"growth middle -> end: {growth:+.1f} MiB (limit {max_growth_mib:g} MiB)")
    minutes = range(0, int(samples[-1][0] // 60) + 1)
    timeline = [min(samples, key=lambda s, m=m: abs(s[0] - 60 * m)) for m in minutes]
    print("timeline (MiB): " + "  ".join(f"{t / 60:.1f} min {rss / MIB:.1f}" for t, rss in timeline))
    print()
    print("traffic and errors")
    for name, value in sorted(soak.counters.values.items()):
        print(f"  {name:45} {value:>10}")
    for name, value in soak.restarts.items():
        print(f"  {'handler restarts: ' + name:45} {value:>10}")
    if died:
        return 1
    if growth > max_growth_mib:
        print(f"FAIL: RSS grew {growth:.1f} MiB between the middle and the end")
        return 1
    print("OK: RSS plateaued")
    return 0


def default_binary(env, *path):
    return os.environ.get(env) or os.path.join(REPO, "build", *path)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10, help="length of the run (default 10)")
    p.add_argument("--sample-seconds", type=float, default=3, help="RSS sampling interval (default 3)")
    # 16 MiB let a leak of ~11 KiB per handler restart pass (+2.5 MiB in a 10-minute
    # run's second half); with it fixed the second half grows by ~0.1 MiB.
    p.add_argument("--max-growth-mib", type=float, default=1,
                   help="largest RSS growth from the middle to the end that passes (default 1)")
    p.add_argument("--zedge", default=default_binary("ZEDGE_BIN", "cmd", "zedge", "zedge"),
                   help="zedge binary (default $ZEDGE_BIN, else build/cmd/zedge/zedge)")
    p.add_argument("--hello-handler", default=default_binary(
        "ZEDGE_HELLO_HANDLER", "cmd", "zedge-hello-handler", "zedge-hello-handler"),
        help="default $ZEDGE_HELLO_HANDLER, else build/cmd/zedge-hello-handler/...")
    p.add_argument("--ws-load", default=None,
                   help="default: zedge-ws-load in the build tree of --hello-handler")
    p.add_argument("--keep-logs", action="store_true", help="keep the work dir with zedge's log")
    args = p.parse_args(argv)
    if args.ws_load is None:
        args.ws_load = os.path.join(os.path.dirname(os.path.dirname(args.hello_handler)),
                                    "zedge-ws-load", "zedge-ws-load")
    for name in ("zedge", "hello_handler", "ws_load"):
        if not os.access(getattr(args, name), os.X_OK):
            p.error(f"--{name.replace('_', '-')} {getattr(args, name)} is not an executable")
    if shutil.which("wrk") is None:
        p.error("wrk is not installed (apt-get install wrk)")
    if args.minutes <= 0 or args.sample_seconds <= 0:
        p.error("--minutes and --sample-seconds must be positive")
    return args


def main(argv):
    args = parse_args(argv)
    soak = Soak(args)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        seconds = soak.run()
        status = report(soak, seconds, args.max_growth_mib)
    finally:
        soak.close()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
