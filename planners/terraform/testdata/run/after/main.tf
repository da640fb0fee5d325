# base changed: db is replaced, gone is deleted, old_name is moved.
variable "engine" {
  type    = string
  default = "engine-16"
}

resource "terraform_data" "keep" {
  input = "unchanged"
}

resource "terraform_data" "db" {
  triggers_replace = [var.engine]
}

resource "terraform_data" "new_name" {
  input = "to be moved"
}

moved {
  from = terraform_data.old_name
  to   = terraform_data.new_name
}
