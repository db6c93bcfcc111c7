"""platform/install_platform.sh, platform/uninstall_platform.sh, apps/deploy_apps.sh and apps/fuzz/run.sh against a stand-in for
aws, terraform, helm and kubectl (checks/platform/stubs/cloud_tool.py): none of them can run on the build
machine, but the scripts' own decisions can be checked: tools and versions first, clear errors, the pinned
charts with their values and the account's roles, the order of the steps, the Secret hand-over."""

import base64
import json
import os
import re
import shutil
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STUB = os.path.join(REPO, "checks", "platform", "stubs", "cloud_tool.py")
OUTPUTS = {
    "cluster_name": "replicasafe",
    "cluster_endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com",
    "region": "us-east-1",
    "vpc_id": "vpc-0123456789abcdef0",
    "kubeconfig_command": "aws eks update-kubeconfig --region us-east-1 --name replicasafe",
    "aws_load_balancer_controller_role_arn": "arn:aws:iam::123456789012:role/replicasafe-aws-load-balancer-controller",
    "cluster_autoscaler_role_arn": "arn:aws:iam::123456789012:role/replicasafe-cluster-autoscaler",
    "velero_role_arn": "arn:aws:iam::123456789012:role/replicasafe-velero",
    "ebs_csi_role_arn": "arn:aws:iam::123456789012:role/replicasafe-ebs-csi",
    "db_backup_role_arn": "arn:aws:iam::123456789012:role/replicasafe-db-backup",
    "sim_fuzz_role_arn": "arn:aws:iam::123456789012:role/replicasafe-sim-fuzz",
    "fuzz_egress_cidrs": ["3.5.0.0/19", "52.216.0.0/15", "10.0.3.7/32", "10.0.40.9/32", "10.0.70.11/32"],
    "sts_endpoint_url": "https://vpce-0a1b2c3d4e5f67890-abcdefgh.sts.us-east-1.vpce.amazonaws.com",
    "velero_bucket": "replicasafe-velero-123456789012-us-east-1",
    "db_backup_bucket": "replicasafe-db-backups-123456789012-us-east-1",
    "backup_kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    "image_registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com/replicasafe",
    "ingress_allowed_cidrs": ["198.51.100.0/24", "203.0.113.7/32"],
    "waf_web_acl_arn": "",
}
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


@pytest.fixture
def cloud(tmp_path):
    """A PATH with the stand-in tools (and the real jq, bash, coreutils) and a directory with its state."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("aws", "terraform", "helm", "kubectl"):
        os.symlink(STUB, bin_dir / tool)
    state = tmp_path / "state"
    state.mkdir()
    (state / "outputs.json").write_text(json.dumps({k: {"value": v} for k, v in OUTPUTS.items()}))
    return Cloud(str(bin_dir), str(state))


class Cloud:
    def __init__(self, bin_dir, state):
        self.bin_dir, self.state = bin_dir, state

    def run(self, script, *args, remove=(), **env):
        path = self.bin_dir
        for tool in remove:
            os.remove(os.path.join(self.bin_dir, tool))
        # Only the stand-ins and the system directories: a real kubectl must not be reached.
        system = ":".join(d for d in ("/usr/local/bin", "/usr/bin", "/bin") if os.path.isdir(d))
        sandbox = os.path.join(self.state, "sys")
        if not os.path.isdir(sandbox):
            os.mkdir(sandbox)
            for directory in system.split(":"):
                for name in os.listdir(directory):
                    if name.startswith(("kubectl", "helm", "terraform", "aws")) or os.path.exists(
                        os.path.join(sandbox, name)
                    ):
                        continue
                    os.symlink(os.path.join(directory, name), os.path.join(sandbox, name))
        full_env = dict(
            os.environ,
            PATH=f"{path}:{sandbox}",
            STUB_DIR=self.state,
            HOME=self.state,
            TIMEOUT="1s",
            STUB_REAL_KUBECTL=real_kubectl(),
            **env,
        )
        proc = subprocess.run(
            [os.path.join(REPO, script), *args], cwd=REPO, env=full_env, capture_output=True, text=True, timeout=120
        )
        self.stdout = proc.stdout
        return proc.returncode, proc.stdout + proc.stderr

    def calls(self, tool=None):
        path = os.path.join(self.state, "calls.log")
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        return [line for line in lines if tool is None or line.startswith(tool + " ")]

    def applied(self):
        names = sorted(n for n in os.listdir(self.state) if n.startswith("applied-"))
        return [open(os.path.join(self.state, n)).read() for n in names]


def real_kubectl():
    """The kubectl that renders (kustomize) for the stand-in: the system one or the PyPI wheel's."""
    found = shutil.which("kubectl")
    if found:
        real = os.path.realpath(found)
        versioned = os.path.join(os.path.dirname(real), "kubectl.1.32")
        return versioned if os.access(versioned, os.X_OK) else real
    return os.path.join(REPO, ".local", "venvs", "kubectl", "bin", "kubectl")


