# ECR repositories for the images the cluster runs: tags are immutable (a tag names one build forever, so a
# rollback redeploys exactly what ran before), every push is scanned, and untagged layers left by failed pushes
# expire. Optionally a role GitHub Actions assumes through OIDC to push (main and release tags only).
data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_ecr_repository" "this" {
  for_each = toset(var.repositories)

  name                 = "${var.prefix}/${each.value}"
  image_tag_mutability = "IMMUTABLE"
  force_delete         = var.force_delete

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

resource "aws_ecr_lifecycle_policy" "this" {
  for_each = aws_ecr_repository.this

  repository = each.value.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "untagged images (interrupted pushes) after 14 days"
      selection = {
        tagStatus   = "untagged"
        countType   = "sinceImagePushed"
        countUnit   = "days"
        countNumber = 14
      }
      action = { type = "expire" }
    }]
  })
}

# GitHub's OIDC provider is created once per account by infra/bootstrap.
locals {
  github_oidc_provider_arn = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "push_trust" {
  count = var.github_repository == "" ? 0 : 1
  # checkov:skip=CKV_AWS_358:The subject names one repository and two refs (main, tags v*); the only wildcard is the tag name

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Pushes to main and release tags of this repository only: a pull request cannot publish an image.
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values = [
        "repo:${var.github_repository}:ref:refs/heads/main",
        "repo:${var.github_repository}:ref:refs/tags/v*",
      ]
    }
  }
}

data "aws_iam_policy_document" "push" {
  count = var.github_repository == "" ? 0 : 1
  # checkov:skip=CKV_AWS_356:ecr:GetAuthorizationToken has no resource; everything else is scoped to the repositories

  statement {
    sid       = "Login"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid = "PushAndPull"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:CompleteLayerUpload",
      "ecr:DescribeImages",
      "ecr:GetDownloadUrlForLayer",
      "ecr:InitiateLayerUpload",
      "ecr:PutImage",
      "ecr:UploadLayerPart",
    ]
    resources = [for r in aws_ecr_repository.this : r.arn]
  }
}

resource "aws_iam_role" "push" {
  count = var.github_repository == "" ? 0 : 1

  name                 = "${var.prefix}-github-image-push"
  assume_role_policy   = data.aws_iam_policy_document.push_trust[0].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "push" {
  count = var.github_repository == "" ? 0 : 1

  name   = "ecr-push"
  role   = aws_iam_role.push[0].id
  policy = data.aws_iam_policy_document.push[0].json
}
