package verdict

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testFP = "sha256:6d5d5ae2aff87a1b10c0d585e40b214f741f8d6ff691415efc7f49a35c4d9206"

func validApproval() Approval {
	return Approval{
		Finding:     "RH-673cbe987e",
		Fingerprint: testFP,
		By:          "alice",
		At:          "2026-11-27T10:00:00Z",
		Reason:      "planned migration",
		Rollback:    "restore snapshot rds-2026-11-27",
	}
}

func TestParseApprovals(t *testing.T) {
	entry := func(fp string) string {
		return "apiVersion: rehearse/v1\nkind: Approvals\napprovals:\n" +
			"  - finding: RH-673cbe987e\n    fingerprint: " + fp + "\n    by: alice\n" +
			"    at: 2026-11-27T10:00:00Z\n    reason: planned\n    rollback: restore\n"
	}
	tests := []struct {
		name    string
		in      string
		want    int
		wantErr string
	}{
		{"valid", entry(testFP), 1, ""},
		{"no entries", "apiVersion: rehearse/v1\nkind: Approvals\napprovals: []\n", 0, ""},
		{"empty", "", 0, "empty approvals file"},
		{"not yaml", "{{{", 0, "approvals.yaml"},
		{"wrong kind", "apiVersion: rehearse/v1\nkind: Policy\n", 0, `kind is "Policy"`},
		{"wrong version", "apiVersion: rehearse/v0\nkind: Approvals\n", 0, "unsupported apiVersion"},
		{"unknown key", entry(testFP) + "    extra: 1\n", 0, "extra"},
		// A fingerprint edited by hand is the tampering the format guards against.
		{"tampered fingerprint", entry(testFP[:len(testFP)-1]), 0, "not sha256:"},
		{"uppercase fingerprint", entry(strings.ToUpper(testFP)), 0, "not sha256:"},
		{"second document", entry(testFP) + "---\napiVersion: rehearse/v1\n", 0, "more than one"},
		{"bad time", strings.Replace(entry(testFP), "2026-11-27T10:00:00Z", "yesterday", 1), 0, "RFC 3339"},
		{"no rollback", strings.Replace(entry(testFP), "rollback: restore", "rollback: ''", 1), 0, "rollback is empty"},
		{"bad finding", strings.Replace(entry(testFP), "RH-673cbe987e", "RH-1", 1), 0, "not a finding id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseApprovals("approvals.yaml", []byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Fatalf("got %d approvals, want %d", len(got), tt.want)
			}
		})
	}
}

func TestAppendApproval(t *testing.T) {
	file := filepath.Join(t.TempDir(), "nested", "approvals.yaml")
	a := validApproval()
	if err := AppendApproval(file, a); err != nil {
		t.Fatal(err)
	}
	// A reviewer's comment must survive the next append.
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(b, []byte("# keep me\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	b2 := a
	b2.Finding = "RH-8a231c3eed"
	b2.Reason = "quote \" and <tag> and\nnewline"
	if err := AppendApproval(file, b2); err != nil {
		t.Fatal(err)
	}
	got, err := LoadApprovals(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != a || got[1] != b2 {
		t.Fatalf("got %+v", got)
	}
	raw, _ := os.ReadFile(file)
	if !strings.Contains(string(raw), "# keep me") {
		t.Errorf("comment lost:\n%s", raw)
	}

	bad := a
	bad.Rollback = " "
	if err := AppendApproval(file, bad); err == nil {
		t.Error("an approval without a rollback plan was written")
	}
	if err := os.WriteFile(file, []byte("approvals: [oops"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendApproval(file, a); err == nil {
		t.Error("appended to a malformed file")
	}
}

func TestLoadApprovalsMissing(t *testing.T) {
	if _, err := LoadApprovals(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Fatal("a missing approvals file must fail closed")
	}
}

func TestApplyApprovals(t *testing.T) {
	other := "sha256:" + strings.Repeat("0", 64)
	a := validApproval()
	void := a
	void.Fingerprint = other
	tests := []struct {
		name             string
		approvals        []Approval
		approved, voided bool
	}{
		{"none", nil, false, false},
		{"same change", []Approval{a}, true, false},
		{"other change", []Approval{void}, false, true},
		{"both", []Approval{void, a}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := []Finding{{ID: a.Finding, Severity: SeverityBlock}}
			applyApprovals(fs, tt.approvals, testFP)
			if (fs[0].Approval != nil) != tt.approved || (len(fs[0].VoidApprovals) > 0) != tt.voided {
				t.Fatalf("approval %v void %v", fs[0].Approval, fs[0].VoidApprovals)
			}
			if tt.approved && fs[0].Effective() != "" {
				t.Error("an approved finding still counts")
			}
		})
	}
}

func TestAppendApprovalAllOrNothing(t *testing.T) {
	file := filepath.Join(t.TempDir(), "approvals.yaml")
	good, bad := validApproval(), validApproval()
	bad.Fingerprint = "sha256:short"
	if err := AppendApproval(file, good, bad); err == nil {
		t.Fatal("appended a batch with an invalid approval")
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a refused batch wrote part of itself")
	}
	second := good
	second.Finding = "RH-8a231c3eed"
	if err := AppendApproval(file, good, second); err != nil {
		t.Fatal(err)
	}
	if got, err := LoadApprovals(file); err != nil || len(got) != 2 {
		t.Fatalf("got %d approvals, %v", len(got), err)
	}
}
