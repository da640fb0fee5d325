package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/approval"
	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/buildinfo"
	"github.com/rehearse-dev/rehearse/internal/memlimit"
	"github.com/rehearse-dev/rehearse/planners/cloudformation"
	"github.com/rehearse-dev/rehearse/planners/terraform"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/report"
	"github.com/rehearse-dev/rehearse/verdict"
)

// planOptions are the flags of `rehearse plan`, and the Factory the run
// reads the world through.
type planOptions struct {
	*Factory
	// Files are the plan documents to judge (files, globs, directories of
	// plan documents, "-"); more than one input, with Dirs and Stacks,
	// is a many-stack verdict.
	Files []string
	// Stacks are --stack NAME=PATH: an input named.
	Stacks []string
	// Terragrunt is a terragrunt tree whose units are planned, each a
	// stack; TerragruntBinary the binary.
	Terragrunt, TerragruntBinary string
	// CommentLimit is --comment-limit: a platform or a number of
	// characters, for Markdown.
	CommentLimit string
	File         string // the one plan JSON file, or "-" for stdin
	// Input forces the format of File: terraform, cloudformation or
	// pulumi; "" tells it from the structure.
	Input string
	judgeOptions
	FailOn    string
	Approvals string
	output    outputOptions

	// Producing the plan from a directory: Dirs are every --dir, Dir the
	// one planned.
	Dirs      []string
	Dir       string
	State     string
	PlanFile  string
	Terraform string
	Vars      []string
	VarFiles  []string
	Targets   []string
	Replace   []string
	Destroy   bool
	Refresh   bool
	Timeout   time.Duration
}

// newCmdPlan builds `rehearse plan`; runF runs it (nil: planRun).
func newCmdPlan(f *Factory, runF func(context.Context, *planOptions) error) *cobra.Command {
	o := &planOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "plan [PLAN.json | CHANGESET.json | PREVIEW.json | DIR | GLOB | -]...",
		Short: "Judge a change: Terraform plan JSON, a CloudFormation change set, a Pulumi preview, or a Terraform directory planned in an isolated copy",
		Example: `  terraform plan -out tfplan && terraform show -json tfplan > plan.json
  rehearse plan plan.json
  rehearse plan --format markdown plan.json > comment.md
  rehearse plan --format json - < plan.json
  rehearse plan --policy rehearse.yaml --origin ai plan.json
  rehearse plan --origin auto --approvals .rehearse/approvals.yaml plan.json
  rehearse plan --dir infra/ --state snapshots/prod.tfstate
  aws cloudformation describe-change-set --change-set-name fix --stack-name orders-prod --include-property-values --output json > changeset.json
  rehearse plan changeset.json
  rehearse plan changesets/        # a root change set and its nested stacks' (IncludeNestedStacks)
  pulumi preview --json > preview.json && rehearse plan preview.json
  rehearse plan plans/ infra/*/plan.json   # many stacks, one verdict
  rehearse plan --dir infra/network --dir infra/app --stack app=infra/app
  rehearse plan --format markdown --comment-limit gitlab --output json=rehearse.json plans/`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			if runF == nil {
				runF = planRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	o.judgeOptions.addFlags(cmd, true)
	// With --dir the flag also picks the workspace planned, so the plan and
	// the environment it is judged in are the same workspace.
	fl.Lookup("workspace").Usage = "Terraform workspace: the environment of resources nothing else places; with --dir, also the workspace planned (default $TF_WORKSPACE, then the directory's selected workspace, then default)"
	fl.StringVar(&o.Approvals, "approvals", "", "approvals file (see `rehearse approve`; default .rehearse/approvals.yaml when it exists); a blocked finding approved for this exact change passes")
	fl.StringVar(&o.FailOn, "fail-on", "block", "lowest decision that exits 1: block or warn")
	o.output.addFlags(cmd)
	o.addDirFlags(cmd)
	fl.StringVar(&o.Terragrunt, "terragrunt", "", "a terragrunt tree: terragrunt run-all plan in an isolated copy, then show -json in each unit, each unit a stack")
	fl.StringVar(&o.TerragruntBinary, "terragrunt-binary", "", "with --terragrunt: the terragrunt binary (default $REHEARSE_TERRAGRUNT, then terragrunt on PATH)")
	fl.StringArrayVar(&o.Stacks, "stack", nil, "name an input: NAME=PATH, a plan document or a --dir directory (repeatable; default: its path relative to the working directory)")
	fl.StringVar(&o.CommentLimit, "comment-limit", "github", "most characters of --format markdown: github (65536), gitlab (1000000), bitbucket (32767), azure (150000) or a number; past it the riskiest findings are kept and the rest counted")
	fl.DurationVar(&o.Timeout, "timeout", 0, "bound the whole run, e.g. 10m (0: no limit)")
	return cmd
}

// addDirFlags adds the flags that plan a directory, which approve shares.
func (o *planOptions) addDirFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.Input, "input", "", "the input's format: terraform, cloudformation or pulumi (default: told from its structure)")
	f.Var(dirsValue{o}, "dir", "Terraform directory to plan in an isolated copy (init, plan, show only; repeatable: each a stack)")
	f.StringVar(&o.State, "state", "", "with --dir: plan against this state snapshot, offline from the real backend")
	f.StringVar(&o.PlanFile, "plan-file", "", "with --dir: a binary plan made elsewhere, read with terraform show -json")
	f.StringVar(&o.Terraform, "terraform", "", "terraform or tofu binary (default $REHEARSE_TERRAFORM, then terraform, then tofu on PATH)")
	f.StringArrayVar(&o.Vars, "var", nil, "with --dir: set a variable, NAME=VALUE (repeatable)")
	f.StringArrayVar(&o.VarFiles, "var-file", nil, "with --dir: a variables file (repeatable)")
	f.StringArrayVar(&o.Targets, "target", nil, "with --dir: plan only this address (repeatable)")
	f.StringArrayVar(&o.Replace, "replace", nil, "with --dir: force replacement of this address (repeatable)")
	f.BoolVar(&o.Destroy, "destroy", false, "with --dir: plan destroying everything, as apply -destroy and destroy do")
	f.BoolVar(&o.Refresh, "refresh", true, "with --dir: refresh state before planning (--refresh=false to skip)")
}

