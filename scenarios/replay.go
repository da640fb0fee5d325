package scenarios

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/cloudformation"
	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/planners/pulumi"
	"github.com/rehearse-dev/rehearse/planners/terraform"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Status is the outcome of running one scenario.
type Status string

// The statuses, from best. Skipped is only ever given to a scenario that
// needs Docker when Docker is unreachable and the caller allowed it: it is
// never counted as a pass.
const (
	OK        Status = "ok"        // the verdict matches the expectation
	Regressed Status = "regressed" // it does not
	Skipped   Status = "skipped"   // it needs Docker, and Docker is unreachable
	Errored   Status = "error"     // it could not run
)

// ErrDockerUnavailable wraps the reason a container scenario could not
// run.
var ErrDockerUnavailable = errors.New("docker unavailable")

// Options tune Replay.
type Options struct {
	// Terraform is the terraform or tofu binary for scenarios that plan a
	// directory; "" discovers one.
	Terraform string
	// Progress receives the planners' progress lines; nil discards them.
	Progress io.Writer
	// RunID names the sandbox run of a container scenario; "" picks a
	// random one. Regress derives one per scenario from it.
	RunID string
	// Docker checks that Docker answers before a container scenario
	// runs; nil means sandbox.Ping.
	Docker func(context.Context) error
}

// Result is what running one scenario gave.
type Result struct {
	Name     string           `json:"name"`
	File     string           `json:"file"`
	Input    string           `json:"input,omitempty"`
	Status   Status           `json:"status"`
	Expected *Expect          `json:"expected,omitempty"`
	Verdict  *verdict.Verdict `json:"-"`
	// Actual is the decision and findings the scenario gave, in the
	// shape of an expectation, so the two compare at a glance.
	Actual *Expect       `json:"actual,omitempty"`
	Diff   []Difference  `json:"diff,omitempty"`
	Reason string        `json:"reason,omitempty"`
	Took   time.Duration `json:"duration_ns"`
}

// Replay runs one scenario: it produces the change from the scenario's
// inputs, judges it and compares the verdict with the expectation. Every
// problem is in the Result: Errored (with the reason) when the scenario
// could not run, Skipped when it needs Docker and Docker does not answer.
func Replay(ctx context.Context, s *Scenario, opts Options) Result {
	start := time.Now()
	res := Result{Name: s.Name, File: s.File, Input: s.Kinds(), Expected: s.Expect}
	v, err := Judge(ctx, s, opts)
	res.Took = time.Since(start)
	switch {
	case errors.Is(err, ErrDockerUnavailable), errors.Is(err, sandbox.ErrMissingPrerequisite):
		// A local prerequisite the library's images need is reported
		// like a missing Docker: skipped, with how to install it.
		res.Status, res.Reason = Skipped, err.Error()
		return res
	case err != nil:
		res.Status, res.Reason = Errored, oneLine(err.Error())
		return res
	}
	res.Verdict = &v
	res.Actual = Actual(&v)
	res.Diff = Compare(s.Expect, &v)
	res.Status = OK
	if len(res.Diff) > 0 {
		res.Status = Regressed
	}
	return res
}

// Judge produces the scenario's change and judges it, without comparing.
func Judge(ctx context.Context, s *Scenario, opts Options) (verdict.Verdict, error) {
	pol := verdict.DefaultPolicy()
	if s.Policy != "" {
		p, err := verdict.LoadPolicy(s.Path(s.Policy))
		if err != nil {
			return verdict.Verdict{}, err
		}
		pol = p
	}
	var env *sandbox.Environment
	if s.Containers != "" {
		// Load before planning: a broken environment file is an error
		// whether or not Docker is there.
		e, err := sandbox.Load(s.Path(s.Containers))
		if err != nil {
			return verdict.Verdict{}, err
		}
		env = e
	}
	var sets []change.Set
	var notes []string
	if s.Terraform != nil || s.CloudFormation != nil || s.Pulumi != nil {
		set, n, err := planSet(ctx, s, opts)
		if err != nil {
			return verdict.Verdict{}, err
		}
		sets, notes = append(sets, set), append(notes, n...)
	}
	var stopped error
	if env != nil {
		set, partial, err := observeSet(ctx, env, opts)
		if err != nil {
			return verdict.Verdict{}, err
		}
		stopped = partial
		sets = append(sets, set)
	}
	origin := verdict.OriginInfo{Origin: verdict.OriginHuman, DecidedBy: "scenario default"}
	if s.Origin != "" {
		origin = verdict.OriginInfo{Origin: verdict.Origin(s.Origin), DecidedBy: "scenario"}
	}
	// A change that failed part way is judged on what it did, as
	// `rehearse sandbox run` does (verdict.EvaluateIncomplete).
	return verdict.EvaluateIncomplete(merge(sets), pol, verdict.Options{Origin: origin, Notes: notes}, stopped)
}

