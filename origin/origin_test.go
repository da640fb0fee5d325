package origin

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/verdict"
)

var rules = Rules{
	Trailers: []string{"Co-authored-by", "Generated-by", "Assisted-by"},
	Agents:   []string{"claude", "copilot", "cursor", "[bot]"},
}

// gitEnv keeps the developer's own git configuration (signing, hooks,
// templates, mailmap) out of the temporary repositories.
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

func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
}

// repo is a temporary repository on branch main.
type repo struct {
	t   *testing.T
	env []string
	dir string
}

func newRepo(t *testing.T, env []string) *repo {
	r := &repo{t: t, env: env, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its trimmed output.
func (r *repo) git(args ...string) string {
	r.t.Helper()
	return r.gitEnv(nil, args...)
}

func (r *repo) gitEnv(extra []string, args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-C", r.dir, "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Env = append(append([]string(nil), r.env...), extra...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit makes an empty commit; committer "" is the environment's CI.
// It returns the commit's hash.
func (r *repo) commit(author, committer, message string) string {
	r.t.Helper()
	var extra []string
	if committer != "" {
		name, email, _ := strings.Cut(strings.TrimSuffix(committer, ">"), " <")
		extra = []string{"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email}
	}
	r.gitEnv(extra, "commit", "-q", "--allow-empty", "--author", author, "-m", message)
	return r.git("rev-parse", "HEAD")
}

const (
	human  = "Dana Human <dana@example.com>"
	claude = "Claude <noreply@anthropic.com>"
)

// TestDetectEvasions builds, for each way an AI-written change can look
// human to a reader of HEAD's last paragraph, a repository that does it,
// and checks that it is caught; the controls must stay human.
func TestDetectEvasions(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	tests := []struct {
		name string
		// setup builds the repository and returns the range to read
		// ("" for HEAD only) and the commit that must decide.
		setup   func(r *repo) (rng, decider string)
		ai      bool
		decided string
	}{
		{"no trailer, the author is an agent", func(r *repo) (string, string) {
			return "", r.commit(claude, "", "fix rounding")
		}, true, "author Claude <noreply@anthropic.com> on HEAD "},
		{"trailer in a middle paragraph", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix rounding\n\nCo-authored-by: Claude <noreply@anthropic.com>\n\nThe last paragraph is prose, so git sees no trailer.")
		}, true, "trailer Co-authored-by: Claude"},
		{"homoglyph in a trailer value", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nCo-authored-by: Cl\u0430ude <noreply@example.com>") // Cyrillic а
		}, true, `matching agent "claude" after Unicode normalization`},
		{"homoglyph in a trailer key", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nCo-\u0430uthored-by: Claude <noreply@anthropic.com>")
		}, true, "trailer Co-\u0430uthored-by: Claude"},
		{"zero-width character in the author's name", func(r *repo) (string, string) {
			return "", r.commit("Cla\u200bude <assistant@example.com>", "", "fix")
		}, true, "author Cla<U+200B>ude <assistant@example.com>"},
		{"fullwidth letters", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nGenerated-by: \uff23\uff55\uff52\uff53\uff4f\uff52") // Ｃｕｒｓｏｒ
		}, true, `matching agent "cursor" after Unicode normalization`},
		{"trailer key in other case, spaced", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nCO-AUTHORED-BY :  claude")
		}, true, "trailer CO-AUTHORED-BY: claude"},
		{"trailer value folded onto the next line", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nAssisted-by: Sam Person and\n  GitHub Copilot")
		}, true, "trailer Assisted-by: Sam Person and GitHub Copilot"},
		{"the committer, not the author, is the agent", func(r *repo) (string, string) {
			return "", r.commit(human, "Cursor Agent <agent@example.com>", "fix")
		}, true, "committer Cursor Agent <agent@example.com> on HEAD "},
		{"AI commit with a human commit on top", func(r *repo) (string, string) {
			base := r.commit(human, "", "base")
			ai := r.commit(human, "", "rename\n\nCo-authored-by: Claude <noreply@anthropic.com>")
			r.commit(human, "", "tidy")
			return base + "..HEAD", ai
		}, true, "; 1 of 2 commits marked"},
		{"AI commit brought in by a merge", func(r *repo) (string, string) {
			r.commit(human, "", "base")
			r.git("branch", "base")
			r.git("checkout", "-q", "-b", "side")
			ai := r.commit(claude, "", "rename")
			r.git("checkout", "-q", "main")
			r.commit(human, "", "unrelated")
			r.gitEnv([]string{"GIT_AUTHOR_NAME=Dana Human", "GIT_AUTHOR_EMAIL=dana@example.com"}, "merge", "-q", "--no-ff", "-m", "merge side", "side")
			return "base..HEAD", ai
		}, true, "; 1 of 3 commits marked"},

		// Controls.
		{"human co-author", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nCo-authored-by: Sam Person <sam@example.com>")
		}, false, "no AI trailer or agent author on HEAD "},
		// An agent named in prose decides nothing: only a Key: value line
		// with a wanted key claims authorship.
		{"agent in the body only", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix the claude integration\n\nNote: copilot settings moved\n\nSigned-off-by: Dana Human <dana@example.com>")
		}, false, "no AI trailer"},
		{"unlisted trailer", func(r *repo) (string, string) {
			return "", r.commit(human, "", "fix\n\nReviewed-by: Claude <noreply@anthropic.com>")
		}, false, "no AI trailer"},
		{"human names with accents", func(r *repo) (string, string) {
			return "", r.commit("Jana Novák <jana@example.cz>", "Ola Nordmann <ola@example.no>", "fix\n\nCo-authored-by: Zoë Ünal <zoe@example.org>")
		}, false, "nor an agent committer; origin.unknown: human"},
		{"HEAD only misses the commit below", func(r *repo) (string, string) {
			r.commit(claude, "", "rename")
			return "", r.commit(human, "", "tidy")
		}, false, "no AI trailer or agent author on HEAD "},
		{"the AI commit is in the base", func(r *repo) (string, string) {
			base := r.commit(claude, "", "rename")
			head := r.commit(human, "", "tidy")
			return base + "..HEAD", head
		}, false, "no AI trailer or agent author in 1 commit of "},
		{"empty range", func(r *repo) (string, string) {
			r.commit(claude, "", "rename")
			return "HEAD..HEAD", ""
		}, false, "no commits in HEAD..HEAD; origin.unknown: human"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRepo(t, env)
			rng, decider := tt.setup(r)
			g := Git{Dir: r.dir, Env: env}
			var got Result
			var err error
			if rng == "" {
				got, err = g.Detect(context.Background(), rules)
			} else {
				got, err = g.DetectRange(context.Background(), rng, rules)
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AI != tt.ai || got.Marked != tt.ai || !strings.Contains(got.DecidedBy, tt.decided) {
				t.Fatalf("got AI=%v marked=%v %q, want AI=%v and %q", got.AI, got.Marked, got.DecidedBy, tt.ai, tt.decided)
			}
			if got.Commit != decider {
				t.Errorf("Commit = %q, want %q", got.Commit, decider)
			}
			if (tt.ai || rng == "") && !strings.Contains(got.DecidedBy, decider[:12]) {
				t.Errorf("DecidedBy %q does not name commit %s", got.DecidedBy, decider[:12])
			}
		})
	}
}

