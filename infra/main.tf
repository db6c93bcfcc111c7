# The stack: a VPC over three AZs, the EKS cluster, one managed node group per AZ, IRSA roles, backup buckets and
# the image registry, each from a small module of ours under modules/. The wiring between them is here.
module "network" {
  source = "./modules/network"

  name                    = var.name
  region                  = var.region
  cidr                    = var.vpc_cidr
  azs                     = local.azs
  public_subnet_cidrs     = var.public_subnet_cidrs
  private_subnet_cidrs    = var.private_subnet_cidrs
  intra_subnet_cidrs      = var.intra_subnet_cidrs
  single_nat_gateway      = var.single_nat_gateway
  flow_log_retention_days = var.log_retention_days
  log_kms_key_arn         = aws_kms_key.platform.arn
}

module "cluster" {
  source = "./modules/cluster"

  name               = var.name
  kubernetes_version = var.kubernetes_version
  # The control-plane ENIs sit in the intra subnets, so NetworkPolicies can name the API server by CIDR.
  control_plane_subnet_ids = module.network.intra_subnet_ids
  public_access_cidrs      = var.api_allowed_cidrs
  service_ipv4_cidr        = var.service_ipv4_cidr
  kms_key_arn              = aws_kms_key.platform.arn
  log_retention_days       = var.log_retention_days
  admin_principal_arns     = var.cluster_admin_arns
  oidc_thumbprint          = var.oidc_thumbprint
}

module "node_groups" {
  source = "./modules/node_groups"

  cluster_name      = module.cluster.name
  group_name_prefix = "general"
  subnet_ids_by_az  = module.network.private_subnet_ids_by_az
  instance_types    = var.node_instance_types
  ami_type          = "AL2023_x86_64_STANDARD"
  size              = var.nodes_per_az
  disk_size_gb      = 50
  labels            = { "replicasafe.io/pool" = "general" }

  # The VPC CNI (with network policy on) and kube-proxy before the first node: pods must never start without
  # their NetworkPolicies enforced.
  depends_on = [aws_eks_addon.before_nodes]
}

module "backups" {
  source = "./modules/backups"

  name = var.name
  buckets = {
    velero = "${var.name}-velero-${local.account_id}-${var.region}"
    db     = "${var.name}-db-backups-${local.account_id}-${var.region}"
  }
  noncurrent_days = var.backup_noncurrent_days
  force_destroy   = var.force_destroy_data
}

module "registry" {
  source = "./modules/registry"

  prefix            = var.name
  repositories      = ["api", "worker", "sim"]
  github_repository = var.github_repository
  force_delete      = var.force_destroy_data
}
