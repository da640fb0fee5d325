package container

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// rehearseRollback runs the rollback steps after the change and compares
// the sandbox with its snapshot before the change. A failed rollback step
// is part of the answer (it does not restore), not an error; a snapshot
// that cannot be taken, or a cancelled run, is.
func rehearseRollback(ctx context.Context, sb *sandbox.Sandbox, before sandbox.Snapshot) (*change.Rollback, sandbox.Snapshot, error) {
	_, stepErr := sb.Rollback(ctx)
	if ctx.Err() != nil {
		return nil, sandbox.Snapshot{}, ctx.Err()
	}
	restored, err := sb.Snapshot(ctx)
	if err != nil {
		return nil, restored, fmt.Errorf("snapshot after the rollback: %w", err)
	}
	rb := Restored(before, restored)
	if stepErr != nil {
		rb.Failed, rb.Restores = stepErr.Error(), false
	}
	return rb, restored, nil
}

// Restored compares the sandbox after a rollback with the sandbox before
// the change: every service and volume must be there again, with the same
// settings, the same data (by contents), counts and probe outputs. The
// data paths of a service that has counts are judged by those counts
// instead, as long as they exist: a database restored from a dump holds
// the same rows in other files. A
// recreated container or volume counts as back when all of that is: a
// rollback that undoes a recreate recreates. It is a pure function.
func Restored(before, after sandbox.Snapshot) *change.Rollback {
	rb := &change.Rollback{}
	for _, name := range union(before.Services, after.Services) {
		b, hadB := before.Services[name]
		a, hadA := after.Services[name]
		addr := TypeContainer + "." + name
		switch {
		case !hadA:
			rb.Objects = append(rb.Objects, addr+" is gone")
			continue
		case !hadB:
			rb.Objects = append(rb.Objects, addr+" was not there before")
			continue
		}
		for _, c := range append(configChanges(b, a), probeChanges(b, a)...) {
			c.Path = addr + "." + c.Path
			rb.Changes = append(rb.Changes, c)
		}
		for _, p := range slices.Sorted(maps.Keys(b.Data)) {
			fb, fa := b.Data[p], a.Data[p]
			// A service with counts is a database: its counts and probes
			// say whether its data is back. Its files never are byte
			// for byte (a restore writes new relation files and WAL), so
			// only a path that is gone counts against the rollback.
			if fb == fa || len(b.Counts) > 0 && !(fb.Exists && !fa.Exists) {
				continue
			}
			rb.Data = append(rb.Data, change.DataDelta{
				Service: name, Path: p,
				BeforeFiles: fb.Files, AfterFiles: fa.Files, BeforeBytes: fb.Bytes, AfterBytes: fa.Bytes,
				BeforeHash: fb.Hash, AfterHash: fa.Hash, Gone: fb.Exists && !fa.Exists,
			})
		}
		for _, d := range countDeltas(b, a) {
			if d.Gone || d.BeforeFiles != d.AfterFiles {
				rb.Data = append(rb.Data, d)
			}
		}
	}
	for _, name := range union(before.Volumes, after.Volumes) {
		_, hadB := before.Volumes[name]
		_, hadA := after.Volumes[name]
		switch {
		case !hadA:
			rb.Objects = append(rb.Objects, TypeVolume+"."+name+" is gone")
		case !hadB:
			rb.Objects = append(rb.Objects, TypeVolume+"."+name+" was not there before")
		}
	}
	rb.Restores = len(rb.Objects)+len(rb.Changes)+len(rb.Data) == 0
	return rb
}
