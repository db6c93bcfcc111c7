output "name" {
  description = "Cluster name."
  value       = aws_eks_cluster.this.name
}

output "endpoint" {
  description = "Kubernetes API endpoint."
  value       = aws_eks_cluster.this.endpoint
}

output "certificate_authority_data" {
  description = "Base64 CA bundle of the API endpoint."
  value       = aws_eks_cluster.this.certificate_authority[0].data
}

output "version" {
  description = "Kubernetes version."
  value       = aws_eks_cluster.this.version
}

output "oidc_issuer_url" {
  description = "Service-account token issuer (https://...)."
  value       = aws_eks_cluster.this.identity[0].oidc[0].issuer
}

output "oidc_provider" {
  description = "Issuer without the scheme: the prefix of IRSA trust-policy condition keys."
  value       = replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, "https://", "")
}

output "oidc_provider_arn" {
  description = "ARN of the IAM OIDC provider IRSA roles trust."
  value       = aws_iam_openid_connect_provider.this.arn
}

output "cluster_security_group_id" {
  description = "Security group EKS created for the control plane and managed nodes."
  value       = aws_eks_cluster.this.vpc_config[0].cluster_security_group_id
}
