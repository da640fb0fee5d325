package main

import (
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
		Use:   "check FILE",
		Short: "Check a policy file; exit 2 with the problem if it is invalid",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if _, err := verdict.LoadPolicy(args[0]); err != nil {
				return cannotJudge(err)
			}
			return nil
		},
	})
	return cmd
}
