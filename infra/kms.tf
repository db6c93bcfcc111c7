# One customer-managed key for both backup buckets: rotation on, usable only through S3 by the roles that
# have kms:* on it in their own policies (iam_velero.tf, iam_db_backup.tf).
data "aws_iam_policy_document" "backups_key" {
  # checkov:skip=CKV_AWS_109:Key policies must name the key itself as "*"; administration is limited to the account root (IAM decides who)
  # checkov:skip=CKV_AWS_111:Same: "*" in a key policy means this key only
  # checkov:skip=CKV_AWS_356:Same: "*" in a key policy means this key only
  statement {
    sid       = "AccountAdministers"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "UseThroughS3Only"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.irsa["velero"].arn, aws_iam_role.irsa["db_backup"].arn]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_kms_key" "backups" {
  description             = "${var.name} backup buckets (Velero, pgBackRest)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.backups_key.json
}

resource "aws_kms_alias" "backups" {
  name          = "alias/${var.name}-backups"
  target_key_id = aws_kms_key.backups.key_id
}
