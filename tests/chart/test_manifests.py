"""The plain example manifests in deploy/k8s and the Dockerfile: linted and checked for the
same conventions as the chart (restricted pods, admin-port probes, drain budget), and for
agreement between the pieces (selectors, ports, the handler's headless Service)."""

import re
import subprocess

import pytest
import yaml

from conftest import ROOT, YAMLLINT_CONFIG
from test_chart import CONTAINER_FIELDS, POD_SPEC_FIELDS, RESTRICTED, drain_hook, pre_stop_wait

K8S = ROOT / "deploy" / "k8s"
MANIFESTS = sorted(K8S.glob("*.yaml"))


def load(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def deployments():
    return [(p.stem, d) for p in MANIFESTS for d in load(p) if d["kind"] == "Deployment"]


def zedge_containers(spec):
    return [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == "zedge"]


def flags(container):
    return dict(a[2:].split("=", 1) if "=" in a else (a[2:], True) for a in container.get("args", []))


def test_manifests_exist_and_pass_yamllint():
    assert {p.name for p in MANIFESTS} >= {"sidecar.yaml", "gateway.yaml", "handler.yaml"}
    proc = subprocess.run(["yamllint", "-s", "-c", str(YAMLLINT_CONFIG), *map(str, MANIFESTS)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("name, deployment", deployments(), ids=[n for n, _ in deployments()])
def test_pods_are_restricted(name, deployment):
    spec = deployment["spec"]["template"]["spec"]
    assert set(spec) <= POD_SPEC_FIELDS
    assert spec["automountServiceAccountToken"] is False
    pod = spec["securityContext"]
    assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 65532
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    for c in spec.get("initContainers", []) + spec["containers"]:
        assert set(c) <= CONTAINER_FIELDS, set(c) - CONTAINER_FIELDS
        for key in ["allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities"]:
            assert c["securityContext"][key] == RESTRICTED[key], (c["name"], key)
        assert c["resources"]["limits"]["memory"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()


@pytest.mark.parametrize("name, deployment", [d for d in deployments() if d[0] != "handler"],
                         ids=[n for n, _ in deployments() if n != "handler"])
def test_zedge_probes_and_drain_budget(name, deployment):
    spec = deployment["spec"]["template"]["spec"]
    (zedge,) = zedge_containers(spec)
    args = flags(zedge)
    assert args["admin-listen"] == "0.0.0.0:9090"
    assert zedge["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "admin"}
    assert zedge["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "admin"}
    assert zedge["startupProbe"]["httpGet"] == {"path": "/livez", "port": "admin"}
    drain = int(args["drain-timeout"])
    waits = [pre_stop_wait(c) for c in spec.get("initContainers", []) + spec["containers"]]
    assert spec["terminationGracePeriodSeconds"] > max(waits) + drain
    assert {"name": "zedge-run", "mountPath": "/var/run/zedge"} in zedge["volumeMounts"]


def test_sidecar_example_is_a_native_sidecar_over_ipc():
    (dep,) = [d for d in load(K8S / "sidecar.yaml") if d["kind"] == "Deployment"]
    spec = dep["spec"]["template"]["spec"]
    installer, zedge = spec["initContainers"]
    assert zedge["restartPolicy"] == "Always"
    (handler,) = spec["containers"]
    base = flags(zedge)["zclient-stream"]
    assert base.startswith("ipc:///var/run/zedge/")
    assert flags(handler)["stream-base"] == base
    assert flags(handler)["instance"] == flags(zedge)["id"]
    # The handler's preStop drains zedge (zedge-drain, installed by the first init
    # container); zedge's SIGTERM comes after the handler exited, with nothing left to do.
    assert installer["command"] == ["/usr/local/bin/zedge-drain", "--install-to=/zedge-hooks"]
    assert "lifecycle" not in zedge
    assert drain_hook(handler) == {"binary": "/zedge-hooks/zedge-drain", "admin": "127.0.0.1:9090",
                                   "delay": "5", "timeout": flags(zedge)["drain-timeout"]}
    assert {"name": "zedge-hooks", "mountPath": "/zedge-hooks", "readOnly": True} in handler["volumeMounts"]


def test_gateway_example_connects_to_the_handler_headless_service():
    handler_docs = load(K8S / "handler.yaml")
    (svc,) = [d for d in handler_docs if d["kind"] == "Service"]
    (handler_dep,) = [d for d in handler_docs if d["kind"] == "Deployment"]
    assert svc["spec"]["clusterIP"] == "None"
    assert sorted(p["port"] for p in svc["spec"]["ports"]) == [5560, 5561, 5562]
    assert svc["spec"]["selector"].items() <= handler_dep["spec"]["template"]["metadata"]["labels"].items()
    (handler,) = handler_dep["spec"]["template"]["spec"]["containers"]
    handler_flags = flags(handler)
    assert handler_flags["bind"] is True and handler_flags["stream-base"] == "tcp://0.0.0.0:5560"
    assert handler_flags["id"] == "$(POD_NAME)"

    (gw,) = [d for d in load(K8S / "gateway.yaml") if d["kind"] == "Deployment"]
    (zedge,) = zedge_containers(gw["spec"]["template"]["spec"])
    args = flags(zedge)
    assert args["zclient-connect"] is True
    assert args["zclient-stream"] == f"tcp://{svc['metadata']['name']}:5560"
    assert handler_flags["instance"] == args["id"]
    assert drain_hook(zedge) == {"binary": "/usr/local/bin/zedge-drain", "admin": "127.0.0.1:9090",
                                 "delay": "5", "timeout": args["drain-timeout"]}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.stem)
def test_services_select_their_pods(path):
    docs = load(path)
    pods = [d["spec"]["template"]["metadata"]["labels"] for d in docs if d["kind"] == "Deployment"]
    for svc in (d for d in docs if d["kind"] == "Service"):
        assert any(svc["spec"]["selector"].items() <= labels.items() for labels in pods)


def test_dockerfile():
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    froms = [line for line in instructions if line.startswith("FROM")]
    assert len(froms) == 2 and froms[0].endswith("AS build")
    assert "bash deploy/install-deps.sh" in text and "bash deploy/build.sh" in text
    assert "USER 65532:65532" in instructions
    assert 'ENTRYPOINT ["zedge"]' in instructions
    assert "STOPSIGNAL SIGTERM" in instructions
    assert re.search(r"^EXPOSE 8000 9090$", text, re.M)
    assert 'VOLUME ["/var/run/zedge"]' in instructions
    assert "zedge-hello-handler" in text
    # Only allow-listed paths reach the build context.
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert "*" in ignore and "!deploy/install-deps.sh" in ignore and "!deploy/build.sh" in ignore
