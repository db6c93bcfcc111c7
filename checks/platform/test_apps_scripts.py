"""apps/deploy_apps.sh and apps/fuzz/run.sh against a stand-in for aws, terraform, helm and kubectl
(checks/platform/cloud_stand_in.py): the account's values in the applied overlay, the exposure, the image checks
before anything is applied, the clear errors."""

import base64
import json
import os
import re

import pytest

from checks.platform.cloud_stand_in import CERT, OUTPUTS

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
