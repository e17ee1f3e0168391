"""A server under test (condure or zedge) wired to its own hello handler over ipc.

Every child process is started through spawn(): it gets PR_SET_PDEATHSIG, so the kernel
kills it if the benchmark dies in any way, and kill_all() ends what is left on a normal exit.
"""
import ctypes
import os
import signal
import socket
import subprocess
import time

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
WARMUP_TIMEOUT_S = 15.0
WARMUP_REQUEST_TIMEOUT_S = 1.0
# The handler's SUB may join after its first requests reach it (ZeroMQ's slow joiner):
# those answers are lost. Only a run of answered requests shows the path is live.
WARMUP_CONSECUTIVE_OK = 5

# The same settings for both servers: 2 workers, ipc, and a maxconn high enough
# that the idle case is bounded by the 20,000 open-files limit, not by the server's
# default of 10,000. condure preallocates per connection, so its startup RSS grows with it.
SERVER_WORKERS = 2
SERVER_STREAM_MAXCONN = 20000

_children = []


def _die_with_parent():
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(argv, **kwargs):
    proc = subprocess.Popen(argv, preexec_fn=_die_with_parent, **kwargs)
    _children.append(proc)
    return proc


def stop_process(proc, sig=signal.SIGINT):
    """SIGINT: both servers stop at once (zedge drains on SIGTERM)."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)


def kill_all():
    """SIGKILL every child still running (only processes this benchmark started)."""
    for proc in _children:
        if proc.poll() is None:
            proc.kill()
    for proc in _children:
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
    _children.clear()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StackError(RuntimeError):
    pass


class ServerStack:
    """name ('condure' or 'zedge'), its server process and hello handler, on 127.0.0.1:port."""

    def __init__(self, name, server_bin, handler_bin, workdir, extra_args=()):
        self.name = name
        self.workdir = workdir
        self.port = free_port()
        base = f"ipc://{workdir}/{name}"
        self.server_argv = [server_bin,
                            "--workers", str(SERVER_WORKERS),
                            "--stream-maxconn", str(SERVER_STREAM_MAXCONN),
                            "--listen", f"127.0.0.1:{self.port},stream",
                            "--zclient-stream", base] + list(extra_args)
        self.handler_argv = [handler_bin, "--stream-base", base]
        self.server_log = os.path.join(workdir, f"{name}.server.log")
        self.handler_log = os.path.join(workdir, f"{name}.handler.log")
        self.server = None
        self.handler = None

    def start(self):
        with open(self.server_log, "ab") as log:
            self.server = spawn(self.server_argv, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=self.workdir)
        with open(self.handler_log, "ab") as log:
            self.handler = spawn(self.handler_argv, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, cwd=self.workdir)
        self._wait_listening()
        self._warm_up()

    def stop(self):
        for proc in (self.server, self.handler):
            if proc is not None:
                stop_process(proc)

    def check_alive(self):
        for what, proc in (("server", self.server), ("handler", self.handler)):
            if proc is None or proc.poll() is not None:
                code = None if proc is None else proc.returncode
                raise StackError(f"{self.name} {what} is not running (exit status {code})"
                                 f"\n{self.log_tail()}")

    def log_tail(self, lines=15):
        out = []
        for path in (self.server_log, self.handler_log):
            try:
                with open(path, "rb") as f:
                    text = f.read().decode(errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            out.append(f"---- {path}\n" + "\n".join(text))
        return "\n".join(out)

    def _wait_listening(self):
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise StackError(f"{self.name} did not listen on port {self.port}\n{self.log_tail()}")

    def _warm_up(self):
        """Retry single requests until WARMUP_CONSECUTIVE_OK in a row are answered 200."""
        deadline = time.monotonic() + WARMUP_TIMEOUT_S
        in_a_row = 0
        last = "no answer"
        while time.monotonic() < deadline:
            self.check_alive()
            ok, last = self.get_once()
            in_a_row = in_a_row + 1 if ok else 0
            if in_a_row >= WARMUP_CONSECUTIVE_OK:
                return
            if not ok:
                time.sleep(0.05)
        raise StackError(f"{self.name} never answered 200 during warm-up (last: {last})"
                         f"\n{self.log_tail()}")

    def get_once(self):
        """One GET on a new connection: (answered 200, status line or error)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port),
                                          timeout=WARMUP_REQUEST_TIMEOUT_S) as s:
                s.settimeout(WARMUP_REQUEST_TIMEOUT_S)
                s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                data = b""
                while b"\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        except OSError as e:
            return False, str(e)
        status = data.split(b"\r\n", 1)[0].decode(errors="replace")
        return status.startswith("HTTP/1.1 200"), status or "closed without a response"
