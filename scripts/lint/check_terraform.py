#!/usr/bin/env python3
"""Parses every Terraform file with python-hcl2 and checks the structure the platform depends on:
pinned versions, three AZs with three subnets of each tier, a node group in each AZ, the add-ons (VPC CNI with
network policy, EBS CSI with its role, CoreDNS, kube-proxy), an IRSA role for every ServiceAccount that
platform/ and apps/ run with (and no role nobody uses) with an output `<role>_role_arn`, the least privilege of
the roles that reach the backup buckets (each its own bucket and prefix, no wildcard action, deletes only where
the role's job needs them, its KMS key only), every Terraform output that the scripts read, backup
buckets whose old versions expire and whose policy is TLS-only (checkov checks the rest of a bucket), a budget, and the CIDRs that
the NetworkPolicies and the traffic matrix repeat.

usage: check_terraform.py --root REPO
"""

import argparse
import glob
import os
import re
import sys

import yaml

from scripts.lint.terraform_hcl import MODULES, PROBLEMS, default, parse_dir, problem
from scripts.lint.terraform_iam import check_irsa, check_least_privilege
from scripts.lint.terraform_network import check_cidrs, check_network_layout


def check_versions(tf, where):
    blocks = tf["terraform"]
    if not any("required_version" in b for b in blocks):
        problem("versions", f"{where}: no required_version")
    providers = [p for b in blocks for p in b.get("required_providers", [])]
    aws = next((p["aws"] for p in providers if "aws" in p), None)
    if aws is None:
        problem("versions", f"{where}: aws provider not in required_providers")
    elif (
        not re.fullmatch(r"~> ?5\.(\d{3,})(\.\d+)?", str(aws.get("version", "")))
        or int(re.search(r"5\.(\d+)", str(aws.get("version"))).group(1)) < 100
    ):
        problem(
            "versions",
            f"{where}: aws provider version {aws.get('version')!r} is not ~> 5.100 (the provider "
            "the offline mirror holds and the emulator test applies with)",
        )
    if tf["module"]:
        for name, body in tf["module"].items():
            if not str(body.get("source", "")).startswith("./modules/"):
                problem(
                    "versions",
                    f"{where}: module {name} comes from {body.get('source')!r}, not ./modules/ "
                    "(registry modules cannot be installed or validated offline)",
                )


def check_eks(tf):
    eks = tf["module"].get("cluster", {})
    if eks.get("source") != "./modules/cluster":
        problem("eks", f"module cluster must be ./modules/cluster (got {eks.get('source')})")
    if eks.get("control_plane_subnet_ids") != "${module.network.intra_subnet_ids}":
        problem("eks", "control plane ENIs are not in module.network.intra_subnet_ids")
    if eks.get("service_ipv4_cidr") != "${var.service_ipv4_cidr}":
        problem("eks", "service_ipv4_cidr is not var.service_ipv4_cidr")
    nodes = tf["module"].get("node_groups", {})
    if nodes.get("subnet_ids_by_az") != "${module.network.private_subnet_ids_by_az}":
        problem(
            "nodes",
            "node groups are not one per AZ in the private subnets (subnet_ids_by_az = "
            "module.network.private_subnet_ids_by_az)",
        )
    if "aws_eks_addon.before_nodes" not in str(nodes.get("depends_on")):
        problem("addons", "the node groups must wait for the network add-ons (depends_on aws_eks_addon.before_nodes)")
    before = str(tf["locals"].get("addons_before_nodes"))
    after = str(tf["locals"].get("addons_after_nodes"))
    for name in ("vpc-cni", "kube-proxy"):
        if name not in before:
            problem("addons", f"EKS add-on {name} missing from local.addons_before_nodes")
    for name in ("coredns", "aws-ebs-csi-driver"):
        if name not in after:
            problem("addons", f"EKS add-on {name} missing from local.addons_after_nodes")
    if 'enableNetworkPolicy = \\"true\\"' not in before and 'enableNetworkPolicy = "true"' not in before:
        problem("addons", 'vpc-cni does not set enableNetworkPolicy = "true" (NetworkPolicies would be ignored)')
    addon = tf["resource"].get(("aws_eks_addon", "after_nodes"), {})
    if 'module.irsa[\\"ebs_csi\\"]' not in str(
        addon.get("service_account_role_arn")
    ) and 'module.irsa["ebs_csi"]' not in str(addon.get("service_account_role_arn")):
        problem("addons", "aws-ebs-csi-driver has no IRSA role (service_account_role_arn)")
    if default(tf, "enable_eks_addons") is not True:
        problem("addons", "var.enable_eks_addons must default to true (off only for the emulator)")


