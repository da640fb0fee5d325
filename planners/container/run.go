package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// Options tune Run.
type Options struct {
	// RunID labels every Docker object of the run; empty picks one.
	RunID string
	// Keep leaves the sandbox up after the change, for inspection.
	Keep bool
	// Progress receives one line per action; nil discards it.
	Progress io.Writer
	// TrustEnvFile allows bind mounts, privileged, host network or PID
	// and added capabilities; only a command-line flag may set it.
	TrustEnvFile bool
	// KeepImages leaves the images the run built.
	KeepImages bool
}

// Result is what a run observed.
type Result struct {
	Set    change.Set
	Before sandbox.Snapshot
	After  sandbox.Snapshot
	Events []sandbox.Event
	// Restored is the sandbox after the rollback steps, when the
	// environment has them and the change completed.
	Restored *sandbox.Snapshot
	RunID    string
	// Containers maps each service left running to its container name;
	// set only with Keep.
	Containers map[string]string
}

// Run brings the environment up, snapshots it, applies the change,
// snapshots it again, rehearses the rollback steps if the environment has
// any (Set.Rollback says whether they restore what was there before) and
// tears it down, unless Keep asks otherwise and nothing failed. Teardown happens on success, error, step timeout and
// cancellation alike.
//
// A step that fails still leaves an observation: the Set of what happened
// up to the failure is returned together with the error.
func Run(ctx context.Context, env *sandbox.Environment, opts Options) (res Result, err error) {
	if opts.RunID == "" {
		opts.RunID = sandbox.NewRunID()
	}
	res.RunID = opts.RunID
	sb, err := sandbox.Up(ctx, env, opts.RunID, sandbox.Options{Progress: opts.Progress, TrustEnvFile: opts.TrustEnvFile, KeepImages: opts.KeepImages})
	if err != nil {
		return res, fmt.Errorf("up: %w", err)
	}
	defer func() {
		if opts.Keep && err == nil {
			res.Containers = sb.Containers()
			return
		}
		if derr := sb.Down(ctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("down: %w", derr))
		}
	}()
	res.Before, err = sb.Snapshot(ctx)
	if err != nil {
		return res, fmt.Errorf("snapshot before: %w", err)
	}
	if err := unreadableCounts(res.Before); err != nil {
		return res, err
	}
	res.Events, err = sb.Apply(ctx)
	if ctx.Err() != nil {
		return res, err
	}
	after, serr := sb.Snapshot(ctx)
	if serr != nil {
		return res, errors.Join(err, fmt.Errorf("snapshot after: %w", serr))
	}
	res.After = after
	res.Set = Observe(res.Before, res.After, res.Events)
	forgetRun(&res.Set, opts.RunID)
	res.Set.Source.File = env.File
	if err == nil && len(env.Rollback) > 0 {
		rb, restored, rerr := rehearseRollback(ctx, sb, res.Before)
		if rerr != nil {
			return res, rerr
		}
		res.Set.Rollback, res.Restored = rb, &restored
	}
	return res, err
}

// forgetRun takes the run id out of an observed Set's values: a built
// image is tagged with its run (rehearse-build/app-db:RUN), and two runs
// of one change must be one change, with one fingerprint. Container ids
// and times stay in the Observation, which the fingerprint leaves out.
func forgetRun(set *change.Set, run string) {
	if run == "" {
		return
	}
	strip := func(v change.Value) change.Value {
		if s, ok := v.(string); ok && strings.Contains(s, run) {
			return strings.ReplaceAll(strings.ReplaceAll(s, ":"+run, ""), run, "RUN")
		}
		return v
	}
	for i := range set.Resources {
		r := &set.Resources[i]
		for k, v := range r.Before {
			r.Before[k] = strip(v)
		}
		for _, cs := range [][]change.AttrChange{r.Changes, r.ReplacePaths} {
			for j := range cs {
				cs[j].Before, cs[j].After = strip(cs[j].Before), strip(cs[j].After)
			}
		}
	}
}

// unreadableCounts fails a run whose counts cannot be read before the
// change: what the change does to them could not be judged, and a count
// that reads nothing before would hide every loss after.
func unreadableCounts(snap sandbox.Snapshot) error {
	for _, svc := range slices.Sorted(maps.Keys(snap.Services)) {
		st := snap.Services[svc]
		for _, name := range slices.Sorted(maps.Keys(st.Counts)) {
			if c := st.Counts[name]; !c.Valid {
				return fmt.Errorf("count %s of service %s before the change: %s", name, svc, c.Why)
			}
		}
	}
	return nil
}
