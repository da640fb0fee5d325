package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validPolicy = "apiVersion: rehearse/v1\nkind: Policy\ntypes:\n  data_bearing: [aws_s3_bucket]\n"

// layout writes files (path → content; a path ending in / is a directory)
// under a new directory and returns it.
func layout(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if strings.HasSuffix(p, "/") {
			must(t, os.MkdirAll(full, 0o755))
			continue
		}
		must(t, os.MkdirAll(filepath.Dir(full), 0o755))
		must(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return root
}

// TestFindPolicy walks the places a policy is found without --policy, in
// order, and the one ambiguity that is an error.
func TestFindPolicy(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		cwd     string // relative to the layout
		env     string // $REHEARSE_POLICY, relative to the layout
		want    string // relative to cwd, "" for none
		by      string
		wantErr string
	}{
		{name: "none", files: map[string]string{".git/": ""}, cwd: ".", want: ""},
		{name: "working directory", files: map[string]string{"rehearse.yaml": validPolicy}, cwd: ".", want: "rehearse.yaml", by: "found in the working directory"},
		{name: "dot rehearse", files: map[string]string{".rehearse/policy.yaml": validPolicy}, cwd: ".", want: filepath.Join(".rehearse", "policy.yaml"), by: "found in the working directory"},
		{name: "both is an error", files: map[string]string{"rehearse.yaml": validPolicy, ".rehearse/policy.yaml": validPolicy}, cwd: ".", wantErr: "both rehearse.yaml and .rehearse/policy.yaml exist"},
		{name: "repository root", files: map[string]string{".git/": "", "rehearse.yaml": validPolicy, "infra/prod/main.tf": ""}, cwd: "infra/prod", want: filepath.Join("..", "..", "rehearse.yaml"), by: "found at the repository root"},
		{name: "nearest wins", files: map[string]string{".git/": "", "rehearse.yaml": validPolicy, "infra/.rehearse/policy.yaml": validPolicy, "infra/prod/main.tf": ""}, cwd: "infra/prod", want: filepath.Join("..", ".rehearse", "policy.yaml"), by: "found above the working directory"},
		{name: "worktree .git file", files: map[string]string{".git": "gitdir: elsewhere\n", "rehearse.yaml": validPolicy, "a/": ""}, cwd: "a", want: filepath.Join("..", "rehearse.yaml"), by: "found at the repository root"},
		{name: "outside a repository only the working directory", files: map[string]string{"rehearse.yaml": validPolicy, "a/": ""}, cwd: "a", want: ""},
		{name: "not above the repository root", files: map[string]string{"rehearse.yaml": validPolicy, "repo/.git/": "", "repo/a/": ""}, cwd: "repo/a", want: ""},
		{name: "environment first", files: map[string]string{"rehearse.yaml": validPolicy, "other.yaml": validPolicy}, cwd: ".", env: "other.yaml", want: "other.yaml", by: "from REHEARSE_POLICY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := layout(t, tt.files)
			t.Chdir(filepath.Join(root, filepath.FromSlash(tt.cwd)))
			t.Setenv("REHEARSE_POLICY", "")
			if tt.env != "" {
				t.Setenv("REHEARSE_POLICY", filepath.Join(root, tt.env))
			}
			got, by, err := findPolicy()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := tt.want
			if tt.env != "" {
				want = filepath.Join(root, tt.want)
			}
			if got != want || by != tt.by {
				t.Errorf("findPolicy() = %q, %q; want %q, %q", got, by, want, tt.by)
			}
		})
	}
}

// TestPolicyDiscoveredInPlan checks rehearse plan reads a policy it found,
// says so, names it in the report, and that it counts: a found policy that
// weakens the built-in one blocks a plan that passes without it.
func TestPolicyDiscoveredInPlan(t *testing.T) {
	pass := examplePlan(t, "tag-only-update.json")
	weak := "apiVersion: rehearse/v1\nkind: Policy\nenvironments:\n  protected: []\n"
	root := layout(t, map[string]string{".git/": "", "rehearse.yaml": weak, "infra/": ""})
	t.Chdir(filepath.Join(root, "infra"))
	t.Setenv("REHEARSE_POLICY", "")
	code, out, errw := runCLI(t, "", "plan", "--format", "json", pass)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the found policy weakens the built-in one)\nstderr: %s", code, errw)
	}
	for _, want := range []string{
		`"policy": "../rehearse.yaml over built-in"`,
		`policy ../rehearse.yaml (found at the repository root; --policy names another)`,
		`"rule": "policy-weakened"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report has no %s", want)
		}
	}
	// --policy wins over what would be found.
	other := filepath.Join(root, "strict.yaml")
	must(t, os.WriteFile(other, []byte(validPolicy), 0o644))
	code, out, errw = runCLI(t, "", "plan", "--format", "json", "--policy", other, pass)
	if code != 0 || !strings.Contains(out, `"policy": "`+other+` over built-in"`) {
		t.Errorf("with --policy: exit %d, stderr %s", code, errw)
	}
}

// TestPolicyCheck covers rehearse policy check: a file, stdin, the file
// plan would find, and an invalid file with every problem and the nearest
// key.
func TestPolicyCheck(t *testing.T) {
	root := layout(t, map[string]string{
		".git/":         "",
		"good.yaml":     validPolicy,
		"typo.yaml":     "apiVersion: rehearse/v1\nkind: Policy\nenvironments:\n  protectd: [prod]\nthreshold: {}\n",
		"rehearse.yaml": validPolicy,
	})
	t.Chdir(root)
	t.Setenv("REHEARSE_POLICY", "")
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		out      string
		errLines []string
	}{
		{name: "file", args: []string{"good.yaml"}, code: 0, out: "good.yaml: ok\n"},
		{name: "stdin", stdin: validPolicy, args: []string{"-"}, code: 0, out: "<stdin>: ok\n"},
		{name: "found", args: nil, code: 0, out: "rehearse.yaml: ok\n"},
		{name: "missing", args: []string{"nope.yaml"}, code: 2, errLines: []string{"rehearse: policy: open nope.yaml: no such file or directory"}},
		{name: "unknown keys", args: []string{"typo.yaml"}, code: 2, errLines: []string{
			"rehearse: typo.yaml: line 4: environments.protectd: unknown key; did you mean protected?",
			"rehearse: typo.yaml: line 5: threshold: unknown key; did you mean thresholds?",
		}},
		{name: "empty stdin", stdin: "", args: []string{"-"}, code: 2, errLines: []string{"rehearse: <stdin>: line 1: the file is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errw := runCLI(t, tt.stdin, append([]string{"policy", "check"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout %q\nstderr %q", code, tt.code, out, errw)
			}
			if out != tt.out {
				t.Errorf("stdout %q, want %q", out, tt.out)
			}
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(errw), "\n") {
				if l != "" && !strings.HasPrefix(l, "checking ") {
					lines = append(lines, l)
				}
			}
			if strings.Join(lines, "\n") != strings.Join(tt.errLines, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tt.errLines, "\n"))
			}
		})
	}
	// Outside any policy: the built-in one, said so, exit 0.
	t.Chdir(t.TempDir())
	code, out, _ := runCLI(t, "", "policy", "check")
	if code != 0 || !strings.Contains(out, "the built-in policy applies") {
		t.Errorf("no policy: exit %d, %q", code, out)
	}
}
