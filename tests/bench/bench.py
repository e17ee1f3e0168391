#!/usr/bin/python3
"""zedge vs Debian's condure 1.9.1: the same hello handler, the same settings, loaded in turn.

    /usr/bin/python3 tests/bench/bench.py [--smoke] [--json PATH]

See tests/bench/README.md for what each figure means. Never asserts timings: the exit status
is 0 when both servers started, answered 2xx and every figure was produced, 1 otherwise.
"""
import argparse
import datetime
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import idle_case  # noqa: E402
import load_case  # noqa: E402
import procfs  # noqa: E402
import report  # noqa: E402
import stack as stacklib  # noqa: E402
import ws_case  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ZEDGE = os.path.join(REPO, "build-bench/cmd/zedge/zedge")
DEFAULT_HANDLER = os.path.join(REPO, "build-bench/cmd/zedge-hello-handler/zedge-hello-handler")
DEFAULT_CONDURE = "/usr/bin/condure"
RESULTS_DIR = "/tmp/zedge-bench"

# Load cases, in this order each round, each on a fresh stack. Each has .name,
# .description, .unit/.units (what it counts, for the table) and .run(stack, duration_s)
# returning a dict with the keys of report.LOAD_METRICS and "errors" like
# load_case.run_load's (the WebSocket cases count messages in "requests").
LOAD_CASES = {case.name: case
              for case in load_case.LOAD_CASES + ws_case.WS_CASES + [ws_case.WS_SMOKE_CASE]}
ALL_CASES = list(LOAD_CASES) + ["idle"]
# Without --cases: everything but the smoke-sized WebSocket case; with --smoke, that one
# instead of the four full-size WebSocket cases.
DEFAULT_CASES = [c for c in ALL_CASES if c != ws_case.WS_SMOKE_CASE.name]
SMOKE_CASES = [case.name for case in load_case.LOAD_CASES] + [ws_case.WS_SMOKE_CASE.name, "idle"]

# Busy CPU outside this benchmark (another build, say) above this, in CPU s per s, is shown
# beside the round: on 2 cores it takes a visible share from the measured servers.
OTHER_CPU_NOTE_S_PER_S = 0.1

# Before each load measurement wait (1 s at a time) for the machine to be this quiet, but
# spend no more than --quiet-wait seconds waiting over the whole run.
QUIET_SAMPLE_S = 1.0

# fds an idle client process needs besides its connections (stdio, the interpreter's own).
FD_MARGIN = 100

SMOKE = {"quiet_wait": 0, "rounds": 1, "duration": 1, "idle_n": 200, "idle_max": 400, "idle_per_client": 200}


