// Package buildinfo says which rehearse this binary is: the version, the
// commit it was built from and the Go toolchain that built it. Reports carry
// the version so a verdict can be traced to the binary that gave it.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set by the linker: `make build` and `make dist` pass
//
//	-X github.com/rehearse-dev/rehearse/internal/buildinfo.version=$(git describe --tags --always --dirty)
//	-X github.com/rehearse-dev/rehearse/internal/buildinfo.commit=$(git rev-parse HEAD)
//
// They are variables only because -X can set nothing else; nothing in the
// program writes them.
var (
	version string
	commit  string
)

// Version is the version of this binary: the one stamped by the Makefile
// from git describe, else the main module's version Go recorded (v1.2.3
// from `go install module@v1.2.3`; a pseudo-version such as
// v0.0.0-20261202012908-420c59db8af5+dirty from a `go build` in a
// checkout), else "dev" (a build without VCS stamping).
func Version() string {
	return pick(version, moduleVersion(readBuildInfo()))
}

// Commit is the commit this binary was built from: the one stamped by the
// Makefile, else the vcs.revision Go records when building inside a git
// checkout (with "-dirty" when it had local changes), else "unknown".
func Commit() string {
	if commit != "" {
		return commit
	}
	if c := vcsCommit(readBuildInfo()); c != "" {
		return c
	}
	return "unknown"
}

// GoVersion is the Go toolchain that built this binary, e.g. "go1.26.8".
func GoVersion() string { return runtime.Version() }

// readBuildInfo returns the build info embedded in the binary, or nil.
func readBuildInfo() *debug.BuildInfo {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	return bi
}

// pick returns the stamped version, else the module version, else "dev".
func pick(stamped, module string) string {
	switch {
	case stamped != "":
		return stamped
	case module != "":
		return module
	default:
		return "dev"
	}
}

// moduleVersion is the main module's version when Go recorded one: `go
// install …@v1.2.3` records v1.2.3 and a build in a checkout with VCS
// stamping a pseudo-version; without stamping it records "(devel)", which
// names nothing, so it does not count.
func moduleVersion(bi *debug.BuildInfo) string {
	if bi == nil {
		return ""
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		return ""
	}
	return v
}

// vcsCommit is the vcs.revision setting, marked "-dirty" when vcs.modified
// is true.
func vcsCommit(bi *debug.BuildInfo) string {
	if bi == nil {
		return ""
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return ""
	}
	if modified == "true" {
		return rev + "-dirty"
	}
	return rev
}
