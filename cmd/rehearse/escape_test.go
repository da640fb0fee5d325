package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evilKey is an instance key that would clear the screen, draw a hidden
// hyperlink, reverse the text after it and hide a character, were it
// printed as it is.
const evilKey = "\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J\u202etxt.exe\u2066\u200b"

// evilPlan writes a plan replacing a production database whose address,
// index and values carry evilKey, with actions as given.
func evilPlan(t *testing.T, dir, name string, actions ...string) string {
	t.Helper()
	plan := map[string]any{
		"format_version": "1.2", "terraform_version": "1.5.7",
		"resource_changes": []any{map[string]any{
			"address": `aws_db_instance.db["` + evilKey + `"]`, "mode": "managed", "type": "aws_db_instance", "name": "db",
			"index": evilKey, "provider_name": "registry.terraform.io/hashicorp/aws",
			"change": map[string]any{
				"actions":       actions,
				"before":        map[string]any{"engine": evilKey, "tags": map[string]any{"env": "prod", "note": evilKey}},
				"after":         map[string]any{"engine": evilKey + "2", "tags": map[string]any{"env": "prod", "note": evilKey}},
				"after_unknown": map[string]any{}, "replace_paths": [][]string{{"engine"}},
			},
		}},
	}
	b, err := json.Marshal(plan)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkInert fails if s holds ESC, BEL or another control character other
// than a line break, a bidi control or a zero-width character.
func checkInert(t *testing.T, what, s string) {
	t.Helper()
	for i, r := range s {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r >= 0x200b && r <= 0x200f, r == 0x2060, r == 0xfeff:
			t.Errorf("%s: raw %U at byte %d: %q", what, r, i, s[max(0, i-20):min(len(s), i+20)])
			return
		}
	}
}

// TestPlanHostileNames runs rehearse plan on a plan whose names carry
// terminal escapes, a bidi override and a zero-width space, in every
// format, and on the error paths that quote them: nothing reaches stdout,
// stderr or a report file raw, and the names stay visible, spelled out.
func TestPlanHostileNames(t *testing.T) {
	dir := t.TempDir()
	plan := evilPlan(t, dir, "evil.json", "delete", "create")
	visible := `\x1b]8;;http://evil.example\x07click\x1b]8;;\x07\x1b[2J\u202etxt.exe\u2066\u200b`

	t.Run("text", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "plan", plan)
		if code != exitBlock {
			t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
		}
		checkInert(t, "stdout", out)
		checkInert(t, "stderr", errOut)
		if !strings.Contains(out, visible) {
			t.Errorf("stdout does not spell the key out:\n%s", out)
		}
	})

	t.Run("reports", func(t *testing.T) {
		files := map[string]string{}
		args := []string{"plan", "--format", "markdown"}
		for _, f := range []string{"markdown", "sarif", "junit", "json"} {
			files[f] = filepath.Join(dir, "out."+f)
			args = append(args, "--output", f+"="+files[f])
		}
		code, out, errOut := runCLI(t, "", append(args, plan)...)
		if code != exitBlock {
			t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
		}
		checkInert(t, "stdout", out)
		checkInert(t, "stderr", errOut)
		for f, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if f == "json" {
				// JSON keeps values exact: encoding/json escapes the
				// control characters, and the key decodes whole.
				if strings.ContainsAny(string(b), "\x1b\x07") {
					t.Errorf("json: a raw control character in %s", b)
				}
				var v struct{ Findings []struct{ Address string } }
				if err := json.Unmarshal(b, &v); err != nil || len(v.Findings) == 0 || v.Findings[0].Address != `aws_db_instance.db["`+evilKey+`"]` {
					t.Errorf("json address %+v (%v), want the exact address", v.Findings, err)
				}
				continue
			}
			checkInert(t, f, string(b))
		}
	})

	t.Run("errors", func(t *testing.T) {
		bad := evilPlan(t, dir, "bad.json", "obliterate")
		// A file name cannot hold the slashes of the URL.
		missing := filepath.Join(dir, "gone"+strings.ReplaceAll(evilKey, "/", "_")+".json")
		for _, args := range [][]string{{"plan", bad}, {"plan", missing}, {"plan", "--policy", missing, plan}} {
			code, out, errOut := runCLI(t, "", args...)
			if code != exitCannot {
				t.Fatalf("%q: exit %d, want 2; stderr %q", args, code, errOut)
			}
			checkInert(t, "stdout", out)
			checkInert(t, "stderr", errOut)
			if !strings.HasPrefix(errOut, "rehearse: ") || strings.Count(errOut, "\n") != 1 ||
				!strings.Contains(strings.ReplaceAll(errOut, "_", "/"), visible) {
				t.Errorf("%q: stderr %q, want one line with the name spelled out", args, errOut)
			}
		}
	})
}
