package terraform

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sync"
)

// defaultWorkspace is the workspace every state has, and the one terraform
// uses when nothing selects another.
const defaultWorkspace = "default"

// workspaceEnv overrides the selected workspace in terraform itself.
// commandEnv removes it from every command's environment: rehearse reads
// it and selects the workspace in the copy instead, so there is one answer.
const workspaceEnv = "TF_WORKSPACE"

// environmentFile is the name, inside the data directory, of the file that
// holds the selected workspace; `terraform workspace select` writes it.
const environmentFile = "environment"

// ErrNoWorkspace is returned when the workspace to plan has no state: a plan
// of it would be a plan of an empty state, all creates, whatever the user
// meant to judge.
var ErrNoWorkspace = errors.New("workspace does not exist")

// workspaceName is deliberately narrower than terraform's rule (a name that
// URL path escaping leaves unchanged): the name becomes a directory below the
// state's workspace directory, and the report prints it.
var workspaceName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,89}$`) })

// dataDir is terraform's data directory relative to the working directory.
// check has already refused one that is absolute or leaves the directory.
func dataDir() string {
	if d := os.Getenv("TF_DATA_DIR"); d != "" {
		return d
	}
	return ".terraform"
}

// resolveWorkspace returns the workspace terraform would plan in dir, in
// terraform's order: TF_WORKSPACE, then the workspace dir's data directory
// selects, then default. An explicit name (--workspace) comes first, but it
// must agree with TF_WORKSPACE: with two different answers rehearse would be
// judging one workspace while the user's own terraform applies the other.
func resolveWorkspace(dir, explicit string) (string, error) {
	env := os.Getenv(workspaceEnv)
	var name, from string
	switch {
	case explicit != "" && env != "" && explicit != env:
		return "", fmt.Errorf("terraform: --workspace %s and %s=%s name different workspaces; give one, or the same in both", explicit, workspaceEnv, env)
	case explicit != "":
		name, from = explicit, "--workspace"
	case env != "":
		name, from = env, workspaceEnv
	default:
		p := filepath.Join(dataDir(), environmentFile)
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("terraform: selected workspace: %w", err)
		}
		// terraform trims the file and takes an empty one for default.
		name, from = string(bytes.TrimSpace(b)), filepath.Join(dir, p)
		if name == "" {
			return defaultWorkspace, nil
		}
	}
	if !workspaceName().MatchString(name) {
		return "", fmt.Errorf("terraform: workspace %q (from %s): want letters, digits, '_', '-' and '.', at most 90, not starting with '-' or '.'", name, from)
	}
	return name, nil
}

// selectWorkspace makes name the copy's selected workspace the way
// `terraform workspace select` does, by writing the data directory's
// environment file, so nothing but init, plan and show ever runs. The file
// is written even for default: a relative TF_DATA_DIR is copied with the
// directory and may name another workspace.
func (w *workspace) selectWorkspace(name string) error {
	d := filepath.Join(w.dir, dataDir())
	if err := os.MkdirAll(d, 0o700); err != nil {
		return fmt.Errorf("select workspace %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(d, environmentFile), []byte(name), 0o600); err != nil {
		return fmt.Errorf("select workspace %s: %w", name, err)
	}
	return nil
}

// hasLocalWorkspace reports whether the copy holds a state directory for
// name where the implicit local backend keeps it. It must be asked before
// init, which creates the directory of a missing workspace.
func (w *workspace) hasLocalWorkspace(name string) bool {
	fi, err := os.Stat(filepath.Join(w.dir, "terraform.tfstate.d", name))
	return err == nil && fi.IsDir()
}

// checkWorkspace runs after init and fails unless name is still selected
// and has a state; local says what hasLocalWorkspace said before init.
// Terraform 1.5 leaves two gaps that would otherwise plan the wrong state
// without a word: init switches to a backend's only workspace when the
// selected one is missing, and the implicit local backend (no backend
// block) creates a missing workspace and plans an empty state. With a
// backend block init itself fails on a missing workspace, in its own words.
func (w *workspace) checkWorkspace(tool, name string, local bool) error {
	b, err := os.ReadFile(filepath.Join(w.dir, dataDir(), environmentFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s init: selected workspace: %w", tool, err)
	}
	got := string(bytes.TrimSpace(b))
	if got == "" {
		got = defaultWorkspace
	}
	if got != name {
		return fmt.Errorf("%s init: %w: %q (init selected %q, the backend's only workspace, instead)", tool, ErrNoWorkspace, name, got)
	}
	if name == defaultWorkspace {
		return nil
	}
	// init records a configured backend in the data directory; without that
	// record the backend is the implicit local one, which keeps workspaces
	// as directories below terraform.tfstate.d.
	if _, err := os.Stat(filepath.Join(w.dir, dataDir(), "terraform.tfstate")); err == nil || local {
		return nil
	}
	return fmt.Errorf("%s: %w: %q has no terraform.tfstate.d/%s; select an existing workspace or give a state snapshot", tool, ErrNoWorkspace, name, name)
}
