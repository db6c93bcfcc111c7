# `make test-infra` (scripts/infra/test-infra.sh): applies the whole stack to the AWS API emulator (moto) and
# checks what a user of the stack relies on. The emulator does not implement EKS add-ons or budgets, so those are
# off here; everything else is the configuration a real apply uses. Terraform destroys it after the last run.
# The variables are tests/emulator.tfvars (-var-file), the same file the script's plain-CLI replan applies.
provider "aws" {
  region                      = var.region
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  # Every service at the emulator: scripts/infra/test-infra.sh exports AWS_ENDPOINT_URL=http://127.0.0.1:PORT.
  # Three attempts: a connection the emulator drops under load ("use of closed network connection") is retried,
  # while a 500 from an API it lacks still fails within seconds instead of retrying for minutes.
  max_retries = 3

}

run "apply" {
  command = apply

  assert {
    condition     = length(distinct(output.azs)) == 3
    error_message = "want 3 distinct AZs, got ${jsonencode(output.azs)}"
  }

  assert {
    condition     = length(distinct([for s in module.network.private_subnets : s.id])) == 3 && alltrue([for s in module.network.private_subnets : !s.map_public_ip_on_launch])
    error_message = "want one private subnet per AZ without public IPs: ${jsonencode(module.network.private_subnets)}"
  }

  assert {
    condition     = alltrue([for s in module.network.private_subnets : s.default_route_nat != "" && s.default_route_nat != null && (s.default_route_gateway == "" || s.default_route_gateway == null)])
    error_message = "private subnets must leave through a NAT gateway, not the internet gateway: ${jsonencode(module.network.private_subnets)}"
  }

  assert {
    condition     = module.network.nat_gateway_count == 3
    error_message = "want a NAT gateway per AZ by default, got ${module.network.nat_gateway_count}"
  }

  assert {
    condition     = alltrue([for az in output.azs : output.node_group_subnets[az] == toset([module.network.private_subnets[az].id])])
    error_message = "each AZ's node group must sit in that AZ's private subnet only: ${jsonencode(output.node_group_subnets)}"
  }

  assert {
    condition     = startswith(output.cluster_endpoint, "https://")
    error_message = "cluster endpoint ${output.cluster_endpoint} is not https"
  }

  assert {
    condition     = startswith(output.oidc_issuer_url, "https://") && strcontains(output.irsa_trust_policies["velero"], replace(output.oidc_issuer_url, "https://", ""))
    error_message = "the IRSA roles must trust the cluster's OIDC issuer ${output.oidc_issuer_url}"
  }

  assert {
    condition = alltrue([
      for role, accounts in {
        aws_load_balancer_controller = ["kube-system:aws-load-balancer-controller"]
        cluster_autoscaler           = ["kube-system:cluster-autoscaler"]
        ebs_csi                      = ["kube-system:ebs-csi-controller-sa"]
        velero                       = ["velero:velero-server"]
        db_backup                    = ["postgres:ledger-instance", "postgres:ledger-pgbackrest"]
        sim_fuzz                     = ["replicasafe-fuzz:sim-fuzz"]
        } : toset(flatten([
          for statement in jsondecode(output.irsa_trust_policies[role]).Statement : [
            for key, value in statement.Condition.StringEquals : value if endswith(key, ":sub")
          ]
      ])) == toset([for a in accounts : "system:serviceaccount:${a}"])
    ])
    error_message = "an IRSA role trusts other ServiceAccounts than the ones the platform runs: ${jsonencode(output.irsa_trust_policies)}"
  }

  assert {
    condition     = alltrue([for role, policy in output.irsa_trust_policies : alltrue([for s in jsondecode(policy).Statement : flatten([lookup(s.Condition.StringEquals, "${replace(output.oidc_issuer_url, "https://", "")}:aud", [])]) == ["sts.amazonaws.com"]])])
    error_message = "every IRSA trust must pin the audience to sts.amazonaws.com"
  }

  assert {
    condition     = length(module.network.s3_cidrs) > 0 && length(module.network.sts_endpoint_cidrs) == 3 && output.fuzz_egress_cidrs == concat(module.network.s3_cidrs, module.network.sts_endpoint_cidrs) && alltrue([for c in output.fuzz_egress_cidrs : can(cidrhost(c, 0)) && tonumber(split("/", c)[1]) >= 8])
    error_message = "the fuzzing fleet's egress must be the S3 prefix list plus one STS endpoint address per AZ, never a catch-all: ${jsonencode(output.fuzz_egress_cidrs)}"
  }

  assert {
    condition     = startswith(output.sts_endpoint_url, "https://vpce-")
    error_message = "the fleet's STS URL must be the interface endpoint's own name: ${output.sts_endpoint_url}"
  }

  assert {
    condition     = alltrue([for b in module.backups.settings : b.versioning == "Enabled" && b.sse == "aws:kms" && b.kms_key == output.backup_kms_key_arn && b.public_access_blocked])
    error_message = "backup buckets must be versioned, KMS-encrypted with the backup key and private: ${jsonencode(module.backups.settings)}"
  }

  assert {
    condition     = keys(module.registry.settings) == ["api", "sim", "worker"] && alltrue([for r in module.registry.settings : r.image_tag_mutability == "IMMUTABLE" && r.scan_on_push])
    error_message = "want ECR repositories api, sim and worker with immutable tags and scan on push: ${jsonencode(module.registry.settings)}"
  }

  assert {
    condition     = output.image_registry == "${split("/", module.registry.repository_urls["api"])[0]}/rs-emu" && endswith(module.registry.repository_urls["worker"], "/rs-emu/worker") && endswith(module.registry.repository_urls["sim"], "/rs-emu/sim")
    error_message = "images must be REGISTRY/api, REGISTRY/worker and REGISTRY/sim: ${jsonencode(module.registry.repository_urls)}"
  }
}
