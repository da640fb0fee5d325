resource "terraform_data" "broken" {
  input = "missing the closing brace"
