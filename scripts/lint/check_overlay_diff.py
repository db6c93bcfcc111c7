#!/usr/bin/env python3
"""The before and after overlays must be the same deployment except for the worker's WORKER_MODE, so that any
difference measured between them is caused by the consumer's code path and nothing else.

usage: check_overlay_diff.py BEFORE.yaml AFTER.yaml
"""

import sys

import yaml


def index(path):
    with open(path) as handle:
        objects = [o for o in yaml.safe_load_all(handle) if o]
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objects}


def worker_modes(obj):
    """Replace WORKER_MODE's value in every container of a workload; return the values found."""
    modes = []
    spec = obj.get("spec", {}).get("template", {}).get("spec", {})
    for container in spec.get("containers", []) + spec.get("initContainers", []):
        for env in container.get("env", []):
            if env.get("name") == "WORKER_MODE":
                modes.append(env.get("value"))
                env["value"] = "<mode>"
    return modes


def diff(a, b, path=""):
    if type(a) is not type(b):
        return [f"{path or '<root>'}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                out.append(f"{path}.{key}: only in {'after' if key not in a else 'before'}")
            else:
                out += diff(a[key], b[key], f"{path}.{key}")
        return out
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)} items"]
        return [line for i, (x, y) in enumerate(zip(a, b, strict=True)) for line in diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def main():
    before, after = index(sys.argv[1]), index(sys.argv[2])
    problems = []
    for key in sorted(set(before) ^ set(after)):
        problems.append(f"{key[0]} {key[1]}/{key[2]} exists only in {'before' if key in before else 'after'}")
    modes = {"before": [], "after": []}
    for key in sorted(set(before) & set(after)):
        b, a = before[key], after[key]
        modes["before"] += worker_modes(b)
        modes["after"] += worker_modes(a)
        problems += [f"{key[0]} {key[1]}/{key[2]}{line}" for line in diff(b, a)]
    for name, values in modes.items():
        if values != [name]:
            problems.append(f"overlay {name}: WORKER_MODE values {values}, expected exactly one, {name!r}")
    for problem in problems:
        print(f"overlays: {problem}")
    print(
        f"overlays: {len(before)} objects in before, {len(after)} in after; "
        f"{len(problems)} differences besides WORKER_MODE"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
