# Constraints here; exact versions in .terraform.lock.hcl (the provider's checksums, written by the first
# `terraform init` against the registry) and tools/versions.md (the Terraform CLI, checked by scripts).
terraform {
  required_version = ">= 1.11.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }
}
