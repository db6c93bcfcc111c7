"""Each platform check passes on the pristine tree and fails, naming the defect, when one is injected.
The defects are the mistakes these checks exist for: a field the API server would reject, a consumer cap above
the partition count, a NetworkPolicy that is wider or narrower than the documented matrix, an AZ without nodes,
a bucket left unversioned or keeping old versions forever, a skip without a reason, a broken script."""

import pytest

from .lint_failure import failed


def test_every_check_passes_on_the_pristine_tree(tree):
    rc, out = tree.lint()
    assert rc == 0, out
    assert "lint-platform: all 15 checks passed" in out


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


# ---- network ----------------------------------------------------------------------------------------------


def test_network_fails_on_a_flow_missing_from_the_matrix(tree):
    # Any pod of namespace monitoring (Grafana too) instead of Prometheus only.
    tree.replace(
        "apps/base/network-policies/kafka.yaml",
        "          podSelector:\n            matchLabels:\n              app.kubernetes.io/name: prometheus\n"
        "      ports:\n        - protocol: TCP\n          port: 9404\n  egress:",
        "      ports:\n        - protocol: TCP\n          port: 9404\n  egress:",
    )
    failed(
        tree,
        "network",
        "allowed but not in docs/security/traffic-matrix.md: monitoring/kube-prometheus-stack-grafana[Deployment]",
    )


def test_network_fails_on_a_documented_flow_that_is_blocked(tree):
    tree.replace(
        "apps/base/network-policies/apps.yaml",
        "              app.kubernetes.io/name: k6\n      ports:\n        - protocol: TCP\n          port: 8080\n",
        "              app.kubernetes.io/name: k6\n      ports:\n        - protocol: TCP\n          port: 8081\n",
    )
    failed(tree, "network", "in docs/security/traffic-matrix.md but not allowed: apps/k6-api-load[Job]")


def test_network_fails_when_the_matrix_lists_an_extra_flow(tree):
    tree.replace(
        "docs/security/traffic-matrix.md",
        "apps/worker[Deployment]                                            postgres/ledger-pg[StatefulSet]              TCP      5432\n",
        "apps/worker[Deployment]                                            postgres/ledger-pg[StatefulSet]              TCP      5432,5433\n",
    )
    failed(tree, "network", "in docs/security/traffic-matrix.md but not allowed: apps/worker[Deployment]")


OLD_FUZZ_EGRESS = """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: sim-fuzz-https-anywhere
  namespace: replicasafe-fuzz
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: sim-fuzz
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 0.0.0.0/0
            except:
              - 10.0.0.0/8
              - 172.16.0.0/12
              - 192.168.0.0/16
      ports:
        - protocol: TCP
          port: 443
"""


def test_network_refuses_https_anywhere_for_the_fuzz_fleet(tree):
    # The fleet's former rule, HTTPS to every public address, next to the narrow one.
    tree.write("apps/fuzz/network-policies.yaml", tree.read("apps/fuzz/network-policies.yaml") + OLD_FUZZ_EGRESS)
    failed(tree, "network", "allowed but not in docs/security/traffic-matrix.md: replicasafe-fuzz/sim-fuzz[Job]")


def test_render_refuses_a_catch_all_fuzz_egress(tree):
    tree.replace(
        "apps/environments/example.env", "FUZZ_EGRESS_CIDRS=3.5.0.0/19,", "FUZZ_EGRESS_CIDRS=0.0.0.0/0,3.5.0.0/19,"
    )
    failed(tree, "render", "FUZZ_EGRESS_CIDRS holds 0.0.0.0/0")


def test_network_requires_default_deny_in_every_namespace(tree):
    tree.replace(
        "apps/base/network-policies/default-deny.yaml",
        "  namespace: postgres\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress",
        "  namespace: postgres\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress",
    )
    failed(tree, "network", "namespace postgres has no default-deny")


