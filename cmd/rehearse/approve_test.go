package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/verdict"
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

// needSSHKeygen fails the test when ssh-keygen is missing, unless
// REHEARSE_SKIP_SSH=1 says to skip.
func needSSHKeygen(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		if os.Getenv("REHEARSE_SKIP_SSH") == "1" {
			t.Skip("ssh-keygen not installed and REHEARSE_SKIP_SSH=1")
		}
		t.Fatal("ssh-keygen not found: install openssh-client (apt-get install openssh-client), or set REHEARSE_SKIP_SSH=1 to skip")
	}
}

func sshKeygen(t *testing.T, file, passphrase string) string {
	t.Helper()
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "test", "-f", file).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(file + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(pub))
}

func decodeFull(t *testing.T, s string) verdict.Verdict {
	t.Helper()
	var v verdict.Verdict
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return v
}

// TestSignedApprovalFlow approves with --sign-key and judges with a policy
// that names allowed signers: the signed approval passes the change; the
// same file with a hand-edited approver, or unsigned, or signed by a key
// not listed, does not.
func TestSignedApprovalFlow(t *testing.T) {
	needSSHKeygen(t)
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	pub := sshKeygen(t, key, "")
	mallory := filepath.Join(dir, "mallory")
	sshKeygen(t, mallory, "")
	locked := filepath.Join(dir, "locked")
	sshKeygen(t, locked, "secret")
	if err := os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte("alice@example.com namespaces=\"rehearse-approval\" "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "rehearse.yaml")
	if err := os.WriteFile(policy, []byte("apiVersion: rehearse/v1\nkind: Policy\napprovals:\n  allowed_signers: allowed_signers\n  max_age: 7d\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	approvals := filepath.Join(dir, ".rehearse", "approvals.yaml")
	ids, fp := blockIDs(t, blockingPlan)
	approve := func(file string, extra ...string) (int, string, string) {
		args := []string{"approve", blockingPlan, "--policy", policy, "--approvals", file, "--by", "alice@example.com",
			"--reason", "planned migration", "--rollback", "restore snapshot rds-2026-11-27", "--expires", "72h"}
		for _, id := range ids {
			args = append(args, "--finding", id)
		}
		return runCLI(t, "", append(args, extra...)...)
	}

	code, out, errs := approve(approvals, "--sign-key", key)
	if code != 0 || !strings.Contains(out, "signed with SHA256:") || !strings.Contains(out, "expires: ") {
		t.Fatalf("approve: exit %d:\n%s%s", code, out, errs)
	}
	raw, err := os.ReadFile(approvals)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "-----BEGIN SSH SIGNATURE-----") {
		t.Fatalf("no signature in the file:\n%s", raw)
	}

	t.Run("signed approval passes", func(t *testing.T) {
		code, out, errs := runCLI(t, "", "plan", "--policy", policy, "--approvals", approvals, "--format", "json", blockingPlan)
		if code != 0 {
			t.Fatalf("exit %d, want 0:\n%.2000s%s", code, out, errs)
		}
		v := decodeFull(t, out)
		for _, f := range v.Findings {
			if f.Severity == verdict.SeverityBlock && (f.Approval == nil || !strings.HasPrefix(f.Approval.Signer, "SHA256:")) {
				t.Errorf("%s not approved by a signed approval: %+v %+v", f.ID, f.Approval, f.VoidApprovals)
			}
		}
		if strings.Contains(out, "approvals are unsigned") {
			t.Error("a signed setup is reported unsigned")
		}
	})

	write := func(t *testing.T, content string) string {
		file := filepath.Join(t.TempDir(), "approvals.yaml")
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	voided := []struct {
		name, file, want string
	}{
		{"hand-edited by", strings.ReplaceAll(string(raw), "by: alice@example.com", "by: bob@example.com"), "signature does not verify"},
		{"hand-edited reason", strings.ReplaceAll(string(raw), "reason: planned migration", "reason: trust me"), "signature does not verify"},
		// The issue's own example: a made-up approver, a 2020 date, no signature.
		{"hand-written, unsigned", "apiVersion: rehearse/v1\nkind: Approvals\napprovals:\n  - finding: " + ids[0] + "\n    fingerprint: " + fp +
			"\n    by: anyone\n    at: 2020-01-01T00:00:00Z\n    reason: fine\n    rollback: none\n", "unsigned"},
	}
	for _, tt := range voided {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, "", "plan", "--policy", policy, "--approvals", write(t, tt.file), "--format", "json", blockingPlan)
			if code != 1 {
				t.Fatalf("exit %d, want 1:\n%.2000s%s", code, out, errs)
			}
			v := decodeFull(t, out)
			found := false
			for _, f := range v.Findings {
				if f.Approval != nil {
					t.Errorf("%s approved: %+v", f.ID, f.Approval)
				}
				for _, a := range f.VoidApprovals {
					found = found || strings.Contains(a.Void, tt.want)
				}
			}
			if !found {
				t.Errorf("no void approval says %q:\n%.3000s", tt.want, out)
			}
		})
	}

	refused := []struct {
		name  string
		extra []string
		want  string
	}{
		{"unsigned under a signing policy", nil, "give --sign-key"},
		{"key not listed", []string{"--sign-key", mallory}, "would be void: key SHA256:"},
		{"encrypted key, no agent", []string{"--sign-key", locked}, "rehearse does not prompt"},
		{"public key, no agent", []string{"--sign-key", key + ".pub"}, "SSH_AUTH_SOCK is not set"},
		{"expiry in the past", []string{"--sign-key", key, "--expires", "2020-01-01T00:00:00Z"}, "not in the future"},
		{"bad expiry", []string{"--sign-key", key, "--expires", "soon"}, "--expires"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "approvals.yaml")
			code, out, errs := approve(file, tt.extra...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, want 2 with %q:\n%s%s", code, tt.want, out, errs)
			}
			if _, err := os.Stat(file); err == nil {
				t.Error("a refused approval wrote the file")
			}
		})
	}

	t.Run("bad allowed signers", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "rehearse.yaml")
		if err := os.WriteFile(filepath.Join(filepath.Dir(bad), "allowed_signers"), []byte("alice@example.com ssh-ed25519\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad, []byte("apiVersion: rehearse/v1\nkind: Policy\napprovals:\n  allowed_signers: allowed_signers\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := runCLI(t, "", "plan", "--policy", bad, "--approvals", approvals, blockingPlan)
		if code != 2 || !strings.Contains(errs, "allowed_signers:1: ") {
			t.Fatalf("exit %d, want 2 naming the file and line: %s", code, errs)
		}
	})
}

