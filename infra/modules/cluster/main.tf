# The EKS control plane: API authentication through access entries, secrets envelope-encrypted with a KMS key,
# control-plane logs in CloudWatch, the endpoint private inside the VPC and public only to listed CIDRs, and the
# IAM OIDC provider that IRSA roles trust.
data "aws_partition" "current" {}

data "aws_iam_policy_document" "cluster_trust" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_trust.json
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonEKSClusterPolicy"
}

# Envelope encryption of Secrets: the control plane uses the key through the cluster role.
data "aws_iam_policy_document" "cluster_kms" {
  statement {
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "cluster_kms" {
  name   = "secrets-encryption"
  role   = aws_iam_role.cluster.id
  policy = data.aws_iam_policy_document.cluster_kms.json
}

# Created before the cluster so that its retention and key apply from the first log line.
resource "aws_cloudwatch_log_group" "cluster" {
  # checkov:skip=CKV_AWS_338:Retention is var.log_retention_days (30 by default): control-plane logs are for debugging and audit follow-up, a year of them costs more than the cluster's other logging
  name              = "/aws/eks/${var.name}/cluster"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_eks_cluster" "this" {
  # checkov:skip=CKV_AWS_39:The public endpoint is how operators and CI reach the API without a VPN; it admits only var.public_access_cidrs
  # checkov:skip=CKV_AWS_38:public_access_cidrs comes from var.api_allowed_cidrs, whose validation refuses 0.0.0.0/0 and an empty list
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = var.control_plane_subnet_ids
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = var.public_access_cidrs
  }

  kubernetes_network_config {
    service_ipv4_cidr = var.service_ipv4_cidr
  }

  # Access entries only (no aws-auth ConfigMap); whoever creates the cluster administers it, and
  # var.admin_principal_arns get cluster-admin through access entries below.
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = true
  }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = var.kms_key_arn
    }
  }

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  lifecycle {
    # access_config is fixed at creation (bootstrap_cluster_creator_admin_permissions cannot change later) and
    # is changed on purpose with `aws eks update-cluster-config`, not by a plan; the AWS API emulator that
    # `make test-infra` applies to does not return it, which would otherwise show as a change on every plan.
    ignore_changes = [access_config]
  }

  depends_on = [
    aws_iam_role_policy_attachment.cluster,
    aws_iam_role_policy.cluster_kms,
    aws_cloudwatch_log_group.cluster,
  ]
}

# IRSA: the cluster's service-account token issuer as an IAM identity provider. AWS validates the issuer's
# certificate chain itself for EKS; the thumbprint is required by the API but not used.
resource "aws_iam_openid_connect_provider" "this" {
  url             = aws_eks_cluster.this.identity[0].oidc[0].issuer
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = [var.oidc_thumbprint]
}

resource "aws_eks_access_entry" "admin" {
  for_each = toset(var.admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  type          = "STANDARD"
}

resource "aws_eks_access_policy_association" "admin" {
  for_each = toset(var.admin_principal_arns)

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = each.value
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"

  access_scope {
    type = "cluster"
  }

  depends_on = [aws_eks_access_entry.admin]
}
