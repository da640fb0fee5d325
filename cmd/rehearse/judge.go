package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/guard"
	"github.com/rehearse-dev/rehearse/origin"
	"github.com/rehearse-dev/rehearse/verdict"
)

// judgeOptions are the flags every command that judges a change shares, so
// plan, approve and sandbox run judge the same change the same way.
type judgeOptions struct {
	Policy      string
	BasePolicy  string
	Origin      string
	OriginRange string
	Workspace   string

	// Set by load: what the repository's policy weakens relative to the
	// base, and notes on where the policies came from.
	weakened []string
	notes    []string
	// policyName names the policy that judges, for the report: the
	// repository's file over its base, or the base alone ("built-in", or
	// the base file).
	policyName string
	// authors are the change's authors' and committers' e-mails, when
	// --origin auto read them; nil when unknown.
	authors []string
	// getenv reads the environment: the command's Factory.Getenv, or
	// os.Getenv when nil (a command not yet given a Factory).
	getenv func(string) string
}

// env is $key, read through getenv.
func (j *judgeOptions) env(key string) string {
	if j.getenv == nil {
		return os.Getenv(key)
	}
	return j.getenv(key)
}

func (j *judgeOptions) addFlags(cmd *cobra.Command, workspace bool) {
	f := cmd.Flags()
	f.StringVar(&j.Policy, "policy", "", "the repository's policy file: it may add protection to the base policy; whatever it weakens blocks (see `rehearse policy init`; default $REHEARSE_POLICY, else rehearse.yaml or .rehearse/policy.yaml in the working directory, else at the repository root)")
	f.StringVar(&j.BasePolicy, "base-policy", "", "the trusted policy, from outside the change, e.g. the target branch's (default $REHEARSE_BASE_POLICY, else the built-in policy)")
	f.StringVar(&j.Origin, "origin", "", "who wrote the change: human, ai or auto (read from the commits' trailers, authors and committers; default $REHEARSE_ORIGIN, else human)")
	f.StringVar(&j.OriginRange, "origin-range", "", "with --origin auto: the commits to read, BASE..HEAD, e.g. origin/main..HEAD (default: HEAD only)")
	if workspace {
		f.StringVar(&j.Workspace, "workspace", "", "Terraform workspace, used as the environment of resources nothing else places")
	}
}

// load finds and reads the policies and resolves the origin; both fail
// closed.
//
// The repository's policy (--policy) comes with the change, so it is read
// over the trusted base (--base-policy, $REHEARSE_BASE_POLICY, or the
// built-in policy): it may add protection, and each thing it weakens is
// recorded for a blocking policy-weakened finding.
func (j *judgeOptions) load(ctx context.Context) (verdict.Policy, verdict.OriginInfo, error) {
	if err := j.discoverPolicy(); err != nil {
		return verdict.Policy{}, verdict.OriginInfo{}, err
	}
	pol, err := j.loadPolicies()
	if err != nil {
		return verdict.Policy{}, verdict.OriginInfo{}, err
	}
	orig, authors, err := origin.Git{}.Resolve(ctx, origin.Choice{Flag: j.Origin, Env: j.env("REHEARSE_ORIGIN"), Range: j.OriginRange}, pol.Origin)
	if err != nil {
		return verdict.Policy{}, verdict.OriginInfo{}, err
	}
	j.authors = authors
	return pol, orig, nil
}

