#!/usr/bin/env bash
# Live NetworkPolicy checks on EKS: from inside real pods, try the connections the traffic matrix allows and a
# set it forbids, and report each against its expectation. Run after `apps/deploy_apps.sh after`.
#
#   apps/verify_network.sh            exit 0 when every probe matched its expectation
#
# Each probe is `nc -z -w 3 HOST PORT` in an ephemeral busybox container attached to the pod (kubectl debug):
# it shares the pod's network namespace, so exactly that pod's policies apply. Ephemeral containers cannot be
# removed; they exit after the probe and go with the pod at its next restart. Probes from "outside" use a
# throw-away pod in namespace default.
set -euo pipefail
# shellcheck source=platform/lib.sh
. "$(dirname "$0")/../platform/lib.sh"
require_tools kubectl jq

PROBE_IMAGE=${PROBE_IMAGE:-busybox:1.36}
pass=0
fail=0

# pod_of NAMESPACE SELECTOR: name of one running pod.
pod_of() {
    kubectl -n "$1" get pod -l "$2" --field-selector=status.phase=Running -o jsonpath='{.items[0].metadata.name}'
}

# probe NAMESPACE SELECTOR HOST PORT allow|deny WHY
probe() {
    local ns=$1 selector=$2 host=$3 port=$4 want=$5 why=$6 pod got
    pod=$(pod_of "$ns" "$selector") || true
    if [ -z "$pod" ]; then
        echo "SKIP  $ns/$selector: no running pod"
        return
    fi
    if kubectl -n "$ns" debug "pod/$pod" --image="$PROBE_IMAGE" --profile=restricted --quiet --attach \
        --container="probe-$RANDOM$RANDOM" -- nc -z -w 3 "$host" "$port" >/dev/null 2>&1; then
        got=allow
    else
        got=deny
    fi
    if [ "$got" = "$want" ]; then
        pass=$((pass + 1))
        printf 'ok    %-6s %-34s -> %-42s %s\n' "$got" "$ns/${selector#*=}" "$host:$port" "$why"
    else
        fail=$((fail + 1))
        printf 'FAIL  %-6s %-34s -> %-42s %s (expected %s)\n' "$got" "$ns/${selector#*=}" "$host:$port" "$why" "$want"
    fi
}

# probe_outside HOST PORT WHY: from a pod in namespace default, which no policy of ours admits.
probe_outside() {
    local host=$1 port=$2 why=$3 name="netcheck-$RANDOM"
    if kubectl -n default run "$name" --image="$PROBE_IMAGE" --restart=Never --rm -i --quiet \
        --overrides='{"spec":{"securityContext":{"runAsNonRoot":true,"runAsUser":65534,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[{"name":"'"$name"'","image":"'"$PROBE_IMAGE"'","command":["nc","-z","-w","3","'"$host"'","'"$port"'"],"securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["ALL"]}}}]}}' \
        >/dev/null 2>&1; then
        fail=$((fail + 1))
        printf 'FAIL  allow  %-34s -> %-42s %s (expected deny)\n' "default/netcheck" "$host:$port" "$why"
    else
        pass=$((pass + 1))
        printf 'ok    deny   %-34s -> %-42s %s\n' "default/netcheck" "$host:$port" "$why"
    fi
}

API=app.kubernetes.io/name=api
WORKER=app.kubernetes.io/name=worker
BROKER=strimzi.io/name=events-kafka
PG=postgres-operator.crunchydata.com/role=master
PROM=app.kubernetes.io/name=prometheus
GRAFANA=app.kubernetes.io/name=grafana
KAFKA=events-kafka-bootstrap.kafka.svc
BROKERS=events-kafka-brokers.kafka.svc
DB=ledger-primary.postgres.svc
region=$(kubectl -n postgres get postgrescluster ledger -o jsonpath='{.spec.backups.pgbackrest.repos[0].s3.region}')

echo "flows the matrix allows"
probe apps "$API" "$KAFKA" 9093 allow "api produces events (3)"
probe apps "$API" "$DB" 5432 allow "api idempotency keys (4)"
probe apps "$WORKER" "$KAFKA" 9093 allow "worker consumes (5)"
probe apps "$WORKER" "$DB" 5432 allow "worker applies effects (6)"
probe monitoring "$PROM" api.apps.svc 8080 allow "Prometheus scrapes api (8)"
probe monitoring "$PROM" worker-metrics.apps.svc 9090 allow "Prometheus scrapes worker (8)"
probe kafka "$BROKER" "$BROKERS" 9091 allow "replication between nodes (9)"
probe postgres "$PG" "s3.$region.amazonaws.com" 443 allow "pgBackRest to S3 (15)"
probe postgres "$PG" kubernetes.default.svc 443 allow "Patroni leader lock in the API (14)"

echo "flows it forbids"
probe apps "$API" worker-metrics.apps.svc 9090 deny "api has no business with the worker"
probe apps "$API" kubernetes.default.svc 443 deny "api does not talk to the Kubernetes API"
probe apps "$API" "$BROKERS" 9091 deny "clients stay off the replication listener"
probe apps "$WORKER" api.apps.svc 8080 deny "worker does not call the api"
probe apps "$WORKER" "s3.$region.amazonaws.com" 443 deny "no internet from the worker"
probe kafka "$BROKER" "$DB" 5432 deny "Kafka never reaches the database"
probe postgres "$PG" api.apps.svc 8080 deny "the database never calls out to the apps"
probe monitoring "$GRAFANA" api.apps.svc 8080 deny "Grafana reads Prometheus, not the apps"
probe_outside api.apps.svc 8080 "other tenants cannot reach the api"
probe_outside "$DB" 5432 "other tenants cannot reach the database"
probe_outside "$KAFKA" 9093 "other tenants cannot reach Kafka"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
