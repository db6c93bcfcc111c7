"""The traces check (and the network check's part in it) fails, naming the defect, when one is injected: the
apps' OTLP endpoint, Tempo's, Loki's and Alloy's manifests and pins, and Grafana's data sources, which must
agree for a log line to link to its trace."""

import pytest

from .lint_failure import failed, planted_failed


def test_network_blocks_spans_when_the_tempo_egress_is_missing(tree):
    tree.replace(
        "apps/base/network-policies/apps.yaml",
        "              app.kubernetes.io/name: tempo\n      ports:\n        - protocol: TCP\n          port: 4318\n",
        "              app.kubernetes.io/name: tempo\n      ports:\n        - protocol: TCP\n          port: 4317\n",
    )
    failed(tree, "network", "in docs/security/traffic-matrix.md but not allowed: apps/api[Deployment]")


TRACES_DEFECTS = {
    # The apps export to a port the Service does not have (OTLP/gRPC's 4317, which Tempo is not told to receive).
    "endpoint-port": (
        "apps/base/api/deployment.yaml",
        "value: http://tempo.monitoring.svc:4318",
        "value: http://tempo.monitoring.svc:4317",
        "api OTEL_EXPORTER_OTLP_ENDPOINT: 'http://tempo.monitoring.svc:4317': Service monitoring/tempo has no port 4317",
    ),
    "endpoint-service": (
        "apps/base/worker/deployment.yaml",
        "value: http://tempo.monitoring.svc:4318",
        "value: http://otel-collector.monitoring.svc:4318",
        "names Service monitoring/otel-collector, which platform/manifests does not define",
    ),
    # Tempo listens elsewhere than the Service forwards to.
    "receiver-port": (
        "platform/manifests/tempo.yaml",
        "endpoint: 0.0.0.0:4318",
        "endpoint: 0.0.0.0:4319",
        "reaches port 4318; Tempo receives OTLP/HTTP on 4319",
    ),
    "worker-sampler": (
        "apps/base/worker/deployment.yaml",
        "value: parentbased_always_on",
        "value: parentbased_traceidratio",
        "worker OTEL_TRACES_SAMPLER 'parentbased_traceidratio'",
    ),
    "derived-field-uid": (
        "platform/values/kube-prometheus-stack.yaml",
        "            datasourceUid: tempo\n",
        "            datasourceUid: jaeger\n",
        "derived field trace_id links to data source uid 'jaeger', not Tempo's 'tempo'",
    ),
    "derived-field-regex": (
        "platform/values/kube-prometheus-stack.yaml",
        'matcherRegex: "trace_id=([0-9a-f]{32})"',
        'matcherRegex: "traceID=([0-9a-f]{32})"',
        "does not capture the trace id of the worker's line",
    ),
    "grafana-tempo-port": (
        "platform/values/kube-prometheus-stack.yaml",
        "url: http://tempo.monitoring.svc:3200",
        "url: http://tempo.monitoring.svc:4318",
        "Grafana data source Tempo reaches port 4318; tempo serves HTTP on 3200",
    ),
    "alloy-target": (
        "platform/manifests/alloy.yaml",
        'url = "http://loki.monitoring.svc:3100/loki/api/v1/push"',
        'url = "http://loki.monitoring.svc:3101/loki/api/v1/push"',
        "Service monitoring/loki has no port 3101",
    ),
    "alloy-rbac": (
        "platform/manifests/alloy.yaml",
        '    resources: ["pods/log"]\n',
        '    resources: ["pods/status"]\n',
        "Alloy's service account 'alloy' cannot list/watch pods and get pods/log in namespace apps",
    ),
    "dashboard-uid": (
        "apps/base/observability/dashboards/worker.json",
        '"uid": "loki"',
        '"uid": "loki-logs"',
        "reads Loki uid 'loki-logs', Grafana's is 'loki'",
    ),
    "dashboard-panel": (
        "apps/base/observability/dashboards/worker.json",
        '|= \\"traced event\\"',
        '|= \\"event\\"',
        "no dashboard has a logs panel of the worker's `traced event` lines",
    ),
    "image-pin": (
        "platform/versions.env",
        "TEMPO_IMAGE=grafana/tempo:2.8.1",
        "TEMPO_IMAGE=grafana/tempo:2.9.0",
        "tempo: image grafana/tempo:2.8.1 != TEMPO_IMAGE grafana/tempo:2.9.0",
    ),
    "hardening": (
        "platform/manifests/loki.yaml",
        "            readOnlyRootFilesystem: true\n",
        "",
        "hardening Deployment monitoring/loki container loki: readOnlyRootFilesystem is not true",
    ),
    "probe": (
        "platform/manifests/tempo.yaml",
        "          readinessProbe:\n            httpGet:\n              path: /ready\n              port: http\n",
        "          readinessProbe:\n            httpGet:\n              path: /ready\n              port: metrics\n",
        "Deployment monitoring/tempo: readinessProbe missing or on a port the container lacks ('metrics')",
    ),
}


@pytest.mark.parametrize("defect", sorted(TRACES_DEFECTS))
def test_traces_catches(tree, defect):
    planted_failed(tree, "traces", TRACES_DEFECTS, defect)