def test_network_default_deny_alone_must_block_everything(tree):
    # A "default-deny" that quietly allows DNS is not a default deny.
    tree.replace(
        "apps/base/network-policies/default-deny.yaml",
        "  namespace: kafka\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress",
        "  namespace: kafka\nspec:\n  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n"
        "  egress:\n    - ports:\n        - protocol: UDP\n          port: 53",
    )
    rc, out = tree.lint("network")
    assert rc != 0, out
    assert "allowed with default-deny alone: kafka/" in out, out


# ---- privileges (database roles and Kafka users hold exactly what their code needs) -------------------------


def test_privileges_refuse_a_grant_the_code_does_not_use(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;\nGRANT SELECT ON ledger TO api;",
    )
    failed(tree, "privileges", "role api holds SELECT on ledger, which its statements (Sources/Live/API) do not use")


def test_privileges_refuse_a_wider_privilege_on_an_own_table(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON ledger TO worker;",
        "GRANT SELECT, INSERT, DELETE ON ledger TO worker;",
    )
    failed(tree, "privileges", "role worker holds DELETE on ledger")


def test_privileges_notice_a_missing_grant(tree):
    tree.replace("db/grants.sql", "GRANT USAGE ON SEQUENCE settlements_id_seq TO worker;\n", "")
    failed(tree, "privileges", "role worker lacks USAGE on settlements_id_seq")


def test_privileges_refuse_grant_all(tree):
    tree.replace(
        "db/grants.sql",
        "GRANT SELECT, INSERT ON idempotency_keys TO api;",
        "GRANT ALL ON ALL TABLES IN SCHEMA public TO api;",
    )
    failed(tree, "privileges", "is wider than named privileges on named objects")


def test_privileges_refuse_database_grants_through_pgo(tree):
    tree.replace(
        "apps/base/postgres/postgrescluster.yaml",
        "    - name: api\n",
        "    - name: api\n      databases:\n        - replicasafe\n",
    )
    failed(tree, "privileges", "PGO user api lists databases")


def test_privileges_refuse_a_kafka_acl_beyond_the_workload(tree):
    tree.replace(
        "apps/base/kafka/users.yaml",
        "          name: events\n          patternType: literal\n        operations: [Write]",
        "          name: events\n          patternType: literal\n        operations: [Write, Read]",
    )
    failed(tree, "privileges", "KafkaUser api may Read topic events, which it does not need")


def test_privileges_refuse_prefix_acls(tree):
    tree.replace(
        "apps/base/kafka/users.yaml",
        "          name: events.dlq\n          patternType: literal",
        "          name: events\n          patternType: prefix",
    )
    failed(tree, "privileges", "is a pattern, not one named resource")


def test_privileges_require_an_authenticated_tls_listener(tree):
    tree.replace("apps/base/kafka/kafka.yaml", "        authentication:\n          type: scram-sha-512\n", "")
    failed(tree, "privileges", "listener tls without TLS and authentication")


def test_privileges_require_the_user_operator(tree):
    tree.replace("apps/base/kafka/kafka.yaml", "    userOperator:\n", "    userOperatr:\n")
    failed(tree, "privileges", "no entityOperator.userOperator")


def test_privileges_keep_the_postgres_major_of_the_tests(tree):
    tree.replace("apps/base/postgres/postgrescluster.yaml", "  postgresVersion: 15", "  postgresVersion: 17")
    failed(tree, "privileges", "deploys PostgreSQL 17, the local tests run 15")


# ---- terraform --------------------------------------------------------------------------------------------


def test_terraform_requires_a_node_group_in_every_az(tree):
    tree.replace(
        "infra/main.tf",
        "subnet_ids_by_az  = module.network.private_subnet_ids_by_az",
        "subnet_ids_by_az  = { a = module.network.private_subnet_ids[0] }",
    )
    failed(tree, "terraform", "node groups are not one per AZ in the private subnets")


def test_terraform_refuses_registry_modules(tree):
    tree.replace("infra/main.tf", 'source = "./modules/registry"', 'source = "terraform-aws-modules/ecr/aws"')
    failed(tree, "terraform", "not ./modules/ (registry modules cannot be installed or validated offline)")


