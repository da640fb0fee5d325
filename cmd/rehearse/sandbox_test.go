package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/scenarios"
)

// runSandbox runs `rehearse sandbox ARGS` and returns the exit code the
// CLI would give, with stdout and stderr.
func runSandbox(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	cmd := newSandboxCmd(streams{in: strings.NewReader(""), out: &out, err: &errw})
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errw)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := cmd.ExecuteContext(ctx)
	code := exitPass
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		if ee.err != nil {
			errw.WriteString("rehearse: " + oneLine(ee.err.Error()) + "\n")
		}
	case err != nil:
		code = exitCannot
	}
	return code, out.String(), errw.String()
}

// requireDocker builds the test image; these tests start containers and
// check themselves that their run left nothing behind (no TestMain here:
// the package is shared with the other commands' tests).
func requireDocker(t *testing.T) {
	t.Helper()
	testimage.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := testimage.Build(ctx); err != nil {
		t.Fatal(err)
	}
}

func noLeftovers(t *testing.T, runID string) {
	t.Helper()
	left, err := sandbox.Leftovers(context.Background(), runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		sandbox.Prune(context.Background(), sandbox.PruneOptions{Run: runID, All: true})
		t.Errorf("run %s left %v", runID, left)
	}
}

func TestSandboxDockerUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	for _, args := range [][]string{
		{"run", "../../examples/sandbox/env.yaml"},
		{"prune"},
	} {
		code, _, stderr := runSandbox(t, args...)
		if code != exitCannot {
			t.Errorf("%v: exit %d, want %d", args, code, exitCannot)
		}
		if !strings.Contains(stderr, "Docker is unreachable at tcp://127.0.0.1:1") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: stderr %q, want one line saying Docker is unreachable", args, stderr)
		}
	}
}

func TestSandboxBadFile(t *testing.T) {
	dir := t.TempDir()
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte("apiVersion: rehearse/v1\nkind: Environment\nname: x\nservices:\n  db:\n    imagee: busybox\n"), 0o644)
	code, _, stderr := runSandbox(t, "run", f)
	if code != exitCannot || !strings.Contains(stderr, f+": line 6: services.db.imagee: unknown key; did you mean image?") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestSandboxCompose runs the shipped compose example as the README does:
// a change that empties the database's volume blocks with the counts; a
// converge on the changed compose file recreates only the backend.
func TestSandboxCompose(t *testing.T) {
	requireDocker(t)
	const dir = "../../examples/sandbox/nginx-flask-mysql/"
	tests := []struct {
		change string
		code   int
		want   []string
	}{
		{"change-wipe.yaml", exitBlock, []string{"BLOCK", "docker_container.db", "/var/lib/mysql", "101 files → 0"}},
		{"change-upgrade.yaml", exitPass, []string{"docker_container.backend"}},
	}
	for _, tt := range tests {
		t.Run(tt.change, func(t *testing.T) {
			id := testimage.RunID()
			code, stdout, stderr := runSandbox(t, "run", "--compose", dir+"compose.yaml", "--change", dir+tt.change, "--run-id", id)
			noLeftovers(t, id)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout)
				}
			}
			if strings.Contains(stdout, "docker_container.db") != (tt.code == exitBlock) {
				t.Errorf("db named %v:\n%s", !(tt.code == exitBlock), stdout)
			}
		})
	}
}

