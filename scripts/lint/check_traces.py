#!/usr/bin/env python3
"""Traces on EKS hang together: the apps export to the port Tempo listens on, Grafana reads Tempo and Loki where they
serve, Alloy ships the apps' logs to Loki, and the Loki data source's derived field turns the worker's `traced event`
log line into a link to the Tempo data source. Also: the add-on manifests of platform/manifests run the images pinned
in platform/versions.env, hardened and probed like every workload of ours.

usage: check_traces.py --root REPO RENDERED_AFTER.yaml
"""

import argparse
import json
import os
import re
import sys
from urllib.parse import urlsplit

import yaml

from scripts.lint import check_invariants, documents
from scripts.lint.documents import find

PROBLEMS = []
ADDONS = ("tempo", "loki", "alloy")
# swift-log's StreamLogHandler: `<timestamp> <level> <label> : <key=value ...> [<source>] <message>` (LogSetup.swift).
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def problem(message):
    PROBLEMS.append(message)


def config_of(objects, name, key):
    cm = find(objects, "ConfigMap", "monitoring", name)
    return (cm or {}).get("data", {}).get(key, "")


def resolve(url, objects, what):
    """The container port behind an in-cluster URL http://SERVICE.NAMESPACE.svc[.cluster.local]:PORT, or None."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").split(".")
    if parts.scheme != "http" or len(host) < 3 or host[2] != "svc" or not parts.port:
        problem(f"{what}: {url!r} is not http://SERVICE.NAMESPACE.svc:PORT")
        return None
    service = find(objects, "Service", host[1], host[0])
    if service is None:
        problem(f"{what}: {url!r} names Service {host[1]}/{host[0]}, which platform/manifests does not define")
        return None
    port = next((p for p in service["spec"]["ports"] if p["port"] == parts.port), None)
    if port is None:
        problem(f"{what}: {url!r}: Service {host[1]}/{host[0]} has no port {parts.port}")
        return None
    target = port.get("targetPort", port["port"])
    for dep in (o for o in objects if o["kind"] == "Deployment" and o["metadata"]["namespace"] == host[1]):
        labels = dep["spec"]["template"]["metadata"].get("labels", {})
        if not all(labels.get(k) == v for k, v in service["spec"]["selector"].items()):
            continue
        for container in dep["spec"]["template"]["spec"]["containers"]:
            for cport in container.get("ports", []):
                if target in (cport.get("name"), cport["containerPort"]):
                    return cport["containerPort"]
    problem(f"{what}: {url!r}: Service {host[1]}/{host[0]} port {parts.port} reaches no container port {target!r}")
    return None


def listen_port(text, what):
    match = re.search(r":(\d+)$", str(text or ""))
    if not match:
        problem(f"{what}: no listen port in {text!r}")
        return None
    return int(match.group(1))


def check_pins(objects, versions):
    for name in ADDONS:
        dep = find(objects, "Deployment", versions.get("OBSERVABILITY_NAMESPACE", "monitoring"), name)
        if dep is None:
            problem(f"Deployment monitoring/{name} is missing from platform/manifests/{name}.yaml")
            continue
        pinned = versions.get(f"{name.upper()}_IMAGE")
        for container in dep["spec"]["template"]["spec"]["containers"]:
            if container["image"] != pinned:
                problem(f"{name}: image {container['image']} != {name.upper()}_IMAGE {pinned} in platform/versions.env")


def check_workloads(objects):
    before = len(check_invariants.PROBLEMS)
    check_invariants.check_hardening(objects)
    PROBLEMS.extend(f"hardening {p.split(': ', 1)[1]}" for p in check_invariants.PROBLEMS[before:])
    for dep in (o for o in objects if o["kind"] == "Deployment"):
        for container in dep["spec"]["template"]["spec"]["containers"]:
            ports = {p.get("name") for p in container.get("ports", [])} | {
                p["containerPort"] for p in container.get("ports", [])
            }
            for probe in ("readinessProbe", "livenessProbe"):
                port = container.get(probe, {}).get("httpGet", {}).get("port")
                if port not in ports:
                    problem(f"{documents.ident(dep)}: {probe} missing or on a port the container lacks ({port!r})")


def check_apps(objects, apps):
    tempo = yaml.safe_load(config_of(objects, "tempo", "tempo.yaml") or "{}") or {}
    http = tempo.get("distributor", {}).get("receivers", {}).get("otlp", {}).get("protocols", {}).get("http") or {}
    receiver = listen_port(http.get("endpoint"), "Tempo's OTLP/HTTP receiver (distributor.receivers.otlp)")
    samplers = {"api": {"parentbased_traceidratio"}, "worker": {None, "parentbased_always_on"}}
    for name, allowed in samplers.items():
        dep = find(apps, "Deployment", "apps", name)
        if dep is None:
            problem(f"Deployment apps/{name} is missing from the rendered after overlay")
            continue
        env = documents.env_of(dep["spec"]["template"]["spec"]["containers"][0])
        endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        port = resolve(endpoint, objects, f"{name} OTEL_EXPORTER_OTLP_ENDPOINT")
        if port is not None and receiver is not None and port != receiver:
            problem(
                f"{name} OTEL_EXPORTER_OTLP_ENDPOINT {endpoint!r} reaches port {port}; Tempo receives OTLP/HTTP on {receiver}"
            )
        sampler = env.get("OTEL_TRACES_SAMPLER")
        if sampler not in allowed:
            problem(
                f"{name} OTEL_TRACES_SAMPLER {sampler!r}: want one of {sorted(map(str, allowed))} (the worker follows the api)"
            )
        if name == "api":
            try:
                ratio = float(env.get("OTEL_TRACES_SAMPLER_ARG", ""))
            except ValueError:
                ratio = -1.0
            if not 0 < ratio <= 1:
                problem(f"api OTEL_TRACES_SAMPLER_ARG {env.get('OTEL_TRACES_SAMPLER_ARG')!r} is not a ratio in (0, 1]")


def sample_log_line(root):
    """The worker's per-event line as swift-log prints it, built from the metadata keys BatchTrace.swift logs."""
    source = open(os.path.join(root, "Sources/Live/Worker/BatchTrace.swift")).read()
    match = re.search(r'logger\.info\("(traced event)[^"]*", metadata: \[(.*?)\]\)', source, re.S)
    if not match:
        problem("Sources/Live/Worker/BatchTrace.swift logs no `traced event` line with metadata")
        return None
    keys = sorted(re.findall(r'"([a-z_]+)":', match.group(2)))
    if "trace_id" not in keys:
        problem(f"the worker's `traced event` line has no trace_id (keys {keys})")
    values = {"trace_id": TRACE_ID, "event_id": "0b5e3c1e-6a8e-4d59-9d8b-2f0e8c1f7a11"}
    fields = " ".join(f"{key}={values.get(key, '7')}" for key in keys)
    return f"2026-12-07T05:00:00+0000 info worker : {fields} [ReplicaSafeLive] {match.group(1)} committed"


