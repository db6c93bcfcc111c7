#!/usr/bin/env python3
"""Meta-checks on the alert rules and their unit tests:
- every alert has a `severity` label, a `summary`, a `description` and a `runbook_url` that names
  docs/runbooks/ALERT-<alertname>.md, which must exist and hold the required runbook sections;
- every summary quotes the measured value ({{ $value ... }}) unless the rule is an absent() check;
- every alert has at least one promtool test where it fires and one where it must stay quiet.

Usage: python -m scripts.ops.check_alert_coverage RULES.yaml RUNBOOK_DIR TEST.yaml [TEST.yaml ...]
"""

import os
import sys

import yaml

SECTIONS = [
    "## What it means",
    "## First five minutes",
    "## Queries and commands",
    "## Causes",
    "## Mitigation",
    "## Rollback",
    "## Verification",
    "## Escalation",
]


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    rules_path, runbooks, tests = argv[1], argv[2], argv[3:]
    problems = []
    alerts = {}
    for group in yaml.safe_load(open(rules_path))["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            alerts.setdefault(name, 0)
            alerts[name] += 1
            labels, notes = rule.get("labels") or {}, rule.get("annotations") or {}
            if labels.get("severity") not in ("critical", "warning", "info"):
                problems.append(f"{name}: severity label missing or not critical|warning|info")
            for key in ("summary", "description", "runbook_url"):
                if not notes.get(key):
                    problems.append(f"{name}: annotation {key} missing")
            if "$value" not in notes.get("summary", "") and not rule["expr"].lstrip().startswith("absent("):
                problems.append(f"{name}: summary does not quote {{{{ $value }}}}")
            url = notes.get("runbook_url", "")
            expected = f"docs/runbooks/ALERT-{name}.md"
            if not url.endswith(expected):
                problems.append(f"{name}: runbook_url {url!r} does not end with {expected}")
            path = os.path.join(runbooks, f"ALERT-{name}.md")
            if alerts[name] > 1:
                continue
            if not os.path.isfile(path):
                problems.append(f"{name}: runbook {path} does not exist")
            else:
                text = open(path).read()
                for section in SECTIONS:
                    if section not in text:
                        problems.append(f"{path}: section '{section}' missing")
    fires, quiet = {}, {}
    cases = 0
    for path in tests:
        for test in yaml.safe_load(open(path))["tests"]:
            for case in test.get("alert_rule_test") or []:
                cases += 1
                target = fires if case.get("exp_alerts") else quiet
                target[case["alertname"]] = target.get(case["alertname"], 0) + 1
    for name in sorted(alerts):
        if not fires.get(name):
            problems.append(f"{name}: no test where it fires")
        if not quiet.get(name):
            problems.append(f"{name}: no test where it must stay quiet")
    for name in sorted(set(fires) | set(quiet)):
        if name not in alerts:
            problems.append(f"tests check alert {name}, which no rule defines")
    for problem in problems:
        print(f"alert coverage: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"alert coverage: {len(alerts)} alerts ({sum(alerts.values())} rules), {cases} test cases, "
        f"each alert fires in at least one and stays quiet in at least one; runbooks complete"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
