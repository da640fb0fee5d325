package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/verdict"
)

func newSandboxCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a change against a replica environment in ephemeral containers",
		Long: `The sandbox brings up a replica environment described by an environment file
(apiVersion: rehearse/v1, kind: Environment), snapshots it, applies the change
steps, snapshots it again and tears it down. What was destroyed, recreated or
emptied is judged like a plan.

Every Docker object carries the label rehearse.run=<id>; rehearse sandbox prune
removes what a killed run left behind.`,
	}
	cmd.AddCommand(newSandboxRunCmd(s), newSandboxPruneCmd(s))
	return cmd
}

// sandboxRunOptions are the flags of `rehearse sandbox run`.
type sandboxRunOptions struct {
	streams
	File  string
	Keep  bool
	RunID string
	// TrustEnvFile comes from the command line only, never the file.
	TrustEnvFile bool
	judgeOptions
	FailOn  string
	Timeout time.Duration
	output  outputOptions
}

func newSandboxRunCmd(s streams) *cobra.Command {
	o := &sandboxRunOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "run ENV.yaml",
		Short: "Bring up the replica, apply the change, observe, tear down and judge",
		Example: `  rehearse sandbox run examples/sandbox/env.yaml
  rehearse sandbox run env.yaml --keep
  rehearse sandbox run env.yaml --format markdown > comment.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return o.run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.Keep, "keep", false, "leave the sandbox up after the change, for inspection")
	f.StringVar(&o.RunID, "run-id", "", "label the run's Docker objects with this id (default: random)")
	f.BoolVar(&o.TrustEnvFile, "trust-env-file", false, "allow the environment file's bind mounts, privileged, host network or PID and added capabilities (it comes with the change: only for a file you trust)")
	o.judgeOptions.addFlags(cmd, false)
	f.StringVar(&o.FailOn, "fail-on", "block", "lowest decision that exits 1: block or warn")
	f.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound the whole run; teardown still happens")
	o.output.addFlags(cmd)
	return cmd
}

func (o *sandboxRunOptions) run(ctx context.Context) error {
	if o.FailOn != "block" && o.FailOn != "warn" {
		return cannotJudge(fmt.Errorf("--fail-on must be block or warn, not %q", o.FailOn))
	}
	if err := o.output.check(); err != nil {
		return cannotJudge(err)
	}
	env, err := sandbox.Load(o.File)
	if err != nil {
		return cannotJudge(err)
	}
	pol, origin, err := o.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	// testcontainers reads its settings once; rehearse runs without the
	// reaper and tears down itself.
	sandbox.ConfigureEnv()
	if err := sandbox.Ping(ctx); err != nil {
		return cannotJudge(err)
	}
	res, runErr := container.Run(ctx, env, container.Options{RunID: o.RunID, Keep: o.Keep, Progress: o.err, TrustEnvFile: o.TrustEnvFile})
	if runErr != nil && len(res.Set.Resources) == 0 {
		o.printStepOutput(runErr)
		return cannotJudge(fmt.Errorf("sandbox run %s: %w", res.RunID, runErr))
	}
	opts := o.options(origin)
	if runErr != nil {
		opts.Notes = append(opts.Notes, "the change did not complete: "+oneLine(runErr.Error()))
	}
	v := verdict.Evaluate(res.Set, pol, opts)
	// A change that failed part way is judged on what it did only when
	// that already blocks. Otherwise the tool could not judge the whole
	// change: no verdict document is written in any format (one would
	// claim pass or warn), and the step's output goes to stderr.
	if runErr != nil && v.Decision != verdict.Block {
		o.printStepOutput(runErr)
		return cannotJudge(fmt.Errorf("could not judge: the change did not complete (sandbox run %s): %w", res.RunID, runErr))
	}
	if err := o.output.write(o.out, &v); err != nil {
		return cannotJudge(err)
	}
	if runErr != nil {
		o.printStepOutput(runErr)
	}
	if o.Keep && res.Containers != nil {
		o.printKeep(res)
	}
	return decisionExit(v.Decision, o.FailOn)
}

// printStepOutput shows what a failed step printed (redacted by the
// sandbox), indented, before the one-line error.
func (o *sandboxRunOptions) printStepOutput(err error) {
	var se *sandbox.StepError
	if !errors.As(err, &se) || se.Output == "" {
		return
	}
	fmt.Fprintf(o.err, "%s printed:\n", se.Step)
	for _, l := range strings.Split(se.Output, "\n") {
		fmt.Fprintf(o.err, "  %s\n", report.TermSafe(l))
	}
}

func (o *sandboxRunOptions) printKeep(res container.Result) {
	fmt.Fprintf(o.err, "\nsandbox %s is still up:\n", res.RunID)
	names := make([]string, 0, len(res.Containers))
	for svc := range res.Containers {
		names = append(names, svc)
	}
	sort.Strings(names)
	for _, svc := range names {
		fmt.Fprintf(o.err, "  %-12s docker exec -it %s sh\n", report.TermSafe(svc), res.Containers[svc])
	}
	fmt.Fprintf(o.err, "remove it with:\n  rehearse sandbox prune --run %s\n", res.RunID)
	fmt.Fprintf(o.err, "or:\n  docker rm -f $(docker ps -aq --filter label=%s=%s)\n", sandbox.LabelRun, res.RunID)
	fmt.Fprintf(o.err, "  docker volume rm $(docker volume ls -q --filter label=%s=%s)\n", sandbox.LabelRun, res.RunID)
	fmt.Fprintf(o.err, "  docker network rm $(docker network ls -q --filter label=%s=%s)\n", sandbox.LabelRun, res.RunID)
}

// sandboxPruneOptions are the flags of `rehearse sandbox prune`.
type sandboxPruneOptions struct {
	streams
	RunID string
}

func newSandboxPruneCmd(s streams) *cobra.Command {
	o := &sandboxPruneOptions{streams: s}
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove the containers, volumes and networks rehearse runs left behind",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	cmd.Flags().StringVar(&o.RunID, "run", "", "remove only this run's objects (default: every rehearse run)")
	return cmd
}

func (o *sandboxPruneOptions) run(ctx context.Context) error {
	if err := sandbox.Ping(ctx); err != nil {
		return cannotJudge(err)
	}
	p, err := sandbox.Prune(ctx, o.RunID)
	fmt.Fprintf(o.out, "removed %d container(s), %d volume(s), %d network(s)\n", p.Containers, p.Volumes, p.Networks)
	if err != nil {
		return cannotJudge(errors.Join(errors.New("prune incomplete"), err))
	}
	return nil
}
