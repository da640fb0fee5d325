package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// originRepo makes a repository whose history is a base commit, an
// AI-marked commit and a human commit on top, tagged base, and returns its
// directory and the AI commit's short hash. The environment is the test's,
// set by isolateGit.
func originRepo(t *testing.T) (dir, aiShort string) {
	t.Helper()
	dir = t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dana", "-c", "user.email=dana@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("commit", "-q", "--allow-empty", "-m", "base")
	git("tag", "base")
	git("commit", "-q", "--allow-empty", "-m", "rename\n\nCo-authored-by: Cl\u0430ude <noreply@anthropic.com>") // Cyrillic а
	ai := git("rev-parse", "HEAD")
	git("commit", "-q", "--allow-empty", "-m", "tidy")
	return dir, ai[:12]
}

// isolateGit keeps the developer's git configuration out of the test.
func isolateGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, "gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(home))
	t.Setenv("REHEARSE_ORIGIN", "")
}

// TestOriginRange runs `plan --origin auto` with and without
// --origin-range on a repository whose AI commit is under a human one: the
// range catches it and the rename plan's warnings escalate to a block;
// HEAD alone does not, and says so.
func TestOriginRange(t *testing.T) {
	isolateGit(t)
	plan, err := filepath.Abs("../../examples/plans/rename-without-moved.json")
	if err != nil {
		t.Fatal(err)
	}
	dir, aiShort := originRepo(t)
	policies := t.TempDir()
	writePolicy := func(name, body string) string {
		p := filepath.Join(policies, name)
		if err := os.WriteFile(p, []byte("apiVersion: rehearse/v1\nkind: Policy\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unknownAI := writePolicy("unknown-ai.yaml", "origin:\n  unknown: ai\n")
	unknownBad := writePolicy("unknown-bad.yaml", "origin:\n  unknown: robot\n")
	t.Chdir(dir)
	tests := []struct {
		name string
		args []string
		code int
		want []string // in stdout, or in stderr when code is 2
	}{
		{"range catches the commit under HEAD", []string{"--origin", "auto", "--origin-range", "base..HEAD"}, 1, []string{
			`"origin": "ai"`,
			`"decided_by": "trailer Co-authored-by: ` + "Cl\u0430ude" + ` \u003cnoreply@anthropic.com\u003e on commit ` + aiShort + ` in base..HEAD, matching agent \"claude\" after Unicode normalization; 1 of 2 commits marked (evidence, not proof: a signed approval is the guarantee)"`,
		}},
		{"HEAD only misses it and says so", []string{"--origin", "auto"}, 0, []string{
			`"origin": "human"`,
			`HEAD only; pass --origin-range for the whole pull request (evidence, not proof`,
		}},
		{"origin.unknown: ai decides when nothing is marked", []string{"--origin", "auto", "--origin-range", "HEAD~1..HEAD", "--policy", unknownAI}, 1, []string{
			`"origin": "ai"`, `in 1 commit of HEAD~1..HEAD, nor an agent committer; origin.unknown: ai (evidence`,
		}},
		{"origin.unknown: ai without --origin", []string{"--policy", unknownAI}, 1, []string{
			`"decided_by": "origin.unknown: ai, no --origin given (evidence`,
		}},
		{"REHEARSE_ORIGIN=auto takes the range too", []string{"--origin-range", "base..HEAD", "--origin", ""}, 1, []string{`on commit ` + aiShort}},
		{"a flag keeps its word", []string{"--origin", "human"}, 0, []string{`"decided_by": "--origin (evidence, not proof: a signed approval is the guarantee)"`}},
		{"unknown base", []string{"--origin", "auto", "--origin-range", "origin/main..HEAD"}, 2, []string{"--origin auto", "cannot read the commits of origin/main..HEAD"}},
		{"not a range", []string{"--origin", "auto", "--origin-range", "HEAD"}, 2, []string{"is not BASE..HEAD"}},
		{"an option for a base", []string{"--origin", "auto", "--origin-range", "--output=x..HEAD"}, 2, []string{`cannot start with "-"`}},
		{"range without auto", []string{"--origin", "ai", "--origin-range", "base..HEAD"}, 2, []string{"--origin-range needs --origin auto"}},
		{"bad origin.unknown", []string{"--origin", "auto", "--policy", unknownBad}, 2, []string{`origin.unknown: "robot"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "REHEARSE_ORIGIN=auto takes the range too" {
				t.Setenv("REHEARSE_ORIGIN", "auto")
			}
			args := append(append([]string{"plan", "--format", "json"}, tt.args...), plan)
			code, out, errs := runCLI(t, "", args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d:\n%.600s%s", code, tt.code, out, errs)
			}
			got := out
			if code == 2 {
				got = errs
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("no %q in:\n%.1200s", w, got)
				}
			}
		})
	}
}

// TestOriginRangeFlagEverywhere: every command that takes --origin takes
// --origin-range too, so approve judges the same change as the gate.
func TestOriginRangeFlagEverywhere(t *testing.T) {
	root := newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
	n := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("origin"); f != nil && strings.Contains(f.Usage, "auto") {
			n++
			if c.Flags().Lookup("origin-range") == nil {
				t.Errorf("%s has --origin auto but no --origin-range", c.CommandPath())
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 3 {
		t.Errorf("only %d commands take --origin auto; want plan, approve and sandbox run at least", n)
	}
}
