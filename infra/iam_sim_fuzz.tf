# The simulator fuzz fleet: reads and writes objects under fuzz/ of the database backup bucket, and nothing else
# (no listing outside fuzz/, no other bucket, no deletes of backups).
data "aws_iam_policy_document" "sim_fuzz" {
  statement {
    sid       = "Findings"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${module.backups.bucket_arns["db"]}/fuzz/*"]
  }

  statement {
    sid       = "ListFindings"
    actions   = ["s3:ListBucket"]
    resources = [module.backups.bucket_arns["db"]]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["fuzz/*", "fuzz"]
    }
  }

  statement {
    sid       = "BucketKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [module.backups.kms_key_arn]
  }
}
