# Versions are constraints here and exact in .terraform.lock.hcl, which the first `terraform init` on the real
# host writes and CI commits (it cannot be produced on the offline build machine).
terraform {
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
