package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/rehearse-dev/rehearse/scenarios"
)

// repoTerraform is the terraform the tests pin (make tools puts 1.5.7 in
// <repo>/bin), or $REHEARSE_TERRAFORM.
func repoTerraform(t *testing.T) string {
	t.Helper()
	if os.Getenv("REHEARSE_SKIP_TERRAFORM") == "1" {
		t.Skip("REHEARSE_SKIP_TERRAFORM=1")
	}
	if p := os.Getenv("REHEARSE_TERRAFORM"); p != "" {
		return p
	}
	bin, err := filepath.Abs("../bin/terraform")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("terraform not found at %s: run make tools (or set REHEARSE_TERRAFORM, or REHEARSE_SKIP_TERRAFORM=1 to skip)", bin)
	}
	return bin
}

// TestReplayTerraformDir replays a scenario recorded as a directory and a
// state snapshot with the real terraform: the snapshot holds a resource
// the configuration no longer has, so the plan deletes it.
func TestReplayTerraformDir(t *testing.T) {
	t.Parallel()
	tf := repoTerraform(t)
	dir := t.TempDir()
	files := map[string]string{
		"main.tf": `resource "terraform_data" "app" {
  input = { env = "staging" }
}
`,
		"state.tfstate": `{"version":4,"terraform_version":"1.5.7","serial":1,"lineage":"7a1e0a6c-0000-4000-8000-000000000001","outputs":{},"resources":[
 {"mode":"managed","type":"terraform_data","name":"old","provider":"provider[\"terraform.io/builtin/terraform\"]",
  "instances":[{"schema_version":0,"attributes":{"id":"0b9c1b4e-0000-4000-8000-000000000002","input":null,"output":null,"triggers_replace":null},"sensitive_attributes":[]}]}]}
`,
		"scenario.yaml": `apiVersion: rehearse/v1
kind: Scenario
name: dir-and-state
summary: a resource left in state, no longer configured, is deleted
terraform: {dir: ., state: state.tfstate}
expect:
  decision: warn
  findings:
    - {address: terraform_data.old, action: delete}
`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := scenarios.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := scenarios.Replay(context.Background(), s, scenarios.Options{Terraform: tf})
	if r.Status != scenarios.OK {
		t.Fatalf("replay: %s %s %v", r.Status, r.Reason, r.Diff)
	}
	// The snapshot is read, never written.
	b, err := os.ReadFile(filepath.Join(dir, "state.tfstate"))
	if err != nil || string(b) != files["state.tfstate"] {
		t.Errorf("state snapshot changed by the replay (err %v)", err)
	}
}
