"""check_terraform's IAM rules: an IRSA role for every ServiceAccount that platform/ and apps/ run with (and no
role nobody uses), and the least privilege of the roles that reach the backup buckets."""

import glob
import os
import re

import yaml

from scripts.lint.check_helm_values import versions_env
from scripts.lint.terraform_hcl import MODULES, problem


def service_accounts_in_use(root):
    """ServiceAccounts (namespace:name) that platform/ and apps/ run with and that need AWS access."""
    env = versions_env(root)
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
