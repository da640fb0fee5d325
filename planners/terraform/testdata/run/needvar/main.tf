variable "region" {
  type = string
}

resource "terraform_data" "x" {
  input = var.region
}
