package guard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/planners/terraform"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Judge decides what a terraform or tofu apply would do by planning it and
// judging the plan under the policy that governs its directory.
type Judge struct {
	// LoadPolicy reads a repository policy file over the trusted base
	// policy ("" for the base alone) and says what it weakens. Nil reads
	// it over the built-in policy.
	LoadPolicy func(file string) (verdict.Policy, []string, error)
	// Origin is who wrote the command: an agent's hook says ai.
	Origin verdict.OriginInfo
	// Approvals reads an approvals file and checks it against the policy
	// (policyFile: where the policy came from, "" for the base). Nil
	// reads none, so nothing blocked is approved.
	Approvals func(file string, pol *verdict.Policy, policyFile string) ([]verdict.Approval, []string, error)
	// Binary, when set, is the terraform or tofu used instead of the one
	// the command names (tests, --terraform).
	Binary string
	// Timeout bounds planning and judging one command; past it the
	// command is denied. 0: no bound.
	Timeout time.Duration
	// Progress receives terraform's output; nil discards it.
	Progress io.Writer
	// Getenv reads the environment the command would run in; nil is
	// os.Getenv.
	Getenv func(string) string
	// PolicyFile, when set, is the repository policy in place of the one
	// PolicyFor finds ($REHEARSE_POLICY, as rehearse plan reads it).
	PolicyFile string
}

// Judged is a plan judged: the verdict, and how rehearse approve would
// approve its blocking findings.
type Judged struct {
	Verdict verdict.Verdict
	// Dir is the terraform directory; PolicyFile the repository policy
	// read, "" when none; ApprovalsFile where approvals are read from.
	Dir, PolicyFile, ApprovalsFile string
	// PlanArgs are the rehearse approve flags that plan the same change
	// (--var, --target, --destroy…).
	PlanArgs []string
	// Signed says the policy takes only signed approvals.
	Signed bool
}

// Decision turns the verdict into what the agent is told: block is deny
// (unless every blocking finding is approved), warn is ask, pass allow.
func (j *Judged) Decision(cmd string) Decision {
	d := Decision{Verdict: &j.Verdict}
	switch j.Verdict.Decision {
	case verdict.Block:
		d.Permission, d.Reason = Deny, j.denial(cmd)
	case verdict.Warn:
		d.Permission, d.Reason = Ask, j.warning(cmd)
	default:
		d.Permission, d.Reason = Allow, j.passing(cmd)
	}
	return d
}

// cannotJudge is the fail-closed answer: a command rehearse could not
// plan or judge is denied, with the reason.
func cannotJudge(cmd string, err error) Decision {
	return Decision{Permission: Deny, Reason: fmt.Sprintf("denied by rehearse: could not judge %s: %s. rehearse denies what it cannot judge; fix the cause, or have a human run the command.", cmd, printable(err.Error()))}
}

// Terraform decides a terraform or tofu apply or destroy from an agent:
// it is planned in an isolated copy of its directory (version, init, plan
// and show only; the real backend is read, never written or locked) and
// judged; apply PLANFILE judges that plan file. Anything that fails on the
// way (init, credentials, the timeout) is a deny: fail closed.
func (j *Judge) Terraform(ctx context.Context, tc *TerraformCall) Decision {
	cmd := strings.Join(tc.Argv, " ")
	if j.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.Timeout)
		defer cancel()
	}
	jd, err := j.plan(ctx, tc)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("the plan did not finish within %s, before the agent's hook timeout", roundDuration(j.Timeout))
		}
		return cannotJudge(cmd, err)
	}
	return jd.Decision(cmd)
}

// plan plans the command as the runner can (an isolated copy) and judges it.
func (j *Judge) plan(ctx context.Context, tc *TerraformCall) (*Judged, error) {
	c, err := j.command(tc)
	if err != nil {
		return nil, err
	}
	bin, err := j.binary(tc)
	if err != nil {
		return nil, err
	}
	dir := tc.Dir
	opts := terraform.RunOptions{
		Dir: dir, Binary: bin, Workspace: tc.Workspace,
		Vars: tc.Vars, Targets: tc.Targets, Replace: tc.Replace, Destroy: tc.Destroy, Refresh: c.Refresh,
		Progress: j.Progress,
	}
	// terraform reads -var-file and -state relative to its directory.
	for _, f := range tc.VarFiles {
		opts.VarFiles = append(opts.VarFiles, under(dir, f))
	}
	if c.State != "" {
		opts.State = under(dir, c.State)
	}
	if tc.PlanFile != "" {
		opts = terraform.RunOptions{Dir: dir, Binary: bin, PlanFile: under(dir, tc.PlanFile), Progress: j.Progress}
	}
	var warn bytes.Buffer
	opts.Warn = &warn
	res, err := terraform.Plan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return j.judge(res.Set, c, lines(warn.String()))
}

