package terraform

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// ErrNoBinary is returned when neither terraform nor tofu can be found.
var ErrNoBinary = errors.New("no terraform or tofu binary found")

// binaryEnv names the environment variable that picks the binary when no
// explicit path is given, so CI can pin a version without changing flags.
const binaryEnv = "REHEARSE_TERRAFORM"

// finder looks up the binary; its fields are the process environment, kept
// as values so tests need not touch the real PATH.
type finder struct {
	getenv   func(string) string
	lookPath func(string) (string, error)
}

func osFinder() finder { return finder{getenv: os.Getenv, lookPath: exec.LookPath} }

// find returns the binary to run: explicit, then $REHEARSE_TERRAFORM, then
// terraform, then tofu on PATH. An explicit choice that does not resolve is an
// error rather than a fall-through, so a typo never runs a different tool.
func (f finder) find(explicit string) (string, error) {
	for _, c := range []struct{ name, from string }{
		{explicit, "--terraform"},
		{f.getenv(binaryEnv), binaryEnv},
	} {
		if c.name == "" {
			continue
		}
		p, err := f.lookPath(c.name)
		if err != nil {
			return "", fmt.Errorf("%s %q: %w", c.from, c.name, err)
		}
		return absolute(p)
	}
	for _, name := range []string{"terraform", "tofu"} {
		if p, err := f.lookPath(name); err == nil {
			return absolute(p)
		}
	}
	return "", fmt.Errorf("%w on PATH: install one, or pass --terraform PATH or set %s", ErrNoBinary, binaryEnv)
}

// absolute makes "./bin/terraform" usable from the isolated copy, where
// terraform runs: a relative path would resolve against that directory.
func absolute(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("terraform binary %s: %w", p, err)
	}
	return a, nil
}
