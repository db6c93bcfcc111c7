"""The checkov check fails on an unversioned or public bucket, a container that may escalate its privileges,
and a skip without a reason."""

from .lint_failure import failed


def test_checkov_requires_versioned_buckets(tree):
    tree.replace("infra/modules/backups/main.tf", 'status = "Enabled"', 'status = "Suspended"')
    failed(tree, "checkov", "CKV_AWS_21")


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
