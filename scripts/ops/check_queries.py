#!/usr/bin/env python3
"""Checks every PromQL query we ship against the metric contract.

- Dashboards (Grafana JSON): must parse, have a unique uid, and every panel target's expression must
  be valid PromQL (checked by `promtool check rules` on a generated rules file, with Grafana's
  $variables replaced by values) and name only known metrics.
- Rules (plain rules file extracted from the PrometheusRule): every expression names only known
  metrics; recorded series (names with ':') must be recorded by some rule.
- Known metrics: the backticked names in docs/interfaces.md (the contract plus the exporter lists in
  its operations section). Histogram series (_bucket, _sum, _count) count as their base name.

Usage: python -m scripts.ops.check_queries --contract docs/interfaces.md --rules rules.yaml DASHBOARD.json [...]
Exit 1 with one line per problem.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

KEYWORDS = {
    "and",
    "or",
    "unless",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "bool",
    "offset",
    "inf",
    "nan",
    "atan2",
}
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"


def known_metrics(contract_path):
    text = open(contract_path).read()
    return set(re.findall(r"`((?:replicasafe|kafka|ccp|kube|keda)_[a-z0-9_]+)", text))


def metric_names(expr):
    """Metric names referenced by a PromQL expression (a tokenizer, not a parser: strings, label
    matchers, durations and grouping clauses are removed; what is left and not a call is a name)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)
    e = re.sub(r"\{[^}]*\}", "{}", e)
    e = re.sub(r"\[[^\]]*\]", "", e)
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    names = set()
    for match in re.finditer(NAME, e):
        token = match.group(0)
        start, end = match.span()
        if start > 0 and (e[start - 1].isdigit() or e[start - 1] == "."):
            continue  # part of a number such as 1e3 or 0.5
        if token.lower() in KEYWORDS or re.fullmatch(r"\d.*", token):
            continue
        rest = e[end:].lstrip()
        if rest.startswith("("):
            continue  # a function or an aggregation
        names.add(token)
    return names


def resolve(name, known, recorded):
    if ":" in name:
        return name in recorded
    if name in known:
        return True
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in known:
            return True
    return False


def grafana_to_promql(expr):
    e = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
    e = re.sub(r"\$\{?__[a-z_]+\}?", "5m", e)
    return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", ".*", e)


def panels(items):
    for item in items:
        yield item
        yield from panels(item.get("panels") or [])


def rule_problems(rules, known, recorded):
    """Every rule's query names only known metrics or recorded series."""
    problems = []
    for group in rules:
        for rule in group["rules"]:
            label = rule.get("record") or rule.get("alert")
            for name in sorted(metric_names(rule["expr"])):
                if not resolve(name, known, recorded):
                    problems.append(f"rule {label}: unknown metric {name}")
    return problems


def dashboard_problems(path, board, known, recorded, queries):
    """A dashboard's panels each have a title and a query; PromQL targets name only known metrics (appended to
    `queries` for promtool), LogQL targets are stream selectors on the Loki data source."""
    problems, count = [], 0
    for panel in panels(board.get("panels") or []):
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            problems.append(f"{path}: panel {panel.get('id')} has no title")
        targets = panel.get("targets") or []
        if not targets:
            problems.append(f"{path}: panel {panel.get('title')!r} has no query")
        for target in targets:
            expr = target.get("expr", "")
            count += 1
            if (target.get("datasource") or {}).get("type") == "loki":
                # LogQL, not PromQL: a stream selector on the Loki data source that Grafana provisions.
                if (target.get("datasource") or {}).get("uid") != "loki" or not expr.startswith("{"):
                    problems.append(
                        f"{path}: panel {panel.get('title')!r}: a Loki query needs uid loki and a stream selector"
                    )
                continue
            queries.append((f"{os.path.basename(path)}: {panel.get('title')} [{target.get('refId')}]", expr))
            for name in sorted(metric_names(grafana_to_promql(expr))):
                if not resolve(name, known, recorded):
                    problems.append(f"{path}: panel {panel.get('title')!r}: unknown metric {name}")
    if count == 0:
        problems.append(f"{path}: no queries at all")
    return problems


def promtool_problems(queries):
    """promtool parses every query: one recording rule per query, named after its panel."""
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        yaml.safe_dump(
            {
                "groups": [
                    {
                        "name": "dashboard-queries",
                        "rules": [
                            {
                                "record": f"dashboard:query_{i}:check",
                                "expr": grafana_to_promql(expr),
                                "labels": {"panel": where},
                            }
                            for i, (where, expr) in enumerate(queries)
                        ],
                    }
                ]
            },
            handle,
        )
        tmp = handle.name
    result = subprocess.run(["promtool", "check", "rules", tmp], capture_output=True, text=True)
    os.unlink(tmp)
    if result.returncode != 0:
        return [f"promtool rejects a dashboard query:\n{result.stdout}{result.stderr}"]
    return []


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contract", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("dashboards", nargs="*")
    args = parser.parse_args()

    known = known_metrics(args.contract)
    if len(known) < 20:
        print(f"check-queries: only {len(known)} metric names found in {args.contract}", file=sys.stderr)
        return 1
    rules = yaml.safe_load(open(args.rules))["groups"]
    recorded = {r["record"] for g in rules for r in g["rules"] if "record" in r}
    problems, queries, uids = rule_problems(rules, known, recorded), [], {}

    for path in args.dashboards:
        try:
            board = json.load(open(path))
        except (OSError, ValueError) as error:
            problems.append(f"{path}: does not parse: {error}")
            continue
        uid = board.get("uid")
        if not uid or uid in uids:
            problems.append(f"{path}: uid {uid!r} missing or also used by {uids.get(uid)}")
        uids[uid] = path
        problems += dashboard_problems(path, board, known, recorded, queries)

    if queries:
        problems += promtool_problems(queries)

    for problem in problems:
        print(f"check-queries: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(
        f"check-queries: {len(args.dashboards)} dashboards, {len(queries)} panel queries and "
        f"{sum(len(g['rules']) for g in rules)} rules parse and use only the {len(known)} known metrics "
        f"(plus {len(recorded)} recorded series)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
