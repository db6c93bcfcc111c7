#!/usr/bin/env python3
"""Proves the operations checks fail on real defects: each mutation breaks a copy of a shipped file
(an alert threshold, a for: duration, a join, a label, a runbook link; a dashboard metric name; a Velero
field) and the check that guards it must exit non-zero. The pristine files must pass first.

Usage: python -m checks.alerts.mutations   (run by scripts/ops/lint-ops.sh; prints 'N passed, M failed')
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULES = os.path.join(ROOT, "apps/base/observability/prometheusrule.yaml")
DASHBOARD = os.path.join(ROOT, "apps/base/observability/dashboards/worker.json")
PYTHON = os.path.join(ROOT, ".local/venvs/ops/bin/python")
LINT_PYTHON = os.path.join(ROOT, ".local/venvs/lint/bin/python")

# (what the defect is, old text, new text): old must occur exactly once in the PrometheusRule.
RULE_MUTATIONS = [
    (
        "High5xx fast burn pages at 1.44x instead of 14.4x",
        "replicasafe:api_errors:ratio_rate1h > (14.4 * 0.001)",
        "replicasafe:api_errors:ratio_rate1h > (1.44 * 0.001)",
    ),
    (
        "High5xx counts 4xx as server errors",
        'route="/v1/events", status=~"5.."}[5m]',
        'route="/v1/events", status=~"[45].."}[5m]',
    ),
    (
        "HighLatencyP95 measures the median",
        "record: replicasafe:api_request_duration_seconds:p95_rate5m\n          expr: histogram_quantile(0.95,",
        "record: replicasafe:api_request_duration_seconds:p95_rate5m\n          expr: histogram_quantile(0.5,",
    ),
    (
        "KafkaLag waits 5m instead of 10m",
        "deriv(replicasafe:consumer_lag:sum[10m]) > 0\n          for: 10m",
        "deriv(replicasafe:consumer_lag:sum[10m]) > 0\n          for: 5m",
    ),
    (
        "KafkaLag also fires while the lag drains",
        "            replicasafe:consumer_lag:sum > 1000\n            and on (consumergroup, topic)\n            deriv(replicasafe:consumer_lag:sum[10m]) > 0",
        "            replicasafe:consumer_lag:sum > 1000\n            and on (consumergroup, topic)\n            deriv(replicasafe:consumer_lag:sum[10m]) > -1000",
    ),
    (
        "WorkerNotConsuming requires commits instead of their absence",
        "            unless on ()\n            sum(rate(replicasafe_worker_offset_commits_total",
        "            and on ()\n            sum(rate(replicasafe_worker_offset_commits_total",
    ),
    (
        "ProcessingErrors fires after 1m instead of 10m",
        "            replicasafe:worker_events_failed:rate5m > 0.1\n          for: 10m",
        "            replicasafe:worker_events_failed:rate5m > 0.1\n          for: 1m",
    ),
    (
        "DeadLetterRate warning needs 100 dead letters",
        "increase(replicasafe_worker_events_dead_lettered_total[15m])) > 0",
        "increase(replicasafe_worker_events_dead_lettered_total[15m])) > 100",
    ),
    (
        "DuplicateSkipsSpike threshold 50% instead of 5%",
        "               + (replicasafe:worker_events_applied:rate10m or 0 * replicasafe:worker_duplicates_skipped:rate10m))\n            > 0.05",
        "               + (replicasafe:worker_events_applied:rate10m or 0 * replicasafe:worker_duplicates_skipped:rate10m))\n            > 0.5",
    ),
    (
        "EventIDConflict waits for 10 conflicts",
        "increase(replicasafe_worker_event_id_conflicts_total[15m])) > 0",
        "increase(replicasafe_worker_event_id_conflicts_total[15m])) > 10",
    ),
    (
        "SettlementMissed off by one period",
        "max by (namespace) (replicasafe_worker_last_settled_period > 0) - 1\n            > 2",
        "max by (namespace) (replicasafe_worker_last_settled_period > 0)\n            > 2",
    ),
    (
        "SettlementMissed reads a replica that has not settled yet (0) as overdue",
        "max by (namespace) (replicasafe_worker_last_settled_period > 0) - 1",
        "max by (namespace) (replicasafe_worker_last_settled_period) - 1",
    ),
    (
        "SettlementMissed misses a group that never settles (gauge stuck at 0)",
        "absent(replicasafe_worker_last_settled_period > 0)",
        "absent(replicasafe_worker_last_settled_period)",
    ),
    ("BackupStale allows a 80-day-old full backup", "expr: vector(691200)", "expr: vector(6912000)"),
    (
        "BackupStale ignores a failing archive_command",
        "max by (namespace) (ccp_archive_command_status_seconds_since_last_fail) > 300",
        "max by (namespace) (ccp_archive_command_status_seconds_since_last_fail) > 300000",
    ),
    ("an alert loses its severity", "labels: {severity: critical, signal: overdue}", "labels: {signal: overdue}"),
    (
        "a runbook link points to a runbook that does not exist",
        "runbook_url: https://github.com/replicasafe/replicasafe/blob/main/docs/runbooks/ALERT-DuplicateSkipsSpike.md",
        "runbook_url: https://github.com/replicasafe/replicasafe/blob/main/docs/runbooks/ALERT-DuplicateSkips.md",
    ),
    (
        "a rule queries a metric the code does not emit",
        "record: replicasafe:worker_events_applied:rate5m\n          expr: sum by (namespace) (rate(replicasafe_worker_events_applied_total[5m]))",
        "record: replicasafe:worker_events_applied:rate5m\n          expr: sum by (namespace) (rate(replicasafe_worker_events_processed_total[5m]))",
    ),
    ("a rule has a PromQL syntax error", "expr: vector(93600)", "expr: vector(93600"),
]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, **kw)


def queries_check(rule_file, *dashboards):
    """Extracts the PrometheusRule's groups to a plain rules file, then checks that every rule query (and every
    dashboard query) parses and names only metrics of the contract. An extraction that fails is a failed check:
    the queries would otherwise be checked against a missing or stale rules file."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "rules.yaml")
        extracted = run([PYTHON, "-m", "scripts.ops.extract_rules", plain, rule_file])
        if extracted.returncode != 0:
            print(f"extract_rules failed on {rule_file} (exit {extracted.returncode}): {extracted.stderr.strip()}")
            return extracted.returncode
        contract = os.path.join(ROOT, "docs/interfaces.md")
        return run(
            [PYTHON, "-m", "scripts.ops.check_queries", "--contract", contract, "--rules", plain, *dashboards]
        ).returncode


