"""A pod of the Helm chart stopping under load, played with the real binaries: the chart is
rendered (defaults, a classic sidecar over ipc, gateway mode; ports and short timings come
in through values), and kubelet.py starts and stops the rendered pod spec as the kubelet
would, hooks included. Meanwhile clients open a connection every 10 ms, keep-alive clients
send requests and 20 WebSockets echo; the pod leaves the Service endpoints 0.7 s after
its stop began.

Passing means the chart stops a pod without a client noticing: no failed request, every
WebSocket closed with 1001 at the drain deadline, the handler running (and connected to
zedge) until zedge's drain was over, zedge exiting on its own before SIGKILL."""
import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
import yaml

import harness
from drain_monitor import DrainMonitor
from kubelet import Image, Pod
from pod_load import Load

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "zedge"
HELLO_HANDLER = os.environ.get("ZEDGE_HELLO_HANDLER", "")
ZEDGE_DRAIN = os.environ.get("ZEDGE_DRAIN", "")

pytestmark = [
    pytest.mark.skipif(harness.is_condure(), reason="zedge-only: the chart runs zedge"),
    pytest.mark.skipif(not HELLO_HANDLER or not ZEDGE_DRAIN, reason="zedge-hello-handler or zedge-drain not built"),
]

POD_NAME = "zedge-5d8f9c7b6-x2k4q"
DRAIN_S = 3
PRE_STOP_DELAY_S = 1
ENDPOINT_REMOVAL_S = 0.7
WARM_UP_S = 1.0

CASES = {
    "defaults": {},
    "classic-ipc": {"sidecar": {"native": False, "transport": "ipc"}},
    "gateway": {"mode": "gateway"},
}


# --- the chart, rendered ------------------------------------------------------------------

@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    given = os.environ.get("ZEDGE_CHART_RENDERER")
    if given and os.path.exists(given):
        return given
    if shutil.which("go") is None:
        pytest.skip("go is missing: the chart renderer cannot be built (deploy/install-chart-test-deps.sh)")
    work = tmp_path_factory.mktemp("render")
    subprocess.run(["bash", str(ROOT / "tests" / "chart" / "render" / "build.sh"), str(work)], check=True)
    return str(work / "render")


def render_pod_spec(renderer, values, workdir):
    overrides = workdir / "values.yaml"
    overrides.write_text(yaml.safe_dump(values))
    out = subprocess.run([renderer, "-chart", str(CHART), "-f", str(overrides)],
                         capture_output=True, text=True, check=True).stdout
    (workdir / "manifests.yaml").write_text(out)
    (deployment,) = [d for d in yaml.safe_load_all(out) if d and d["kind"] == "Deployment"]
    return deployment["spec"]["template"]["spec"]


def zedge_image():
    """The image's entrypoint and working directory as the Dockerfile sets them; its
    binaries are this build's."""
    text = (ROOT / "Dockerfile").read_text()
    entrypoint = json.loads(re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M).group(1))
    workdir = re.search(r"^WORKDIR (\S+)$", text.split("\nFROM ")[-1], re.M).group(1)
    return Image(entrypoint, workdir, {
        "/usr/local/bin/zedge": harness.SERVER_BIN,
        "/usr/local/bin/zedge-drain": ZEDGE_DRAIN,
        "/usr/local/bin/zedge-hello-handler": HELLO_HANDLER,
        "/bin/sleep": "/bin/sleep",
    })


def images_of(pod_spec):
    images = {}
    for c in pod_spec.get("initContainers", []) + pod_spec["containers"]:
        assert c["image"].startswith("zedge:"), f"{c['name']}: only zedge's image is played here"
        images[c["image"]] = zedge_image()
    return images


# --- one pod, stopped ---------------------------------------------------------------------

