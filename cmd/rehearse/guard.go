package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/guard"
	"github.com/rehearse-dev/rehearse/origin"
	"github.com/rehearse-dev/rehearse/verdict"
)

// guardOptions are the flags of `rehearse guard -- CMD`.
type guardOptions struct {
	streams
	judgeOptions
	FailOn string
	output outputOptions
}

func newGuardCmd(s streams) *cobra.Command {
	o := &guardOptions{streams: s}
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
			if code := o.run(cmd.Context(), args); code != 0 {
				return &exitError{code: code}
			}
			return nil
		},
	}
	f := cmd.Flags()
	o.judgeOptions.addFlags(cmd, false)
	f.StringVar(&o.FailOn, "fail-on", "block", "lowest plan decision that refuses: block or warn")
	o.output.addFlags(cmd)
	f.SetInterspersed(false)
	return cmd
}

func (o *guardOptions) run(ctx context.Context, argv []string) int {
	if o.FailOn != "block" && o.FailOn != "warn" {
		printError(o.err, fmt.Errorf("--fail-on must be block or warn, not %q", o.FailOn))
		return exitCannot
	}
	if o.Policy != "" {
		printError(o.err, fmt.Errorf("--policy: guard reads the repository's %s itself; give the trusted one with --base-policy", guard.PolicyFile))
		return exitCannot
	}
	if err := o.output.check(); err != nil {
		printError(o.err, err)
		return exitCannot
	}
	cwd, err := os.Getwd()
	if err != nil {
		printError(o.err, err)
		return exitCannot
	}
	// The change's authors, for approvals.forbid_self: read with --origin
	// auto, as rehearse plan does; unknown (nil) otherwise, which voids
	// every approval when the policy forbids self-approval.
	var authors []string
	j := &guard.Judge{
		LoadPolicy: func(file string) (verdict.Policy, []string, error) {
			jo := judgeOptions{Policy: file, BasePolicy: o.BasePolicy}
			pol, err := jo.loadPolicies()
			return pol, jo.weakened, err
		},
		Approvals: func(file string, pol *verdict.Policy, policyFile string) ([]verdict.Approval, []string, error) {
			return loadApprovals(file, pol, policyFile, authors, time.Now())
		},
		PolicyFile: os.Getenv("REHEARSE_POLICY"),
	}
	found, err := j.PolicyFor(cwd)
	if err != nil {
		printError(o.err, err)
		return exitCannot
	}
	if j.Origin, authors, err = (origin.Git{}).Resolve(ctx, origin.Choice{Flag: o.Origin, Env: os.Getenv("REHEARSE_ORIGIN"), Range: o.OriginRange}, found.Policy.Origin); err != nil {
		printError(o.err, err)
		return exitCannot
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
	return r.Run(ctx, argv, cwd)
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
