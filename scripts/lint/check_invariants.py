#!/usr/bin/env python3
"""Cross-object rules of the rendered manifests that no schema can express: KEDA's cap against the topic's
partitions, the worker's shutdown budget, hardening of every pod, probes, spread, disruption budgets, the ALB
wiring, Kafka and Postgres resilience settings, and the runtime contract in docs/interfaces.md.

usage: check_invariants.py --interfaces docs/interfaces.md --deploy-script apps/deploy_apps.sh RENDERED.yaml [...]
"""

import argparse
import json
import re
import sys

from scripts.lint import documents
from scripts.lint.documents import env_of, find, ident, of_kind, pod_labels, pod_spec, selects

ZONE = "topology.kubernetes.io/zone"
PROBLEMS = []
CHECKED = {"rules": 0}


def problem(rule, message):
    PROBLEMS.append(f"{rule}: {message}")


def rule(name):
    """Decorator that counts rules run."""

    def wrap(fn):
        def run(*args):
            CHECKED["rules"] += 1
            fn(*args)

        run.__name__ = name
        return run

    return wrap


@rule("keda")
def check_keda(objects):
    topics = {t["spec"].get("topicName", t["metadata"]["name"]): t for t in of_kind(objects, "KafkaTopic")}
    kafkas = of_kind(objects, "Kafka")
    for so in of_kind(objects, "ScaledObject"):
        spec, name = so["spec"], ident(so)
        target = find(objects, "Deployment", so["metadata"]["namespace"], spec["scaleTargetRef"]["name"])
        if target is None:
            problem("keda", f"{name} targets a Deployment that does not exist")
            continue
        if "replicas" in target["spec"]:
            problem("keda", f"{ident(target)} sets spec.replicas although {name} owns the count")
        if spec.get("minReplicaCount", 0) < 1:
            problem(
                "keda",
                f"{name}: minReplicaCount {spec.get('minReplicaCount', 0)} < 1 (the consumer group would vanish)",
            )
        behavior = spec.get("advanced", {}).get("horizontalPodAutoscalerConfig", {}).get("behavior", {})
        if not behavior.get("scaleUp") or not behavior.get("scaleDown"):
            problem("keda", f"{name}: no HPA behavior for both scaleUp and scaleDown (rebalance thrash)")
        env = env_of(pod_spec(target)["containers"][0])
        for trigger in spec.get("triggers", []):
            if trigger["type"] != "kafka":
                continue
            meta = trigger["metadata"]
            topic = topics.get(meta.get("topic"))
            if topic is None:
                problem("keda", f"{name}: topic {meta.get('topic')!r} is not a KafkaTopic of this render")
            elif spec.get("maxReplicaCount", 100) > topic["spec"]["partitions"]:
                problem(
                    "keda",
                    f"{name}: maxReplicaCount {spec.get('maxReplicaCount', 100)} > "
                    f"{topic['spec']['partitions']} partitions of {meta.get('topic')}",
                )
            if meta.get("consumerGroup") != env.get("KAFKA_GROUP_ID"):
                problem(
                    "keda",
                    f"{name}: consumerGroup {meta.get('consumerGroup')!r} != worker KAFKA_GROUP_ID "
                    f"{env.get('KAFKA_GROUP_ID')!r}",
                )
            if meta.get("topic") != env.get("KAFKA_TOPIC"):
                problem("keda", f"{name}: topic {meta.get('topic')!r} != worker KAFKA_TOPIC {env.get('KAFKA_TOPIC')!r}")
            if meta.get("bootstrapServers") != env.get("KAFKA_BOOTSTRAP_SERVERS"):
                problem("keda", f"{name}: bootstrapServers differs from the worker's KAFKA_BOOTSTRAP_SERVERS")
            if not re.fullmatch(r"[1-9][0-9]*", str(meta.get("lagThreshold", ""))):
                problem("keda", f"{name}: lagThreshold {meta.get('lagThreshold')!r} is not a positive integer")
            if meta.get("allowIdleConsumers", "false") != "false":
                problem("keda", f"{name}: allowIdleConsumers would scale past the partition count")
            bootstraps = {
                f"{k['metadata']['name']}-kafka-bootstrap.{k['metadata']['namespace']}.svc:{lst['port']}"
                for k in kafkas
                for lst in k["spec"]["kafka"]["listeners"]
                if lst.get("type") == "internal"
            }
            if meta.get("bootstrapServers") not in bootstraps:
                problem(
                    "keda", f"{name}: bootstrapServers {meta.get('bootstrapServers')!r} is none of {sorted(bootstraps)}"
                )


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


