package guard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/rehearse-dev/rehearse/verdict"
)

// PolicyFile is the repository policy guard looks for; AltPolicyFile
// the other name it may have, as rehearse plan finds it.
const (
	PolicyFile    = "rehearse.yaml"
	AltPolicyFile = ".rehearse/policy.yaml"
)

// FoundPolicy is the policy that governs a directory.
type FoundPolicy struct {
	Policy verdict.Policy
	// File is the repository policy read over the base; "" when none.
	File string
	// Root is the directory it was found in, else the repository root,
	// else the directory itself: approvals are read from
	// Root/.rehearse/approvals.yaml.
	Root string
	// Weakened lists what File weakens relative to the base; each
	// entry blocks.
	Weakened []string
	// Base is the trusted base policy alone when File weakens it, nil
	// otherwise: commands with no plan to judge are classified under both
	// (ClassifyWith), so what File weakens does not let them through.
	Base *verdict.Policy
}

// Classify decides inv under the policy and, when the repository's file
// weakens it, the base: see ClassifyWith.
func (f *FoundPolicy) Classify(inv *Invocation) (Decision, *TerraformCall) {
	return ClassifyWith(inv, &f.Policy, f.Base)
}

// PolicyFor returns the policy that governs dir: j.PolicyFile when set,
// else the repository's rehearse.yaml (or .rehearse/policy.yaml) in dir or
// the nearest directory above it, up to the repository root (the
// directory holding .git), read over the trusted base by j.LoadPolicy;
// the base alone when there is none. A file that
// cannot be read or parsed is an error, never the base alone.
func (j *Judge) PolicyFor(dir string) (FoundPolicy, error) {
	file, root, err := findPolicyFile(dir)
	if err != nil {
		return FoundPolicy{}, err
	}
	if j.PolicyFile != "" {
		file = j.PolicyFile
	}
	load := j.LoadPolicy
	if load == nil {
		load = builtinOver
	}
	pol, weakened, err := load(file)
	if err != nil {
		return FoundPolicy{}, err
	}
	found := FoundPolicy{Policy: pol, File: file, Root: root, Weakened: weakened}
	if file != "" && len(weakened) > 0 {
		base, _, err := load("")
		if err != nil {
			return FoundPolicy{}, err
		}
		found.Base = &base
	}
	return found, nil
}

// FindPolicyFile returns the repository policy that governs dir, ""
// when there is none, and the root PolicyFor would give, without reading
// the file: PolicyFor's search (a few stats), for a caller that needs the
// policy only when one exists, or passes it on.
func FindPolicyFile(dir string) (file, root string, err error) {
	return findPolicyFile(dir)
}

// builtinOver reads file over the built-in policy, for a Judge without
// LoadPolicy.
func builtinOver(file string) (verdict.Policy, []string, error) {
	base := verdict.DefaultPolicy()
	if file == "" {
		return base, nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return verdict.Policy{}, nil, fmt.Errorf("policy: %w", err)
	}
	pol, err := verdict.ParsePolicyOver(base, file, b)
	if err != nil {
		return verdict.Policy{}, nil, err
	}
	return pol, verdict.Weakenings(base, pol), nil
}

// findPolicyFile walks up from dir to the root of its git repository
// looking for PolicyFile or AltPolicyFile; the nearest wins. Outside a
// repository only dir itself is looked in: a policy in some directory
// above it is nobody's in particular. A directory holding both is an
// error: which one counts would be a guess. root is the directory the
// policy is in; with none, the repository's root, or dir outside one.
func findPolicyFile(dir string) (file, root string, err error) {
	dir = filepath.Clean(dir)
	root = repositoryRoot(dir)
	top := root
	if top == "" {
		root, top = dir, dir
	}
	for d := dir; ; d = filepath.Dir(d) {
		var hits []string
		for _, name := range []string{PolicyFile, AltPolicyFile} {
			p := filepath.Join(d, filepath.FromSlash(name))
			fi, err := os.Stat(p)
			switch {
			case err == nil && !fi.IsDir():
				hits = append(hits, p)
			case err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR):
				return "", "", fmt.Errorf("policy: %w", err)
			}
		}
		switch len(hits) {
		case 1:
			return hits[0], d, nil
		case 2:
			return "", "", fmt.Errorf("policy: both %s and %s exist: remove one, or name it with --policy", relTo(dir, hits[0]), relTo(dir, hits[1]))
		}
		if d == top || filepath.Dir(d) == d {
			return "", root, nil
		}
	}
}

// repositoryRoot is the nearest directory at or above dir holding .git (a
// directory, or a worktree's file), "" when there is none.
func repositoryRoot(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// relTo is path relative to dir when it can be said so, else path.
func relTo(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil {
		return r
	}
	return path
}
