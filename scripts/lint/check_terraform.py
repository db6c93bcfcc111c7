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
import ipaddress
import os
import re
import sys

import hcl2
import yaml
from hcl2 import SerializationOptions

OPTS = SerializationOptions(strip_string_quotes=True)
PROBLEMS = []
MODULES = {}  # infra/modules/NAME -> parsed


def problem(area, message):
    PROBLEMS.append(f"{area}: {message}")


def parse_dir(directory):
    """{block type: {name or (type, name): body}} merged over the .tf files of one directory."""
    merged = {"variable": {}, "output": {}, "module": {}, "resource": {}, "data": {}, "locals": {}, "terraform": []}
    files = sorted(glob.glob(os.path.join(directory, "*.tf")))
    for path in files:
        with open(path) as handle:
            try:
                doc = hcl2.load(handle, serialization_options=OPTS)
            except Exception as error:  # the parser raises several types; all mean "not valid HCL"
                problem("parse", f"{path}: {error}")
                continue
        for kind in ("variable", "output", "module"):
            for block in doc.get(kind, []):
                merged[kind].update(block)
        for kind in ("resource", "data"):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        merged[kind][(rtype, name)] = body
        for block in doc.get("locals", []):
            merged["locals"].update(block)
        merged["terraform"] += doc.get("terraform", [])
    return merged, files


def default(tf, name):
    return tf["variable"].get(name, {}).get("default")


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


def check_network_layout(tf):
    if tf["locals"].get("az_count") != 3:
        problem("azs", f"local.az_count is {tf['locals'].get('az_count')!r}, not 3")
    if "data.aws_availability_zones.available.names" not in str(
        tf["locals"].get("azs")
    ) or "0, local.az_count)" not in str(tf["locals"].get("azs")):
        problem("azs", "local.azs is not the first local.az_count available zones")
    vpc = tf["module"].get("network", {})
    if vpc.get("source") != "./modules/network":
        problem("vpc", f"module network must be ./modules/network (got {vpc.get('source')})")
    if vpc.get("azs") != "${local.azs}":
        problem("vpc", "module network does not use local.azs")
    tiers = {
        "private_subnet_cidrs": "private_subnet_cidrs",
        "public_subnet_cidrs": "public_subnet_cidrs",
        "intra_subnet_cidrs": "intra_subnet_cidrs",
    }
    cidrs = {}
    vpc_net = ipaddress.ip_network(default(tf, "vpc_cidr") or "0.0.0.0/32")
    for arg, var in tiers.items():
        if vpc.get(arg) != f"${{var.{var}}}":
            problem("vpc", f"module network {arg} is not var.{var}")
        values = default(tf, var) or []
        if len(values) != 3:
            problem("azs", f"var.{var} has {len(values)} subnets, not 3")
        validations = tf["variable"].get(var, {}).get("validation", [])
        if not any(f"length(var.{var}) == 3" in str(v.get("condition")) for v in validations):
            problem("azs", f"var.{var} does not validate that there are exactly 3")
        for cidr in values:
            net = ipaddress.ip_network(cidr)
            if not net.subnet_of(vpc_net):
                problem("vpc", f"{cidr} ({var}) is outside the VPC {vpc_net}")
        cidrs[var] = [ipaddress.ip_network(c) for c in values]
    every = [n for nets in cidrs.values() for n in nets]
    for i, a in enumerate(every):
        for b in every[i + 1 :]:
            if a.overlaps(b):
                problem("vpc", f"subnets {a} and {b} overlap")
    if vpc.get("single_nat_gateway") != "${var.single_nat_gateway}" or default(tf, "single_nat_gateway") is not False:
        problem("vpc", "NAT: want single_nat_gateway = var.single_nat_gateway, defaulting to false (one NAT per AZ)")
    return cidrs


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


