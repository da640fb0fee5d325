package sandbox

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
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
func (e *Environment) checkPaths() error {
	if e.File == "" {
		return nil
	}
	base, err := resolve(filepath.Dir(e.File))
	if err != nil {
		return fmt.Errorf("%s: %w", e.File, err)
	}
	var ps []yamlfile.Problem
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		b := e.Services[name].Build
		if b == nil {
			continue
		}
		at := func(p ...any) []any { return append([]any{"services", name, "build"}, p...) }
		if _, err := inside(base, b.Context); err != nil {
			ps = append(ps, e.problemf(at("context"), "%q %s", b.Context, err))
		}
		if b.Dockerfile != "" && (filepath.IsAbs(b.Dockerfile) || !filepath.IsLocal(b.Dockerfile)) {
			ps = append(ps, e.problemf(at("dockerfile"), "%q must be a path inside the build context", b.Dockerfile))
		}
		for _, n := range slices.Sorted(maps.Keys(b.Files)) {
			if !filepath.IsLocal(n) {
				ps = append(ps, e.problemf(at("files", n), "%q must be a name inside the build context", n))
				continue
			}
			if _, ok := prerequisite(b.Files[n]); ok {
				continue
			}
			if _, err := inside(base, b.Files[n]); err != nil {
				ps = append(ps, e.problemf(at("files", n), "%q %s", b.Files[n], err))
			}
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &yamlfile.Error{File: e.File, Problems: ps}
}

// checkComposePaths keeps a compose project's build contexts, Dockerfiles
// and env_file files inside the compose file's directory, after resolving
// symlinks.
func (e *Environment) checkComposePaths(d *composeDoc, proj *types.Project) error {
	base, err := resolve(filepath.Dir(e.File))
	if err != nil {
		return fmt.Errorf("%s: %w", e.File, err)
	}
	var ps []yamlfile.Problem
	for _, name := range slices.Sorted(maps.Keys(proj.Services)) {
		sc := proj.Services[name]
		at := func(p ...any) []any { return append([]any{"services", name}, p...) }
		if b := sc.Build; b != nil {
			ctx, err := inside(base, b.Context)
			if err != nil {
				ps = append(ps, d.problemf(at("build"), "context %q %s", d.rel(b.Context), err))
			} else if b.Dockerfile != "" {
				df := b.Dockerfile
				if !filepath.IsAbs(df) {
					df = filepath.Join(ctx, df)
				}
				if _, err := inside(base, df); err != nil {
					ps = append(ps, d.problemf(at("build", "dockerfile"), "%q %s", b.Dockerfile, err))
				}
			}
		}
		if b := e.Services[name].Build; b != nil {
			for _, n := range slices.Sorted(maps.Keys(b.Files)) {
				fat := at("x-rehearse", "build_files", n)
				if !filepath.IsLocal(n) {
					ps = append(ps, d.problemf(fat, "%q must be a name inside the build context", n))
					continue
				}
				if _, ok := prerequisite(b.Files[n]); ok {
					continue
				}
				if _, err := inside(base, b.Files[n]); err != nil {
					ps = append(ps, d.problemf(fat, "%q %s", b.Files[n], err))
				}
			}
		}
		for i, f := range sc.EnvFiles {
			if _, err := inside(base, f.Path); err != nil && (bool(f.Required) || !errors.Is(err, errNotExist)) {
				ps = append(ps, d.problemf(at("env_file", i), "%q %s", d.rel(f.Path), err))
			}
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &yamlfile.Error{File: e.File, Problems: ps}
}

// rel shows a path compose-go made absolute as the file wrote it: relative
// to the compose file's directory when it is inside.
func (d *composeDoc) rel(p string) string {
	if r, err := filepath.Rel(absOr(filepath.Dir(d.file)), p); err == nil && filepath.IsLocal(r) {
		return r
	}
	return p
}

var errNotExist = errors.New("does not exist")

// inside resolves p (relative to base) and says why it is not inside base.
func inside(base, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	r, err := resolve(p)
	if err != nil {
		return "", errNotExist
	}
	rel, err := filepath.Rel(base, r)
	if err != nil || !filepath.IsLocal(rel) && rel != "." {
		return "", fmt.Errorf("is outside the file's directory (it resolves to %s); an environment or compose file may only read files beside it", r)
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

// hostAccess lists, one problem each, what in the environment gives a
// container the host.
func (e *Environment) hostAccess() error {
	var ps []yamlfile.Problem
	refuse := func(path []any, what string) {
		ps = append(ps, e.problemf(path, "%s; refused in an untrusted %s (pass --trust-env-file to allow it)", what, e.what()))
	}
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		s := e.Services[name]
		at := func(p ...any) []any { return append([]any{"services", name}, p...) }
		for i, b := range s.Binds {
			what := "mounts the host path " + strings.SplitN(b, ":", 2)[0]
			if strings.Contains(b, "docker.sock") {
				what = "mounts the Docker socket"
			}
			if e.composeFile && i < len(s.bindAt) {
				refuse(at("volumes", s.bindAt[i]), what)
			} else {
				refuse(at("binds"), what)
			}
		}
		if s.Privileged {
			refuse(at("privileged"), "a privileged container controls the host")
		}
		if s.NetworkMode == "host" {
			refuse(at("network_mode"), "the host's network")
		}
		if s.PID == "host" {
			refuse(at("pid"), "the host's processes")
		}
		if len(s.CapAdd) > 0 {
			refuse(at("cap_add"), "adds capabilities "+strings.Join(s.CapAdd, ", "))
		}
	}
	if len(ps) == 0 {
		return nil
	}
	return &yamlfile.Error{File: e.File, Problems: ps}
}

// what names the kind of file the environment came from.
func (e *Environment) what() string {
	if e.composeFile {
		return "compose file"
	}
	return "environment file"
}
