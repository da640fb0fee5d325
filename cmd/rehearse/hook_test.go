package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// hookEvent is a pre-tool event for cmd in dir, in agent's dialect (see
// guard/testdata for each agent's documented example).
func hookEvent(t *testing.T, agent, cmd, dir string) string {
	t.Helper()
	var ev any
	input := map[string]string{"command": cmd}
	switch agent {
	case "claude":
		ev = map[string]any{"session_id": "s1", "transcript_path": "/tmp/t.jsonl", "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": input, "cwd": dir, "permission_mode": "bypassPermissions", "tool_use_id": "tu1"}
	case "codex":
		ev = map[string]any{"session_id": "s1", "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": input, "cwd": dir, "model": "gpt", "turn_id": "t1"}
	case "gemini":
		ev = map[string]any{"session_id": "s1", "hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": input, "cwd": dir}
	case "copilot":
		args, _ := json.Marshal(input)
		ev = map[string]any{"timestamp": 1704614600000, "cwd": dir, "toolName": "bash", "toolArgs": string(args)}
	case "cursor":
		ev = map[string]any{"conversation_id": "c1", "generation_id": "g1", "hook_event_name": "beforeShellExecution", "workspace_roots": []string{dir}, "command": cmd, "cwd": dir}
	case "kiro":
		ev = map[string]any{"hook_event_name": "preToolUse", "cwd": dir, "tool_name": "execute_bash", "tool_input": input}
	default:
		t.Fatalf("no event for %s", agent)
	}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var hookAgents = []string{"claude", "codex", "gemini", "copilot", "cursor", "kiro"}

// verdictOf reads the agent's answer: "deny", "ask" or "allow", and the
// reason the agent (or its model) is shown.
func verdictOf(t *testing.T, agent string, code int, stdout, stderr string) (string, string) {
	t.Helper()
	if agent == "kiro" {
		switch code {
		case 0:
			return "allow", ""
		case 2:
			return "deny", stderr
		}
		t.Fatalf("kiro: exit %d: only 0 allows and 2 blocks\n%s", code, stderr)
	}
	if code != 0 {
		t.Fatalf("%s: exit %d (the JSON answer is read on exit 0)\n%s", agent, code, stderr)
	}
	if strings.TrimSpace(stdout) == "" {
		return "allow", ""
	}
	var out struct {
		HookSpecificOutput                           struct{ PermissionDecision, PermissionDecisionReason string }
		Decision, Reason                             string
		PermissionDecision, PermissionDecisionReason string
		Permission, AgentMessage                     string `json:"-"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%s: answer %q: %v", agent, stdout, err)
	}
	switch agent {
	case "claude", "codex":
		return out.HookSpecificOutput.PermissionDecision, out.HookSpecificOutput.PermissionDecisionReason
	case "gemini":
		return out.Decision, out.Reason
	case "copilot":
		return out.PermissionDecision, out.PermissionDecisionReason
	case "cursor":
		var c struct {
			Permission   string `json:"permission"`
			AgentMessage string `json:"agent_message"`
		}
		json.Unmarshal([]byte(stdout), &c)
		return c.Permission, c.AgentMessage
	}
	return "", ""
}

// hookFixture is the dozen terraform_data resources applied with local
// state, a policy that makes them production data, and config as the
// agent's change; terraform is on PATH as the agent's shell would find it.
func hookFixture(t *testing.T, config string) string {
	t.Helper()
	bin := terraformBin(t)
	t.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "main.tf"), dozenConfig())
	tf(t, bin, dir, "init", "-input=false", "-no-color")
	tf(t, bin, dir, "apply", "-auto-approve", "-input=false", "-no-color")
	writeTestFile(t, filepath.Join(dir, "rehearse.yaml"), "apiVersion: rehearse/v1\nkind: Policy\ntypes:\n  data_bearing: [terraform_data]\nenvironments:\n  rules:\n    - {address: \"terraform_data.*\", environment: prod}\n")
	writeTestFile(t, filepath.Join(dir, "main.tf"), config)
	return dir
}

func dozenConfig() string {
	var b strings.Builder
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "resource \"terraform_data\" \"db%02d\" {\n  input = \"v%d\"\n}\n\n", i, i)
	}
	return b.String()
}

const dropTheDozen = "resource \"terraform_data\" \"keep\" {\n  input = \"k\"\n}\n"

func addToTheDozen() string {
	return dozenConfig() + "resource \"terraform_data\" \"cache\" {\n  input = \"new\"\n}\n"
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestHookDestructiveApplyDeniedForEveryAgent(t *testing.T) {
	dir := hookFixture(t, dropTheDozen)
	for _, agent := range hookAgents {
		t.Run(agent, func(t *testing.T) {
			code, out, errw := runCLI(t, hookEvent(t, agent, "terraform apply -auto-approve", dir), "hook", agent)
			got, reason := verdictOf(t, agent, code, out, errw)
			if got != "deny" {
				t.Fatalf("%s: %s, want deny\n%s%s", agent, got, out, errw)
			}
			for i := 1; i <= 12; i++ {
				if a := fmt.Sprintf("terraform_data.db%02d", i); !strings.Contains(reason, a) {
					t.Errorf("the denial does not name %s: %s", a, reason)
				}
			}
			if !strings.Contains(reason, "rehearse approve --dir "+dir) || !strings.Contains(reason, "protected environment prod") {
				t.Errorf("the denial does not say what to do: %s", reason)
			}
		})
	}
}

func TestHookBenignApplyAndLsAllowed(t *testing.T) {
	dir := hookFixture(t, addToTheDozen())
	before, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, agent := range hookAgents {
		for _, cmd := range []string{"terraform apply -auto-approve", "ls -la", "cd " + dir + " && terraform plan"} {
			code, out, errw := runCLI(t, hookEvent(t, agent, cmd, dir), "hook", agent)
			if got, reason := verdictOf(t, agent, code, out, errw); got != "allow" {
				t.Errorf("%s: %s: %s, want allow: %s", agent, cmd, got, reason)
			}
		}
	}
	after, _ := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if string(before) != string(after) {
		t.Fatal("the hook changed the state")
	}
	if _, err := os.Stat(filepath.Join(dir, ".terraform.tfstate.lock.info")); err == nil {
		t.Fatal("the hook left the state locked")
	}
}

func TestHookMalformedEventFailsClosed(t *testing.T) {
	for _, agent := range hookAgents {
		// The agent's own shell event with a command that is not a string.
		wrongType := strings.Replace(strings.Replace(hookEvent(t, agent, "MARKER", "/tmp"), `\"MARKER\"`, "42", 1), `"MARKER"`, "42", 1)
		for _, ev := range []string{"", "not json", wrongType, `[1,2]`} {
			code, out, errw := runCLI(t, ev, "hook", agent)
			if got, reason := verdictOf(t, agent, code, out, errw); got != "deny" || reason == "" {
				t.Errorf("%s: event %q: %s (%q), want a deny with a reason", agent, ev, got, reason)
			}
		}
	}
	// An agent rehearse does not know: exit 2, which blocks in every
	// agent that reads exit codes.
	if code, _, _ := runCLI(t, "{}", "hook", "vim"); code != 2 {
		t.Errorf("unknown agent: exit %d, want 2", code)
	}
}

func TestHookTimeoutDenies(t *testing.T) {
	dir := t.TempDir()
	// A terraform that never answers: the hook must deny before the
	// agent's own timeout, which in Claude Code would let the command run.
	slow := filepath.Join(dir, "terraform")
	writeTestFile(t, slow, "#!/bin/sh\nsleep 30\n")
	if err := os.Chmod(slow, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "main.tf"), dropTheDozen)
	start := time.Now()
	code, out, errw := runCLI(t, hookEvent(t, "claude", "terraform apply", dir), "hook", "claude", "--timeout", "2s", "--terraform", slow)
	if got, reason := verdictOf(t, "claude", code, out, errw); got != "deny" || !strings.Contains(reason, "could not judge") {
		t.Fatalf("%s: %s", got, reason)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("answered after %s, past the hook's 2s timeout", took)
	}
}

