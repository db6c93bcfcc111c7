# The platform key: envelope encryption of Kubernetes Secrets and the CloudWatch log groups (control plane, VPC
# flow logs). The account administers it through IAM; CloudWatch Logs may use it only for this account's groups.
data "aws_iam_policy_document" "platform_key" {
  # checkov:skip=CKV_AWS_109:Key policies must name the key itself as "*"; administration is delegated to IAM in this account
  # checkov:skip=CKV_AWS_111:Same: "*" in a key policy means this key only
  # checkov:skip=CKV_AWS_356:Same: "*" in a key policy means this key only
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsOfThisAccount"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "platform" {
  description             = "${var.name} EKS secrets and logs"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.platform_key.json
}

resource "aws_kms_alias" "platform" {
  name          = "alias/${var.name}-platform"
  target_key_id = aws_kms_key.platform.key_id
}
