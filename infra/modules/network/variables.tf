variable "name" {
  description = "Prefix of every resource name."
  type        = string
}

variable "region" {
  description = "AWS region (names the S3 endpoint service)."
  type        = string
}

variable "cidr" {
  description = "VPC CIDR."
  type        = string
}

variable "azs" {
  description = "Availability zones, one subnet of each tier in each."
  type        = list(string)
}

variable "public_subnet_cidrs" {
  description = "One per AZ, in the order of var.azs."
  type        = list(string)
}

variable "private_subnet_cidrs" {
  description = "One per AZ, in the order of var.azs."
  type        = list(string)
}

variable "intra_subnet_cidrs" {
  description = "One per AZ, in the order of var.azs."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all AZs instead of one per AZ."
  type        = bool
}

variable "flow_log_retention_days" {
  description = "Days CloudWatch keeps the flow logs."
  type        = number
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the flow-log group."
  type        = string
}
