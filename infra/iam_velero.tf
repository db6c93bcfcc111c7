# Velero with the AWS plugin: objects in its own bucket, EBS snapshots of the cluster's volumes.
data "aws_iam_policy_document" "velero" {
  # checkov:skip=CKV_AWS_356:EC2 Describe* and CreateSnapshot/CreateVolume on not-yet-existing resources cannot be scoped by ARN
  # checkov:skip=CKV_AWS_111:Snapshot and volume writes are the purpose of the role; deletion is limited to snapshots Velero tagged
  statement {
    sid = "Snapshots"
    actions = [
      "ec2:DescribeVolumes",
      "ec2:DescribeSnapshots",
      "ec2:CreateVolume",
      "ec2:CreateSnapshot",
      "ec2:CreateTags",
    ]
    resources = ["*"]
  }

  statement {
    sid       = "DeleteOwnSnapshots"
    actions   = ["ec2:DeleteSnapshot"]
    resources = ["arn:${local.partition}:ec2:${var.region}::snapshot/*"]

    condition {
      test     = "StringLike"
      variable = "aws:ResourceTag/velero.io/backup"
      values   = ["*"]
    }
  }

  statement {
    sid = "Objects"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${module.backups.bucket_arns["velero"]}/*"]
  }

  statement {
    sid       = "Bucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [module.backups.bucket_arns["velero"]]
  }

  statement {
    sid       = "BucketKey"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [module.backups.kms_key_arn]
  }
}
