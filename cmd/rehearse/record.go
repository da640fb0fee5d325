package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/scenarios"
)

// recordOptions are the flags of `rehearse record`, and the Factory the
// run reads the world through.
type recordOptions struct {
	*Factory
	Rec     scenarios.RecordOptions
	Timeout time.Duration
}

// newCmdRecord builds `rehearse record`; runF runs it (nil: recordRun).
func newCmdRecord(f *Factory, runF func(context.Context, *recordOptions) error) *cobra.Command {
	o := &recordOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "record --name NAME (--plan PLAN.json | --dir DIR [--state STATE] | --changeset CHANGESET.json | --preview PREVIEW.json | --containers ENV.yaml)",
		Short: "Capture a change as a new scenario, with the current verdict as its expectation",
		Long: `record writes a scenario folder: the plan with every sensitive value redacted
(and values of attributes named like secrets: password, token, private_key…),
or the environment file, and a scenario.yaml whose expectation is the verdict
the recorded files give now. It prints that verdict: check it is the one the
change deserves before committing the folder.

A directory (--dir, --state) is planned now and stored as its plan. The same
input always gives the same files.`,
		Example: `  rehearse record --plan plan.json --name my-change --out scenarios/my-change
  rehearse record --dir infra/ --state prod.tfstate --name prod-rename --out scenarios/prod-rename
  rehearse record --containers examples/sandbox/env.yaml --name shop-log-level --out scenarios/shop-log-level
  rehearse record --changeset changeset.json --name orders-db-class --out scenarios/orders-db-class
  rehearse record --preview preview.json --name prod-bucket-rename --out scenarios/prod-bucket-rename`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF == nil {
				runF = recordRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	r := &o.Rec
	fl.StringVar(&r.Name, "name", "", "scenario name (required): lower-case letters, digits, '.', '_', '-'")
	fl.StringVar(&r.Out, "out", "", "folder to write (default: ./NAME)")
	fl.StringVar(&r.Plan, "plan", "", "plan JSON to record (terraform show -json)")
	fl.StringVar(&r.ChangeSet, "changeset", "", "CloudFormation change set to record (describe-change-set --output json), or a directory of a root change set and its nested stacks'")
	fl.StringVar(&r.Preview, "preview", "", "Pulumi preview to record (pulumi preview --json, or its streaming events)")
	fl.StringVar(&r.Dir, "dir", "", "Terraform directory to plan now (init, plan, show only) and record")
	fl.StringVar(&r.State, "state", "", "with --dir: the state snapshot to plan against")
	fl.StringVar(&r.Containers, "containers", "", "sandbox environment file to record (runs it in Docker)")
	fl.StringVar(&r.Policy, "policy", "", "policy file to record with the scenario (default: the built-in policy)")
	fl.StringVar(&r.Summary, "summary", "", "one line saying what the change does")
	fl.StringVar(&r.Source, "source", "", "link to the incident or write-up the scenario re-creates")
	fl.StringVar(&r.Origin, "origin", "", "who wrote the change: ai or human")
	fl.StringVar(&r.Terraform, "terraform", "", "with --dir: terraform or tofu binary (default: discover)")
	fl.BoolVar(&r.Force, "force", false, "write into a folder that is not empty")
	fl.DurationVar(&o.Timeout, "timeout", 10*time.Minute, "bound the run")
	cmd.MarkFlagRequired("name")
	return cmd
}

// recordRun records the scenario and prints what it wrote and the
// expectation to check.
func recordRun(ctx context.Context, o *recordOptions) error {
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	ro := o.Rec
	ro.Terraform, ro.Docker = o.terraform(ro.Terraform), o.Docker
	if isTerminal(o.err) {
		ro.Progress = o.err
	} else {
		ro.Progress = io.Discard
	}
	rec, err := scenarios.Record(ctx, ro)
	if err != nil {
		return cannotJudge(err)
	}
	dir := filepath.Dir(rec.Scenario.File)
	fmt.Fprintf(o.out, "recorded scenario %s in %s:\n", rec.Scenario.Name, dir)
	for _, f := range rec.Files {
		fmt.Fprintf(o.out, "  %s\n", filepath.Join(dir, f))
	}
	fmt.Fprintln(o.out)
	if err := report.Render(o.out, report.Text, &rec.Verdict, report.Options{Color: o.useColor(o.out)}); err != nil {
		return cannotJudge(err)
	}
	fmt.Fprintln(o.out)
	fmt.Fprintf(o.out, "expectation written (check it is the verdict this change deserves):\n  decision: %s\n", rec.Scenario.Expect.Decision)
	for _, f := range rec.Scenario.Expect.Findings {
		fmt.Fprintf(o.out, "  finding:  %s\n", report.TermSafe(fmt.Sprint(f)))
	}
	for _, n := range rec.Notes {
		fmt.Fprintf(o.out, "note: %s\n", report.TermSafe(n))
	}
	fmt.Fprintf(o.out, "\nreplay it with: rehearse replay %s\n", dir)
	return nil
}
