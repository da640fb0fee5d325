// Package testimage builds the image rehearse's Docker tests run on and
// checks, after a package's tests, that they left nothing behind.
//
// No registry is reachable where the tests run, so the image is built
// locally: FROM scratch plus Debian's static busybox (package
// busybox-static), copied from the host into the build context. It is
// built once and kept under a fixed tag.
package testimage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// Busybox is the tag of the test image.
const Busybox = "rehearse-test/busybox:1"

// BusyboxPath is where busybox-static installs the static binary. The
// image is built from busybox's prerequisite source instead
// (sandbox.Prerequisites: $REHEARSE_BUSYBOX when set, else this path), so
// a test can rehearse a machine without busybox by setting that variable
// to a missing path.
const BusyboxPath = "/bin/busybox"

// busyboxSource is where busybox is read from, as the sandbox reads it.
func busyboxSource() string {
	for _, p := range sandbox.Prerequisites {
		if p.Path == BusyboxPath {
			return p.Source()
		}
	}
	return BusyboxPath
}

// SkipEnv, set to 1, skips tests that need Docker instead of failing them.
const SkipEnv = "REHEARSE_SKIP_DOCKER"

const dockerfile = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
`

// Skipped reports whether Docker tests are to be skipped.
func Skipped() bool { return os.Getenv(SkipEnv) == "1" }

// Build builds the busybox image unless it exists.
func Build(ctx context.Context) error {
	src := busyboxSource()
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("%s is missing: install it with `apt-get install -y busybox-static` (or set %s=1 to skip Docker tests)", src, SkipEnv)
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return fmt.Errorf("docker: %w", err)
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("Docker is unreachable (%w); these tests need a Docker engine (or set %s=1 to skip them)", err, SkipEnv)
	}
	if _, err := cli.ImageInspect(ctx, Busybox); err == nil {
		return nil
	}
	dir, err := os.MkdirTemp("", "rehearse-busybox-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(dir+"/Dockerfile", []byte(dockerfile), 0o644); err != nil {
		return err
	}
	repo, tag, _ := strings.Cut(Busybox, ":")
	if _, err := sandbox.BuildImage(ctx, cli, dir, "", map[string]string{"busybox": src}, repo, tag); err != nil {
		return fmt.Errorf("build %s: %w", Busybox, err)
	}
	return nil
}

// RunPrefix starts every run id a test process creates, so the leftover
// check sees only its own objects while other packages' tests run.
var RunPrefix = fmt.Sprintf("t%d-", os.Getpid())

// RunID returns a fresh run id with the process's prefix.
func RunID() string { return RunPrefix + sandbox.NewRunID()[:6] }

// Main is TestMain for packages whose tests start containers: it builds
// the image, runs the tests and then
// fails the run if any container, volume or network of this process's
// runs remains.
func Main(m *testing.M) int {
	if Skipped() {
		return m.Run()
	}
	bctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := Build(bctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		return 1
	}
	code := m.Run()
	// The check gets its own deadline: the tests may run longer than
	// the build's.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	left, err := leftovers(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: leftover check:", err)
		return 1
	}
	if len(left) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d object(s) labelled %s remain after the tests:\n", len(left), sandbox.LabelRun)
		for _, l := range left {
			fmt.Fprintf(os.Stderr, "  %s\n", l)
			sandbox.Prune(ctx, sandbox.PruneOptions{Run: l.Run, All: true})
		}
		return 1
	}
	return code
}

func leftovers(ctx context.Context) ([]sandbox.Leftover, error) {
	all, err := sandbox.Leftovers(ctx, "")
	if err != nil {
		return nil, err
	}
	var mine []sandbox.Leftover
	for _, l := range all {
		if strings.HasPrefix(l.Run, RunPrefix) {
			mine = append(mine, l)
		}
	}
	return mine, nil
}

// Require skips the test when Docker tests are skipped on purpose.
func Require(tb testing.TB) {
	tb.Helper()
	if Skipped() {
		tb.Skipf("%s=1", SkipEnv)
	}
}
