# IAM roles for service accounts (IRSA). Each role trusts exactly the ServiceAccounts listed here, through the
# cluster's OIDC provider, and carries one least-privilege policy (iam_*.tf). platform/ and apps/ name the same
# ServiceAccounts; scripts/lint/check_terraform.py fails when the two lists diverge, and the emulator test
# (infra/tests/) checks each applied trust policy.
locals {
  irsa_service_accounts = {
    aws_load_balancer_controller = ["kube-system:aws-load-balancer-controller"]
    cluster_autoscaler           = ["kube-system:cluster-autoscaler"]
    ebs_csi                      = ["kube-system:ebs-csi-controller-sa"]
    velero                       = ["velero:velero-server"]
    # Crunchy PGO: the instance pods archive WAL and run backups; the backup Jobs' account is listed too
    # because PGO annotates both from PostgresCluster.spec.metadata.
    db_backup = ["postgres:ledger-instance", "postgres:ledger-pgbackrest"]
    # The simulator fuzz fleet (apps/fuzz/) writes its findings under fuzz/ of the database backup bucket.
    sim_fuzz = ["replicasafe-fuzz:sim-fuzz"]
  }

  # Each role's own policy; ebs_csi has only the AWS managed one below.
  irsa_policies = {
    aws_load_balancer_controller = data.aws_iam_policy_document.aws_load_balancer_controller.json
    cluster_autoscaler           = data.aws_iam_policy_document.cluster_autoscaler.json
    velero                       = data.aws_iam_policy_document.velero.json
    db_backup                    = data.aws_iam_policy_document.db_backup.json
    sim_fuzz                     = data.aws_iam_policy_document.sim_fuzz.json
  }

  # The EBS CSI driver's policy is AWS-managed and versioned by AWS with the driver.
  irsa_managed_policies = {
    ebs_csi = ["arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]
  }
}

module "irsa" {
  source   = "./modules/irsa_role"
  for_each = local.irsa_service_accounts

  name                = "${var.name}-${replace(each.key, "_", "-")}"
  oidc_provider_arn   = module.cluster.oidc_provider_arn
  oidc_provider       = module.cluster.oidc_provider
  service_accounts    = each.value
  create_policy       = contains(keys(local.irsa_policies), each.key)
  policy_json         = lookup(local.irsa_policies, each.key, null)
  managed_policy_arns = lookup(local.irsa_managed_policies, each.key, [])
}
