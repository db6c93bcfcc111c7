#!/usr/bin/env python3
"""The Alertmanager configuration in platform/values/kube-prometheus-stack.yaml (alertmanager.config), checked
with the real amtool (Debian prometheus-alertmanager):
1. `amtool check-config`: the file Alertmanager would load is valid (receivers, matchers, templates).
2. `amtool config routes test --verify.receivers=...` for every alert rule of every PrometheusRule under apps/,
   with the rule's own labels: each critical reaches the paging receiver, each warning the ticket receiver. A rule
   with another severity, or none, is an error: it would reach nobody.
3. Inhibition (amtool cannot test it): for every alert that exists as critical and as warning, an inhibit rule
   whose source matches the critical, whose target matches the warning, and whose `equal` labels both carry.
4. kube-prometheus-stack's own Watchdog heartbeat goes to the null receiver (it fires all the time).

usage: check_alertmanager.py --values FILE --rules DIR [--amtool amtool] [--page page] [--ticket ticket]
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

PROBLEMS = []


def rules_in(directory):
    """(alert name, labels) of every alerting rule of every PrometheusRule under directory."""
    found = []
    for path in sorted(glob.glob(os.path.join(directory, "**", "*.yaml"), recursive=True)):
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                if not doc or doc.get("kind") != "PrometheusRule":
                    continue
                namespace = doc["metadata"].get("namespace", "")
                for group in doc["spec"].get("groups", []):
                    for rule in group.get("rules", []):
                        if "alert" in rule:
                            labels = {
                                "namespace": namespace,
                                **{k: str(v) for k, v in (rule.get("labels") or {}).items()},
                            }
                            found.append((rule["alert"], labels))
    return found


def parse_matcher(text):
    match = re.fullmatch(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"?(.*?)"?\s*', text)
    if not match:
        raise ValueError(f"cannot read matcher {text!r}")
    return match.groups()


def matches(matchers, labels):
    for text in matchers:
        name, op, value = parse_matcher(text)
        have = labels.get(name, "")
        ok = {
            "=": have == value,
            "!=": have != value,
            "=~": re.fullmatch(value, have) is not None,
            "!~": re.fullmatch(value, have) is None,
        }[op]
        if not ok:
            return False
    return True


def routes_test(amtool, config, labels, expected):
    args = [amtool, "config", "routes", "test", f"--config.file={config}", f"--verify.receivers={expected}"]
    args += [f"{k}={v}" for k, v in sorted(labels.items())]
    proc = subprocess.run(args, capture_output=True, text=True)
    got = proc.stdout.strip().splitlines()[0] if proc.stdout.strip() else proc.stderr.strip()
    return proc.returncode == 0, got


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--amtool", default="amtool")
    parser.add_argument("--page", default="page")
    parser.add_argument("--ticket", default="ticket")
    args = parser.parse_args()
    values = yaml.safe_load(open(args.values)) or {}
    config = (values.get("alertmanager") or {}).get("config")
    if not isinstance(config, dict):
        print(f"alertmanager: {args.values} has no alertmanager.config")
        return 1
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "alertmanager.yaml")
        with open(path, "w") as handle:
            yaml.safe_dump(config, handle)
        proc = subprocess.run([args.amtool, "check-config", path], capture_output=True, text=True)
        if proc.returncode != 0:
            print((proc.stdout + proc.stderr).strip())
            print("alertmanager: FAILED amtool check-config")
            return 1
        print(f"alertmanager: amtool check-config ok ({len(config.get('receivers', []))} receivers)")
        rules = rules_in(args.rules)
        if not rules:
            PROBLEMS.append(f"no alert rules found under {args.rules}")
        want = {"critical": args.page, "warning": args.ticket}
        for name, labels in rules:
            severity = labels.get("severity")
            if severity not in want:
                PROBLEMS.append(
                    f"alert {name} has severity {severity!r}: only critical (pages) and warning (tickets) reach anyone"
                )
                continue
            ok, got = routes_test(args.amtool, path, {"alertname": name, **labels}, want[severity])
            if not ok:
                PROBLEMS.append(f"alert {name} ({severity}, {labels}) is routed to {got!r}, want {want[severity]!r}")
        ok, got = routes_test(args.amtool, path, {"alertname": "Watchdog", "severity": "none"}, "null")
        if not ok:
            PROBLEMS.append(f"Watchdog (severity none) is routed to {got!r}, want 'null'")
        both = sorted(
            {n for n, labels in rules if labels.get("severity") == "critical"}
            & {n for n, labels in rules if labels.get("severity") == "warning"}
        )
        for name in both:
            critical = next(labels for n, labels in rules if n == name and labels.get("severity") == "critical")
            warning = next(labels for n, labels in rules if n == name and labels.get("severity") == "warning")
            source, target = {"alertname": name, **critical}, {"alertname": name, **warning}
            covered = [
                r
                for r in config.get("inhibit_rules", [])
                if matches(r.get("source_matchers", []), source)
                and matches(r.get("target_matchers", []), target)
                and all(source.get(k) is not None and source.get(k) == target.get(k) for k in r.get("equal", []))
            ]
            if not covered:
                PROBLEMS.append(f"alert {name}: no inhibit rule silences its warning while its critical fires")
    for line in PROBLEMS:
        print(f"alertmanager: {line}")
    print(
        f"alertmanager: {len(rules)} alert rules routed with amtool (critical -> {args.page}, warning -> "
        f"{args.ticket}), {len(both)} critical/warning pairs checked for inhibition; {len(PROBLEMS)} problems"
    )
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
