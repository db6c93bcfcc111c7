"""The rendered manifests' checks (render, schema, overlays, invariants) fail, naming the defect, when one is
planted: a missing resource, a field the API server would reject, overlays that differ in more than the worker's
mode, a consumer cap above the partition count, a pod that is not hardened."""

from .lint_failure import failed

# ---- render -----------------------------------------------------------------------------------------------


def test_render_fails_on_a_missing_resource(tree):
    tree.replace("apps/base/api/kustomization.yaml", "  - pdb.yaml", "  - pdb.yaml\n  - missing.yaml")
    failed(tree, "render", "render: before FAILED")


def test_render_fails_when_the_overlay_patch_misses_worker_mode(tree):
    # The overlays patch env[0]; a new first variable must break the render, not silently patch it.
    tree.replace(
        "apps/base/worker/deployment.yaml",
        "            - name: WORKER_MODE\n",
        "            - name: LOG_LEVEL\n              value: info\n            - name: WORKER_MODE\n",
    )
    failed(tree, "render", "render: before FAILED")


def test_render_fails_without_the_k6_scripts(tree):
    import os

    os.remove(tree.path("checks/load/lag-burst.js"))
    failed(tree, "render", "lag-burst.js is missing")


# ---- schema -----------------------------------------------------------------------------------------------


def test_schema_rejects_an_unknown_field_of_a_custom_resource(tree):
    tree.replace("apps/base/kafka/kafka.yaml", "    rack:\n", "    racks:\n      enabled: true\n    rack:\n")
    failed(tree, "schema", "'racks' was unexpected")


def test_schema_rejects_an_unknown_field_of_a_builtin_object(tree):
    tree.replace(
        "apps/base/api/deployment.yaml",
        "          imagePullPolicy: Always",
        "          imagePullPolicy: Always\n          restartPolicyy: Never",
    )
    failed(tree, "schema", "'restartPolicyy' was unexpected")


def test_schema_rejects_a_wrong_type(tree):
    tree.replace("apps/base/worker/scaledobject.yaml", "  minReplicaCount: 1", '  minReplicaCount: "one"')
    failed(tree, "schema", "'one' is not of type 'integer'")


def test_schema_evaluates_crd_cel_rules(tree):
    tree.replace(
        "apps/base/kafka/kafka.yaml",
        "      type: strimziMetricsReporter\n      values:\n",
        "      type: jmxPrometheusExporter\n      values:\n",
    )
    failed(tree, "schema", "CEL rule failed: valueFrom property is required")


def test_schema_rejects_a_kind_without_a_crd(tree):
    tree.replace("apps/base/worker/scaledobject.yaml", "kind: ScaledObject", "kind: ScaledWorker")
    failed(tree, "schema", "is neither a Kubernetes 1.34.0 kind nor defined by a CRD")


def test_schema_detects_an_edited_vendored_crd(tree):
    tree.replace("platform/crds/strimzi/043-Crd-kafkatopic.yaml", "minimum: 1", "minimum: 0")
    failed(tree, "schema", "platform/crds differ from SHA256SUMS")


# ---- overlays ---------------------------------------------------------------------------------------------


def test_overlays_may_differ_only_in_worker_mode(tree):
    tree.replace(
        "apps/overlays/after/kustomization.yaml",
        "        value: after",
        "        value: after\n      - op: replace\n        path: /spec/template/spec/terminationGracePeriodSeconds\n"
        "        value: 120",
    )
    failed(tree, "overlays", "terminationGracePeriodSeconds: 45 != 120")


# ---- invariants -------------------------------------------------------------------------------------------


def test_invariants_cap_keda_at_the_partition_count(tree):
    tree.replace("apps/base/worker/scaledobject.yaml", "  maxReplicaCount: 12", "  maxReplicaCount: 24")
    failed(tree, "invariants", "maxReplicaCount 24 > 12 partitions of events")


def test_invariants_keep_at_least_one_consumer(tree):
    tree.replace("apps/base/worker/scaledobject.yaml", "  minReplicaCount: 1", "  minReplicaCount: 0")
    failed(tree, "invariants", "minReplicaCount 0 < 1")


def test_invariants_check_the_worker_shutdown_budget(tree):
    tree.replace(
        "apps/base/worker/deployment.yaml", "terminationGracePeriodSeconds: 45", "terminationGracePeriodSeconds: 30"
    )
    failed(tree, "invariants", "worker terminationGracePeriodSeconds 30 <= preStop 5 + SHUTDOWN_GRACE_SECONDS 20")


def test_invariants_follow_the_statement_timeout_of_the_deploy_script(tree):
    tree.replace("apps/deploy_apps.sh", "STATEMENT_TIMEOUT_MS=15000", "STATEMENT_TIMEOUT_MS=30000")
    failed(tree, "invariants", "longest batch 30 = 55")


def test_invariants_require_a_disruption_budget(tree):
    tree.replace("apps/base/api/kustomization.yaml", "  - pdb.yaml\n", "")
    failed(tree, "invariants", "Deployment apps/api: no PodDisruptionBudget selects it")


def test_invariants_require_the_readiness_gate_label(tree):
    tree.replace("apps/base/namespaces.yaml", "    elbv2.k8s.aws/pod-readiness-gate-inject: enabled\n", "")
    failed(tree, "invariants", "lacks elbv2.k8s.aws/pod-readiness-gate-inject=enabled")


def test_invariants_hold_the_environment_to_the_contract(tree):
    tree.replace(
        "apps/base/api/deployment.yaml", "            - name: KAFKA_TOPIC\n", "            - name: KAFKA_TOPIK\n"
    )
    failed(tree, "invariants", "environment variable KAFKA_TOPIK is not in docs/interfaces.md")


def test_invariants_require_a_read_only_root_filesystem(tree):
    tree.replace(
        "apps/base/worker/deployment.yaml",
        "            readOnlyRootFilesystem: true",
        "            readOnlyRootFilesystem: false",
    )
    failed(tree, "invariants", "container worker: readOnlyRootFilesystem is not true")


def test_invariants_expose_only_v1_through_the_ingress(tree):
    tree.replace("apps/base/api/ingress.yaml", "          - path: /v1\n", "          - path: /\n")
    failed(tree, "invariants", "exposes Prefix '/'; only Prefix /v1/ may leave the cluster")


def test_invariants_require_https_with_a_redirect(tree):
    tree.replace("apps/base/api/ingress.yaml", '    alb.ingress.kubernetes.io/ssl-redirect: "443"\n', "")
    failed(tree, "invariants", "HTTP is served without alb.ingress.kubernetes.io/ssl-redirect")


def test_render_refuses_plain_http_without_the_flag(tree):
    tree.replace("apps/environments/example.env", "ACM_CERTIFICATE_ARN=arn:", "ACM_CERTIFICATE_ARN=\nUNUSED=arn:")
    failed(tree, "render", "set ALLOW_PLAIN_HTTP=1 to mean it")


def test_invariants_require_a_fixed_image_tag(tree):
    tree.replace("apps/environments/example.env", "IMAGE_TAG=0.1.0", "IMAGE_TAG=latest")
    failed(tree, "invariants", "is not REGISTRY/worker at a fixed tag")


def test_invariants_forbid_host_paths(tree):
    tree.replace(
        "apps/base/api/deployment.yaml",
        "      volumes:\n        - name: tmp\n",
        "      volumes:\n        - name: host\n          hostPath:\n            path: /var/run\n        - name: tmp\n",
    )
    failed(tree, "invariants", "volume host of type ['hostPath']")
