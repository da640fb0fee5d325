// Package container runs a container scenario in the sandbox and turns
// what it observed (snapshots before and after, and the Docker events in
// between) into an observed change.Set. It does not know how containers
// are started: that is the sandbox's business.
package container

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// Resource types of an observed Set. docker_volume is data-bearing in the
// verdict's catalogue.
const (
	TypeContainer = "docker_container"
	TypeVolume    = "docker_volume"
)

// Observe compares two snapshots of a sandbox and the events between them.
// Every service and volume that existed before or after is in the Set,
// unchanged ones as no-ops, so the blast radius counts them. It is a pure
// function.
func Observe(before, after sandbox.Snapshot, events []sandbox.Event) change.Set {
	set := change.Set{
		Source:  change.Source{Kind: change.Observed, Tool: "docker"},
		Managed: len(before.Services) + len(before.Volumes),
	}
	byObject := map[string][]string{}
	for _, e := range events {
		key := e.Type + "/" + e.Object
		byObject[key] = append(byObject[key], e.String())
	}
	for _, name := range union(before.Services, after.Services) {
		b, hadB := before.Services[name]
		a, hadA := after.Services[name]
		r := service(name, b, hadB, a, hadA, after.Volumes)
		r.Observed.Events = byObject["container/"+name]
		set.Resources = append(set.Resources, r)
	}
	for _, name := range union(before.Volumes, after.Volumes) {
		b, hadB := before.Volumes[name]
		a, hadA := after.Volumes[name]
		r := volume(name, b, hadB, a, hadA, before, after)
		r.Observed.Events = byObject["volume/"+name]
		set.Resources = append(set.Resources, r)
	}
	sort.Slice(set.Resources, func(i, j int) bool { return set.Resources[i].Address < set.Resources[j].Address })
	return set
}

