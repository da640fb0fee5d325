# recorded: terragrunt run-all plan -out=tfplan, then terragrunt show -json tfplan > plan.json in each unit
