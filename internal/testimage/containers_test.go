package testimage

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestMain builds the busybox image and, after the tests, fails the run
// if a container these tests started remains.
func TestMain(m *testing.M) { os.Exit(Main(m)) }

// startImage starts image with testcontainers-go, the way a test outside
// rehearse would use these images: already local (no pull, no platform),
// labelled with a run id of this process so Main's leftover check counts
// it, and terminated when the test ends with stop (none: a 10 s grace
// period). Its progress goes to the test's log.
func startImage(t *testing.T, req testcontainers.ContainerRequest, stop ...testcontainers.TerminateOption) testcontainers.Container {
	t.Helper()
	req.Labels = map[string]string{sandbox.LabelRun: RunID()}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: req,
		Started:          true,
		Logger:           tclog.TestLogger(t),
	})
	// A container that failed its wait exists all the same: remove it too.
	t.Cleanup(func() {
		if err := testcontainers.TerminateContainer(c, stop...); err != nil {
			t.Errorf("terminate %s: %v", req.Image, err)
		}
	})
	if err != nil {
		hint := ""
		if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") != "true" {
			// Its reaper image cannot be pulled where these tests run.
			hint = " (run through make, or set TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost)"
		}
		t.Fatalf("start %s: %v%s", req.Image, err, hint)
	}
	return c
}

// run execs cmd in c and returns its exit code and its output (stdout and
// stderr together).
func run(t *testing.T, c testcontainers.Container, cmd ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	code, r, err := c.Exec(ctx, cmd, tcexec.Multiplexed())
	if err != nil {
		t.Fatalf("exec %q: %v", cmd, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("exec %q: read output: %v", cmd, err)
	}
	return code, string(out)
}

// TestPostgresContainer: the PostgreSQL image starts as a server that
// accepts connections, and psql in it (no flags: PGUSER is set) creates a
// table, inserts rows and counts them.
func TestPostgresContainer(t *testing.T) {
	t.Parallel()
	image := RequirePostgres(t)
	c := startImage(t, testcontainers.ContainerRequest{
		Image:      image,
		WaitingFor: wait.ForExec([]string{"pg_isready"}).WithStartupTimeout(45 * time.Second).WithPollInterval(200 * time.Millisecond),
	})
	tests := []struct {
		name string
		sql  string
		want string
	}{
		{"create", "CREATE TABLE rows (id int PRIMARY KEY, name text NOT NULL)", "CREATE TABLE"},
		{"insert", "INSERT INTO rows SELECT i, 'row-' || i FROM generate_series(1, 25) AS i", "INSERT 0 25"},
		{"count", "SELECT count(*) FROM rows", "25"},
		{"count of a filter", "SELECT count(*) FROM rows WHERE id > 20", "5"},
	}
	for _, tt := range tests {
		// In order, one after another: each statement needs the one before.
		code, out := run(t, c, "psql", "-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", tt.sql)
		if code != 0 {
			t.Fatalf("%s: psql exit %d: %s", tt.name, code, out)
		}
		if got := strings.TrimSpace(out); got != tt.want {
			t.Errorf("%s: psql printed %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestBusyboxContainer: the busybox image (FROM scratch, busybox's applets
// in /bin) runs shell commands. Without an init its PID 1 would be sleep
// (the shell execs it), and PID 1 ignores a SIGTERM it has no handler
// for: so it runs under Docker's init, and is killed at once when the
// test ends (StopTimeout(0)) instead of after a grace period.
func TestBusyboxContainer(t *testing.T) {
	t.Parallel()
	Require(t)
	c := startImage(t, testcontainers.ContainerRequest{
		Image: Busybox,
		Cmd:   []string{"sh", "-c", "echo ready; exec sleep 600"},
		HostConfigModifier: func(hc *container.HostConfig) {
			init := true
			hc.Init = &init
		},
		WaitingFor: wait.ForLog("ready").WithStartupTimeout(30 * time.Second),
	}, testcontainers.StopTimeout(0))
	tests := []struct {
		name string
		cmd  []string
		code int
		want string
	}{
		{"applet", []string{"sh", "-c", "echo hello from $(basename $0)"}, 0, "hello from sh"},
		{"files", []string{"sh", "-c", "mkdir /work && printf 'a\\nb\\nc\\n' > /work/f && wc -l < /work/f"}, 0, "3"},
		{"pid 1 is init", []string{"sh", "-c", "cat /proc/1/comm"}, 0, "docker-init"},
		{"exit code", []string{"sh", "-c", "echo failing >&2; exit 3"}, 3, "failing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out := run(t, c, tt.cmd...)
			if code != tt.code || strings.TrimSpace(out) != tt.want {
				t.Errorf("%q: exit %d, output %q; want exit %d, output %q", tt.cmd, code, out, tt.code, tt.want)
			}
		})
	}
}