def parse_args(argv):
    p = argparse.ArgumentParser(description="Benchmark zedge against condure 1.9.1.")
    p.add_argument("--smoke", action="store_true",
                   help="one round, 1 s per load case, 200/400 idle connections, WebSocket "
                        "only ws4k-c10: for CI")
    p.add_argument("--rounds", type=int, default=4, help="A/B rounds of the load cases")
    p.add_argument("--duration", type=int, default=8, help="seconds of load per case")
    p.add_argument("--cases",
                   help=f"comma-separated subset of {','.join(ALL_CASES)} (default "
                        f"{','.join(DEFAULT_CASES)}; with --smoke {','.join(SMOKE_CASES)})")
    p.add_argument("--servers", default=",".join(report.SERVERS),
                   help="comma-separated subset of condure,zedge to measure (default both)")
    p.add_argument("--idle-n", type=int, default=10000,
                   help="idle connections at which RSS per connection is measured")
    p.add_argument("--idle-max", type=int, default=20000,
                   help="idle connections tried in all (the highest N held is reported)")
    p.add_argument("--idle-per-client", type=int, default=5000,
                   help="connections per idle client process (one source address each)")
    p.add_argument("--idle-rounds", type=int, default=1, help="A/B rounds of the idle case")
    p.add_argument("--json", help=f"results file (default {RESULTS_DIR}/results-<time>.json)")
    p.add_argument("--zedge", default=DEFAULT_ZEDGE)
    p.add_argument("--condure", default=DEFAULT_CONDURE)
    p.add_argument("--handler", default=DEFAULT_HANDLER)
    p.add_argument("--ws-load",
                   help="the WebSocket load client (default: zedge-ws-load in the build "
                        "tree of --handler, ../zedge-ws-load/zedge-ws-load)")
    p.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                   help="extra argument for both servers, repeatable (e.g. --server-arg=--buffer-size=1024)")
    p.add_argument("--quiet-wait", type=float, default=120,
                   help="seconds in all to wait for other CPU use to fall below "
                        f"{OTHER_CPU_NOTE_S_PER_S} s/s before measurements (0: don't)")
    p.add_argument("--keep-logs", action="store_true", help="keep the work dir with server logs")
    args = p.parse_args(argv)
    if args.smoke:
        for key, value in SMOKE.items():
            setattr(args, key, value)
    if args.cases is None:
        args.cases = SMOKE_CASES if args.smoke else DEFAULT_CASES
    else:
        args.cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in args.cases if c not in ALL_CASES]
    if unknown:
        p.error(f"unknown case(s) {unknown}; known: {ALL_CASES}")
    args.servers = [s for s in args.servers.split(",") if s]
    if not args.servers or any(s not in report.SERVERS for s in args.servers):
        p.error(f"--servers must be a non-empty subset of {','.join(report.SERVERS)}")
    # Servers and handlers run in the work dir, so relative paths would not resolve there.
    for name in ("zedge", "handler"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    if args.ws_load is None:
        args.ws_load = os.path.join(os.path.dirname(os.path.dirname(args.handler)),
                                    "zedge-ws-load", "zedge-ws-load")
    if args.rounds < 1 or args.duration < 1 or args.idle_rounds < 1:
        p.error("--rounds, --duration and --idle-rounds must be at least 1")
    fd_limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if args.idle_per_client > fd_limit - FD_MARGIN:
        p.error(f"--idle-per-client must stay {FD_MARGIN} under the open-files limit "
                f"({fd_limit}) every client process inherits")
    if args.idle_n > args.idle_max:
        p.error("--idle-n must not exceed --idle-max")
    if math_ceil(args.idle_max, args.idle_per_client) > 250:
        p.error("too many idle client processes (source addresses 127.0.0.2-251)")
    needs = [s for s in report.SERVERS if s in args.servers] + ["handler"]
    if any(isinstance(LOAD_CASES.get(c), ws_case.WsEchoCase) for c in args.cases):
        needs.append("ws_load")
    for name in needs:
        path = getattr(args, name)
        if not os.access(path, os.X_OK):
            hint = (" (build it: cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release"
                    " -DZEDGE_BUILD_TESTS=OFF && cmake --build build-bench)"
                    if name != "condure" else "")
            p.error(f"--{name.replace('_', '-')} {path} is not an executable{hint}")
    if shutil.which(load_case.WRK_BIN) is None:
        p.error("wrk is not installed (apt-get install wrk)")
    ws_case.ws_load_bin = args.ws_load
    return args


def math_ceil(a, b):
    return -(-a // b)


def version_of(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, timeout=10)
        return out.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, subprocess.TimeoutExpired, IndexError):
        return "unknown"


def git_describe():
    try:
        out = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                             capture_output=True, timeout=10)
        return out.stdout.decode().strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine_info(args):
    sysctls = ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.core.rmem_default",
               "net.core.wmem_default", "net.ipv4.tcp_mem", "net.core.somaxconn",
               "net.ipv4.ip_local_port_range", "fs.nr_open", "fs.file-max"]
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True).stdout.decode(
        errors="replace").splitlines()
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "host": socket.gethostname(),
        "kernel": os.uname().release,
        "cpus": os.cpu_count(),
        "open_files_limit": list(resource.getrlimit(resource.RLIMIT_NOFILE)),
        "sysctl": {name: procfs.read_sysctl(name) for name in sysctls},
        "zedge": {"binary": args.zedge, "version": version_of(args.zedge),
                  "git": git_describe(),
                  "mtime": (datetime.datetime.fromtimestamp(os.path.getmtime(args.zedge))
                            .isoformat(timespec="seconds")
                            if os.path.exists(args.zedge) else None)},
        "condure": {"binary": args.condure, "version": version_of(args.condure)},
        "handler": args.handler,
        "ws_load": args.ws_load,
        "servers": args.servers,
        "wrk": wrk_version[0] if wrk_version else None,
        "server_args": ["--workers", str(stacklib.SERVER_WORKERS), "--stream-maxconn",
                        str(stacklib.SERVER_STREAM_MAXCONN), "--listen", "127.0.0.1:PORT,stream",
                        "--zclient-stream", "ipc://WORKDIR/NAME"] + args.server_arg,
        "smoke": args.smoke,
        "rounds": args.rounds,
        "duration_s": args.duration,
        "idle": {"n": args.idle_n, "max": args.idle_max, "per_client": args.idle_per_client,
                 "rounds": args.idle_rounds},
    }