def rules_check(rule_file):
    """The alert pipeline plus the metric-name check on the same rules."""
    result = run(["bash", os.path.join(ROOT, "scripts/ops/test-alerts.sh"), rule_file])
    if result.returncode != 0:
        return result.returncode
    return queries_check(rule_file)


def dashboard_check(dashboard, rule_file=RULES):
    """A dashboard's queries, checked with the shipped rules (dashboards may query recorded series)."""
    return queries_check(rule_file, dashboard)


def dashboard_mutations(board):
    """(what the defect is, the broken worker dashboard's text): each must fail the queries check."""
    # The logs panel's LogQL target: valid JSON either way, so only the Loki rule can catch its two.
    loki_target = '"uid": "loki"\n     },\n     "expr": "{'
    return [
        (
            "a dashboard panel queries an unknown metric",
            board.replace("replicasafe_worker_duplicates_skipped_total", "replicasafe_worker_duplicates_total", 1),
        ),
        ("a dashboard query does not parse", board.replace("sum by (kind) (increase(", "sum by (kind) (increase((", 1)),
        ("a dashboard file is truncated JSON", board[: len(board) // 2]),
        (
            "a Loki query on another data source uid",
            board.replace(loki_target, '"uid": "logs"\n     },\n     "expr": "{', 1),
        ),
        (
            "a Loki query without a stream selector",
            board.replace(loki_target, '"uid": "loki"\n     },\n     "expr": "', 1),
        ),
    ]


def velero_check(manifest):
    return run(
        [LINT_PYTHON, "-m", "scripts.lint.validate_manifests", "--crds", os.path.join(ROOT, "platform/crds"), manifest]
    ).returncode


def main():
    passed = failed = 0

    def expect(name, rc, want_failure):
        nonlocal passed, failed
        ok = (rc != 0) if want_failure else (rc == 0)
        passed, failed = passed + ok, failed + (not ok)
        verdict = "ok  " if ok else "FAIL"
        print(f"{verdict} - {name}: check exit {rc}, expected {'failure' if want_failure else 'success'}")

    pristine = open(RULES).read()
    with tempfile.TemporaryDirectory() as tmp:
        expect("pristine PrometheusRule passes", rules_check(RULES), False)
        jobs = []
        for index, (name, old, new) in enumerate(RULE_MUTATIONS):
            if pristine.count(old) != 1:
                print(f"FAIL - mutation '{name}': its text occurs {pristine.count(old)} times (update the mutation)")
                failed += 1
                continue
            copy = os.path.join(tmp, f"prometheusrule-{index}.yaml")
            with open(copy, "w") as handle:
                handle.write(pristine.replace(old, new))
            jobs.append((name, copy))
        # Each check is independent (own temporary directories): run them side by side.
        with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            for (name, _), rc in zip(jobs, pool.map(lambda job: rules_check(job[1]), jobs), strict=True):
                expect(f"mutation caught: {name}", rc, True)

        expect("pristine worker dashboard passes", dashboard_check(DASHBOARD), False)
        bad = os.path.join(tmp, "worker.json")
        for name, text in dashboard_mutations(open(DASHBOARD).read()):
            with open(bad, "w") as handle:
                handle.write(text)
            expect(f"mutation caught: {name}", dashboard_check(bad), True)

        kubectl = shutil.which("kubectl")
        render = None
        if kubectl:
            versioned = os.path.join(os.path.dirname(os.path.realpath(kubectl)), "kubectl.1.32")
            command = [versioned] if os.access(versioned, os.X_OK) else [kubectl]
            render = run(command + ["kustomize", os.path.join(ROOT, "apps/base/observability")])
        if render is None or render.returncode != 0:
            print("FAIL - could not render apps/base/observability with kubectl kustomize")
            failed += 1
        else:
            manifest = os.path.join(tmp, "observability.yaml")
            with open(manifest, "w") as handle:
                handle.write(render.stdout)
            expect("pristine observability manifests validate against the CRDs", velero_check(manifest), False)
            with open(manifest, "w") as handle:
                handle.write(re.sub(r"snapshotVolumes: true", "snapshotVolume: true", render.stdout, count=1))
            expect("mutation caught: a misspelt Velero Schedule field", velero_check(manifest), True)
            with open(manifest, "w") as handle:
                handle.write(re.sub(r"- alert: High5xx", "- alertname: High5xx", render.stdout, count=1))
            expect("mutation caught: a misspelt PrometheusRule field", velero_check(manifest), True)

    print(f"mutations: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
