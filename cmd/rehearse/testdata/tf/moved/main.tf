# The state every variant is planned against.
resource "terraform_data" "db" {
  input            = "v1"
  triggers_replace = ["engine-mysql"]
}

resource "terraform_data" "cache" {
  input            = "v1"
  triggers_replace = ["size-small"]
  lifecycle {
    create_before_destroy = true
  }
}

resource "terraform_data" "app" {
  input = terraform_data.db.output
}

resource "terraform_data" "old" {
  input = "v1"
}

resource "terraform_data" "legacy_v2" {
  input = "v1"
}

resource "terraform_data" "volume" {
  input = "v1"
}

moved {
  from = terraform_data.legacy
  to   = terraform_data.legacy_v2
}
