package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/scenarios"
)

// regressOptions are the flags of `rehearse regress`, and the Factory the
// run reads the world through.
type regressOptions struct {
	*Factory
	Paths         []string
	Parallel      int
	Shard         string
	JUnit         string
	Format        string
	RequireDocker bool
	Terraform     string
	Timeout       time.Duration
}

// newCmdRegress builds `rehearse regress`; runF runs it (nil: regressRun).
func newCmdRegress(f *Factory, runF func(context.Context, *regressOptions) error) *cobra.Command {
	o := &regressOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "regress PATH...",
		Short: "Re-run every scenario under the paths in parallel and check each verdict",
		Long: `regress finds every scenario.yaml under the given paths, runs each one isolated
(in parallel), and compares each verdict with the scenario's expectation.

A scenario that runs containers when Docker is unreachable is reported as
skipped with the reason, counted apart, and never as passed; with
--require-docker it is an error instead.

Exit codes: 0 every scenario that ran matched, 1 at least one regressed,
2 at least one could not run (a bad scenario file, a missing binary, or
Docker unreachable with --require-docker).`,
		Example: `  rehearse regress scenarios/library
  rehearse regress scenarios/ --parallel 4 --shard 2/5 --junit out.xml
  rehearse regress scenarios/library --require-docker --format json > regress.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			if runF == nil {
				runF = regressRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&o.Parallel, "parallel", runtime.NumCPU(), "scenarios run at once")
	fl.StringVar(&o.Shard, "shard", "", "run only shard i of n, e.g. 2/5 (names sorted and dealt out in turn)")
	fl.StringVar(&o.JUnit, "junit", "", "also write JUnit XML to this file (one testcase per scenario)")
	fl.StringVar(&o.Format, "format", "text", "stdout format: text (a table) or json")
	fl.BoolVar(&o.RequireDocker, "require-docker", false, "a container scenario that cannot reach Docker is an error (exit 2), not skipped")
	fl.StringVar(&o.Terraform, "terraform", "", "terraform or tofu binary for scenarios that plan a directory (default: discover)")
	fl.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "bound the whole run; sandboxes are still torn down")
	return cmd
}

// regressRun runs the scenarios and renders the result; the exit code is
// regressExit's.
func regressRun(ctx context.Context, o *regressOptions) error {
	if o.Format != "text" && o.Format != "json" {
		return cannotJudge(fmt.Errorf("--format must be text or json, not %q", o.Format))
	}
	if o.Parallel < 1 {
		return cannotJudge(fmt.Errorf("--parallel must be at least 1, not %d", o.Parallel))
	}
	var shard scenarios.Shard
	if o.Shard != "" {
		s, err := scenarios.ParseShard(o.Shard)
		if err != nil {
			return cannotJudge(fmt.Errorf("--shard: %w", err))
		}
		shard = s
	}
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	opts := scenarios.RegressOptions{
		Options:       scenarios.Options{Terraform: o.terraform(o.Terraform), Docker: o.Docker},
		Parallel:      o.Parallel,
		Shard:         shard,
		RequireDocker: o.RequireDocker,
	}
	// Progress only where someone watches: a counter on a terminal's
	// stderr, nothing in CI logs.
	if isTerminal(o.err) {
		opts.OnResult = func(done, total int, r scenarios.Result) {
			fmt.Fprintf(o.err, "[%*d/%d] %-9s %s (%s)\n", len(fmt.Sprint(total)), done, total, r.Status, report.TermSafe(r.Name), r.Took.Round(10*time.Millisecond))
		}
	}
	g, err := scenarios.Regress(ctx, o.Paths, opts)
	if err != nil {
		return cannotJudge(err)
	}
	if o.JUnit != "" {
		if err := writeFile(o.JUnit, func(w io.Writer) error {
			return scenarios.RenderRegression(w, report.JUnit, g, report.Options{})
		}); err != nil {
			return cannotJudge(err)
		}
	}
	f := report.Text
	if o.Format == "json" {
		f = report.JSON
	}
	if err := scenarios.RenderRegression(o.out, f, g, report.Options{Color: f == report.Text && o.useColor(o.out)}); err != nil {
		return cannotJudge(err)
	}
	return regressExit(g)
}

// regressExit: like diff(1), trouble (2) wins over a difference (1).
func regressExit(g *scenarios.Regression) error {
	switch {
	case g.Count(scenarios.Errored) > 0:
		return &exitError{code: exitCannot}
	case g.Count(scenarios.Regressed) > 0:
		return &exitError{code: exitBlock}
	}
	return nil
}
