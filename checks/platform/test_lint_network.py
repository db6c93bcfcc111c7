"""The network check fails, naming the flow, when a NetworkPolicy is wider or narrower than the documented
matrix (docs/security/traffic-matrix.md) or a namespace lacks its default deny."""

from .lint_failure import failed


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