@rule("hardening")
def check_hardening(objects):
    for obj in objects:
        if obj["kind"] not in ("Deployment", "StatefulSet", "Job", "CronJob", "DaemonSet"):
            continue
        spec = pod_spec(obj)
        pod_sc = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            problem("hardening", f"{ident(obj)}: automountServiceAccountToken is not false")
        # The rest of the Pod Security "restricted" profile: no host namespaces, only the allowed volume types.
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                problem("hardening", f"{ident(obj)}: {host} is set")
        allowed = {
            "configMap",
            "emptyDir",
            "projected",
            "secret",
            "downwardAPI",
            "persistentVolumeClaim",
            "ephemeral",
            "csi",
        }
        for volume in spec.get("volumes", []):
            kinds = set(volume) - {"name"}
            if not kinds <= allowed:
                problem("hardening", f"{ident(obj)}: volume {volume['name']} of type {sorted(kinds - allowed)}")
        for container in spec.get("containers", []) + spec.get("initContainers", []):
            where = f"{ident(obj)} container {container['name']}"
            sc = container.get("securityContext", {})
            if sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is not True:
                problem("hardening", f"{where}: runAsNonRoot is not true")
            seccomp = sc.get("seccompProfile", pod_sc.get("seccompProfile", {})).get("type")
            if seccomp not in ("RuntimeDefault", "Localhost"):
                problem("hardening", f"{where}: no RuntimeDefault seccomp profile")
            if sc.get("allowPrivilegeEscalation") is not False:
                problem("hardening", f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problem("hardening", f"{where}: readOnlyRootFilesystem is not true")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problem("hardening", f"{where}: capabilities do not drop ALL")
            if set(sc.get("capabilities", {}).get("add", [])) - {"NET_BIND_SERVICE"}:
                problem("hardening", f"{where}: adds capabilities {sc['capabilities']['add']}")
            if sc.get("privileged") or sc.get("runAsUser", pod_sc.get("runAsUser")) == 0:
                problem("hardening", f"{where}: privileged or running as UID 0")
            if any(p.get("hostPort") for p in container.get("ports", [])):
                problem("hardening", f"{where}: uses a hostPort")
            resources = container.get("resources", {})
            for key in ("cpu", "memory"):
                if key not in resources.get("requests", {}):
                    problem("hardening", f"{where}: no {key} request")
            if "memory" not in resources.get("limits", {}):
                problem("hardening", f"{where}: no memory limit")


@rule("availability")
def check_availability(objects):
    pdbs = of_kind(objects, "PodDisruptionBudget")
    scaled = {
        (h["metadata"]["namespace"], h["spec"]["scaleTargetRef"]["name"])
        for h in of_kind(objects, "HorizontalPodAutoscaler") + of_kind(objects, "ScaledObject")
    }
    for dep in of_kind(objects, "Deployment"):
        labels, spec = pod_labels(dep), pod_spec(dep)
        for container in spec["containers"]:
            for probe in ("readinessProbe", "livenessProbe"):
                if probe not in container:
                    problem("availability", f"{ident(dep)} container {container['name']}: no {probe}")
        spreads = [
            c
            for c in spec.get("topologySpreadConstraints", [])
            if c["topologyKey"] == ZONE and selects(c.get("labelSelector"), labels)
        ]
        if not spreads:
            problem("availability", f"{ident(dep)}: no topology spread over {ZONE} selecting its own pods")
        if not any(
            p["metadata"].get("namespace") == dep["metadata"]["namespace"]
            and selects(p["spec"].get("selector"), labels)
            for p in pdbs
        ):
            problem("availability", f"{ident(dep)}: no PodDisruptionBudget selects it")
        key = (dep["metadata"]["namespace"], dep["metadata"]["name"])
        if key not in scaled:
            problem("availability", f"{ident(dep)}: neither an HPA nor a ScaledObject scales it")
        elif "replicas" in dep["spec"]:
            problem("availability", f"{ident(dep)}: spec.replicas is set although an autoscaler owns it")
    for hpa in of_kind(objects, "HorizontalPodAutoscaler"):
        behavior = hpa["spec"].get("behavior", {})
        if not behavior.get("scaleUp") or not behavior.get("scaleDown"):
            problem("availability", f"{ident(hpa)}: no behavior for both scaleUp and scaleDown")
        if hpa["spec"].get("minReplicas", 1) < 2:
            problem("availability", f"{ident(hpa)}: minReplicas < 2 (a single replica cannot be drained safely)")


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


@rule("namespaces")
def check_namespaces(objects):
    for ns in of_kind(objects, "Namespace"):
        labels = ns["metadata"].get("labels", {})
        level = labels.get("pod-security.kubernetes.io/enforce")
        if level not in ("restricted", "baseline"):
            problem("namespaces", f"{ident(ns)}: Pod Security enforce level {level!r}")
        if ns["metadata"]["name"] == "apps" and level != "restricted":
            problem("namespaces", "namespace apps must enforce the restricted Pod Security Standard")


@rule("kafka")
def check_kafka(objects, interfaces):
    for kafka in of_kind(objects, "Kafka"):
        name, ns = kafka["metadata"]["name"], kafka["metadata"]["namespace"]
        if kafka["spec"]["kafka"].get("rack", {}).get("topologyKey") != ZONE:
            problem("kafka", f"{ident(kafka)}: rack awareness is not on {ZONE}")
        if kafka["spec"].get("kafkaExporter") is None:
            problem("kafka", f"{ident(kafka)}: Kafka Exporter is off")
        pools = [
            p
            for p in of_kind(objects, "KafkaNodePool")
            if p["metadata"].get("namespace") == ns
            and p["metadata"].get("labels", {}).get("strimzi.io/cluster") == name
        ]
        brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
        controllers = sum(p["spec"]["replicas"] for p in pools if "controller" in p["spec"]["roles"])
        if brokers < 3 or controllers < 3 or controllers % 2 == 0:
            problem("kafka", f"{ident(kafka)}: {brokers} brokers and {controllers} controllers (need >= 3, odd quorum)")
        for pool in pools:
            spreads = pool["spec"].get("template", {}).get("pod", {}).get("topologySpreadConstraints", [])
            if not any(s["topologyKey"] == ZONE and s.get("whenUnsatisfiable") == "DoNotSchedule" for s in spreads):
                problem("kafka", f"{ident(pool)}: nodes are not forced apart over {ZONE}")
        config = kafka["spec"]["kafka"].get("config", {})
        for topic in of_kind(objects, "KafkaTopic"):
            spec = topic["spec"]
            isr = int(spec.get("config", {}).get("min.insync.replicas", config.get("min.insync.replicas", 1)))
            if spec.get("replicas", 0) > brokers or isr >= spec.get("replicas", 0) or isr < 2:
                problem(
                    "kafka",
                    f"{ident(topic)}: replicas {spec.get('replicas')} / min.insync.replicas {isr} "
                    f"with {brokers} brokers (want 2 <= min ISR < replicas <= brokers)",
                )
    expected = {m.group(1): int(m.group(2)) for m in re.finditer(r"Topic `([a-z.]+)`: (\d+) partitions", interfaces)}
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t["spec"]["partitions"]
        for t in of_kind(objects, "KafkaTopic")
    }
    if not expected:
        problem("kafka", "docs/interfaces.md names no topic partitions (pattern: Topic `name`: N partitions)")
    for topic, partitions in expected.items():
        if topics.get(topic) != partitions:
            problem("kafka", f"topic {topic}: {topics.get(topic)} partitions, docs/interfaces.md says {partitions}")


