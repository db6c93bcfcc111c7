variable "name" {
  description = "Cluster name."
  type        = string
}

variable "kubernetes_version" {
  description = "EKS Kubernetes version."
  type        = string
}

variable "control_plane_subnet_ids" {
  description = "Subnets for the control-plane ENIs (one per AZ)."
  type        = list(string)
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint."
  type        = list(string)
}

variable "service_ipv4_cidr" {
  description = "Kubernetes Service CIDR."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for Secrets envelope encryption and the control-plane log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the control-plane logs."
  type        = number
}

variable "admin_principal_arns" {
  description = "IAM roles or users given cluster-admin through access entries (besides the creator)."
  type        = list(string)
}

variable "oidc_thumbprint" {
  description = "Thumbprint of the OIDC issuer's root CA (required by the IAM API, not used by AWS for EKS issuers)."
  type        = string
}
