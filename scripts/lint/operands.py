"""Pods that operators create from our custom resources, as workload objects network-config-analyzer can
read. Names and labels follow the operators' own code:

Strimzi 1.2 (KafkaCluster / KafkaResources / Labels): node-pool pods "<cluster>-<pool>-<id>" labelled
  strimzi.io/cluster, strimzi.io/kind=Kafka, strimzi.io/name=<cluster>-kafka, strimzi.io/pool-name,
  strimzi.io/broker-role, strimzi.io/controller-role; Deployment "<cluster>-entity-operator"
  (strimzi.io/name=<cluster>-entity-operator); Deployment "<cluster>-kafka-exporter"
  (strimzi.io/name=<cluster>-kafka-exporter).
Crunchy PGO 6 (internal/naming): instance StatefulSets "<cluster>-<set>-xxxx" labelled
  postgres-operator.crunchydata.com/cluster, .../instance-set, .../data=postgres, .../patroni=<cluster>-ha;
  backup Jobs labelled .../cluster, .../pgbackrest, .../pgbackrest-backup, .../pgbackrest-repo.
"""

PGO = "postgres-operator.crunchydata.com/"


WORKLOAD_LABEL = "lint.replicasafe.io/workload"


def _pods(kind, name, namespace, labels, replicas):
    """One Pod per replica, so that network-config-analyzer reports traffic between members of one workload
    (broker to broker, instance to instance), which it drops when they are one endpoint. The label names the
    workload the pod belongs to, for folding the report back."""
    pods = []
    for index in range(replicas):
        pod_labels = dict(labels, **{WORKLOAD_LABEL: f"{kind}.{name}"})
        pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"{name}-{index}", "namespace": namespace, "labels": pod_labels},
                "spec": {"containers": [{"name": "main", "image": "operand"}]},
            }
        )
    return pods


def _workload(kind, name, namespace, labels):
    obj = {
        "apiVersion": "apps/v1" if kind != "Job" else "batch/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [{"name": "main", "image": "operand"}]},
            },
        },
    }
    if kind == "Job":
        del obj["spec"]["selector"]
        obj["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    if kind == "StatefulSet":
        obj["spec"]["serviceName"] = name
    return obj


def strimzi(objects):
    out = []
    kafkas = [o for o in objects if o["kind"] == "Kafka"]
    pools = [o for o in objects if o["kind"] == "KafkaNodePool"]
    for kafka in kafkas:
        name, ns = kafka["metadata"]["name"], kafka["metadata"]["namespace"]
        base = {"strimzi.io/cluster": name, "strimzi.io/kind": "Kafka"}
        for pool in pools:
            if (
                pool["metadata"].get("namespace") != ns
                or (pool["metadata"].get("labels") or {}).get("strimzi.io/cluster") != name
            ):
                continue
            roles = pool["spec"].get("roles", [])
            labels = dict(
                base,
                **{
                    "strimzi.io/name": f"{name}-kafka",
                    "strimzi.io/pool-name": pool["metadata"]["name"],
                    "strimzi.io/component-type": "kafka",
                    "strimzi.io/broker-role": str("broker" in roles).lower(),
                    "strimzi.io/controller-role": str("controller" in roles).lower(),
                    "app.kubernetes.io/name": "kafka",
                    "app.kubernetes.io/instance": name,
                },
            )
            out += _pods("StatefulSet", f"{name}-{pool['metadata']['name']}", ns, labels, int(pool["spec"]["replicas"]))
        if kafka["spec"].get("entityOperator") is not None:
            out.append(
                _workload(
                    "Deployment",
                    f"{name}-entity-operator",
                    ns,
                    dict(
                        base,
                        **{
                            "strimzi.io/name": f"{name}-entity-operator",
                            "strimzi.io/component-type": "entity-operator",
                            "app.kubernetes.io/name": "entity-operator",
                        },
                    ),
                )
            )
        if kafka["spec"].get("kafkaExporter") is not None:
            out.append(
                _workload(
                    "Deployment",
                    f"{name}-kafka-exporter",
                    ns,
                    dict(
                        base,
                        **{
                            "strimzi.io/name": f"{name}-kafka-exporter",
                            "strimzi.io/component-type": "kafka-exporter",
                            "app.kubernetes.io/name": "kafka-exporter",
                        },
                    ),
                )
            )
    return out


def crunchy(objects):
    out = []
    for cluster in (o for o in objects if o["kind"] == "PostgresCluster"):
        name, ns = cluster["metadata"]["name"], cluster["metadata"]["namespace"]
        for instance_set in cluster["spec"].get("instances", []):
            out += _pods(
                "StatefulSet",
                f"{name}-{instance_set['name']}",
                ns,
                {
                    PGO + "cluster": name,
                    PGO + "instance-set": instance_set["name"],
                    PGO + "data": "postgres",
                    PGO + "patroni": f"{name}-ha",
                },
                int(instance_set.get("replicas", 1)),
            )
        for repo in cluster["spec"].get("backups", {}).get("pgbackrest", {}).get("repos", []):
            for schedule in sorted(repo.get("schedules") or {}):
                out.append(
                    _workload(
                        "Job",
                        f"{name}-{repo['name']}-{schedule}",
                        ns,
                        {
                            PGO + "cluster": name,
                            PGO + "pgbackrest": "",
                            PGO + "pgbackrest-backup": "scheduled",
                            PGO + "pgbackrest-repo": repo["name"],
                            PGO + "pgbackrest-cronjob": schedule,
                        },
                    )
                )
    return out


def materialize(objects):
    return strimzi(objects) + crunchy(objects)
