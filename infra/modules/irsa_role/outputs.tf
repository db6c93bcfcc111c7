output "arn" {
  description = "Role ARN (the eks.amazonaws.com/role-arn annotation)."
  value       = aws_iam_role.this.arn
}

output "name" {
  description = "Role name."
  value       = aws_iam_role.this.name
}

output "trust_policy" {
  description = "The trust policy document (JSON)."
  value       = aws_iam_role.this.assume_role_policy
}
