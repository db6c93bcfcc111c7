# Managed node groups, one per AZ, each in that AZ's private subnet. One group per AZ rather than one spanning
# three: the EBS volumes of Kafka and Postgres are zonal, and Cluster Autoscaler can only add a node in the right
# zone when the zone is a property of the group (--balance-similar-node-groups keeps the groups even). EKS tags
# each group's Auto Scaling group for the autoscaler's auto-discovery and creates the nodes' access entries.
data "aws_partition" "current" {}

data "aws_iam_policy_document" "node_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "node" {
  name               = "${var.cluster_name}-node"
  assume_role_policy = data.aws_iam_policy_document.node_trust.json
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/${each.value}"
}

resource "aws_launch_template" "node" {
  name_prefix = "${var.cluster_name}-node-"

  # IMDSv2 only, one hop: pods cannot borrow the node role (they get their own through IRSA).
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.disk_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  lifecycle {
    # None are set here (EKS tags the instances with their node group); the AWS API emulator of
    # `make test-infra` reports the template's own tags back as a tag specification.
    ignore_changes = [tag_specifications]
  }
}

resource "aws_eks_node_group" "this" {
  for_each = var.subnet_ids_by_az

  cluster_name    = var.cluster_name
  node_group_name = "${var.group_name_prefix}-${each.key}"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = [each.value]
  ami_type        = var.ami_type
  capacity_type   = "ON_DEMAND"
  instance_types  = var.instance_types
  labels          = var.labels

  scaling_config {
    min_size     = var.size.min
    desired_size = var.size.desired
    max_size     = var.size.max
  }

  launch_template {
    id      = aws_launch_template.node.id
    version = aws_launch_template.node.latest_version
  }

  # Updates replace one node at a time (the EKS default, so no update_config block): with Kafka, Postgres and the
  # PodDisruptionBudgets in apps/, one node down at a time is what the workloads are sized for.
  lifecycle {
    # Cluster Autoscaler owns the desired size once the group exists. remote_access is never set (no SSH);
    # the AWS API emulator of `make test-infra` reports it back as an empty block.
    ignore_changes = [scaling_config[0].desired_size, remote_access]
  }

  depends_on = [aws_iam_role_policy_attachment.node]
}
