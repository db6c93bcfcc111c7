#!/usr/bin/env python3
"""Extract spec.groups of every PrometheusRule in the given manifests into one plain Prometheus
rules file (what promtool and a standalone Prometheus read).

Usage: python -m scripts.ops.extract_rules OUT.yaml MANIFEST.yaml [MANIFEST.yaml ...]
Fails (exit 1, with the reason) on a manifest without a PrometheusRule, a rule group without a
name, or duplicate group names across files.
"""

import sys

import yaml


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    out, manifests = argv[1], argv[2:]
    groups, seen = [], set()
    for path in manifests:
        found = 0
        with open(path) as handle:
            for doc in yaml.safe_load_all(handle):
                if not doc or doc.get("kind") != "PrometheusRule":
                    continue
                if doc.get("apiVersion") != "monitoring.coreos.com/v1":
                    print(f"{path}: PrometheusRule with apiVersion {doc.get('apiVersion')!r}", file=sys.stderr)
                    return 1
                found += 1
                for group in (doc.get("spec") or {}).get("groups") or []:
                    name = group.get("name")
                    if not name or name in seen:
                        print(f"{path}: rule group name missing or duplicated: {name!r}", file=sys.stderr)
                        return 1
                    seen.add(name)
                    groups.append(group)
        if not found:
            print(f"{path}: no PrometheusRule in this file", file=sys.stderr)
            return 1
    with open(out, "w") as handle:
        yaml.safe_dump({"groups": groups}, handle, sort_keys=False, width=200)
    print(f"extracted {len(groups)} groups, {sum(len(g.get('rules') or []) for g in groups)} rules -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