func (j *judgeOptions) loadPolicies() (verdict.Policy, error) {
	baseFile, by := j.BasePolicy, "--base-policy"
	if baseFile == "" {
		baseFile, by = j.env("REHEARSE_BASE_POLICY"), "REHEARSE_BASE_POLICY"
	}
	base := verdict.DefaultPolicy()
	if baseFile != "" {
		b, err := verdict.LoadPolicy(baseFile)
		if err != nil {
			return verdict.Policy{}, fmt.Errorf("%s: %w", by, err)
		}
		base = b
		resolveSigners(&base, "", baseFile)
		j.notes = append(j.notes, "base policy "+baseFile+" (from "+by+")")
	}
	baseName := "built-in"
	if baseFile != "" {
		baseName = baseFile
	}
	if j.Policy == "" {
		j.policyName = baseName
		return base, nil
	}
	b, err := os.ReadFile(j.Policy)
	if err != nil {
		return verdict.Policy{}, fmt.Errorf("policy: %w", err)
	}
	pol, err := verdict.ParsePolicyOver(base, j.Policy, b)
	if err != nil {
		return verdict.Policy{}, err
	}
	j.policyName = j.Policy + " over " + baseName
	resolveSigners(&pol, base.Approvals.AllowedSigners, j.Policy)
	j.weakened = verdict.Weakenings(base, pol)
	return pol, nil
}

// discoverPolicy sets --policy, when not given, to the repository policy
// findPolicy finds, and notes where it came from.
func (j *judgeOptions) discoverPolicy() error {
	if j.Policy != "" {
		return nil
	}
	file, by, err := findPolicyWith(j.env)
	if err != nil || file == "" {
		return err
	}
	j.Policy = file
	j.notes = append(j.notes, "policy "+file+" ("+by+"; --policy names another)")
	return nil
}

// policyLoader is guard.Judge's LoadPolicy for guard and the hook: a
// repository policy file read over the base policy exactly as plan reads
// --policy, with what it weakens.
func policyLoader(basePolicy string, getenv func(string) string) func(string) (verdict.Policy, []string, error) {
	return func(file string) (verdict.Policy, []string, error) {
		jo := judgeOptions{Policy: file, BasePolicy: basePolicy, getenv: getenv}
		pol, err := jo.loadPolicies()
		return pol, jo.weakened, err
	}
}

// findPolicy names the repository's policy file, without --policy, and
// what found it: $REHEARSE_POLICY, else the file guard.FindPolicyFile
// finds (rehearse.yaml or .rehearse/policy.yaml in the working directory,
// else in the nearest directory above it up to the root of its git
// repository), so plan and the agent hooks read the same one. "" means
// none: the base policy judges alone.
func findPolicy() (file, by string, err error) { return findPolicyWith(os.Getenv) }

// findPolicyWith is findPolicy reading $REHEARSE_POLICY through getenv.
func findPolicyWith(getenv func(string) string) (file, by string, err error) {
	if env := getenv("REHEARSE_POLICY"); env != "" {
		return env, "from REHEARSE_POLICY", nil
	}
	cwd, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("policy: %w", err)
	}
	found, dir, err := guard.FindPolicyFile(cwd)
	if err != nil || found == "" {
		return "", "", err
	}
	by = "found above the working directory"
	if dir == filepath.Clean(cwd) {
		by = "found in the working directory"
	} else if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
		by = "found at the repository root"
	}
	rel, err := filepath.Rel(cwd, found)
	if err != nil {
		rel = found
	}
	return rel, by, nil
}

// resolveSigners makes the allowed signers path absolute, relative to the
// policy file that named it: the base's path stays the base's, whichever
// file is read over it.
func resolveSigners(p *verdict.Policy, inherited, file string) {
	s := p.Approvals.AllowedSigners
	if s == "" || s == inherited || filepath.IsAbs(s) {
		return
	}
	if abs, err := filepath.Abs(filepath.Join(filepath.Dir(file), s)); err == nil {
		p.Approvals.AllowedSigners = abs
	}
}

// options are the verdict options load decided, for Evaluate.
func (j *judgeOptions) options(origin verdict.OriginInfo) verdict.Options {
	return verdict.Options{Origin: origin, Workspace: j.Workspace, Weakened: j.weakened, Notes: slices.Clone(j.notes), Policy: j.policyName}
}

// withTimeout bounds ctx by --timeout; 0 means no bound.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}