def test_terraform_requires_three_subnets_per_tier(tree):
    tree.replace(
        "infra/variables.tf", '["10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"]', '["10.0.96.0/24", "10.0.97.0/24"]'
    )
    failed(tree, "terraform", "var.public_subnet_cidrs has 2 subnets, not 3")


def test_terraform_requires_network_policy_in_the_cni(tree):
    tree.replace("infra/addons.tf", 'enableNetworkPolicy = "true"', 'enableNetworkPolicy = "false"')
    failed(tree, "terraform", "vpc-cni does not set enableNetworkPolicy")


def test_terraform_requires_every_output_the_scripts_read(tree):
    tree.replace("infra/outputs.tf", 'output "db_backup_bucket"', 'output "database_backup_bucket"')
    failed(tree, "terraform", "platform/apps scripts read output db_backup_bucket, which infra/ does not define")


def test_terraform_irsa_trusts_the_service_accounts_in_use(tree):
    tree.replace("platform/values/cluster-autoscaler.yaml", "    name: cluster-autoscaler ", "    name: autoscaler ")
    failed(
        tree,
        "terraform",
        "role cluster_autoscaler trusts ['kube-system:cluster-autoscaler'] but platform/apps "
        "use ['kube-system:autoscaler']",
    )


def test_terraform_requires_the_fuzz_role_output_the_fleet_reads(tree):
    tree.replace("infra/outputs.tf", 'output "sim_fuzz_role_arn"', 'output "fuzz_role_arn"')
    rc, out = tree.lint("terraform")
    assert rc != 0, out
    assert "output sim_fuzz_role_arn missing" in out
    assert 'output sim_fuzz_role_arn is not ${module.irsa["sim_fuzz"].arn}' in out
    assert "scripts read output sim_fuzz_role_arn, which infra/ does not define" in out


# (file, text, planted defect, what check_terraform must say): the least privilege of the S3-reaching roles and
# one list of images from the ECR repositories to the scripts that deploy them.
TERRAFORM_DEFECTS = {
    "fuzz role beyond its prefix": (
        "infra/iam_sim_fuzz.tf",
        '"${module.backups.bucket_arns["db"]}/fuzz/*"',
        '"${module.backups.bucket_arns["db"]}/*"',
        "role sim_fuzz statement Findings: object actions on",
    ),
    "fuzz role deletes": (
        "infra/iam_sim_fuzz.tf",
        '"s3:PutObject",',
        '"s3:PutObject", "s3:DeleteObject",',
        "deletes objects, which the role's job does not need",
    ),
    "fuzz listing not narrowed": (
        "infra/iam_sim_fuzz.tf",
        'values   = ["fuzz/*", "fuzz"]',
        'values   = ["*"]',
        "role sim_fuzz statement ListFindings: s3:ListBucket is not narrowed to s3:prefix fuzz/",
    ),
    "wildcard action": (
        "infra/iam_sim_fuzz.tf",
        '"s3:GetObject",',
        '"s3:*",',
        "role sim_fuzz statement Findings: wildcard action s3:*",
    ),
    "backup role on the fuzz prefix": (
        "infra/iam_db_backup.tf",
        '/pgbackrest/*"]',
        '/fuzz/*"]',
        "role db_backup statement Repository: object actions on",
    ),
    "workflow misses an image": (
        ".github/workflows/images.yml",
        "        image: [api, worker, sim]\n",
        "        image: [api, worker]\n",
        "images.yml job build matrix is ['api', 'worker'], not the ECR repositories",
    ),
    "no repository for a deployed image": (
        "infra/main.tf",
        'repositories      = ["api", "worker", "sim"]',
        'repositories      = ["api", "worker"]',
        "apps/render.sh images newName is ['api', 'sim', 'worker'], not the ECR repositories",
    ),
    "fuzz run does not check its image": (
        "apps/fuzz/run.sh",
        'require_images "$work/env" sim\n',
        "",
        "require_images in apps/ scripts is ['api', 'worker'], not the ECR repositories",
    ),
}