// TestSandboxComposeFlags: the compose flags go together, and a bad
// compose or change file exits 2 naming the file, line and key.
func TestSandboxComposeFlags(t *testing.T) {
	dir := t.TempDir()
	compose := dir + "/compose.yaml"
	os.WriteFile(compose, []byte("services:\n  db:\n    image: busybox\n    secrets: [pw]\n"), 0o644)
	change := dir + "/change.yaml"
	os.WriteFile(change, []byte("apiVersion: rehearse/v1\nkind: Change\nchange: []\n"), 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--compose", compose}, "--compose needs --change"},
		{[]string{"run", "env.yaml", "--compose", compose, "--change", change}, "not both"},
		{[]string{"run", "env.yaml", "--change", change}, "--change and --profile go with --compose"},
		{[]string{"run"}, "give an environment file, or --compose and --change"},
		{[]string{"run", "--compose", compose, "--change", change}, compose + ": line 4: services.db.secrets: not supported by the sandbox"},
	}
	for _, tt := range tests {
		code, _, stderr := runSandbox(t, tt.args...)
		if code != exitCannot || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestSandboxExample runs the shipped example as a user would: it builds
// its image from the example's context and blocks on the lost rows.
func TestSandboxExample(t *testing.T) {
	requireDocker(t)
	id := testimage.RunID()
	code, stdout, stderr := runSandbox(t, "run", "../../examples/sandbox/env.yaml", "--run-id", id)
	// noLeftovers covers images too: the images the run built are gone.
	noLeftovers(t, id)
	if code != exitBlock {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitBlock, stdout, stderr)
	}
	for _, want := range []string{"docker_container.db", "/var/lib/db", "1,204 files"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestSandboxKeepAndPrune(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte(`apiVersion: rehearse/v1
kind: Environment
name: keep
services:
  app:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    volumes: {state: /state}
change:
  - exec: {service: app, command: "touch /state/x"}
`), 0o644)
	id := testimage.RunID()
	code, _, stderr := runSandbox(t, "run", f, "--keep", "--run-id", id, "--format", "json")
	if code != exitPass {
		t.Errorf("exit %d, want 0: %s", code, stderr)
	}
	for _, want := range []string{"docker exec -it rehearse-" + id + "-app sh", "rehearse sandbox prune --run " + id} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	left, _ := sandbox.Leftovers(context.Background(), id)
	if len(left) != 3 {
		t.Errorf("kept objects %v, want a container, a volume and a network", left)
	}
	// The kept run's owner is this (live) test process: prune leaves it
	// unless forced, and --dry-run removes nothing.
	code, stdout, stderr := runSandbox(t, "prune", "--run", id)
	if code != exitCannot || !strings.Contains(stdout, "keep run "+id+": live: process") {
		t.Errorf("prune of a live run: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runSandbox(t, "prune", "--run", id, "--all", "--dry-run")
	if left, _ := sandbox.Leftovers(context.Background(), id); code != exitPass || len(left) != 3 || !strings.Contains(stdout, "would remove run "+id+" (--all): container rehearse-"+id+"-app") {
		t.Errorf("dry run: exit %d, %q, left %v", code, stdout, left)
	}
	code, stdout, stderr = runSandbox(t, "prune", "--run", id, "--all")
	if code != exitPass || !strings.Contains(stdout, "removed 1 container(s), 1 volume(s), 1 network(s), 0 image(s)") {
		t.Errorf("prune: exit %d, %q %q", code, stdout, stderr)
	}
	noLeftovers(t, id)
}

// TestSandboxFailedStep: a step that fails without anything blocking is
// "could not judge" in every format: exit 2, no verdict document (one
// would say pass), the step's output on stderr.
func TestSandboxFailedStep(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte(`apiVersion: rehearse/v1
kind: Environment
name: failstep
services:
  app:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
change:
  - exec: {service: app, command: "echo migration-line-1; echo boom: table missing >&2; exit 3"}
`), 0o644)
	for _, format := range []string{"text", "json", "markdown", "sarif", "junit"} {
		t.Run(format, func(t *testing.T) {
			id := testimage.RunID()
			other := dir + "/" + format + ".out"
			code, stdout, stderr := runSandbox(t, "run", f, "--run-id", id, "--format", format, "--output", "json="+other)
			noLeftovers(t, id)
			if code != exitCannot {
				t.Errorf("exit %d, want %d", code, exitCannot)
			}
			if stdout != "" {
				t.Errorf("stdout holds a verdict document:\n%s", stdout)
			}
			if _, err := os.Stat(other); err == nil {
				t.Errorf("--output json=%s was written", other)
			}
			for _, want := range []string{"step 1 (exec) printed:", "  migration-line-1", "boom: table missing", "rehearse: could not judge: the change did not complete", "exit 3"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(strings.ToLower(stderr), "pass") {
				t.Errorf("stderr says pass:\n%s", stderr)
			}
		})
	}
}

// TestSandboxTrustEnvFile: a bind mount is refused (exit 2, one line
// naming the file and key) until the command line trusts the file.
func TestSandboxTrustEnvFile(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	os.WriteFile(dir+"/hello", []byte("hi"), 0o644)
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte(`apiVersion: rehearse/v1
kind: Environment
name: trust
services:
  app:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    binds: ["`+dir+`:/host:ro"]
change:
  - exec: {service: app, command: "cat /host/hello"}
`), 0o644)
	id := testimage.RunID()
	code, _, stderr := runSandbox(t, "run", f, "--run-id", id)
	noLeftovers(t, id)
	if code != exitCannot || !strings.Contains(stderr, f+": line 8: services.app.binds: mounts the host path "+dir) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("untrusted: exit %d, stderr %q", code, stderr)
	}
	code, _, stderr = runSandbox(t, "run", f, "--run-id", id, "--trust-env-file")
	noLeftovers(t, id)
	if code != exitPass {
		t.Errorf("trusted: exit %d, stderr %q", code, stderr)
	}
}

// TestSandboxRecordRedacts: record --containers keeps secrets out of the
// scenario: secret env values in env.yaml and .env files in a build
// context become placeholders.
func TestSandboxRecordRedacts(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	os.MkdirAll(dir+"/image", 0o755)
	os.WriteFile(dir+"/image/Dockerfile", []byte("FROM "+testimage.Busybox+"\n"), 0o644)
	os.WriteFile(dir+"/image/.env", []byte("# the prod one: hunter2-in-comment\nDB_PASSWORD=hunter2-dotenv\nexport API_TOKEN='tok-123456789'\nMODE=plain\nKEY_ID=AKIAIOSFODNN7EXAMPLE\n"), 0o644)
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte(`apiVersion: rehearse/v1
kind: Environment
name: rec
services:
  app:
    build: {context: image}
    command: [sleep, "600"]
    env: {DB_PASSWORD: hunter2-yaml, MODE: plain-yaml}
change:
  - exec: {service: app, command: "true"}
  - script: {image: `+testimage.Busybox+`, run: "true", env: {CLIENT_SECRET: hunter2-script}}
`), 0o644)
	id := testimage.RunID()
	out := dir + "/scenario"
	rec, err := scenarios.Record(context.Background(), scenarios.RecordOptions{Name: "rec", Out: out, Containers: f, Options: scenarios.Options{RunID: id}})
	noLeftovers(t, id)
	if err != nil {
		t.Fatal(err)
	}
	env, _ := os.ReadFile(out + "/env.yaml")
	dotenv, _ := os.ReadFile(out + "/image/.env")
	for name, b := range map[string][]byte{"env.yaml": env, ".env": dotenv} {
		if strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "tok-123") || strings.Contains(string(b), "AKIA") {
			t.Errorf("%s leaks a secret:\n%s", name, b)
		}
		if !strings.Contains(string(b), scenarios.Placeholder) || !strings.Contains(string(b), "plain") {
			t.Errorf("%s: want placeholders and the plain values kept:\n%s", name, b)
		}
	}
	if _, err := sandbox.Load(out + "/env.yaml"); err != nil {
		t.Errorf("the recorded env.yaml does not load: %v", err)
	}
	if !strings.Contains(strings.Join(rec.Notes, "\n"), "2 secret env value(s)") {
		t.Errorf("notes %v, want the count of redacted values", rec.Notes)
	}
}

