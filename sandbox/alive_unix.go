//go:build unix

package sandbox

import (
	"errors"
	"syscall"
)

// alive reports whether a process of this host exists. A process that
// exists but is not ours (EPERM) is alive too: a reused pid keeps a
// finished run, which is the safe side.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
