package scenarios_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
	"github.com/rehearse-dev/rehearse/scenarios"
)

// TestParseErrors pins the messages of broken scenario files in
// testdata/scenario_errors.golden: the file, the line and the key as the
// file spells it; every decoding problem of the file at once.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in string }{
		{"empty", ""},
		{"syntax", "apiVersion: rehearse/v1\nkind: [Scenario\n"},
		{"root list", "- apiVersion: rehearse/v1\n"},
		{"unknown key", strings.Replace(good, "summary:", "sumary:", 1)},
		{"unknown nested key", strings.Replace(good, "{plan: plan.json}", "{plans: plan.json}", 1)},
		{"terraform a word", strings.Replace(good, "{plan: plan.json}", "plan.json", 1)},
		{"findings a mapping", strings.Replace(good, "    - {address: aws_ebs_volume.data, action: delete, rule: likely-rename}", "    address: aws_ebs_volume.data", 1)},
		{"finding key typo", strings.Replace(good, "rule: likely-rename", "rules: likely-rename", 1)},
		{"duplicate key", good + "name: other\n"},
		{"several at once", strings.Replace(strings.Replace(good, "summary:", "sumary:", 1), "rule: likely-rename", "rule: [a]", 1)},
		{"second document", good + "---\n" + good},
		{"missing plan", strings.Replace(good, "plan.json", "gone.json", 1)},
		{"bad decision", strings.Replace(good, "decision: warn", "decision: blok", 1)},
		{"finding without action", strings.Replace(good, ", action: delete", "", 1)},
		{"every validation problem", "apiVersion: rehearse/v2\nkind: Scenario\nname: Bad Name\nsummary: ''\norigin: robot\nterraform: {plan: gone.json}\npolicy: nopolicy.yaml\nexpect:\n  decision: warn\n  findings:\n    - {address: a.b}\n    - {action: delete}\n"},
	}
	dir := t.TempDir()
	b, err := os.ReadFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "scenario.yaml")
	var out bytes.Buffer
	for _, c := range cases {
		_, err := scenarios.Parse(file, []byte(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		fmt.Fprintf(&out, "## %s\n%s\n\n", c.name, strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""))
	}
	golden.Check(t, "testdata/scenario_errors.golden", out.Bytes())
}

// FuzzParse: whatever the file, Parse does not panic, and a refusal names
// the file on every line.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Scenario\ncontainers: env.yaml\nexpect: {decision: pass}\n"))
	dir := f.TempDir()
	file := filepath.Join(dir, "scenario.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := scenarios.Parse(file, data)
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, file+": ") {
				t.Fatalf("a line without the file: %q", line)
			}
		}
	})
}