// planRun judges the change and renders the verdict; the exit code is
// decisionExit's (2 when it could not be judged).
func planRun(ctx context.Context, o *planOptions) error {
	if err := o.check(); err != nil {
		return cannotJudge(err)
	}
	ctx, cancel := withTimeout(ctx, o.Timeout)
	defer cancel()
	o.judgeOptions.getenv = o.Getenv
	pol, origin, err := o.load(ctx)
	if err != nil {
		return cannotJudge(err)
	}
	// The change's authors are known with --origin auto; otherwise nil
	// (unknown), and approvals.forbid_self voids every approval.
	approvals, approvalsNotes, err := loadApprovals(o.Approvals, &pol, o.Policy, o.authors, o.Now())
	if err != nil {
		return cannotJudge(err)
	}
	opts := o.options(origin)
	opts.Approvals = approvals
	v, err := o.judge(ctx, pol, opts, approvalsNotes)
	if err != nil {
		return cannotJudge(err)
	}
	if err := o.reportOptions(); err != nil {
		return cannotJudge(err)
	}
	if err := o.output.write(o.out, &v); err != nil {
		return cannotJudge(err)
	}
	return decisionExit(v.Decision, o.FailOn)
}

func (o *planOptions) check() error {
	if o.FailOn != "block" && o.FailOn != "warn" {
		return fmt.Errorf("--fail-on must be block or warn, not %q", o.FailOn)
	}
	if err := o.output.check(); err != nil {
		return err
	}
	return o.checkSource()
}

