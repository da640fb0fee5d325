package sandbox_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/rehearse-dev/rehearse/internal/testimage"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// TestPruneFinishedOnly: prune removes a run whose process is gone, never
// one whose process is alive (unless --all), another host's run only by
// age, and with DryRun nothing at all.
func TestPruneFinishedOnly(t *testing.T) {
	testimage.Require(t)
	ctx := context.Background()
	cli, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	now := time.Now().UTC()
	runs := map[string]map[string]string{
		"dead":  {sandbox.LabelPID: strconv.Itoa(gone.Process.Pid), sandbox.LabelHost: host, sandbox.LabelStarted: now.Format(time.RFC3339Nano)},
		"live":  {sandbox.LabelPID: strconv.Itoa(os.Getpid()), sandbox.LabelHost: host, sandbox.LabelStarted: now.Format(time.RFC3339Nano)},
		"other": {sandbox.LabelPID: "1", sandbox.LabelHost: "another-ci-runner", sandbox.LabelStarted: now.Add(-2 * time.Hour).Format(time.RFC3339Nano)},
	}
	ids := map[string]string{}
	for name, labels := range runs {
		id := testimage.RunID()
		ids[name] = id
		labels[sandbox.LabelRun] = id
		if _, err := cli.VolumeCreate(ctx, client.VolumeCreateOptions{Name: "rehearse-" + id + "-v", Labels: labels}); err != nil {
			t.Fatal(err)
		}
	}
	exists := func(name string) bool {
		left, err := sandbox.Leftovers(ctx, ids[name])
		if err != nil {
			t.Fatal(err)
		}
		return len(left) > 0
	}
	steps := []struct {
		name string
		opts sandbox.PruneOptions
		run  string
		gone bool
	}{
		{"dry run", sandbox.PruneOptions{DryRun: true}, "dead", false},
		{"finished", sandbox.PruneOptions{}, "dead", true},
		{"live", sandbox.PruneOptions{}, "live", false},
		{"live, older than", sandbox.PruneOptions{OlderThan: time.Nanosecond}, "live", false},
		{"other host", sandbox.PruneOptions{}, "other", false},
		{"other host, younger", sandbox.PruneOptions{OlderThan: 3 * time.Hour}, "other", false},
		{"other host, older", sandbox.PruneOptions{OlderThan: time.Hour}, "other", true},
		{"live, forced", sandbox.PruneOptions{All: true}, "live", true},
	}
	for _, st := range steps {
		st.opts.Run = ids[st.run]
		p, err := sandbox.Prune(ctx, st.opts)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := !exists(st.run); got != st.gone {
			t.Errorf("%s: run %s removed %v, want %v (removed %+v, kept %+v)", st.name, st.run, got, st.gone, p.Removed, p.Kept)
		}
		if st.opts.DryRun && (len(p.Removed) != 1 || p.Volumes != 0) {
			t.Errorf("dry run: %+v, want the run listed and nothing removed", p)
		}
	}
}
