package scenarios_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/scenarios"
)

// secrets appear in testdata/secrets-plan.json: marked sensitive in
// before, after, prior state, planned values, a variable and an output;
// unmarked under secret-sounding names; and inside a connection string.
var secrets = []string{
	"Rep0rts-Adm1n-Pa55!",                     // before_sensitive, prior_state sensitive_values
	"N3w-Adm1n-Pa55word",                      // after_sensitive, planned_values
	"tf-var-db-password-123",                  // sensitive variable
	"ghp_unmarkedTokenValue1",                 // unmarked, attribute named token
	"-----BEGIN PRIVATE KEY-----MIIEunmarked", // unmarked private_key
	"output-secret-value-42",                  // sensitive output
}

func TestRecordRoundTrip(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	var first map[string][]byte
	for _, out := range []string{"a", "b"} {
		rec, err := scenarios.Record(context.Background(), scenarios.RecordOptions{
			Name: "secrets", Out: filepath.Join(root, out), Plan: "testdata/secrets-plan.json",
			Summary: "a database server deleted", Origin: "ai", Policy: "testdata/policy.yaml",
		})
		if err != nil {
			t.Fatal(err)
		}
		if rec.Verdict.Decision != "block" {
			t.Errorf("decision %s", rec.Verdict.Decision)
		}
		files := readDir(t, filepath.Join(root, out))
		if first == nil {
			first = files
		} else {
			for name, b := range files {
				if !bytes.Equal(b, first[name]) {
					t.Errorf("%s differs between two recordings of the same input", name)
				}
			}
		}
		// Redaction: no sensitive value in any recorded file.
		for name, b := range files {
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s/%s contains the secret %q", out, name, s)
				}
			}
		}
		if !bytes.Contains(files["plan.json"], []byte(scenarios.Redacted)) {
			t.Error("plan.json holds no redaction marker")
		}
		// Round trip: the recorded scenario replays to its expectation.
		s, err := scenarios.Load(filepath.Join(root, out))
		if err != nil {
			t.Fatal(err)
		}
		if r := scenarios.Replay(context.Background(), s, scenarios.Options{}); r.Status != scenarios.OK {
			t.Errorf("replay of the recording: %s %s %v", r.Status, r.Reason, r.Diff)
		}
	}
	if _, ok := first["policy.yaml"]; !ok {
		t.Error("policy not recorded")
	}
	// The input itself does hold the secrets, or the test proves nothing.
	in, _ := os.ReadFile("testdata/secrets-plan.json")
	for _, s := range secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Errorf("test input lacks %q", s)
		}
	}
}

func TestRecordRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		o    scenarios.RecordOptions
		want string
	}{
		{"no input", scenarios.RecordOptions{Name: "x", Out: dir + "/x"}, "nothing to record"},
		{"bad name", scenarios.RecordOptions{Name: "X Y", Plan: plan}, "--name"},
		{"plan and dir", scenarios.RecordOptions{Name: "x", Plan: plan, Dir: "."}, "not both"},
		{"not a plan", scenarios.RecordOptions{Name: "x", Out: dir + "/y", Plan: "testdata/policy.yaml"}, "policy.yaml"},
		{"existing folder", scenarios.RecordOptions{Name: "x", Out: "testdata", Plan: plan}, "not empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenarios.Record(context.Background(), tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Record = %v, want %q", err, tt.want)
			}
		})
	}
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
