package verdict

import (
	"testing"

	"github.com/rehearse-dev/rehearse/change"
)

// TestRollbackRecoverability: a finding on an observed change whose
// rehearsed rollback restored everything says so in its recoverability,
// and keeps its rule and severity; a rollback that did not restore, or none,
// leaves the recoverability the data loss gives.
func TestRollbackRecoverability(t *testing.T) {
	lost := func(rb *change.Rollback) change.Set {
		r := res("docker_container.db", "docker_container", change.Replace, map[string]string{"env": "prod"})
		r.Observed = &change.Observation{BeforeID: "a", AfterID: "b", Data: []change.DataDelta{{Path: "orders", Unit: "rows", BeforeFiles: 1204}}}
		return change.Set{Managed: 3, Resources: []change.Resource{r}, Rollback: rb}
	}
	cases := []struct {
		name    string
		rb      *change.Rollback
		recover string
	}{
		{"no rollback", nil, Unrecoverable},
		{"rollback restores", &change.Rollback{Restores: true}, Rehearsed},
		{"rollback does not restore", &change.Rollback{Data: []change.DataDelta{{Path: "orders", Unit: "rows", BeforeFiles: 1204}}}, Unrecoverable},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := Evaluate(lost(c.rb), DefaultPolicy(), Options{})
			if v.Decision != Block || len(v.Findings) == 0 {
				t.Fatalf("decision %s with %d findings, want a block", v.Decision, len(v.Findings))
			}
			f := v.Findings[0]
			if f.Rule != RuleObservedDataLoss || f.Severity != SeverityBlock {
				t.Errorf("rule %s severity %s, want %s block", f.Rule, f.Severity, RuleObservedDataLoss)
			}
			if f.Recoverability != c.recover {
				t.Errorf("recoverability %q, want %q", f.Recoverability, c.recover)
			}
		})
	}
}
