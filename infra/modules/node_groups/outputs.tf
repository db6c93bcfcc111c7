output "node_role_arn" {
  description = "IAM role of the nodes."
  value       = aws_iam_role.node.arn
}

output "groups" {
  description = "AZ => node group name."
  value       = { for az, group in aws_eks_node_group.this : az => group.node_group_name }
}

output "subnets" {
  description = "AZ => the subnets its node group uses."
  value       = { for az, group in aws_eks_node_group.this : az => group.subnet_ids }
}
