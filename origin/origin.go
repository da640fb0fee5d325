// Package origin decides whether a change was written by an AI coding agent
// or a person, from its commits: the trailers anywhere in each message
// (Co-authored-by, Generated-by, Assisted-by…) and each author and
// committer, compared after Unicode folding (see Fold), so a look-alike
// letter or an invisible character does not hide an agent's name.
//
// What it finds is evidence, not proof: a commit's author and message say
// whatever their writer typed. The guarantee is a signed approval; the
// origin only sets how strict the bar is before one is needed.
//
// It runs the git binary rather than reading the repository itself: git is
// already on every CI runner that has a checkout, it handles worktrees,
// alternates and partial clones exactly as `git log` does, and it costs no
// new dependency. It only reads: one `git log` with a fixed format, no
// signature verification, and neither .mailmap nor replace refs, which can
// come with the change and would rewrite who a commit names.
package origin

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"strings"
)

// Rules are what marks a commit as AI-written: the trailer keys to read
// and agent identities, matched as substrings of a trailer value or of an
// author's or committer's "Name <email>". Keys, values, identities and
// agents are all compared folded (see Fold).
type Rules struct {
	Trailers []string
	Agents   []string
	// UnknownIsAI is the policy's origin.unknown: ai. When no commit is
	// marked, the change counts as AI-written instead of human.
	UnknownIsAI bool
}

// Result is the origin of a change and what decided it.
type Result struct {
	AI bool
	// Marked reports whether a commit is marked as AI-written. When it is
	// false nothing was found either way, and AI is Rules.UnknownIsAI.
	Marked bool
	// Commit is the full hash of the commit that decided: the first marked
	// one in `git log` order, else the newest read ("" for an empty range).
	Commit string
	// Commits is how many commits were read.
	Commits int
	// DecidedBy says why, for the report: the trailer, author or committer
	// that matched and on which commit, or that nothing did.
	DecidedBy string
	// Authors are the e-mail addresses of every author and committer of
	// the commits read, normalized (NormalizeEmail), deduplicated and
	// sorted. They are as self-declared as the rest of a commit.
	Authors []string
}

// Git reads commits with the git binary.
type Git struct {
	// Binary is the git executable; "" means "git" on PATH.
	Binary string
	// Dir is the working tree to read from; "" means the current
	// directory.
	Dir string
	// Env, when set, replaces the environment git runs with (tests use it
	// to keep the user's configuration out).
	Env []string
}

// Detect reads the HEAD commit only, and applies the rules. Any failure
// (git missing, not a repository, no commit yet) is an error, never a
// guess: the caller must fail closed.
func (g Git) Detect(ctx context.Context, r Rules) (Result, error) {
	return g.detect(ctx, "", r)
}

// DetectRange reads every commit in rng, "BASE..HEAD": those reachable
// from HEAD and not from BASE, merges and the commits they bring in
// included, and applies the rules; any marked commit marks the change. A
// malformed or unknown range is an error, like any other git failure. An
// empty range (BASE is HEAD) is no evidence either way.
func (g Git) DetectRange(ctx context.Context, rng string, r Rules) (Result, error) {
	if err := CheckRange(rng); err != nil {
		return Result{}, err
	}
	return g.detect(ctx, rng, r)
}

