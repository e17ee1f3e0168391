"""The Helm chart helm/zedge, rendered like `helm template` for every values file in
values/ (with and without the prometheus-operator API), linted, checked against its
schema, and asserted on what matters in a cluster: labels, probes, shutdown, security,
both modes, PDB/ServiceMonitor gating and the admin token wiring."""

import base64
import json
import re
import subprocess

import jsonschema
import pytest
import yaml

from conftest import (CASES, CHART, INVALID_VALUES_DIR, MONITORING_API, NAMESPACE,
                      YAMLLINT_CONFIG, RenderError)

RESTRICTED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}
RECOMMENDED_LABELS = ["app.kubernetes.io/name", "app.kubernetes.io/instance",
                      "app.kubernetes.io/version", "app.kubernetes.io/managed-by",
                      "helm.sh/chart"]
SELECTOR = {"app.kubernetes.io/name": "zedge", "app.kubernetes.io/instance": "zedge"}
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")

# Fields of core/v1 Container and PodSpec (Kubernetes 1.30): a misspelt key in a template
# would otherwise pass unnoticed (there is no API server here to reject it).
CONTAINER_FIELDS = {
    "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
    "resizePolicy", "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe",
    "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
    "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty",
}
POD_SPEC_FIELDS = {
    "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
    "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
    "serviceAccountName", "automountServiceAccountToken", "nodeName", "hostNetwork",
    "hostPID", "hostIPC", "shareProcessNamespace", "securityContext", "imagePullSecrets",
    "hostname", "subdomain", "affinity", "schedulerName", "tolerations", "hostAliases",
    "priorityClassName", "priority", "dnsConfig", "readinessGates", "runtimeClassName",
    "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
    "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims",
}

ALL_CASES = sorted(CASES)
SIDECAR_CASES = [c for c in ALL_CASES if not c.startswith("gateway")]
GATEWAY_CASES = [c for c in ALL_CASES if c.startswith("gateway")]


def args_of(container):
    return dict(a[2:].split("=", 1) if "=" in a else (a[2:], True) for a in container["args"])


DRAIN_HOOK_BINARIES = {"/usr/local/bin/zedge-drain", "/zedge-hooks/zedge-drain"}


def drain_hook(container):
    """The flags of a container's zedge-drain preStop (binary under "binary"), else None."""
    command = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
    if not command or command[0] not in DRAIN_HOOK_BINARIES:
        return None
    return {"binary": command[0], **args_of({"args": command[1:]})}


def pre_stop_wait(container):
    """Seconds a container's preStop waits before SIGTERM (sleep forms) or before it starts
    the drain (zedge-drain's --delay); 0 without one."""
    pre_stop = container.get("lifecycle", {}).get("preStop")
    if pre_stop is None:
        return 0
    if "sleep" in pre_stop:
        return pre_stop["sleep"]["seconds"]
    hook = drain_hook(container)
    if hook is not None:
        return int(hook["delay"])
    command = pre_stop["exec"]["command"]
    assert command[0] == "/bin/sleep", command
    return int(command[1])


def all_containers(manifest_pod_spec):
    return manifest_pod_spec.get("initContainers", []) + manifest_pod_spec["containers"]


# --- the chart's own files ---------------------------------------------------------------

