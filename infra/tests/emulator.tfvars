# The emulator run's variables, for `terraform test` and the plain-CLI replan of scripts/infra/test-infra.sh alike.
# EKS add-ons and budgets are off: the emulator (moto) does not implement them.
name                  = "rs-emu"
region                = "us-east-1"
api_allowed_cidrs     = ["203.0.113.10/32"]
ingress_allowed_cidrs = ["198.51.100.0/24"]
budget_alert_emails   = ["platform-team@example.com"]
github_repository     = "example/replicasafe"
enable_eks_addons     = false
enable_budget         = false
force_destroy_data    = true
