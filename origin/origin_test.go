package origin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var rules = Rules{
	Trailers: []string{"Co-authored-by", "Generated-by", "Assisted-by"},
	Agents:   []string{"claude", "copilot", "cursor", "[bot]"},
}

// gitEnv keeps the developer's own git configuration (signing, hooks,
// templates) out of the temporary repositories.
func gitEnv(t *testing.T) []string {
	home := t.TempDir()
	return append(os.Environ(),
		"HOME="+home,
		"XDG_CONFIG_HOME="+home,
		"GIT_CONFIG_GLOBAL="+filepath.Join(home, "gitconfig"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z",
		"GIT_COMMITTER_DATE=2026-01-01T00:00:00Z",
		"GIT_COMMITTER_NAME=CI",
		"GIT_COMMITTER_EMAIL=ci@example.com",
	)
}

func git(t *testing.T, env []string, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// commitRepo makes a repository whose HEAD has the given author and message.
func commitRepo(t *testing.T, env []string, author, message string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, env, dir, "init", "-q")
	git(t, env, dir, "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "--author", author, "-m", message)
	return dir
}

func TestDetect(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	env := gitEnv(t)
	const human = "Dana Human <dana@example.com>"
	tests := []struct {
		name    string
		author  string
		message string
		ai      bool
		decided string
	}{
		{"co-authored-by claude", human, "fix rounding\n\nCo-authored-by: Claude <noreply@anthropic.com>", true, "trailer Co-authored-by: Claude <noreply@anthropic.com>"},
		{"generated-by", human, "fix\n\nGenerated-by: GitHub Copilot", true, "trailer Generated-by: GitHub Copilot"},
		{"assisted-by", human, "fix\n\nAssisted-by: Cursor Agent <agent@cursor.sh>", true, "trailer Assisted-by: Cursor Agent"},
		{"trailer key in other case", human, "fix\n\nco-authored-by: Claude <noreply@anthropic.com>", true, "trailer co-authored-by: Claude"},
		{"agent author", "copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>", "fix", true, "author copilot-swe-agent[bot]"},
		{"human co-author", human, "fix\n\nCo-authored-by: Sam Person <sam@example.com>", false, "no AI trailer or agent author on HEAD "},
		{"human, no trailers", human, "fix rounding", false, "no AI trailer or agent author on HEAD "},
		// An agent named in the body but not in a trailer decides nothing:
		// prose is not a claim of authorship.
		{"agent in body only", human, "fix the claude integration\n\nSigned-off-by: Dana Human <dana@example.com>", false, "no AI trailer"},
		{"unlisted trailer", human, "fix\n\nReviewed-by: Claude <noreply@anthropic.com>", false, "no AI trailer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := commitRepo(t, env, tt.author, tt.message)
			got, err := Git{Dir: dir, Env: env}.Detect(context.Background(), rules)
			if err != nil {
				t.Fatal(err)
			}
			if got.AI != tt.ai || !strings.Contains(got.DecidedBy, tt.decided) {
				t.Fatalf("got AI=%v %q, want AI=%v and %q", got.AI, got.DecidedBy, tt.ai, tt.decided)
			}
			if len(got.Commit) < 40 || !strings.Contains(got.DecidedBy, "HEAD "+got.Commit[:12]) {
				t.Errorf("DecidedBy %q does not name HEAD %s", got.DecidedBy, got.Commit)
			}
		})
	}
}

func TestDetectFailsClosed(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	env := gitEnv(t)
	empty := t.TempDir()
	git(t, env, empty, "init", "-q")
	tests := []struct {
		name string
		g    Git
		want string
	}{
		{"not a repository", Git{Dir: t.TempDir(), Env: append(env, "GIT_CEILING_DIRECTORIES="+os.TempDir())}, "cannot read the HEAD commit"},
		{"no commit yet", Git{Dir: empty, Env: env}, "cannot read the HEAD commit"},
		{"git missing", Git{Binary: filepath.Join(t.TempDir(), "no-git"), Env: env}, "git is not installed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.g.Detect(context.Background(), rules)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDecideRejectsGarbage(t *testing.T) {
	for _, out := range []string{"", "abc", "0123456789abcdef\x00x"} {
		if _, err := Decide(out, rules); err == nil {
			t.Errorf("Decide(%q) succeeded", out)
		}
	}
}

func TestDetectWithoutGitOnPath(t *testing.T) {
	// exec looks the binary up in this process's PATH, not in Git.Env.
	t.Setenv("PATH", t.TempDir())
	_, err := Git{Dir: t.TempDir()}.Detect(context.Background(), rules)
	if err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Fatalf("err = %v", err)
	}
}
