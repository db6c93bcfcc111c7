# pgBackRest (Crunchy PGO) writes WAL and backups under one prefix of one bucket, and nothing else.
data "aws_iam_policy_document" "db_backup" {
  statement {
    sid = "Repository"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
    ]
    resources = ["${module.backups.bucket_arns["db"]}/pgbackrest/*"]
  }

  statement {
    sid       = "List"
    actions   = ["s3:ListBucket"]
    resources = [module.backups.bucket_arns["db"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["pgbackrest/*", "pgbackrest"]
    }
  }

  statement {
    sid       = "BucketKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [module.backups.kms_key_arn]
  }
}
