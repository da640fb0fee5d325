resource "terraform_data" "net" {
  input = "a"
}

module "db" {
  source = "./modules/db"
}

data "terraform_remote_state" "x" {
  backend = "local"
}