def service_accounts_in_use(root):
    """ServiceAccounts (namespace:name) that platform/ and apps/ run with and that need AWS access."""
    env = {}
    for line in open(os.path.join(root, "platform/versions.env")):
        match = re.match(r"^([A-Z_]+)=(.*)$", line.strip())
        if match:
            env[match.group(1)] = match.group(2)
    values = {}
    for path in glob.glob(os.path.join(root, "platform/values/*.yaml")):
        with open(path) as handle:
            values[os.path.basename(path)[:-5]] = yaml.safe_load(handle) or {}
    used = {
        "aws_load_balancer_controller": [
            f"{env.get('ALB_CONTROLLER_NAMESPACE')}:"
            f"{values.get('aws-load-balancer-controller', {}).get('serviceAccount', {}).get('name')}"
        ],
        "cluster_autoscaler": [
            f"{env.get('CLUSTER_AUTOSCALER_NAMESPACE')}:"
            f"{values.get('cluster-autoscaler', {}).get('rbac', {}).get('serviceAccount', {}).get('name')}"
        ],
        "velero": [
            f"{env.get('VELERO_NAMESPACE')}:"
            f"{values.get('velero', {}).get('serviceAccount', {}).get('server', {}).get('name')}"
        ],
        # Fixed by the EKS add-on.
        "ebs_csi": ["kube-system:ebs-csi-controller-sa"],
    }
    clusters = []
    for path in glob.glob(os.path.join(root, "apps/base/postgres/*.yaml")):
        with open(path) as handle:
            clusters += [d for d in yaml.safe_load_all(handle) if d and d.get("kind") == "PostgresCluster"]
    used["db_backup"] = [
        f"{c['metadata']['namespace']}:{c['metadata']['name']}-{suffix}"
        for c in clusters
        for suffix in ("instance", "pgbackrest")
    ]
    # The simulator fuzz fleet's ServiceAccount lives in apps/fuzz/ (its own kustomization).
    fuzz = []
    for path in sorted(glob.glob(os.path.join(root, "apps/fuzz/**/*.yaml"), recursive=True)):
        with open(path) as handle:
            fuzz += [
                f"{d['metadata'].get('namespace')}:{d['metadata']['name']}"
                for d in yaml.safe_load_all(handle)
                if d and d.get("kind") == "ServiceAccount"
            ]
    used["sim_fuzz"] = fuzz or ["replicasafe-fuzz:sim-fuzz"]
    return used


def check_irsa(tf, root):
    accounts = tf["locals"].get("irsa_service_accounts", {})
    used = service_accounts_in_use(root)
    for role, subjects in used.items():
        if role not in accounts:
            problem("irsa", f"no IRSA role {role} (needed by {', '.join(subjects)})")
        elif sorted(accounts[role]) != sorted(subjects):
            problem("irsa", f"role {role} trusts {sorted(accounts[role])} but platform/apps use {sorted(subjects)}")
    for role in accounts:
        if role not in used:
            problem("irsa", f"role {role} is trusted by no ServiceAccount that platform/ or apps/ use")
    trust = MODULES.get("irsa_role", {}).get("data", {}).get(("aws_iam_policy_document", "trust"), {})
    conditions = [c for s in trust.get("statement", []) for c in s.get("condition", [])]
    variables = {str(c.get("variable")) for c in conditions if c.get("test") == "StringEquals"}
    if not any(v.endswith(":sub") for v in variables) or not any(v.endswith(":aud") for v in variables):
        problem("irsa", "IRSA trust must pin both :sub (the ServiceAccount) and :aud (sts.amazonaws.com)")
    policies = tf["locals"].get("irsa_policies", {})
    managed = tf["locals"].get("irsa_managed_policies", {})
    for role in accounts:
        if role not in policies and role not in managed:
            problem("irsa", f"role {role} has no policy in local.irsa_policies or local.irsa_managed_policies")


# The roles whose policy reaches the backup buckets (module.backups): the bucket, the key prefix (None: the whole
# bucket is the role's) and whether deleting objects is part of the job. A role not listed may not touch S3.
S3_SCOPES = {
    "db_backup": ("db", "pgbackrest", True),
    "sim_fuzz": ("db", "fuzz", False),
    "velero": ("velero", None, True),
}
S3_BUCKET_ACTIONS = {"s3:ListBucket", "s3:GetBucketLocation"}
KMS_KEY = "${module.backups.kms_key_arn}"


def policy_statements(tf, role):
    """The statements of the data.aws_iam_policy_document that local.irsa_policies gives the role."""
    ref = str(tf["locals"].get("irsa_policies", {}).get(role, ""))
    match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", ref)
    if not match:
        return None
    return tf["data"].get(("aws_iam_policy_document", match.group(1)), {}).get("statement", [])


