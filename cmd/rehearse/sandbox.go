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

// newCmdSandbox builds `rehearse sandbox` and its run and prune.
func newCmdSandbox(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run a change against a replica environment in ephemeral containers",
		Long: `The sandbox brings up a replica environment, described by a compose project
(--compose docker-compose.yml, with the change in --change change.yaml) or by
an environment file (apiVersion: rehearse/v1, kind: Environment), snapshots
it, applies the change steps, snapshots it again and tears it down. What was
destroyed, recreated or emptied is judged like a plan.

Every Docker object carries the label rehearse.run=<id>; rehearse sandbox prune
removes what a killed run left behind.`,
	}
	cmd.AddCommand(newCmdSandboxRun(f, nil), newCmdSandboxPrune(f, nil))
	return cmd
}

// sandboxRunOptions are the flags of `rehearse sandbox run`, and the
// Factory the run reads the world through.
type sandboxRunOptions struct {
	*Factory
	File string
	// Compose, Change and Profiles read a compose project instead.
	Compose  string
	Change   string
	Profiles []string
	Keep     bool
	RunID    string
	// TrustEnvFile comes from the command line only, never the file.
	TrustEnvFile bool
	KeepImages   bool
	// Approvals is the approvals file, as for rehearse plan.
	Approvals string
	judgeOptions
	FailOn  string
	Timeout time.Duration
	output  outputOptions
}

// newCmdSandboxRun builds `rehearse sandbox run`; runF runs it (nil:
// sandboxRun).
func newCmdSandboxRun(f *Factory, runF func(context.Context, *sandboxRunOptions) error) *cobra.Command {
	o := &sandboxRunOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "run ENV.yaml | --compose FILE --change FILE",
		Short: "Bring up the replica, apply the change, observe, tear down and judge",
		Example: `  rehearse sandbox run --compose docker-compose.yml --change change.yaml
  rehearse sandbox run --compose compose.yaml --change change.yaml --profile debug
  rehearse sandbox run examples/sandbox/env.yaml
  rehearse sandbox run env.yaml --keep
  rehearse sandbox run env.yaml --format markdown > comment.md`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.File = args[0]
			}
			if runF == nil {
				runF = sandboxRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Compose, "compose", "", "run this compose project (docker-compose.yml, compose.yaml) as docker compose would")
	fl.StringVar(&o.Change, "change", "", "the change file for --compose (apiVersion: rehearse/v1, kind: Change)")
	fl.StringArrayVar(&o.Profiles, "profile", nil, "enable a compose profile (repeatable), besides COMPOSE_PROFILES in .env")
	fl.BoolVar(&o.Keep, "keep", false, "leave the sandbox up after the change, for inspection")
	fl.StringVar(&o.RunID, "run-id", "", "label the run's Docker objects with this id (default: random)")
	fl.BoolVar(&o.TrustEnvFile, "trust-env-file", false, "allow the environment or compose file's bind mounts, privileged, host network or PID and added capabilities, and let compose interpolation read rehearse's environment (the file comes with the change: only for a file you trust)")
	fl.BoolVar(&o.KeepImages, "keep-images", false, "keep the images the run built (rehearse-build/*); by default they are removed with the run")
	o.judgeOptions.addFlags(cmd, false)
	fl.StringVar(&o.Approvals, "approvals", "", "approvals file (see `rehearse approve`; default .rehearse/approvals.yaml when it exists); a blocked finding approved for this exact change passes")
	fl.StringVar(&o.FailOn, "fail-on", "block", "lowest decision that exits 1: block or warn")
	fl.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound the whole run; teardown still happens")
	o.output.addFlags(cmd)
	return cmd
}

