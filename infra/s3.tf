# Backup buckets: "velero" (cluster objects and EBS snapshot metadata) and "db" (pgBackRest repository).
# Versioned, SSE-KMS with a bucket key, public access blocked, ACLs disabled, TLS 1.2+ only. Lifecycle removes
# only *noncurrent* versions (after var.backup_noncurrent_days) and stale multipart uploads: the tools expire
# their own backups (Velero TTL, pgBackRest repo1-retention-full), because only they know which WAL or object a
# remaining backup still needs. Versioning turns an accidental or malicious delete into a recoverable one.
locals {
  backup_buckets = {
    velero = "${var.name}-velero-${local.account_id}-${var.region}"
    db     = "${var.name}-db-backups-${local.account_id}-${var.region}"
  }
}

resource "aws_s3_bucket" "backups" {
  for_each = local.backup_buckets
  # checkov:skip=CKV_AWS_144:Cross-region replication doubles storage cost; the RPO/RTO in docs/tradeoffs.md is for an AZ loss, and a region loss is restored from the versioned bucket once the region is back
  # checkov:skip=CKV_AWS_18:Access logging needs a third bucket; CloudTrail management events and the KMS key usage already record who touched the backups
  # checkov:skip=CKV2_AWS_62:Nothing consumes bucket event notifications; backup freshness is alerted on from metrics (replicasafe_backup_last_success_timestamp_seconds)

  bucket        = each.value
  force_destroy = false
}

resource "aws_s3_bucket_versioning" "backups" {
  for_each = local.backup_buckets

  bucket = aws_s3_bucket.backups[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "backups" {
  for_each = local.backup_buckets

  bucket = aws_s3_bucket.backups[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.backups.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "backups" {
  for_each = local.backup_buckets

  bucket                  = aws_s3_bucket.backups[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "backups" {
  for_each = local.backup_buckets

  bucket = aws_s3_bucket.backups[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "backups" {
  for_each = local.backup_buckets

  bucket = aws_s3_bucket.backups[each.key].id

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.backup_noncurrent_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.backups]
}

data "aws_iam_policy_document" "backups_tls_only" {
  for_each = local.backup_buckets

  statement {
    sid     = "DenyPlainHttp"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.backups[each.key].arn,
      "${aws_s3_bucket.backups[each.key].arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid     = "DenyOldTls"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.backups[each.key].arn,
      "${aws_s3_bucket.backups[each.key].arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "backups" {
  for_each = local.backup_buckets

  bucket = aws_s3_bucket.backups[each.key].id
  policy = data.aws_iam_policy_document.backups_tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.backups]
}