// TestDetectDefaultAgents checks the shipped agent list against the
// controls: nothing in them may match once folded.
func TestDetectDefaultAgents(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	pol := verdict.DefaultPolicy()
	def := Rules{Trailers: pol.Origin.Trailers, Agents: pol.Origin.Agents}
	tests := []struct {
		author, message string
		ai              bool
	}{
		{human, "fix\n\nCo-authored-by: Sam Person <sam@example.com>", false},
		{"Ola Nordmann <ola@example.no>", "update the bucket policy\n\nSigned-off-by: Ola Nordmann <ola@example.no>", false},
		{human, "fix\n\nCo-authored-by: Kiro <kiro@example.com>", true},
		{human, "fix\n\nGenerated-by: Amazon\u00a0Q Developer", true},
		{human, "fix\n\nAssisted-by: W\u0456ndsurf", true},
		{"OpenHands <openhands@all-hands.dev>", "fix", true},
		{human, "fix\n\nCo-authored-by: Gemini Code Assist <gemini@example.com>", true},
		{human, "fix\n\nCo-authored-by: Replit Agent <agent@replit.com>", true},
	}
	for _, tt := range tests {
		r := newRepo(t, env)
		r.commit(tt.author, "", tt.message)
		got, err := Git{Dir: r.dir, Env: env}.Detect(context.Background(), def)
		if err != nil {
			t.Fatal(err)
		}
		if got.AI != tt.ai {
			t.Errorf("%s / %q: AI=%v (%s), want %v", tt.author, tt.message, got.AI, got.DecidedBy, tt.ai)
		}
	}
}

