package sandbox

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
)

// Labels that say who owns a run, so that prune can tell a finished run
// from one still going, on this host or in another CI job on the same
// engine.
const (
	LabelPID     = "rehearse.pid"     // the owning process
	LabelHost    = "rehearse.host"    // the host it runs on
	LabelStarted = "rehearse.started" // when the run started, RFC 3339
)

// PruneOptions say which runs Prune removes. By default it removes every
// finished run: one whose owning process, on this host, is gone. A run
// whose process is alive is never touched, whatever the options, unless
// All forces it.
type PruneOptions struct {
	Run       string        // only this run
	OlderThan time.Duration // only runs started longer ago; also the only way to remove another host's runs
	All       bool          // every run, live ones included
	DryRun    bool          // say what would be removed, remove nothing
	// KeepImages leaves the images the runs built.
	KeepImages bool
}

// RunInfo is one run found on the engine.
type RunInfo struct {
	ID      string
	Host    string
	PID     int
	Started time.Time // zero if unknown
	Objects []Leftover
	// Why says why Prune removed it or left it.
	Why string
}

// Pruned counts what Prune removed and lists the runs it removed and
// those it left.
type Pruned struct {
	Containers, Volumes, Networks, Images int
	Removed, Kept                         []RunInfo
}

// Prune removes the Docker objects of finished runs (see PruneOptions).
func Prune(ctx context.Context, o PruneOptions) (Pruned, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return Pruned{}, err
	}
	defer cli.Close()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		return Pruned{}, fmt.Errorf("docker unreachable: %w", err)
	}
	runs, err := listRuns(ctx, cli, o.Run)
	if err != nil {
		return Pruned{}, err
	}
	host, _ := os.Hostname()
	var p Pruned
	var errs []error
	for _, r := range runs {
		ok, why := r.prunable(o, host, time.Now())
		r.Why = why
		if !ok {
			p.Kept = append(p.Kept, r)
			continue
		}
		p.Removed = append(p.Removed, r)
		if o.DryRun {
			continue
		}
		q, err := prune(ctx, cli, r.ID, !o.KeepImages)
		p.Containers += q.Containers
		p.Volumes += q.Volumes
		p.Networks += q.Networks
		p.Images += q.Images
		if err != nil {
			errs = append(errs, err)
		}
	}
	return p, errors.Join(errs...)
}

func (r RunInfo) prunable(o PruneOptions, host string, now time.Time) (bool, string) {
	live, known := false, false
	if r.Host == host && r.PID > 0 {
		live, known = alive(r.PID), true
	}
	switch {
	case o.All:
		return true, "--all"
	case live:
		return false, fmt.Sprintf("live: process %d on this host is running", r.PID)
	case o.OlderThan > 0 && (r.Started.IsZero() || now.Sub(r.Started) < o.OlderThan):
		return false, fmt.Sprintf("started less than %s ago", o.OlderThan)
	case o.OlderThan > 0:
		return true, fmt.Sprintf("started %s ago", now.Sub(r.Started).Round(time.Second))
	case known:
		return true, fmt.Sprintf("finished: process %d is gone", r.PID)
	case r.Host != "" && r.Host != host:
		return false, "owned by host " + r.Host + ": cannot tell whether it is still going (--older-than or --all)"
	}
	return false, "no owner recorded: cannot tell whether it is still going (--older-than or --all)"
}

// listRuns groups the objects labelled by rehearse (by runID if given) by
// run, with the owner their labels record.
func listRuns(ctx context.Context, cli client.APIClient, runID string) ([]RunInfo, error) {
	objs, labels, err := leftovers(ctx, cli, runID)
	if err != nil {
		return nil, err
	}
	byRun := map[string]*RunInfo{}
	for i, l := range objs {
		r := byRun[l.Run]
		if r == nil {
			r = &RunInfo{ID: l.Run}
			byRun[l.Run] = r
		}
		r.Objects = append(r.Objects, l)
		lb := labels[i]
		if r.Host == "" {
			r.Host = lb[LabelHost]
		}
		if r.PID == 0 {
			r.PID, _ = strconv.Atoi(lb[LabelPID])
		}
		if t, err := time.Parse(time.RFC3339Nano, lb[LabelStarted]); err == nil && r.Started.IsZero() {
			r.Started = t
		}
	}
	var out []RunInfo
	for _, id := range slices.Sorted(maps.Keys(byRun)) {
		out = append(out, *byRun[id])
	}
	return out, nil
}

