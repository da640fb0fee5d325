# the database
resource "aws_db_instance" "main" {
  engine = "postgres"
}