// checkSource checks where the change comes from: plan documents, or
// directories to plan, with the flags that go with them. With one input,
// File or Dir is it.
func (o *planOptions) checkSource() error {
	if o.File != "" && len(o.Files) == 0 {
		o.Files = []string{o.File}
	}
	if o.Dir != "" && len(o.Dirs) == 0 {
		o.Dirs = []string{o.Dir}
	}
	if len(o.Dirs) > 1 {
		o.Dir = ""
	}
	dirs := len(o.Dirs)
	for _, s := range o.Stacks {
		if _, p, _ := strings.Cut(s, "="); hasTerraformFiles(p) {
			dirs++
		}
	}
	switch {
	case len(o.Files)+len(o.Dirs)+len(o.Stacks) == 0 && o.Terragrunt == "":
		return errors.New("give a plan JSON file argument, - for stdin, or --dir DIR")
	case dirs == 0 && (o.State != "" || o.PlanFile != "" || o.Destroy || len(o.Vars)+len(o.VarFiles)+len(o.Targets)+len(o.Replace) > 0):
		return errors.New("--state, --plan-file, --var, --var-file, --target, --replace and --destroy need --dir")
	case len(o.Dirs) > 1 && (o.State != "" || o.PlanFile != ""):
		return errors.New("--state and --plan-file plan one directory: give one --dir")
	case dirs > 0 && o.Input != "" && o.Input != inputTerraform:
		return fmt.Errorf("--dir plans a Terraform directory; --input %s reads a file", o.Input)
	case slices.Contains(o.Files, "-") && len(o.Files)+len(o.Dirs)+len(o.Stacks) > 1:
		return errors.New("- (stdin) is one input: give the other plans as files")
	}
	if o.Terragrunt != "" {
		o.File, o.Dir = "", ""
	} else if len(o.Files) == 1 && len(o.Dirs)+len(o.Stacks) == 0 && !isDir(o.Files[0]) && !strings.ContainsAny(o.Files[0], "*?[") {
		o.File, o.Dir = o.Files[0], ""
	} else if len(o.Dirs) == 1 && len(o.Files)+len(o.Stacks) == 0 && o.Terragrunt == "" {
		o.File, o.Dir = "", o.Dirs[0]
	} else {
		o.File, o.Dir = "", ""
	}
	return checkInput(o.Input)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// judge reads the change and judges it: one input as one change, more as
// a many-stack verdict.
func (o *planOptions) judge(ctx context.Context, pol verdict.Policy, opts verdict.Options, extraNotes []string) (verdict.Verdict, error) {
	if o.File != "" || o.Dir != "" {
		set, notes, err := o.readSet(ctx)
		if err != nil {
			return verdict.Verdict{}, err
		}
		opts.Notes = append(opts.Notes, append(notes, extraNotes...)...)
		return verdict.Evaluate(set, pol, opts), nil
	}
	ins, err := o.inputs()
	if err != nil {
		return verdict.Verdict{}, err
	}
	opts.Notes = append(opts.Notes, extraNotes...)
	if len(ins) == 1 && o.Terragrunt == "" {
		set, notes, err := o.readStack(ctx, ins[0])
		if err != nil {
			return verdict.Verdict{}, err
		}
		opts.Notes = append(opts.Notes, notes...)
		return verdict.Evaluate(set, pol, opts), nil
	}
	judged, err := o.judgeStacks(ctx, ins, pol, opts)
	if err != nil {
		return verdict.Verdict{}, err
	}
	if o.Terragrunt != "" {
		units, err := o.judgeTerragrunt(ctx, pol, opts)
		if err != nil {
			return verdict.Verdict{}, err
		}
		judged = append(judged, units...)
	}
	return verdict.EvaluateStacks(judged, pol, opts)
}

// readSet reads the plan JSON, or produces it with terraform.
func (o *planOptions) readSet(ctx context.Context) (change.Set, []string, error) {
	if o.Dir == "" {
		set, err := readPlanFile(ctx, o.File, o.in, o.Input)
		return set, nil, err
	}
	var warn bytes.Buffer
	res, err := terraform.Plan(ctx, terraform.RunOptions{
		Dir: o.Dir, Workspace: o.Workspace, State: o.State, PlanFile: o.PlanFile, Binary: o.terraform(o.Terraform),
		Vars: o.Vars, VarFiles: o.VarFiles, Targets: o.Targets, Replace: o.Replace, Destroy: o.Destroy, Refresh: o.Refresh,
		Progress: o.progress(), Warn: io.MultiWriter(o.err, &warn),
	})
	if err != nil {
		if ctx.Err() != nil {
			return change.Set{}, nil, fmt.Errorf("%s: %w", o.Dir, ctx.Err())
		}
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

// readPlanFile reads a Terraform plan, a CloudFormation change set or a
// Pulumi preview from a file, or from in for "-": the format input names,
// else the one its structure says. A directory is the change sets of a
// CloudFormation stack and its nested stacks, one *.json file each.
func readPlanFile(ctx context.Context, name string, in io.Reader, input string) (change.Set, error) {
	if name == "-" {
		return readInput(ctx, "<stdin>", input, bufio.NewReaderSize(in, peekSize))
	}
	f, err := os.Open(name)
	if err != nil {
		return change.Set{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	// GOMEMLIMIT is the runtime's own setting for this process, not an
	// input of the command: it is read from the process, not the Factory.
	if err == nil && os.Getenv("GOMEMLIMIT") == "" {
		// What stays live grows with the plan: a limit sized to it keeps
		// the collector from running continuously on a large one. It is
		// only ever raised: stacks read at once set one for all of them
		// (judgeStacks), which a smaller plan must not lower.
		memlimit.Raise(planjson.MemoryLimit(st.Size()))
	}
	// GOGC likewise.
	if err == nil && os.Getenv("GOGC") == "" {
		memlimit.GCPercent(planjson.GCPercent(st.Size()))
	}
	if err == nil && st.IsDir() {
		if input != "" && input != inputCloudFormation {
			return change.Set{}, fmt.Errorf("%s: is a directory: only --input cloudformation reads one (its nested stacks' change sets); to plan a Terraform directory use --dir", name)
		}
		return cloudformation.ReadDir(name)
	}
	// A binary plan (terraform plan -out) is a zip archive: say what to do
	// with it rather than report invalid JSON.
	br := bufio.NewReaderSize(f, peekSize)
	if magic, _ := br.Peek(4); string(magic) == "PK\x03\x04" {
		return change.Set{}, fmt.Errorf("%s: a binary plan file, not plan JSON: use rehearse plan --dir DIR --plan-file %s, or terraform show -json %s > plan.json", name, name, name)
	}
	return readInput(ctx, name, input, br)
}

func loadPolicy(file string) (verdict.Policy, error) {
	if file == "" {
		return verdict.DefaultPolicy(), nil
	}
	return verdict.LoadPolicy(file)
}

// loadApprovals reads the approvals file, --approvals or else
// approval.DefaultFile when there is one, and checks each approval against
// the policy's approvals section: signatures against its allowed signers
// (relative to policyFile), expiry, age and, given the change's authors
// (nil: unknown), self-approval. A malformed approvals or allowed signers
// file is an error (exit 2), never an empty list. A named file that is
// missing means no approvals, said in a note: a CI job names the file
// before anyone has approved anything, and without approvals nothing can
// pass that would not pass anyway.
func loadApprovals(file string, pol *verdict.Policy, policyFile string, authors []string, now time.Time) ([]verdict.Approval, []string, error) {
	var notes []string
	if file == "" {
		if _, err := os.Stat(approval.DefaultFile); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, nil
		}
		file = approval.DefaultFile
		notes = append(notes, "approvals read from "+file+", found in the working directory (--approvals names another file)")
	}
	signers, err := approval.LoadPolicySigners(&pol.Approvals, policyFile)
	if err != nil {
		return nil, nil, err
	}
	entries, err := approval.Load(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, append(notes, fmt.Sprintf("approvals file %s does not exist: no approvals applied", file)), nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !pol.Approvals.Signed() {
		notes = append(notes, approval.UnsignedNote)
	}
	in := approval.Input{Entries: entries, Policy: pol.Approvals, Signers: signers, Now: now, Authors: authors}
	return approval.Verify(in), notes, nil
}

// decisionExit maps a decision to the exit code.
func decisionExit(d verdict.Decision, failOn string) error {
	switch {
	case d == verdict.Block:
		return &exitError{code: exitBlock}
	case d == verdict.Warn && failOn == "warn":
		return &exitError{code: exitBlock}
	}
	return nil
}

// reportOptions sets what the reports need beyond the verdict: the
// comment limit, the JSON report a cut comment points to, and the
// arguments that judge this change again, for the approval command.
func (o *planOptions) reportOptions() error {
	limit, err := report.ParseCommentLimit(o.CommentLimit)
	if err != nil {
		return err
	}
	ro := report.Options{CommentLimit: limit, ApproveArgs: o.approveArgs(), Version: buildinfo.Version()}
	for _, f := range o.output.files {
		if f.format == report.JSON && f.path != "-" {
			ro.FullReport = f.path
			break
		}
	}
	o.output.Report = ro
	return nil
}

// approveArgs are the arguments of `rehearse approve` that judge the same
// change as this run: the inputs and every flag that changes the
// verdict, shell quoted.
func (o *planOptions) approveArgs() string {
	var args []string
	flag := func(name, val string) {
		if val != "" {
			args = append(args, "--"+name, shellQuote(val))
		}
	}
	flag("policy", o.Policy)
	flag("base-policy", o.BasePolicy)
	flag("origin", o.Origin)
	flag("origin-range", o.OriginRange)
	flag("workspace", o.Workspace)
	flag("input", o.Input)
	for _, d := range o.Dirs {
		flag("dir", d)
	}
	for _, s := range o.Stacks {
		flag("stack", s)
	}
	flag("state", o.State)
	flag("plan-file", o.PlanFile)
	flag("terraform", o.Terraform)
	for _, v := range o.Vars {
		flag("var", v)
	}
	for _, v := range o.VarFiles {
		flag("var-file", v)
	}
	for _, v := range o.Targets {
		flag("target", v)
	}
	for _, v := range o.Replace {
		flag("replace", v)
	}
	if o.Destroy {
		args = append(args, "--destroy")
	}
	if !o.Refresh && len(o.Dirs) > 0 {
		args = append(args, "--refresh=false")
	}
	flag("terragrunt", o.Terragrunt)
	flag("terragrunt-binary", o.TerragruntBinary)
	for _, f := range o.Files {
		args = append(args, shellQuote(f))
	}
	return strings.Join(args, " ")
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
