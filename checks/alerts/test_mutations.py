"""The mutation harness's own check: a rules file that cannot be extracted fails the query check, for the rules
and for the dashboards alike, even when the query checker (run on whatever the extraction left) would pass.

Usage: python -m checks.alerts.test_mutations   (run by scripts/ops/lint-ops.sh)"""

import subprocess
import unittest
from unittest import mock

from checks.alerts import mutations


def fake_run(extract_rc):
    """A stand-in for mutations.run: extraction exits extract_rc, the query checker always passes."""
    calls = []

    def run(cmd, **_):
        calls.append(cmd)
        rc = extract_rc if "scripts.ops.extract_rules" in cmd else 0
        return subprocess.CompletedProcess(cmd, rc, stdout="", stderr="extract_rules: not a PrometheusRule")

    return run, calls


class QueriesCheck(unittest.TestCase):
    def test_a_failed_extraction_fails_the_dashboard_check(self):
        run, calls = fake_run(extract_rc=1)
        with mock.patch.object(mutations, "run", run):
            self.assertNotEqual(mutations.dashboard_check("worker.json", "broken-rule.yaml"), 0)
        self.assertFalse(any("scripts.ops.check_queries" in c for c in calls), "queries checked without rules")

    def test_a_failed_extraction_fails_the_rules_check(self):
        run, _ = fake_run(extract_rc=2)
        with mock.patch.object(mutations, "run", run):
            self.assertEqual(mutations.rules_check("broken-rule.yaml"), 2)

    def test_a_clean_extraction_hands_the_dashboard_to_the_query_checker(self):
        run, calls = fake_run(extract_rc=0)
        with mock.patch.object(mutations, "run", run):
            self.assertEqual(mutations.dashboard_check("worker.json"), 0)
        checked = [c for c in calls if "scripts.ops.check_queries" in c]
        self.assertEqual(len(checked), 1)
        self.assertEqual(checked[0][-1], "worker.json")


if __name__ == "__main__":
    unittest.main()
