package approval

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/golden"
)

// TestParseErrors pins the messages of broken approvals files in
// testdata/errors.golden: each names the file, the line and the key as the
// file spells it, and every problem of the file is listed at once.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	head := "apiVersion: rehearse/v1\nkind: Approvals\napprovals:\n"
	entry := "  - finding: RH-673cbe987e\n    fingerprint: " + testFP + "\n    by: alice\n" +
		"    at: 2026-11-27T10:00:00Z\n    reason: planned\n    rollback: restore\n"
	cases := []struct{ name, in string }{
		{"empty", ""},
		{"not yaml", "{{{"},
		{"unknown top key", head + entry + "approval: []\n"},
		{"unknown entry key", head + entry + "    expiry: 2026-12-01T00:00:00Z\n"},
		{"duplicate key", head + entry + "    by: mallory\n"},
		{"approvals not a list", head[:len(head)-1] + " RH-673cbe987e\n"},
		{"entry not a mapping", head + "  - RH-673cbe987e\n"},
		{"reason a list", head + "  - finding: RH-673cbe987e\n    reason: [a, b]\n"},
		{"second document", head + entry + "---\n" + head},
		{"wrong kind and version", "apiVersion: rehearse/v0\nkind: Policy\n"},
		{"two bad entries", head + entry + entry[:len(entry)-len("    rollback: restore\n")] + "  - finding: RH-1\n"},
	}
	var out bytes.Buffer
	for _, c := range cases {
		_, err := Parse("approvals.yaml", []byte(c.in))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		fmt.Fprintf(&out, "## %s\n%s\n\n", c.name, err)
	}
	golden.Check(t, "testdata/errors.golden", out.Bytes())
}
