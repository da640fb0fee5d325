package container_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/planners/container"
	"github.com/rehearse-dev/rehearse/sandbox"
	"github.com/rehearse-dev/rehearse/verdict"
)

// header and db build the environments of the tests below: one db service
// seeded with 1,204 rows of 10 bytes under /data, in env prod unless told.
const header = `apiVersion: rehearse/v1
kind: Environment
name: %s
services:
  db:
    image: ` + testimage.Busybox + `
    command: "echo ready; exec sleep 600"
    ready: {log: ready}
    labels: {env: %s}
    env: {MODE: a}
    data: [/data]
    seed:
      - "mkdir -p /data && for i in $(seq 10000 11203); do echo row-$i > /data/r$i; done"
    probes: {rows: "ls /data | wc -l"}
`

func env(t *testing.T, name, envLabel, extra string) *sandbox.Environment {
	t.Helper()
	src := strings.Replace(header, "%s", name, 1)
	src = strings.Replace(src, "%s", envLabel, 1)
	e, err := sandbox.Parse(name+".yaml", []byte(src+extra))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		envLabel   string
		extra      string
		want       map[string]change.Action
		lost       bool // data lost on docker_container.db
		afterFiles int64
		decision   verdict.Decision
	}{
		{
			name:     "exec empties prod data path",
			envLabel: "prod",
			extra: `change:
  - exec: {service: db, command: "rm -rf /data/*"}
`,
			want:     map[string]change.Action{"docker_container.db": change.Update},
			lost:     true,
			decision: verdict.Block,
		},
		{
			name:     "update env without volume",
			envLabel: "prod",
			extra: `change:
  - update: {service: db, env: {MODE: b}}
`,
			want:     map[string]change.Action{"docker_container.db": change.Replace},
			lost:     true,
			decision: verdict.Block,
		},
		{
			name:     "update env with data in a volume",
			envLabel: "prod",
			extra: `    volumes: {dbdata: /data}
change:
  - update: {service: db, env: {MODE: b}}
`,
			want:       map[string]change.Action{"docker_container.db": change.Replace, "docker_volume.dbdata": change.NoOp},
			afterFiles: 1204,
			decision:   verdict.Warn,
		},
		{
			name:     "benign read-only exec",
			envLabel: "prod",
			extra: `change:
  - exec: {service: db, command: "cat /data/r10001 /data/r10002 > /dev/null"}
`,
			want:       map[string]change.Action{"docker_container.db": change.NoOp},
			afterFiles: 1204,
			decision:   verdict.Pass,
		},
		{
			name:     "update without a change leaves the container",
			envLabel: "prod",
			extra: `change:
  - update: {service: db, env: {MODE: a}}
`,
			want:       map[string]change.Action{"docker_container.db": change.NoOp},
			afterFiles: 1204,
			decision:   verdict.Pass,
		},
		{
			name:     "remove with volumes",
			envLabel: "staging",
			extra: `    volumes: {dbdata: /data}
change:
  - remove: {service: db, volumes: true}
`,
			want:     map[string]change.Action{"docker_container.db": change.Delete, "docker_volume.dbdata": change.Delete},
			lost:     true,
			decision: verdict.Warn,
		},
	}
	testimage.Require(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			e := env(t, strings.ReplaceAll(tt.name, " ", "-"), tt.envLabel, tt.extra)
			res, err := container.Run(ctx, e, container.Options{RunID: testimage.RunID()})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]*change.Resource{}
			for i := range res.Set.Resources {
				got[res.Set.Resources[i].Address] = &res.Set.Resources[i]
			}
			for addr, want := range tt.want {
				r := got[addr]
				if r == nil {
					t.Fatalf("%s missing from %+v", addr, res.Set.Resources)
				}
				if r.Action != want {
					t.Errorf("%s: action %q, want %q", addr, r.Action, want)
				}
			}
			db := got["docker_container.db"]
			if db.Observed.DataLost() != tt.lost {
				t.Errorf("data lost = %v, want %v: %+v", db.Observed.DataLost(), tt.lost, db.Observed.Data)
			}
			if len(db.Observed.Data) > 0 {
				d := db.Observed.Data[0]
				if d.BeforeFiles != 1204 || d.BeforeBytes != 1204*10 {
					t.Errorf("before: %d files, %d bytes; want 1204 files, 12040 bytes", d.BeforeFiles, d.BeforeBytes)
				}
				if d.AfterFiles != tt.afterFiles {
					t.Errorf("after: %d files, want %d", d.AfterFiles, tt.afterFiles)
				}
			}
			v := verdict.Evaluate(res.Set, verdict.DefaultPolicy(), verdict.Options{})
			if v.Decision != tt.decision {
				t.Errorf("decision %q, want %q; findings %+v", v.Decision, tt.decision, v.Findings)
			}
			left, err := sandbox.Leftovers(context.Background(), res.RunID)
			if err != nil || len(left) > 0 {
				t.Errorf("after Run: %v %v", left, err)
			}
		})
	}
}

