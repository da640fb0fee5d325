package verdict

import (
	"strings"
	"testing"
	"time"
)

func TestParseAge(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"", 0, false},
		{"7d", 7 * 24 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"1h30m", 90 * time.Minute, false},
		{" 2d ", 48 * time.Hour, false},
		{"0d", 0, true},
		{"0", 0, true},
		{"-1h", 0, true},
		{"1.5d", 0, true},
		{"d", 0, true},
		{"7 days", 0, true},
		{"99999999d", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseAge(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestPolicyApprovals(t *testing.T) {
	if p := DefaultPolicy(); p.Approvals != (ApprovalPolicy{}) {
		t.Fatalf("approvals are on by default: %+v", p.Approvals)
	}
	p, err := ParsePolicy("rehearse.yaml", []byte("apiVersion: rehearse/v1\nkind: Policy\napprovals:\n"+
		"  allowed_signers: signers\n  require_signature: true\n  max_age: 7d\n  forbid_self: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := ApprovalPolicy{AllowedSigners: "signers", RequireSignature: true, MaxAge: "7d", ForbidSelf: true}
	if p.Approvals != want || !p.Approvals.Signed() || p.Approvals.MaxAgeDuration() != 7*24*time.Hour {
		t.Fatalf("got %+v", p.Approvals)
	}
	for in, msg := range map[string]string{
		"approvals:\n  max_age: soon\n":  "approvals.max_age",
		"approvals:\n  signers: x\n":     "signers",
		"approvals:\n  forbid_self: 2\n": "approvals.forbid_self: want true or false",
	} {
		if _, err := ParsePolicy("rehearse.yaml", []byte("apiVersion: rehearse/v1\nkind: Policy\n"+in)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: err = %v, want %q", in, err, msg)
		}
	}
}

// FuzzParseAge checks ParseAge never panics and accepts only positive
// durations.
func FuzzParseAge(f *testing.F) {
	for _, s := range []string{"7d", "36h", "1h30m", "", "0d", "-1h", "9223372036854775807ns", "18446744073709551615d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAge(s)
		if err == nil && strings.TrimSpace(s) != "" && d <= 0 {
			t.Fatalf("ParseAge(%q) = %v", s, d)
		}
	})
}