func TestHookApprovalLetsTheChangeThrough(t *testing.T) {
	dir := hookFixture(t, dropTheDozen)
	code, out, errw := runCLI(t, hookEvent(t, "claude", "terraform apply -auto-approve", dir), "hook", "claude")
	_, reason := verdictOf(t, "claude", code, out, errw)
	// The denial's own approve command, run by a human.
	i := strings.Index(reason, "rehearse approve ")
	j := strings.Index(reason, ", then the command may run")
	if i < 0 || j < i {
		t.Fatalf("no approve command in %s", reason)
	}
	args := strings.Fields(reason[i+len("rehearse ") : j])
	var argv []string
	for k := 0; k < len(args); k++ {
		switch args[k] {
		case "--by":
			argv, k = append(argv, "--by", "alice@example.com"), k+1
		case "--reason":
			argv, k = append(argv, "--reason", "decommissioned"), k+1
		case "--rollback":
			argv, k = append(argv, "--rollback", "restore from backup"), k+1
		default:
			argv = append(argv, args[k])
		}
	}
	if code, out, errw := runCLI(t, "", argv...); code != 0 {
		t.Fatalf("rehearse %s: exit %d\n%s%s", strings.Join(argv, " "), code, out, errw)
	}
	code, out, errw = runCLI(t, hookEvent(t, "claude", "terraform apply -auto-approve", dir), "hook", "claude")
	if got, reason := verdictOf(t, "claude", code, out, errw); got != "allow" {
		t.Fatalf("after approval: %s: %s", got, reason)
	}
}

