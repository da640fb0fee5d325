package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const blockingPlan = "../../examples/plans/env-recreate-minor-fix.json"

// changedPlan writes a variant of the blocking plan with one value changed:
// the same findings, but another change, so another fingerprint.
func changedPlan(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(blockingPlan)
	if err != nil {
		t.Fatal(err)
	}
	var plan map[string]any
	if err := json.Unmarshal(b, &plan); err != nil {
		t.Fatal(err)
	}
	for _, rc := range plan["resource_changes"].([]any) {
		rc := rc.(map[string]any)
		if rc["address"] == "aws_lambda_function.invoice_rounding" {
			rc["change"].(map[string]any)["after"].(map[string]any)["source_code_hash"] = "changed-after-approval"
		}
	}
	out, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "changed.json")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func blockIDs(t *testing.T, plan string) (ids []string, fingerprint string) {
	t.Helper()
	code, out, errs := runCLI(t, "", "plan", "--format", "json", plan)
	if code != 1 {
		t.Fatalf("plan: exit %d, want 1: %s", code, errs)
	}
	v := decodeVerdict(t, out)
	for _, f := range v.Findings {
		if f.Severity == "block" {
			ids = append(ids, f.ID)
		}
	}
	return ids, v.Fingerprint
}

// TestApprovalLifecycle approves every blocking finding, sees the change
// pass, then changes the plan and sees the approvals void and the change
// block again; a tampered or malformed file is exit 2.
func TestApprovalLifecycle(t *testing.T) {
	dir := t.TempDir()
	approvals := filepath.Join(dir, ".rehearse", "approvals.yaml")
	ids, fp := blockIDs(t, blockingPlan)

	args := []string{"approve", blockingPlan, "--approvals", approvals, "--by", "alice", "--reason", "planned migration", "--rollback", "restore snapshot rds-2026-11-27"}
	for _, id := range ids {
		args = append(args, "--finding", id)
	}
	code, out, errs := runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("approve: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "approved "+ids[0]) || !strings.Contains(out, fp) || !strings.Contains(out, approvals) {
		t.Errorf("approve does not say what it wrote:\n%s", out)
	}

	t.Run("approved change passes", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "plan", "--approvals", approvals, blockingPlan)
		if code != 0 || !strings.Contains(out, "approved by alice") || !strings.Contains(out, "rollback: restore snapshot rds-2026-11-27") {
			t.Fatalf("exit %d, want 0 and the approval shown:\n%s%s", code, out, errs)
		}
		code, out, _ = runCLI(t, "", "plan", "--approvals", approvals, "--format", "markdown", blockingPlan)
		if code != 0 || !strings.Contains(out, "Rollback plan: restore snapshot rds") {
			t.Errorf("markdown: exit %d, no rollback plan:\n%s", code, out)
		}
	})

	t.Run("changed plan voids the approval", func(t *testing.T) {
		changed := changedPlan(t, dir)
		code, out, _ := runCLI(t, "", "plan", "--approvals", approvals, changed)
		if code != 1 || !strings.Contains(out, "void approval by alice") {
			t.Fatalf("exit %d, want 1 and the approval reported void:\n%s", code, out)
		}
	})

	entries, err := os.ReadFile(approvals)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"tampered fingerprint", strings.Replace(string(entries), fp, fp[:len(fp)-1]+"g", 1), "not sha256:"},
		{"truncated fingerprint", strings.Replace(string(entries), fp, fp[:40], 1), "not sha256:"},
		{"malformed", "apiVersion: rehearse/v1\nkind: Approvals\napprovals: {not: [a list\n", "approvals.yaml"},
		{"unknown key", string(entries) + "signed: yes\n", "signed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "approvals.yaml")
			if err := os.WriteFile(bad, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			code, _, errs := runCLI(t, "", "plan", "--approvals", bad, blockingPlan)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("plan: exit %d, want 2 with %q: %s", code, tt.want, errs)
			}
			// approve must not build on a broken file either.
			code, _, errs = runCLI(t, "", "approve", blockingPlan, "--approvals", bad, "--finding", ids[0], "--by", "bob", "--reason", "r", "--rollback", "rb")
			if code != 2 {
				t.Errorf("approve: exit %d, want 2: %s", code, errs)
			}
			if after, _ := os.ReadFile(bad); string(after) != tt.content {
				t.Error("approve changed a malformed file")
			}
		})
	}

	// A CI job names the file before anything is approved: no approvals,
	// said in the report, and the change blocks as it would without them.
	t.Run("missing file", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "plan", "--approvals", filepath.Join(dir, "nope.yaml"), blockingPlan)
		if code != 1 || !strings.Contains(out, "nope.yaml does not exist: no approvals applied") {
			t.Errorf("exit %d, want 1 and a note:\n%s%s", code, out, errs)
		}
	})
}

func TestApproveRefuses(t *testing.T) {
	approvals := filepath.Join(t.TempDir(), "approvals.yaml")
	ids, _ := blockIDs(t, blockingPlan)
	full := []string{"--approvals", approvals, "--by", "alice", "--reason", "why", "--rollback", "how"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown finding", append([]string{"approve", blockingPlan, "--finding", "RH-0000000000"}, full...), ids[0]},
		{"no rollback", []string{"approve", blockingPlan, "--finding", ids[0], "--approvals", approvals, "--by", "alice", "--reason", "why"}, "--rollback"},
		{"no reason or by", []string{"approve", blockingPlan, "--finding", ids[0], "--approvals", approvals, "--rollback", "how"}, "--by, --reason"},
		{"no finding", append([]string{"approve", blockingPlan}, full...), "--finding"},
		{"no plan", append([]string{"approve", "--finding", ids[0]}, full...), "arg"},
		{"bad plan", append([]string{"approve", "missing.json", "--finding", ids[0]}, full...), "missing.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runCLI(t, "", tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, want 2 with %q: %s", code, tt.want, errs)
			}
			if _, err := os.Stat(approvals); err == nil {
				t.Error("a refused approval wrote the file")
			}
		})
	}
}

// TestOriginAuto runs `plan --origin auto` in temporary repositories: an
// AI trailer escalates the warnings of the rename plan to a block; outside
// a repository rehearse cannot judge.
func TestOriginAuto(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	plan, err := filepath.Abs("../../examples/plans/rename-without-moved.json")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, "gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(home))
	t.Setenv("REHEARSE_ORIGIN", "")
	repo := func(message string) string {
		dir := t.TempDir()
		for _, args := range [][]string{
			{"init", "-q"},
			{"-c", "user.name=Dana", "-c", "user.email=dana@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", message},
		} {
			if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		return dir
	}
	tests := []struct {
		name, dir string
		code      int
		want      string
	}{
		{"ai trailer", repo("rename\n\nCo-authored-by: Claude <noreply@anthropic.com>"), 1, `"decided_by": "trailer Co-authored-by: Claude \u003cnoreply@anthropic.com\u003e on HEAD `},
		{"human", repo("rename"), 0, `"decided_by": "no AI trailer or agent author on HEAD `},
		{"not a repository", t.TempDir(), 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(tt.dir)
			code, out, errs := runCLI(t, "", "plan", "--origin", "auto", "--format", "json", plan)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, want %d with %q:\n%.600s%s", code, tt.code, tt.want, out, errs)
			}
			if code == 2 && !strings.Contains(errs, "--origin auto") {
				t.Errorf("no clear message: %s", errs)
			}
		})
	}
}
