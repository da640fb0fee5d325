package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/verdict"
)

// newCmdPolicy builds `rehearse policy` and its init and check.
func newCmdPolicy(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write or check a rehearse policy file",
	}
	cmd.AddCommand(newCmdPolicyInit(f, nil), newCmdPolicyCheck(f, nil))
	return cmd
}

// policyInitOptions are what `rehearse policy init` reads the world
// through (it has no flags).
type policyInitOptions struct {
	*Factory
}

// newCmdPolicyInit builds `rehearse policy init`; runF runs it (nil:
// policyInitRun).
func newCmdPolicyInit(f *Factory, runF func(context.Context, *policyInitOptions) error) *cobra.Command {
	o := &policyInitOptions{Factory: f}
	return &cobra.Command{
		Use:   "init",
		Short: "Print the built-in policy as a commented starter file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF == nil {
				runF = policyInitRun
			}
			return runF(cmd.Context(), o)
		},
	}
}

// policyInitRun prints the built-in policy.
func policyInitRun(_ context.Context, o *policyInitOptions) error {
	_, err := o.out.Write(verdict.DefaultPolicyYAML())
	return err
}

// policyCheckOptions are the argument of `rehearse policy check`, and the
// Factory the run reads the world through.
type policyCheckOptions struct {
	*Factory
	// File is the policy to check: a file, or "-" for stdin; without
	// Named, the one plan would find.
	File  string
	Named bool
}

// newCmdPolicyCheck builds `rehearse policy check`; runF runs it (nil:
// policyCheckRun).
func newCmdPolicyCheck(f *Factory, runF func(context.Context, *policyCheckOptions) error) *cobra.Command {
	o := &policyCheckOptions{Factory: f}
	return &cobra.Command{
		Use:   "check [FILE | -]",
		Short: "Check a policy file: print ok, or exit 2 with every problem (an unknown key with the nearest known one)",
		Long: `Check a policy file: print "FILE: ok" when it is valid, or exit 2 with one
line per problem, each with its line and key, e.g.

  rehearse.yaml: line 4: environments.protectd: unknown key; did you mean protected?

- reads standard input. Without FILE, checks the policy rehearse plan would
find: $REHEARSE_POLICY, else rehearse.yaml or .rehearse/policy.yaml in the
working directory or above it up to the repository root.`,
		Example: `  rehearse policy check rehearse.yaml
  git show origin/main:rehearse.yaml | rehearse policy check -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.File, o.Named = args[0], true
			}
			if runF == nil {
				runF = policyCheckRun
			}
			return runF(cmd.Context(), o)
		},
	}
}

// policyCheckRun is `rehearse policy check`: the named file, stdin for
// "-", or the one plan would find.
func policyCheckRun(_ context.Context, o *policyCheckOptions) error {
	name := o.File
	var b []byte
	var err error
	switch {
	case o.Named && name == "-":
		name = "<stdin>"
		b, err = io.ReadAll(o.in)
	case !o.Named:
		var by string
		name, by, err = findPolicyWith(o.Getenv)
		if err != nil {
			return cannotJudge(err)
		}
		if name == "" {
			_, err := fmt.Fprintln(o.out, "no policy file found (no $REHEARSE_POLICY, rehearse.yaml or .rehearse/policy.yaml here or up to the repository root): the built-in policy applies")
			return err
		}
		fmt.Fprintf(o.err, "checking %s (%s)\n", name, by)
		b, err = os.ReadFile(name)
	default:
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return cannotJudge(fmt.Errorf("policy: %w", err))
	}
	if _, err := verdict.ParsePolicy(name, b); err != nil {
		// Every problem of the file, one line each (each names the file),
		// where other commands give the first.
		for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
			printError(o.err, errors.New(line))
		}
		return &exitError{code: exitCannot}
	}
	_, err = fmt.Fprintf(o.out, "%s: ok\n", name)
	return err
}
