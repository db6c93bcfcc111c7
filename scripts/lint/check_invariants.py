#!/usr/bin/env python3
"""Cross-object rules of the rendered manifests that no schema can express: KEDA's cap against the topic's
partitions, the worker's shutdown budget, hardening of every pod, probes, spread, disruption budgets, the ALB
wiring, Kafka and Postgres resilience settings, and the runtime contract in docs/interfaces.md.

usage: check_invariants.py --interfaces docs/interfaces.md --deploy-script apps/deploy_apps.sh RENDERED.yaml [...]
"""

import argparse
import re
import sys

from scripts.lint import documents
from scripts.lint.documents import env_of, find, ident, of_kind, pod_spec, selects
from scripts.lint.invariants_ingress import check_ingress
from scripts.lint.invariants_kafka import check_kafka, check_keda
from scripts.lint.invariants_pods import check_availability, check_hardening, check_namespaces
from scripts.lint.invariants_postgres import check_postgres
from scripts.lint.invariants_rules import CHECKED, PROBLEMS, problem, rule


@rule("shutdown")
def check_shutdown(objects, statement_timeout_s):
    worker = find(objects, "Deployment", "apps", "worker")
    api = find(objects, "Deployment", "apps", "api")
    if worker is None or api is None:
        problem("shutdown", "Deployments apps/api and apps/worker must exist")
        return
    spec = pod_spec(worker)
    container = spec["containers"][0]
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    grace = int(env_of(container).get("SHUTDOWN_GRACE_SECONDS") or 0)
    need = pre_stop + grace + statement_timeout_s
    if spec.get("terminationGracePeriodSeconds", 30) <= need:
        problem(
            "shutdown",
            f"worker terminationGracePeriodSeconds {spec.get('terminationGracePeriodSeconds', 30)} "
            f"<= preStop {pre_stop} + SHUTDOWN_GRACE_SECONDS {grace} + longest batch "
            f"{statement_timeout_s} = {need}",
        )
    spec = pod_spec(api)
    pre_stop = spec["containers"][0].get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    if pre_stop <= 0:
        problem("shutdown", "api has no preStop sleep (the ALB would still send requests to a stopping pod)")
    if spec.get("terminationGracePeriodSeconds", 30) <= pre_stop:
        problem("shutdown", f"api terminationGracePeriodSeconds <= its preStop sleep {pre_stop}")
    for ingress in of_kind(objects, "Ingress"):
        attrs = ingress["metadata"].get("annotations", {}).get("alb.ingress.kubernetes.io/target-group-attributes", "")
        match = re.search(r"deregistration_delay\.timeout_seconds=(\d+)", attrs)
        if not match or int(match.group(1)) >= pre_stop:
            problem(
                "shutdown",
                f"{ident(ingress)}: deregistration delay must be set and shorter than the api's "
                f"preStop sleep ({pre_stop} s)",
            )


@rule("contract")
def check_contract(objects, interfaces):
    documented = set(re.findall(r"^\| `([A-Z_]+)`", interfaces, re.M))
    documented |= {n for pair in re.findall(r"^\| `([A-Z_]+)` / `([A-Z_]+)`", interfaces, re.M) for n in pair}
    ports = {"api": ("http", 8080), "worker": ("metrics", 9090)}
    for name, (port_name, port) in ports.items():
        dep = find(objects, "Deployment", "apps", name)
        if dep is None:
            problem("contract", f"Deployment apps/{name} missing")
            continue
        container = pod_spec(dep)["containers"][0]
        image = container.get("image", "")
        repo, _, tag = image.rpartition(":")
        # REGISTRY/api and REGISTRY/worker (apps/deploy_apps.sh --registry), at a fixed tag.
        if "/" not in repo or repo.rsplit("/", 1)[1] != name or not tag or tag == "latest":
            problem("contract", f"{ident(dep)}: image {image!r} is not REGISTRY/{name} at a fixed tag")
        if not any(p.get("name") == port_name and p["containerPort"] == port for p in container.get("ports", [])):
            problem("contract", f"{ident(dep)}: container port {port} is not named {port_name!r}")
        env = env_of(container)
        for var in env:
            if var not in documented:
                problem("contract", f"{ident(dep)}: environment variable {var} is not in docs/interfaces.md")
        if env.get("HTTP_PORT") != str(port):
            problem("contract", f"{ident(dep)}: HTTP_PORT {env.get('HTTP_PORT')!r} != {port}")
        bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS", "")
        host = bootstrap.split(".")[0].split(":")[0]
        if f"`{host}:" not in interfaces and f"`{host}." not in interfaces:
            problem(
                "contract",
                f"{ident(dep)}: Kafka bootstrap {bootstrap!r} is not the in-cluster name in docs/interfaces.md",
            )
    for monitor in of_kind(objects, "ServiceMonitor"):
        ns = monitor["metadata"]["namespace"]
        services = [
            s
            for s in of_kind(objects, "Service")
            if s["metadata"]["namespace"] == ns
            and selects(monitor["spec"]["selector"], s["metadata"].get("labels", {}))
        ]
        if not services:
            problem("contract", f"{ident(monitor)}: selects no Service")
        for endpoint in monitor["spec"]["endpoints"]:
            for service in services:
                if not any(p.get("name") == endpoint.get("port") for p in service["spec"]["ports"]):
                    problem("contract", f"{ident(monitor)}: {ident(service)} has no port {endpoint.get('port')!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interfaces", required=True)
    parser.add_argument("--deploy-script", required=True)
    parser.add_argument("rendered", nargs="+")
    args = parser.parse_args()
    objects = documents.load(args.rendered)
    interfaces = open(args.interfaces).read()
    match = re.search(r"^STATEMENT_TIMEOUT_MS=(\d+)$", open(args.deploy_script).read(), re.M)
    if not match:
        print(f"invariants: {args.deploy_script} defines no STATEMENT_TIMEOUT_MS (the worker's batch bound)")
        return 1
    check_keda(objects)
    check_shutdown(objects, int(match.group(1)) // 1000)
    check_hardening(objects)
    check_availability(objects)
    check_ingress(objects)
    check_namespaces(objects)
    check_kafka(objects, interfaces)
    check_postgres(objects)
    check_contract(objects, interfaces)
    for line in PROBLEMS:
        print(f"invariants: {line}")
    print(f"invariants: {CHECKED['rules']} rule groups over {len(objects)} objects; {len(PROBLEMS)} problems")
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