@rule("postgres")
def check_postgres(objects):
    clusters = of_kind(objects, "PostgresCluster")
    if not clusters:
        problem("postgres", "no PostgresCluster")
    for pg in clusters:
        spec, name = pg["spec"], ident(pg)
        if not spec.get("metadata", {}).get("annotations", {}).get("eks.amazonaws.com/role-arn"):
            problem("postgres", f"{name}: no IRSA role annotation for pgBackRest")
        backup = spec.get("backups", {}).get("pgbackrest", {})
        glob = backup.get("global", {})
        repos = [r for r in backup.get("repos", []) if "s3" in r]
        if not repos:
            problem("postgres", f"{name}: no S3 repository")
        for repo in repos:
            prefix = repo["name"]
            schedules = repo.get("schedules", {})
            if "full" not in schedules or ("incremental" not in schedules and "differential" not in schedules):
                problem("postgres", f"{name}: {prefix} needs a full and an incremental/differential schedule")
            if glob.get(f"{prefix}-s3-key-type") != "web-id":
                problem("postgres", f"{name}: {prefix}-s3-key-type is not web-id (IRSA)")
            if not glob.get(f"{prefix}-retention-full"):
                problem("postgres", f"{name}: no {prefix}-retention-full")
        params = spec.get("patroni", {}).get("dynamicConfiguration", {}).get("postgresql", {}).get("parameters", {})
        if not params.get("archive_timeout"):
            problem("postgres", f"{name}: archive_timeout unset (RPO unbounded on a quiet database)")
        for instance in spec.get("instances", []):
            if instance.get("replicas", 1) < 2:
                problem("postgres", f"{name}: instance set {instance['name']} has fewer than 2 replicas")
            if not any(c["topologyKey"] == ZONE for c in instance.get("topologySpreadConstraints", [])):
                problem("postgres", f"{name}: instance set {instance['name']} not spread over {ZONE}")


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
