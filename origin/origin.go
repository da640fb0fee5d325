// Package origin decides whether a change was written by an AI coding agent
// or a person, from the HEAD commit of a git repository: its trailers
// (Co-authored-by, Generated-by, Assisted-by…) and its author.
//
// It runs the git binary rather than reading the repository itself: git is
// already on every CI runner that has a checkout, it honours the user's
// configuration (safe.directory, worktrees, alternates, partial clones,
// trailer separators) exactly as `git log` shows it, and it costs no new
// dependency. It only reads: `git log -1`.
package origin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
)

// Rules are what marks a commit as AI-written: the trailer keys to read
// (matched in any case) and agent identities, case-insensitive substrings
// of a trailer value or of the author's "Name <email>".
type Rules struct {
	Trailers []string
	Agents   []string
}

// Result is the origin of a commit and what decided it.
type Result struct {
	AI bool
	// Commit is the full hash of the commit read.
	Commit string
	// DecidedBy says why, for the report: the trailer or author that
	// matched, or that nothing did.
	DecidedBy string
}

// Git reads commits with the git binary.
type Git struct {
	// Binary is the git executable; "" means "git" on PATH.
	Binary string
	// Dir is the working tree to read HEAD from; "" means the current
	// directory.
	Dir string
	// Env, when set, replaces the environment git runs with (tests use it
	// to keep the user's configuration out).
	Env []string
}

// Field separators that cannot occur in names, emails or trailers: git
// strips NUL from commit metadata.
const (
	sep    = "\x00"
	format = "%H" + "%x00" + "%an <%ae>" + "%x00" + "%(trailers:only,unfold)"
)

// Detect reads HEAD and applies the rules. Any failure (git missing, not a
// repository, no commit yet) is an error, never a guess: the caller must
// fail closed.
func (g Git) Detect(ctx context.Context, r Rules) (Result, error) {
	bin := g.Binary
	if bin == "" {
		bin = "git"
	}
	args := []string{"log", "-1", "--no-color", "--format=" + format, "HEAD", "--"}
	if g.Dir != "" {
		args = append([]string{"-C", g.Dir}, args...)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	if g.Env != nil {
		cmd.Env = g.Env
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return Result{}, fmt.Errorf("origin: git is not installed or not on PATH: %w", err)
		}
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("origin: %w", ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return Result{}, fmt.Errorf("origin: cannot read the HEAD commit (is this a git repository with a commit?): %s", msg)
	}
	return Decide(stdout.String(), r)
}

// Decide applies the rules to one commit as printed by Detect's format. It
// is split out so the decision can be tested without git.
func Decide(out string, r Rules) (Result, error) {
	parts := strings.SplitN(strings.TrimRight(out, "\n"), sep, 3)
	if len(parts) != 3 || len(parts[0]) < 12 {
		return Result{}, fmt.Errorf("origin: unexpected git log output %q", out)
	}
	hash, author, trailers := parts[0], parts[1], parts[2]
	short := hash[:12]
	for _, line := range strings.Split(trailers, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok || !wanted(key, r.Trailers) {
			continue
		}
		val = strings.TrimSpace(val)
		if agent(val, r.Agents) {
			return Result{AI: true, Commit: hash, DecidedBy: fmt.Sprintf("trailer %s: %s on HEAD %s", strings.TrimSpace(key), val, short)}, nil
		}
	}
	if agent(author, r.Agents) {
		return Result{AI: true, Commit: hash, DecidedBy: fmt.Sprintf("author %s on HEAD %s", author, short)}, nil
	}
	return Result{Commit: hash, DecidedBy: "no AI trailer or agent author on HEAD " + short}, nil
}

func wanted(key string, keys []string) bool {
	key = strings.TrimSpace(key)
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return true
		}
	}
	return false
}

func agent(s string, agents []string) bool {
	s = strings.ToLower(s)
	for _, a := range agents {
		if a = strings.ToLower(strings.TrimSpace(a)); a != "" && strings.Contains(s, a) {
			return true
		}
	}
	return false
}
