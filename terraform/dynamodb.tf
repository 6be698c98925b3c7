# Customer records: triage enriches each ticket with the item whose customer_id matches
# (GetItem). Seed it with `npm run seed:dynamodb -- --table <table_name>`.
resource "aws_dynamodb_table" "customers" {
  name         = var.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "customer_id"

  attribute {
    name = "customer_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }
}
