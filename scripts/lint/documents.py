"""The objects of rendered manifests: every non-empty YAML document of each file, in the order they stand, and
the look-ups the platform checks share (by kind, by name, a workload's pod template, a container's env)."""

import yaml


def load(paths):
    objects = []
    for path in paths:
        with open(path) as handle:
            objects += [o for o in yaml.safe_load_all(handle) if o]
    return objects


def of_kind(objects, kind):
    return [o for o in objects if o["kind"] == kind]


def ident(obj):
    return f"{obj['kind']} {obj['metadata'].get('namespace', '-')}/{obj['metadata']['name']}"


def find(objects, kind, namespace, name):
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name and obj["metadata"].get("namespace") == namespace:
            return obj
    return None


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def selects(selector, labels):
    match = (selector or {}).get("matchLabels") or {}
    return bool(match) and all(labels.get(k) == v for k, v in match.items())


def pod_spec(obj):
    if obj["kind"] == "CronJob":
        return obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return obj["spec"]["template"]["spec"]


def pod_labels(obj):
    return obj["spec"]["template"]["metadata"].get("labels") or {}
