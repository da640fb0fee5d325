package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ways a destroy of production got PASS or WARN, exit 0, end to end:
// each now blocks (exit 1) or cannot be judged (exit 2), never passes.
func TestBypassesNeverPass(t *testing.T) {
	rc := func(changes ...string) string {
		return `{"format_version":"1.2","resource_changes":[` + strings.Join(changes, ",") + `]}`
	}
	db := func(change string) string {
		return `{"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main","change":` + change + `}`
	}
	tests := []struct {
		name, plan string
		args       []string
		code       int
	}{
		{"new tags unknown", rc(`{"address":"aws_db_instance.main","type":"aws_db_instance","change":{"actions":["delete","create"],"before":{"tags":{"env":"prod"}},"after":{"engine":"mysql"},"after_unknown":{"tags":true}}}`), nil, 1},
		{"new tags say staging", rc(db(`{"actions":["delete","create"],"before":{"tags":{"env":"prod"}},"after":{"tags":{"env":"staging"}},"replace_paths":[["engine"]]}`)), nil, 1},
		{"new tags dropped", rc(db(`{"actions":["create","delete"],"before":{"tags":{"env":"prod"}},"after":{},"replace_paths":[["tags"]]}`)), nil, 1},
		{"spurious but protected", rc(db(`{"actions":["delete","create"],"before":{"id":"a","tags":{"env":"prod"}},"after":{"tags":{"env":"prod"}},"after_unknown":{"id":true},"replace_paths":[["id"]]}`)), nil, 1},
		{"env as a token", rc(db(`{"actions":["delete"],"before":{"tags":{"Environment":"prod-eu-west-1"}}}`)), nil, 1},
		{"env in an instance key", rc(`{"address":"module.env[\"production\"].aws_s3_bucket.logs","module_address":"module.env[\"production\"]","mode":"managed","type":"aws_s3_bucket","name":"logs","change":{"actions":["delete"],"before":{}}}`), nil, 1},
		{"tag keys differing in case", rc(db(`{"actions":["delete"],"before":{"tags":{"env":"dev","ENV":"prod"}}}`)), nil, 1},
		{"duplicate actions", rc(db(`{"actions":["delete"],"before":{"tags":{"env":"prod"}},"actions":["no-op"]}`)), nil, 2},
		{"Errored in another case", `{"format_version":"1.2","Errored":true,"resource_changes":[]}`, nil, 2},
		{"unknown mode", rc(`{"address":"aws_db_instance.main","mode":"resource","type":"aws_db_instance","name":"main","change":{"actions":["delete"],"before":{"tags":{"env":"prod"}}}}`), nil, 2},
		{"format that never existed", `{"format_version":"0.5","resource_changes":[]}`, nil, 2},
		{"nested too deep", `{"format_version":"1.2","resource_changes":[],"planned_values":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, nil, 2},
		{"errored plan", `{"format_version":"1.2","errored":true,"resource_changes":[]}`, nil, 2},
		{"action invocation warns", `{"format_version":"1.2","resource_changes":[],"action_invocations":[{"address":"action.aws_lambda_invoke.x","type":"aws_lambda_invoke","name":"x","invoke_action_trigger":{}}]}`, []string{"--fail-on", "warn"}, 1},
		{"incomplete plan warns", `{"format_version":"1.2","complete":false,"resource_changes":[]}`, []string{"--fail-on", "warn"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "plan.json")
			if err := os.WriteFile(file, []byte(tt.plan), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "", append(append([]string{"plan"}, tt.args...), file)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if tt.code == 2 && (strings.Count(strings.TrimSpace(errOut), "\n") > 0 || !strings.Contains(errOut, "plan.json")) {
				t.Errorf("want one line naming the file, got %q", errOut)
			}
		})
	}
}
