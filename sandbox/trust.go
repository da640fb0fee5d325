package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// An environment file comes with the change, from a pull request: it is
// untrusted. It may not read host files outside its own directory, and it
// may not give a container the host (bind mounts, the Docker socket,
// privileged mode, the host's network or PID namespace, added
// capabilities) unless the person running rehearse says so on the command
// line (--trust-env-file, Options.TrustEnvFile), never the file itself.

// Prerequisite is a public host program that an environment file may add
// to a build context by its well-known path, although the path lies
// outside the file's directory: rehearse's shipped scenarios build their
// registry-free images from it. It is a program anyone can install, not
// host data.
type Prerequisite struct {
	Path string // the path environment files name, e.g. /bin/busybox
	// Env, when set in rehearse's environment, is where the program is
	// read from instead of Path. Tests set it to a missing path to
	// rehearse a machine without the program.
	Env  string
	Hint string // how to install it, one line
}

// Prerequisites are the host programs environment files may name.
var Prerequisites = []Prerequisite{
	{Path: "/bin/busybox", Env: "REHEARSE_BUSYBOX", Hint: "install Debian's busybox-static: apt-get install -y busybox-static"},
}

func prerequisite(path string) (Prerequisite, bool) {
	for _, p := range Prerequisites {
		if p.Path == path {
			return p, true
		}
	}
	return Prerequisite{}, false
}

// Source is where the program is read from: $Env if set, else Path.
func (p Prerequisite) Source() string {
	if v := os.Getenv(p.Env); p.Env != "" && v != "" {
		return v
	}
	return p.Path
}

// ErrMissingPrerequisite is wrapped by the error of a build that needs a
// prerequisite this machine lacks, so callers can skip the run the way
// they skip one without Docker.
var ErrMissingPrerequisite = errors.New("missing prerequisite")

// MissingPrerequisiteError names the prerequisite and how to install it.
type MissingPrerequisiteError struct {
	Prerequisite
	Service string
}

func (e *MissingPrerequisiteError) Error() string {
	// The service is left out so that one line covers every scenario
	// the same program is missing for.
	return fmt.Sprintf("missing prerequisite: %s (%s)", e.Source(), e.Hint)
}

// Is makes errors.Is(err, ErrMissingPrerequisite) hold.
func (e *MissingPrerequisiteError) Is(target error) bool { return target == ErrMissingPrerequisite }

// missingPrerequisite reports the first prerequisite the environment's
// builds need that this machine lacks, before any Docker object exists.
func (e *Environment) missingPrerequisite() error {
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		b := e.Services[name].Build
		if b == nil {
			continue
		}
		for _, n := range slices.Sorted(maps.Keys(b.Files)) {
			if p, ok := prerequisite(b.Files[n]); ok {
				if _, err := os.Stat(p.Source()); err != nil {
					return &MissingPrerequisiteError{Prerequisite: p, Service: name}
				}
			}
		}
	}
	return nil
}

// checkPaths keeps build contexts and build files inside the environment
// file's directory, after resolving symlinks.
func (e *Environment) checkPaths(root *yaml.Node) error {
	if e.File == "" {
		return nil
	}
	base, err := resolve(filepath.Dir(e.File))
	if err != nil {
		return fmt.Errorf("%s: %w", e.File, err)
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		b := e.Services[name].Build
		if b == nil {
			continue
		}
		at := []any{"services", name, "build", "context"}
		refuse := func(key, path string, why string) {
			errs = append(errs, fmt.Errorf("%s: line %d: services.%s.build.%s %q %s", e.File, lineOf(root, at...), name, key, path, why))
		}
		if _, err := inside(base, b.Context); err != nil {
			refuse("context", b.Context, err.Error())
		}
		if b.Dockerfile != "" && (filepath.IsAbs(b.Dockerfile) || !filepath.IsLocal(b.Dockerfile)) {
			refuse("dockerfile", b.Dockerfile, "must be a path inside the build context")
		}
		at = []any{"services", name, "build", "files"}
		for _, n := range slices.Sorted(maps.Keys(b.Files)) {
			if !filepath.IsLocal(n) {
				refuse("files", n, "must be a name inside the build context")
				continue
			}
			if _, ok := prerequisite(b.Files[n]); ok {
				continue
			}
			if _, err := inside(base, b.Files[n]); err != nil {
				refuse("files."+n, b.Files[n], err.Error())
			}
		}
	}
	return errors.Join(errs...)
}

// inside resolves p (relative to base) and says why it is not inside base.
func inside(base, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	r, err := resolve(p)
	if err != nil {
		return "", errors.New("does not exist")
	}
	rel, err := filepath.Rel(base, r)
	if err != nil || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("is outside the environment file's directory (it resolves to %s); an environment file may only read files beside it", r)
	}
	return r, nil
}

func resolve(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(a)
}

// hostAccess lists, one error each, what in the environment gives a
// container the host.
func (e *Environment) hostAccess() error {
	var errs []error
	refuse := func(name, key, what string) {
		errs = append(errs, fmt.Errorf("%s: line %d: services.%s.%s: %s; refused in an untrusted environment file (pass --trust-env-file to allow it)",
			e.File, lineOf(e.root, "services", name, key), name, key, what))
	}
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		s := e.Services[name]
		for _, b := range s.Binds {
			what := "mounts the host path " + strings.SplitN(b, ":", 2)[0]
			if strings.Contains(b, "docker.sock") {
				what = "mounts the Docker socket"
			}
			refuse(name, "binds", what)
		}
		if s.Privileged {
			refuse(name, "privileged", "a privileged container controls the host")
		}
		if s.NetworkMode == "host" {
			refuse(name, "network_mode", "the host's network")
		}
		if s.PID == "host" {
			refuse(name, "pid", "the host's processes")
		}
		if len(s.CapAdd) > 0 {
			refuse(name, "cap_add", "adds capabilities "+strings.Join(s.CapAdd, ", "))
		}
	}
	return errors.Join(errs...)
}
