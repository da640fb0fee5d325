package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/verdict"
)

func newPolicyCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Write or check a rehearse policy file",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "init",
		Short: "Print the built-in policy as a commented starter file",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := s.out.Write(verdict.DefaultPolicyYAML())
			return err
		},
	}, &cobra.Command{
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
		RunE: func(_ *cobra.Command, args []string) error {
			return checkPolicy(s, args)
		},
	})
	return cmd
}

// checkPolicy is `rehearse policy check`: the named file, stdin for "-",
// or the one plan would find.
func checkPolicy(s streams, args []string) error {
	var name string
	var b []byte
	var err error
	switch {
	case len(args) == 1 && args[0] == "-":
		name = "<stdin>"
		b, err = io.ReadAll(s.in)
	case len(args) == 1:
		name = args[0]
		b, err = os.ReadFile(name)
	default:
		var by string
		name, by, err = findPolicy()
		if err != nil {
			return cannotJudge(err)
		}
		if name == "" {
			_, err := fmt.Fprintln(s.out, "no policy file found (no $REHEARSE_POLICY, rehearse.yaml or .rehearse/policy.yaml here or up to the repository root): the built-in policy applies")
			return err
		}
		fmt.Fprintf(s.err, "checking %s (%s)\n", name, by)
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return cannotJudge(fmt.Errorf("policy: %w", err))
	}
	if _, err := verdict.ParsePolicy(name, b); err != nil {
		// Every problem of the file, one line each (each names the file),
		// where other commands give the first.
		for _, line := range strings.Split(strings.TrimSpace(err.Error()), "\n") {
			printError(s.err, errors.New(line))
		}
		return &exitError{code: exitCannot}
	}
	_, err = fmt.Fprintf(s.out, "%s: ok\n", name)
	return err
}
