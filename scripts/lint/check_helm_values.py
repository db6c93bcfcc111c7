#!/usr/bin/env python3
"""Checks every platform/values/*.yaml (and the --set-string keys of platform/install_platform.sh) against the
default values.yaml, and values.schema.json where there is one, of the chart version platform/versions.env pins.
The charts' files are vendored in platform/chart-defaults/<chart>-<version>/ (HELM_CHARTS_DIR overrides), each
checked against platform/chart-defaults/SHA256SUMS.

A key the chart's values do not have is an error (Helm would silently ignore it: a typo turns a setting off).
Below a key the chart leaves free-form the values are not checked: a default that is an empty map or null, and
keys that hold Kubernetes objects or free maps by convention (resources, annotations, labels, nodeSelector, ...).
Lists are accepted as lists. Two charts are checked with a stated limit:
- kube-prometheus-stack: its subcharts' values (grafana, kube-state-metrics, prometheus-node-exporter,
  prometheus-windows-exporter) are not in the chart folder; under those keys only what the parent's values.yaml
  lists is checked, anything else is reported as "not checkable" (a note, not an error). alertmanager.config is
  Alertmanager's own configuration: scripts/lint/check_alertmanager.py checks it with amtool.
- pgo: the pinned 6.0.3 chart is not public in source form; its nearest available version (5.8.5) is used and
  the versions are printed side by side.

usage: check_helm_values.py --root REPO [--charts DIR]
"""

import argparse
import copy
import difflib
import hashlib
import json
import os
import re
import sys

import jsonschema
import yaml

FREE_FORM = {
    "resources",
    "annotations",
    "labels",
    "nodeSelector",
    "podAnnotations",
    "podLabels",
    "tolerations",
    "affinity",
    "topologySpreadConstraints",
    "securityContext",
    "containerSecurityContext",
    "podSecurityContext",
    "extraArgs",
    "extraEnv",
    "extraEnvs",
    "env",
    "envFrom",
    "extraVolumes",
    "extraVolumeMounts",
    "initContainers",
    "volumeClaimTemplate",
    "spec",
    "matchLabels",
    "commonLabels",
    "config",
    "serviceAnnotations",
    "deploymentAnnotations",
    "additionalLabels",
    "priorityClassName",
}
# Subcharts of kube-prometheus-stack whose values are not available offline.
SUBCHARTS = {
    "kube-prometheus-stack": {
        "grafana",
        "kube-state-metrics",
        "prometheus-node-exporter",
        "prometheus-windows-exporter",
    }
}
# Parts of a chart's values that another check owns.
DELEGATED = {("kube-prometheus-stack", "alertmanager", "config"): "scripts/lint/check_alertmanager.py (amtool)"}
# Values file -> the prefix of its variables in platform/versions.env.
PREFIX = {
    "aws-load-balancer-controller": "ALB_CONTROLLER",
    "metrics-server": "METRICS_SERVER",
    "kube-prometheus-stack": "KUBE_PROMETHEUS_STACK",
    "keda": "KEDA",
    "cluster-autoscaler": "CLUSTER_AUTOSCALER",
    "velero": "VELERO",
    "strimzi": "STRIMZI",
    "pgo": "PGO",
}