// CheckRange reports whether rng has the form BASE..HEAD that DetectRange
// reads. Neither end may start with "-", so no end can be taken for an
// option of git.
func CheckRange(rng string) error {
	base, head, ok := strings.Cut(rng, "..")
	switch {
	case !ok || base == "" || head == "" || strings.HasPrefix(head, "."):
		return fmt.Errorf("origin: range %q is not BASE..HEAD", rng)
	case strings.Contains(head, ".."):
		return fmt.Errorf("origin: range %q has more than one \"..\"", rng)
	case strings.HasPrefix(base, "-") || strings.HasPrefix(head, "-"):
		return fmt.Errorf("origin: range %q: a revision cannot start with \"-\"", rng)
	case strings.ContainsFunc(rng, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return fmt.Errorf("origin: range %q has a space or control character", rng)
	}
	return nil
}

// Fields of one commit, NUL-separated, each commit NUL-terminated by -z.
// git cuts a message at its first NUL, so no field can hold one. The
// message is read whole for trailers anywhere in it; git's own trailer
// parse is read too, as it honours the repository's trailer separators.
const (
	format    = "%H%x00%P%x00%an%x00%ae%x00%cn%x00%ce%x00%(trailers:only,unfold)%x00%B"
	numFields = 8
	maxField  = 1 << 20
)

func (g Git) detect(ctx context.Context, rng string, r Rules) (Result, error) {
	bin := g.Binary
	if bin == "" {
		bin = "git"
	}
	args := []string{"--no-replace-objects", "log", "--no-show-signature", "--no-use-mailmap", "--no-color",
		"--encoding=UTF-8", "-z", "--format=" + format}
	what := "the HEAD commit (is this a git repository with a commit?)"
	if rng == "" {
		args = append(args, "-1", "--end-of-options", "HEAD", "--")
	} else {
		args = append(args, "--end-of-options", rng, "--")
		what = fmt.Sprintf("the commits of %s (is this a git repository, and are both ends fetched? a shallow clone lacks the base)", rng)
	}
	if g.Dir != "" {
		args = append([]string{"-C", g.Dir}, args...)
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if g.Env != nil {
		cmd.Env = g.Env
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, fmt.Errorf("origin: %w", err)
	}
	if err := cmd.Start(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return Result{}, fmt.Errorf("origin: git is not installed or not on PATH: %w", err)
		}
		return Result{}, fmt.Errorf("origin: cannot run git: %w", err)
	}
	d := newDecider(r, rng)
	perr := readLog(stdout, d.add)
	if perr != nil {
		cancel() // git may be blocked writing what is no longer read
	}
	werr := cmd.Wait()
	msg := strings.TrimSpace(stderr.String())
	switch {
	case parent.Err() != nil:
		return Result{}, fmt.Errorf("origin: %w", parent.Err())
	case perr != nil && msg != "":
		return Result{}, fmt.Errorf("origin: reading %s: %w (git: %s)", what, perr, msg)
	case perr != nil:
		return Result{}, fmt.Errorf("origin: reading %s: %w", what, perr)
	case werr != nil:
		if msg == "" {
			msg = werr.Error()
		}
		return Result{}, fmt.Errorf("origin: cannot read %s: %s", what, msg)
	case rng == "" && d.n == 0:
		return Result{}, fmt.Errorf("origin: cannot read %s: git printed no commit", what)
	}
	return d.result(), nil
}

// commit is one commit as the format prints it.
type commit struct {
	hash, parents              string
	authorName, authorEmail    string
	committerName, commitEmail string
	trailers, message          string
}

// readLog parses git log's output and hands each commit to add. Anything
// that does not have the shape of the format is an error: a misread would
// otherwise skip a commit.
func readLog(r io.Reader, add func(commit)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var f [numFields]string
	for {
		for i := range f {
			s, err := readField(br)
			if err == io.EOF && i == 0 && s == "" {
				return nil
			}
			if err == io.EOF {
				return errors.New("unexpected end of git log output")
			}
			if err != nil {
				return err
			}
			f[i] = s
		}
		c := commit{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]}
		if !isHash(c.hash) {
			return fmt.Errorf("unexpected git log output: commit %q", visible(c.hash))
		}
		for _, p := range strings.Fields(c.parents) {
			if !isHash(p) {
				return fmt.Errorf("unexpected git log output: parent %q of %s", visible(p), c.hash)
			}
		}
		add(c)
	}
}

// readField reads up to the next NUL, at most maxField bytes.
func readField(br *bufio.Reader) (string, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice(0)
		if len(buf)+len(chunk) > maxField {
			return "", fmt.Errorf("a field of git log output is over %d bytes", maxField)
		}
		buf = append(buf, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil:
			return string(buf), err
		}
		return string(buf[:len(buf)-1]), nil
	}
}

// isHash reports whether s is a full SHA-1 or SHA-256 object name.
func isHash(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
