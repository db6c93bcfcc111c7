"""platform/install_platform.sh and platform/uninstall_platform.sh against a stand-in for aws, terraform, helm and
kubectl (checks/platform/cloud_stand_in.py; apps/ scripts: test_apps_scripts.py): none of them can run on the build
machine, but the scripts' own decisions can be checked: tools and versions first, clear errors, the pinned
charts with their values and the account's roles, the order of the steps, the Secret hand-over."""

import base64
import json
import os

from checks.platform.cloud_stand_in import OUTPUTS, REPO, versions_env

# ---- install_platform.sh ------------------------------------------------------------------------------------


def test_install_refuses_without_helm(cloud):
    rc, out = cloud.run("platform/install_platform.sh", remove=["helm"])
    assert rc != 0
    assert "helm is not installed (pinned: 3.19.0" in out
    assert not cloud.calls("terraform"), "tools must be checked before anything runs"


def test_install_refuses_an_old_helm(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_HELM_VERSION="3.10.3")
    assert rc != 0
    assert "helm 3.10.3 is not the pinned version 3.19.0" in out


def test_install_refuses_a_newer_helm_too(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_HELM_VERSION="3.20.0")
    assert rc != 0
    assert "helm 3.20.0 is not the pinned version 3.19.0" in out
    assert not cloud.calls("terraform"), "tools must be checked before anything runs"


def test_install_accepts_another_version_only_when_asked(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_HELM_VERSION="3.20.0", REPLICASAFE_ALLOW_TOOL_VERSIONS="1")
    assert rc == 0, out
    assert "warning: helm 3.20.0 is not the pinned 3.19.0" in out


def test_install_names_a_missing_terraform_output(cloud):
    outputs = json.load(open(os.path.join(cloud.state, "outputs.json")))
    del outputs["velero_bucket"]
    json.dump(outputs, open(os.path.join(cloud.state, "outputs.json"), "w"))
    rc, out = cloud.run("platform/install_platform.sh")
    assert rc != 0
    assert "Terraform output 'velero_bucket' is missing" in out
    assert not [c for c in cloud.calls("helm") if " upgrade " in c and "velero" in c]


def test_install_stops_when_network_policies_are_not_enforced(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_NO_POLICY_AGENT="1")
    assert rc != 0
    assert "aws-node has no aws-network-policy-agent container" in out
    assert not [c for c in cloud.calls("helm") if c.startswith("helm upgrade")]


def test_install_installs_every_chart_pinned_with_its_values_and_roles(cloud):
    rc, out = cloud.run("platform/install_platform.sh")
    assert rc == 0, out
    env = versions_env()
    upgrades = [c for c in cloud.calls("helm") if c.startswith("helm upgrade --install")]
    releases = [c.split()[3] for c in upgrades]
    assert releases == [
        "metrics-server",
        "aws-load-balancer-controller",
        "kube-prometheus-stack",
        "keda",
        "cluster-autoscaler",
        "velero",
        "strimzi",
        "pgo",
    ]
    pinned = {
        "metrics-server": "METRICS_SERVER",
        "aws-load-balancer-controller": "ALB_CONTROLLER",
        "kube-prometheus-stack": "KUBE_PROMETHEUS_STACK",
        "keda": "KEDA",
        "cluster-autoscaler": "CLUSTER_AUTOSCALER",
        "velero": "VELERO",
        "strimzi": "STRIMZI",
        "pgo": "PGO",
    }
    for call, release in zip(upgrades, releases, strict=True):
        prefix = pinned[release]
        assert f" {env[prefix + '_CHART']} " in call
        assert f"--version {env[prefix + '_VERSION']} " in call
        assert f"--namespace {env[prefix + '_NAMESPACE']} " in call
        assert f"--values {REPO}/platform/values/{release}.yaml" in call
        assert "--wait" in call
    by_release = dict(zip(releases, upgrades, strict=True))
    assert OUTPUTS["aws_load_balancer_controller_role_arn"] in by_release["aws-load-balancer-controller"]
    assert f"vpcId={OUTPUTS['vpc_id']}" in by_release["aws-load-balancer-controller"]
    assert OUTPUTS["cluster_autoscaler_role_arn"] in by_release["cluster-autoscaler"]
    assert f"autoDiscovery.clusterName={OUTPUTS['cluster_name']}" in by_release["cluster-autoscaler"]
    assert OUTPUTS["velero_role_arn"] in by_release["velero"]
    assert OUTPUTS["velero_bucket"] in by_release["velero"]
    assert env["VELERO_AWS_PLUGIN_IMAGE"] in by_release["velero"]
    calls = cloud.calls()
    kubeconfig = calls.index("aws eks update-kubeconfig --region us-east-1 --name replicasafe")
    storage = next(i for i, c in enumerate(calls) if "storageclass-gp3.yaml" in c)
    first_helm = next(i for i, c in enumerate(calls) if c.startswith("helm upgrade"))
    assert kubeconfig < storage < first_helm
    # Strimzi watches namespace kafka: it must exist before the operator's install.
    namespaces = next(i for i, c in enumerate(calls) if c.endswith("apps/base/namespaces.yaml"))
    strimzi = next(i for i, c in enumerate(calls) if c.startswith("helm upgrade --install strimzi "))
    assert namespaces < strimzi