// command reads tc for planning and refuses what a plan of it would not
// show as it runs: a line with parts known only at run time, a wrapper
// that generates its configuration, environment that changes what apply
// does behind the flags.
func (j *Judge) command(tc *TerraformCall) (*tfCommand, error) {
	if tc.Unknown != "" {
		return nil, errors.New(tc.Unknown)
	}
	if tc.DirUnknown || tc.Dir == "" {
		return nil, errors.New("the directory it runs in is not known until the line runs")
	}
	if t := toolName(tc.Binary); t != "terraform" && t != "tofu" {
		return nil, fmt.Errorf("%s generates the configuration it applies, which rehearse does not plan; run %s plan -out=tfplan, judge it with rehearse plan --dir DIR --plan-file tfplan, and apply that plan", t, t)
	}
	for _, k := range slices.Sorted(maps.Keys(tc.Env)) {
		if strings.HasPrefix(k, "TF_CLI_ARGS") || strings.HasPrefix(k, "TF_VAR_") || k == "TF_DATA_DIR" {
			return nil, fmt.Errorf("the command sets %s, which rehearse does not plan with; pass variables as -var NAME=VALUE", k)
		}
	}
	getenv := j.getenv()
	for _, k := range []string{"TF_CLI_ARGS", "TF_CLI_ARGS_apply", "TF_CLI_ARGS_destroy"} {
		if getenv(k) != "" {
			return nil, fmt.Errorf("%s is set in the environment, so apply would run with arguments the plan does not have", k)
		}
	}
	return readCommand(tc)
}

func (j *Judge) getenv() func(string) string {
	if j.Getenv != nil {
		return j.Getenv
	}
	return os.Getenv
}

// binary is the tool the command would run: j.Binary when set, else the
// program as invoked, looked up on PATH or against the command's
// directory.
func (j *Judge) binary(tc *TerraformCall) (string, error) {
	if j.Binary != "" {
		return j.Binary, nil
	}
	return program(tc)
}

// program is the tool tc runs, as its shell would find it.
func program(tc *TerraformCall) (string, error) {
	if strings.ContainsRune(tc.Binary, filepath.Separator) {
		return under(tc.Dir, tc.Binary), nil
	}
	p, err := exec.LookPath(tc.Binary)
	if err != nil {
		return "", fmt.Errorf("%s: %w", tc.Binary, err)
	}
	return p, nil
}

// judge evaluates a planned Set under the policy of dir, with its approvals.
func (j *Judge) judge(set change.Set, c *tfCommand, notes []string) (*Judged, error) {
	dir := c.call.Dir
	pol, err := j.PolicyFor(dir)
	if err != nil {
		return nil, err
	}
	jd := &Judged{Dir: dir, PolicyFile: pol.File, ApprovalsFile: filepath.Join(pol.Root, ".rehearse", "approvals.yaml"), PlanArgs: c.approveArgs(), Signed: pol.Policy.Approvals.Signed()}
	var approvals []verdict.Approval
	if j.Approvals != nil {
		if _, err := os.Stat(jd.ApprovalsFile); err == nil {
			as, ns, err := j.Approvals(jd.ApprovalsFile, &pol.Policy, pol.File)
			if err != nil {
				return nil, fmt.Errorf("approvals: %w", err)
			}
			approvals, notes = as, append(notes, ns...)
		}
	}
	jd.Verdict = verdict.Evaluate(set, pol.Policy, verdict.Options{
		Origin: j.Origin, Workspace: set.Workspace, Notes: notes, Approvals: approvals, Weakened: pol.Weakened,
	})
	return jd, nil
}

// approveArgs are the rehearse approve flags that make the same plan.
func (c *tfCommand) approveArgs() []string {
	tc, dir := c.call, c.call.Dir
	if tc.PlanFile != "" {
		return []string{"--plan-file", under(dir, tc.PlanFile)}
	}
	var out []string
	for _, f := range tc.VarFiles {
		out = append(out, "--var-file", under(dir, f))
	}
	for _, v := range tc.Vars {
		out = append(out, "--var", v)
	}
	for _, t := range tc.Targets {
		out = append(out, "--target", t)
	}
	for _, r := range tc.Replace {
		out = append(out, "--replace", r)
	}
	if tc.Destroy {
		out = append(out, "--destroy")
	}
	if !c.Refresh {
		out = append(out, "--refresh=false")
	}
	if c.State != "" {
		out = append(out, "--state", under(dir, c.State))
	}
	if tc.Workspace != "" {
		out = append(out, "--workspace", tc.Workspace)
	}
	return out
}

// under resolves p against dir unless it is absolute.
func under(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// roundDuration prints d to the second, or as is when shorter.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d
	}
	return d.Round(time.Second)
}
