output "repository_urls" {
  description = "name => repository URL (ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/NAME)."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "registry" {
  description = "The registry and prefix images are pushed under: REGISTRY/NAME for each of var.repositories."
  value       = "${split("/", values(aws_ecr_repository.this)[0].repository_url)[0]}/${var.prefix}"
}

output "push_role_arn" {
  description = "Role the image workflow assumes (empty without var.github_repository)."
  value       = try(aws_iam_role.push[0].arn, "")
}

output "settings" {
  description = "name => tag mutability and scan on push, as applied."
  value = {
    for k, r in aws_ecr_repository.this : k => {
      image_tag_mutability = r.image_tag_mutability
      scan_on_push         = r.image_scanning_configuration[0].scan_on_push
    }
  }
}