class Run:
    """Everything one stop showed: the pod's events, the load's outcome, /status samples."""

    def __init__(self, case, renderer, workdir):
        self.case = case
        self.http_port = harness.free_port()
        self.admin_port = harness.free_port()
        self.zhttp_port = harness.free_port_block(3)
        values = {"replicaCount": 1,
                  "zedge": {"port": self.http_port, "drainTimeoutSeconds": DRAIN_S},
                  "admin": {"port": self.admin_port},
                  "shutdown": {"preStopSleepSeconds": PRE_STOP_DELAY_S},
                  "sidecar": {"tcpPort": self.zhttp_port},
                  # gateway mode: zedge connects to handlers bound on loopback
                  "gateway": {"handlerService": "127.0.0.1", "handlerPort": self.zhttp_port}}
        values = merge(values, CASES[case])
        self.spec = render_pod_spec(renderer, values, workdir)
        self.grace = self.spec["terminationGracePeriodSeconds"]
        self.volumes = tempfile.mkdtemp(prefix="ztt-", dir="/tmp")  # short ipc paths
        self.pod = Pod(self.spec, images_of(self.spec), workdir, self.volumes, POD_NAME)
        self.gateway_handler = None
        self.load = None
        self.monitor = DrainMonitor(self.admin_port)

    def zedge_id(self):
        (word,) = [w for w in self.pod.container("zedge").command_line() if w.startswith("--id=")]
        return word[len("--id="):]

    def play(self):
        if self.case == "gateway":
            # The handler pods behind gateway.handlerService, which this pod's stop leaves alone.
            self.gateway_handler = subprocess.Popen(
                [HELLO_HANDLER, "--bind", "--stream-base", f"tcp://127.0.0.1:{self.zhttp_port}",
                 "--instance", self.zedge_id()],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pod.start()
        harness.wait_until_answered(self.http_port, try_timeout_s=0.5)
        self.load = Load(self.http_port)
        self.load.start()
        time.sleep(WARM_UP_S)
        self.monitor.start()
        endpoints = threading.Timer(ENDPOINT_REMOVAL_S, self.load.remove_from_endpoints)
        endpoints.start()
        self.pod.stop()
        endpoints.join()
        self.monitor.stop()
        self.load.stop()

    def close(self):
        if self.load is not None:
            self.load.stopping.set()
        self.monitor.halt.set()
        self.pod.kill()
        if self.gateway_handler is not None:
            self.gateway_handler.kill()
            self.gateway_handler.wait(5)
        shutil.rmtree(self.volumes, ignore_errors=True)

    def since_stop(self, t):
        return None if t is None else round(t - self.pod.stop_began, 3)

    def report(self):
        lines = [f"---- {self.case}: grace {self.grace} s, counts {self.load.counts}"]
        lines += self.pod.timeline()
        started = self.monitor.first(lambda s: s.started)
        last_busy = self.monitor.last(lambda s: s.busy)
        lines.append(f"drain started (seen) at {self.since_stop(started and started.at)} s, "
                     f"last sample with work left at {self.since_stop(last_busy and last_busy.at)} s: {last_busy}")
        lines += [f"hook {name}: {code} {output}" for name, (code, output) in self.pod.hook_results.items()]
        lines.append(f"zedge log:\n{self.pod.log_text('zedge')}")
        return "\n".join(lines)


def merge(base, override):
    out = dict(base)
    for key, value in override.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def problems_of(run):
    """What a client, or the pod's containers, would have noticed; empty when nothing."""
    problems = list(run.pod.errors)
    stop = run.pod.stop_began
    for t, what in run.load.failures[:10]:
        problems.append(f"failed request at {t - stop:+.3f} s: {what}")
    if len(run.load.failures) > 10:
        problems.append(f"... {len(run.load.failures)} failed requests in all")
    codes = sorted(code for _, code in run.load.ws_closes.values())
    if codes != [1001] * run.load.ws_count:
        problems.append(f"WebSocket close codes {codes}, want {run.load.ws_count} x 1001")

    zedge_exit = run.pod.event_time("zedge", "exited")
    if run.pod.event_time("zedge", "SIGKILL") is not None or zedge_exit is None or zedge_exit >= run.grace:
        problems.append(f"zedge did not exit before SIGKILL at {run.grace} s (exited at {zedge_exit})")
    elif run.pod.event_time("zedge", "exited 0") is None:
        problems.append("zedge exited with an error")

    if run.case != "gateway":
        handler = run.spec["containers"][-1]["name"]
        handler_exit = run.pod.event_time(handler, "exited")
        started = run.monitor.first(lambda s: s.started)
        last_busy = run.monitor.last(lambda s: s.busy)
        if started is None or handler_exit is None or started.at - stop > handler_exit:
            problems.append(f"the handler exited at {handler_exit} s, before zedge's drain began "
                            f"({run.since_stop(started and started.at)} s)")
        elif last_busy is not None and last_busy.at - stop > handler_exit:
            problems.append(f"the handler exited at {handler_exit} s, zedge still had work at "
                            f"{run.since_stop(last_busy.at)} s: {last_busy}")
        alone = run.monitor.first(lambda s: s.busy and s.handlers == 0)
        if alone is not None:
            problems.append(f"zedge had work and no handler at {run.since_stop(alone.at)} s: {alone}")
    for name, (code, output) in run.pod.hook_results.items():
        if code != 0:
            problems.append(f"preStop of {name} failed ({code}): {output}")
    return problems


@pytest.mark.parametrize("case", list(CASES))
def test_pod_stops_without_clients_noticing(case, renderer, tmp_path):
    run = Run(case, renderer, tmp_path)
    try:
        run.play()
    finally:
        run.close()
    report = run.report()
    print(report)  # pytest shows it when the test fails
    assert run.load.counts["new"] > 20 and run.load.counts["keepalive"] > 20, run.load.counts
    problems = problems_of(run)
    assert not problems, "\n".join(["", *problems, report])
