package main

import (
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

func newVersionCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the Go version of this binary",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(s.out, versionText())
			return err
		},
	}
}
