package approval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testFP = "sha256:6d5d5ae2aff87a1b10c0d585e40b214f741f8d6ff691415efc7f49a35c4d9206"

func validEntry() Entry {
	return Entry{
		Finding:     "RH-673cbe987e",
		Fingerprint: testFP,
		By:          "alice@example.com",
		At:          "2026-11-27T10:00:00Z",
		Reason:      "planned migration",
		Rollback:    "restore snapshot rds-2026-11-27",
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
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
		{"with expiry", entry(testFP) + "    expires: 2026-11-30T10:00:00Z\n", 1, ""},
		{"no entries", "apiVersion: rehearse/v1\nkind: Approvals\napprovals: []\n", 0, ""},
		{"empty", "", 0, "approvals.yaml: line 1: the file is empty"},
		{"not yaml", "{{{", 0, "approvals.yaml"},
		{"wrong kind", "apiVersion: rehearse/v1\nkind: Policy\n", 0, `kind is "Policy"`},
		{"wrong version", "apiVersion: rehearse/v0\nkind: Approvals\n", 0, "unsupported apiVersion"},
		{"unknown key", entry(testFP) + "    extra: 1\n", 0, "extra"},
		// A fingerprint edited by hand is the tampering the format guards against.
		{"tampered fingerprint", entry(testFP[:len(testFP)-1]), 0, "not sha256:"},
		{"uppercase fingerprint", entry(strings.ToUpper(testFP)), 0, "not sha256:"},
		{"second document", entry(testFP) + "---\napiVersion: rehearse/v1\n", 0, "approvals.yaml: line 10: a second YAML document"},
		{"bad time", strings.Replace(entry(testFP), "2026-11-27T10:00:00Z", "yesterday", 1), 0, "RFC 3339"},
		{"bad expiry", entry(testFP) + "    expires: 72h\n", 0, "expires"},
		{"no rollback", strings.Replace(entry(testFP), "rollback: restore", "rollback: ''", 1), 0, "rollback is empty"},
		{"bad finding", strings.Replace(entry(testFP), "RH-673cbe987e", "RH-1", 1), 0, "not a finding id"},
		{"not a signature", entry(testFP) + "    signature: yes\n", 0, "armored SSH signature"},
		{"garbled signature", entry(testFP) + "    signature: |\n      -----BEGIN SSH SIGNATURE-----\n      U1NIU0lH\n      -----END SSH SIGNATURE-----\n", 0, "not an SSH signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("approvals.yaml", []byte(tt.in))
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

func TestAppend(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "nested", "approvals.yaml")
	a := validEntry()
	if err := Append(file, a); err != nil {
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
	b2.Reason = "quote \" and <tag> and\nnewline  \n\ttab"
	b2.Expires = "2026-11-30T10:00:00Z"
	if err := Append(file, b2); err != nil {
		t.Fatal(err)
	}
	got, err := Load(file)
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
	if err := Append(file, bad); err == nil {
		t.Error("an approval without a rollback plan was written")
	}
	if err := os.WriteFile(file, []byte("approvals: [oops"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Append(file, a); err == nil {
		t.Error("appended to a malformed file")
	}
}

func TestLoadMissing(t *testing.T) {
	t.Parallel()
	if _, err := Load(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Fatal("a missing approvals file must fail closed")
	}
}

func TestAppendAllOrNothing(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "approvals.yaml")
	good, bad := validEntry(), validEntry()
	bad.Fingerprint = "sha256:short"
	if err := Append(file, good, bad); err == nil {
		t.Fatal("appended a batch with an invalid approval")
	}
	if _, err := os.Stat(file); err == nil {
		t.Fatal("a refused batch wrote part of itself")
	}
	second := good
	second.Finding = "RH-8a231c3eed"
	if err := Append(file, good, second); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(file); err != nil || len(got) != 2 {
		t.Fatalf("got %d approvals, %v", len(got), err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Approvals\napprovals:\n  - finding: RH-673cbe987e\n    fingerprint: " + testFP +
		"\n    by: alice\n    at: 2026-11-27T10:00:00Z\n    reason: r\n    rollback: r\n    expires: 2026-11-28T10:00:00Z\n"))
	f.Add([]byte("apiVersion: rehearse/v1\nkind: Approvals\napprovals: []\n"))
	f.Add([]byte("approvals: [oops"))
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := Parse("fuzz.yaml", b)
		if err != nil {
			return
		}
		// Whatever parses is valid and has a canonical message.
		for i := range entries {
			if err := entries[i].Validate(); err != nil {
				t.Fatalf("parsed an invalid entry: %v", err)
			}
			if _, ok := Message(&entries[i]); !ok {
				t.Fatalf("parsed an entry without a message: %+v", entries[i])
			}
		}
	})
}