class Bench:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.binaries = {"condure": args.condure, "zedge": args.zedge}
        self.runs = {case: {"condure": [], "zedge": []} for case in args.cases}
        self.units = {name: (case.unit, case.units) for name, case in LOAD_CASES.items()}
        self.problems = []  # make the exit status 1
        self.notes = []  # worth reading, not failures
        self.quiet_wait_left_s = args.quiet_wait

    def wait_for_quiet(self):
        """Let another job on the machine (a build, a test run) finish before measuring."""
        while self.quiet_wait_left_s > 0:
            busy0 = procfs.system_busy_seconds()
            time.sleep(QUIET_SAMPLE_S)
            self.quiet_wait_left_s -= QUIET_SAMPLE_S
            busy = (procfs.system_busy_seconds() - busy0) / QUIET_SAMPLE_S
            if busy <= OTHER_CPU_NOTE_S_PER_S:
                return
            if self.quiet_wait_left_s <= 0:
                self.notes.append(f"machine still busy ({busy:.2f} CPU s/s) when the "
                                  f"--quiet-wait budget ran out; later rounds may be noisy")

    def make_stack(self, name):
        return stacklib.ServerStack(name, self.binaries[name], self.args.handler, self.workdir,
                                    self.args.server_arg)

    def order(self, round_index):
        """A/B, then B/A: neither server always runs first (after the other's TIME_WAITs)."""
        servers = [s for s in report.SERVERS if s in self.args.servers]
        return servers if round_index % 2 == 0 else servers[::-1]

    def run_idle_phase(self):
        a = self.args
        for r in range(a.idle_rounds):
            for name in self.order(r):
                self.wait_for_quiet()
                stack = self.make_stack(name)
                try:
                    stack.start()
                    result = idle_case.run_idle(stack, a.idle_n, a.idle_max, a.idle_per_client,
                                                timeout_s=5.0)
                finally:
                    stack.stop()
                self.runs["idle"][name].append(result)
                print(f"[idle {r + 1}/{a.idle_rounds}] {name:<8} "
                      f"N={result['n']:,}: {result['rss_per_conn_bytes'] / 1024:.2f} KB/conn RSS, "
                      f"kernel SUnreclaim "
                      f"{result['kernel_at_n']['sunreclaim_per_conn_bytes'] / 1024:.2f} KB/conn "
                      f"(both ends); highest N {result['highest_n']:,} "
                      f"(RSS {result['rss_at_highest_bytes'] / report.MB:.1f} MB, "
                      f"{result['server_open_fds_at_highest']} fds, client errors "
                      f"{result['client_errors'] or 'none'})", flush=True)
                if result["n"] == 0 or result["highest_n"] == 0:
                    self.problems.append(f"idle: {name} held no connections")
                elif result["n"] < a.idle_n:
                    self.notes.append(f"idle: {name} held only {result['n']} of {a.idle_n}")

    def run_load_phase(self, cases):
        """Each measurement on a fresh stack, so peak RSS belongs to that case alone and no
        case inherits another's pools, caches or half-closed connections."""
        a = self.args
        for r in range(a.rounds):
            for case in cases:
                for name in self.order(r):
                    self.wait_for_quiet()
                    stack = self.make_stack(name)
                    try:
                        stack.start()
                        result = case.run(stack, a.duration)
                    finally:
                        stack.stop()
                    self.runs[case.name][name].append(result)
                    self.check_load(case, name, result)
                    print(f"[round {r + 1}/{a.rounds}] {case.name:<10} {name:<8} "
                          f"{self.progress_text(case, result)}", flush=True)

    @staticmethod
    def progress_text(case, result):
        busy_elsewhere = result["other_cpu_s_per_s"]
        noise = (f"  [other CPU use {busy_elsewhere:.2f} s/s]"
                 if busy_elsewhere > OTHER_CPU_NOTE_S_PER_S else "")
        if result.get("unsupported"):
            return f"refused every upgrade with 501 (no WebSocket support){noise}"
        e = result["errors"]
        socket_errors = e["connect"] + e["read"] + e["write"]
        wrong = "wrong" if case.unit == "msg" else "non2xx"

        def num(key, fmt):
            return "-" if result.get(key) is None else format(result[key], fmt)
        return (f"{num('requests_per_s', '>9,.0f')} {case.unit}/s  "
                f"p50 {num('p50_ms', '6.2f')} ms  p99 {num('p99_ms', '6.2f')} ms  "
                f"cpu {num('server_cpu_s_per_10k', '.3f')} s/10k  "
                f"client cpu {num('client_cpu_s_per_10k', '.3f')} s/10k  "
                f"peak RSS {result['peak_rss_bytes'] / report.MB:6.1f} MB  "
                f"{wrong}/timeout/socket {e['status']}/{e['timeout']}/{socket_errors}{noise}")

    def check_load(self, case, name, result):
        e = result["errors"]
        if result.get("unsupported"):
            # zedge before WebSocket support: reported, not a failure of the run.
            self.notes.append(f"{case.name}: {name} answered every WebSocket upgrade with 501 "
                              f"(no WebSocket support): no figures")
            return
        if result["requests"] == 0:
            self.problems.append(f"{case.name}: {name} answered no {case.units}")
        if e["status"]:
            wrong = ("upgrades without 101 or echoes that differ" if case.unit == "msg"
                     else "non-2xx responses")
            self.problems.append(f"{case.name}: {name} answered {e['status']} {wrong}"
                                 + (f" ({result['ws_load']['first_error']})"
                                    if "ws_load" in result else ""))
        socket_errors = e["connect"] + e["read"] + e["write"]
        if e["timeout"] or socket_errors:
            client = "zedge-ws-load" if case.unit == "msg" else "wrk"
            self.notes.append(f"{case.name}: {name} {client} reported {e['timeout']} timeouts "
                              f"and {socket_errors} socket errors {e}")


