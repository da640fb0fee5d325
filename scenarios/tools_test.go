package scenarios_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/scenarios"
)

// A CloudFormation change set (a file or a nested-stack directory) and a
// Pulumi preview record into scenarios that replay to the same verdict,
// with secret-named values redacted in contexts and inputs.
func TestRecordToolInputs(t *testing.T) {
	t.Parallel()
	cfnSecret := "S3cr3t-Db-Pa55word"
	pulumiSecret := "pulumi-api-token-9f8e7d"
	dir := t.TempDir()
	cs := filepath.Join(dir, "cs.json")
	data, err := os.ReadFile("../examples/cloudformation/changeset.json")
	if err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.ReplaceAll(string(data), "{{resolve:secretsmanager:orders-db:SecretString:password}}", cfnSecret))
	if err := os.WriteFile(cs, data, 0o644); err != nil {
		t.Fatal(err)
	}
	pv := filepath.Join(dir, "preview.json")
	pdata, err := os.ReadFile("../examples/pulumi/preview.json")
	if err != nil {
		t.Fatal(err)
	}
	pdata = []byte(strings.Replace(string(pdata), `"forceDestroy": true,`, `"forceDestroy": true, "apiToken": "`+pulumiSecret+`",`, 1))
	if err := os.WriteFile(pv, pdata, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		opts   scenarios.RecordOptions
		file   string
		secret string
		want   string
	}{
		{"changeset", scenarios.RecordOptions{ChangeSet: cs}, "changeset.json", cfnSecret, "block"},
		{"nested", scenarios.RecordOptions{ChangeSet: "../planners/cloudformation/testdata/nested"}, "changeset/root.json", "", "block"},
		{"preview", scenarios.RecordOptions{Preview: pv}, "preview.json", pulumiSecret, "block"},
		{"stream", scenarios.RecordOptions{Preview: "../planners/pulumi/testdata/webserver-userdata.json"}, "preview.json", "", "warn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Name, o.Out = "rec-"+tt.name, filepath.Join(dir, tt.name)
			rec, err := scenarios.Record(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if string(rec.Verdict.Decision) != tt.want {
				t.Fatalf("decision %s, want %s", rec.Verdict.Decision, tt.want)
			}
			b, err := os.ReadFile(filepath.Join(o.Out, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if tt.secret != "" && strings.Contains(string(b), tt.secret) {
				t.Fatalf("%s keeps the secret", tt.file)
			}
			if tt.secret != "" && !strings.Contains(string(b), scenarios.Redacted) {
				t.Fatalf("%s redacts nothing", tt.file)
			}
			s, err := scenarios.Load(o.Out)
			if err != nil {
				t.Fatal(err)
			}
			if res := scenarios.Replay(context.Background(), s, scenarios.Options{}); res.Status != scenarios.OK {
				t.Fatalf("replay: %s %s %v", res.Status, res.Reason, res.Diff)
			}
		})
	}
}

func TestScenarioToolInputsValidated(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "scenario.yaml")
		os.WriteFile(p, []byte("apiVersion: rehearse/v1\nkind: Scenario\nname: x\nsummary: s\n"+body+"expect:\n  decision: pass\n  findings: []\n"), 0o644)
		return p
	}
	os.WriteFile(filepath.Join(dir, "p.json"), []byte("{}"), 0o644)
	for body, want := range map[string]string{
		"cloudformation:\n  changeset: missing.json\n":                       "cloudformation.changeset",
		"pulumi:\n  preview: missing.json\n":                                 "pulumi.preview",
		"pulumi:\n  preview: p.json\ncloudformation:\n  changeset: p.json\n": "not several",
		"pulumi:\n  preview: p.json\nterraform:\n  plan: p.json\n":           "not several",
		"cloudformation:\n  changeset: p.json\n  stack: x\n":                 "stack",
	} {
		if _, err := scenarios.Load(write(body)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}
