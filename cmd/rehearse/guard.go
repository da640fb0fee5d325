package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/guard"
	"github.com/rehearse-dev/rehearse/origin"
	"github.com/rehearse-dev/rehearse/verdict"
)

// guardOptions are the flags of `rehearse guard -- CMD`, the command, and
// the Factory the run reads the world through.
type guardOptions struct {
	*Factory
	judgeOptions
	FailOn string
	output outputOptions
	// Argv is the command after --.
	Argv []string
	// dir is where the command runs; "" is the working directory.
	dir string
}

// newCmdGuard builds `rehearse guard`; runF runs it (nil: guardRun).
func newCmdGuard(f *Factory, runF func(context.Context, *guardOptions) error) *cobra.Command {
	o := &guardOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "guard [flags] -- CMD [ARGS…]",
		Short: "Run a command only if rehearse lets it: terraform apply runs exactly the plan it judged",
		Long: `guard judges a command before running it, as "rehearse hook" does for an
agent, and then runs it or refuses.

terraform (or tofu) apply and destroy are split in two: guard runs
"terraform plan -out" with the same arguments in the real directory (taking
the state lock as terraform would), judges the plan under the repository's
rehearse.yaml over the base policy, and, if it may go (pass; warn unless
--fail-on warn; block with a valid approval for exactly this change), runs
"terraform apply" of that plan file, so exactly the judged plan is applied.
If the state changes between the two steps, terraform refuses the stale
plan. apply PLANFILE judges that plan file and applies a copy of it.

Any other command is run, refused, or, when it needs a person's word,
confirmed on the terminal (refused without one).

Exit codes: the command's own when it ran; 1 refused; 2 could not judge.`,
		Example: `  rehearse guard -- terraform apply -auto-approve
  rehearse guard -- terraform -chdir=infra apply -var env=prod
  rehearse guard -- terraform destroy -target=terraform_data.tmp
  alias terraform='rehearse guard -- terraform'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 0 {
				return cannotJudge(fmt.Errorf("put the command after --: rehearse guard [flags] -- %s", strings.Join(args, " ")))
			}
			o.Argv = args
			if runF == nil {
				runF = guardRun
			}
			return runF(cmd.Context(), o)
		},
	}
	fl := cmd.Flags()
	o.judgeOptions.addFlags(cmd, false)
	fl.StringVar(&o.FailOn, "fail-on", "block", "lowest plan decision that refuses: block or warn")
	o.output.addFlags(cmd)
	fl.SetInterspersed(false)
	return cmd
}

// guardRun judges the command and runs it when it may; the exit code is
// the command's own when it ran, 1 refused, 2 could not judge.
func guardRun(ctx context.Context, o *guardOptions) error {
	if o.FailOn != "block" && o.FailOn != "warn" {
		return cannotJudge(fmt.Errorf("--fail-on must be block or warn, not %q", o.FailOn))
	}
	if o.Policy != "" {
		return cannotJudge(fmt.Errorf("--policy: guard reads the repository's %s itself; give the trusted one with --base-policy", guard.PolicyFile))
	}
	if err := o.output.check(); err != nil {
		return cannotJudge(err)
	}
	cwd := o.dir
	if cwd == "" {
		wd, err := os.Getwd()
		if err != nil {
			return cannotJudge(err)
		}
		cwd = wd
	}
	// The change's authors, for approvals.forbid_self: read with --origin
	// auto, as rehearse plan does; unknown (nil) otherwise, which voids
	// every approval when the policy forbids self-approval.
	var authors []string
	j := &guard.Judge{
		LoadPolicy: policyLoader(o.BasePolicy, o.Getenv),
		Approvals: func(file string, pol *verdict.Policy, policyFile string) ([]verdict.Approval, []string, error) {
			return loadApprovals(file, pol, policyFile, authors, o.Now())
		},
		PolicyFile: o.Getenv("REHEARSE_POLICY"),
	}
	found, err := j.PolicyFor(cwd)
	if err != nil {
		return cannotJudge(err)
	}
	if j.Origin, authors, err = (origin.Git{}).Resolve(ctx, origin.Choice{Flag: o.Origin, Env: o.Getenv("REHEARSE_ORIGIN"), Range: o.OriginRange}, found.Policy.Origin); err != nil {
		return cannotJudge(err)
	}
	r := &guard.Runner{
		Judge: j, Policy: &found.Policy, Base: found.Base,
		Stdin: o.in, Stdout: o.out, Stderr: o.err,
		FailOnWarn: o.FailOn == "warn",
		Report: func(jd *guard.Judged) {
			// The verdict goes to stderr: stdout is the command's.
			if err := o.output.write(o.err, &jd.Verdict); err != nil {
				printError(o.err, err)
			}
		},
	}
	if f, ok := o.in.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
		r.Confirm = func(d guard.Decision) bool { return confirm(o.streams, d.Reason) }
	}
	if code := r.Run(ctx, o.Argv, cwd); code != 0 {
		return &exitError{code: code}
	}
	return nil
}

// confirm asks on the terminal; anything but y or yes is no.
func confirm(s streams, reason string) bool {
	fmt.Fprintf(s.err, "%s\nRun it anyway? [y/N] ", reason)
	line, _ := bufio.NewReader(s.in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}
