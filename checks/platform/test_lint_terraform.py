"""The Terraform checks (terraform: structure and least privilege; tfvalidate: fmt, init and validate against the
provider schema) fail, naming the defect, when one is planted in infra/ or in what it must agree with."""

import pytest

from .lint_failure import failed, planted_failed

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
    planted_failed(tree, "terraform", TERRAFORM_DEFECTS, defect)


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
