output "bucket_ids" {
  description = "key => bucket name."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "bucket_arns" {
  description = "key => bucket ARN."
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "kms_key_arn" {
  description = "The buckets' KMS key."
  value       = aws_kms_key.this.arn
}

output "settings" {
  description = "key => the protections as applied: versioning status, encryption algorithm and key, public access block."
  value = {
    for k in keys(var.buckets) : k => {
      versioning = aws_s3_bucket_versioning.this[k].versioning_configuration[0].status
      sse        = one(aws_s3_bucket_server_side_encryption_configuration.this[k].rule[*].apply_server_side_encryption_by_default[0].sse_algorithm)
      kms_key    = one(aws_s3_bucket_server_side_encryption_configuration.this[k].rule[*].apply_server_side_encryption_by_default[0].kms_master_key_id)
      public_access_blocked = alltrue([
        aws_s3_bucket_public_access_block.this[k].block_public_acls,
        aws_s3_bucket_public_access_block.this[k].block_public_policy,
        aws_s3_bucket_public_access_block.this[k].ignore_public_acls,
        aws_s3_bucket_public_access_block.this[k].restrict_public_buckets,
      ])
    }
  }
}