@pytest.mark.parametrize("defect", sorted(TERRAFORM_DEFECTS))
def test_terraform_catches(tree, defect):
    path, old, new, expected = TERRAFORM_DEFECTS[defect]
    tree.replace(path, old, new)
    failed(tree, "terraform", expected)


def test_checkov_requires_versioned_buckets(tree):
    tree.replace("infra/modules/backups/main.tf", 'status = "Enabled"', 'status = "Suspended"')
    failed(tree, "checkov", "CKV_AWS_21")


def test_terraform_requires_expiring_old_versions(tree):
    tree.replace("infra/modules/backups/main.tf", "noncurrent_version_expiration", "noncurrent_version_transition")
    failed(tree, "terraform", "aws_s3_bucket_lifecycle_configuration does not do its job")


def test_terraform_keeps_policy_cidrs_equal_to_the_subnets(tree):
    tree.replace(
        "infra/variables.tf",
        '"10.0.100.0/24", "10.0.101.0/24", "10.0.102.0/24"',
        '"10.0.110.0/24", "10.0.111.0/24", "10.0.112.0/24"',
    )
    failed(tree, "terraform", "NetworkPolicy API-server CIDRs")


def test_terraform_reports_unparsable_hcl(tree):
    tree.replace("infra/budget.tf", 'limit_unit   = "USD"', 'limit_unit   = "USD')
    failed(tree, "terraform", "parse: ")


# ---- tfvalidate (terraform fmt, init, validate against the provider schema) ----------------------------------


def test_tfvalidate_rejects_an_argument_the_provider_does_not_have(tree):
    tree.replace(
        "infra/modules/network/main.tf",
        "  enable_dns_support   = true\n",
        "  enable_dns_support   = true\n  enable_dns_hostname  = true\n",
    )
    failed(tree, "tfvalidate", 'An argument named "enable_dns_hostname" is not expected here')


def test_tfvalidate_rejects_a_missing_module_input(tree):
    tree.replace("infra/main.tf", "  disk_size_gb      = 50\n", "")
    failed(tree, "tfvalidate", 'The argument "disk_size_gb" is required')


def test_tfvalidate_requires_terraform_fmt(tree):
    tree.replace("infra/budget.tf", '  limit_unit   = "USD"', '  limit_unit = "USD"')
    failed(tree, "tfvalidate", "FAILED terraform fmt -check")


# ---- helmvalues (platform/values against the pinned charts' defaults) -------------------------------------


def test_helmvalues_catches_a_misspelled_key(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        "    serviceMonitorSelectorNilUsesHelmValues: false",
        "    serviceMonitorSelectorNilUsesHelmValue: false",
    )
    failed(
        tree,
        "helmvalues",
        "unknown key prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValue "
        "(did you mean prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues?)",
    )


def test_helmvalues_catches_a_misspelled_set_string_key(tree):
    tree.replace(
        "platform/install_platform.sh",
        "--set-string autoDiscovery.clusterName=",
        "--set-string autoDiscovery.clustername=",
    )
    failed(tree, "helmvalues", "cluster-autoscaler: unknown key autoDiscovery.clustername")


def test_helmvalues_applies_the_charts_json_schema(tree):
    tree.replace("platform/values/velero.yaml", "snapshotsEnabled: true", 'snapshotsEnabled: "yes"')
    failed(tree, "helmvalues", "velero: values.schema.json: snapshotsEnabled: 'yes' is not of type 'boolean'")


def test_helmvalues_leaves_free_form_maps_alone(tree):
    tree.replace(
        "platform/values/strimzi.yaml",
        "  requests:\n    cpu: 100m",
        "  requests:\n    cpu: 100m\n    example.com/gpu: 1",
    )
    rc, out = tree.lint("helmvalues")
    assert rc == 0, out