def versions_env():
    values = {}
    for line in open(os.path.join(REPO, "platform", "versions.env")):
        match = re.match(r"^([A-Z_]+)=(.*)$", line.strip())
        if match:
            values[match.group(1)] = match.group(2)
    return values


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


# ---- deploy_apps.sh ---------------------------------------------------------------------------------------


def test_deploy_refuses_the_placeholder_account(cloud):
    outputs = json.load(open(os.path.join(cloud.state, "outputs.json")))
    outputs["db_backup_role_arn"]["value"] = "arn:aws:iam::000000000000:role/replicasafe-db-backup"
    json.dump(outputs, open(os.path.join(cloud.state, "outputs.json"), "w"))
    rc, out = cloud.run("apps/deploy_apps.sh", "after")
    assert rc != 0
    assert "placeholder account" in out
    assert not cloud.applied()


def test_deploy_requires_a_mode(cloud):
    rc, out = cloud.run("apps/deploy_apps.sh")
    assert rc != 0
    assert "usage: apps/deploy_apps.sh before|after" in out


@pytest.mark.parametrize("mode", ["before", "after"])
def test_deploy_applies_the_overlay_with_the_accounts_values(cloud, mode):
    rc, out = cloud.run("apps/deploy_apps.sh", mode, "--tag", "3f2a9c1", ACM_CERTIFICATE_ARN=CERT)
    assert rc == 0, out
    rendered = cloud.applied()[0]
    assert re.search(rf"name: WORKER_MODE\n\s+value: {mode}\n", rendered)
    assert OUTPUTS["db_backup_role_arn"] in rendered
    assert f"bucket: {OUTPUTS['db_backup_bucket']}" in rendered
    assert f"bucket: {OUTPUTS['velero_bucket']}" in rendered
    assert ":000000000000:" not in rendered and "000000000000.dkr" not in rendered
    assert f"image: {OUTPUTS['image_registry']}/api:3f2a9c1" in rendered
    assert f"image: {OUTPUTS['image_registry']}/worker:3f2a9c1" in rendered
    # Each workload's own database URL, with the statement timeout, never on the terminal or a command line.
    secrets = {re.search(r"name: (\S+)", t).group(1): t for t in cloud.applied() if "kind: Secret" in t}
    for role in ("api", "worker"):
        url = base64.b64decode(re.search(r"DATABASE_URL: (\S+)", secrets[f"ledger-db-{role}"]).group(1)).decode()
        assert url == (
            f"postgresql://{role}:s3cret%2F{role}@ledger-primary.postgres.svc:5432/replicasafe"
            "?sslmode=require&options=-c%20statement_timeout%3D15000"
        )
    # Kafka: each user's password and the cluster CA copied into namespace apps; KEDA's with its SASL settings.
    for name in ("kafka-api", "kafka-worker", "kafka-keda", "kafka-cluster-ca"):
        assert name in secrets, sorted(secrets)
    assert base64.b64encode(b"scram_sha512").decode() in secrets["kafka-keda"]
    assert "s3cret" not in out and "kafka-api-pw" not in out
    assert not [c for c in cloud.calls() if "s3cret" in c or "-pw" in c], "a secret reached a command line"
    assert cloud.stdout == "k8s-apps-api-0123456789.us-east-1.elb.amazonaws.com\n", "stdout is the ALB address only"
    calls = cloud.calls("kubectl")
    waits = [c for c in calls if " wait " in c or "rollout status" in c]
    assert any("kafka/events" in c for c in waits) and any("deployment/worker" in c for c in waits)
    # The schema Job runs after the primary is ready and before the workloads roll.
    schema = next(i for i, c in enumerate(calls) if "-l app.kubernetes.io/name=ledger-schema" in c)
    primary = next(i for i, c in enumerate(calls) if "wait pod" in c and "role=master" in c)
    rollout = next(i for i, c in enumerate(calls) if "rollout status deployment/api" in c)
    assert primary < schema < rollout


def test_deploy_exposes_only_v1_over_https_to_the_listed_cidrs(cloud):
    outputs = json.load(open(os.path.join(cloud.state, "outputs.json")))
    outputs["waf_web_acl_arn"]["value"] = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/replicasafe-api/abc"
    json.dump(outputs, open(os.path.join(cloud.state, "outputs.json"), "w"))
    rc, out = cloud.run("apps/deploy_apps.sh", "after", ACM_CERTIFICATE_ARN=CERT)
    assert rc == 0, out
    ingress = next(t for t in cloud.applied()[0].split("\n---\n") if "kind: Ingress" in t)
    assert "alb.ingress.kubernetes.io/inbound-cidrs: 198.51.100.0/24,203.0.113.7/32" in ingress
    assert f"alb.ingress.kubernetes.io/certificate-arn: {CERT}" in ingress
    assert 'alb.ingress.kubernetes.io/ssl-redirect: "443"' in ingress
    assert "wafv2-acl-arn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/replicasafe-api/abc" in ingress
    assert re.findall(r"^\s*-?\s*path: (\S+)", ingress, re.M) == ["/v1"]


