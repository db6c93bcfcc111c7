"""The schedule an e2e run applied, as a simulator scenario file (`sim --scenario FILE`, Sources/Sim/Scenario/
ScenarioFile.swift): the same scaling steps, kills and broker outage at the times they happened (milliseconds
since the traffic started), over traffic of the same size and duration.

What the file cannot carry is listed under `not_modelled`, so a replay's reader knows where the simulated run
differs by construction: the e2e SIGKILLs a worker while its batch waits on a ledger lock (the simulator kills
at the planned instant), takes one broker of three down (the simulator's broker-outage cuts every broker), and
starts the replacement of a killed worker at a step of its own (a simulated Deployment replaces it at once).
"""

from __future__ import annotations

FORMAT = "replicasafe-scenario/1"

NOT_MODELLED = [
    "the e2e kills a worker while its batch waits on a ledger lock; the simulator kills at the planned instant",
    "the e2e takes one broker of three down; the simulator's broker-outage makes every broker unreachable",
    "the e2e starts a killed worker's replacement at a later step; the simulator's Deployment replaces it after 2-6 s",
    "the e2e's traffic is uniform through the api; the simulator draws its traffic (with bursts) from the seed",
]


def export(
    schedule: list[dict],
    *,
    seed: int,
    events: int,
    traffic_seconds: float,
    accounts: int,
    settlement_period: int,
    broker_down_seconds: float,
    partitions: int = 12,
    batch_max_events: int = 500,
    shutdown_grace_seconds: int = 20,
) -> dict:
    """`schedule`: the actions as applied, in order, each {"t": seconds since the traffic started, "action",
    "argument", "worker"} (worker: the one killed or SIGTERMed)."""
    replicas = 1
    scaling = [{"at_ms": 0, "replicas": 1}]
    faults = []
    for step in schedule:
        at = max(0, round(step["t"] * 1000))
        action = step["action"]
        wanted = replicas
        if action == "scale" or action == "term_to":
            wanted = step["argument"]
        elif action == "term":
            wanted = max(1, replicas - 1)
        elif action == "kill":
            faults.append({"at_ms": at, "kind": "kill", "target": max(0, step["worker"] - 1), "duration_ms": 0})
        elif action == "broker":
            faults.append(
                {"at_ms": at, "kind": "broker-outage", "target": 0, "duration_ms": round(broker_down_seconds * 1000)}
            )
        if wanted != replicas:
            replicas = wanted
            scaling.append({"at_ms": at, "replicas": wanted})
    return {
        "format": FORMAT,
        "source": "make e2e",
        "seed": seed,
        "partitions": partitions,
        "replicas": max(s["replicas"] for s in scaling),
        "events": events,
        "traffic_ms": round(traffic_seconds * 1000),
        "accounts": accounts,
        "settlement_period_ms": settlement_period * 1000,
        "batch_max_events": batch_max_events,
        "shutdown_grace_ms": shutdown_grace_seconds * 1000,
        "scaling": scaling,
        "faults": faults,
        "not_modelled": NOT_MODELLED,
    }