def check_outputs(tf, root):
    outputs = set(tf["output"])
    required = {
        "cluster_name",
        "cluster_endpoint",
        "region",
        "kubeconfig_command",
        "vpc_id",
        "aws_load_balancer_controller_role_arn",
        "cluster_autoscaler_role_arn",
        "velero_role_arn",
        "db_backup_role_arn",
        "velero_bucket",
        "db_backup_bucket",
        "sim_fuzz_role_arn",
        "image_registry",
    }
    for name in sorted(required - outputs):
        problem("outputs", f"output {name} missing")
    # Every IRSA role's ARN is an output named after it (the scripts and the charts' values take it from there).
    for role in sorted(tf["locals"].get("irsa_service_accounts", {})):
        want = f'${{module.irsa["{role}"].arn}}'
        if str(tf["output"].get(f"{role}_role_arn", {}).get("value")) != want:
            problem("outputs", f"output {role}_role_arn is not {want}")
    command = str(tf["output"].get("kubeconfig_command", {}).get("value", ""))
    if not command.startswith("aws eks update-kubeconfig --region ${var.region} --name ${module.cluster.name}"):
        problem("outputs", f"kubeconfig_command is {command!r}")
    scripts = glob.glob(os.path.join(root, "platform/*.sh")) + glob.glob(
        os.path.join(root, "apps/**/*.sh"), recursive=True
    )
    read = set()
    for path in scripts:
        read |= set(re.findall(r"tf_output ([a-z_]+)", open(path).read()))
    for name in sorted(read - outputs):
        problem("outputs", f"platform/apps scripts read output {name}, which infra/ does not define")
    if not read:
        problem("outputs", "no script reads a Terraform output (tf_output NAME)")
    return len(read)


def check_buckets(tf):
    buckets = [k for k in tf["resource"] if k[0] == "aws_s3_bucket"]
    if not buckets:
        problem("s3", "no S3 bucket")
    # Versioning, KMS encryption, the public access block and the presence of a lifecycle are checkov's
    # (CKV_AWS_21, CKV_AWS_145, CKV2_AWS_6, CKV2_AWS_61); what checkov does not look at is checked here: old
    # versions expire, and the policy refuses plain HTTP.
    needed = {
        "aws_s3_bucket_lifecycle_configuration": lambda b: "noncurrent_version_expiration" in str(b),
        "aws_s3_bucket_policy": lambda b: True,
    }
    for _type, name in buckets:
        ref = f"aws_s3_bucket.{name}"
        for companion, ok in needed.items():
            matches = [
                body for (t, _), body in tf["resource"].items() if t == companion and ref in str(body.get("bucket", ""))
            ]
            if not matches:
                problem("s3", f"{ref} has no {companion}")
            elif not all(ok(m) for m in matches):
                problem("s3", f"{ref}: {companion} does not do its job")
        policies = [body for (t, _), body in tf["data"].items() if t == "aws_iam_policy_document" and ref in str(body)]
        if not any("aws:SecureTransport" in str(p) for p in policies):
            problem("s3", f"{ref}: no bucket policy denying aws:SecureTransport = false")
    return len(buckets)


