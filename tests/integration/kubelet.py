"""Plays a rendered pod spec the way the kubelet does, with real processes on this machine.

Container paths map to host paths: each volume is a directory of its own (so a volume
shared by two containers is shared here too), the image's binaries are the build outputs.
$(VAR) in command and args expands from the container's env, as the kubelet expands it.
Start: init containers in order (a regular one runs to completion, a native sidecar,
restartPolicy Always, starts and must pass its startup probe), then the main containers.
Stop: every main container's preStop hook at once, SIGTERM to each when its own hook
returns; native sidecars' hooks and SIGTERM only after every main container has exited,
in reverse start order; SIGKILL for whatever is left at terminationGracePeriodSeconds
after the stop began (the grace period covers the hooks too)."""
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

PROBE_TIMEOUT_S = 15.0


class PodError(Exception):
    pass


class Image:
    """What the kubelet takes from an image: entrypoint, working directory, and where its
    executables are (container path -> host path; bare names are looked up in `path`)."""

    def __init__(self, entrypoint, workdir, executables, path=("/usr/local/bin", "/usr/bin", "/bin")):
        self.entrypoint = list(entrypoint)
        self.workdir = workdir
        self.executables = dict(executables)
        self.path = path


class Container:
    """One container of the spec and its process."""

    def __init__(self, pod, spec, sidecar):
        self.pod = pod
        self.spec = spec
        self.name = spec["name"]
        self.sidecar = sidecar
        self.image = pod.images[spec["image"]]
        self.env = self._environment()
        self.mounts = sorted(((m["mountPath"].rstrip("/"), pod.volume_dir(m["name"]))
                              for m in spec.get("volumeMounts", [])),
                             key=lambda m: -len(m[0]))
        self.proc = None
        self.log = None
        self.exited = threading.Event()

    # -- what the kubelet computes

    def _environment(self):
        env = {}
        for entry in self.spec.get("env", []):
            if "value" in entry:
                env[entry["name"]] = expand(entry["value"], env)
                continue
            field = entry.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
            if field not in self.pod.fields:
                raise PodError(f"{self.name}: env {entry['name']}: only fieldRef "
                               f"{sorted(self.pod.fields)} is played here")
            env[entry["name"]] = self.pod.fields[field]
        if self.spec.get("envFrom"):
            raise PodError(f"{self.name}: envFrom is not played here")
        return env

    def host_path(self, path):
        """A container path on this machine: inside a volume, or an image executable."""
        for mount_path, host_dir in self.mounts:
            if path == mount_path or path.startswith(mount_path + "/"):
                return host_dir + path[len(mount_path):]
        if path in self.image.executables:
            return self.image.executables[path]
        return None

    def map_paths(self, word):
        """Every volume path inside an argument (such as --x=ipc:///var/run/zedge/client),
        in one pass so that a mapped path is not mapped again."""
        if not self.mounts:
            return word
        hosts = dict(self.mounts)
        pattern = "|".join(re.escape(mount_path) for mount_path, _ in self.mounts)  # longest first
        return re.sub(f"(?<![^/=:,\\s])({pattern})(?=/|$|[,\\s])", lambda m: hosts[m.group(1)], word)

    def executable(self, word):
        if "/" not in word:
            for directory in self.image.path:
                found = self.host_path(f"{directory}/{word}")
                if found:
                    return found
            raise PodError(f"{self.name}: {word} is not in the image")
        found = self.host_path(word)
        if found is None:
            raise PodError(f"{self.name}: {word} is neither in a volume nor in the image")
        return found

    def argv(self, command):
        words = [expand(w, self.env) for w in command]
        return [self.executable(words[0])] + [self.map_paths(w) for w in words[1:]]

    def command_line(self):
        if "command" in self.spec:
            command = self.spec["command"] + self.spec.get("args", [])
        else:
            command = self.image.entrypoint + self.spec.get("args", [])
        return self.argv(command)

    def working_dir(self):
        path = self.spec.get("workingDir", self.image.workdir)
        mapped = self.host_path(path)
        if mapped is None:  # the image's own directory: a private one here
            mapped = os.path.join(self.pod.workdir, f"{self.name}-workdir")
            os.makedirs(mapped, exist_ok=True)
        return mapped

    def process_env(self):
        env = dict(os.environ)  # PATH, and the sanitizer options of an ASan build
        env.update(self.env)
        return env

    # -- its process

    def start(self):
        self.log = open(os.path.join(self.pod.workdir, f"{self.name}.log"), "wb")
        self.proc = subprocess.Popen(self.command_line(), cwd=self.working_dir(), env=self.process_env(),
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        self.pod.record(self.name, "started")
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self):
        code = self.proc.wait()
        self.pod.record(self.name, f"exited {code}")
        self.exit_code = code
        self.exited.set()

    def run_to_completion(self, timeout):
        self.start()
        if not self.exited.wait(timeout) or self.exit_code != 0:
            raise PodError(f"init container {self.name} failed: {self.pod.log_text(self.name)}")

    def signal(self, number, label):
        if not self.exited.is_set():
            self.pod.record(self.name, label)
            try:
                self.proc.send_signal(number)
            except ProcessLookupError:
                pass

    def port(self, name_or_number):
        if isinstance(name_or_number, int):
            return name_or_number
        for port in self.spec.get("ports", []):
            if port.get("name") == name_or_number:
                return port["containerPort"]
        raise PodError(f"{self.name}: no port named {name_or_number}")

    def wait_startup_probe(self):
        probe = self.spec.get("startupProbe")
        if not probe:
            return
        get = probe["httpGet"]
        url = f"http://127.0.0.1:{self.port(get['port'])}{get['path']}"
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.exited.is_set():
                raise PodError(f"{self.name} exited before its startup probe passed")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise PodError(f"{self.name}: startup probe {url} never passed")

    # -- its preStop hook

    def run_pre_stop(self, kill_at):
        """Runs the hook until it returns or the grace period ends; the kubelet goes on
        either way (a failed hook is only an event)."""
        hook = self.spec.get("lifecycle", {}).get("preStop")
        if not hook:
            return
        self.pod.record(self.name, "preStop")
        if "sleep" in hook:
            time.sleep(max(0.0, min(hook["sleep"]["seconds"], kill_at - time.monotonic())))
            self.pod.record(self.name, "preStop returned")
            return
        if "exec" not in hook:
            raise PodError(f"{self.name}: only exec and sleep hooks are played here: {hook}")
        log_path = os.path.join(self.pod.workdir, f"{self.name}-preStop.log")
        with open(log_path, "wb") as log:
            hook_proc = subprocess.Popen(self.argv(hook["exec"]["command"]), cwd=self.working_dir(),
                                         env=self.process_env(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
            try:
                code = hook_proc.wait(max(0.0, kill_at - time.monotonic()))
            except subprocess.TimeoutExpired:
                hook_proc.kill()
                hook_proc.wait()
                code = "killed at the grace period"
        with open(log_path, "rb") as log:
            output = log.read().decode(errors="replace").strip()
        self.pod.hook_results[self.name] = (code, output)
        self.pod.record(self.name, f"preStop returned {code}")

    def stop(self, kill_at):
        """preStop, SIGTERM, then wait for the exit until the grace period ends."""
        if not self.exited.is_set():
            try:
                self.run_pre_stop(kill_at)
            except (PodError, OSError) as e:
                self.pod.errors.append(f"{self.name}: preStop not played: {e}")
            self.signal(signal.SIGTERM, "SIGTERM")
        self.exited.wait(max(0.0, kill_at - time.monotonic()))


class Pod:
    """The pod: start() as the kubelet starts it, stop() as it stops it."""

    def __init__(self, pod_spec, images, workdir, volume_root, pod_name, namespace="default"):
        self.spec = pod_spec
        self.images = images
        self.workdir = str(workdir)
        self.volume_root = volume_root
        self.fields = {"metadata.name": pod_name, "metadata.namespace": namespace}
        self.events = []  # (monotonic time, container, event)
        self.hook_results = {}  # container -> (exit code, output)
        self.errors = []  # what this player could not do
        self.lock = threading.Lock()
        self.init_containers = [Container(self, c, c.get("restartPolicy") == "Always")
                                for c in pod_spec.get("initContainers", [])]
        self.containers = [Container(self, c, False) for c in pod_spec["containers"]]
        self.started_sidecars = []
        self.stop_began = None

    def volume_dir(self, name):
        volumes = {v["name"]: v for v in self.spec.get("volumes", [])}
        if name not in volumes:
            raise PodError(f"volume {name} is not in the pod spec")
        if "emptyDir" not in volumes[name]:
            raise PodError(f"volume {name}: only emptyDir volumes are played here")
        path = os.path.join(self.volume_root, name)
        os.makedirs(path, exist_ok=True)
        return path

    def record(self, container, event):
        with self.lock:
            self.events.append((time.monotonic(), container, event))

    def container(self, name):
        (found,) = [c for c in self.init_containers + self.containers if c.name == name]
        return found

    def log_text(self, name):
        with open(os.path.join(self.workdir, f"{name}.log"), "rb") as f:
            return f.read().decode(errors="replace")

    def start(self):
        for c in self.init_containers:
            if c.sidecar:
                c.start()
                self.started_sidecars.append(c)
                c.wait_startup_probe()
            else:
                c.run_to_completion(PROBE_TIMEOUT_S)
        for c in self.containers:
            c.start()

    def stop(self):
        """Blocks until every container has exited (or was killed)."""
        self.stop_began = time.monotonic()
        kill_at = self.stop_began + self.spec.get("terminationGracePeriodSeconds", 30)
        threads = [threading.Thread(target=c.stop, args=(kill_at,), daemon=True) for c in self.containers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for c in reversed(self.started_sidecars):
            c.stop(kill_at)
        for c in self.containers + self.started_sidecars:
            if not c.exited.is_set():
                c.signal(signal.SIGKILL, "SIGKILL")
                c.exited.wait(5)

    def kill(self):
        """Cleanup after a failed test: nothing may outlive it."""
        for c in self.init_containers + self.containers:
            if c.proc is not None and c.proc.poll() is None:
                c.proc.kill()
                c.proc.wait(5)
            if c.log is not None:
                c.log.close()

    def event_time(self, container, event):
        """Seconds from the stop's start to the first `event` (a prefix) of `container`."""
        for t, name, what in self.events:
            if name == container and what.startswith(event):
                return t - self.stop_began
        return None

    def timeline(self):
        return [f"{t - (self.stop_began or t):+7.3f} s  {name}: {what}" for t, name, what in self.events]


def expand(text, env):
    """The kubelet's $(VAR) expansion: defined names are replaced, $$ is a literal $, and
    anything else is left as it is."""
    def one(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env[name] if name in env else match.group(0)
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)", one, text)
