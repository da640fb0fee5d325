package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/approval"
)

type jsonStacks struct {
	Decision    string `json:"decision"`
	Fingerprint string `json:"fingerprint"`
	Findings    []struct {
		ID    string `json:"id"`
		Stack string `json:"stack"`
	} `json:"findings"`
	Stacks []struct {
		Name        string `json:"name"`
		Decision    string `json:"decision"`
		Fingerprint string `json:"fingerprint"`
	} `json:"stacks"`
}

func stackNames(t *testing.T, out string) (jsonStacks, string) {
	t.Helper()
	var v jsonStacks
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var names []string
	for _, s := range v.Stacks {
		names = append(names, s.Name+":"+s.Decision)
	}
	return v, strings.Join(names, " ")
}

// TestPlanStacks judges many inputs as one verdict: files, a glob, a
// directory of plans (the recorded terragrunt tree), a mix of Terraform,
// CloudFormation and Pulumi, and names given with --stack.
func TestPlanStacks(t *testing.T) {
	tree := filepath.Join("testdata", "terragrunt-tree", "live")
	plans := filepath.Join("..", "..", "examples", "plans")
	prod, tags := filepath.Join(plans, "env-recreate-minor-fix.json"), filepath.Join(plans, "tag-only-update.json")
	cfn := filepath.Join("..", "..", "examples", "cloudformation", "changeset.json")
	pulumi := filepath.Join("..", "..", "examples", "pulumi", "preview.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		stacks string
	}{
		{"two files", []string{prod, tags}, 1,
			"../../examples/plans/env-recreate-minor-fix.json:block ../../examples/plans/tag-only-update.json:pass"},
		{"named", []string{prod, tags, "--stack", "prod=" + prod, "--stack", "tags=" + tags}, 1, "prod:block tags:pass"},
		{"a glob", []string{filepath.Join(plans, "*-update.json"), filepath.Join(plans, "rename-*.json")}, 0,
			"../../examples/plans/rename-without-moved.json:warn ../../examples/plans/tag-only-update.json:pass"},
		{"a recorded terragrunt tree", []string{tree}, 1,
			"testdata/terragrunt-tree/live/prod/network/plan.json:block testdata/terragrunt-tree/live/dev/app/plan.json:warn testdata/terragrunt-tree/live/prod/app/plan.json:pass"},
		{"terraform, cloudformation and pulumi", []string{tags, cfn, pulumi, "--stack", "cfn=" + cfn, "--stack", "pulumi=" + pulumi}, -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"plan", "--format", "json"}, tt.args...)...)
			v, got := stackNames(t, out)
			if tt.code >= 0 && code != tt.code {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			if tt.stacks != "" && got != tt.stacks {
				t.Errorf("stacks %q\nwant   %q", got, tt.stacks)
			}
			if tt.stacks == "" && len(v.Stacks) != 3 {
				t.Errorf("stacks %q: want the three inputs; stderr %s", got, errOut)
			}
			ids := map[string]bool{}
			for _, f := range v.Findings {
				if ids[f.ID] {
					t.Errorf("finding id %s twice", f.ID)
				}
				ids[f.ID] = true
			}
		})
	}
}

// TestPlanStacksFailClosed: one input that cannot be judged fails the
// whole run with exit 2 and a line naming it; so do two stacks of one
// name.
func TestPlanStacksFailClosed(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join("..", "..", "examples", "plans", "tag-only-update.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"format_version":"1.2","resource_changes":[`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"a truncated plan", []string{good, bad}, "bad.json"},
		{"a missing file", []string{good, filepath.Join(dir, "missing.json")}, "missing.json"},
		{"a glob that matches nothing", []string{good, filepath.Join(dir, "*.tfplan.json")}, "matches no file"},
		{"two stacks of one name", []string{good, bad, "--stack", "x=" + good, "--stack", "x=" + bad}, `stack "x"`},
		{"not a plan in a tree", []string{dir}, "bad.json"},
		{"stdin with others", []string{good, "-"}, "stdin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"plan"}, tt.args...)...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q: want 2 and nothing", code, out)
			}
			if !strings.Contains(errOut, tt.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("stderr %q: want one line naming %q", errOut, tt.want)
			}
		})
	}
}

// TestPlanStacksDeterministic: the same inputs give the same bytes in
// every format, whichever input is read first.
func TestPlanStacksDeterministic(t *testing.T) {
	tree := filepath.Join("testdata", "terragrunt-tree", "live")
	for _, format := range []string{"text", "json", "markdown", "sarif", "junit"} {
		_, first, _ := runCLI(t, "", "plan", "--format", format, tree)
		for range 3 {
			if _, again, _ := runCLI(t, "", "plan", "--format", format, tree); again != first {
				t.Fatalf("%s: two runs differ", format)
			}
		}
	}
}

