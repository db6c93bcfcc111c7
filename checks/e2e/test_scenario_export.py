"""The e2e's schedule export: the small run's actions as applied become the scenario file in testdata/ (which
Tests/SimTests/ScenarioFileTests.swift imports), and each action maps to the step or fault it stands for."""

import json
import unittest
from pathlib import Path

from checks.e2e.scenario_export import FORMAT, export

FIXTURE = Path(__file__).parent / "testdata" / "small-schedule.json"

# What `make e2e-small` applies (checks/e2e/scale_and_kill.py, actions with --small), with plausible times.
SMALL = [
    {"t": 5.0, "action": "scale", "argument": 2},
    {"t": 10.0, "action": "scale", "argument": 3},
    {"t": 18.2, "action": "kill", "argument": 2, "worker": 3},
    {"t": 22.5, "action": "broker", "argument": 2},
    {"t": 33.0, "action": "replace", "argument": None},
    {"t": 34.1, "action": "kill", "argument": 3, "worker": 2},
    {"t": 40.0, "action": "term", "argument": None, "worker": 3},
]


def small() -> dict:
    return export(
        SMALL,
        seed=20261127,
        events=3000,
        traffic_seconds=50.0,
        accounts=200,
        settlement_period=10,
        broker_down_seconds=6,
    )


class Export(unittest.TestCase):
    def test_the_small_schedule_is_the_fixture_the_simulator_imports(self):
        self.assertEqual(small(), json.loads(FIXTURE.read_text()))

    def test_each_action_becomes_its_step_or_fault(self):
        scenario = small()
        self.assertEqual(scenario["format"], FORMAT)
        self.assertEqual(
            scenario["scaling"],
            [
                {"at_ms": 0, "replicas": 1},
                {"at_ms": 5000, "replicas": 2},
                {"at_ms": 10000, "replicas": 3},
                {"at_ms": 40000, "replicas": 2},
            ],
        )
        self.assertEqual(
            scenario["faults"],
            [
                {"at_ms": 18200, "kind": "kill", "target": 2, "duration_ms": 0},
                {"at_ms": 22500, "kind": "broker-outage", "target": 0, "duration_ms": 6000},
                {"at_ms": 34100, "kind": "kill", "target": 1, "duration_ms": 0},
            ],
        )
        self.assertEqual((scenario["replicas"], scenario["traffic_ms"], scenario["events"]), (3, 50000, 3000))

    def test_scaling_down_to_a_count_and_a_term_at_one_replica(self):
        steps = [{"t": 1, "action": "scale", "argument": 5}, {"t": 2, "action": "term_to", "argument": 1}]
        steps.append({"t": 3, "action": "term", "argument": None})
        scenario = export(
            steps, seed=1, events=10, traffic_seconds=5, accounts=2, settlement_period=10, broker_down_seconds=1
        )
        self.assertEqual([s["replicas"] for s in scenario["scaling"]], [1, 5, 1])


if __name__ == "__main__":
    unittest.main()
