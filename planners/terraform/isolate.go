package terraform

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// skipCopy names entries never copied into the isolated working directory:
// .terraform holds the user's provider binaries and backend pointer, which
// linkData links (or init rebuilds) in the copy; .git is dead weight to
// terraform.
var skipCopy = map[string]bool{".terraform": true, ".git": true}

// workspace is a temporary area holding the isolated copy of the working
// directory, the state snapshot and the plan file. Terraform only ever writes
// inside it.
type workspace struct {
	root string // remove this to clean up
	dir  string // the copy of the user's directory, where terraform runs
	src  string // the user's directory, absolute; never written
}

// isolate copies src into a new temporary area. State files are copied on
// purpose: with the default local backend they are the state the plan must be
// made against, and only the copy is ever written.
//
// Configurations often refer to local modules by relative path
// ("../modules/vpc"), so when src lies in a repository the copy keeps its
// place: every other entry along the path from the repository root is
// symlinked, read-only to terraform, and the relative paths still resolve.
func isolate(ctx context.Context, src string) (ws *workspace, err error) {
	src, err = filepath.Abs(src)
	if err != nil {
		return nil, fmt.Errorf("isolate %s: %w", src, err)
	}
	if fi, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("isolate: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("isolate %s: not a directory", src)
	}
	root, err := os.MkdirTemp("", "rehearse-tf-")
	if err != nil {
		return nil, fmt.Errorf("isolate %s: %w", src, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(root)
		}
	}()

	rel := filepath.Base(src)
	repo := repoRoot(src)
	if repo != "" && repo != src {
		if rel, err = filepath.Rel(repo, src); err != nil {
			return nil, fmt.Errorf("isolate %s: %w", src, err)
		}
	}
	dir := filepath.Join(root, "src", rel)
	if err := copyTree(ctx, src, dir, dataDir()); err != nil {
		return nil, fmt.Errorf("isolate %s: %w", src, err)
	}
	// Mirroring costs a file system operation per sibling, so only pay it
	// when the configuration can reach outside its directory.
	if rel != filepath.Base(src) && refersUp(dir) {
		if err := mirrorAncestors(filepath.Join(root, "src"), repo, rel); err != nil {
			return nil, fmt.Errorf("isolate %s: %w", src, err)
		}
	}
	return &workspace{root: root, dir: dir, src: src}, nil
}

// remove deletes the temporary area; it is safe to call more than once.
func (w *workspace) remove() error { return os.RemoveAll(w.root) }

// repoRoot returns the nearest ancestor of dir holding .git, or "".
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// mirrorAncestors recreates the directories on the path rel below repo inside
// dst and symlinks their other entries to the originals.
func mirrorAncestors(dst, repo, rel string) error {
	parts := strings.Split(rel, string(filepath.Separator))
	from, to := repo, dst
	for _, next := range parts {
		entries, err := os.ReadDir(from)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(to, 0o700); err != nil {
			return err
		}
		for _, e := range entries {
			if e.Name() == next || skipCopy[e.Name()] {
				continue
			}
			if err := os.Symlink(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
				return err
			}
		}
		from, to = filepath.Join(from, next), filepath.Join(to, next)
	}
	return nil
}

// refersUp reports whether any configuration file below dir mentions a
// parent directory ("../"), as a local module source or a file() path does.
func refersUp(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipAll
		}
		if n := d.Name(); d.Type().IsRegular() && (strings.HasSuffix(n, ".tf") || strings.HasSuffix(n, ".tf.json")) {
			b, err := os.ReadFile(path)
			found = err != nil || bytes.Contains(b, []byte("../")) || bytes.Contains(b, []byte(`..\\`))
		}
		return nil
	})
	return found
}

// copyTree copies src to dst, keeping modes and symlinks and skipping
// skipCopy entries at any depth and the skip entries of src itself (a
// relative TF_DATA_DIR).
func copyTree(ctx context.Context, src, dst string, skip ...string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if rel != "." && (skipCopy[d.Name()] || slices.Contains(skip, rel)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch mode := d.Type(); {
		case mode.IsDir():
			return os.MkdirAll(target, 0o700)
		case mode&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case mode.IsRegular():
			return copyFile(path, target)
		default:
			return nil // sockets, devices, pipes: nothing terraform reads
		}
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// overrideName sorts after any override file of the user's, so its backend
// wins: terraform merges override files in lexical order.
const overrideName = "zz_rehearse_backend_override.tf"

// useState copies a state snapshot into the workspace and points the
// configuration at it with a local backend override, so init and plan read
// the snapshot and never contact the real backend.
//
// The local backend reads a non-default workspace's state from
// <workspace_dir>/<name>/terraform.tfstate and ignores path for it, so the
// snapshot goes where the selected workspace's state is read, and both
// settings point into the snapshot area: never at the copy's own local state.
func (w *workspace) useState(snapshot, name string) error {
	stateDir := filepath.Join(w.root, "snapshot")
	path := filepath.Join(stateDir, "terraform.tfstate")
	workspaceDir := filepath.Join(stateDir, "terraform.tfstate.d")
	dst := path
	if name != defaultWorkspace {
		dst = filepath.Join(workspaceDir, name, "terraform.tfstate")
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	if err := copyFile(snapshot, dst); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	// Configuring a backend for the first time, init offers to migrate any
	// non-empty local state it finds into it, and with -input=false that
	// offer is an error. The copy's local state is exactly what the snapshot
	// replaces, so it goes; the source keeps its own.
	for _, local := range []string{"terraform.tfstate", "terraform.tfstate.d"} {
		if err := os.RemoveAll(filepath.Join(w.dir, local)); err != nil {
			return fmt.Errorf("state snapshot: %w", err)
		}
	}
	override := fmt.Sprintf("# Written by rehearse: plan against a copy of a state snapshot, never the real backend.\n"+
		"terraform {\n  backend \"local\" {\n    path          = %s\n    workspace_dir = %s\n  }\n}\n", hclString(path), hclString(workspaceDir))
	if err := os.WriteFile(filepath.Join(w.dir, overrideName), []byte(override), 0o600); err != nil {
		return fmt.Errorf("state snapshot: %w", err)
	}
	return nil
}

// hclString quotes s as an HCL string literal, escaping template sequences.
func hclString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "${", "$${", "%{", "%%{", "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