// approveArgs turns the approve command a denial names into argv for a
// human: by, reason and rollback filled in, and signKey for --sign-key KEY.
func approveArgs(t *testing.T, reason, by, signKey string) []string {
	t.Helper()
	i := strings.Index(reason, "rehearse approve ")
	j := strings.Index(reason, ", then the command may run")
	if i < 0 || j < i {
		t.Fatalf("no approve command in %s", reason)
	}
	cmd := strings.Replace(reason[i+len("rehearse "):j], " (the policy takes only signed approvals)", "", 1)
	args := strings.Fields(cmd)
	var argv []string
	for k := 0; k < len(args); k++ {
		switch args[k] {
		case "--by":
			argv, k = append(argv, "--by", by), k+1
		case "--reason":
			argv, k = append(argv, "--reason", "decommissioned"), k+1
		case "--rollback":
			argv, k = append(argv, "--rollback", "restore from backup"), k+1
		case "--sign-key":
			argv, k = append(argv, "--sign-key", signKey), k+1
		default:
			argv = append(argv, args[k])
		}
	}
	return argv
}

// TestHookForbidSelfHumanSignerApproves: under approvals.forbid_self with
// allowed signers, the agent's change has no commit and no known human
// author. Its author is the agent, so an approval a human allowed signer
// signed lets it through; an unsigned one, or one by a key not listed,
// does not.
func TestHookForbidSelfHumanSignerApproves(t *testing.T) {
	needSSHKeygen(t)
	t.Setenv("SSH_AUTH_SOCK", "")
	dir := hookFixture(t, dropTheDozen)
	keys := t.TempDir()
	alice := filepath.Join(keys, "alice")
	pub := sshKeygen(t, alice, "")
	mallory := filepath.Join(keys, "mallory")
	sshKeygen(t, mallory, "")
	writeTestFile(t, filepath.Join(dir, "allowed_signers"), "alice@example.com "+pub+"\n")
	writeTestFile(t, filepath.Join(dir, "rehearse.yaml"), "apiVersion: rehearse/v1\nkind: Policy\ntypes:\n  data_bearing: [terraform_data]\nenvironments:\n  rules:\n    - {address: \"terraform_data.*\", environment: prod}\napprovals:\n  allowed_signers: allowed_signers\n  forbid_self: true\n")
	ev := hookEvent(t, "claude", "terraform apply -auto-approve", dir)

	code, out, errw := runCLI(t, ev, "hook", "claude")
	got, reason := verdictOf(t, "claude", code, out, errw)
	if got != "deny" || !strings.Contains(reason, "--sign-key") {
		t.Fatalf("before approval: %s, want a deny asking for a signed approval: %s", got, reason)
	}
	approvals := filepath.Join(dir, ".rehearse", "approvals.yaml")

	// mallory's key is not listed for alice: rehearse approve refuses it.
	if code, out, errw := runCLI(t, "", approveArgs(t, reason, "alice@example.com", mallory)...); code == 0 {
		t.Fatalf("approve with a key not listed: exit 0\n%s%s", out, errw)
	}
	// A hand-written, unsigned approval for the same change is void.
	id := regexp.MustCompile(`RH-[0-9a-f]{10}`).FindString(reason)
	fp := regexp.MustCompile(`sha256:[0-9a-f]{64}`).FindString(reason)
	writeTestFile(t, approvals, "apiVersion: rehearse/v1\nkind: Approvals\napprovals:\n  - finding: "+id+"\n    fingerprint: "+fp+"\n    by: alice@example.com\n    at: "+time.Now().UTC().Format(time.RFC3339)+"\n    reason: fine\n    rollback: none\n")
	code, out, errw = runCLI(t, ev, "hook", "claude")
	if got, reason := verdictOf(t, "claude", code, out, errw); got != "deny" {
		t.Fatalf("unsigned approval: %s, want deny: %s", got, reason)
	}
	if err := os.Remove(approvals); err != nil {
		t.Fatal(err)
	}

	if code, out, errw := runCLI(t, "", approveArgs(t, reason, "alice@example.com", alice)...); code != 0 {
		t.Fatalf("approve: exit %d\n%s%s", code, out, errw)
	}
	code, out, errw = runCLI(t, ev, "hook", "claude")
	if got, reason := verdictOf(t, "claude", code, out, errw); got != "allow" {
		t.Fatalf("signed by alice, an allowed signer and no author of the agent's change: %s, want allow: %s", got, reason)
	}
}

