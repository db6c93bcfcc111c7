# IAM roles for service accounts (IRSA). Each role trusts exactly the ServiceAccounts listed here, through the
# cluster's OIDC provider, and carries one least-privilege policy (iam_*.tf). platform/ and apps/ name the same
# ServiceAccounts; scripts/lint/check_terraform.py fails when the two lists diverge.
locals {
  irsa_service_accounts = {
    aws_load_balancer_controller = ["kube-system:aws-load-balancer-controller"]
    cluster_autoscaler           = ["kube-system:cluster-autoscaler"]
    ebs_csi                      = ["kube-system:ebs-csi-controller-sa"]
    velero                       = ["velero:velero-server"]
    # Crunchy PGO: the instance pods archive WAL and run backups; the backup Jobs' account is listed too
    # because PGO annotates both from PostgresCluster.spec.metadata.
    db_backup = ["postgres:ledger-instance", "postgres:ledger-pgbackrest"]
  }
}

data "aws_iam_policy_document" "irsa_trust" {
  for_each = local.irsa_service_accounts

  statement {
    sid     = "AssumeFromServiceAccount"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:sub"
      values   = [for account in each.value : "system:serviceaccount:${account}"]
    }
  }
}

resource "aws_iam_role" "irsa" {
  for_each = local.irsa_service_accounts

  name                 = "${var.name}-${replace(each.key, "_", "-")}"
  assume_role_policy   = data.aws_iam_policy_document.irsa_trust[each.key].json
  max_session_duration = 3600
}

resource "aws_iam_policy" "irsa" {
  for_each = local.irsa_policies

  name   = "${var.name}-${replace(each.key, "_", "-")}"
  policy = each.value
}

resource "aws_iam_role_policy_attachment" "irsa" {
  for_each = local.irsa_policies

  role       = aws_iam_role.irsa[each.key].name
  policy_arn = aws_iam_policy.irsa[each.key].arn
}

# The EBS CSI driver's policy is AWS-managed and versioned by AWS with the driver.
resource "aws_iam_role_policy_attachment" "ebs_csi" {
  role       = aws_iam_role.irsa["ebs_csi"].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
}

locals {
  irsa_policies = {
    aws_load_balancer_controller = data.aws_iam_policy_document.aws_load_balancer_controller.json
    cluster_autoscaler           = data.aws_iam_policy_document.cluster_autoscaler.json
    velero                       = data.aws_iam_policy_document.velero.json
    db_backup                    = data.aws_iam_policy_document.db_backup.json
  }
}
