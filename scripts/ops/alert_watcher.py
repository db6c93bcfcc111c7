"""Prometheus as `make alerts-e2e` watches it: its HTTP API, the alert rules a run targets, and a poller of
/api/v1/alerts that records when each alert went pending, firing and inactive."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass


def http_json(url: str, timeout: float = 5.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def http_post(url: str, timeout: float = 10.0) -> str:
    request = urllib.request.Request(url, method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read().decode().strip()


@dataclass
class Target:
    """An alert rule to see pending -> firing -> resolved: its alertname and labels (None = label absent)."""

    key: str
    alertname: str
    labels: dict[str, str | None]
    rule: str  # human description: which copy, severity, for:

    def matches(self, alert_labels: dict[str, str]) -> bool:
        if alert_labels.get("alertname") != self.alertname:
            return False
        for name, value in self.labels.items():
            if value is None and name in alert_labels:
                return False
            if value is not None and alert_labels.get(name) != value:
                return False
        return True


@dataclass
class Observation:
    pending_at: float | None = None  # first poll that saw it pending (monotonic)
    firing_at: float | None = None  # first poll that saw it firing
    active_at: str | None = None  # Prometheus' activeAt of the firing alert (RFC 3339)
    resolved_at: float | None = None  # first poll without it after the fault was removed
    value: str | None = None


class AlertWatcher:
    """Polls /api/v1/alerts every `interval` seconds and keeps, per set of labels, when it was seen in which
    state. Alerts only appear there while pending or firing: 'resolved' is their disappearance."""

    def __init__(self, base: str, interval: float = 1.0):
        self.base, self.interval = base, interval
        self.lock = threading.Lock()
        self.active: dict[tuple, dict] = {}
        self.history: list[dict] = []
        self.stop_event = threading.Event()
        self.errors = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.t0 = time.monotonic()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                alerts = http_json(f"{self.base}/api/v1/alerts")["data"]["alerts"]
            except (OSError, ValueError, KeyError):
                self.errors += 1
                alerts = None
            if alerts is not None:
                t = time.monotonic()
                current = {}
                for alert in alerts:
                    key = tuple(sorted(alert["labels"].items()))
                    current[key] = alert
                with self.lock:
                    for key, alert in current.items():
                        before = self.active.get(key)
                        if before is None or before["state"] != alert["state"]:
                            self.history.append(
                                {
                                    "t": round(t - self.t0, 1),
                                    "labels": alert["labels"],
                                    "state": alert["state"],
                                    "value": alert.get("value"),
                                }
                            )
                    for key, alert in self.active.items():
                        if key not in current:
                            self.history.append(
                                {"t": round(t - self.t0, 1), "labels": alert["labels"], "state": "inactive"}
                            )
                    self.active = current
            self.stop_event.wait(self.interval)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.active.values())

    def matching(self, target: Target) -> list[dict]:
        return [a for a in self.snapshot() if target.matches(a["labels"])]

    def wait_inactive(self, targets: list[Target], seconds: float) -> list[Target]:
        """Waits up to `seconds` until no alert of `targets` is pending or firing; returns those still active."""
        deadline = time.monotonic() + seconds
        while any(self.matching(t) for t in targets) and time.monotonic() < deadline:
            time.sleep(1)
        return [t for t in targets if self.matching(t)]


def query(base: str, promql: str) -> list:
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    try:
        return http_json(url)["data"]["result"]
    except (OSError, ValueError, KeyError):
        return []
