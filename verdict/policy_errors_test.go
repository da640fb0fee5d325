package verdict

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
)

// TestParsePolicyErrors pins the messages of broken policy files in
// testdata/policy_errors.golden: the file, the line, the key as the file
// spells it, in the user's words, every problem of the file at once.
func TestParsePolicyErrors(t *testing.T) {
	t.Parallel()
	head := "apiVersion: rehearse/v1\nkind: Policy\n"
	cases := []struct{ name, in string }{
		{"empty", ""},
		{"syntax", head + "thresholds:\n  max_destructive: 3\n   x: 1\n"},
		{"unknown key", head + "threshold: {}\n"},
		{"unknown nested key", head + "origin:\n  ai_escalate: true\n"},
		{"number as words", head + "thresholds:\n  max_destructive: three\n"},
		{"share as words", head + "thresholds:\n  max_destructive_share: half\n"},
		{"bool as words", head + "environments:\n  from_module_names: sometimes\n"},
		{"list as a word", head + "environments:\n  protected: prod\n"},
		{"rule not a mapping", head + "environments:\n  rules: [prod]\n"},
		{"duplicate key", head + "environments:\n  protected: [prod]\n  protected: []\n"},
		{"second document", head + "---\n" + head},
		{"several at once", head + "thresholds:\n  max_destructive: three\n  max_destrutive: 1\nenvironments:\n  protected: prod\n"},
		{"wrong kind", "apiVersion: rehearse/v1\nkind: Scenario\n"},
		{"bad share", head + "thresholds: {max_destructive_share: 2}\n"},
		{"bad match", head + "environments:\n  keys: [env]\n  match: fuzzy\n"},
		{"bad rule", head + "environments:\n  rules:\n    - address: 'aws_*'\n      environment: prod\n    - address: 'x'\n"},
		{"bad guard rule", head + "guard:\n  rules:\n    - match: ''\n"},
		{"bad max_age", head + "approvals:\n  max_age: soon\n"},
		{"bad unknown origin", head + "origin:\n  unknown: robot\n"},
	}
	var out bytes.Buffer
	for _, c := range cases {
		_, err := ParsePolicy("rehearse.yaml", []byte(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		fmt.Fprintf(&out, "## %s\n%s\n\n", c.name, err)
	}
	golden.Check(t, "testdata/policy_errors.golden", out.Bytes())
}

// FuzzParsePolicy: whatever the file, ParsePolicy does not panic, and a
// refusal names the file on every line.
func FuzzParsePolicy(f *testing.F) {
	f.Add(DefaultPolicyYAML())
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Policy\nthresholds: {max_destructive: 3}\n"))
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Policy\nguard:\n  rules:\n    - match: ''\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParsePolicy("p.yaml", data)
		if err == nil {
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, "p.yaml: ") {
				t.Fatalf("a line without the file: %q", line)
			}
		}
	})
}