// TestApprovalsDiscovered runs plan without --approvals in a directory
// with .rehearse/approvals.yaml: the file is used and the report says so,
// and that the approvals are unsigned.
func TestApprovalsDiscovered(t *testing.T) {
	plan, err := filepath.Abs(blockingPlan)
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := blockIDs(t, blockingPlan)
	dir := t.TempDir()
	t.Chdir(dir)
	args := []string{"approve", plan, "--by", "alice", "--reason", "planned migration", "--rollback", "restore snapshot"}
	for _, id := range ids {
		args = append(args, "--finding", id)
	}
	if code, out, errs := runCLI(t, "", args...); code != 0 || !strings.Contains(out, "written to .rehearse/approvals.yaml") {
		t.Fatalf("approve: exit %d:\n%s%s", code, out, errs)
	}
	code, out, errs := runCLI(t, "", "plan", plan)
	if code != 0 || !strings.Contains(out, "approvals read from .rehearse/approvals.yaml") || !strings.Contains(out, "approvals are unsigned: anyone who can write the approvals file can approve") {
		t.Fatalf("exit %d, want 0 with the discovery and unsigned notes:\n%s%s", code, out, errs)
	}
	// Without the file, nothing is discovered and nothing is said.
	if err := os.RemoveAll(filepath.Join(dir, ".rehearse")); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, "", "plan", plan)
	if code != 1 || strings.Contains(out, "approvals") {
		t.Fatalf("exit %d, want 1 and no approvals note:\n%s", code, out)
	}
}

