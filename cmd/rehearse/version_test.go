package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rehearse-dev/rehearse/internal/buildinfo"
	"github.com/rehearse-dev/rehearse/internal/testimage"
)

// TestVersion checks that rehearse version and --version say the same
// three things: the version, the commit and the Go toolchain.
func TestVersion(t *testing.T) {
	want := []string{"rehearse " + buildinfo.Version() + "\n", "commit " + buildinfo.Commit() + "\n", "built with " + runtime.Version() + " for " + runtime.GOOS + "/" + runtime.GOARCH + "\n"}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var out, errw bytes.Buffer
			if code := run(context.Background(), args, strings.NewReader(""), &out, &errw); code != 0 {
				t.Fatalf("exit %d: %s", code, errw.String())
			}
			if got := out.String(); got != strings.Join(want, "") {
				t.Errorf("got\n%s\nwant\n%s", got, strings.Join(want, ""))
			}
		})
	}
}

// repoRootDir is the repository root, where the Makefile is.
func repoRootDir(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// makeIn runs make in the repository root and returns its output.
func makeIn(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Fatal("make not found")
	}
	cmd := exec.Command("make", append([]string{"-s"}, args...)...)
	cmd.Dir = repoRootDir(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDistReproducible builds the linux/amd64 release binary twice, the
// second time from a copy of the tree at another path with an empty build
// cache (make dist-check),
// and requires identical bytes; then checks make dist's binary is static
// (no ELF interpreter: no libc needed) and stamped with the version given.
// Only one platform, to keep make test short; make dist-check with no
// DIST_PLATFORMS checks all six.
func TestDistReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rehearse three times")
	}
	out := makeIn(t, "dist-check", "DIST_PLATFORMS=linux/amd64", "VERSION=v0.0.0-test", "COMMIT=0123456789abcdef")
	if !strings.Contains(out, "reproducible:") || !strings.Contains(out, "rehearse_linux_amd64") {
		t.Fatalf("make dist-check said:\n%s", out)
	}
	dist := t.TempDir()
	makeIn(t, "dist", "DIST_DIR="+dist, "DIST_PLATFORMS=linux/amd64", "VERSION=v0.0.0-test", "COMMIT=0123456789abcdef")
	bin := filepath.Join(dist, "rehearse_linux_amd64")
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has an ELF interpreter: it is not static")
		}
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(sums, []byte("  rehearse_linux_amd64\n")) {
		t.Errorf("SHA256SUMS:\n%s", sums)
	}
	if runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
		v, err := exec.Command(bin, "version").Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(v), "rehearse v0.0.0-test\ncommit 0123456789abcdef\n") {
			t.Errorf("rehearse version:\n%s", v)
		}
	}
}

// TestDockerImage builds the image of the Dockerfile with the legacy
// builder (make image), labelled with this test's run id, runs rehearse
// version and a plan read from stdin in it, and removes it.
func TestDockerImage(t *testing.T) {
	testimage.Require(t)
	if testing.Short() {
		t.Skip("builds rehearse and an image")
	}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err != nil {
		t.Fatalf("no CA certificates to copy (%v): apt-get install ca-certificates", err)
	}
	id := make([]byte, 6)
	if _, err := rand.Read(id); err != nil {
		t.Fatal(err)
	}
	run := "test-image-" + hex.EncodeToString(id)
	image := "rehearse-test:" + run
	t.Cleanup(func() {
		if out, err := exec.Command("docker", "rmi", "-f", image).CombinedOutput(); err != nil {
			t.Errorf("docker rmi %s: %v\n%s", image, err, out)
		}
		left, _ := exec.Command("docker", "images", "-q", "--filter", "label=rehearse.run="+run).Output()
		if len(bytes.TrimSpace(left)) > 0 {
			t.Errorf("images left with rehearse.run=%s: %s", run, left)
		}
	})
	makeIn(t, "image", "IMAGE="+image, "IMAGE_LABELS=rehearse.run="+run, "VERSION=v0.0.0-image")
	out, err := exec.Command("docker", "run", "--rm", "--label", "rehearse.run="+run, image, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("docker run version: %v\n%s", err, out)
	}
	if !strings.HasPrefix(string(out), "rehearse v0.0.0-image\n") {
		t.Errorf("rehearse version in the image:\n%s", out)
	}
	plan, err := os.ReadFile(filepath.Join("..", "..", "examples", "plans", "tag-only-update.json"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("docker", "run", "--rm", "-i", "--label", "rehearse.run="+run, image, "plan", "--format", "json", "-")
	cmd.Stdin = bytes.NewReader(plan)
	if out, err := cmd.CombinedOutput(); err != nil || !bytes.Contains(out, []byte(`"decision": "pass"`)) {
		t.Errorf("rehearse plan in the image: %v\n%s", err, out)
	}
	labels, err := exec.Command("docker", "image", "inspect", "--format", `{{index .Config.Labels "rehearse.run"}} {{index .Config.Labels "org.opencontainers.image.version"}}`, image).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(labels)); got != run+" v0.0.0-image" {
		t.Errorf("image labels = %q", got)
	}
}
