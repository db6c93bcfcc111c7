variable "prefix" {
  description = "Repository names are PREFIX/NAME."
  type        = string
}

variable "repositories" {
  description = "Image names (api, worker)."
  type        = list(string)
}

variable "github_repository" {
  description = "owner/name whose workflow may push (empty: no push role)."
  type        = string
}

variable "force_delete" {
  description = "Let `terraform destroy` delete repositories that still hold images."
  type        = bool
}
