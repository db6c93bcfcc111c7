# What the fuzzing fleet's NetworkPolicy may name (apps/fuzz): the pods upload to S3 and fetch IRSA credentials
# from STS, and nothing else. A NetworkPolicy can only admit CIDRs, so both get addresses here.
#
# S3: the gateway endpoint (main.tf) routes the region's S3 ranges, AWS's managed prefix list, through the VPC;
# its entries are the CIDRs. AWS adds ranges to the list now and then: a re-apply refreshes the output.
data "aws_ec2_managed_prefix_list" "s3" {
  name = "com.amazonaws.${var.region}.s3"
}

# STS: an interface endpoint in the private subnets. Private DNS stays off, so the regional name keeps resolving
# to the public endpoint for everyone else (pgBackRest's NetworkPolicy admits public addresses only); the fleet
# is given the endpoint's own URL (AWS_ENDPOINT_URL_STS) and its NetworkPolicy admits the endpoint's addresses.
resource "aws_security_group" "sts_endpoint" {
  name_prefix = "${var.name}-sts-endpoint-"
  description = "HTTPS from the VPC to the STS interface endpoint"
  vpc_id      = aws_vpc.this.id

  ingress {
    description = "HTTPS from the VPC: AssumeRoleWithWebIdentity of the fuzzing pods"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }

  tags = { Name = "${var.name}-sts-endpoint" }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id              = aws_vpc.this.id
  service_name        = "com.amazonaws.${var.region}.sts"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [for az in var.azs : aws_subnet.private[az].id]
  security_group_ids  = [aws_security_group.sts_endpoint.id]
  private_dns_enabled = false

  tags = { Name = "${var.name}-sts" }
}

# One network interface per subnet, whose private address is fixed for the endpoint's life.
data "aws_network_interface" "sts_endpoint" {
  count = length(var.azs)
  id    = sort(tolist(aws_vpc_endpoint.sts.network_interface_ids))[count.index]
}
