output "vpc_id" {
  description = "VPC ID."
  value       = aws_vpc.this.id
}

output "azs" {
  description = "The AZs, in order."
  value       = var.azs
}

output "public_subnet_ids" {
  description = "Public subnets, in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "Private subnets (nodes, pods), in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.private[az].id]
}

output "private_subnet_ids_by_az" {
  description = "Private subnet of each AZ."
  value       = { for az in var.azs : az => aws_subnet.private[az].id }
}

output "intra_subnet_ids" {
  description = "Intra subnets (EKS control-plane ENIs), in the order of var.azs."
  value       = [for az in var.azs : aws_subnet.intra[az].id]
}

output "nat_gateway_count" {
  description = "How many NAT gateways serve the private subnets."
  value       = length(aws_nat_gateway.this)
}

output "private_subnets" {
  description = "AZ => what makes the subnet private: its CIDR, whether instances get public IPs, and where its default route leads (a NAT gateway, never the internet gateway)."
  value = {
    for az in var.azs : az => {
      id                      = aws_subnet.private[az].id
      cidr                    = aws_subnet.private[az].cidr_block
      map_public_ip_on_launch = aws_subnet.private[az].map_public_ip_on_launch
      default_route_nat       = aws_route.private_nat[az].nat_gateway_id
      default_route_gateway   = aws_route.private_nat[az].gateway_id
    }
  }
}

output "internet_gateway_id" {
  description = "The VPC's internet gateway (only the public route table uses it)."
  value       = aws_internet_gateway.this.id
}

output "s3_cidrs" {
  description = "The region's S3 ranges (AWS managed prefix list com.amazonaws.REGION.s3), routed by the gateway endpoint."
  value       = sort([for entry in data.aws_ec2_managed_prefix_list.s3.entries : entry.cidr])
}

output "sts_endpoint_cidrs" {
  description = "The STS interface endpoint's addresses, one /32 per subnet."
  value       = sort([for eni in data.aws_network_interface.sts_endpoint : "${eni.private_ip}/32"])
}

output "sts_endpoint_url" {
  description = "The STS interface endpoint's regional URL (private DNS is off: clients are told this URL)."
  value       = "https://${aws_vpc_endpoint.sts.dns_entry[0].dns_name}"
}