func runFilter(runID string) client.Filters {
	if runID == "" {
		return client.Filters{}.Add("label", LabelRun)
	}
	return client.Filters{}.Add("label", LabelRun+"="+runID)
}

// Leftover is an object labelled by rehearse.
type Leftover struct {
	Kind string // container, volume, network or image
	Name string
	Run  string
}

func (l Leftover) String() string { return l.Kind + " " + l.Name + " (run " + l.Run + ")" }

// Leftovers lists the containers, volumes, networks and images labelled by
// rehearse (by runID if given). Tests use it to prove teardown.
func Leftovers(ctx context.Context, runID string) ([]Leftover, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, err
	}
	defer cli.Close()
	out, _, err := leftovers(ctx, cli, runID)
	return out, err
}

func leftovers(ctx context.Context, cli client.APIClient, runID string) ([]Leftover, []map[string]string, error) {
	f := runFilter(runID)
	var out []Leftover
	var labels []map[string]string
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs.Items {
		name := short(c.ID)
		if len(c.Names) > 0 {
			name = strings.TrimPrefix(c.Names[0], "/")
		}
		out, labels = append(out, Leftover{"container", name, c.Labels[LabelRun]}), append(labels, c.Labels)
	}
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return nil, nil, err
	}
	for _, v := range vs.Items {
		out, labels = append(out, Leftover{"volume", v.Name, v.Labels[LabelRun]}), append(labels, v.Labels)
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, nil, err
	}
	for _, n := range ns.Items {
		out, labels = append(out, Leftover{"network", n.Name, n.Labels[LabelRun]}), append(labels, n.Labels)
	}
	is, err := cli.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		return nil, nil, err
	}
	for _, im := range is.Items {
		name := short(strings.TrimPrefix(im.ID, "sha256:"))
		if len(im.RepoTags) > 0 {
			name = im.RepoTags[0]
		}
		out, labels = append(out, Leftover{"image", name, im.Labels[LabelRun]}), append(labels, im.Labels)
	}
	return out, labels, nil
}

// prune removes one run's objects (or every labelled object, runID "").
func prune(ctx context.Context, cli client.APIClient, runID string, images bool) (Pruned, error) {
	var p Pruned
	f := runFilter(runID)
	var errs []error
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return p, fmt.Errorf("list containers: %w", err)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range cs.Items {
		wg.Go(func() {
			_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			mu.Lock()
			defer mu.Unlock()
			if err != nil && !isNotFound(err) {
				errs = append(errs, fmt.Errorf("remove container %s: %w", c.ID[:12], err))
				return
			}
			p.Containers++
		})
	}
	wg.Wait()
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return p, fmt.Errorf("list volumes: %w", err)
	}
	for _, v := range vs.Items {
		if _, err := cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove volume %s: %w", v.Name, err))
			continue
		}
		p.Volumes++
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return p, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns.Items {
		if _, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove network %s: %w", n.Name, err))
			continue
		}
		p.Networks++
	}
	if images {
		is, err := cli.ImageList(ctx, client.ImageListOptions{Filters: f})
		if err != nil {
			return p, fmt.Errorf("list images: %w", err)
		}
		for _, im := range is.Items {
			if _, err := cli.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil && !isNotFound(err) {
				errs = append(errs, fmt.Errorf("remove image %s: %w", short(im.ID), err))
				continue
			}
			p.Images++
		}
	}
	return p, errors.Join(errs...)
}
