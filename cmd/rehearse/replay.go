package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/scenarios"
)

// replayOptions are the flags of `rehearse replay`, and the Factory the
// run reads the world through.
type replayOptions struct {
	*Factory
	Path      string
	Format    string
	Terraform string
	Timeout   time.Duration
}

// newCmdReplay builds `rehearse replay`; runF runs it (nil: replayRun).
func newCmdReplay(f *Factory, runF func(context.Context, *replayOptions) error) *cobra.Command {
	o := &replayOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "replay SCENARIO",
		Short: "Run one recorded scenario again: its verdict, the evidence, and expected vs actual",
		Long: `replay runs the change a scenario recorded (a plan, a Terraform directory with a
state snapshot, or a container environment in the sandbox), judges it and
compares the verdict with the scenario's expectation.

Exit codes: 0 the verdict is the one expected, 1 it is not, 2 the scenario
could not run (a bad scenario file, a missing binary, Docker unreachable).`,
		Example: `  rehearse replay scenarios/library/env-recreate-minor-fix
  rehearse replay scenarios/library/gitlab-2017-rm-rf-primary/scenario.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = args[0]
			if runF == nil {
				runF = replayRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Format, "format", "text", "stdout format: text or json")
	fl.StringVar(&o.Terraform, "terraform", "", "terraform or tofu binary for scenarios that plan a directory (default: discover)")
	fl.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound the run; a sandbox is still torn down")
	return cmd
}

// replayRun replays the scenario and renders the verdict and the
// comparison; the exit code is replayExit's.
func replayRun(ctx context.Context, o *replayOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return cannotJudge(fmt.Errorf("--format must be text or json, not %q", o.Format))
	}
	s, err := scenarios.Load(o.Path)
	if err != nil {
		return cannotJudge(err)
	}
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	var progress io.Writer
	if isTerminal(o.err) {
		progress = o.err
	}
	res := scenarios.Replay(ctx, s, scenarios.Options{Terraform: o.terraform(o.Terraform), Progress: progress, Docker: o.Docker})
	if o.Format == "json" {
		err = scenarios.RenderRegression(o.out, report.JSON, &scenarios.Regression{Results: []scenarios.Result{res}, Took: res.Took}, report.Options{})
	} else {
		err = o.text(s, &res)
	}
	if err != nil {
		return cannotJudge(err)
	}
	return replayExit(res)
}

func (o *replayOptions) text(s *scenarios.Scenario, res *scenarios.Result) error {
	color := o.useColor(o.out)
	head := s.Summary
	if s.Source != "" {
		head += " (" + s.Source + ")"
	}
	fmt.Fprintf(o.out, "scenario %s: %s\n\n", s.Name, oneLine(head))
	if res.Verdict != nil {
		if err := report.Render(o.out, report.Text, res.Verdict, report.Options{Color: color}); err != nil {
			return err
		}
	}
	return scenarios.RenderExpectation(o.out, res, report.Options{Color: color})
}

// replayExit: 0 match, 1 mismatch, 2 could not run (skipped included: a
// replay asked for this scenario, and it did not run).
func replayExit(r scenarios.Result) error {
	switch r.Status {
	case scenarios.OK:
		return nil
	case scenarios.Regressed:
		return &exitError{code: exitBlock}
	}
	return cannotJudge(fmt.Errorf("%s: %s", r.Name, r.Reason))
}
