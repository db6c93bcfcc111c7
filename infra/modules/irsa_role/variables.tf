variable "name" {
  description = "Role (and policy) name."
  type        = string
}

variable "oidc_provider_arn" {
  description = "The cluster's IAM OIDC provider."
  type        = string
}

variable "oidc_provider" {
  description = "The issuer without https:// (condition key prefix)."
  type        = string
}

variable "service_accounts" {
  description = "namespace:name of each ServiceAccount that may assume the role."
  type        = list(string)

  validation {
    condition     = length(var.service_accounts) > 0 && alltrue([for a in var.service_accounts : can(regex("^[a-z0-9-]+:[a-z0-9-]+$", a))])
    error_message = "At least one namespace:name."
  }
}

variable "create_policy" {
  description = "Whether the role has a policy of its own (policy_json); known at plan time, unlike the document."
  type        = bool
}

variable "policy_json" {
  description = "The role's own policy document (when create_policy)."
  type        = string
  default     = null
}

variable "managed_policy_arns" {
  description = "AWS managed policies to attach."
  type        = list(string)
  default     = []
}