def install_signal_handlers():
    def stop(signum, _frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    install_signal_handlers()
    json_path = args.json or os.path.join(
        RESULTS_DIR, f"results-{time.strftime('%Y%m%d-%H%M%S')}.json")
    workdir = tempfile.mkdtemp(prefix="zedge-bench-", dir="/tmp")
    bench = Bench(args, workdir)
    meta = machine_info(args)
    print(f"zedge:   {meta['zedge']['version']} ({args.zedge}, built {meta['zedge']['mtime']})\n"
          f"condure: {meta['condure']['version']} ({args.condure})\n"
          f"cases {','.join(args.cases)}; {args.rounds} round(s) x {args.duration} s; "
          f"work dir {workdir}", flush=True)
    started = time.monotonic()
    try:
        if "idle" in args.cases:
            bench.run_idle_phase()
        cases = [LOAD_CASES[c] for c in args.cases if c in LOAD_CASES]
        if cases:
            bench.run_load_phase(cases)
    except (stacklib.StackError, RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        bench.problems.append(f"{type(e).__name__}: {e}")
    except (KeyboardInterrupt, SystemExit):
        bench.problems.append("interrupted")
    finally:
        stacklib.kill_all()

    summary = report.summarize(bench.runs)
    header = (f"zedge vs condure 1.9.1: medians of {args.rounds} round(s) x {args.duration} s "
              f"(idle: {args.idle_rounds}), wrk -t1 / zedge-ws-load (1 thread), --workers 2, "
              f"ipc, 127.0.0.1, {os.cpu_count()} cpus")
    print()
    print(report.format_table(summary, header, bench.units))
    if "idle" in args.cases and bench.runs["idle"]["zedge"] + bench.runs["idle"]["condure"]:
        any_idle = (bench.runs["idle"]["zedge"] + bench.runs["idle"]["condure"])[0]
        print(f"* N = {args.idle_n}; kernel figures are system-wide deltas covering both ends of "
              f"each loopback connection\n  (client and server socket); socket buffers "
              f"{any_idle['socket_buffers']}, tcp_rmem {meta['sysctl']['net.ipv4.tcp_rmem']}, "
              f"tcp_wmem {meta['sysctl']['net.ipv4.tcp_wmem']}; server fd limit "
              f"{any_idle['server_open_files_limit']}")
    for note in bench.notes:
        print(f"note: {note}")
    for problem in bench.problems:
        print(f"PROBLEM: {problem}")
    document = {"meta": meta, "elapsed_s": round(time.monotonic() - started, 1),
                "ok": not bench.problems, "problems": bench.problems, "notes": bench.notes,
                "summary": summary, "runs": bench.runs}
    report.write_json(json_path, document)
    print(f"results: {json_path}")
    if bench.problems or args.keep_logs:
        print(f"server logs: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