def check_grafana(objects, values, line):
    sources = values.get("grafana", {}).get("additionalDataSources") or []
    by_type = {s.get("type"): s for s in sources}
    tempo, loki = by_type.get("tempo"), by_type.get("loki")
    if tempo is None or loki is None:
        problem(f"grafana.additionalDataSources needs a tempo and a loki data source (has {sorted(map(str, by_type))})")
        return
    for source, config, key in ((tempo, "tempo", "server"), (loki, "loki", "server")):
        port = resolve(source.get("url"), objects, f"Grafana data source {source.get('name')}")
        served = (yaml.safe_load(config_of(objects, config, f"{config}.yaml") or "{}") or {}).get(key, {})
        if port is not None and port != served.get("http_listen_port"):
            problem(
                f"Grafana data source {source.get('name')} reaches port {port}; {config} serves HTTP on {served.get('http_listen_port')}"
            )
    uids = [s.get("uid") for s in sources]
    if len(set(uids)) != len(uids) or None in uids:
        problem(f"Grafana data source uids must be set and unique: {uids}")
    links = [f for f in loki.get("jsonData", {}).get("derivedFields", []) if f.get("datasourceUid")]
    if not links:
        problem("the Loki data source has no derived field linking to a data source (jsonData.derivedFields)")
    for field in links:
        if field["datasourceUid"] != tempo.get("uid"):
            problem(
                f"derived field {field.get('name')} links to data source uid {field['datasourceUid']!r}, not Tempo's {tempo.get('uid')!r}"
            )
        if line is None or field.get("matcherType", "regex") != "regex":
            continue
        found = re.search(field.get("matcherRegex", ""), line)
        if not found or (found.groups() and found.group(1)) != TRACE_ID:
            problem(
                f"derived field {field.get('name')}: matcherRegex {field.get('matcherRegex')!r} does not capture the trace id of the worker's line {line!r}"
            )