// sandboxRun runs the change in the sandbox and judges what it did; the
// exit code is decisionExit's, 2 when it could not be judged (Docker
// unreachable included).
func sandboxRun(ctx context.Context, o *sandboxRunOptions) error {
	if o.FailOn != "block" && o.FailOn != "warn" {
		return cannotJudge(fmt.Errorf("--fail-on must be block or warn, not %q", o.FailOn))
	}
	if err := o.output.check(); err != nil {
		return cannotJudge(err)
	}
	env, err := o.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	o.judgeOptions.getenv = o.Getenv
	pol, origin, err := o.judgeOptions.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	// Read before anything runs: a malformed file stops the run. The
	// authors of an observed change are unknown (nil).
	approvals, approvalNotes, err := loadApprovals(o.Approvals, &pol, o.Policy, nil, o.Now())
	if err != nil {
		return cannotJudge(err)
	}
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	if err := o.Docker(ctx); err != nil {
		return cannotJudge(err)
	}
	res, runErr := container.Run(ctx, env, container.Options{RunID: o.RunID, Keep: o.Keep, Progress: o.err, TrustEnvFile: o.TrustEnvFile, KeepImages: o.KeepImages})
	if runErr != nil && len(res.Set.Resources) == 0 {
		o.printStepOutput(runErr)
		return cannotJudge(fmt.Errorf("sandbox run %s: %w", res.RunID, runErr))
	}
	// A change that failed part way is judged on what it did only when
	// that already blocks (verdict.EvaluateIncomplete). Otherwise no
	// verdict document is written in any format (one would claim pass or
	// warn), and the step's output goes to stderr.
	opts := o.options(origin)
	opts.Approvals, opts.Notes = approvals, append(opts.Notes, approvalNotes...)
	v, err := verdict.EvaluateIncomplete(res.Set, pol, opts, runErr)
	if err != nil {
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

// load reads the environment file or the compose project and its change.
func (o *sandboxRunOptions) load(ctx context.Context) (*sandbox.Environment, error) {
	switch {
	case o.Compose != "" && o.File != "":
		return nil, errors.New("give an environment file or --compose, not both")
	case o.Compose != "" && o.Change == "":
		return nil, errors.New("--compose needs --change: the change file to rehearse")
	case o.Compose != "":
		return sandbox.LoadCompose(ctx, sandbox.ComposeOptions{File: o.Compose, Change: o.Change, Profiles: o.Profiles, TrustEnvFile: o.TrustEnvFile})
	case o.Change != "" || len(o.Profiles) > 0:
		return nil, errors.New("--change and --profile go with --compose; an environment file holds its change")
	case o.File == "":
		return nil, errors.New("give an environment file, or --compose and --change")
	}
	return sandbox.Load(o.File)
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

// sandboxPruneOptions are the flags of `rehearse sandbox prune`, and the
// Factory the run reads the world through.
type sandboxPruneOptions struct {
	*Factory
	sandbox.PruneOptions
}

// newCmdSandboxPrune builds `rehearse sandbox prune`; runF runs it (nil:
// sandboxPruneRun).
func newCmdSandboxPrune(f *Factory, runF func(context.Context, *sandboxPruneOptions) error) *cobra.Command {
	o := &sandboxPruneOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Remove what finished rehearse runs left behind",
		Long: `prune removes the containers, volumes, networks and built images of finished
runs: runs whose owning process (recorded in the rehearse.pid and
rehearse.host labels when the run created them) is gone. A run whose process
is alive is never touched, unless --all forces it. Runs of another host can
only be removed by age (--older-than) or with --all.`,
		Example: `  rehearse sandbox prune --dry-run
  rehearse sandbox prune --run 3f2a9c01b7de
  rehearse sandbox prune --older-than 1h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF == nil {
				runF = sandboxPruneRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Run, "run", "", "only this run's objects")
	fl.DurationVar(&o.OlderThan, "older-than", 0, "only runs started longer ago than this, e.g. 1h (also removes other hosts' runs)")
	fl.BoolVar(&o.All, "all", false, "force: every run, live ones included")
	fl.BoolVar(&o.DryRun, "dry-run", false, "say what would be removed; remove nothing")
	fl.BoolVar(&o.KeepImages, "keep-images", false, "keep the images the runs built")
	return cmd
}

// sandboxPruneRun removes what finished runs left behind; 2 when Docker
// is unreachable or something could not be removed.
func sandboxPruneRun(ctx context.Context, o *sandboxPruneOptions) error {
	if err := o.Docker(ctx); err != nil {
		return cannotJudge(err)
	}
	p, err := sandbox.Prune(ctx, o.PruneOptions)
	verb := "remove"
	if o.DryRun {
		verb = "would remove"
	}
	for _, r := range p.Removed {
		fmt.Fprintf(o.out, "%s run %s (%s): %s\n", verb, r.ID, r.Why, describeObjects(r.Objects, o.KeepImages))
	}
	for _, r := range p.Kept {
		fmt.Fprintf(o.out, "keep run %s: %s\n", r.ID, r.Why)
	}
	if !o.DryRun {
		fmt.Fprintf(o.out, "removed %d container(s), %d volume(s), %d network(s), %d image(s)\n", p.Containers, p.Volumes, p.Networks, p.Images)
	}
	if err != nil {
		return cannotJudge(errors.Join(errors.New("prune incomplete"), err))
	}
	if o.Run != "" && len(p.Removed) == 0 && len(p.Kept) > 0 {
		return cannotJudge(fmt.Errorf("run %s not removed: %s", o.Run, p.Kept[0].Why))
	}
	return nil
}

func describeObjects(objs []sandbox.Leftover, keepImages bool) string {
	var parts []string
	for _, l := range objs {
		if l.Kind == "image" && keepImages {
			continue
		}
		parts = append(parts, l.Kind+" "+report.TermSafe(l.Name))
	}
	return strings.Join(parts, ", ")
}