def check_s3_statement(role, statement, scope):
    """One statement of a role with an S3 scope: object actions on its prefix, bucket actions on its bucket
    (listing narrowed to the prefix), deletes only where allowed, KMS on the backup key only."""
    bucket, prefix, may_delete = scope
    bucket_arn = f'${{module.backups.bucket_arns["{bucket}"]}}'
    objects = f"{bucket_arn}/{prefix}/*" if prefix else f"{bucket_arn}/*"
    sid = statement.get("sid", "?")
    actions = [str(a) for a in statement.get("actions", [])]
    resources = [str(r) for r in statement.get("resources", [])]
    s3 = [a for a in actions if a.startswith("s3:")]
    if any(a.startswith("kms:") for a in actions) and resources != [KMS_KEY]:
        problem("iam", f"role {role} statement {sid}: KMS actions on {resources}, not only the backup key")
    if not s3:
        return
    if not may_delete and any(a.startswith("s3:Delete") for a in s3):
        problem("iam", f"role {role} statement {sid}: {s3} deletes objects, which the role's job does not need")
    if all(a in S3_BUCKET_ACTIONS for a in s3):
        if resources != [bucket_arn]:
            problem("iam", f"role {role} statement {sid}: bucket actions on {resources}, not only {bucket_arn}")
        listed = [c for c in statement.get("condition", []) if c.get("variable") == "s3:prefix"]
        allowed = {prefix, f"{prefix}/*"}
        if (
            prefix
            and "s3:ListBucket" in s3
            and not (listed and all(set(c.get("values", [])) <= allowed for c in listed))
        ):
            problem("iam", f"role {role} statement {sid}: s3:ListBucket is not narrowed to s3:prefix {prefix}/")
    elif resources != [objects]:
        problem("iam", f"role {role} statement {sid}: object actions on {resources}, not only {objects}")


def check_least_privilege(tf):
    """No wildcard actions anywhere; each S3-reaching role within its own bucket and prefix."""
    for role in sorted(tf["locals"].get("irsa_policies", {})):
        statements = policy_statements(tf, role)
        if statements is None:
            problem("iam", f"role {role}: local.irsa_policies does not name a data.aws_iam_policy_document")
            continue
        for statement in statements:
            sid = statement.get("sid", "?")
            if str(statement.get("effect", "Allow")) != "Allow":
                continue
            for action in (str(a) for a in statement.get("actions", [])):
                if "*" in action:
                    problem("iam", f"role {role} statement {sid}: wildcard action {action}")
            if statement.get("not_actions") or statement.get("not_resources"):
                problem("iam", f"role {role} statement {sid}: not_actions/not_resources grant everything else")
            if role in S3_SCOPES:
                check_s3_statement(role, statement, S3_SCOPES[role])
            elif any(str(a).startswith("s3:") for a in statement.get("actions", [])):
                problem("iam", f"role {role} statement {sid}: S3 actions in a role with no S3 scope")
    for role in S3_SCOPES:
        if role not in tf["locals"].get("irsa_policies", {}):
            problem("iam", f"role {role}: no policy in local.irsa_policies")


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


def policy_cidrs(root):
    """ipBlock CIDRs of the NetworkPolicies, split into the ALB ingress and the Kubernetes API egress."""
    alb, api = set(), set()
    for path in glob.glob(os.path.join(root, "apps/base/network-policies/*.yaml")):
        with open(path) as handle:
            for policy in (d for d in yaml.safe_load_all(handle) if d and d.get("kind") == "NetworkPolicy"):
                for rule in policy["spec"].get("ingress", []):
                    alb |= {p["ipBlock"]["cidr"] for p in rule.get("from", []) if "ipBlock" in p}
                for rule in policy["spec"].get("egress", []):
                    ports = {p.get("port") for p in rule.get("ports", [])}
                    blocks = [p["ipBlock"] for p in rule.get("to", []) if "ipBlock" in p]
                    if ports == {443} and blocks and not any(b.get("except") for b in blocks):
                        api |= {b["cidr"] for b in blocks}
    return alb, api


def check_cidrs(tf, cidrs, root):
    alb, api = policy_cidrs(root)
    public = {str(n) for n in cidrs.get("public_subnet_cidrs", [])}
    service = ipaddress.ip_network(default(tf, "service_ipv4_cidr") or "0.0.0.0/32")
    kubernetes_ip = f"{next(service.hosts())}/32"
    apiserver = {str(n) for n in cidrs.get("intra_subnet_cidrs", [])} | {kubernetes_ip}
    if alb != public:
        problem("cidrs", f"NetworkPolicy ALB ingress CIDRs {sorted(alb)} != var.public_subnet_cidrs {sorted(public)}")
    if api != apiserver:
        problem(
            "cidrs",
            f"NetworkPolicy API-server CIDRs {sorted(api)} != intra subnets + {kubernetes_ip} {sorted(apiserver)}",
        )
    matrix = open(os.path.join(root, "docs/security/traffic-matrix.md")).read()
    sets = dict(re.findall(r"^(alb-subnets|apiserver)\s+(\S+)", matrix, re.M))
    for name, want in (("alb-subnets", public), ("apiserver", apiserver)):
        got = set(sets.get(name, "").split(",")) - {""}
        if got != want:
            problem("cidrs", f"traffic matrix ip set {name} {sorted(got)} != Terraform {sorted(want)}")


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
