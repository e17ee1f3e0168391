"""Watches zedge's drain through GET /status every 50 ms, so a test can tell when the drain
began, until when zedge still had work (connections, an open listener, a deadline ahead)
and whether a handler was connected all that time."""
import json
import threading
import time
import urllib.request

POLL_INTERVAL_S = 0.05


class Sample:
    def __init__(self, at, status):
        drain = status["drain"]
        self.at = at
        self.started = drain["started"]
        self.finished = drain["finished"]
        self.deadline_left = drain["deadline_seconds_left"]
        self.listeners_open = sum(1 for listener in status["listeners"] if listener["open"])
        self.connections = status["connections"]["total"]
        self.handlers = status["handlers"]["connected"]

    @property
    def busy(self):
        """zedge may still need its handler: not draining yet, or the drain not over."""
        return not (self.started and self.finished)

    def __repr__(self):
        return (f"started={self.started} finished={self.finished} left={self.deadline_left:.2f} listeners_open={self.listeners_open} "
                f"connections={self.connections} handlers={self.handlers}")


class DrainMonitor(threading.Thread):
    def __init__(self, admin_port):
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{admin_port}/status"
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            at = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=1) as response:
                    self.samples.append(Sample(at, json.loads(response.read())))
            except OSError:
                if self.samples:
                    return  # zedge has exited
            self.halt.wait(POLL_INTERVAL_S)

    def stop(self):
        self.halt.set()
        self.join(5)

    def first(self, predicate):
        return next((s for s in self.samples if predicate(s)), None)

    def last(self, predicate):
        return next((s for s in reversed(self.samples) if predicate(s)), None)
