package sandbox

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/moby/moby/client"
)

// Snapshot is the state of a sandbox at one moment.
type Snapshot struct {
	Services map[string]ServiceState `json:"services"`
	Volumes  map[string]VolumeState  `json:"volumes"`
}

// ServiceState is what one service's container looked like.
type ServiceState struct {
	Name       string                 `json:"name"`
	Container  string                 `json:"container"` // container name
	ID         string                 `json:"id"`
	Created    string                 `json:"created"`
	Image      string                 `json:"image"`
	ImageID    string                 `json:"image_id"`
	ConfigHash string                 `json:"config_hash"`
	Nonce      string                 `json:"nonce,omitempty"` // LabelNonce`
	Running    bool                   `json:"running"`
	Command    []string               `json:"command,omitempty"`
	Env        map[string]string      `json:"env,omitempty"`
	Labels     map[string]string      `json:"labels,omitempty"` // the spec's labels only
	Volumes    map[string]string      `json:"volumes,omitempty"`
	Data       map[string]Fingerprint `json:"data,omitempty"`
	Probes     map[string]ProbeResult `json:"probes,omitempty"`
	Counts     map[string]CountResult `json:"counts,omitempty"`
}

// Fingerprint summarizes a data path's contents.
type Fingerprint struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Files  int64  `json:"files"`
	Bytes  int64  `json:"bytes"`
	// Hash is a tree hash over names, types, sizes and contents.
	Hash string `json:"hash,omitempty"`
}

// ProbeResult is a probe's output; Err says why it could not run.
type ProbeResult struct {
	Output   string `json:"output"`
	ExitCode int    `json:"exit_code"`
	Err      string `json:"error,omitempty"`
}

// String is how a probe's result is reported and compared.
func (p ProbeResult) String() string {
	switch {
	case p.Err != "":
		return "error: " + p.Err
	case p.ExitCode != 0:
		return fmt.Sprintf("%s (exit %d)", p.Output, p.ExitCode)
	}
	return p.Output
}

// VolumeState is one named volume.
type VolumeState struct {
	Name       string `json:"name"`
	DockerName string `json:"docker_name"`
	// Created is evidence only: Docker 20.10 changes it when the
	// volume's contents change. Nonce (LabelNonce) is the identity.
	Created string `json:"created"`
	Nonce   string `json:"nonce,omitempty"`
}

// Snapshot records every service and volume of the sandbox. A service
// whose container no longer exists is left out.
func (s *Sandbox) Snapshot(ctx context.Context) (Snapshot, error) {
	snap := Snapshot{Services: map[string]ServiceState{}, Volumes: map[string]VolumeState{}}
	s.mu.Lock()
	svcs := make([]*service, 0, len(s.services))
	for _, sv := range s.services {
		svcs = append(svcs, sv)
	}
	vols := make(map[string]string, len(s.volumes))
	for k, v := range s.volumes {
		vols[k] = v
	}
	s.mu.Unlock()

	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, sv := range svcs {
		wg.Go(func() {
			st, ok, err := s.serviceState(ctx, sv)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("snapshot %s: %w", sv.name, err))
			} else if ok {
				snap.Services[sv.name] = st
			}
		})
	}
	for name, dn := range vols {
		wg.Go(func() {
			v, err := s.cli.VolumeInspect(ctx, dn, client.VolumeInspectOptions{})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case isNotFound(err):
			case err != nil:
				errs = append(errs, fmt.Errorf("snapshot volume %s: %w", name, err))
			default:
				snap.Volumes[name] = VolumeState{Name: name, DockerName: dn, Created: v.Volume.CreatedAt, Nonce: v.Volume.Labels[LabelNonce]}
			}
		})
	}
	wg.Wait()
	return snap, errors.Join(errs...)
}

func (s *Sandbox) serviceState(ctx context.Context, sv *service) (ServiceState, bool, error) {
	r, err := s.cli.ContainerInspect(ctx, sv.id, client.ContainerInspectOptions{})
	if isNotFound(err) {
		return ServiceState{}, false, nil
	}
	if err != nil {
		return ServiceState{}, false, err
	}
	c := r.Container
	st := ServiceState{
		Name:      sv.name,
		Container: strings.TrimPrefix(c.Name, "/"),
		ID:        c.ID,
		Created:   c.Created,
		Image:     sv.image,
		ImageID:   c.Image,
		Running:   c.State != nil && c.State.Running,
		Command:   sv.spec.Command,
		Env:       sv.spec.Env,
		Labels:    sv.spec.Labels,
		Volumes:   sv.spec.Volumes,
		Data:      map[string]Fingerprint{},
		Probes:    map[string]ProbeResult{},
	}
	if c.Config != nil {
		st.ConfigHash = c.Config.Labels[LabelConfig]
		st.Nonce = c.Config.Labels[LabelNonce]
	}
	for _, p := range sv.spec.Data {
		fp, err := fingerprint(ctx, s.cli, c.ID, p)
		if err != nil {
			return st, false, fmt.Errorf("data %s: %w", p, err)
		}
		st.Data[p] = fp
	}
	for _, name := range slices.Sorted(maps.Keys(sv.spec.Probes)) {
		if !st.Running {
			st.Probes[name] = ProbeResult{Err: "not running"}
			continue
		}
		code, out, err := execOutput(ctx, s.cli, sv.id, sv.spec.Probes[name])
		pr := ProbeResult{Output: s.redact(strings.TrimSpace(out)), ExitCode: code}
		if err != nil {
			if ctx.Err() != nil {
				return st, false, ctx.Err()
			}
			pr.Err = s.redact(err.Error())
		}
		st.Probes[name] = pr
	}
	if st.Counts, err = s.counts(ctx, sv, st.Running); err != nil {
		return st, false, fmt.Errorf("counts: %w", err)
	}
	return st, true, nil
}

// fingerprint reads a path through the archive API, so the image needs no
// tools of its own, and counts regular files and bytes.
func fingerprint(ctx context.Context, cli client.APIClient, id, p string) (Fingerprint, error) {
	fp := Fingerprint{Path: p}
	r, err := cli.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: p})
	if isNotFound(err) {
		return fp, nil
	}
	if err != nil {
		return fp, err
	}
	defer r.Content.Close()
	fp.Exists = true
	type entry struct{ name, sum string }
	var entries []entry
	tr := tar.NewReader(r.Content)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fp, err
		}
		// The archive is rooted at the path's base name; strip it so the
		// hash does not depend on where the path is.
		name := strings.TrimPrefix(path.Clean(hdr.Name), path.Base(p))
		sum := fmt.Sprintf("%c %o %d %s", hdr.Typeflag, hdr.Mode&0o7777, hdr.Size, hdr.Linkname)
		if hdr.Typeflag == tar.TypeReg {
			h := sha256.New()
			n, err := io.Copy(h, tr)
			if err != nil {
				return fp, err
			}
			fp.Files++
			fp.Bytes += n
			sum += " " + hex.EncodeToString(h.Sum(nil))
		}
		entries = append(entries, entry{name, sum})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	h := sha256.New()
	for _, e := range entries {
		fmt.Fprintf(h, "%s\x00%s\n", e.name, e.sum)
	}
	fp.Hash = hex.EncodeToString(h.Sum(nil))[:16]
	return fp, nil
}