def test_install_refuses_without_alert_receivers(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_NO_ALERT_SECRET="1")
    assert rc != 0
    assert "set ALERT_PAGERDUTY_ROUTING_KEY and ALERT_SLACK_WEBHOOK_URL (or ALERT_RECEIVERS=none" in out
    assert not [c for c in cloud.calls("helm") if c.startswith("helm upgrade --install kube-prometheus-stack")]


def test_install_writes_the_receivers_secret_without_printing_it(cloud):
    rc, out = cloud.run(
        "platform/install_platform.sh",
        STUB_NO_ALERT_SECRET="1",
        ALERT_PAGERDUTY_ROUTING_KEY="pd-key-123",
        ALERT_SLACK_WEBHOOK_URL="https://hooks.example/T0",
    )
    assert rc == 0, out
    secret = next(t for t in cloud.applied() if "name: alertmanager-receivers" in t)
    assert base64.b64encode(b"pd-key-123").decode() in secret
    assert "pd-key-123" not in out and "hooks.example" not in out
    assert "pd-key-123" not in "\n".join(cloud.calls()), "the key must not appear on a command line"


def test_install_can_page_nobody_on_purpose(cloud):
    rc, out = cloud.run("platform/install_platform.sh", STUB_NO_ALERT_SECRET="1", ALERT_RECEIVERS="none")
    assert rc == 0, out
    assert "alerts are routed but reach nobody" in out


def test_install_applies_tempo_loki_and_alloy_once_their_namespaces_exist(cloud):
    rc, out = cloud.run("platform/install_platform.sh")
    assert rc == 0, out
    calls = cloud.calls()
    grafana = next(i for i, c in enumerate(calls) if c.startswith("helm upgrade --install kube-prometheus-stack "))
    namespaces = next(i for i, c in enumerate(calls) if c.endswith("apps/base/namespaces.yaml"))
    for name in ("tempo", "loki", "alloy"):
        applied = next(i for i, c in enumerate(calls) if c.endswith(f"platform/manifests/{name}.yaml"))
        waited = next(i for i, c in enumerate(calls) if c.endswith(f"rollout status deployment/{name} --timeout 10m"))
        # monitoring comes with kube-prometheus-stack; Alloy's Role lives in namespace apps.
        assert max(grafana, namespaces) < applied < waited, calls


def test_uninstall_removes_tempo_loki_and_alloy(cloud):
    rc, out = cloud.run("platform/uninstall_platform.sh", "--yes")
    assert rc == 0, out
    deletes = [c for c in cloud.calls("kubectl") if c.startswith("kubectl delete -f")]
    for name in ("tempo", "loki", "alloy"):
        assert any(c.endswith(f"platform/manifests/{name}.yaml --ignore-not-found") for c in deletes), deletes


def test_install_is_idempotent(cloud):
    assert cloud.run("platform/install_platform.sh")[0] == 0
    first = [c for c in cloud.calls("helm") if c.startswith("helm upgrade")]
    assert cloud.run("platform/install_platform.sh")[0] == 0
    second = [c for c in cloud.calls("helm") if c.startswith("helm upgrade")][len(first) :]
    assert first == second, "a second run must issue the same upgrade --install calls"


def test_uninstall_needs_confirmation(cloud):
    rc, out = cloud.run("platform/uninstall_platform.sh")
    assert rc != 0
    assert "re-run with --yes" in out
    assert not cloud.calls("helm")