// TestPlanStacksComment: the Markdown comment of many stacks ends with
// the approve command for all of them, the inputs as given.
func TestPlanStacksComment(t *testing.T) {
	tree := filepath.Join("testdata", "terragrunt-tree", "live")
	_, out, errOut := runCLI(t, "", "plan", "--format", "markdown", "--comment-limit", "bitbucket", "--origin", "ai", tree)
	if !strings.Contains(out, "rehearse approve --origin ai testdata/terragrunt-tree/live --finding RH-") {
		t.Errorf("no approve command for the tree:\n%s%s", out, errOut)
	}
	if n := len([]rune(out)); n > 32767 {
		t.Errorf("%d characters, over Bitbucket's limit", n)
	}
	if code, _, errOut := runCLI(t, "", "plan", "--comment-limit", "gitea", tree); code != 2 || !strings.Contains(errOut, "--comment-limit") {
		t.Errorf("a bad --comment-limit: exit %d, %s", code, errOut)
	}
}

// TestPlanStacksApproval: an approval names the fingerprint over all
// stacks, so it passes the set it was given for and is void when any
// stack changes, or when it names one stack's fingerprint only.
func TestPlanStacksApproval(t *testing.T) {
	plans := filepath.Join("..", "..", "examples", "plans")
	prod, tags, rename := filepath.Join(plans, "env-recreate-minor-fix.json"), filepath.Join(plans, "tag-only-update.json"), filepath.Join(plans, "rename-without-moved.json")
	_, out, _ := runCLI(t, "", "plan", "--format", "json", prod, tags)
	v, _ := stackNames(t, out)
	approve := func(fingerprint string) string {
		file := filepath.Join(t.TempDir(), "approvals.yaml")
		var entries []approval.Entry
		for _, f := range v.Findings {
			entries = append(entries, approval.Entry{Finding: f.ID, Fingerprint: fingerprint, By: "alice@example.com", At: "2026-12-01T10:00:00Z", Reason: "reviewed", Rollback: "restore"})
		}
		if err := approval.Append(file, entries...); err != nil {
			t.Fatal(err)
		}
		return file
	}
	for _, tt := range []struct {
		name      string
		approvals string
		inputs    []string
		code      int
	}{
		{"the whole set", approve(v.Fingerprint), []string{prod, tags}, 0},
		{"the same set in another order", approve(v.Fingerprint), []string{tags, prod}, 0},
		{"one stack's fingerprint", approve(v.Stacks[0].Fingerprint), []string{prod, tags}, 1},
		{"another stack changed", approve(v.Fingerprint), []string{prod, rename}, 1},
		{"a stack added", approve(v.Fingerprint), []string{prod, tags, rename}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", append([]string{"plan", "--approvals", tt.approvals}, tt.inputs...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; %s", code, tt.code, errOut)
			}
		})
	}
}

// TestPlanStacksDirs plans two Terraform directories with real terraform
// (--dir twice) and judges them as two stacks.
func TestPlanStacksDirs(t *testing.T) {
	bin := terraformBin(t)
	a := filepath.Join("testdata", "tf", "base")
	b := filepath.Join("..", "..", "examples", "terraform")
	code, out, errOut := runCLI(t, "", "plan", "--format", "json", "--terraform", bin, "--dir", a, "--dir", b, "--stack", "example="+b)
	v, got := stackNames(t, out)
	if code != 0 || got != "example:pass testdata/tf/base:pass" {
		t.Fatalf("exit %d, stacks %q; stderr %s", code, got, errOut)
	}
	for _, s := range v.Stacks {
		if !strings.HasPrefix(s.Fingerprint, "sha256:") {
			t.Errorf("stack %s has no fingerprint", s.Name)
		}
	}
	if code, _, errOut := runCLI(t, "", "plan", "--terraform", bin, "--dir", a, "--dir", b, "--state", "x.tfstate"); code != 2 || !strings.Contains(errOut, "one --dir") {
		t.Errorf("--state with two --dir: exit %d, %s", code, errOut)
	}
}

// TestApproveStacks runs the approve command the comment of a many-stack
// verdict ends with: approve judges the same stacks, and plan then passes.
func TestApproveStacks(t *testing.T) {
	tree := filepath.Join("testdata", "terragrunt-tree", "live")
	_, md, _ := runCLI(t, "", "plan", "--format", "markdown", tree)
	start := strings.Index(md, "rehearse approve "+tree+" ")
	if start < 0 {
		t.Fatalf("no approve command in\n%s", md)
	}
	line := md[start : strings.Index(md[start:], " \\\n")+start]
	args := strings.Fields(strings.TrimPrefix(line, "rehearse "))
	approvals := filepath.Join(t.TempDir(), "approvals.yaml")
	args = append(args, "--by", "alice@example.com", "--reason", "reviewed", "--rollback", "restore", "--approvals", approvals)
	if code, _, errOut := runCLI(t, "", args...); code != 0 {
		t.Fatalf("%s: exit %d, %s", strings.Join(args, " "), code, errOut)
	}
	if code, out, _ := runCLI(t, "", "plan", "--approvals", approvals, tree); code != 0 || !strings.HasPrefix(out, "WARN") {
		t.Errorf("after the approval: exit %d, %s", code, strings.SplitN(out, "\n", 2)[0])
	}
}
