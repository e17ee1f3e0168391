"""Pushpin 1.36 with an `https_ports` entry runs the server under test as its `condure_bin`:
it passes `--listen <addr:port>,stream,tls,default-cert=default_<port>` and
`--tls-identities-dir=<configdir>/runner/certs`, where the test puts a
certificate made with the openssl CLI; a request through the HTTPS port reaches the origin."""
import os
import signal
import subprocess
import time

import pytest

from harness import SERVER_BIN, IpcDir, free_port
from test_pushpin import ORIGIN_BODY, PUSHPIN_CONF, READY_TIMEOUT_S, STOP_TIMEOUT_S, configure, origin  # noqa: F401

pytestmark = pytest.mark.skipif(not os.path.exists(PUSHPIN_CONF), reason="pushpin not installed")


def self_signed(certs_dir, name, host):
    openssl = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
               "-keyout", os.path.join(certs_dir, f"{name}.key"), "-out", os.path.join(certs_dir, f"{name}.crt"),
               "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host}"]
    subprocess.run(openssl, check=True, capture_output=True, timeout=30, stdin=subprocess.DEVNULL)


@pytest.fixture
def pushpin_https(tmp_path, origin):  # noqa: F811 (the fixture imported above)
    rundir = IpcDir(tmp_path, "pushpin-condure-out-stream")
    logdir = tmp_path / "log"
    logdir.mkdir()
    http_port, https_port = free_port(), free_port()
    certs = tmp_path / "runner" / "certs"  # <configdir>/runner/certs
    certs.mkdir(parents=True)
    self_signed(str(certs), f"default_{https_port}", "pushpin.test")
    settings = {
        ("global", "rundir"): rundir.path,
        ("runner", "services"): "condure,zurl,pushpin-proxy,pushpin-handler",
        ("runner", "http_port"): f"127.0.0.1:{http_port}",
        ("runner", "https_ports"): f"127.0.0.1:{https_port}",
        ("runner", "logdir"): str(logdir),
        ("runner", "condure_bin"): SERVER_BIN,
        ("runner", "log_level"): "3",  # the runner then logs each command line it starts
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
    yield https_port, str(certs), log_path
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


def test_https_through_pushpin(pushpin_https):
    port, certs, log_path = pushpin_https
    cacert = os.path.join(certs, f"default_{port}.crt")
    # No SNI match (pushpin.test has no file of its own): the listener's default-cert answers,
    # and the self-signed certificate verifies as its own CA.
    command = ["curl", "-sS", "--max-time", "3", "--cacert", cacert, "--resolve", f"pushpin.test:{port}:127.0.0.1",
               f"https://pushpin.test:{port}/hello"]
    # Retried while pushpin's processes come up (and for the PUB/SUB slow joiner).
    deadline = time.monotonic() + READY_TIMEOUT_S
    attempts = []
    while time.monotonic() < deadline:
        done = subprocess.run(command, capture_output=True, timeout=10)
        attempts.append((done.returncode, done.stderr.strip()))
        if done.returncode == 0 and done.stdout == ORIGIN_BODY:
            break
        time.sleep(0.3)
    print("curl attempts:", attempts)
    assert done.returncode == 0 and done.stdout == ORIGIN_BODY, attempts
    assert (f"--listen=127.0.0.1:{port},stream,tls,default-cert=default_{port}"
            in log_path.read_text(errors="replace"))
    assert f"--tls-identities-dir={certs}" in log_path.read_text(errors="replace")