func TestDetectUnknown(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	r := newRepo(t, env)
	base := r.commit(human, "", "base")
	r.commit(human, "", "tidy")
	unk := rules
	unk.UnknownIsAI = true
	for _, rng := range []string{"", base + "..HEAD", "HEAD..HEAD"} {
		g := Git{Dir: r.dir, Env: env}
		got, err := g.DetectRange(context.Background(), rng, unk)
		if rng == "" {
			got, err = g.Detect(context.Background(), unk)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !got.AI || got.Marked || !strings.HasSuffix(got.DecidedBy, "; origin.unknown: ai") {
			t.Errorf("%q: AI=%v marked=%v %q, want AI from origin.unknown", rng, got.AI, got.Marked, got.DecidedBy)
		}
	}
}

func TestDetectAuthors(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	r := newRepo(t, env)
	base := r.commit(human, "", "base")
	r.commit("Dana Human <Dana@Example.COM>", "", "one")
	r.commit("Sam <s\u200bam@example.com>", "Dana <dana@example.com>", "two")
	got, err := Git{Dir: r.dir, Env: env}.DetectRange(context.Background(), base+"..HEAD", rules)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ci@example.com", "dana@example.com", "sam@example.com"}
	if !reflect.DeepEqual(got.Authors, want) || got.Commits != 2 {
		t.Errorf("Authors = %q, Commits = %d; want %q and 2", got.Authors, got.Commits, want)
	}
}

// TestDetectIgnoresMailmap: a .mailmap comes with the change, so it must
// not turn an agent into a person.
func TestDetectIgnoresMailmap(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := append(gitEnv(t), "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=log.mailmap", "GIT_CONFIG_VALUE_0=true")
	r := newRepo(t, env)
	if err := os.WriteFile(filepath.Join(r.dir, ".mailmap"), []byte("Dana Human <dana@example.com> Claude <noreply@anthropic.com>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.git("add", ".mailmap")
	r.gitEnv([]string{"GIT_AUTHOR_NAME=Claude", "GIT_AUTHOR_EMAIL=noreply@anthropic.com"}, "commit", "-q", "-m", "fix")
	got, err := Git{Dir: r.dir, Env: env}.Detect(context.Background(), rules)
	if err != nil || !got.AI {
		t.Fatalf("AI=%v %q, %v: the mailmap hid the agent", got.AI, got.DecidedBy, err)
	}
}

func TestDetectFailsClosed(t *testing.T) {
	t.Parallel()
	needGit(t)
	env := gitEnv(t)
	r := newRepo(t, env)
	r.commit(human, "", "base")
	noRepo := append(env, "GIT_CEILING_DIRECTORIES="+os.TempDir())
	tests := []struct {
		name string
		g    Git
		rng  string // "-" for HEAD only
		want string
	}{
		{"not a repository", Git{Dir: t.TempDir(), Env: noRepo}, "-", "cannot read the HEAD commit"},
		{"no commit yet", Git{Dir: newRepo(t, env).dir, Env: env}, "-", "cannot read the HEAD commit"},
		{"git missing", Git{Binary: filepath.Join(t.TempDir(), "no-git"), Env: env}, "-", "git is not installed"},
		{"range, not a repository", Git{Dir: t.TempDir(), Env: noRepo}, "main..HEAD", "cannot read the commits of main..HEAD"},
		{"range, unknown base", Git{Dir: r.dir, Env: env}, "origin/main..HEAD", "cannot read the commits of origin/main..HEAD"},
		{"range, git missing", Git{Binary: filepath.Join(t.TempDir(), "no-git"), Env: env}, "main..HEAD", "git is not installed"},
		{"not a range", Git{Dir: r.dir, Env: env}, "HEAD", "is not BASE..HEAD"},
		{"symmetric difference", Git{Dir: r.dir, Env: env}, "main...HEAD", "is not BASE..HEAD"},
		{"open-ended", Git{Dir: r.dir, Env: env}, "main..", "is not BASE..HEAD"},
		{"empty", Git{Dir: r.dir, Env: env}, "", "is not BASE..HEAD"},
		{"three ends", Git{Dir: r.dir, Env: env}, "a..b..c", "more than one"},
		{"an option for a base", Git{Dir: r.dir, Env: env}, "--output=/tmp/x..HEAD", `cannot start with "-"`},
		{"an option for a head", Git{Dir: r.dir, Env: env}, "main..-p", `cannot start with "-"`},
		{"a space", Git{Dir: r.dir, Env: env}, "main ..HEAD", "space or control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.rng == "-" {
				_, err = tt.g.Detect(context.Background(), rules)
			} else {
				_, err = tt.g.DetectRange(context.Background(), tt.rng, rules)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReadLogRejectsGarbage(t *testing.T) {
	t.Parallel()
	hash := strings.Repeat("a", 40)
	for _, out := range []string{
		"abc\x00",
		"abc\x00\x00a\x00a@x\x00c\x00c@x\x00\x00msg\x00",
		hash + "\x00\x00a\x00a@x\x00c\x00c@x\x00\x00msg", // no terminator
		hash + "\x00\x00a\x00a@x\x00c\x00c@x\x00",        // fields missing
		hash + "\x00zz\x00a\x00a@x\x00c\x00c@x\x00\x00msg\x00",
	} {
		if err := readLog(strings.NewReader(out), func(commit) {}); err == nil {
			t.Errorf("readLog(%q) succeeded", out)
		}
	}
	n := 0
	ok := hash + "\x00" + hash + " " + hash + "\x00a\x00a@x\x00c\x00c@x\x00\x00msg\x00"
	if err := readLog(strings.NewReader(ok+ok), func(commit) { n++ }); err != nil || n != 2 {
		t.Errorf("readLog of two commits: %d, %v", n, err)
	}
	if err := readLog(strings.NewReader(hash+"\x00\x00a\x00a@x\x00c\x00c@x\x00\x00"+strings.Repeat("x", maxField+1)+"\x00"), func(commit) {}); err == nil {
		t.Error("readLog took an oversized message")
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
