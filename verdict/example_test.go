package verdict_test

import (
	"fmt"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Evaluate judges a change under a policy: a replaced database in a
// protected environment blocks.
func ExampleEvaluate() {
	set := change.Set{Managed: 3, Resources: []change.Resource{{
		Address: "aws_db_instance.main", Type: "aws_db_instance", Name: "main", Mode: change.Managed,
		Action: change.Replace, ReplaceOrder: change.DeleteThenCreate,
		Labels: map[string]string{"env": "prod-eu-west-1"},
	}}}
	v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{})
	f := v.Findings[0]
	fmt.Println(v.Decision, f.Rule, f.Environment, f.EnvironmentSource)
	// Output:
	// block protected-destroy prod-eu-west-1 tag env=prod-eu-west-1
}
