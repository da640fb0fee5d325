package terraform

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	version "github.com/hashicorp/go-version"
)

// ErrUnsupportedVersion is returned for a terraform too old to print a plan as
// JSON; rehearse cannot judge what it cannot read, so it refuses.
var ErrUnsupportedVersion = errors.New("unsupported terraform version")

var (
	// minVersion is the first release with `terraform show -json`.
	minVersion = version.Must(version.NewVersion("0.12.0"))
	// preciseVersion is the first release whose plan JSON carries
	// action_reason and replace_paths, which say why a replace happens.
	preciseVersion = version.Must(version.NewVersion("1.2.0"))
)

// versionLine matches the first line of `terraform version` and `tofu version`
// ("Terraform v1.5.7", "OpenTofu v1.8.0"), whatever follows on later lines.
var versionLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(Terraform|OpenTofu) v?([0-9][^\s]*)`) })

// parseVersion reads the output of `version` or `version -json` and returns
// the tool ("terraform" or "tofu") and its version. The JSON form does not name
// the tool (OpenTofu kept the terraform_version key), so there the name comes
// from the binary's file name.
func parseVersion(out []byte, binary string) (tool string, v *version.Version, err error) {
	trimmed := bytes.TrimSpace(out)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		var doc struct {
			Version string `json:"terraform_version"`
		}
		if err := json.Unmarshal(trimmed, &doc); err != nil {
			return "", nil, fmt.Errorf("parse version JSON: %w", err)
		}
		if doc.Version == "" {
			return "", nil, errors.New("parse version JSON: no terraform_version")
		}
		v, err := version.NewVersion(doc.Version)
		if err != nil {
			return "", nil, fmt.Errorf("parse version %q: %w", doc.Version, err)
		}
		return toolFromBinary(binary), v, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(trimmed))
	for sc.Scan() {
		m := versionLine().FindStringSubmatch(strings.TrimSpace(sc.Text()))
		if m == nil {
			continue
		}
		v, err := version.NewVersion(m[2])
		if err != nil {
			return "", nil, fmt.Errorf("parse version %q: %w", m[2], err)
		}
		tool := "terraform"
		if m[1] == "OpenTofu" {
			tool = "tofu"
		}
		return tool, v, nil
	}
	first, _, _ := strings.Cut(string(trimmed), "\n")
	return "", nil, fmt.Errorf("unrecognised version output %q", first)
}

func toolFromBinary(binary string) string {
	if strings.Contains(strings.ToLower(filepath.Base(binary)), "tofu") {
		return "tofu"
	}
	return "terraform"
}

// checkVersion refuses versions that cannot produce plan JSON and warns about
// those whose plan JSON lacks the replace evidence the verdict uses.
func checkVersion(tool string, v *version.Version, warn io.Writer) error {
	if v.LessThan(minVersion) {
		return fmt.Errorf("%s %s is older than 0.12 and cannot print plans as JSON; install %s 0.12 or later (1.2 or later recommended): %w",
			tool, v, tool, ErrUnsupportedVersion)
	}
	if v.LessThan(preciseVersion) && warn != nil {
		fmt.Fprintf(warn, "%s %s < 1.2: plans lack action_reason and replace_paths, so findings are less precise\n", tool, v)
	}
	return nil
}

// toolVersion is a binary's answer to version.
type toolVersion struct {
	tool string // "terraform" or "tofu"
	v    *version.Version
}

// versionKey identifies a binary: its path, and the size and time of the
// file it resolves to, so a binary replaced in place is asked again.
type versionKey struct {
	path string
	size int64
	mod  time.Time
}

// versionCache remembers each binary's version for the life of the
// process, so a process that plans many directories (regress, replay)
// asks each binary once. It is the package's one piece of shared state: a
// binary's version cannot differ between two callers, and a probe is a
// process start (50-70 ms) on every plan otherwise.
var versionCache sync.Map // versionKey -> toolVersion

// versionProbe is `version` running alongside init and plan: it only has
// to answer before show, the first command that needs 0.12.
type versionProbe struct {
	done chan struct{}
	tv   toolVersion
	err  error
}

// probeVersion asks c's binary for its version in dir (an empty directory,
// so no lock file is read), unless the process already knows it. When the
// answer comes it names the tool in c's progress prefix.
func probeVersion(ctx context.Context, c *cli, dir string) *versionProbe {
	p := &versionProbe{done: make(chan struct{})}
	key, keyed := binaryKey(c.path)
	if keyed {
		if tv, ok := versionCache.Load(key); ok {
			p.tv = tv.(toolVersion)
			p.finish(c)
			return p
		}
	}
	go func() {
		p.tv, p.err = runVersion(ctx, c, dir)
		if p.err == nil && keyed {
			versionCache.Store(key, p.tv)
		}
		p.finish(c)
	}()
	return p
}

func (p *versionProbe) finish(c *cli) {
	tool := c.tool
	if p.err == nil {
		tool = p.tv.tool
	}
	c.progress.start(tool + ": ")
	close(p.done)
}

// wait returns the version once it is known.
func (p *versionProbe) wait() (toolVersion, error) {
	<-p.done
	return p.tv, p.err
}

func binaryKey(path string) (versionKey, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return versionKey{}, false
	}
	return versionKey{path: path, size: fi.Size(), mod: fi.ModTime()}, true
}

// runVersion runs `version` in its text form: only the text names the
// tool (OpenTofu's JSON keeps the terraform_version key).
func runVersion(ctx context.Context, c *cli, dir string) (toolVersion, error) {
	cmd := c.command(ctx, cmdVersion)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return toolVersion{}, fmt.Errorf("%s version: %w", c.path, ctx.Err())
		}
		return toolVersion{}, fmt.Errorf("%s version: %w: %s", c.path, err, strings.TrimSpace(stderr.String()))
	}
	tool, v, err := parseVersion(out, c.path)
	if err != nil {
		return toolVersion{}, fmt.Errorf("%s version: %w", c.path, err)
	}
	return toolVersion{tool: tool, v: v}, nil
}
