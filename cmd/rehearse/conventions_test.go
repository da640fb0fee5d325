package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// examplePlan is a bundled plan by absolute path, for tests that change
// directory.
func examplePlan(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "plans", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCLIConventions pins the conventions every command shares: enumerated
// flag values in any case, --color, --output FORMAT=-, and the one-report
// rule for stdout. No terraform, no Docker.
func TestCLIConventions(t *testing.T) {
	pass, block := examplePlan(t, "tag-only-update.json"), examplePlan(t, "env-recreate-minor-fix.json")
	const esc = "\x1b["
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		out     []string // substrings of stdout
		notOut  []string
		errHas  string // substring of stderr
		errNot  string
		outJSON bool // stdout is one JSON document
	}{
		{name: "format in capitals", args: []string{"plan", "--format", "JSON", pass}, code: 0, outJSON: true},
		{name: "fail-on in capitals", args: []string{"plan", "--fail-on", "Block", block}, code: 1},
		{name: "input in capitals", args: []string{"plan", "--input", "Terraform", pass}, code: 0},
		{name: "origin in capitals", args: []string{"plan", "--origin", "AI", "--format", "json", pass}, code: 0, out: []string{`"origin": "ai"`}},
		{name: "bad fail-on", args: []string{"plan", "--fail-on", "sometimes", pass}, code: 2, errHas: "--fail-on"},
		{name: "color always", args: []string{"plan", "--color", "always", block}, code: 1, out: []string{esc}},
		{name: "color ALWAYS beats NO_COLOR", env: map[string]string{"NO_COLOR": "1"}, args: []string{"plan", "--color", "ALWAYS", block}, code: 1, out: []string{esc}},
		{name: "color never", args: []string{"plan", "--color", "never", block}, code: 1, notOut: []string{esc}},
		{name: "color auto off a terminal", args: []string{"plan", block}, code: 1, notOut: []string{esc}},
		{name: "color bogus", args: []string{"plan", "--color", "rainbow", pass}, code: 2, errHas: "--color must be auto, always or never"},
		{name: "output json to stdout", args: []string{"plan", "--output", "json=-", pass}, code: 0, outJSON: true},
		{name: "output SARIF to stdout", args: []string{"plan", "--output", "SARIF=-", pass}, code: 0, out: []string{`"$schema"`}},
		{name: "stdout twice", args: []string{"plan", "--output", "json=-", "--output", "sarif=-", pass}, code: 2, errHas: "standard output takes one report"},
		{name: "stdout beside --format", args: []string{"plan", "--format", "markdown", "--output", "json=-", pass}, code: 2, errHas: "standard output takes one report"},
		{name: "plan from stdin", args: []string{"plan", "--format", "json", "-"}, code: 0, outJSON: true},
		{name: "report names the built-in policy", args: []string{"plan", "--format", "json", pass}, code: 0, out: []string{`"policy": "built-in"`}},
	}
	stdinPlan, err := os.ReadFile(pass)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "")
			os.Unsetenv("NO_COLOR")
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			code, out, errw := runCLI(t, string(stdinPlan), tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstderr: %s", code, tt.code, errw)
			}
			for _, s := range tt.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout has no %q:\n%.600s", s, out)
				}
			}
			for _, s := range tt.notOut {
				if strings.Contains(out, s) {
					t.Errorf("stdout has %q", s)
				}
			}
			if tt.errHas != "" && !strings.Contains(errw, tt.errHas) {
				t.Errorf("stderr has no %q: %s", tt.errHas, errw)
			}
			if tt.outJSON && !json.Valid([]byte(out)) {
				t.Errorf("stdout is not one JSON document:\n%.300s", out)
			}
		})
	}
}

// TestOutputFiles checks report files are created 0644 whatever the
// umask of the temporary file, and that a file that cannot be written is
// named in the error, never the temporary file beside it.
func TestOutputFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.json")
	code, _, errw := runCLI(t, "", "plan", "--output", "json="+file, examplePlan(t, "tag-only-update.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".rehearse-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	missing := filepath.Join(dir, "no-such-dir", "r.json")
	code, _, errw = runCLI(t, "", "plan", "--output", "json="+missing, examplePlan(t, "tag-only-update.json"))
	if code != 2 || !strings.Contains(errw, missing) || strings.Contains(errw, ".rehearse-") {
		t.Errorf("exit %d, stderr %q: want exit 2 naming %s and no temporary file", code, errw, missing)
	}
	// A directory in the way: the rename fails.
	must(t, os.Mkdir(filepath.Join(dir, "taken"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "taken", "x"), nil, 0o644))
	code, _, errw = runCLI(t, "", "plan", "--output", "json="+filepath.Join(dir, "taken"), examplePlan(t, "tag-only-update.json"))
	if code != 2 || strings.Contains(errw, ".rehearse-") {
		t.Errorf("exit %d, stderr %q: want exit 2 without the temporary file's name", code, errw)
	}
}

func TestUserError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("infra: %w", context.Canceled), "infra: interrupted"},
		{fmt.Errorf("terraform plan: %w", context.DeadlineExceeded), "terraform plan: timed out (--timeout)"},
		{errors.New("plan.json: line 3: unexpected end"), "plan.json: line 3: unexpected end"},
	}
	for _, tt := range tests {
		if got := userError(tt.err).Error(); got != tt.want {
			t.Errorf("userError(%q) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestCompletion checks shell completion offers the values of --format,
// --fail-on and --color, per command.
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "plan", "--format", ""}, []string{"text", "json", "markdown", "sarif", "junit"}},
		{[]string{"__complete", "plan", "--fail-on", ""}, []string{"block", "warn"}},
		{[]string{"__complete", "sandbox", "run", "--fail-on", ""}, []string{"block", "warn"}},
		{[]string{"__complete", "regress", "--format", ""}, []string{"text", "json"}},
		{[]string{"__complete", "plan", "--color", ""}, []string{"auto", "always", "never"}},
		{[]string{"__complete", "approve", "--origin", ""}, []string{"human", "ai", "auto"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			code, out, errw := runCLI(t, "", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errw)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
				if !strings.HasPrefix(l, ":") {
					got = append(got, l)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