// TestRunCancelled cancels the context while a step runs: Run must still
// remove everything labelled with its run id.
func TestRunCancelled(t *testing.T) {
	testimage.Require(t)
	e := env(t, "cancel", "prod", `    volumes: {dbdata: /keep}
change:
  - exec: {service: db, command: "sleep 30"}
`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	id := testimage.RunID()
	// Cancel shortly after the step starts, which progress announces.
	progress := writerFunc(func(p []byte) {
		if strings.Contains(string(p), "step 1 (exec") {
			time.AfterFunc(200*time.Millisecond, cancel)
		}
	})
	start := time.Now()
	_, err := container.Run(ctx, e, container.Options{RunID: id, Progress: progress})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("Run took %s after cancel", d)
	}
	left, err := sandbox.Leftovers(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("labelled objects remain: %v", left)
	}
}

// TestRunTimeout: a step over its timeout fails the run, which is torn
// down.
func TestRunTimeout(t *testing.T) {
	testimage.Require(t)
	e := env(t, "timeout", "prod", `change:
  - exec: {service: db, command: "sleep 30"}
    timeout: 300ms
`)
	id := testimage.RunID()
	_, err := container.Run(context.Background(), e, container.Options{RunID: id})
	var se *sandbox.StepError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("Run = %v, want a step timeout", err)
	}
	left, _ := sandbox.Leftovers(context.Background(), id)
	if len(left) > 0 {
		t.Errorf("labelled objects remain: %v", left)
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// TestVolumeWritesAreNotRecreates: writing into a volume 20 times in a row
// never reads as a recreate, although Docker 20.10 may move the volume's
// creation time on each write.
func TestVolumeWritesAreNotRecreates(t *testing.T) {
	testimage.Require(t)
	ctx := context.Background()
	e, err := sandbox.Parse("writes.yaml", []byte(`apiVersion: rehearse/v1
kind: Environment
name: writes
services:
  db:
    image: `+testimage.Busybox+`
    command: [sleep, "600"]
    labels: {env: prod}
    volumes: {dbdata: /data}
    data: [/data]
`))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Up(ctx, e, testimage.RunID())
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Down(ctx)
	prev, err := sb.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Volumes["dbdata"].Nonce == "" || prev.Services["db"].Nonce == "" {
		t.Fatalf("no nonce on the volume or container: %+v", prev)
	}
	moved := 0
	for i := range 20 {
		if _, _, err := sb.Exec(ctx, "db", []string{"/bin/sh", "-c", fmt.Sprintf("echo row-%d > /data/f%d", i, i)}); err != nil {
			t.Fatal(err)
		}
		cur, err := sb.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Volumes["dbdata"].Created != prev.Volumes["dbdata"].Created {
			moved++
		}
		for _, r := range container.Observe(prev, cur, nil).Resources {
			if r.Action == change.Replace || r.Action == change.Delete {
				t.Errorf("write %d: %s %s (before %+v, after %+v)", i+1, r.Address, r.Action, prev.Volumes, cur.Volumes)
			}
		}
		prev = cur
	}
	t.Logf("the volume's creation time moved on %d of 20 writes", moved)
}

// TestRunTwiceOneFingerprint: two runs of one change in two sandboxes (new
// containers, volumes, a built image tagged by run, other times) are one
// change, with one fingerprint.
func TestRunTwiceOneFingerprint(t *testing.T) {
	testimage.Require(t)
	dir := t.TempDir()
	src := strings.Replace(strings.Replace(header, "%s", "twice", 1), "%s", "prod", 1) + `    volumes: {dbdata: /data}
  cache:
    build: {context: image}
    command: "echo ready; exec sleep 600"
    ready: {log: ready}
change:
  - exec: {service: db, command: "rm -f /data/r1*"}
  - update: {service: db, env: {MODE: b}}
  - remove: {service: cache}
`
	if err := os.MkdirAll(filepath.Join(dir, "image"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "image", "Dockerfile"), []byte("FROM "+testimage.Busybox+"\nRUN echo built > /built\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "env.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := sandbox.Load(filepath.Join(dir, "env.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var prints []string
	for range 2 {
		res, err := container.Run(t.Context(), e, container.Options{RunID: testimage.RunID()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Set.Resources) != 3 {
			t.Fatalf("observed %d resources, want db, cache and dbdata", len(res.Set.Resources))
		}
		prints = append(prints, res.Set.Fingerprint())
	}
	if prints[0] != prints[1] {
		t.Errorf("two runs of one change: fingerprints %s and %s", prints[0], prints[1])
	}
}