def test_helmvalues_detects_an_edited_vendored_chart_default(tree):
    tree.replace("platform/chart-defaults/keda-2.20.2/values.yaml", "watchNamespace:", "watchNamespaces:")
    failed(tree, "helmvalues", "differs from")


# ---- toolpins ----------------------------------------------------------------------------------------------


def test_toolpins_keep_tool_versions_and_the_pins_equal(tree):
    tree.replace(".tool-versions", "helm 3.19.0", "helm 3.20.0")
    failed(tree, "toolpins", ".tool-versions has helm 3.20.0, tools/versions.md pins 3.19.0")


def test_toolpins_refuse_a_range(tree):
    tree.replace("tools/versions.md", "kubectl     1.34.1 ", "kubectl     >=1.34 ")
    failed(tree, "toolpins", "is not an exact version")


# ---- alertmanager (routes and receivers, amtool) ---------------------------------------------------------


def test_alertmanager_routes_every_critical_to_the_pager(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        """        - receiver: page
          matchers: ['severity="critical"']""",
        """        - receiver: page
          matchers: ['severity="critical"', 'slo=~".+"']""",
    )
    failed(tree, "alertmanager", "alert SettlementMissed (critical")
    failed(tree, "alertmanager", "want 'page'")


def test_alertmanager_refuses_an_alert_without_a_known_severity(tree):
    tree.replace(
        "apps/base/observability/prometheusrule.yaml", "labels: {severity: warning}", "labels: {severity: info}"
    )
    failed(tree, "alertmanager", "alert DuplicateSkipsSpike has severity 'info'")


def test_alertmanager_requires_inhibition_of_warnings_by_criticals(tree):
    tree.replace(
        "platform/values/kube-prometheus-stack.yaml",
        "        equal: [alertname, namespace]",
        "        equal: [alertname, namespace, slo_window]",
    )
    failed(tree, "alertmanager", "no inhibit rule silences its warning while its critical fires")


def test_alertmanager_config_must_load(tree):
    tree.replace("platform/values/kube-prometheus-stack.yaml", "          - api_url_file:", "          - api_url_fil:")
    failed(tree, "alertmanager", "FAILED amtool check-config")


# ---- checkov ----------------------------------------------------------------------------------------------


def test_checkov_fails_on_a_public_bucket(tree):
    tree.replace(
        "infra/modules/backups/main.tf", "  block_public_policy     = true", "  block_public_policy     = false"
    )
    failed(tree, "checkov", "checkov terraform: FAILED")


def test_checkov_fails_on_privilege_escalation(tree):
    tree.replace(
        "apps/base/api/deployment.yaml",
        "            allowPrivilegeEscalation: false",
        "            allowPrivilegeEscalation: true",
    )
    failed(tree, "checkov", "checkov kubernetes: FAILED CKV_K8S_20")


def test_checkov_skips_need_a_reason(tree):
    tree.replace(
        "infra/modules/backups/main.tf",
        "# checkov:skip=CKV_AWS_18:Access logging needs a third bucket;",
        "# checkov:skip=CKV_AWS_18",
    )
    failed(tree, "checkov", "skip without an ID and a reason")


# ---- shellcheck and yamllint ------------------------------------------------------------------------------


def test_shellcheck_covers_every_script(tree):
    tree.write("scripts/ops/new-tool.sh", "#!/usr/bin/env bash\nset -euo pipefail\nrm -rf $1/data\n")
    failed(tree, "shellcheck", "FAILED scripts/ops/new-tool.sh")


def test_shellcheck_finds_scripts_by_shebang(tree):
    tree.write("tools/run", "#!/bin/bash\necho $UNQUOTED_VAR\n")
    failed(tree, "shellcheck", "FAILED tools/run")


def test_yamllint_fails_on_a_duplicate_key(tree):
    tree.replace("apps/base/api/service.yaml", "  type: ClusterIP", "  type: ClusterIP\n  type: NodePort")
    failed(tree, "yamllint", 'duplication of key "type"')


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
