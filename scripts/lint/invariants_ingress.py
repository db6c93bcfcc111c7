"""check_invariants' rules for the ALB Ingress: its wiring to the api's Service and readiness probe, and what it
exposes (only /v1/, HTTPS, a CIDR list)."""

import json

from scripts.lint.documents import find, ident, of_kind, pod_labels, pod_spec
from scripts.lint.invariants_rules import problem, rule


@rule("ingress")
def check_ingress(objects):
    namespaces = {n["metadata"]["name"]: n for n in of_kind(objects, "Namespace")}
    for ingress in of_kind(objects, "Ingress"):
        ns = ingress["metadata"]["namespace"]
        notes = ingress["metadata"].get("annotations", {})
        if ingress["spec"].get("ingressClassName") != "alb":
            problem("ingress", f"{ident(ingress)}: ingressClassName is not alb")
        if notes.get("alb.ingress.kubernetes.io/target-type") != "ip":
            problem("ingress", f"{ident(ingress)}: target-type is not ip")
        check_exposure(ingress, notes)
        labels = namespaces.get(ns, {}).get("metadata", {}).get("labels", {})
        if labels.get("elbv2.k8s.aws/pod-readiness-gate-inject") != "enabled":
            problem(
                "ingress", f"{ident(ingress)}: namespace {ns} lacks elbv2.k8s.aws/pod-readiness-gate-inject=enabled"
            )
        for rule_ in ingress["spec"].get("rules", []):
            for path in rule_.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                service = find(objects, "Service", ns, backend["name"])
                if service is None:
                    problem("ingress", f"{ident(ingress)}: backend Service {backend['name']} does not exist")
                    continue
                port = next(
                    (
                        p
                        for p in service["spec"]["ports"]
                        if p.get("name") == backend["port"].get("name") or p["port"] == backend["port"].get("number")
                    ),
                    None,
                )
                if port is None:
                    problem("ingress", f"{ident(ingress)}: Service {backend['name']} has no port {backend['port']}")
                deps = [
                    d
                    for d in of_kind(objects, "Deployment")
                    if d["metadata"]["namespace"] == ns
                    and all(pod_labels(d).get(k) == v for k, v in service["spec"]["selector"].items())
                ]
                for dep in deps:
                    ready = pod_spec(dep)["containers"][0].get("readinessProbe", {}).get("httpGet", {}).get("path")
                    if notes.get("alb.ingress.kubernetes.io/healthcheck-path") != ready:
                        problem(
                            "ingress",
                            f"{ident(ingress)}: ALB health check path "
                            f"{notes.get('alb.ingress.kubernetes.io/healthcheck-path')!r} != "
                            f"readiness path {ready!r} of {ident(dep)}",
                        )


# The api's public surface: POST /v1/events and nothing else (docs/openapi.yaml); /metrics, /readyz, /healthz and
# /openapi.yaml are for the cluster. The ALB's health check reaches the targets without these rules.
EXPOSED_PREFIXES = {"/v1", "/v1/"}


def check_exposure(ingress, notes):
    if ingress["spec"].get("defaultBackend"):
        problem("ingress", f"{ident(ingress)}: a defaultBackend exposes every path; route /v1/ only")
    for rule_ in ingress["spec"].get("rules", []):
        for path in rule_.get("http", {}).get("paths", []):
            if path.get("path") not in EXPOSED_PREFIXES or path.get("pathType") != "Prefix":
                problem(
                    "ingress",
                    f"{ident(ingress)}: exposes {path.get('pathType')} {path.get('path')!r}; only "
                    "Prefix /v1/ may leave the cluster (/metrics, /readyz, /openapi.yaml stay inside)",
                )
    if not notes.get("alb.ingress.kubernetes.io/inbound-cidrs"):
        problem("ingress", f"{ident(ingress)}: no alb.ingress.kubernetes.io/inbound-cidrs (the ALB would admit anyone)")
    ports = json.loads(notes.get("alb.ingress.kubernetes.io/listen-ports", "[]"))
    https = any("HTTPS" in port for port in ports)
    if not https and "replicasafe.io/plain-http" not in notes:
        problem("ingress", f"{ident(ingress)}: no HTTPS listener (plain HTTP needs ALLOW_PLAIN_HTTP=1, which marks it)")
    if https and any("HTTP" in port for port in ports) and not notes.get("alb.ingress.kubernetes.io/ssl-redirect"):
        problem("ingress", f"{ident(ingress)}: HTTP is served without alb.ingress.kubernetes.io/ssl-redirect to HTTPS")
    if https and not notes.get("alb.ingress.kubernetes.io/certificate-arn", "").startswith("arn:"):
        problem("ingress", f"{ident(ingress)}: HTTPS listener without a certificate ARN")
