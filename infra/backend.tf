# Remote state in S3 with native lock files (Terraform >= 1.10). The values live in backend.hcl (not committed;
# see backend.hcl.example and infra/bootstrap/, which creates the bucket):
#   terraform init -backend-config=backend.hcl
# `terraform init -backend=false` is enough for fmt and validate.
terraform {
  backend "s3" {}
}
