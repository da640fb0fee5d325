package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/testimage"
)

// sandboxEnv is a production service whose change empties its data path;
// keep names how many of the 40 rows the change leaves.
func sandboxEnv(t *testing.T, dir, keep string) string {
	t.Helper()
	src := `apiVersion: rehearse/v1
kind: Environment
name: approve-observed
services:
  db:
    image: ` + testimage.Busybox + `
    command: "echo ready; exec sleep 600"
    ready: {log: ready}
    labels: {env: prod}
    data: [/data]
    seed: ["mkdir -p /data && for i in $(seq 10 49); do echo row-$i > /data/r$i; done"]
    probes: {rows: "ls /data | wc -l"}
change:
  - exec: {service: db, command: "rm -f $(ls -d /data/* | tail -n +` + keep + `)"}
`
	file := filepath.Join(dir, "env-"+keep+".yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestSandboxApproval: an observed change is approved as a plan is. Two
// runs of one change have one fingerprint; a signed approval of the JSON
// verdict (or of the environment file, run again) passes the gate's own
// run; a different change voids it; a doctored verdict is refused.
func TestSandboxApproval(t *testing.T) {
	requireDocker(t)
	needSSHKeygen(t)
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := t.TempDir()
	key := filepath.Join(dir, "id_ed25519")
	pub := sshKeygen(t, key, "")
	if err := os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte("alice@example.com namespaces=\"rehearse-approval\" "+pub+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "rehearse.yaml")
	if err := os.WriteFile(policy, []byte("apiVersion: rehearse/v1\nkind: Policy\napprovals:\n  allowed_signers: allowed_signers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := sandboxEnv(t, dir, "1")
	gate := func(t *testing.T, env, approvals string) (int, string, string) {
		t.Helper()
		id := testimage.RunID()
		code, out, errs := runCLI(t, "", "sandbox", "run", env, "--run-id", id, "--policy", policy, "--approvals", approvals, "--format", "json")
		noLeftovers(t, id)
		return code, out, errs
	}

	none := filepath.Join(dir, "none.yaml")
	code, first, errs := gate(t, env, none)
	if code != exitBlock {
		t.Fatalf("sandbox run: exit %d, want 1: %s", code, errs)
	}
	v := decodeFull(t, first)
	_, second, _ := gate(t, env, none)
	if fp := decodeFull(t, second).Fingerprint; fp != v.Fingerprint {
		t.Fatalf("two runs of one change: fingerprints %s and %s", v.Fingerprint, fp)
	}
	verdictFile := filepath.Join(dir, "verdict.json")
	if err := os.WriteFile(verdictFile, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range v.Findings {
		if f.Severity == "block" {
			ids = append(ids, "--finding", f.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatalf("no blocking finding in %s", first)
	}
	approve := func(t *testing.T, input, approvals string) (int, string, string) {
		t.Helper()
		args := append([]string{"approve", input, "--policy", policy, "--approvals", approvals, "--by", "alice@example.com",
			"--reason", "the rows are rebuilt by the import", "--rollback", "restore the nightly dump", "--sign-key", key}, ids...)
		return runCLI(t, "", args...)
	}

	t.Run("approve the JSON verdict", func(t *testing.T) {
		approvals := filepath.Join(t.TempDir(), "approvals.yaml")
		code, out, errs := approve(t, verdictFile, approvals)
		if code != 0 || !strings.Contains(out, v.Fingerprint) || !strings.Contains(out, "signed with") {
			t.Fatalf("approve: exit %d:\n%s%s", code, out, errs)
		}
		code, out, errs = gate(t, env, approvals)
		if code != exitPass {
			t.Fatalf("sandbox run with the approval: exit %d, want 0:\n%.2000s%s", code, out, errs)
		}
		for _, f := range decodeFull(t, out).Findings {
			if f.Severity == "block" && (f.Approval == nil || f.Approval.Signer == "") {
				t.Errorf("%s not approved by the signed approval", f.ID)
			}
		}
		// Another change (it keeps 10 rows): the approval is void.
		code, out, _ = gate(t, sandboxEnv(t, t.TempDir(), "11"), approvals)
		if code != exitBlock || !strings.Contains(out, "void_approvals") {
			t.Errorf("another change: exit %d, want 1 with the approval void:\n%.2000s", code, out)
		}
	})

	t.Run("approve the environment file, run again", func(t *testing.T) {
		approvals := filepath.Join(t.TempDir(), "approvals.yaml")
		code, out, errs := approve(t, env, approvals)
		if code != 0 || !strings.Contains(out, v.Fingerprint) {
			t.Fatalf("approve ENV.yaml: exit %d, want 0 and fingerprint %s:\n%s%s", code, v.Fingerprint, out, errs)
		}
	})

	t.Run("malformed approvals stop the run before it starts", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "approvals.yaml")
		if err := os.WriteFile(bad, []byte("apiVersion: rehearse/v1\nkind: Approvals\napprovals: {not: [a list\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := gate(t, env, bad)
		if code != exitCannot || !strings.Contains(errs, "approvals.yaml") || strings.Contains(errs, "step 1") {
			t.Errorf("exit %d, want 2 naming the file, nothing run:\n%s%s", code, out, errs)
		}
	})

	doctored := []struct{ name, from, to, want string }{
		{"fingerprint", v.Fingerprint, "sha256:1234", "is not sha256: and 64 hex digits"},
		{"schema", `"rehearse.verdict/v1"`, `"rehearse.verdict/v9"`, "verdict.json"},
	}
	for _, tt := range doctored {
		t.Run("doctored "+tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "verdict.json")
			if err := os.WriteFile(file, []byte(strings.Replace(first, tt.from, tt.to, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			approvals := filepath.Join(t.TempDir(), "approvals.yaml")
			code, out, errs := approve(t, file, approvals)
			if code != exitCannot || !strings.Contains(errs, tt.want) {
				t.Errorf("exit %d, want 2 with %q:\n%s%s", code, tt.want, out, errs)
			}
			if _, err := os.Stat(approvals); err == nil {
				t.Error("a refused approval wrote the file")
			}
		})
	}
}

// TestApproveScenario approves a container scenario by its folder: it is
// replayed, and a second approval of the same scenario names the same
// change.
func TestApproveScenario(t *testing.T) {
	requireDocker(t)
	const scenario = "../../scenarios/library/gitlab-2017-rm-rf-primary"
	var prints []string
	for range 2 {
		approvals := filepath.Join(t.TempDir(), "approvals.yaml")
		code, out, errs := runCLI(t, "", "approve", scenario, "--approvals", approvals, "--finding", "RH-0ada6ad534",
			"--by", "alice", "--reason", "the replica is rebuilt from the primary", "--rollback", "re-seed from the nightly backup")
		if code != 0 {
			t.Fatalf("approve %s: exit %d:\n%s%s", scenario, code, out, errs)
		}
		_, rest, ok := strings.Cut(out, " for change ")
		if !ok {
			t.Fatalf("no fingerprint in %s", out)
		}
		prints = append(prints, strings.Fields(rest)[0])
	}
	if prints[0] != prints[1] {
		t.Errorf("two replays of one scenario: fingerprints %s and %s", prints[0], prints[1])
	}
}
