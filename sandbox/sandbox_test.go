package sandbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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