// TestSandboxDemoWithoutBusybox: `make demo` (regress scenarios/library)
// on a machine with Docker but without /bin/busybox skips the container
// scenarios with the install hint and exits 0; --require-docker makes it
// an error. REHEARSE_BUSYBOX (sandbox.Prerequisites) points at a missing
// busybox.
func TestSandboxDemoWithoutBusybox(t *testing.T) {
	requireDocker(t)
	t.Setenv("REHEARSE_BUSYBOX", t.TempDir()+"/no-busybox")
	regress := func(args ...string) (int, string, string) {
		var out, errw bytes.Buffer
		cmd := newCmdRegress(osFactory(streams{in: strings.NewReader(""), out: &out, err: &errw}), nil)
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		cmd.SetErr(&errw)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		err := cmd.ExecuteContext(context.Background())
		var ee *exitError
		switch {
		case errors.As(err, &ee):
			return ee.code, out.String(), errw.String()
		case err != nil:
			return exitCannot, out.String(), errw.String() + err.Error()
		}
		return exitPass, out.String(), errw.String()
	}
	code, stdout, stderr := regress("../../scenarios/library")
	if code != exitPass {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"skipped (missing prerequisite)", "3 skipped, not passed: missing prerequisite: ", "no-busybox (install Debian's busybox-static: apt-get install -y busybox-static)", "gitlab-2017-rm-rf-primary"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "ERROR") || strings.Contains(stdout, "REGRESSED") {
		t.Errorf("a plan scenario did not pass:\n%s", stdout)
	}
	code, stdout, _ = regress("../../scenarios/library", "--require-docker")
	if code != exitCannot {
		t.Errorf("--require-docker: exit %d, want %d\n%s", code, exitCannot, stdout)
	}
}

