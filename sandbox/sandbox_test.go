package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

const seedFiles = `mkdir -p /data && for i in 1 2 3 4 5; do echo row-$i > /data/f$i; done`

func parse(t *testing.T, src string) *sandbox.Environment {
	t.Helper()
	env, err := sandbox.Parse("test.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func up(t *testing.T, ctx context.Context, env *sandbox.Environment) *sandbox.Sandbox {
	t.Helper()
	testimage.Require(t)
	s, err := sandbox.Up(ctx, env, testimage.RunID())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Down(context.Background()); err != nil {
			t.Errorf("down: %v", err)
		}
		left, err := sandbox.Leftovers(context.Background(), s.RunID())
		if err != nil || len(left) > 0 {
			t.Errorf("after Down: leftovers %v, %v", left, err)
		}
	})
	return s
}

func TestSnapshotApply(t *testing.T) {
	ctx := context.Background()
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: snap
services:
  db:
    image: `+testimage.Busybox+`
    command: "echo up; exec sleep 600"
    ready: {log: up}
    labels: {env: prod}
    data: [/data]
    seed: ["`+seedFiles+`"]
    probes: {rows: "ls /data | wc -l"}
change:
  - exec: {service: db, command: "rm -f /data/f1 /data/f2"}
`)
	s := up(t, ctx, env)
	before, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := s.Apply(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, a := before.Services["db"], after.Services["db"]
	if b.ID == "" || b.ID != a.ID || !a.Running {
		t.Errorf("container: before %q after %q running %v", b.ID, a.ID, a.Running)
	}
	if got := b.Data["/data"]; got.Files != 5 || got.Bytes != 30 || !got.Exists {
		t.Errorf("before /data = %+v, want 5 files, 30 bytes", got)
	}
	if got := a.Data["/data"]; got.Files != 3 || got.Bytes != 18 {
		t.Errorf("after /data = %+v, want 3 files, 18 bytes", got)
	}
	if b.Probes["rows"].Output != "5" || a.Probes["rows"].Output != "3" {
		t.Errorf("probes: %v → %v", b.Probes, a.Probes)
	}
	if len(evs) != 0 {
		t.Errorf("events for an exec: %v", evs)
	}
}

func TestApplyCancelled(t *testing.T) {
	testimage.Require(t)
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: cancel
services:
  app:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    volumes: {state: /state}
change:
  - script: {image: `+testimage.Busybox+`, run: "sleep 30"}
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := sandbox.Up(ctx, env, testimage.RunID())
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(500*time.Millisecond, cancel)
	_, err = s.Apply(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Apply = %v, want context.Canceled", err)
	}
	// Down runs on a context of its own: the cancelled one must do.
	if err := s.Down(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := sandbox.Leftovers(context.Background(), s.RunID())
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("after cancel and Down: %v", left)
	}
}

// TestUpFailureTearsDown: a service that never gets ready fails Up, which
// removes what it had created.
func TestUpFailureTearsDown(t *testing.T) {
	testimage.Require(t)
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: upfail
services:
  ok:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    volumes: {v: /v}
  bad:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    seed: ["exit 3"]
`)
	id := testimage.RunID()
	_, err := sandbox.Up(context.Background(), env, id)
	if err == nil || !strings.Contains(err.Error(), "seed bad #1: exit 3") {
		t.Errorf("Up = %v, want the failing seed", err)
	}
	left, _ := sandbox.Leftovers(context.Background(), id)
	if len(left) > 0 {
		t.Errorf("after a failed Up: %v", left)
	}
}

