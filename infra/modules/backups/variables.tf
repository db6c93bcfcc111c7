variable "name" {
  description = "Prefix of the key alias."
  type        = string
}

variable "buckets" {
  description = "key => bucket name."
  type        = map(string)
}

variable "noncurrent_days" {
  description = "Days an overwritten or deleted object stays recoverable before lifecycle removes it."
  type        = number
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete non-empty buckets (false: backups outlive a mistaken destroy)."
  type        = bool
}
