package verdict

import (
	"slices"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// Each weakening of the base policy, alone, is named; strengthening is not.
func TestWeakenings(t *testing.T) {
	head := "apiVersion: rehearse/v1\nkind: Policy\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"protected env removed", "environments: {protected: [production, prd, live]}", `environments.protected: "prod" removed`},
		{"nothing protected", "environments: {protected: []}", `environments.protected: "prod" removed`},
		{"env key removed", "environments: {keys: [env]}", `environments.keys: "environment" removed`},
		{"exact matching", "environments: {match: exact}", "environments.match: token → exact"},
		{"module names off", "environments: {from_module_names: false}", "environments.from_module_names: true → false"},
		{"rule to an unprotected env", `environments: {rules: [{address: "*", environment: dev}]}`, `environments.rules[0]: assigns unprotected environment "dev"`},
		{"type ignored", "types: {ignore: [aws_db_instance]}", `types.ignore: "aws_db_instance" added`},
		{"max destructive raised", "thresholds: {max_destructive: 1000}", "thresholds.max_destructive: 10 → 1000"},
		{"share raised", "thresholds: {max_destructive_share: 0.9}", "thresholds.max_destructive_share: 0.25 → 0.9"},
		{"min for share raised", "thresholds: {min_destructive_for_share: 50}", "thresholds.min_destructive_for_share: 3 → 50"},
		{"ai escalation off", "origin: {ai_escalates: false}", "origin.ai_escalates: true → false"},
		{"agent removed", "origin: {agents: [copilot]}", `origin.agents: "claude" removed`},
		{"trailer removed", "origin: {trailers: [Co-authored-by]}", `origin.trailers: "Generated-by" removed`},
	}
	base := DefaultPolicy()
	strict, err := ParsePolicyOver(base, "base.yaml", []byte(head+"origin: {unknown: ai}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := ParsePolicyOver(strict, "rehearse.yaml", []byte(head+"origin: {unknown: human}\n")); err != nil || !slices.Contains(Weakenings(strict, p), "origin.unknown: ai → human") {
		t.Errorf("origin.unknown lowered: %v %q", err, Weakenings(strict, p))
	}
	signed, err := ParsePolicyOver(base, "base.yaml", []byte(head+"approvals: {allowed_signers: /etc/rehearse/allowed_signers, require_signature: true, max_age: 7d, forbid_self: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	for yaml, want := range map[string]string{
		"approvals: {allowed_signers: mine}":    "approvals.allowed_signers",
		"approvals: {require_signature: false}": "approvals.require_signature: true → false",
		"approvals: {max_age: 30d}":             "approvals.max_age: 7d → 30d",
		"approvals: {max_age: ''}":              "approvals.max_age: 7d → none",
		"approvals: {forbid_self: false}":       "approvals.forbid_self: true → false",
	} {
		p, err := ParsePolicyOver(signed, "rehearse.yaml", []byte(head+yaml+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := Weakenings(signed, p); len(got) != 1 || !strings.Contains(got[0], want) {
			t.Errorf("%s: got %q, want %q", yaml, got, want)
		}
	}
	if p, _ := ParsePolicyOver(signed, "rehearse.yaml", []byte(head+"approvals: {max_age: 1d}\n")); len(Weakenings(signed, p)) != 0 {
		t.Errorf("a shorter max_age is not a weakening: %q", Weakenings(signed, p))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePolicyOver(base, "rehearse.yaml", []byte(head+tt.yaml+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			got := Weakenings(base, p)
			found := false
			for _, w := range got {
				found = found || strings.Contains(w, tt.want)
			}
			if !found {
				t.Fatalf("weakenings %q, want one containing %q", got, tt.want)
			}
		})
	}
	for _, strong := range []string{
		"environments: {protected: [prod, production, prd, live, staging]}",
		`environments: {rules: [{address: "aws_*", environment: prod}]}`,
		"types: {data_bearing: [aws_instance]}",
		"thresholds: {max_destructive: 3, max_destructive_share: 0.1, min_destructive_for_share: 1}",
		"origin: {agents: ['" + strings.Join(append(DefaultPolicy().Origin.Agents, "mybot"), "', '") + "']}",
		"environments: {match: token}",
	} {
		p, err := ParsePolicyOver(base, "rehearse.yaml", []byte(head+strong+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := Weakenings(base, p); len(got) != 0 {
			t.Errorf("%s: strengthening reported as %q", strong, got)
		}
	}
	if len(base.Environments.Protected) != 4 {
		t.Fatalf("parsing over the base changed it: %v", base.Environments.Protected)
	}
}

// A weakened policy blocks the change, whatever else it does, until a
// human approves exactly that weakening.
func TestPolicyWeakenedBlocks(t *testing.T) {
	set := change.Set{Managed: 1, Resources: []change.Resource{{Address: "aws_instance.a", Type: "aws_instance", Name: "a", Mode: change.Managed, Action: change.Update}}}
	v := Evaluate(set, DefaultPolicy(), Options{Weakened: []string{`environments.protected: "prod" removed`}})
	if v.Decision != Block || len(v.Findings) != 1 || v.Findings[0].Rule != RulePolicyWeakened {
		t.Fatalf("got %s %+v", v.Decision, v.Findings)
	}
	id := v.Findings[0].ID
	v = Evaluate(set, DefaultPolicy(), Options{Weakened: []string{`environments.protected: "prod" removed`},
		Approvals: []Approval{{Finding: id, Fingerprint: v.Fingerprint, By: "lead", At: "2026-12-01T00:00:00Z", Reason: "r", Rollback: "r"}}})
	if v.Decision != Pass {
		t.Fatalf("approved weakening: %s", v.Decision)
	}
	other := Evaluate(set, DefaultPolicy(), Options{Weakened: []string{`types.ignore: "aws_db_instance" added`}})
	if other.Findings[0].ID == id {
		t.Fatal("two different weakenings share a finding id")
	}
}