def check_dashboards(apps, values):
    """The dashboards' logs panels read the Loki data source Grafana provisions, and one of them shows the worker's
    traced-event lines (where the derived field's link appears on a dashboard)."""
    sources = values.get("grafana", {}).get("additionalDataSources") or []
    loki = next((s.get("uid") for s in sources if s.get("type") == "loki"), None)
    traced = 0
    for cm in (
        o for o in apps if o["kind"] == "ConfigMap" and o["metadata"].get("labels", {}).get("grafana_dashboard")
    ):
        for name, text in cm.get("data", {}).items():
            stack = list(json.loads(text).get("panels", []))
            while stack:
                panel = stack.pop()
                stack += panel.get("panels", [])
                for target in panel.get("targets", []):
                    kinds = [(s or {}).get("type") for s in (panel.get("datasource"), target.get("datasource"))]
                    if "loki" not in kinds:
                        continue
                    for source in (panel.get("datasource") or {}, target.get("datasource") or {}):
                        if not source or source.get("uid") == loki:
                            continue
                        problem(
                            f"dashboard {name}: panel {panel.get('title')!r} reads Loki uid {source.get('uid')!r}, Grafana's is {loki!r}"
                        )
                    traced += panel.get("type") == "logs" and "traced event" in target.get("expr", "")
    if not traced:
        problem(
            "no dashboard has a logs panel of the worker's `traced event` lines (the link from a log line to its trace)"
        )


def check_alloy(objects):
    config = config_of(objects, "alloy", "config.alloy")
    urls = re.findall(r'loki\.write\s+"[^"]+"\s*\{\s*endpoint\s*\{\s*url\s*=\s*"([^"]+)"', config)
    if not urls:
        problem("Alloy (platform/manifests/alloy.yaml) has no loki.write endpoint")
    loki = yaml.safe_load(config_of(objects, "loki", "loki.yaml") or "{}") or {}
    for url in urls:
        if not url.endswith("/loki/api/v1/push"):
            problem(f"Alloy's loki.write url {url!r} is not Loki's push path /loki/api/v1/push")
        port = resolve(url, objects, "Alloy loki.write")
        if port is not None and port != loki.get("server", {}).get("http_listen_port"):
            problem(
                f"Alloy's loki.write reaches port {port}; Loki serves HTTP on {loki.get('server', {}).get('http_listen_port')}"
            )
    names = re.search(r"namespaces\s*\{\s*names\s*=\s*\[([^\]]*)\]", config)
    if not names or '"apps"' not in names.group(1):
        problem("Alloy's discovery.kubernetes does not read namespace apps")
    dep = find(objects, "Deployment", "monitoring", "alloy")
    account = (dep or {}).get("spec", {}).get("template", {}).get("spec", {}).get("serviceAccountName")
    binding = find(objects, "RoleBinding", "apps", "alloy-logs") or {}
    subjects = [(s.get("namespace"), s.get("name")) for s in binding.get("subjects", [])]
    role = find(objects, "Role", "apps", binding.get("roleRef", {}).get("name", "")) or {}
    grants = {
        (r, v) for rule in role.get("rules", []) for r in rule.get("resources", []) for v in rule.get("verbs", [])
    }
    if ("monitoring", account) not in subjects or not {
        ("pods", "list"),
        ("pods", "watch"),
        ("pods/log", "get"),
    } <= grants:
        problem(f"Alloy's service account {account!r} cannot list/watch pods and get pods/log in namespace apps")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    parser.add_argument("rendered")
    args = parser.parse_args()
    objects = []
    for name in ADDONS:
        objects += documents.load([os.path.join(args.root, "platform/manifests", f"{name}.yaml")])
    apps = documents.load([args.rendered])
    text = open(os.path.join(args.root, "platform/versions.env")).read()
    versions = dict(re.findall(r"^([A-Z_]+)=(\S+)$", text, re.M))
    values = documents.load([os.path.join(args.root, "platform/values/kube-prometheus-stack.yaml")])[0]
    check_pins(objects, versions)
    check_workloads(objects)
    check_apps(objects, apps)
    line = sample_log_line(args.root)
    check_grafana(objects, values, line)
    check_dashboards(apps, values)
    check_alloy(objects)
    for message in PROBLEMS:
        print(f"traces: {message}")
    print(
        f"traces: {', '.join(ADDONS)} pinned and hardened; api/worker -> Tempo OTLP/HTTP, Grafana -> Tempo and Loki, "
        f"Alloy -> Loki, Loki's derived field on the worker's traced-event line -> Tempo, shown on a dashboard; "
        f"{len(PROBLEMS)} problems"
    )
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