func union[V any](a, b map[string]V) []string {
	keys := slices.Collect(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func service(name string, b sandbox.ServiceState, hadB bool, a sandbox.ServiceState, hadA bool, volsAfter map[string]sandbox.VolumeState) change.Resource {
	r := change.Resource{
		Address:  TypeContainer + "." + name,
		Mode:     change.Managed,
		Type:     TypeContainer,
		Name:     name,
		Provider: "docker",
		Observed: &change.Observation{
			BeforeID: b.ID, BeforeCreated: b.Created,
			AfterID: a.ID, AfterCreated: a.Created,
		},
	}
	switch {
	case !hadB:
		r.Action, r.Labels = change.Create, a.Labels
		return r
	case !hadA:
		r.Action, r.Labels = change.Delete, b.Labels
		r.Before = map[string]change.Value{"image": b.Image}
		r.Observed.Data = lostWithService(b, volsAfter)
		return r
	}
	r.Labels = a.Labels
	r.Observed.Data = append(dataDeltas(b, a), countDeltas(b, a)...)
	r.Changes = configChanges(b, a)
	probes := probeChanges(b, a)
	switch {
	case recreated(b.ID, b.Nonce, a.ID, a.Nonce):
		r.Action, r.ReplaceOrder, r.Reason = change.Replace, change.DeleteThenCreate, "recreated"
		// What forced the recreate goes in ReplacePaths; Changes keeps
		// the probes, so evidence lists each once.
		r.ReplacePaths, r.Changes = r.Changes, nil
		r.Before = map[string]change.Value{"image": b.Image}
	case len(r.Changes) > 0 || len(probes) > 0 || dataChanged(r.Observed.Data):
		r.Action = change.Update
	default:
		r.Action = change.NoOp
	}
	r.Changes = append(r.Changes, probes...)
	return r
}

// lostWithService accounts for a removed service's data paths: a path on a
// volume that survives keeps its data (and cannot be read without a
// container, so it is not listed); any other path is gone.
func lostWithService(b sandbox.ServiceState, volsAfter map[string]sandbox.VolumeState) []change.DataDelta {
	var out []change.DataDelta
	for _, p := range slices.Sorted(maps.Keys(b.Data)) {
		fp := b.Data[p]
		if v := volumeOf(b.Volumes, p); v != "" {
			if _, kept := volsAfter[v]; kept {
				continue
			}
		}
		out = append(out, change.DataDelta{
			Service: b.Name, Path: p,
			BeforeFiles: fp.Files, BeforeBytes: fp.Bytes, BeforeHash: fp.Hash,
			Gone: fp.Exists,
		})
	}
	// What a count counted went with the service, unless every volume
	// it had survives (the store may live there).
	kept := len(b.Volumes) > 0
	for v := range b.Volumes {
		if _, ok := volsAfter[v]; !ok {
			kept = false
		}
	}
	if !kept {
		out = append(out, countDeltas(b, sandbox.ServiceState{})...)
	}
	return out
}

// volumeOf names the volume a path lives on, if any.
func volumeOf(vols map[string]string, p string) string {
	best, bestLen := "", -1
	for v, mount := range vols {
		if (p == mount || strings.HasPrefix(p, strings.TrimSuffix(mount, "/")+"/")) && len(mount) > bestLen {
			best, bestLen = v, len(mount)
		}
	}
	return best
}

func dataDeltas(b, a sandbox.ServiceState) []change.DataDelta {
	var out []change.DataDelta
	for _, p := range slices.Sorted(maps.Keys(b.Data)) {
		fb, fa := b.Data[p], a.Data[p]
		out = append(out, change.DataDelta{
			Service: b.Name, Path: p,
			BeforeFiles: fb.Files, AfterFiles: fa.Files,
			BeforeBytes: fb.Bytes, AfterBytes: fa.Bytes,
			BeforeHash: fb.Hash, AfterHash: fa.Hash,
			Gone: fb.Exists && !fa.Exists,
		})
	}
	return out
}

// countDeltas compares a service's counts. A count that cannot be read
// afterwards (the table was dropped, the service no longer answers) is
// gone: whatever it counted is not there to count.
func countDeltas(b, a sandbox.ServiceState) []change.DataDelta {
	var out []change.DataDelta
	for _, name := range slices.Sorted(maps.Keys(b.Counts)) {
		cb := b.Counts[name]
		d := change.DataDelta{Service: b.Name, Path: name, Unit: cb.Unit, BeforeFiles: cb.N}
		if ca, ok := a.Counts[name]; ok && ca.Valid {
			d.AfterFiles = ca.N
		} else {
			d.Gone = true
		}
		out = append(out, d)
	}
	return out
}

func dataChanged(ds []change.DataDelta) bool {
	for _, d := range ds {
		if d.Lost() || d.BeforeHash != d.AfterHash || d.BeforeFiles != d.AfterFiles {
			return true
		}
	}
	return false
}

// configChanges lists what a recreate changed. Env values are marked
// sensitive: they often hold credentials, and the key is what matters.
func configChanges(b, a sandbox.ServiceState) []change.AttrChange {
	var out []change.AttrChange
	if b.Image != a.Image {
		out = append(out, change.AttrChange{Path: "image", Before: b.Image, After: a.Image})
	} else if b.ImageID != a.ImageID {
		out = append(out, change.AttrChange{Path: "image_id", Before: b.ImageID, After: a.ImageID})
	}
	if !slices.Equal(b.Command, a.Command) {
		out = append(out, change.AttrChange{Path: "command", Before: strings.Join(b.Command, " "), After: strings.Join(a.Command, " ")})
	}
	for _, k := range union(b.Env, a.Env) {
		bv, bok := b.Env[k]
		av, aok := a.Env[k]
		if bv != av || bok != aok {
			out = append(out, change.AttrChange{Path: "env." + k, Sensitive: true})
		}
	}
	for _, k := range union(b.Labels, a.Labels) {
		if b.Labels[k] != a.Labels[k] {
			out = append(out, change.AttrChange{Path: "labels." + k, Before: nilIfEmpty(b.Labels[k]), After: nilIfEmpty(a.Labels[k])})
		}
	}
	for _, k := range union(b.Volumes, a.Volumes) {
		if b.Volumes[k] != a.Volumes[k] {
			out = append(out, change.AttrChange{Path: "volumes." + k, Before: nilIfEmpty(b.Volumes[k]), After: nilIfEmpty(a.Volumes[k])})
		}
	}
	if b.Running != a.Running {
		out = append(out, change.AttrChange{Path: "running", Before: b.Running, After: a.Running})
	}
	return out
}

func probeChanges(b, a sandbox.ServiceState) []change.AttrChange {
	var out []change.AttrChange
	for _, k := range union(b.Probes, a.Probes) {
		bp, bok := b.Probes[k]
		ap, aok := a.Probes[k]
		if bp.String() != ap.String() || bok != aok {
			out = append(out, change.AttrChange{Path: "probe." + k, Before: bp.String(), After: ap.String()})
		}
	}
	return out
}

func nilIfEmpty(s string) change.Value {
	if s == "" {
		return nil
	}
	return s
}

// volume describes one named volume. Its labels are those of the services
// that mount it, so a volume of an env: prod service is in prod.
func volume(name string, b sandbox.VolumeState, hadB bool, a sandbox.VolumeState, hadA bool, before, after sandbox.Snapshot) change.Resource {
	r := change.Resource{
		Address:  TypeVolume + "." + name,
		Mode:     change.Managed,
		Type:     TypeVolume,
		Name:     name,
		Provider: "docker",
		Observed: &change.Observation{
			BeforeID: b.DockerName, BeforeCreated: b.Created,
			AfterID: a.DockerName, AfterCreated: a.Created,
		},
	}
	r.Labels = volumeLabels(name, before)
	switch {
	case !hadB:
		r.Action, r.Labels = change.Create, volumeLabels(name, after)
	case !hadA:
		r.Action = change.Delete
		r.Before = map[string]change.Value{"name": name}
	case recreated(b.DockerName, b.Nonce, a.DockerName, a.Nonce):
		r.Action, r.ReplaceOrder, r.Reason = change.Replace, change.DeleteThenCreate, "recreated"
	default:
		r.Action = change.NoOp
	}
	return r
}

// recreated tells whether two observations are of different objects: the
// id (a volume's name) changed, or the nonce rehearse set when it created
// the object changed or is gone. Creation times are never compared: on
// Docker 20.10 a volume's moves when its contents change.
func recreated(idB, nonceB, idA, nonceA string) bool {
	return idB != idA || nonceB != nonceA
}

func volumeLabels(vol string, snap sandbox.Snapshot) map[string]string {
	var labels map[string]string
	for _, n := range slices.Sorted(maps.Keys(snap.Services)) {
		s := snap.Services[n]
		if _, ok := s.Volumes[vol]; !ok {
			continue
		}
		for k, v := range s.Labels {
			if labels == nil {
				labels = map[string]string{}
			}
			if _, set := labels[k]; !set {
				labels[k] = v
			}
		}
	}
	return labels
}
