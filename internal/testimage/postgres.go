package testimage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Postgres is the name environment files and library scenarios give the
// PostgreSQL 15 image. scripts/postgres-image.sh builds it (debootstrap,
// Debian's postgresql, docker import) and tags it so, and under
// PostgresTag, which names the script's hash.
const Postgres = "rehearse-test/postgres:15"

// PostgresScript is the script that builds the image, from the module root.
const PostgresScript = "scripts/postgres-image.sh"

// SkipPostgresEnv, set to 1, skips tests that need the PostgreSQL image
// instead of building it (about a minute the first time) or failing
// without debootstrap.
const SkipPostgresEnv = "REHEARSE_SKIP_POSTGRES"

// PostgresImage builds the PostgreSQL image unless its tag for the
// current script exists, and returns that tag. It runs the script, the
// one implementation `make postgres-image` runs too; what the script
// prints on failure (debootstrap missing, no mirror) is the error.
func PostgresImage(ctx context.Context) (string, error) {
	script, err := postgresScript()
	if err != nil {
		return "", err
	}
	return postgresImage(ctx, script, nil)
}

// postgresImage runs script with env (nil: this process's).
func postgresImage(ctx context.Context, script string, env []string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, script)
	cmd.Stdout, cmd.Stderr, cmd.Env = &out, &errb, env
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 && strings.Contains(msg[i:], "postgres-image:") {
			msg = msg[i+1:]
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%s: %s (or set %s=1 to skip the tests that need it)", PostgresScript, msg, SkipPostgresEnv)
	}
	return strings.TrimSpace(out.String()), nil
}

// PostgresTag is the tag the current script builds, without building.
func PostgresTag(ctx context.Context) (string, error) {
	script, err := postgresScript()
	if err != nil {
		return "", err
	}
	out, err := exec.CommandContext(ctx, script, "--tag").Output()
	if err != nil {
		return "", fmt.Errorf("%s --tag: %w", PostgresScript, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// postgresScript finds the script above the working directory, where a
// test of any package of the module runs.
func postgresScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, PostgresScript), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testimage: no go.mod above the working directory: cannot find " + PostgresScript)
		}
		dir = parent
	}
}

// postgresOnce builds the image at most once per test process.
var postgresOnce = sync.OnceValues(func() (string, error) {
	return PostgresImage(context.Background())
})

// RequirePostgres makes sure the PostgreSQL image exists, building it the
// first time, and returns its name (Postgres). The test is skipped when
// Docker tests or PostgreSQL tests are skipped on purpose, and fails with
// the script's one-line reason when the image cannot be built.
func RequirePostgres(tb testing.TB) string {
	tb.Helper()
	Require(tb)
	if os.Getenv(SkipPostgresEnv) == "1" {
		tb.Skipf("%s=1", SkipPostgresEnv)
	}
	if _, err := postgresOnce(); err != nil {
		tb.Fatal(err)
	}
	return Postgres
}

// PostgresFor builds the PostgreSQL image for a test that runs it among
// other things (the scenario library): it reports whether the image is
// there. It builds nothing and reports false when Docker or PostgreSQL
// tests are skipped on purpose, so the caller accepts the skips of what
// needs it; it fails the test when the image cannot be built.
func PostgresFor(tb testing.TB) bool {
	tb.Helper()
	if Skipped() || os.Getenv(SkipPostgresEnv) == "1" {
		return false
	}
	if _, err := postgresOnce(); err != nil {
		tb.Fatal(err)
	}
	return true
}