// TestHookPlainLineStillHonoursRules: a plain line (ls) is answered
// without reading a policy only when there is none; a rule in the
// repository's policy ($REHEARSE_POLICY too) or in the base policy still
// decides it.
func TestHookPlainLineStillHonoursRules(t *testing.T) {
	const rule = "apiVersion: rehearse/v1\nkind: Policy\nguard:\n  rules:\n    - {match: \"ls -la\", decision: deny, reason: lists too much}\n"
	plain, repo, alt, base := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	writeTestFile(t, filepath.Join(repo, "rehearse.yaml"), rule)
	writeTestFile(t, filepath.Join(alt, ".rehearse", "policy.yaml"), rule)
	writeTestFile(t, filepath.Join(base, "base.yaml"), rule)
	tests := []struct {
		dir  string
		args []string
		want string
	}{
		{plain, nil, "allow"},
		{repo, nil, "deny"},
		{alt, nil, "deny"},
		{plain, []string{"--base-policy", filepath.Join(base, "base.yaml")}, "deny"},
		{plain, []string{"REHEARSE_POLICY=" + filepath.Join(base, "base.yaml")}, "deny"},
	}
	for _, tt := range tests {
		if len(tt.args) == 1 && strings.HasPrefix(tt.args[0], "REHEARSE_POLICY=") {
			t.Setenv("REHEARSE_POLICY", strings.TrimPrefix(tt.args[0], "REHEARSE_POLICY="))
			tt.args = nil
		}
		code, out, errw := runCLI(t, hookEvent(t, "claude", "ls -la", tt.dir), append([]string{"hook", "claude"}, tt.args...)...)
		if got, reason := verdictOf(t, "claude", code, out, errw); got != tt.want || tt.want == "deny" && !strings.Contains(reason, "lists too much") {
			t.Errorf("%s %v: %s (%s), want %s", tt.dir, tt.args, got, reason, tt.want)
		}
	}
}

// TestHookRepositoryPolicyCannotWeakenTheGuard: the repository's
// rehearse.yaml comes with the change (an agent can write it). What it
// adds counts; what it weakens does not let a command through that the
// base policy stops.
func TestHookRepositoryPolicyCannotWeakenTheGuard(t *testing.T) {
	tests := []struct {
		policy, cmd, want string
	}{
		{"guard:\n  rules:\n    - {match: kubectl, decision: allow}\n", "kubectl delete ns prod", "deny"},
		{"guard:\n  protected_context: ask\n", "helm uninstall api --namespace production", "deny"},
		{"guard:\n  rules:\n    - {match: \"curl -X DELETE\", decision: deny, reason: deletes through the API}\n", "curl -X DELETE https://api.internal/v1/db", "deny"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		writeTestFile(t, filepath.Join(dir, "rehearse.yaml"), "apiVersion: rehearse/v1\nkind: Policy\n"+tt.policy)
		code, out, errw := runCLI(t, hookEvent(t, "claude", tt.cmd, dir), "hook", "claude")
		if got, reason := verdictOf(t, "claude", code, out, errw); got != tt.want {
			t.Errorf("%q under %q: %s (%s), want %s", tt.cmd, tt.policy, got, reason, tt.want)
		}
	}
}