// TestSandboxKeepImages: --keep-images leaves the run's built images,
// labelled by the run, for prune to remove later.
func TestSandboxKeepImages(t *testing.T) {
	requireDocker(t)
	id := testimage.RunID()
	code, _, stderr := runSandbox(t, "run", "../../examples/sandbox/env.yaml", "--run-id", id, "--keep-images")
	if code != exitBlock {
		t.Errorf("exit %d: %s", code, stderr)
	}
	left, _ := sandbox.Leftovers(context.Background(), id)
	// db and web build the same context: one image, two tags.
	if len(left) != 1 || left[0].Kind != "image" || !strings.HasPrefix(left[0].Name, "rehearse-build/") || !strings.HasSuffix(left[0].Name, ":"+id) {
		t.Errorf("left %v, want the built image rehearse-build/…:%s", left, id)
	}
	code, stdout, _ := runSandbox(t, "prune", "--run", id, "--all")
	if code != exitPass || !strings.Contains(stdout, "1 image(s)") {
		t.Errorf("prune: exit %d %q", code, stdout)
	}
	noLeftovers(t, id)
}

// sigintHelperEnv carries the arguments of the rehearse the sweep below
// runs in a child process (this test binary, re-executed).
const sigintHelperEnv = "REHEARSE_SIGINT_HELPER_ARGS"

// TestSandboxSIGINTHelper is not a test: it is the child process of
// TestSandboxSIGINTSweep, rehearse's main with Ctrl-C wired as in main.
func TestSandboxSIGINTHelper(t *testing.T) {
	args := os.Getenv(sigintHelperEnv)
	if args == "" {
		t.Skip("the child process of TestSandboxSIGINTSweep")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, strings.Split(args, "\n"), strings.NewReader(""), io.Discard, io.Discard)
	stop()
	os.Exit(code)
}

// TestSandboxSIGINTSweep sends SIGINT to `rehearse sandbox run` at points
// spread over a run's whole length (up, with a build, volumes and two
// services; apply, with an exec, a recreate and a script; down) and finds
// nothing left after each: no container, volume, network or image. 20
// points with -short, 50 without.
func TestSandboxSIGINTSweep(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	os.MkdirAll(dir+"/image", 0o755)
	os.WriteFile(dir+"/image/Dockerfile", []byte("FROM "+testimage.Busybox+"\nRUN echo built > /built\n"), 0o644)
	f := dir + "/env.yaml"
	os.WriteFile(f, []byte(`apiVersion: rehearse/v1
kind: Environment
name: sigint
services:
  db:
    build: {context: image}
    command: "echo ready; exec sleep 600"
    ready: {log: ready}
    volumes: {dbdata: /data, logs: /logs}
    data: [/data]
    seed: ["for i in 1 2 3; do echo $i > /data/$i; done"]
  web:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    volumes: {cache: /cache}
    depends_on: [db]
change:
  - exec: {service: db, command: "rm /data/1"}
  - update: {service: web, env: {MODE: b}}
  - script: {image: `+testimage.Busybox+`, run: "sleep 0.2"}
`), 0o644)
	start := func(id string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSandboxSIGINTHelper$")
		cmd.Env = append(os.Environ(), sigintHelperEnv+"="+strings.Join([]string{"sandbox", "run", f, "--run-id", id}, "\n"))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// One uninterrupted run gives the length to spread the points over.
	id := testimage.RunID()
	t0 := time.Now()
	if err := start(id).Wait(); err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("uninterrupted run: %v", err)
	}
	length := time.Since(t0)
	noLeftovers(t, id)
	points := 50
	if testing.Short() {
		points = 20
	}
	t.Logf("a run takes %s; SIGINT at %d points across it", length.Round(time.Millisecond), points)
	var mu sync.Mutex
	leaked, slowest := 0, time.Duration(0)
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i := range points {
		at := length * time.Duration(i) / time.Duration(points)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			id := testimage.RunID()
			cmd := start(id)
			time.Sleep(at)
			sent := time.Now()
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(90 * time.Second):
				cmd.Process.Kill()
				t.Errorf("SIGINT at %s: still running 90s later", at)
				<-done
			}
			took := time.Since(sent)
			left, err := sandbox.Leftovers(context.Background(), id)
			mu.Lock()
			defer mu.Unlock()
			slowest = max(slowest, took)
			if err != nil || len(left) > 0 {
				leaked++
				t.Errorf("SIGINT at %s (of %s): left %v %v", at.Round(time.Millisecond), length.Round(time.Millisecond), left, err)
				sandbox.Prune(context.Background(), sandbox.PruneOptions{Run: id, All: true})
			}
		})
	}
	wg.Wait()
	t.Logf("%d of %d interrupted runs left something; the slowest exit after SIGINT took %s", leaked, points, slowest.Round(time.Millisecond))
}
