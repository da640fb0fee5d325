package main

import (
	"context"
	"os"
	"time"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// Factory is what a command needs from the world outside its flags: the
// streams, the environment, the clock, and how to find terraform and
// reach Docker. main builds the real one (osFactory); a test builds its
// own, so flags and exit codes are tested without terraform, Docker or the
// test process's environment.
//
// Every command follows one pattern, as cli/cli's do:
//
//	// regressOptions are the flags of `rehearse regress` (exported fields),
//	// and the Factory the run reads the world through.
//	type regressOptions struct {
//		*Factory
//		Paths []string
//		...
//	}
//
//	// newCmdRegress builds the command. runF runs it: nil means
//	// regressRun; a test passes its own to capture the parsed options.
//	func newCmdRegress(f *Factory, runF func(context.Context, *regressOptions) error) *cobra.Command {
//		o := &regressOptions{Factory: f}
//		cmd := &cobra.Command{ ...
//			RunE: func(cmd *cobra.Command, args []string) error {
//				o.Paths = args
//				if runF == nil {
//					runF = regressRun
//				}
//				return runF(cmd.Context(), o)
//			},
//		}
//		// flags bound to o's fields
//	}
//
//	// regressRun is the command: validation, the package call, rendering
//	// and the exit code (an *exitError), and nothing a package test
//	// should cover instead.
//	func regressRun(ctx context.Context, o *regressOptions) error
//
// runF takes the context first, unlike cli/cli's func(*Options) error:
// every call that can block takes a context.Context first here, and the
// options do not hold one.
//
// A parent without a run of its own (policy, sandbox) is newCmdX(f) and
// builds its children with nil runF; a parent with one (hook) takes runF
// for itself only.
//
// Tests: newCmdX(testFactory, capture) with SetArgs checks flag parsing;
// xRun(ctx, &xOptions{...}) with a Factory whose Docker fails and whose
// Terraform is absent checks exit codes (factory_test.go and each
// command's X_cmd_test.go).
//
// What the Factory does not carry, on purpose: GOMEMLIMIT (the runtime's
// own setting for the process, read by main and the plan reader), the
// hook's deadlines (they bound real waiting, so they use the real clock),
// and NO_COLOR (read by colorFor in root.go).
type Factory struct {
	streams
	// Getenv reads the environment (os.Getenv in main).
	Getenv func(string) string
	// Now is the clock (time.Now in main).
	Now func() time.Time
	// Terraform is the terraform or tofu binary when a command's
	// --terraform is not given; "" lets planners/terraform discover one
	// ($REHEARSE_TERRAFORM, then terraform, then tofu on PATH).
	Terraform string
	// Docker checks that Docker answers before anything needs it
	// (sandbox.Ping in main).
	Docker func(context.Context) error
}

// osFactory is the Factory of the real process around the given streams.
func osFactory(s streams) *Factory {
	return &Factory{streams: s, Getenv: os.Getenv, Now: time.Now, Docker: sandbox.Ping}
}

// terraform is the binary a command runs: its flag when given, else the
// factory's.
func (f *Factory) terraform(flag string) string {
	if flag != "" {
		return flag
	}
	return f.Terraform
}
