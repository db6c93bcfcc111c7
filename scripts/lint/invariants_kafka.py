"""check_invariants' rules for Kafka: KEDA's cap against the topic's partitions and its trigger against the
worker's settings, the brokers' rack awareness, quorum and spread, and the topics of docs/interfaces.md."""

import re

from scripts.lint.documents import env_of, find, ident, of_kind, pod_spec
from scripts.lint.invariants_rules import ZONE, problem, rule


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
