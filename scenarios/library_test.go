package scenarios_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/scenarios"
	"github.com/rehearse-dev/rehearse/verdict"
)

const library = "library"

// TestLibrary regresses the whole shipped library, container scenarios
// included: every scenario must give exactly the verdict it expects.
func TestLibrary(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pg := testimage.PostgresFor(t)
	opts := scenarios.RegressOptions{Parallel: 4, RequireDocker: !testimage.Skipped() && pg}
	opts.RunID = testimage.RunID()
	g, err := scenarios.Regress(ctx, []string{library}, opts)
	if err != nil {
		t.Fatal(err)
	}
	blocking, controls := 0, 0
	for _, r := range g.Results {
		switch {
		case r.Status == scenarios.Skipped && (testimage.Skipped() || !pg && strings.Contains(r.Reason, testimage.Postgres)):
			continue
		case r.Status != scenarios.OK:
			t.Errorf("%s: %s %s %v", r.Name, r.Status, r.Reason, r.Diff)
		}
		if r.Expected.Decision == verdict.Pass {
			controls++
		} else {
			blocking++
		}
	}
	if !testimage.Skipped() && (blocking < 10 || controls < 3) {
		t.Errorf("library has %d incident scenarios and %d controls, want at least 10 and 3", blocking, controls)
	}
}

// TestLibraryDocumented checks what a reader of the library relies on:
// a source link and a README paragraph for every scenario, and a line for
// it in the index.
func TestLibraryDocumented(t *testing.T) {
	t.Parallel()
	files, err := scenarios.Discover([]string{library})
	if err != nil {
		t.Fatal(err)
	}
	index, err := os.ReadFile(filepath.Join(library, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		s, err := scenarios.Load(f)
		if err != nil {
			t.Fatal(err)
		}
		if s.Source == "" {
			t.Errorf("%s: no source link", f)
		}
		readme, err := os.ReadFile(filepath.Join(s.Dir(), "README.md"))
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
		} else if !strings.Contains(string(readme), s.Source) || !strings.Contains(string(readme), "**"+string(s.Expect.Decision)+"**") {
			t.Errorf("%s/README.md must give the source %s and say why the verdict is %s", s.Name, s.Source, s.Expect.Decision)
		}
		if !strings.Contains(string(index), "["+s.Name+"]") {
			t.Errorf("library README.md does not list %s", s.Name)
		}
	}
}

// TestRegressWithoutDocker: container scenarios are skipped with the
// reason, never passed; plan scenarios still run; --require-docker makes
// the skip an error.
func TestRegressWithoutDocker(t *testing.T) {
	t.Parallel()
	noDocker := func(context.Context) error { return errors.New("Docker is unreachable at tcp://127.0.0.1:1") }
	for _, require := range []bool{false, true} {
		opts := scenarios.RegressOptions{RequireDocker: require, Parallel: 2}
		opts.Docker = noDocker
		g, err := scenarios.Regress(context.Background(), []string{library}, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range g.Results {
			want := scenarios.OK
			if r.Input == "containers" {
				want = scenarios.Skipped
				if require {
					want = scenarios.Errored
				}
				if !strings.Contains(r.Reason, "docker unavailable") || !strings.Contains(r.Reason, "127.0.0.1:1") {
					t.Errorf("%s: reason %q does not say why", r.Name, r.Reason)
				}
			}
			if r.Status != want {
				t.Errorf("require=%v %s (%s): %s, want %s", require, r.Name, r.Input, r.Status, want)
			}
		}
		if g.Count(scenarios.OK) < 10 {
			t.Errorf("only %d plan scenarios ran", g.Count(scenarios.OK))
		}
	}
}

func TestShard(t *testing.T) {
	t.Parallel()
	names := []string{"m", "a", "z", "b", "q", "c", "x", "d", "e", "k", "f"}
	for n := 1; n <= 6; n++ {
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			part := scenarios.Shard{I: i, N: n}.Select(names)
			if n > 1 && (len(part) < len(names)/n || len(part) > len(names)/n+1) {
				t.Errorf("shard %d/%d has %d names", i, n, len(part))
			}
			for _, name := range part {
				seen[name]++
			}
		}
		for _, name := range names {
			if seen[name] != 1 {
				t.Errorf("n=%d: %s in %d shards", n, name, seen[name])
			}
		}
		if len(seen) != len(names) {
			t.Errorf("n=%d: union has %d names, want %d", n, len(seen), len(names))
		}
	}
	// The order the names come in does not matter.
	a := scenarios.Shard{I: 2, N: 3}.Select([]string{"a", "b", "c", "d"})
	b := scenarios.Shard{I: 2, N: 3}.Select([]string{"d", "c", "b", "a"})
	if strings.Join(a, ",") != strings.Join(b, ",") {
		t.Errorf("shard depends on input order: %v vs %v", a, b)
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want scenarios.Shard
		err  bool
	}{
		{in: "1/1", want: scenarios.Shard{I: 1, N: 1}},
		{in: "2/5", want: scenarios.Shard{I: 2, N: 5}},
		{in: "0/5", err: true},
		{in: "6/5", err: true},
		{in: "2", err: true},
		{in: "a/b", err: true},
	}
	for _, tt := range tests {
		got, err := scenarios.ParseShard(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v", tt.in, got, err)
		}
	}
}
