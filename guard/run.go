package guard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rehearse-dev/rehearse/planners/terraform"
	"github.com/rehearse-dev/rehearse/planners/terraform/planjson"
	"github.com/rehearse-dev/rehearse/verdict"
)

// Exit codes of Run besides the command's own.
const (
	ExitRefused = 1 // rehearse refused to run the command
	ExitCannot  = 2 // rehearse could not judge it, so did not run it
)

// Runner runs a user's own command after judging it: `rehearse guard --
// CMD`. It is the only code in rehearse that runs one. A terraform or tofu
// apply is split in two: plan -out in the real directory (the user's own
// command's plan step, taking the state lock as terraform does), then,
// when the judged plan may go, apply of exactly that plan file — never a
// fresh plan, never -auto-approve. If the state changes in between,
// terraform refuses the stale plan itself.
type Runner struct {
	Judge *Judge
	// Policy is what Classify judges other commands by; Base, when set,
	// the trusted base it weakens (FoundPolicy.Base): see ClassifyWith.
	Policy *verdict.Policy
	Base   *verdict.Policy
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// FailOnWarn refuses a plan that warns, as --fail-on warn.
	FailOnWarn bool
	// Confirm asks a person whether a command that needs one may run;
	// nil refuses (no terminal to ask on).
	Confirm func(Decision) bool
	// Report is given every judged plan before anything is decided, for
	// the caller to print; nil prints nothing.
	Report func(*Judged)

	// beforeApply runs after the plan is judged and allowed, before it
	// is applied: tests change the state there.
	beforeApply func()
}

// Run judges argv, run in dir, and runs it when it may: it returns the
// command's own exit code when it ran, ExitRefused when it was refused,
// ExitCannot when it could not be judged.
func (r *Runner) Run(ctx context.Context, argv []string, dir string) int {
	if len(argv) == 0 {
		return r.cannot(errors.New("no command given: rehearse guard -- CMD [ARGS…]"))
	}
	invs, err := Analyze(shellJoin(argv), dir)
	if err != nil {
		return r.cannot(fmt.Errorf("%s: %w", argv[0], err))
	}
	var ds []Decision
	for i := range invs {
		inv := &invs[i]
		d, tc := ClassifyWith(inv, r.Policy, r.Base)
		if tc == nil {
			ds = append(ds, d)
			continue
		}
		// guard can split only the command it runs itself into plan and
		// apply, not one a wrapper or script starts.
		if len(invs) != 1 || inv.Via != "" {
			return r.refuse(fmt.Sprintf("rehearse guard: %s runs %s, which guard can only judge and run directly: rehearse guard -- %s", argv[0], strings.Join(tc.Argv, " "), strings.Join(tc.Argv, " ")))
		}
		return r.terraform(ctx, tc, inv.Dir)
	}
	d := Strongest(ds...)
	switch d.Permission {
	case Deny:
		return r.refuse(d.Reason)
	case Ask:
		if r.Confirm == nil || !r.Confirm(d) {
			return r.refuse(d.Reason + " (not confirmed)")
		}
	}
	return r.start(argv[0], argv[1:], dir, r.Stdout)
}

// terraform runs apply as plan -out, judge, apply of the judged file.
func (r *Runner) terraform(ctx context.Context, tc *TerraformCall, cwd string) int {
	c, err := r.Judge.command(tc)
	if err != nil {
		return r.cannot(err)
	}
	bin, err := program(tc)
	if err != nil {
		return r.cannot(err)
	}
	tmp, err := os.MkdirTemp("", "rehearse-guard-")
	if err != nil {
		return r.cannot(err)
	}
	defer os.RemoveAll(tmp)
	// The one plan file: planned (or copied) here, judged, and applied.
	judged := filepath.Join(tmp, "judged.tfplan")

	if tc.PlanFile != "" {
		// A copy, so the file judged is the file applied even if the
		// original changes in between.
		if err := copyPlan(under(tc.Dir, tc.PlanFile), judged); err != nil {
			return r.cannot(err)
		}
	} else if code := r.start(bin, c.planArgs(judged), cwd, r.Stdout, planEnv); code != 0 {
		return r.cannot(fmt.Errorf("%s plan exited %d: nothing was applied", toolName(bin), code))
	}
	var js bytes.Buffer
	if code := r.start(bin, c.showArgs(judged), cwd, &js); code != 0 {
		return r.cannot(fmt.Errorf("%s show -json exited %d: nothing was applied", toolName(bin), code))
	}
	var ws bytes.Buffer
	if code := r.start(bin, c.workspaceArgs(), cwd, &ws); code != 0 {
		return r.cannot(fmt.Errorf("%s workspace show exited %d: nothing was applied", toolName(bin), code))
	}
	set, err := planjson.Read(ctx, &js, planjson.File(tc.Dir+" ("+toolName(bin)+" show -json)"))
	if err != nil {
		return r.cannot(err)
	}
	set.Source.Tool = toolName(bin)
	set.Workspace = strings.TrimSpace(ws.String())
	set.Locations = terraform.Locate(tc.Dir)
	jd, err := r.Judge.judge(set, c, nil)
	if err != nil {
		return r.cannot(err)
	}
	if r.Report != nil {
		r.Report(jd)
	}
	d := jd.Decision(strings.Join(tc.Argv, " "))
	switch {
	case d.Permission == Deny:
		return r.refuse(d.Reason + " Nothing was applied.")
	case d.Permission == Ask && r.FailOnWarn:
		return r.refuse(d.Reason + " --fail-on warn: nothing was applied.")
	}
	if r.beforeApply != nil {
		r.beforeApply()
	}
	if ctx.Err() != nil {
		return r.cannot(fmt.Errorf("interrupted before apply: %w; nothing was applied", ctx.Err()))
	}
	return r.start(bin, c.applyArgs(judged), cwd, r.Stdout)
}

// start runs a program with the user's standard input and error, its
// output to out, and returns its exit code. guard does not signal it on
// cancellation: Ctrl-C reaches it from the terminal as it would without
// guard, and a second signal from guard would make terraform abandon an
// apply half done ("Two interrupts received"), the state locked.
func (r *Runner) start(prog string, args []string, dir string, out io.Writer, env ...string) int {
	cmd := exec.Command(prog, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r.Stdin, out, r.Stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if code := ee.ExitCode(); code >= 0 {
			return code
		}
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return 128
	}
	fmt.Fprintf(r.Stderr, "rehearse guard: %s: %s\n", prog, printable(err.Error()))
	return 127
}

// planEnv is added to the environment of the plan step: terraform then
// does not tell the user to run `terraform apply` of the judged file, which
// guard applies itself (or, refused, removes).
const planEnv = "TF_IN_AUTOMATION=1"

func (r *Runner) refuse(reason string) int {
	fmt.Fprintf(r.Stderr, "%s\n", reason)
	return ExitRefused
}

func (r *Runner) cannot(err error) int {
	fmt.Fprintf(r.Stderr, "rehearse guard: could not judge: %s\n", printable(err.Error()))
	return ExitCannot
}

func copyPlan(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("plan file: %w", err)
	}
	return os.WriteFile(dst, b, 0o600)
}

// shellJoin quotes argv into the line a shell would run as argv.
func shellJoin(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
	}
	return b.String()
}
