provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_availability_zones" "available" {
  # checkov:skip=CKV_AWS_394:The first three names (sorted) are taken; a zone AWS adds later sorts after them, so the set used does not change
  # Opt-in zones (Local Zones, Wavelength) cannot host managed node groups.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

locals {
  # Three AZs, always: Kafka's 3 nodes, the 2 Postgres instances and the per-AZ node groups assume them.
  az_count   = 3
  azs        = slice(sort(data.aws_availability_zones.available.names), 0, local.az_count)
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  tags = merge(var.tags, {
    Project   = var.name
    ManagedBy = "terraform"
  })
}
