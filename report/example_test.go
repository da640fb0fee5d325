package report_test

import (
	"os"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Render writes a verdict in one of the formats; text has the summary
// line first.
func ExampleRender() {
	set := change.Set{Source: change.Source{Kind: change.Planned, Tool: "terraform", File: "plan.json"}, Managed: 1, Resources: []change.Resource{{
		Address: "aws_s3_bucket.logs", Type: "aws_s3_bucket", Name: "logs", Mode: change.Managed,
		Action: change.Update, Changes: []change.AttrChange{{Path: "tags.team", Before: "a", After: "b"}},
	}}}
	v := verdict.Evaluate(set, verdict.DefaultPolicy(), verdict.Options{})
	_ = report.Render(os.Stdout, report.Text, &v, report.Options{MaxItems: 1})
	// Output:
	// PASS   no destructive changes · 1 of 1 managed resources affected (100.0%)
	// origin: human (default) · source: plan.json, terraform, planned · fingerprint: sha256:155f632288397349a00b0e65428030d694ca864e04f500bd2875ac9ad22332cd
	//
	// PASS (1 listed)
	//   ~  aws_s3_bucket.logs  update  changes tags.team
	//
	// blast radius: update 1
}