def versions_env(root):
    values = {}
    for line in open(os.path.join(root, "platform/versions.env")):
        match = re.match(r"^([A-Z_]+)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


def chart_dir(charts, chart, version):
    """The chart's folder for the pinned version, or the nearest version available (with a note)."""
    exact = os.path.join(charts, f"{chart}-{version}")
    if os.path.isdir(exact):
        return exact, None
    others = sorted(
        (d for d in os.listdir(charts) if d.startswith(chart + "-") and d[len(chart) + 1 :][:1].isdigit()),
        key=lambda d: [int(x) for x in re.findall(r"\d+", d[len(chart) + 1 :])],
    )
    if not others:
        return None, None
    return os.path.join(charts, others[-1]), f"{chart} {version} is not available; checked against {others[-1]}"


def walk(release, ours, theirs, path, problems, notes):
    if not isinstance(ours, dict):
        return
    for key, value in ours.items():
        here = path + (key,)
        dotted = ".".join(here)
        if (release,) + here in DELEGATED:
            notes.append(f"{release}: {dotted} checked by {DELEGATED[(release,) + here]}")
            continue
        if not isinstance(theirs, dict) or key not in theirs:
            if len(here) >= 2 and here[0] in SUBCHARTS.get(release, ()):
                notes.append(f"{release}: {dotted} not checkable (subchart {here[0]}'s values are not available)")
                continue
            close = difflib.get_close_matches(str(key), list(theirs) if isinstance(theirs, dict) else [], n=1)
            hint = f" (did you mean {'.'.join(path + (close[0],))}?)" if close else ""
            problems.append(f"{release}: unknown key {dotted}{hint}")
            continue
        default = theirs[key]
        if key in FREE_FORM or default is None or default == {}:
            continue
        if isinstance(default, dict):
            if isinstance(value, dict):
                walk(release, value, default, here, problems, notes)
            elif value is not None:
                problems.append(f"{release}: {dotted} is a map in the chart, got {type(value).__name__}")
        elif isinstance(default, list):
            if not isinstance(value, list):
                problems.append(f"{release}: {dotted} is a list in the chart, got {type(value).__name__}")
        elif isinstance(value, (dict, list)):
            problems.append(
                f"{release}: {dotted} is a {type(default).__name__} in the chart, got {type(value).__name__}"
            )


def set_string_keys(root):
    """release -> [key path] from `helm_install RELEASE ... --set-string KEY=VALUE` in install_platform.sh."""
    text = open(os.path.join(root, "platform/install_platform.sh")).read().replace("\\\n", " ")
    found = {}
    for line in text.splitlines():
        call = re.match(r"\s*helm_install\s+([a-z-]+)\s", line)
        if not call:
            continue
        for key in re.findall(r'--set-string\s+"?([^=\s"]+)=', line):
            parts = [p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", key)]
            path = []
            for part in parts:
                match = re.fullmatch(r"(.+)\[(\d+)\]", part)
                path += [match.group(1), int(match.group(2))] if match else [part]
            found.setdefault(call.group(1), []).append(path)
    return found


def to_nested(path):
    """['a', 'b', 0, 'c'] -> {'a': {'b': ...}} up to the first list index (lists are accepted as lists)."""
    if not path or isinstance(path[0], int):
        return "set"
    if len(path) > 1 and isinstance(path[1], int):
        return {path[0]: ["set"]}
    return {path[0]: to_nested(path[1:])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("--charts", default=os.environ.get("HELM_CHARTS_DIR"))
    args = parser.parse_args()
    root = args.root
    charts = args.charts or os.path.join(root, "platform", "chart-defaults")
    if not os.path.isdir(charts):
        print(f"helmvalues: chart defaults not found in {charts}")
        return 1
    sums = os.path.join(charts, "SHA256SUMS")
    if os.path.exists(sums):
        for line in open(sums):
            digest, name = line.split(maxsplit=1)
            path = os.path.join(charts, name.strip())
            if not os.path.exists(path) or hashlib.sha256(open(path, "rb").read()).hexdigest() != digest:
                print(f"helmvalues: {name.strip()} differs from {sums} (vendored chart defaults must stay byte-exact)")
                return 1
    env = versions_env(root)
    problems, notes = [], []
    sets = set_string_keys(root)
    checked = 0
    for name in sorted(os.listdir(os.path.join(root, "platform/values"))):
        if not name.endswith(".yaml"):
            continue
        release = name[:-5]
        prefix = PREFIX.get(release)
        if not prefix:
            problems.append(f"{release}: platform/values/{name} has no chart in platform/versions.env")
            continue
        chart = env[f"{prefix}_CHART"].rsplit("/", 1)[-1]
        version = env[f"{prefix}_VERSION"]
        folder, note = chart_dir(charts, chart, version)
        if folder is None:
            problems.append(f"{release}: no default values for chart {chart} in {charts}")
            continue
        if note:
            notes.append(note)
        defaults = yaml.safe_load(open(os.path.join(folder, "values.yaml"))) or {}
        ours = yaml.safe_load(open(os.path.join(root, "platform/values", name))) or {}
        walk(release, ours, defaults, (), problems, notes)
        for path in sets.get(release, []):
            walk(release, to_nested(path), defaults, (), problems, notes)
        schema_path = os.path.join(folder, "values.schema.json")
        if os.path.exists(schema_path):
            merged = merge(defaults, ours)
            for path in sets.get(release, []):
                assign(merged, path, "set-by-install-script")
            validator = jsonschema.validators.validator_for(json.load(open(schema_path)))(json.load(open(schema_path)))
            for error in validator.iter_errors(merged):
                problems.append(
                    f"{release}: values.schema.json: {'.'.join(map(str, error.absolute_path))}: {error.message}"
                )
        checked += 1
        print(
            f"helmvalues: {release}: against {os.path.basename(folder)}"
            f"{' + values.schema.json' if os.path.exists(schema_path) else ''}"
        )
    for line in notes:
        print(f"helmvalues: note: {line}")
    for line in problems:
        print(f"helmvalues: {line}")
    print(
        f"helmvalues: {checked} values files checked against the pinned charts' defaults "
        f"({sum(len(v) for v in sets.values())} --set-string keys too); {len(notes)} notes; {len(problems)} problems"
    )
    return 1 if problems else 0


def assign(doc, path, value):
    """Helm's --set-string PATH=value on a values document (list indexes extend the list as Helm does)."""
    for i, part in enumerate(path):
        last = i == len(path) - 1
        nxt = None if last else ([] if isinstance(path[i + 1], int) else {})
        if isinstance(part, int):
            while len(doc) <= part:
                doc.append(copy.deepcopy(nxt) if nxt is not None else None)
            if last:
                doc[part] = value
            elif not isinstance(doc[part], (dict, list)):
                doc[part] = nxt
            doc = doc[part] if not last else doc
        else:
            if last:
                doc[part] = value
            else:
                if not isinstance(doc.get(part), (dict, list)):
                    doc[part] = nxt
                doc = doc[part]


def merge(base, over):
    """Helm's merge of user values over chart defaults (maps merge, everything else replaces)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base.get(key), value) if key in base else value
        return out
    return over


if __name__ == "__main__":
    sys.exit(main())
