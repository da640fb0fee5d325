package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// action is the part of action.yml the tests read.
type action struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			Name string            `yaml:"name"`
			ID   string            `yaml:"id"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) action {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a action
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// actionOnly are the Action's inputs that are no flag of rehearse plan:
// plan is its arguments, the others the Action's own.
var actionOnly = []string{"plan", "comment", "github-token"}

// TestActionInputs checks action.yml against the CLI: every input but the
// Action's own is a flag of rehearse plan, its default a value the flag
// takes, and the Rehearse step passes it as that flag, so renaming a flag
// cannot leave an Action that silently drops an input.
func TestActionInputs(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, want := range []string{"plan", "dir", "policy", "base-policy", "approvals", "comment"} {
		if _, ok := a.Inputs[want]; !ok {
			t.Errorf("action.yml has no input %q", want)
		}
	}
	var script string
	for _, s := range a.Runs.Steps {
		if s.ID == "rehearse" {
			script = s.Run
		}
	}
	if !strings.Contains(script, "rehearse plan ") {
		t.Fatal("no step with id rehearse runs rehearse plan")
	}
	root := newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
	plan, _, err := root.Find([]string{"plan"})
	if err != nil {
		t.Fatal(err)
	}
	for name, in := range a.Inputs {
		if slices.Contains(actionOnly, name) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			f := plan.Flags().Lookup(name)
			if f == nil {
				t.Fatalf("input %q is no flag of rehearse plan", name)
			}
			if !strings.Contains(script, "--"+name+" ") {
				t.Errorf("the Rehearse step never passes --%s", name)
			}
			if vals := enumValues(plan, name); vals != nil && in.Default != "" && !slices.Contains(vals, in.Default) {
				t.Errorf("default %q is not one of %v", in.Default, vals)
			}
		})
	}
}

// lintTool finds a linter: actionlint in ./bin (make tools), shellcheck on
// PATH (apt-get install shellcheck). Without one the test fails, unless
// REHEARSE_SKIP_LINT=1 says to skip.
func lintTool(t *testing.T, name string) string {
	t.Helper()
	if os.Getenv("REHEARSE_SKIP_LINT") == "1" {
		t.Skip("REHEARSE_SKIP_LINT=1")
	}
	if name == "actionlint" {
		p, err := filepath.Abs(filepath.Join("..", "..", "bin", "actionlint"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("actionlint not found at %s: run `make tools` (REHEARSE_SKIP_LINT=1 skips)", p)
		}
		return p
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: apt-get install %s (REHEARSE_SKIP_LINT=1 skips)", name, name)
	}
	return p
}

// TestActionlint runs actionlint, with shellcheck, on the workflow
// template as a repository would hold it: in .github/workflows, using this
// Action from the repository root (uses: ./), so actionlint also checks
// every with: against the Action's inputs. The untouched template is linted
// too.
func TestActionlint(t *testing.T) {
	actionlint, shellcheck := lintTool(t, "actionlint"), lintTool(t, "shellcheck")
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git not found: actionlint finds the repository by its .git")
	}
	wf, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", "github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	act, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`uses: rehearse-dev/rehearse@\S+`)
	if !uses.Match(wf) {
		t.Fatal("the workflow does not use the Action")
	}
	lint := func(t *testing.T, workflow []byte) {
		t.Helper()
		repo := t.TempDir()
		if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
			t.Fatalf("git init: %v\n%s", err, out)
		}
		must(t, os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755))
		must(t, os.WriteFile(filepath.Join(repo, ".github", "workflows", "rehearse.yml"), workflow, 0o644))
		must(t, os.WriteFile(filepath.Join(repo, "action.yml"), act, 0o644))
		cmd := exec.Command(actionlint, "-no-color", "-shellcheck", shellcheck, ".github/workflows/rehearse.yml")
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("actionlint: %v\n%s", err, out)
		}
	}
	t.Run("template", func(t *testing.T) { lint(t, wf) })
	t.Run("local action", func(t *testing.T) { lint(t, uses.ReplaceAll(wf, []byte("uses: ./"))) })
	// The check must be able to fail: an input the Action does not have.
	t.Run("can fail", func(t *testing.T) {
		bad := bytes.Replace(uses.ReplaceAll(wf, []byte("uses: ./")), []byte("comment:"), []byte("commnt:"), 1)
		repo := t.TempDir()
		must(t, exec.Command("git", "init", "-q", repo).Run())
		must(t, os.MkdirAll(filepath.Join(repo, ".github", "workflows"), 0o755))
		must(t, os.WriteFile(filepath.Join(repo, ".github", "workflows", "rehearse.yml"), bad, 0o644))
		must(t, os.WriteFile(filepath.Join(repo, "action.yml"), act, 0o644))
		cmd := exec.Command(actionlint, "-no-color", "-shellcheck", shellcheck, ".github/workflows/rehearse.yml")
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), `"commnt"`) {
			t.Errorf("actionlint accepted an unknown input: %v\n%s", err, out)
		}
	})
}

// TestActionShellcheck runs shellcheck on every run: script of the
// Action, which actionlint does not read: each ${{ }} expression replaced by
// a word of its length, as actionlint does for a workflow's scripts.
func TestActionShellcheck(t *testing.T) {
	shellcheck := lintTool(t, "shellcheck")
	expr := regexp.MustCompile(`\$\{\{[^}]*\}\}`)
	a := readAction(t)
	scripts := 0
	for _, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		scripts++
		t.Run(s.Name, func(t *testing.T) {
			script := expr.ReplaceAllStringFunc(s.Run, func(m string) string { return strings.Repeat("_", len(m)) })
			cmd := exec.Command(shellcheck, "--norc", "--shell=bash", "-")
			cmd.Stdin = strings.NewReader(script)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("shellcheck: %v\n%s", err, out)
			}
		})
	}
	if scripts == 0 {
		t.Fatal("no run: step in action.yml")
	}
	// shellcheck must be able to fail, on the line the old template had.
	cmd := exec.Command(shellcheck, "--norc", "--shell=bash", "-")
	cmd.Stdin = strings.NewReader(`exit "` + strings.Repeat("_", 36) + `"` + "\n")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "SC2242") {
		t.Errorf("shellcheck passed exit with a non-number (want SC2242): %v\n%s", err, out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
