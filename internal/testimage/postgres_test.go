package testimage

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPostgresImageWithoutDebootstrap: on a machine without debootstrap
// the build stops before it starts, with the one line that says what to
// install. The script is a copy with another hash, so its image is
// missing whatever this machine has built.
func TestPostgresImageWithoutDebootstrap(t *testing.T) {
	t.Parallel()
	Require(t)
	script, err := postgresScript()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copied := filepath.Join(dir, "postgres-image.sh")
	if err := os.WriteFile(copied, append(src, []byte("# a copy with another hash\n")...), 0o755); err != nil {
		t.Fatal(err)
	}
	// A PATH with what the script needs before the build, and no
	// debootstrap.
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tool := range []string{"bash", "env", "docker", "sha256sum", "cut", "readlink", "flock", "id"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatalf("%s: %v", tool, err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = postgresImage(context.Background(), copied, []string{"PATH=" + bin, "TMPDIR=" + dir})
	if err == nil || !strings.Contains(err.Error(), "debootstrap is missing: apt-get install -y debootstrap") || !strings.Contains(err.Error(), SkipPostgresEnv+"=1") {
		t.Fatalf("error %v, want the install hint and the skip variable", err)
	}
	if strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("error is more than one line: %q", err)
	}
}

// TestPostgresTag: the tag names the script's hash, and the image the
// script built answers to both names.
func TestPostgresTag(t *testing.T) {
	t.Parallel()
	tag, err := PostgresTag(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tag, Postgres+"-") || len(tag) != len(Postgres)+1+12 {
		t.Errorf("tag %q, want %s-<12 hex>", tag, Postgres)
	}
}
