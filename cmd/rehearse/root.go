package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
)

// Exit codes, like diff(1): 0 the change may go, 1 it is blocked, 2 rehearse
// could not judge it.
const (
	exitPass   = 0
	exitBlock  = 1
	exitCannot = 2
)

// exitError carries an exit code out of a command. A nil err with a code
// means the command already said what it had to.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// cannotJudge wraps an error as exit 2.
func cannotJudge(err error) error { return &exitError{code: exitCannot, err: err} }

// streams are a command's standard streams.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// useColor follows the NO_COLOR convention and colours only terminals.
func useColor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return isTerminal(w)
}

var version = "dev"

func newRootCmd(s streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "rehearse",
		Short: "Rehearse an infrastructure change before it reaches production",
		Long: `rehearse reads or produces a Terraform plan, or runs a change in ephemeral
containers, flags every destroy and replace that touches an environment or a
data-bearing resource, and gives a verdict: pass, warn or block.

Exit codes: 0 pass (or warn without --fail-on warn), 1 block, 2 could not judge.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.in)
	root.SetOut(s.out)
	root.SetErr(s.err)
	root.AddCommand(newPlanCmd(s), newApproveCmd(s), newPolicyCmd(s), newSandboxCmd(s), newReplayCmd(s), newRegressCmd(s), newRecordCmd(s), newHookCmd(s), newGuardCmd(s))
	return root
}

// run executes the CLI and returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, out, errw io.Writer) int {
	root := newRootCmd(streams{in: in, out: out, err: errw})
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitPass
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			printError(errw, ee.err)
		}
		return ee.code
	}
	// Flag and argument errors, and anything unexpected: the tool could
	// not judge.
	printError(errw, err)
	return exitCannot
}
