package verdict

import (
	"strings"
	"testing"
)

const testFP = "sha256:6d5d5ae2aff87a1b10c0d585e40b214f741f8d6ff691415efc7f49a35c4d9206"

func TestApplyApprovals(t *testing.T) {
	a := Approval{Finding: "RH-673cbe987e", Fingerprint: testFP, By: "alice", At: "2026-11-27T10:00:00Z",
		Reason: "planned migration", Rollback: "restore snapshot rds-2026-11-27"}
	other := a
	other.Fingerprint = "sha256:" + strings.Repeat("0", 64)
	unsigned := a
	unsigned.Void = "unsigned: the policy requires a signature"
	elsewhere := a
	elsewhere.Finding = "RH-8a231c3eed"
	tests := []struct {
		name      string
		approvals []Approval
		approved  bool
		void      []string // the reasons, in order
	}{
		{"none", nil, false, nil},
		{"same change", []Approval{a}, true, nil},
		{"other change", []Approval{other}, false, []string{"another change (sha256:000"}},
		{"both", []Approval{other, a}, true, []string{"another change"}},
		{"voided before", []Approval{unsigned}, false, []string{"unsigned"}},
		{"voided and valid", []Approval{unsigned, a}, true, []string{"unsigned"}},
		{"other finding", []Approval{elsewhere}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []Finding{{ID: a.Finding, Severity: SeverityBlock}}
			applyApprovals(fs, tt.approvals, testFP)
			if (fs[0].Approval != nil) != tt.approved || len(fs[0].VoidApprovals) != len(tt.void) {
				t.Fatalf("approval %v void %v", fs[0].Approval, fs[0].VoidApprovals)
			}
			for i, want := range tt.void {
				if !strings.Contains(fs[0].VoidApprovals[i].Void, want) {
					t.Errorf("void[%d] = %q, want %q in it", i, fs[0].VoidApprovals[i].Void, want)
				}
			}
			if tt.approved && (fs[0].Effective() != "" || fs[0].Approval.Void != "") {
				t.Error("an approved finding still counts")
			}
		})
	}
}
