"""zedge-drain, the preStop hook, against a real zedge: it drains through the admin API and
returns once the drain is over (deadline passed, listeners closed, no connection left),
joins a drain already running, and fails quickly, with one line, when it cannot do its
job. Also --install-to and the command line."""
import asyncio
import json
import os
import stat
import subprocess
import threading
import time
import urllib.request

import pytest

import harness

ZEDGE_DRAIN = os.environ.get("ZEDGE_DRAIN", "")
HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")

pytestmark = [
    pytest.mark.skipif(harness.is_condure(), reason="zedge-only: condure has no admin API"),
    pytest.mark.skipif(not ZEDGE_DRAIN or not HELLO_HANDLER, reason="zedge-drain or zedge-hello-handler not built"),
]


class Zedge:
    """zedge with its admin API on loopback, and the hello handler over ipc."""

    def __init__(self, workdir, *extra):
        self.ipc = harness.IpcDir(workdir, "client-out-stream")
        base = f"ipc://{self.ipc.path}/client"
        self.port = harness.free_port()
        self.admin_port = harness.free_port()
        self.server = harness.ServerProcess(
            harness.SERVER_BIN, ["--listen", f"127.0.0.1:{self.port},stream", "--zclient-stream", base,
                                 "--admin-listen", str(self.admin_port), *extra], workdir)
        self.server.wait_listening([self.port, self.admin_port])
        self.handler = subprocess.Popen([HELLO_HANDLER, "--stream-base", base], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def status(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.admin_port}/status", timeout=5) as response:
            return json.loads(response.read())

    def post(self, path, body):
        request = urllib.request.Request(f"http://127.0.0.1:{self.admin_port}{path}", data=json.dumps(body).encode(),
                                         method="POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status

    def hook(self, *args):
        """zedge-drain in the background, aimed at this zedge."""
        return subprocess.Popen([ZEDGE_DRAIN, f"--admin=127.0.0.1:{self.admin_port}", *args],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def close(self):
        self.handler.terminate()
        self.handler.wait(5)
        self.server.stop()
        self.ipc.remove()


@pytest.fixture
def zedge(tmp_path):
    made = []

    def make(*extra):
        made.append(Zedge(str(tmp_path), *extra))
        return made[-1]
    yield make
    for z in made:
        z.close()


def finished(proc, timeout):
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def websocket_until_closed(port, result):
    import websockets

    async def run():
        deadline = time.monotonic() + 10
        while True:  # the handler's subscription may take a moment
            try:
                ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws", open_timeout=2)
                break
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        await ws.send("hi")
        result["echo"] = await ws.recv()
        try:
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed:
            pass
        result["closed_at"] = time.monotonic()
        result["code"] = ws.close_code
    asyncio.run(run())


def test_drains_waits_for_the_last_connection_then_zedge_keeps_running(zedge):
    z = zedge()
    ws = {}
    thread = threading.Thread(target=websocket_until_closed, args=(z.port, ws), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while "echo" not in ws and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ws.get("echo") == "hi"

    began = time.monotonic()
    code, out, err = finished(z.hook("--delay=0.5", "--timeout=1"), 10)
    returned = time.monotonic()
    assert (code, out, err) == (0, "", "")
    thread.join(5)
    # The delay, then the deadline, when the WebSocket got its 1001; the hook returned once
    # zedge had no connection left (the client notices its close a moment later).
    assert 1.5 <= returned - began < 3.5
    assert ws["code"] == 1001 and abs(ws["closed_at"] - returned) < 0.5

    status = z.status()
    assert status["drain"]["started"] and status["drain"]["exit"] is False
    assert status["drain"]["timeout_seconds"] == 1
    assert [listener["open"] for listener in status["listeners"]] == [False]
    assert status["connections"]["total"] == 0
    assert "still accepting" in z.server.log_text()
    # The SIGTERM that follows the hook finds the drain over: zedge exits at once.
    z.server.proc.terminate()
    assert z.server.proc.wait(1) == 0


def test_the_delay_comes_first_with_zedge_serving(zedge):
    z = zedge()
    hook = z.hook("--delay=1", "--timeout=0")
    time.sleep(0.6)
    assert z.status()["state"] == "LIVE"
    assert finished(hook, 10)[0] == 0
    assert z.status()["state"] == "DRAINING"


def test_a_running_drain_is_joined(zedge):
    z = zedge()
    assert z.post("/drain", {"timeout_seconds": 1.5, "stop_accepting": False}) == 202
    began = time.monotonic()
    code, out, err = finished(z.hook("--timeout=30"), 10)
    assert (code, err) == (0, "")
    # That drain's deadline, not the hook's own.
    assert 1.0 <= time.monotonic() - began < 3.5


def test_zedge_exiting_during_the_drain_counts_as_over(zedge):
    z = zedge()
    hook = z.hook("--timeout=30")
    deadline = time.monotonic() + 5
    while not z.status()["drain"]["started"] and time.monotonic() < deadline:
        time.sleep(0.02)
    z.server.proc.send_signal(2)  # SIGINT: zedge stops at once
    assert finished(hook, 5)[:2] == (0, "")


def test_a_cancelled_drain_fails(zedge):
    z = zedge()
    hook = z.hook("--timeout=30")
    deadline = time.monotonic() + 5
    while not z.status()["drain"]["started"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert z.post("/drain/cancel", {}) == 200
    code, _, err = finished(hook, 5)
    assert code == 1
    assert err == "zedge-drain: the drain was cancelled (POST /drain/cancel)\n"


def test_no_zedge_fails_at_once_with_one_line():
    port = harness.free_port()
    began = time.monotonic()
    proc = subprocess.run([ZEDGE_DRAIN, f"--admin=127.0.0.1:{port}"], capture_output=True, text=True, timeout=10)
    assert time.monotonic() - began < 1
    assert proc.returncode == 1
    assert proc.stderr == f"zedge-drain: cannot reach zedge's admin API at 127.0.0.1:{port}: connect: Connection refused\n"


def test_token_file(zedge, tmp_path):
    z = zedge("--admin-token", "s3cr3t")
    wrong = tmp_path / "wrong"
    wrong.write_text("nope\n")
    code, _, err = finished(z.hook("--timeout=0", f"--token-file={wrong}"), 5)
    assert code == 1 and "answered 401" in err and err.count("\n") == 1
    right = tmp_path / "right"
    right.write_text("s3cr3t\n")
    assert finished(z.hook("--timeout=0", f"--token-file={right}"), 5)[0] == 0
    missing = tmp_path / "missing"
    code, _, err = finished(z.hook(f"--token-file={missing}"), 5)
    assert code == 1 and err == f"zedge-drain: cannot read a token from {missing}\n"


def test_install_to_copies_an_executable(tmp_path):
    proc = subprocess.run([ZEDGE_DRAIN, f"--install-to={tmp_path}"], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0, proc.stderr
    installed = tmp_path / "zedge-drain"
    assert stat.S_IMODE(installed.stat().st_mode) == 0o755
    assert installed.read_bytes() == open(ZEDGE_DRAIN, "rb").read()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zedge-drain"]
    version = subprocess.run([str(installed), "--version"], capture_output=True, text=True, timeout=10)
    assert version.stdout.startswith("zedge-drain ")
    # Again over the first copy (an init container that ran before).
    assert subprocess.run([ZEDGE_DRAIN, f"--install-to={tmp_path}"], capture_output=True, timeout=10).returncode == 0
    missing = tmp_path / "no-such-dir"
    proc = subprocess.run([ZEDGE_DRAIN, f"--install-to={missing}"], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 1 and proc.stderr.startswith(f"zedge-drain: cannot install into {missing}: ")


def test_command_line():
    proc = subprocess.run([ZEDGE_DRAIN, "--help"], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0 and proc.stdout.startswith("Usage: zedge-drain")
    proc = subprocess.run([ZEDGE_DRAIN, "--delay=soon"], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--delay" in proc.stderr
