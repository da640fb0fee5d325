// Package terragrunt plans a terragrunt tree: `terragrunt run-all plan` in
// an isolated copy, then `terragrunt show -json` in each unit, so every
// unit's plan can be judged as a stack of its own. Like the terraform
// planner it runs plan and show only, never apply or destroy, and never
// writes the user's directory.
package terragrunt

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// planFile is the plan each unit writes in the copy.
const planFile = "rehearse.tfplan"

// skip are the directories never copied nor searched for units: VCS data
// and the caches terraform and terragrunt keep.
var skip = map[string]bool{".git": true, ".terragrunt-cache": true, ".terraform": true, "node_modules": true}

// Options say what to plan and with which binary.
type Options struct {
	// Dir is the root of the tree: every directory below it holding a
	// terragrunt.hcl is a unit.
	Dir string
	// Binary is the terragrunt binary (default $REHEARSE_TERRAGRUNT, then
	// terragrunt on PATH).
	Binary string
	// Progress receives terragrunt's output (and terraform's through it).
	Progress io.Writer
}

// Units lists the units of a tree: the directories holding a
// terragrunt.hcl, in name order, as paths below dir. The tree's own
// terragrunt.hcl, when units lie below it, is the shared configuration
// they include, not a unit.
func Units(dir string) ([]string, error) {
	var units []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != dir && (skip[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "terragrunt.hcl" {
			units = append(units, filepath.Dir(path))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(units)
	if len(units) > 1 && units[0] == filepath.Clean(dir) {
		units = units[1:]
	}
	if len(units) == 0 {
		return nil, fmt.Errorf("%s: no terragrunt.hcl below it: not a terragrunt tree", dir)
	}
	return units, nil
}

// Plan plans every unit of the tree in a copy of the repository that holds
// it (units refer to modules and parent configuration by relative path)
// and calls each with the unit's directory, as Units names it, and its
// plan JSON, one unit at a time, in Units order. The copy is removed
// afterwards.
func Plan(ctx context.Context, o Options, each func(unit string, plan io.Reader) error) error {
	bin, err := binary(o.Binary)
	if err != nil {
		return err
	}
	units, err := Units(o.Dir)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(o.Dir)
	if err != nil {
		return err
	}
	repo := repoRoot(abs)
	tmp, err := os.MkdirTemp("", "rehearse-tg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := copyTree(ctx, repo, tmp); err != nil {
		return fmt.Errorf("%s: copy: %w", o.Dir, err)
	}
	rel, err := filepath.Rel(repo, abs)
	if err != nil {
		return err
	}
	root := filepath.Join(tmp, rel)
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	run := func(dir string, stdout io.Writer, args ...string) error {
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TERRAGRUNT_NON_INTERACTIVE=true", "TG_NON_INTERACTIVE=true", "TF_IN_AUTOMATION=1", "TF_INPUT=0")
		cmd.Stdout, cmd.Stderr = stdout, progress
		if err := cmd.Run(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("terragrunt %s in %s: %w", strings.Join(args, " "), o.Dir, err)
		}
		return nil
	}
	if err := run(root, progress, "run-all", "plan", "-out="+planFile, "-lock=false", "-input=false"); err != nil {
		return err
	}
	for _, u := range units {
		urel, err := filepath.Rel(o.Dir, u)
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := run(filepath.Join(root, urel), &out, "show", "-json", planFile); err != nil {
			return err
		}
		if err := each(u, &out); err != nil {
			return err
		}
	}
	return nil
}

func binary(name string) (string, error) {
	if name == "" {
		name = os.Getenv("REHEARSE_TERRAGRUNT")
	}
	if name == "" {
		name = "terragrunt"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("terragrunt not found (%s): install it, or name it with --terragrunt-binary or $REHEARSE_TERRAGRUNT", name)
	}
	return p, nil
}

// repoRoot is the nearest ancestor of dir holding .git, else dir.
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// copyTree copies src into dst: regular files with their modes, symlinks
// as symlinks, skipping the skip directories.
func copyTree(ctx context.Context, src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.IsDir() && path != src && skip[d.Name()] {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, to)
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(to, b, info.Mode().Perm())
		}
		return nil
	})
}
