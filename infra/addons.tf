# EKS add-ons, behind var.enable_eks_addons (the AWS API emulator of `make test-infra` does not implement them).
# Versions: the default one for the cluster's Kubernetes version at creation; `terraform apply` after an EKS
# upgrade moves them along (resolve_conflicts_on_update = OVERWRITE: the add-on's settings are ours).
locals {
  addons_before_nodes = var.enable_eks_addons ? {
    vpc-cni = {
      # NetworkPolicy enforcement by the CNI's policy agent: without it every NetworkPolicy in apps/ is ignored.
      configuration_values = jsonencode({
        enableNetworkPolicy = "true"
        nodeAgent = {
          enablePolicyEventLogs = "true"
        }
      })
    }
    kube-proxy             = { configuration_values = null }
    eks-pod-identity-agent = { configuration_values = null }
  } : {}
  addons_after_nodes = var.enable_eks_addons ? toset(["coredns", "aws-ebs-csi-driver"]) : toset([])
}

resource "aws_eks_addon" "before_nodes" {
  for_each = local.addons_before_nodes

  cluster_name                = module.cluster.name
  addon_name                  = each.key
  configuration_values        = each.value.configuration_values
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"
}

# CoreDNS and the EBS CSI controller are Deployments: they need nodes to become healthy.
resource "aws_eks_addon" "after_nodes" {
  for_each = local.addons_after_nodes

  cluster_name                = module.cluster.name
  addon_name                  = each.key
  service_account_role_arn    = each.key == "aws-ebs-csi-driver" ? module.irsa["ebs_csi"].arn : null
  resolve_conflicts_on_create = "OVERWRITE"
  resolve_conflicts_on_update = "OVERWRITE"

  depends_on = [module.node_groups]
}
