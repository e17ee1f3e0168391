"""Pushpin 1.36 (Debian) runs the server under test as its `condure_bin` and proxies to a
local origin: the drop-in check with the real consumer.

Pushpin's proxy reaches origins through Zurl, so the runner starts zurl too. Every TCP port
pushpin opens is set to a free 127.0.0.1 port; ipc sockets go to a private rundir."""
import http.server
import os
import signal
import subprocess
import threading
import time

import pytest

from harness import SERVER_BIN, IpcDir, free_port, parse_head

PUSHPIN_CONF = "/usr/share/pushpin/pushpin.conf.condure"
ORIGIN_BODY = b"hello from origin\n"
READY_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 8.0

pytestmark = pytest.mark.skipif(not os.path.exists(PUSHPIN_CONF), reason="pushpin not installed")


class OriginHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(ORIGIN_BODY)))
        self.end_headers()
        self.wfile.write(ORIGIN_BODY)

    def log_message(self, *args):
        pass


@pytest.fixture
def origin():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), OriginHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def configure(text, settings):
    """Set `key=value` per (section, key); keys missing from a section are added under it."""
    lines, section, pending = [], None, {}
    for line in text.splitlines():
        if line.startswith("["):
            lines += [f"{k}={v}" for k, v in pending.items()]
            section = line.strip("[]")
            pending = {k: v for (s, k), v in settings.items() if s == section}
            lines.append(line)
            continue
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.startswith("#") and key in pending:
            line = f"{key}={pending.pop(key)}"
        lines.append(line)
    lines += [f"{k}={v}" for k, v in pending.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def pushpin(tmp_path, origin):
    rundir = IpcDir(tmp_path, "pushpin-condure-out-stream")
    logdir = tmp_path / "log"
    logdir.mkdir()
    http_port = free_port()
    settings = {
        ("global", "rundir"): rundir.path,
        ("runner", "services"): "condure,zurl,pushpin-proxy,pushpin-handler",
        ("runner", "http_port"): f"127.0.0.1:{http_port}",
        ("runner", "logdir"): str(logdir),
        ("runner", "condure_bin"): SERVER_BIN,
        ("runner", "log_level"): "3",  # the runner then logs each command line it starts
        # internal.conf points the proxy at a system zurl; use the one the runner starts.
        ("proxy", "zurl_out_specs"): "ipc://{rundir}/{ipc_prefix}zurl-in",
        ("proxy", "zurl_out_stream_specs"): "ipc://{rundir}/{ipc_prefix}zurl-in-stream",
        ("proxy", "zurl_in_specs"): "ipc://{rundir}/{ipc_prefix}zurl-out",
        ("handler", "push_in_spec"): f"tcp://127.0.0.1:{free_port()}",
        ("handler", "push_in_sub_specs"): f"tcp://127.0.0.1:{free_port()}",
        ("handler", "push_in_http_port"): str(free_port()),
        ("handler", "command_spec"): f"tcp://127.0.0.1:{free_port()}",
    }
    with open(PUSHPIN_CONF) as f:
        (tmp_path / "pushpin.conf").write_text(configure(f.read(), settings))
    (tmp_path / "routes").write_text(f"* 127.0.0.1:{origin}\n")
    log_path = tmp_path / "pushpin.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["pushpin", "--config", str(tmp_path / "pushpin.conf"), "--merge-output"],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=tmp_path, start_new_session=True)
    yield http_port, log_path
    # The runner stops its children on TERM; kill its process group if it lingers.
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    print(f"---- pushpin log\n{log_path.read_text(errors='replace')}")
    for name in sorted(os.listdir(logdir)):
        print(f"---- {name}\n{(logdir / name).read_text(errors='replace')}")
    rundir.remove()


def curl(port):
    return subprocess.run(["curl", "-sS", "-i", "--max-time", "3", f"http://127.0.0.1:{port}/hello"],
                          capture_output=True, timeout=10)


def test_get_through_pushpin(pushpin):
    port, log_path = pushpin
    # Until every pushpin process is up, requests can fail or hang; and the first response
    # may be lost to the PUB/SUB slow-joiner race inside pushpin. Retry.
    deadline = time.monotonic() + READY_TIMEOUT_S
    attempts = []
    while time.monotonic() < deadline:
        done = curl(port)
        attempts.append((done.returncode, done.stderr.strip()))
        if done.returncode == 0 and done.stdout.endswith(ORIGIN_BODY):
            break
        time.sleep(0.3)
    print("curl attempts:", attempts)
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    status, fields = parse_head(head + b"\r\n\r\n")
    assert status == b"HTTP/1.1 200 OK"
    assert fields[b"content-type"] == b"text/plain"
    assert body == ORIGIN_BODY
    # Pushpin 1.36 starts the connection manager with exactly these flags.
    assert (f"running: {SERVER_BIN} --log-level=3 --listen=127.0.0.1:{port},stream "
            f"--zclient-stream=ipc://") in log_path.read_text(errors="replace")
