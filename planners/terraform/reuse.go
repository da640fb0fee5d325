package terraform

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// lockFile is the dependency lock file init writes beside the configuration.
const lockFile = ".terraform.lock.hcl"

// linkedData names the parts of a data directory that are linked, not
// copied, into the copy: they are large (provider binaries, downloaded
// modules) and terraform only reads them outside init, which never runs
// on them (resetData unlinks them first).
var linkedData = map[string]bool{"providers": true, "modules": true, "plugins": true}

// reuseData reports whether the copy may try the source directory's own
// data directory (providers, modules, backend record) before running init.
// Terraform checks at plan time that providers match the lock file, that
// modules match the calls and that the backend configuration is unchanged,
// and fails when they do not, so a plan with a stale data directory fails
// rather than plans something else; the plan is then made again after
// init. The exceptions are the cases where only init checks, or where init
// is certain to be needed:
//   - a state snapshot, which needs init to switch to its backend override;
//   - a non-default workspace in a configured backend: only init verifies
//     the workspace exists, and a plan without it may create it there;
//   - no data directory, and a configuration that needs one (a lock file,
//     providers, modules, a backend: see needsInit), as in a fresh
//     checkout: do not pay for a failing plan first.
func (o *RunOptions) reuseData(ws *workspace, name string) bool {
	if o.State != "" {
		return false
	}
	data := filepath.Join(ws.src, dataDir())
	if !isDir(data) {
		return !needsInit(ws.src)
	}
	if _, err := os.Stat(filepath.Join(data, "terraform.tfstate")); err == nil && name != defaultWorkspace && o.PlanFile == "" {
		return false
	}
	return true
}

// initBlock matches a block that makes init do something: a module call,
// a provider or its requirements, a backend or cloud block. typedBlock
// matches a resource or data source, whose type names its provider.
var (
	initBlock = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s*((module|provider|backend)\s+"|(required_providers|cloud)\s*\{)`)
	})
	typedBlock = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*(resource|data)\s+"([^"]*)"`) })
)

// needsInit reports whether the configuration in dir, never initialized,
// needs init before plan: it has a lock file, a JSON configuration (not
// read here), a block initBlock matches, or a resource or data source of a
// provider other than the builtin terraform one (terraform_data,
// terraform_remote_state). It only picks the faster path:
// terraform itself refuses to plan what needed init, and the plan is then
// made again after it. Anything it cannot read says yes.
func needsInit(dir string) bool {
	if _, err := os.Lstat(filepath.Join(dir, lockFile)); !errors.Is(err, fs.ErrNotExist) {
		return true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return true
	}
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasSuffix(n, ".tf.json"):
			return true
		case !strings.HasSuffix(n, ".tf"):
			continue
		}
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			return true
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		found := false
		for !found && sc.Scan() {
			l := sc.Bytes()
			m := typedBlock().FindSubmatch(l)
			found = initBlock().Match(l) || m != nil && !strings.HasPrefix(string(m[2]), "terraform_")
		}
		found = found || sc.Err() != nil
		f.Close()
		if found {
			return true
		}
	}
	return false
}

// linkData gives the copy the source's data directory: providers, modules
// and plugins as symlinks to the source's (one entry each, whatever their
// size), every other entry copied, so what terraform writes there (the
// backend record, the selected workspace) lands in the copy. The
// environment file selectWorkspace wrote is kept.
func (w *workspace) linkData(ctx context.Context) error {
	src, dst := filepath.Join(w.src, dataDir()), filepath.Join(w.dir, dataDir())
	entries, err := os.ReadDir(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if _, err := os.Lstat(to); err == nil {
			continue // the selected workspace
		}
		switch {
		case e.IsDir() && linkedData[e.Name()]:
			err = os.Symlink(from, to)
		case e.IsDir():
			err = copyTree(ctx, from, to)
		case e.Type().IsRegular():
			err = copyFile(from, to)
		case e.Type()&fs.ModeSymlink != 0:
			var link string
			if link, err = os.Readlink(from); err == nil {
				err = os.Symlink(link, to)
			}
		}
		if err != nil {
			return fmt.Errorf("data directory: %w", err)
		}
	}
	return nil
}

// resetData removes the copy's data directory, links and all (RemoveAll
// never follows a symlink), and selects the workspace again, so init
// starts from nothing and writes only inside the copy.
func (w *workspace) resetData(name string) error {
	if err := os.RemoveAll(filepath.Join(w.dir, dataDir())); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	return w.selectWorkspace(name)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
