# platform/install_platform.sh and apps/deploy_apps.sh read these with `terraform -chdir=infra output -json`.
output "cluster_name" {
  description = "EKS cluster name."
  value       = module.cluster.name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.cluster.endpoint
}

output "oidc_issuer_url" {
  description = "The cluster's service-account token issuer (IRSA roles trust its IAM OIDC provider)."
  value       = module.cluster.oidc_issuer_url
}

output "region" {
  description = "AWS region."
  value       = var.region
}

output "azs" {
  description = "The three availability zones."
  value       = module.network.azs
}

output "vpc_id" {
  description = "VPC ID (the Load Balancer Controller needs it because pods cannot read IMDS)."
  value       = module.network.vpc_id
}

output "private_subnet_ids" {
  description = "Private subnets of the nodes, one per AZ."
  value       = module.network.private_subnet_ids
}

output "node_group_subnets" {
  description = "AZ => the subnets of that AZ's node group."
  value       = module.node_groups.subnets
}

output "kubeconfig_command" {
  description = "Command that writes the kubeconfig entry for this cluster."
  value       = "aws eks update-kubeconfig --region ${var.region} --name ${module.cluster.name}"
}

output "aws_load_balancer_controller_role_arn" {
  description = "IRSA role of kube-system/aws-load-balancer-controller."
  value       = module.irsa["aws_load_balancer_controller"].arn
}

output "cluster_autoscaler_role_arn" {
  description = "IRSA role of kube-system/cluster-autoscaler."
  value       = module.irsa["cluster_autoscaler"].arn
}

output "velero_role_arn" {
  description = "IRSA role of velero/velero-server."
  value       = module.irsa["velero"].arn
}

output "ebs_csi_role_arn" {
  description = "IRSA role of kube-system/ebs-csi-controller-sa (wired into the EKS add-on)."
  value       = module.irsa["ebs_csi"].arn
}

output "db_backup_role_arn" {
  description = "IRSA role of postgres/ledger-instance and postgres/ledger-pgbackrest (pgBackRest)."
  value       = module.irsa["db_backup"].arn
}

output "sim_fuzz_role_arn" {
  description = "IRSA role of replicasafe-fuzz/sim-fuzz (objects under fuzz/ of the database backup bucket)."
  value       = module.irsa["sim_fuzz"].arn
}

output "fuzz_egress_cidrs" {
  description = "Everything the fuzzing fleet's pods may reach (apps/fuzz NetworkPolicy sim-fuzz-aws): the region's S3 ranges and the STS endpoint's addresses."
  value       = concat(module.network.s3_cidrs, module.network.sts_endpoint_cidrs)
}

output "sts_endpoint_url" {
  description = "STS inside the VPC, for the fuzzing fleet's IRSA credentials (AWS_ENDPOINT_URL_STS)."
  value       = module.network.sts_endpoint_url
}

output "irsa_trust_policies" {
  description = "Role key => its trust policy (JSON): which ServiceAccounts may assume it."
  value       = { for k, role in module.irsa : k => role.trust_policy }
}

output "velero_bucket" {
  description = "Velero backup bucket."
  value       = module.backups.bucket_ids["velero"]
}

output "db_backup_bucket" {
  description = "pgBackRest repository bucket (its fuzz/ prefix holds the fuzz fleet's findings)."
  value       = module.backups.bucket_ids["db"]
}

output "backup_kms_key_arn" {
  description = "KMS key of both backup buckets."
  value       = module.backups.kms_key_arn
}

output "image_registry" {
  description = "Where the images live: REGISTRY/api and REGISTRY/worker (apps/deploy_apps.sh --registry), REGISTRY/sim (apps/fuzz/run.sh)."
  value       = module.registry.registry
}

output "image_push_role_arn" {
  description = "Role the image workflow assumes through GitHub OIDC (empty without var.github_repository)."
  value       = module.registry.push_role_arn
}

output "ingress_allowed_cidrs" {
  description = "CIDRs the api's ALB admits (apps/deploy_apps.sh writes them into the Ingress)."
  value       = var.ingress_allowed_cidrs
}

output "waf_web_acl_arn" {
  description = "The api's AWS WAF web ACL, or an empty string when enable_waf is false."
  value       = var.enable_waf ? aws_wafv2_web_acl.api[0].arn : ""
}
