# EKS with managed node groups, one per AZ. One group per AZ rather than one group spanning three: the EBS
# volumes of Kafka and Postgres are zonal, and Cluster Autoscaler can only add a node in the right zone when the
# zone is a property of the group (its --balance-similar-node-groups keeps the three groups even).
module "eks" {
  # checkov:skip=CKV_TF_1:Registry module pinned by version constraint here and by checksum in .terraform.lock.hcl; a git hash would bypass the registry
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  name               = var.name
  kubernetes_version = var.kubernetes_version

  vpc_id                   = module.vpc.vpc_id
  subnet_ids               = module.vpc.private_subnets
  control_plane_subnet_ids = module.vpc.intra_subnets
  service_ipv4_cidr        = var.service_ipv4_cidr

  endpoint_private_access      = true
  endpoint_public_access       = true
  endpoint_public_access_cidrs = var.api_allowed_cidrs

  # Access entries (API authentication mode); whoever creates the cluster administers it.
  enable_cluster_creator_admin_permissions = true

  enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  # IRSA: an IAM OIDC provider for the cluster's service-account issuer (iam_*.tf use it).
  enable_irsa = true

  addons = {
    vpc-cni = {
      # Before the nodes: their pods need the CNI, and network policy must be on from the first pod.
      before_compute = true
      most_recent    = true
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
        nodeAgent = {
          enablePolicyEventLogs = "true"
        }
      })
    }
    coredns = {
      most_recent = true
    }
    kube-proxy = {
      most_recent = true
    }
    eks-pod-identity-agent = {
      before_compute = true
      most_recent    = true
    }
    aws-ebs-csi-driver = {
      most_recent              = true
      service_account_role_arn = aws_iam_role.irsa["ebs_csi"].arn
    }
  }

  eks_managed_node_groups = {
    general-a = merge(local.node_group_defaults, {
      subnet_ids = [module.vpc.private_subnets[0]]
    })
    general-b = merge(local.node_group_defaults, {
      subnet_ids = [module.vpc.private_subnets[1]]
    })
    general-c = merge(local.node_group_defaults, {
      subnet_ids = [module.vpc.private_subnets[2]]
    })
  }
}

locals {
  node_group_defaults = {
    ami_type       = "AL2023_x86_64_STANDARD"
    instance_types = var.node_instance_types
    capacity_type  = "ON_DEMAND"
    min_size       = var.nodes_per_az.min
    desired_size   = var.nodes_per_az.desired
    max_size       = var.nodes_per_az.max

    # IMDSv2 only, one hop: pods cannot borrow the node role (they get their own through IRSA).
    metadata_options = {
      http_endpoint               = "enabled"
      http_tokens                 = "required"
      http_put_response_hop_limit = 1
    }

    block_device_mappings = {
      xvda = {
        device_name = "/dev/xvda"
        ebs = {
          volume_size           = 50
          volume_type           = "gp3"
          encrypted             = true
          delete_on_termination = true
        }
      }
    }

    labels = {
      "replicasafe.io/pool" = "general"
    }
  }
}