// TestScriptAndPort: a service ready on a port, reached by name from a
// script step's runner; the runner shows in the events and is removed.
func TestScriptAndPort(t *testing.T) {
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: script
services:
  web:
    image: `+testimage.Busybox+`
    command: "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"
    ready: {port: 8080, timeout: 10s}
change:
  - script:
      image: `+testimage.Busybox+`
      run: "wget -q -O - http://web:8080/ | grep -q hello"
    timeout: 10s
`)
	s := up(t, context.Background(), env)
	evs, err := s.Apply(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var runner []string
	for _, e := range evs {
		if e.Object == "runner" {
			runner = append(runner, e.Action)
		}
	}
	if got := strings.Join(runner, ","); got != "create,start,die,destroy" {
		t.Errorf("runner events %q, want create,start,die,destroy (all: %v)", got, evs)
	}
}

// TestHostAccessNeedsTrust: what gives a container the host is refused,
// before any Docker object exists, unless the caller trusts the file.
func TestHostAccessNeedsTrust(t *testing.T) {
	const head = "apiVersion: rehearse/v1\nkind: Environment\nname: trust\nservices:\n  app:\n    image: " + testimage.Busybox + "\n    command: [sleep, \"600\"]\n"
	tests := []struct{ name, field, want string }{
		{"bind", "binds: [\"/etc:/host-etc:ro\"]", "services.app.binds: mounts the host path /etc"},
		{"socket", "binds: [\"/var/run/docker.sock:/var/run/docker.sock\"]", "services.app.binds: mounts the Docker socket"},
		{"privileged", "privileged: true", "services.app.privileged"},
		{"host network", "network_mode: host", "services.app.network_mode: the host's network"},
		{"host pid", "pid: host", "services.app.pid: the host's processes"},
		{"capabilities", "cap_add: [SYS_ADMIN]", "services.app.cap_add: adds capabilities SYS_ADMIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := testimage.RunID()
			_, err := sandbox.Up(context.Background(), parse(t, head+"    "+tt.field+"\n"), id)
			if err == nil || !strings.Contains(err.Error(), "test.yaml: line 8: "+tt.want) || !strings.Contains(err.Error(), "--trust-env-file") {
				t.Errorf("Up = %v, want a refusal naming %q", err, tt.want)
			}
			if left, _ := sandbox.Leftovers(context.Background(), id); len(left) > 0 {
				t.Errorf("a refused file created %v", left)
			}
		})
	}
	t.Run("trusted", func(t *testing.T) {
		testimage.Require(t)
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "hello"), []byte("from-the-host"), 0o644)
		env := parse(t, head+"    binds: [\""+dir+":/host:ro\"]\n    cap_add: [NET_ADMIN]\n    probes: {hello: cat /host/hello}\n")
		s, err := sandbox.Up(context.Background(), env, testimage.RunID(), sandbox.Options{TrustEnvFile: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Down(context.Background())
		snap, err := s.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := snap.Services["app"].Probes["hello"].Output; got != "from-the-host" {
			t.Errorf("probe through the trusted bind = %q", got)
		}
	})
}

// TestPortsOnLoopback: the ready port and the ports a service publishes
// bind to 127.0.0.1 only.
func TestPortsOnLoopback(t *testing.T) {
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: ports
services:
  web:
    image: `+testimage.Busybox+`
    command: "mkdir -p /www && echo hi > /www/index.html && httpd -p 8081 -h /www && exec httpd -f -p 8080 -h /www"
    ready: {port: 8080, timeout: 10s}
    ports: [8081]
`)
	s := up(t, context.Background(), env)
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	r, err := cli.ContainerInspect(context.Background(), s.Containers()["web"], client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for port, bs := range r.Container.NetworkSettings.Ports {
		for _, b := range bs {
			n++
			if b.HostIP.String() != "127.0.0.1" {
				t.Errorf("%s published on %s", port, b.HostIP)
			}
		}
	}
	if n < 2 {
		t.Errorf("published %v, want 8080 and 8081", r.Container.NetworkSettings.Ports)
	}
}

// TestRedactedOutput: probe output and a failed step's output lose the
// values of secret-named variables and what looks like a credential.
func TestRedactedOutput(t *testing.T) {
	env := parse(t, `
apiVersion: rehearse/v1
kind: Environment
name: redact
services:
  app:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    env: {DB_PASSWORD: hunter2-very-secret, MODE: plain-mode}
    probes: {env: "echo $DB_PASSWORD $MODE AKIAIOSFODNN7EXAMPLE; echo 'Authorization: Bearer abcdefghijkl123'; echo password=letmein1"}
change:
  - exec: {service: app, command: "echo -----BEGIN RSA PRIVATE KEY-----; echo MIIEowIBAAKCAQEA; echo $DB_PASSWORD; exit 1"}
`)
	s := up(t, context.Background(), env)
	snap, err := s.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Apply(context.Background())
	var se *sandbox.StepError
	if !errors.As(err, &se) {
		t.Fatalf("Apply = %v, want a StepError", err)
	}
	probe := snap.Services["app"].Probes["env"].Output
	for _, out := range []string{probe, se.Output, se.Error()} {
		for _, secret := range []string{"hunter2", "AKIAIOSFODNN7EXAMPLE", "abcdefghijkl123", "letmein1", "MIIEowIBAAKCAQEA"} {
			if strings.Contains(out, secret) {
				t.Errorf("%q leaks %q", out, secret)
			}
		}
	}
	if !strings.Contains(probe, "plain-mode") || !strings.Contains(probe, "password="+sandbox.Redacted) || !strings.Contains(probe, "Bearer "+sandbox.Redacted) {
		t.Errorf("probe = %q, want plain values kept and keys shown", probe)
	}
}
