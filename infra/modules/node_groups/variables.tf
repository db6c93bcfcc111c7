variable "cluster_name" {
  description = "EKS cluster the groups join."
  type        = string
}

variable "group_name_prefix" {
  description = "Node group names are PREFIX-AZ."
  type        = string
}

variable "subnet_ids_by_az" {
  description = "AZ => private subnet: one node group each."
  type        = map(string)
}

variable "instance_types" {
  description = "Instance types (the same in every AZ so the autoscaler can balance the groups)."
  type        = list(string)
}

variable "ami_type" {
  description = "EKS AMI type."
  type        = string
}

variable "size" {
  description = "Size of each group."
  type = object({
    min     = number
    desired = number
    max     = number
  })
}

variable "disk_size_gb" {
  description = "Root volume size (gp3, encrypted)."
  type        = number
}

variable "labels" {
  description = "Kubernetes labels of the nodes."
  type        = map(string)
}
