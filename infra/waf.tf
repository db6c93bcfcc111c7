# Optional AWS WAF in front of the api's ALB (var.enable_waf): the AWS managed rule groups for common web exploits,
# known bad inputs and addresses with a bad reputation, then a per-address rate limit. The ALB is the Load Balancer
# Controller's, so the web ACL is attached from the Ingress (alb.ingress.kubernetes.io/wafv2-acl-arn), which
# apps/deploy_apps.sh sets from the output waf_web_acl_arn. Blocked requests are logged to CloudWatch (aws-waf-logs-*,
# the prefix WAF requires), encrypted with the platform key.
locals {
  waf_managed_rule_groups = {
    AWSManagedRulesCommonRuleSet          = 10
    AWSManagedRulesKnownBadInputsRuleSet  = 20
    AWSManagedRulesAmazonIpReputationList = 30
  }
}

resource "aws_wafv2_web_acl" "api" {
  count       = var.enable_waf ? 1 : 0
  name        = "${var.name}-api"
  description = "ReplicaSafe events API: AWS managed rules and a per-address rate limit"
  scope       = "REGIONAL"

  default_action {
    allow {}
  }

  dynamic "rule" {
    for_each = local.waf_managed_rule_groups
    content {
      name     = rule.key
      priority = rule.value

      override_action {
        none {}
      }

      statement {
        managed_rule_group_statement {
          name        = rule.key
          vendor_name = "AWS"
        }
      }

      visibility_config {
        cloudwatch_metrics_enabled = true
        metric_name                = "${var.name}-api-${rule.key}"
        sampled_requests_enabled   = true
      }
    }
  }

  rule {
    name     = "rate-per-address"
    priority = 100

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit_per_5_minutes
        aggregate_key_type = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "${var.name}-api-rate-per-address"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "${var.name}-api"
    sampled_requests_enabled   = true
  }
}

resource "aws_cloudwatch_log_group" "waf" {
  # checkov:skip=CKV_AWS_338:Retention is var.waf_log_retention_days (30 by default): blocked requests serve incident follow-up
  count             = var.enable_waf ? 1 : 0
  name              = "aws-waf-logs-${var.name}-api"
  retention_in_days = var.waf_log_retention_days
  kms_key_id        = aws_kms_key.platform.arn
}

resource "aws_wafv2_web_acl_logging_configuration" "api" {
  count                   = var.enable_waf ? 1 : 0
  resource_arn            = aws_wafv2_web_acl.api[0].arn
  log_destination_configs = [aws_cloudwatch_log_group.waf[0].arn]

  # Blocked requests only: allowed ones are the api's own access pattern and would cost without telling much.
  logging_filter {
    default_behavior = "DROP"

    filter {
      behavior    = "KEEP"
      requirement = "MEETS_ANY"

      condition {
        action_condition {
          action = "BLOCK"
        }
      }
    }
  }
}
