# One IAM role for Kubernetes service accounts (IRSA): trusted through the cluster's OIDC provider by exactly the
# listed namespace:name accounts (the audience pinned to STS), with one inline-managed policy and optional AWS
# managed policies.
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "AssumeFromServiceAccount"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${var.oidc_provider}:sub"
      values   = [for account in var.service_accounts : "system:serviceaccount:${account}"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

resource "aws_iam_policy" "this" {
  count = var.create_policy ? 1 : 0

  name   = var.name
  policy = var.policy_json
}

resource "aws_iam_role_policy_attachment" "this" {
  count = var.create_policy ? 1 : 0

  role       = aws_iam_role.this.name
  policy_arn = aws_iam_policy.this[0].arn
}

resource "aws_iam_role_policy_attachment" "managed" {
  for_each = toset(var.managed_policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
