"""A phase of `make alerts-e2e` (scripts/ops/alert_faults.py): one fault, the alerts it must set off, the bounds
they must fire and resolve within, and the run of it against Prometheus' alerts while traffic flows."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from scripts.ops.alert_traffic import Traffic
from scripts.ops.alert_watcher import AlertWatcher, Observation, Target, query
from scripts.stack.localstack import log


def now() -> float:
    return time.monotonic()


def alert_line(alert: dict) -> str:
    """An active alert as the report lists it: `Name{label=value,...} state`."""
    labels = ",".join(f"{k}={v}" for k, v in sorted(alert["labels"].items()) if k != "alertname")
    return f"{alert['labels']['alertname']}{{{labels}}} {alert['state']}"


@dataclass
class Phase:
    name: str
    fault: str  # what is done, in words (for the report)
    targets: list[Target]
    apply: callable
    undo: callable
    fire_within: float  # seconds: every target must fire within this after the fault
    resolve_within: float  # seconds: and resolve within this after the undo
    hold_after_fired: float = 0.0  # keep the fault a little longer (evidence that it stays firing)
    observations: dict[str, Observation] = field(default_factory=dict)
    started: float = 0.0
    undone: float = 0.0
    ended: float = 0.0
    traffic_before: dict[str, int] = field(default_factory=dict)
    traffic_after: dict[str, int] = field(default_factory=dict)
    also_active: set = field(default_factory=set)
    evidence: dict[str, object] = field(default_factory=dict)
    active_before: list[str] = field(default_factory=list)


def run_phase(phase: Phase, watcher: AlertWatcher, traffic: Traffic, prometheus: str, evidence_queries: dict) -> None:
    log(f"== phase {phase.name}: {phase.fault}")
    for target in phase.targets:
        phase.observations[target.key] = Observation()
    # Each target must be inactive when its fault starts (an earlier phase's fault may have set it off too).
    phase.active_before = sorted({t.key for t in watcher.wait_inactive(phase.targets, 120)})
    if phase.active_before:
        log(f"   still active before the fault: {phase.active_before}")
    phase.traffic_before = traffic.counts()
    phase.started = now()
    phase.apply()

    def observe() -> None:
        t = now()
        for target in phase.targets:
            obs = phase.observations[target.key]
            alerts = watcher.matching(target)
            states = {a["state"] for a in alerts}
            if "pending" in states and obs.pending_at is None and obs.firing_at is None:
                obs.pending_at = t
            if "firing" in states and obs.firing_at is None:
                obs.firing_at = t
                firing = next(a for a in alerts if a["state"] == "firing")
                obs.active_at, obs.value = firing.get("activeAt"), firing.get("value")
                log(f"   {target.key} firing after {t - phase.started:.1f} s (value {obs.value})")
            if obs.firing_at is not None and phase.undone and not alerts and obs.resolved_at is None:
                obs.resolved_at = t
                log(f"   {target.key} resolved {t - phase.undone:.1f} s after the fault was removed")
        for alert in watcher.snapshot():
            if not any(target.matches(alert["labels"]) for target in phase.targets):
                phase.also_active.add(alert_line(alert))

    deadline = phase.started + phase.fire_within
    fired_all_at = None
    while now() < deadline:
        observe()
        if all(o.firing_at is not None for o in phase.observations.values()):
            fired_all_at = fired_all_at or now()
            if now() - fired_all_at >= phase.hold_after_fired:
                break
        time.sleep(0.5)
    for name, promql in evidence_queries.get(phase.name, {}).items():
        phase.evidence[name] = [(r["metric"], r["value"][1]) for r in query(prometheus, promql)]
    phase.undone = now()
    phase.undo()
    log(f"   fault removed after {phase.undone - phase.started:.1f} s")
    deadline = phase.undone + phase.resolve_within
    while now() < deadline:
        observe()
        if all(o.resolved_at is not None or o.firing_at is None for o in phase.observations.values()):
            break
        time.sleep(0.5)
    phase.ended = now()
    phase.traffic_after = traffic.counts()
