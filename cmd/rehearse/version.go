package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/rehearse-dev/rehearse/internal/buildinfo"
)

// versionText is what `rehearse version` and `rehearse --version` print:
// the version, the commit and the toolchain, so a bug report names the
// exact binary.
func versionText() string {
	return fmt.Sprintf("rehearse %s\ncommit %s\nbuilt with %s for %s/%s\n",
		buildinfo.Version(), buildinfo.Commit(), buildinfo.GoVersion(), runtime.GOOS, runtime.GOARCH)
}

// versionOptions are what `rehearse version` reads the world through (it
// has no flags).
type versionOptions struct {
	*Factory
}

// newCmdVersion builds `rehearse version`; runF runs it (nil: versionRun).
func newCmdVersion(f *Factory, runF func(context.Context, *versionOptions) error) *cobra.Command {
	o := &versionOptions{Factory: f}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF == nil {
				runF = versionRun
			}
			return runF(cmd.Context(), o)
		},
	}
}

// versionRun prints versionText.
func versionRun(_ context.Context, o *versionOptions) error {
	_, err := fmt.Fprint(o.out, versionText())
	return err
}