def check_images(tf, root):
    """One list of images everywhere: the ECR repositories of module.registry, the images the workflow builds
    (.github/workflows/images.yml, both matrices), their docker/NAME.Dockerfile, the names apps/render.sh points
    at IMAGE_REGISTRY, and the images the deploy scripts check before applying (require_images)."""
    repositories = tf["module"].get("registry", {}).get("repositories") or []
    sources = {"infra/main.tf module registry repositories": set(repositories)}
    workflow = os.path.join(root, ".github/workflows/images.yml")
    if os.path.exists(workflow):
        with open(workflow) as handle:
            jobs = (yaml.safe_load(handle) or {}).get("jobs", {})
        for job in ("build", "publish"):
            images = jobs.get(job, {}).get("strategy", {}).get("matrix", {}).get("image") or []
            sources[f"images.yml job {job} matrix"] = set(images)
    else:
        problem("images", ".github/workflows/images.yml is missing: nothing builds the images")
    sources["docker/NAME.Dockerfile"] = {
        os.path.basename(p)[: -len(".Dockerfile")] for p in glob.glob(os.path.join(root, "docker/*.Dockerfile"))
    }
    render = open(os.path.join(root, "apps/render.sh")).read()
    sources["apps/render.sh images newName"] = set(re.findall(r'newName: "\$IMAGE_REGISTRY/([a-z0-9-]+)"', render))
    required = set()
    for path in glob.glob(os.path.join(root, "apps/**/*.sh"), recursive=True):
        for names in re.findall(r"^\s*require_images \S+ ([a-z0-9 -]+)$", open(path).read(), re.M):
            required |= set(names.split())
    sources["require_images in apps/ scripts"] = required
    want = set(repositories)
    for where, names in sources.items():
        if names != want:
            problem("images", f"{where} is {sorted(names)}, not the ECR repositories {sorted(want)}")
    return len(want)


def check_budget(tf):
    budgets = [b for (t, _), b in tf["resource"].items() if t == "aws_budgets_budget"]
    if not budgets or not any(b.get("notification") for b in budgets):
        problem("budget", "no aws_budgets_budget with notifications")
    if default(tf, "enable_budget") is not True:
        problem("budget", "var.enable_budget must default to true (off only for the emulator)")


def check_kubernetes_version(tf, root):
    version = default(tf, "kubernetes_version")
    source = open(os.path.join(root, "scripts/lint/validate_manifests.py")).read()
    match = re.search(r'^KUBERNETES_VERSION = "(\d+\.\d+)\.\d+"', source, re.M)
    if not match or match.group(1) != version:
        problem(
            "eks",
            f"var.kubernetes_version {version!r} differs from the schema version the lint validates "
            f"against ({match.group(1) if match else '?'})",
        )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    args = parser.parse_args()
    root = args.root
    infra, files = parse_dir(os.path.join(root, "infra"))
    for path in sorted(glob.glob(os.path.join(root, "infra/modules/*/"))):
        MODULES[os.path.basename(path.rstrip("/"))], more = parse_dir(path)
        files += more
    bootstrap, more = parse_dir(os.path.join(root, "infra/bootstrap"))
    files += more
    if not files:
        print("terraform: no .tf files under infra/")
        return 1
    check_versions(infra, "infra")
    check_versions(bootstrap, "infra/bootstrap")
    cidrs = check_network_layout(infra)
    check_eks(infra)
    check_irsa(infra, root)
    check_least_privilege(infra)
    outputs_read = check_outputs(infra, root)
    buckets = check_buckets(MODULES.get("backups", infra)) + check_buckets(bootstrap)
    images = check_images(infra, root)
    check_budget(infra)
    check_kubernetes_version(infra, root)
    check_cidrs(infra, cidrs, root)
    for line in PROBLEMS:
        print(f"terraform: {line}")
    resources = len(infra["resource"]) + len(bootstrap["resource"])
    print(
        f"terraform: {len(files)} files parsed ({resources} resources, "
        f"{len(infra['data']) + len(bootstrap['data'])} data sources, {len(infra['module'])} module calls of {len(MODULES)} modules, "
        f"{len(infra['variable']) + len(bootstrap['variable'])} variables, {len(infra['output']) + len(bootstrap['output'])} outputs); "
        f"{len(infra['locals'].get('irsa_service_accounts', {}))} IRSA roles, {buckets} bucket resources, "
        f"{outputs_read} outputs read by scripts; {images} images; {len(PROBLEMS)} problems"
    )
    return 1 if PROBLEMS else 0


if __name__ == "__main__":
    sys.exit(main())
