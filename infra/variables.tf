variable "name" {
  description = "Name of the cluster and prefix of every resource."
  type        = string
  default     = "replicasafe"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.name))
    error_message = "name must be 3-31 lowercase letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version; keep it in standard support (14 months from release)."
  type        = string
  default     = "1.34"
}

variable "vpc_cidr" {
  description = "VPC CIDR."
  type        = string
  default     = "10.0.0.0/16"
}

# The three subnet lists below are also written into the NetworkPolicies (apps/base/network-policies) and the
# traffic matrix; scripts/lint/check_terraform.py fails when they diverge.
variable "private_subnet_cidrs" {
  description = "One private subnet per AZ for nodes and pods (the VPC CNI gives pods VPC addresses, hence /19)."
  type        = list(string)
  default     = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]

  validation {
    condition     = length(var.private_subnet_cidrs) == 3
    error_message = "Exactly three private subnets, one per AZ."
  }
}

variable "public_subnet_cidrs" {
  description = "One public subnet per AZ for the ALB and the NAT gateways."
  type        = list(string)
  default     = ["10.0.96.0/24", "10.0.97.0/24", "10.0.98.0/24"]

  validation {
    condition     = length(var.public_subnet_cidrs) == 3
    error_message = "Exactly three public subnets, one per AZ."
  }
}

variable "intra_subnet_cidrs" {
  description = "One subnet per AZ without internet route for the EKS control-plane ENIs (kept apart so the API can be named by CIDR in NetworkPolicies)."
  type        = list(string)
  default     = ["10.0.100.0/24", "10.0.101.0/24", "10.0.102.0/24"]

  validation {
    condition     = length(var.intra_subnet_cidrs) == 3
    error_message = "Exactly three intra subnets, one per AZ."
  }
}

variable "service_ipv4_cidr" {
  description = "Kubernetes Service CIDR. Fixed so that the `kubernetes` Service IP (first address, 172.20.0.1) can be named in NetworkPolicies."
  type        = string
  default     = "172.20.0.0/16"
}

variable "single_nat_gateway" {
  description = "Cost option: one NAT gateway for all AZs (saves 2 x ~$33/month) at the price of losing egress from every AZ when that AZ fails. Default: one per AZ."
  type        = bool
  default     = false
}

variable "api_allowed_cidrs" {
  description = "CIDRs allowed to reach the public EKS API endpoint (your office or VPN, CI runners). No default: an open API endpoint is a decision, not an accident."
  type        = list(string)

  validation {
    condition     = length(var.api_allowed_cidrs) > 0 && !contains(var.api_allowed_cidrs, "0.0.0.0/0")
    error_message = "List at least one CIDR, and not 0.0.0.0/0."
  }
}

variable "node_instance_types" {
  description = "Instance types of the managed node groups (same in every AZ so the autoscaler can balance them)."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "nodes_per_az" {
  description = "Size of each per-AZ node group."
  type = object({
    min     = number
    desired = number
    max     = number
  })
  default = {
    min     = 1
    desired = 2
    max     = 4
  }
}

variable "budget_limit_usd" {
  description = "Monthly AWS Budget; alerts at 80% actual and 100% forecast."
  type        = number
  default     = 900
}

variable "budget_alert_emails" {
  description = "Who gets the budget alerts."
  type        = list(string)

  validation {
    condition     = length(var.budget_alert_emails) > 0
    error_message = "At least one address."
  }
}

variable "backup_noncurrent_days" {
  description = "Days an overwritten or deleted backup object stays recoverable (S3 versioning) before lifecycle removes it."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the control-plane logs and VPC flow logs."
  type        = number
  default     = 30
}

variable "cluster_admin_arns" {
  description = "IAM roles or users (not the root user) given cluster-admin through EKS access entries, besides the identity that creates the cluster."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.cluster_admin_arns : !endswith(arn, ":root")])
    error_message = "Name IAM roles or users, not the account root."
  }
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose image workflow may push to ECR (empty: no push role; use GHCR)."
  type        = string
  default     = ""

  validation {
    condition     = var.github_repository == "" || can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "owner/name, or empty."
  }
}

variable "oidc_thumbprint" {
  description = "Root CA thumbprint for the cluster's IAM OIDC provider. The IAM API wants one; AWS does not use it for EKS issuers."
  type        = string
  default     = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
}

variable "enable_eks_addons" {
  description = "Install the EKS add-ons (VPC CNI with network policy, kube-proxy, Pod Identity agent, CoreDNS, EBS CSI). Off only for the AWS API emulator, which does not implement them."
  type        = bool
  default     = true
}

variable "enable_budget" {
  description = "Create the monthly AWS Budget. Off only for the AWS API emulator, which does not implement budgets."
  type        = bool
  default     = true
}

variable "force_destroy_data" {
  description = "Let `terraform destroy` delete backup buckets and image repositories that still hold data. Keep false outside throw-away tests."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

variable "ingress_allowed_cidrs" {
  description = "CIDRs the api's ALB admits (Ingress annotation alb.ingress.kubernetes.io/inbound-cidrs, set by apps/deploy_apps.sh from the output). No default: who may reach a money-moving API is a decision; [\"0.0.0.0/0\"] opens it to everyone."
  type        = list(string)

  validation {
    condition     = length(var.ingress_allowed_cidrs) > 0 && alltrue([for c in var.ingress_allowed_cidrs : can(cidrnetmask(c))])
    error_message = "List at least one IPv4 CIDR (a.b.c.d/n)."
  }
}

variable "enable_waf" {
  description = "Put an AWS WAF web ACL (AWS managed rule groups and a per-address rate limit) in front of the api's ALB. Costs about $5/month per ACL, $1 per rule and $0.60 per million requests."
  type        = bool
  default     = false
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests one source address may send in 5 minutes before WAF blocks it (when enable_waf)."
  type        = number
  default     = 3000

  validation {
    condition     = var.waf_rate_limit_per_5_minutes >= 100
    error_message = "AWS WAF's smallest rate limit is 100 requests per 5 minutes."
  }
}

variable "waf_log_retention_days" {
  description = "Days CloudWatch keeps the WAF's blocked-request log (when enable_waf)."
  type        = number
  default     = 30
}
