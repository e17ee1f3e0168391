"""Fixtures of the chart tests: the renderer (render/, a small `helm template` built from
Debian's Go packages) and what it produced, parsed."""

import json
import os
import pathlib
import subprocess

import pytest
import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHART = ROOT / "helm" / "zedge"
VALUES_DIR = HERE / "values"
INVALID_VALUES_DIR = HERE / "values-invalid"
YAMLLINT_CONFIG = HERE / "yamllint.yaml"
MONITORING_API = "monitoring.coreos.com/v1"
NAMESPACE = "shop"

# name -> values file (None: the chart's defaults only)
CASES = {"defaults": None, **{p.stem: p for p in sorted(VALUES_DIR.glob("*.yaml"))}}


class RenderError(Exception):
    pass


class Rendered:
    """One `helm template` run: the manifests, NOTES.txt and the coalesced values."""

    def __init__(self, text, notes, values):
        self.text = text
        self.notes = notes
        self.values = values
        self.docs = [d for d in yaml.safe_load_all(text) if d]

    def all(self, kind):
        return [d for d in self.docs if d["kind"] == kind]

    def one(self, kind, name=None):
        found = [d for d in self.all(kind) if name is None or d["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name or ''}, got {len(found)}"
        return found[0]

    @property
    def deployment(self):
        return self.one("Deployment")

    @property
    def pod_spec(self):
        return self.deployment["spec"]["template"]["spec"]

    def container(self, name):
        spec = self.pod_spec
        found = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == name]
        assert len(found) == 1, f"container {name}: {len(found)} found"
        return found[0]

    @property
    def zedge(self):
        return self.container("zedge")

    @property
    def handler(self):
        return self.container(self.values["handler"]["name"])

    @property
    def hook_pods(self):
        return [d for d in self.all("Pod")
                if d["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]


class Renderer:
    def __init__(self, binary, scratch):
        self.binary = binary
        self.scratch = scratch
        self.runs = 0

    def __call__(self, values_file=None, values=None, api_versions=(), name="zedge",
                 namespace=NAMESPACE, kube_version="v1.30.0"):
        """Renders the chart with a values file and/or a dict of overrides (applied last)."""
        self.runs += 1
        run_dir = self.scratch / f"run{self.runs}"
        run_dir.mkdir()
        args = [str(self.binary), "-chart", str(CHART), "-name", name, "-namespace", namespace,
                "-kube-version", kube_version,
                "-values-out", str(run_dir / "values.json"),
                "-notes-out", str(run_dir / "NOTES.txt")]
        if values_file is not None:
            args += ["-f", str(values_file)]
        if values is not None:
            overrides = run_dir / "overrides.yaml"
            overrides.write_text(yaml.safe_dump(values))
            args += ["-f", str(overrides)]
        for api in api_versions:
            args += ["-api-versions", api]
        proc = subprocess.run(args, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RenderError(proc.stderr.strip())
        (run_dir / "manifests.yaml").write_text(proc.stdout)
        return Rendered(proc.stdout, (run_dir / "NOTES.txt").read_text(),
                        json.loads((run_dir / "values.json").read_text()))

    def coalesced_values(self, values_file):
        """The values Helm would validate against values.schema.json (defaults + file)."""
        out = self.scratch / f"coalesced-{values_file.stem}.json"
        proc = subprocess.run(
            [str(self.binary), "-chart", str(CHART), "-f", str(values_file),
             "-values-out", str(out)], capture_output=True, text=True)
        # Rendering may fail on invalid values; the values are written before that.
        if not out.exists():
            raise RenderError(proc.stderr.strip())
        return json.loads(out.read_text())


@pytest.fixture(scope="session")
def render(tmp_path_factory):
    # ctest builds the renderer once (test chart.renderer) for every test that renders.
    built = os.environ.get("ZEDGE_CHART_RENDERER")
    if built:
        return Renderer(pathlib.Path(built), tmp_path_factory.mktemp("renders"))
    work = pathlib.Path(os.environ.get("ZEDGE_CHART_WORK") or tmp_path_factory.mktemp("work"))
    subprocess.run(["bash", str(HERE / "render" / "build.sh"), str(work)], check=True)
    return Renderer(work / "render", tmp_path_factory.mktemp("renders"))


@pytest.fixture(scope="session")
def rendered(render):
    """Every case, rendered with the monitoring API present and absent."""
    out = {}
    for case, values_file in CASES.items():
        out[case] = render(values_file, api_versions=[MONITORING_API])
        out[case + "/no-monitoring-api"] = render(values_file)
    return out
