environment  = "staging"
app_replicas = 1