func planSet(ctx context.Context, s *Scenario, opts Options) (change.Set, []string, error) {
	if s.CloudFormation != nil || s.Pulumi != nil {
		set, err := readToolFile(s)
		return set, nil, err
	}
	t := s.Terraform
	if t.Plan != "" {
		name := s.Path(t.Plan)
		f, err := os.Open(name)
		if err != nil {
			return change.Set{}, nil, err
		}
		defer f.Close()
		set, err := planjson.Read(ctx, f, planjson.File(name))
		return set, nil, err
	}
	var warn bytes.Buffer
	dir := s.Path(t.Dir)
	// No refresh: the state snapshot is the truth the scenario recorded,
	// and a scenario never reaches a real provider's API.
	res, err := terraform.Plan(ctx, terraform.RunOptions{
		Dir: dir, State: s.Path(t.State), Binary: opts.Terraform,
		Progress: opts.Progress, Warn: &warn,
	})
	if err != nil {
		return change.Set{}, nil, err
	}
	set := res.Set
	var notes []string
	for _, l := range strings.Split(strings.TrimSpace(warn.String()), "\n") {
		if l != "" {
			notes = append(notes, l)
		}
	}
	return set, notes, nil
}

// readToolFile reads a scenario's change set or preview.
func readToolFile(s *Scenario) (change.Set, error) {
	if c := s.CloudFormation; c != nil {
		name := s.Path(c.ChangeSet)
		if st, err := os.Stat(name); err == nil && st.IsDir() {
			return cloudformation.ReadDir(name)
		}
		f, err := os.Open(name)
		if err != nil {
			return change.Set{}, err
		}
		defer f.Close()
		return cloudformation.Read(name, f)
	}
	name := s.Path(s.Pulumi.Preview)
	f, err := os.Open(name)
	if err != nil {
		return change.Set{}, err
	}
	defer f.Close()
	return pulumi.Read(name, f)
}

// observeSet runs the environment's change in the sandbox. partial is the
// error of a change that failed part way after doing something.
func observeSet(ctx context.Context, env *sandbox.Environment, opts Options) (set change.Set, partial, err error) {
	ping := opts.Docker
	if ping == nil {
		ping = sandbox.Ping
	}
	if err := ping(ctx); err != nil {
		return change.Set{}, nil, fmt.Errorf("%w: %s", ErrDockerUnavailable, oneLine(err.Error()))
	}
	res, err := container.Run(ctx, env, container.Options{RunID: opts.RunID, Progress: opts.Progress})
	var missing *sandbox.MissingPrerequisiteError
	if errors.As(err, &missing) {
		return change.Set{}, nil, missing
	}
	if err != nil {
		if len(res.Set.Resources) == 0 || ctx.Err() != nil {
			return change.Set{}, nil, fmt.Errorf("sandbox run %s: %w", res.RunID, err)
		}
		return res.Set, err, nil
	}
	return res.Set, nil, nil
}

// merge joins the planned and the observed Set of a scenario that has both,
// so one verdict covers the whole change.
func merge(sets []change.Set) change.Set {
	if len(sets) == 1 {
		return sets[0]
	}
	out := sets[0]
	for _, s := range sets[1:] {
		out.Resources = append(out.Resources, s.Resources...)
		out.Drift = append(out.Drift, s.Drift...)
		out.Outputs = append(out.Outputs, s.Outputs...)
		if out.Managed < 0 || s.Managed < 0 {
			out.Managed = -1
		} else {
			out.Managed += s.Managed
		}
	}
	return out
}

func oneLine(s string) string {
	var parts []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " | ")
}