def test_chart_files_pass_yamllint():
    files = [CHART / "Chart.yaml", CHART / "values.yaml",
             *[p for p in CASES.values() if p], *sorted(INVALID_VALUES_DIR.glob("*.yaml"))]
    proc = subprocess.run(["yamllint", "-s", "-c", str(YAMLLINT_CONFIG), *map(str, files)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_chart_metadata():
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "zedge"
    assert chart["type"] == "application"
    assert chart["kubeVersion"]
    assert re.match(r"^\d+\.\d+\.\d+$", chart["version"])
    for required in ["values.schema.json", "templates/_helpers.tpl", "templates/NOTES.txt",
                     ".helmignore"]:
        assert (CHART / required).exists(), required
    assert list((CHART / "templates" / "tests").glob("*.yaml"))


@pytest.fixture(scope="module")
def schema():
    return json.loads((CHART / "values.schema.json").read_text())


def test_schema_is_valid_draft7(schema):
    jsonschema.Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("case", ALL_CASES)
def test_values_match_schema(case, rendered, schema):
    jsonschema.validate(rendered[case].values, schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("values_file", sorted(INVALID_VALUES_DIR.glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_schema_rejects_invalid_values(values_file, render, schema):
    expected = re.search(r"^# expect: (.*)$", values_file.read_text(), re.M).group(1)
    values = render.coalesced_values(values_file)
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(values)]
    assert any(expected in e for e in errors), errors


# --- rendered output: generic ------------------------------------------------------------

def test_rendered_output_passes_yamllint(rendered, tmp_path):
    files = []
    for case, out in rendered.items():
        path = tmp_path / (case.replace("/", "-") + ".yaml")
        path.write_text(out.text)
        files.append(str(path))
    proc = subprocess.run(["yamllint", "-s", "-c", str(YAMLLINT_CONFIG), *files],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ALL_CASES)
def test_every_resource_has_recommended_labels(case, rendered):
    out = rendered[case]
    for doc in out.docs:
        labels = doc["metadata"]["labels"]
        for key in RECOMMENDED_LABELS:
            assert key in labels, (doc["kind"], key)
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["helm.sh/chart"] == "zedge-0.1.0"
        assert labels["app.kubernetes.io/instance"] == "zedge"
        assert DNS_LABEL.match(doc["metadata"]["name"]), doc["metadata"]["name"]
        assert doc["metadata"]["namespace"] == NAMESPACE


@pytest.mark.parametrize("case", ALL_CASES)
def test_selectors_are_the_immutable_pair_and_match_the_pods(case, rendered):
    out = rendered[case]
    dep = out.deployment
    assert dep["spec"]["selector"]["matchLabels"] == SELECTOR
    pod_labels = dep["spec"]["template"]["metadata"]["labels"]
    assert SELECTOR.items() <= pod_labels.items()
    for svc in out.all("Service"):
        assert svc["spec"]["selector"] == SELECTOR
    for pdb in out.all("PodDisruptionBudget"):
        assert pdb["spec"]["selector"]["matchLabels"] == SELECTOR


@pytest.mark.parametrize("case", ALL_CASES)
def test_pod_and_container_fields_are_known(case, rendered):
    out = rendered[case]
    specs = [out.pod_spec] + [p["spec"] for p in out.hook_pods]
    for spec in specs:
        assert set(spec) <= POD_SPEC_FIELDS, set(spec) - POD_SPEC_FIELDS
        for c in all_containers(spec):
            assert set(c) <= CONTAINER_FIELDS, (c["name"], set(c) - CONTAINER_FIELDS)


@pytest.mark.parametrize("case", ALL_CASES)
def test_restricted_security_context(case, rendered):
    out = rendered[case]
    for spec in [out.pod_spec] + [p["spec"] for p in out.hook_pods]:
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True
        assert pod["runAsUser"] == 65532 and pod["runAsGroup"] == 65532
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for c in all_containers(spec):
            ctx = c["securityContext"]
            for key, value in RESTRICTED.items():
                if c["name"] == out.values["handler"]["name"] and key in out.values["handler"]["securityContext"]:
                    continue  # the user's own override of their handler
                assert ctx[key] == value, (c["name"], key)
    zedge_ctx = out.zedge["securityContext"]
    assert zedge_ctx["runAsUser"] == 65532 and zedge_ctx["readOnlyRootFilesystem"] is True


def test_handler_security_override_keeps_the_rest_restricted(rendered):
    handler = rendered["sidecar-classic-ipc"].handler["securityContext"]
    assert handler["runAsUser"] == 1000
    assert handler["readOnlyRootFilesystem"] is False
    assert handler["allowPrivilegeEscalation"] is False
    assert handler["capabilities"] == {"drop": ["ALL"]}


@pytest.mark.parametrize("case", ALL_CASES)
def test_zedge_flags_ports_and_probes_on_the_admin_port(case, rendered):
    out = rendered[case]
    v = out.values
    z = out.zedge
    args = args_of(z)
    assert args["listen"] == f"0.0.0.0:{v['zedge']['port']},stream"
    assert args["admin-listen"] == f"0.0.0.0:{v['admin']['port']}"
    assert args["drain-timeout"] == str(v["zedge"]["drainTimeoutSeconds"])
    assert args["id"] == (v["zedge"]["id"] or "$(POD_NAME)")
    assert {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}} in z["env"]
    ports = {p["name"]: p["containerPort"] for p in z["ports"]}
    assert ports == {"http": v["zedge"]["port"], "admin": v["admin"]["port"]}
    assert z["livenessProbe"]["httpGet"] == {"path": "/livez", "port": "admin"}
    assert z["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "admin"}
    # Liveness must never trip during a drain: it is not /readyz, and slow to give up.
    assert z["livenessProbe"]["failureThreshold"] * z["livenessProbe"]["periodSeconds"] >= 10
    assert z["startupProbe"]["httpGet"] == {"path": "/livez", "port": "admin"}
    assert z["resources"]["limits"]["memory"]
    mounts = {m["name"]: m["mountPath"] for m in z["volumeMounts"]}
    assert mounts["zedge-run"] == "/var/run/zedge" and mounts["tmp"] == "/tmp"
    volumes = {vol["name"]: vol for vol in out.pod_spec["volumes"]}
    assert "emptyDir" in volumes["zedge-run"] and "emptyDir" in volumes["tmp"]


def test_extra_args_come_last(rendered):
    assert rendered["sidecar-native-tcp"].zedge["args"][-1] == "--compression"


@pytest.mark.parametrize("case", ALL_CASES)
def test_termination_grace_covers_prestop_and_drain(case, rendered):
    out = rendered[case]
    v = out.values
    grace = out.pod_spec["terminationGracePeriodSeconds"]
    drain = v["zedge"]["drainTimeoutSeconds"]
    assert grace > drain
    waits = [pre_stop_wait(c) for c in all_containers(out.pod_spec)]
    if v["shutdown"]["terminationGracePeriodSeconds"]:
        assert grace == v["shutdown"]["terminationGracePeriodSeconds"]
    else:
        pre = 0 if v["shutdown"]["preStopMode"] == "none" else v["shutdown"]["preStopSleepSeconds"]
        assert grace == pre + drain + v["shutdown"]["extraGraceSeconds"]
        # zedge's own preStop wait plus its drain fits (the handler's longer wait, in a
        # classic sidecar, runs alongside them).
        assert pre_stop_wait(out.zedge) + drain < grace
        assert max(waits) <= grace
    for c in all_containers(out.pod_spec):
        hook = drain_hook(c)
        if hook is not None:
            # zedge-drain gives up 2 s after the deadline; the SIGTERMs after it need a moment.
            assert int(hook["delay"]) + int(hook["timeout"]) + 2 < grace, c["name"]


@pytest.mark.parametrize("case", ALL_CASES)
def test_prestop_drains_while_the_handler_runs(case, rendered):
    out = rendered[case]
    v = out.values
    if v["shutdown"]["preStopMode"] != "drain":
        return
    native = v["mode"] == "sidecar" and v["sidecar"]["native"]
    expected = {"admin": f"127.0.0.1:{v['admin']['port']}",
                "delay": str(v["shutdown"]["preStopSleepSeconds"]),
                "timeout": str(v["zedge"]["drainTimeoutSeconds"])}
    if v["mode"] == "sidecar" and not v["handler"]["lifecycle"]:
        # The handler gets SIGTERM only once zedge's drain is over.
        assert drain_hook(out.handler) == {"binary": "/zedge-hooks/zedge-drain", **expected}
    if native:
        # Its preStop and SIGTERM come after the handler exited, the drain long over.
        assert "lifecycle" not in out.zedge
    else:
        # Gateway, classic sidecar: zedge's own hook drains, so its SIGTERM ends it at once.
        assert drain_hook(out.zedge) == {"binary": "/usr/local/bin/zedge-drain", **expected}


@pytest.mark.parametrize("case", ALL_CASES)
def test_prestop_waits_then_sigterm_drains(case, rendered):
    out = rendered[case]
    v = out.values
    if v["shutdown"]["preStopMode"] == "drain":
        return
    sleep = 0 if v["shutdown"]["preStopMode"] == "none" else v["shutdown"]["preStopSleepSeconds"]
    native = v["mode"] == "sidecar" and v["sidecar"]["native"]
    # A native sidecar gets SIGTERM after the handler exited: no point waiting then.
    assert pre_stop_wait(out.zedge) == (0 if native else sleep)
    if sleep and not native:
        form = "sleep" if v["shutdown"]["preStopMode"] == "sleepAction" else "exec"
        assert form in out.zedge["lifecycle"]["preStop"]
    if v["mode"] == "sidecar" and not v["handler"]["lifecycle"]:
        expected = sleep if native else sleep + v["zedge"]["drainTimeoutSeconds"]
        assert pre_stop_wait(out.handler) == expected


@pytest.mark.parametrize("case", ALL_CASES)
def test_drain_hook_is_installed_for_the_handler(case, rendered):
    out = rendered[case]
    v = out.values
    spec = out.pod_spec
    volumes = {vol["name"]: vol for vol in spec["volumes"]}
    init = [c["name"] for c in spec.get("initContainers", [])]
    if v["mode"] != "sidecar" or v["shutdown"]["preStopMode"] != "drain":
        assert "install-drain-hook" not in init and "zedge-hooks" not in volumes
        return
    # First, so the hook is in place before anything that could be stopped runs.
    assert init[0] == "install-drain-hook"
    installer = spec["initContainers"][0]
    assert "restartPolicy" not in installer  # runs to completion
    assert installer["image"] == out.zedge["image"]
    assert installer["command"] == ["/usr/local/bin/zedge-drain", "--install-to=/zedge-hooks"]
    assert installer["volumeMounts"] == [{"name": "zedge-hooks", "mountPath": "/zedge-hooks"}]
    assert installer["resources"]["limits"]["memory"]
    assert "emptyDir" in volumes["zedge-hooks"]
    assert {"name": "zedge-hooks", "mountPath": "/zedge-hooks", "readOnly": True} in out.handler["volumeMounts"]


def test_prestop_modes(render):
    out = render(values={"shutdown": {"preStopMode": "sleepAction"}, "sidecar": {"native": False}})
    assert out.zedge["lifecycle"]["preStop"] == {"sleep": {"seconds": 5}}
    assert out.handler["lifecycle"]["preStop"] == {"sleep": {"seconds": 30}}
    out = render(values={"shutdown": {"preStopMode": "exec"}})
    assert "lifecycle" not in out.zedge
    assert out.handler["lifecycle"]["preStop"] == {"exec": {"command": ["/bin/sleep", "5"]}}
    out = render(values={"mode": "gateway", "gateway": {"handlerService": "h"}, "shutdown": {"preStopMode": "exec"}})
    assert out.zedge["lifecycle"]["preStop"] == {"exec": {"command": ["/bin/sleep", "5"]}}
    out = render(values={"mode": "gateway", "gateway": {"handlerService": "h"},
                         "shutdown": {"preStopMode": "none"}})
    assert "lifecycle" not in out.zedge
    assert out.pod_spec["terminationGracePeriodSeconds"] == 30


def test_drain_hook_lines(render):
    out = render()
    assert out.handler["lifecycle"] == {"preStop": {"exec": {"command": [
        "/zedge-hooks/zedge-drain", "--admin=127.0.0.1:9090", "--delay=5", "--timeout=25"]}}}
    out = render(values={"sidecar": {"native": False}, "admin": {"port": 9901},
                         "shutdown": {"preStopSleepSeconds": 0}, "zedge": {"drainTimeoutSeconds": 10}})
    line = ["--admin=127.0.0.1:9901", "--delay=0", "--timeout=10"]
    assert out.zedge["lifecycle"]["preStop"]["exec"]["command"] == ["/usr/local/bin/zedge-drain", *line]
    assert out.handler["lifecycle"]["preStop"]["exec"]["command"] == ["/zedge-hooks/zedge-drain", *line]
    assert out.pod_spec["terminationGracePeriodSeconds"] == 15


def test_user_handler_lifecycle_replaces_the_computed_one(render):
    lifecycle = {"preStop": {"httpGet": {"path": "/shutdown", "port": 8081}}}
    out = render(values={"handler": {"lifecycle": lifecycle}})
    assert out.handler["lifecycle"] == lifecycle
    # zedge-drain stays installed, for a preStop of the user's own to run.
    assert [c["name"] for c in out.pod_spec["initContainers"]] == ["install-drain-hook", "zedge"]
    assert any(m["name"] == "zedge-hooks" for m in out.handler["volumeMounts"])


# --- modes -------------------------------------------------------------------------------

@pytest.mark.parametrize("case", SIDECAR_CASES)
def test_sidecar_mode_runs_the_handler_beside_zedge(case, rendered):
    out = rendered[case]
    v = out.values
    spec = out.pod_spec
    names = [c["name"] for c in spec["containers"]]
    assert v["handler"]["name"] in names
    handler = out.handler
    env = {e["name"]: e for e in handler["env"]}
    zedge_base = args_of(out.zedge)["zclient-stream"]
    assert "zclient-connect" not in args_of(out.zedge)  # zedge binds, the handler connects
    if v["sidecar"]["transport"] == "tcp":
        assert zedge_base == f"tcp://127.0.0.1:{v['sidecar']['tcpPort']}"
        assert env["ZEDGE_STREAM_BASE"]["value"] == zedge_base
        assert "ipc-file-mode" not in args_of(out.zedge)
    else:
        mount = v["handler"]["ipcMountPath"]
        assert zedge_base == "ipc:///var/run/zedge/client"
        assert env["ZEDGE_STREAM_BASE"]["value"] == f"ipc://{mount}/client"
        assert args_of(out.zedge)["ipc-file-mode"] == "660"
        assert {"name": "zedge-run", "mountPath": mount} in handler["volumeMounts"]
        assert spec["securityContext"]["fsGroup"] == 65532
    if v["zedge"]["id"]:
        assert env["ZEDGE_ID"]["value"] == v["zedge"]["id"]
    else:
        assert env["ZEDGE_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    annotations = out.deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/default-container"] == v["handler"]["name"]
    assert out.deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "sidecar"


@pytest.mark.parametrize("case", SIDECAR_CASES)
def test_native_or_classic_sidecar(case, rendered):
    out = rendered[case]
    spec = out.pod_spec
    installer = ["install-drain-hook"] if out.values["shutdown"]["preStopMode"] == "drain" else []
    if out.values["sidecar"]["native"]:
        assert [c["name"] for c in spec["initContainers"]] == installer + ["zedge"]
        assert out.zedge["restartPolicy"] == "Always"
        assert "zedge" not in [c["name"] for c in spec["containers"]]
    else:
        assert [c["name"] for c in spec.get("initContainers", [])] == installer
        assert [c["name"] for c in spec["containers"]][0] == "zedge"
        assert "restartPolicy" not in out.zedge


def test_default_handler_is_the_bundled_example(rendered):
    out = rendered["defaults"]
    assert out.handler["image"] == out.zedge["image"] == "zedge:0.1.0"
    assert out.handler["command"] == ["zedge-hello-handler"]
    assert "--instance=$(ZEDGE_ID)" in out.handler["args"]
    assert "example handler" in out.notes


def test_user_handler_image_and_args(rendered):
    out = rendered["sidecar-native-tcp"]
    assert out.handler["image"] == "registry.example.com/shop/handler:2.4.1"
    assert "command" not in out.handler
    assert out.handler["args"][0] == "--zhttp-base=$(ZEDGE_STREAM_BASE)"
    assert out.handler["readinessProbe"]["httpGet"]["port"] == 8081
    out = rendered["sidecar-classic-ipc"]
    assert out.handler["image"] == "registry.example.com/shop/handler"  # no tag given
    assert out.handler["command"] == ["/app/handler"]


@pytest.mark.parametrize("case", GATEWAY_CASES)
def test_gateway_mode_connects_to_the_handler_service(case, rendered):
    out = rendered[case]
    v = out.values
    spec = out.pod_spec
    assert [c["name"] for c in spec["containers"]] == ["zedge"]
    assert "initContainers" not in spec
    args = args_of(out.zedge)
    assert args["zclient-connect"] is True
    assert args["zclient-stream"] == f"tcp://{v['gateway']['handlerService']}:{v['gateway']['handlerPort']}"
    assert args["id"] == "$(POD_NAME)"  # unique per replica
    # Every handler pod behind the headless Service, followed as pods come and go.
    assert args["discovery-interval"] == str(v["gateway"].get("discoveryInterval", 10))
    svc = out.one("Service", "zedge")
    assert svc["spec"]["type"] == v["service"]["type"]
    assert svc["spec"]["ports"] == [{"name": "http", "port": v["service"]["port"],
                                     "targetPort": v["zedge"]["port"], "protocol": "TCP"}]
    assert out.deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "gateway"
    assert "handlerService" not in out.notes and v["gateway"]["handlerService"] in out.notes


# --- gated resources -----------------------------------------------------------------------

@pytest.mark.parametrize("case", ALL_CASES + [c + "/no-monitoring-api" for c in ALL_CASES])
def test_pdb_only_with_more_than_one_replica(case, rendered):
    out = rendered[case]
    v = out.values
    pdbs = out.all("PodDisruptionBudget")
    if v["replicaCount"] > 1 and v["podDisruptionBudget"]["enabled"]:
        assert len(pdbs) == 1
        spec = pdbs[0]["spec"]
        assert ("minAvailable" in spec) != ("maxUnavailable" in spec)
        assert pdbs[0]["apiVersion"] == "policy/v1"
    else:
        assert pdbs == []


def test_pdb_min_available(rendered):
    assert rendered["gateway"].one("PodDisruptionBudget")["spec"] == {
        "selector": {"matchLabels": SELECTOR}, "minAvailable": 2}
    assert rendered["sidecar-native-tcp"].one("PodDisruptionBudget")["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("case", ALL_CASES)
def test_servicemonitor_needs_the_api_the_flag_and_the_metrics_service(case, rendered):
    with_api, without_api = rendered[case], rendered[case + "/no-monitoring-api"]
    v = with_api.values
    assert without_api.all("ServiceMonitor") == []
    wanted = v["metrics"]["serviceMonitor"]["enabled"] and v["metrics"]["service"]["enabled"]
    monitors = with_api.all("ServiceMonitor")
    assert len(monitors) == (1 if wanted else 0)
    if v["metrics"]["serviceMonitor"]["enabled"]:
        assert MONITORING_API in without_api.notes
    if monitors:
        sm = monitors[0]
        assert sm["apiVersion"] == MONITORING_API
        metrics_svc = with_api.one("Service", "zedge-metrics")
        assert sm["spec"]["selector"]["matchLabels"].items() <= metrics_svc["metadata"]["labels"].items()
        # ...and selects only the metrics Service, not the client one.
        client_svc = with_api.one("Service", "zedge")
        assert not sm["spec"]["selector"]["matchLabels"].items() <= client_svc["metadata"]["labels"].items()
        assert sm["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
        endpoint = sm["spec"]["endpoints"][0]
        assert endpoint["port"] in [p["name"] for p in metrics_svc["spec"]["ports"]]
        assert endpoint["path"] == "/metrics"
        assert endpoint["interval"] == v["metrics"]["serviceMonitor"]["interval"]
        for key, value in v["metrics"]["serviceMonitor"]["labels"].items():
            assert sm["metadata"]["labels"][key] == value


@pytest.mark.parametrize("case", ALL_CASES)
def test_metrics_service_targets_the_admin_port(case, rendered):
    out = rendered[case]
    v = out.values
    services = {s["metadata"]["name"]: s for s in out.all("Service")}
    if not v["metrics"]["service"]["enabled"]:
        assert "zedge-metrics" not in services
        return
    ports = services["zedge-metrics"]["spec"]["ports"]
    assert ports == [{"name": "metrics", "port": v["metrics"]["service"]["port"],
                      "targetPort": v["admin"]["port"], "protocol": "TCP"}]


# --- admin token ---------------------------------------------------------------------------

def token_wiring(out):
    volumes = {v["name"]: v for v in out.pod_spec["volumes"]}
    mounts = {m["name"]: m for m in out.zedge["volumeMounts"]}
    return args_of(out.zedge).get("admin-token-file"), volumes.get("admin-token"), mounts.get("admin-token")


def test_no_token_by_default(rendered):
    out = rendered["defaults"]
    assert token_wiring(out) == (None, None, None)
    assert out.all("Secret") == []


def test_generated_token_secret(rendered):
    out = rendered["sidecar-native-tcp"]
    secret = out.one("Secret", "zedge-admin-token")
    token = base64.b64decode(secret["data"]["token"]).decode()
    assert re.match(r"^[A-Za-z0-9]{40}$", token)
    path, volume, mount = token_wiring(out)
    assert volume["secret"]["secretName"] == "zedge-admin-token"
    assert volume["secret"]["items"] == [{"key": "token", "path": "token"}]
    assert volume["secret"]["defaultMode"] == 0o440
    assert mount["readOnly"] is True
    assert path == mount["mountPath"] + "/token"


def test_given_token_secret_and_rollout_checksum(rendered):
    out = rendered["gateway"]
    secret = out.one("Secret", "zedge-admin-token")
    assert base64.b64decode(secret["data"]["token"]).decode() == "s3cr3t-t0ken"
    annotations = out.deployment["spec"]["template"]["metadata"]["annotations"]
    assert re.match(r"^[0-9a-f]{64}$", annotations["checksum/admin-token"])


def test_existing_token_secret(rendered):
    out = rendered["sidecar-classic-ipc"]
    assert out.all("Secret") == []
    path, volume, mount = token_wiring(out)
    assert volume["secret"]["secretName"] == "shop-zedge-admin"
    assert volume["secret"]["items"] == [{"key": "bearer", "path": "token"}]
    assert path == mount["mountPath"] + "/token"
    assert "shop-zedge-admin" in out.notes


# --- helm test pod, NOTES, names ------------------------------------------------------------

@pytest.mark.parametrize("case", ALL_CASES)
def test_helm_test_pod(case, rendered):
    out = rendered[case]
    v = out.values
    pods = out.hook_pods
    assert len(pods) == 1
    pod = pods[0]
    assert pod["spec"]["restartPolicy"] == "Never"
    container = pod["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    services = {s["metadata"]["name"]: s for s in out.all("Service")}
    assert env["SERVICE_HOST"] in services
    script = container["args"][0]
    assert ("/readyz" in script) == v["metrics"]["service"]["enabled"]
    if v["metrics"]["service"]["enabled"]:
        assert env["METRICS_HOST"] in services
    if v["tests"]["image"]["repository"]:
        assert container["image"].startswith(v["tests"]["image"]["repository"] + ":")
    else:
        assert container["image"] == out.zedge["image"]
    # The script is valid bash.
    proc = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("case", ALL_CASES)
def test_notes_render(case, rendered):
    out = rendered[case]
    assert f"{out.values['mode']} mode" in out.notes
    assert "helm test zedge" in out.notes
    assert "<no value>" not in out.notes and "<no value>" not in out.text


def test_native_sidecar_warning_on_old_clusters(render):
    assert "WARNING: native sidecars" in render(kube_version="v1.28.3").notes
    assert "WARNING" not in render(kube_version="v1.29.0").notes


def test_kube_version_constraint(render):
    with pytest.raises(RenderError, match="incompatible with Kubernetes"):
        render(kube_version="v1.22.0")


def test_long_release_names_stay_valid_dns_labels(render):
    name = "a-very-long-release-name-that-goes-on-and-on-past-sixty-three-chars"
    out = render(name=name, values={"admin": {"token": {"enabled": True}}})
    for doc in out.docs:
        assert DNS_LABEL.match(doc["metadata"]["name"]), doc["metadata"]["name"]
    assert out.one("Secret")["metadata"]["name"].endswith("-admin-token")


# --- template-time validation ------------------------------------------------------------

@pytest.mark.parametrize("values, message", [
    ({"mode": "gateway"}, "gateway.handlerService is required"),
    ({"podDisruptionBudget": {"minAvailable": 1}}, "not both"),
    ({"shutdown": {"terminationGracePeriodSeconds": 20}},
     r"terminationGracePeriodSeconds \(20\) must be above zedge.drainTimeoutSeconds \(25\)"),
    ({"admin": {"token": {"enabled": True, "existingSecret": "s", "value": "v"}}}, "not both"),
])
def test_invalid_combinations_fail_to_render(render, values, message):
    with pytest.raises(RenderError, match=message):
        render(values=values)