// TestSignersFromBasePolicy names allowed_signers in the trusted base
// policy and puts another allowed_signers, listing the writer's own key,
// next to the repository's policy and in the working directory: only the
// base's list counts.
func TestSignersFromBasePolicy(t *testing.T) {
	needSSHKeygen(t)
	t.Setenv("SSH_AUTH_SOCK", "")
	trusted, repo := t.TempDir(), t.TempDir()
	alice := filepath.Join(trusted, "alice")
	alicePub := sshKeygen(t, alice, "")
	mallory := filepath.Join(repo, "mallory")
	malloryPub := sshKeygen(t, mallory, "")
	files := map[string]string{
		filepath.Join(trusted, "allowed_signers"): "alice@example.com " + alicePub + "\n",
		filepath.Join(trusted, "base.yaml"):       "apiVersion: rehearse/v1\nkind: Policy\napprovals:\n  allowed_signers: allowed_signers\n",
		filepath.Join(repo, "allowed_signers"):    "alice@example.com " + malloryPub + "\n",
		filepath.Join(repo, "rehearse.yaml"):      "apiVersion: rehearse/v1\nkind: Policy\n",
		filepath.Join(repo, "own.yaml"):           "apiVersion: rehearse/v1\nkind: Policy\napprovals:\n  allowed_signers: allowed_signers\n",
	}
	for f, c := range files {
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base, pol, plan := filepath.Join(trusted, "base.yaml"), filepath.Join(repo, "rehearse.yaml"), mustAbs(t, blockingPlan)
	ids, _ := blockIDs(t, blockingPlan)
	t.Chdir(repo) // a relative path must not resolve here either
	approve := func(t *testing.T, key string, policies ...string) (string, int, string) {
		file := filepath.Join(t.TempDir(), "approvals.yaml")
		args := append([]string{"approve", plan, "--approvals", file, "--by", "alice@example.com",
			"--reason", "r", "--rollback", "rb", "--sign-key", key}, policies...)
		for _, id := range ids {
			args = append(args, "--finding", id)
		}
		code, _, errs := runCLI(t, "", args...)
		return file, code, errs
	}
	judge := func(t *testing.T, file string, policies ...string) (int, verdict.Verdict, string) {
		code, out, errs := runCLI(t, "", append([]string{"plan", "--approvals", file, "--format", "json", plan}, policies...)...)
		if code == 2 {
			return code, verdict.Verdict{}, errs
		}
		return code, decodeFull(t, out), errs
	}
	for _, policies := range [][]string{{"--base-policy", base, "--policy", pol}, {"--base-policy", base}} {
		t.Run(strings.Join(policies, " "), func(t *testing.T) {
			// Mallory's key is listed only in the repository: approve
			// refuses it, and one made under the repository's own list is void.
			if _, code, errs := approve(t, mallory, policies...); code != 2 || !strings.Contains(errs, "is not in "+filepath.Join(trusted, "allowed_signers")) {
				t.Fatalf("approve with the repository's key: exit %d, want 2: %s", code, errs)
			}
			forged, code, errs := approve(t, mallory, "--policy", "own.yaml")
			if code != 0 {
				t.Fatalf("approve under the repository's own signers: exit %d: %s", code, errs)
			}
			code, v, errs := judge(t, forged, policies...)
			if code != 1 || len(v.Findings) == 0 {
				t.Fatalf("forged approval: exit %d, want 1: %s", code, errs)
			}
			for _, f := range v.Findings {
				if f.Approval != nil {
					t.Errorf("%s approved by the repository's key", f.ID)
				}
			}
			good, code, errs := approve(t, alice, policies...)
			if code != 0 {
				t.Fatalf("approve: exit %d: %s", code, errs)
			}
			if code, _, errs := judge(t, good, policies...); code != 0 {
				t.Fatalf("alice's approval: exit %d, want 0: %s", code, errs)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