def test_deploy_refuses_plain_http_unless_asked(cloud):
    rc, out = cloud.run("apps/deploy_apps.sh", "after")
    assert rc != 0
    assert "--allow-plain-http" in out
    assert not cloud.applied()
    rc, out = cloud.run("apps/deploy_apps.sh", "after", "--allow-plain-http")
    assert rc == 0, out
    ingress = next(t for t in cloud.applied()[0].split("\n---\n") if "kind: Ingress" in t)
    assert """listen-ports: '[{"HTTP": 80}]'""" in ingress and "certificate-arn" not in ingress
    assert "replicasafe.io/plain-http" in ingress


def test_deploy_checks_the_images_before_applying(cloud):
    rc, out = cloud.run(
        "apps/deploy_apps.sh", "after", "--tag", "3f2a9c1", STUB_MISSING_IMAGE="worker", ACM_CERTIFICATE_ARN=CERT
    )
    assert rc != 0
    assert "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/replicasafe/worker:3f2a9c1 not found" in out
    assert not cloud.applied(), "nothing may be applied when an image is missing"


def test_deploy_takes_registry_and_tag_from_the_environment(cloud):
    rc, out = cloud.run(
        "apps/deploy_apps.sh",
        "after",
        IMAGE_REGISTRY="987654321098.dkr.ecr.eu-west-1.amazonaws.com/rs",
        IMAGE_TAG="v1.2.3",
        ACM_CERTIFICATE_ARN=CERT,
    )
    assert rc == 0, out
    assert "image: 987654321098.dkr.ecr.eu-west-1.amazonaws.com/rs/worker:v1.2.3" in cloud.applied()[0]
    assert any(
        "describe-images --region eu-west-1 --repository-name rs/api --image-ids imageTag=v1.2.3" in c
        for c in cloud.calls("aws")
    )


# ---- apps/fuzz/run.sh -------------------------------------------------------------------------------------


def test_fuzz_run_applies_the_fleet_with_the_accounts_values(cloud):
    rc, out = cloud.run("apps/fuzz/run.sh", "--image-tag", "3f2a9c1")
    assert rc == 0, out
    rendered = cloud.applied()[0]
    assert f"image: {OUTPUTS['image_registry']}/sim:3f2a9c1" in rendered
    assert f"eks.amazonaws.com/role-arn: {OUTPUTS['sim_fuzz_role_arn']}" in rendered
    assert f"RESULTS_BUCKET: {OUTPUTS['db_backup_bucket']}" in rendered
    assert ":000000000000:" not in rendered and "000000000000.dkr" not in rendered
    assert any(
        "describe-images --region us-east-1 --repository-name replicasafe/sim --image-ids imageTag=3f2a9c1" in c
        for c in cloud.calls("aws")
    )
    # The pods reach S3 and the STS endpoint by address, nothing else, and are told the endpoint's URL.
    policy = next(t for t in rendered.split("\n---\n") if "name: sim-fuzz-aws" in t)
    assert re.findall(r"cidr: (\S+)", policy) == OUTPUTS["fuzz_egress_cidrs"]
    assert "except" not in policy
    assert f"AWS_ENDPOINT_URL_STS: {OUTPUTS['sts_endpoint_url']}" in rendered
    patched = [c for c in cloud.calls("kubectl") if "patch job sim-fuzz-merge" in c]
    assert patched, "the merge Job is resumed after the sweep"


def test_fuzz_run_checks_the_sim_image_before_applying(cloud):
    rc, out = cloud.run("apps/fuzz/run.sh", "--image-tag", "3f2a9c1", STUB_MISSING_IMAGE="sim")
    assert rc != 0
    assert "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/replicasafe/sim:3f2a9c1 not found" in out
    assert not cloud.applied(), "nothing may be applied when the sim image is missing"


def test_fuzz_run_refuses_the_placeholder_role(cloud):
    outputs = json.load(open(os.path.join(cloud.state, "outputs.json")))
    outputs["sim_fuzz_role_arn"]["value"] = "arn:aws:iam::000000000000:role/replicasafe-sim-fuzz"
    json.dump(outputs, open(os.path.join(cloud.state, "outputs.json"), "w"))
    rc, out = cloud.run("apps/fuzz/run.sh")
    assert rc != 0
    assert "sim_fuzz_role_arn is the placeholder account" in out
    assert not cloud.applied()


def test_fuzz_run_refuses_a_catch_all_egress(cloud):
    outputs = json.load(open(os.path.join(cloud.state, "outputs.json")))
    outputs["fuzz_egress_cidrs"]["value"] = ["0.0.0.0/0"]
    json.dump(outputs, open(os.path.join(cloud.state, "outputs.json"), "w"))
    rc, out = cloud.run("apps/fuzz/run.sh")
    assert rc != 0
    assert "FUZZ_EGRESS_CIDRS holds 0.0.0.0/0: the fuzzing pods may reach S3 and STS only" in out
    assert not cloud.applied()
