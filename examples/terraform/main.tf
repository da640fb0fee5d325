# A small "environment" built only from terraform's builtin terraform_data
# resource: rehearse can plan it with no cloud account, no credentials and no
# provider download. The resources stand in for a network, a database and an
# application, wired together the way real ones are.

terraform {
  # terraform_data is builtin from terraform 1.4 (and every OpenTofu).
  required_version = ">= 1.4"
}

variable "environment" {
  type        = string
  default     = "prod"
  description = "Environment name; prod is protected by rehearse's default policy."
}

variable "engine_version" {
  type        = string
  default     = "15"
  description = "Database engine version. Changing it replaces the database, as a major engine upgrade does."
}

variable "app_replicas" {
  type    = number
  default = 2
}

resource "terraform_data" "network" {
  input = {
    name = "${var.environment}-network"
    env  = var.environment
    cidr = "10.0.0.0/16"
  }
}

resource "terraform_data" "database" {
  input = {
    name           = "${var.environment}-db"
    env            = var.environment
    engine_version = var.engine_version
    network        = terraform_data.network.output.name
  }

  # Like a cloud database's engine: a new value destroys the old object.
  triggers_replace = [var.engine_version]
}

resource "terraform_data" "app" {
  input = {
    name     = "${var.environment}-app"
    env      = var.environment
    replicas = var.app_replicas
    database = terraform_data.database.id
  }
}

output "database_id" {
  value = terraform_data.database.id
}
