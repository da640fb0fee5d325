package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository's policy comes with the change: read over the base, it
// may add protection, and whatever it weakens blocks.
func TestBasePolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	head := "apiVersion: rehearse/v1\nkind: Policy\n"
	plan := write("plan.json", `{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main","change":{"actions":["delete"],"before":{"tags":{"env":"staging"}}}}]}`)
	nothing := write("nothing.yaml", head+"environments: {protected: []}\n")
	stricter := write("stricter.yaml", head+"environments: {protected: [prod, production, prd, live, staging]}\n")
	base := write("base.yaml", head+"environments: {protected: [prod, production, prd, live, staging]}\n")
	tests := []struct {
		name string
		args []string
		env  string
		code int
		want string
	}{
		{"repository policy protects nothing", []string{"--policy", nothing}, "", 1, `environments.protected: \"prod\" removed`},
		{"repository policy protects more", []string{"--policy", stricter}, "", 1, "protected-destroy"},
		{"base protects staging", []string{"--base-policy", base}, "", 1, "protected-destroy"},
		{"repository drops what the base protects", []string{"--base-policy", base, "--policy", nothing}, "", 1, `environments.protected: \"staging\" removed`},
		{"base from the environment", []string{"--policy", nothing}, base, 1, `environments.protected: \"staging\" removed`},
		{"no base, no policy", nil, "", 0, `"decision": "warn"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("REHEARSE_BASE_POLICY", tt.env)
			code, out, errOut := runCLI(t, "", append(append([]string{"plan", "--format", "json"}, tt.args...), plan)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s%s", code, tt.code, tt.want, out, errOut)
			}
			if strings.Contains(tt.name, "protects more") && strings.Contains(out, "policy-weakened") {
				t.Fatalf("strengthening reported as weakening:\n%s", out)
			}
		})
	}
	t.Setenv("REHEARSE_BASE_POLICY", filepath.Join(dir, "missing.yaml"))
	if code, _, errOut := runCLI(t, "", "plan", plan); code != 2 || !strings.Contains(errOut, "REHEARSE_BASE_POLICY") {
		t.Fatalf("a missing base policy: exit %d, %s", code, errOut)
	}
}
