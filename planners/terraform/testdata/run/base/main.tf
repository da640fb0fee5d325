# The state every runner test starts from: applied once, then changed.
resource "terraform_data" "keep" {
  input = "unchanged"
}

resource "terraform_data" "db" {
  triggers_replace = ["engine-15"]
}

resource "terraform_data" "gone" {
  input = "to be deleted"
}

resource "terraform_data" "old_name" {
  input = "to be moved"
}
