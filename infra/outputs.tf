# platform/install_platform.sh and apps/deploy_apps.sh read these with `terraform -chdir=infra output -json`.
output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.eks.cluster_endpoint
}

output "region" {
  description = "AWS region."
  value       = var.region
}

output "vpc_id" {
  description = "VPC ID (the Load Balancer Controller needs it because pods cannot read IMDS)."
  value       = module.vpc.vpc_id
}

output "kubeconfig_command" {
  description = "Command that writes the kubeconfig entry for this cluster."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.eks.cluster_name}"
}

output "aws_load_balancer_controller_role_arn" {
  description = "IRSA role of kube-system/aws-load-balancer-controller."
  value       = aws_iam_role.irsa["aws_load_balancer_controller"].arn
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role of kube-system/cluster-autoscaler."
  value       = aws_iam_role.irsa["cluster_autoscaler"].arn
}

output "velero_role_arn" {
  description = "IRSA role of velero/velero-server."
  value       = aws_iam_role.irsa["velero"].arn
}

output "ebs_csi_role_arn" {
  description = "IRSA role of kube-system/ebs-csi-controller-sa (wired into the EKS add-on)."
  value       = aws_iam_role.irsa["ebs_csi"].arn
}

output "db_backup_role_arn" {
  description = "IRSA role of postgres/ledger-instance and postgres/ledger-pgbackrest (pgBackRest)."
  value       = aws_iam_role.irsa["db_backup"].arn
}

output "velero_bucket" {
  description = "Velero backup bucket."
  value       = aws_s3_bucket.backups["velero"].id
}

output "db_backup_bucket" {
  description = "pgBackRest repository bucket."
  value       = aws_s3_bucket.backups["db"].id
}

output "backup_kms_key_arn" {
  description = "KMS key of both backup buckets."
  value       = aws_kms_key.backups.arn
}
