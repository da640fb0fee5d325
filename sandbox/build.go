package sandbox

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
)

// image resolves a service's image, building it when the spec says so.
// Built images are tagged with the run id and removed with the run.
func (s *Sandbox) image(ctx context.Context, name string, spec *ServiceSpec) (string, error) {
	if spec.Build == nil {
		return spec.Image, nil
	}
	key := buildKey(name, spec.Build)
	s.mu.Lock()
	tag, ok := s.built[key]
	n := 0
	for k := range s.built {
		if strings.HasPrefix(k, name+"\x00") {
			n++
		}
	}
	s.mu.Unlock()
	if ok {
		return tag, nil
	}
	// A service built again from a changed spec (an update to a second
	// compose file) gets a tag of its own: :RUN-2.
	tag = s.run
	if n > 0 {
		tag += "-" + strconv.Itoa(n+1)
	}
	dir := spec.Build.Context
	if !filepath.IsAbs(dir) && s.env.File != "" {
		dir = filepath.Join(filepath.Dir(s.env.File), dir)
	}
	files := map[string]string{}
	for n, f := range spec.Build.Files {
		if p, ok := prerequisite(f); ok {
			if _, err := os.Stat(p.Source()); err != nil {
				return "", &MissingPrerequisiteError{Prerequisite: p, Service: name}
			}
			f = p.Source()
		} else if !filepath.IsAbs(f) && s.env.File != "" {
			f = filepath.Join(filepath.Dir(s.env.File), f)
		}
		files[n] = f
	}
	s.progress("build %s from %s", name, dir)
	// Tagged and labelled by run: Down removes the run's images (unless
	// KeepImages), and a run never removes an image another run uses.
	// The build runs to its end even when the run is cancelled: a build
	// cancelled part way leaves the daemon removing its intermediate
	// containers (which carry the run's labels) after the teardown swept.
	bctx, cancel := createContext(ctx)
	ref, err := buildImage(bctx, s.cli, buildSpec{dir: dir, dockerfile: spec.Build.Dockerfile, files: files, args: spec.Build.Args, target: spec.Build.Target, labels: s.labels()}, "rehearse-build/"+s.env.Name+"-"+name, tag)
	cancel()
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	s.mu.Lock()
	s.built[key] = ref
	s.mu.Unlock()
	return ref, nil
}

// buildKey identifies a service's build by what it builds.
func buildKey(name string, b *Build) string {
	j, _ := json.Marshal(struct {
		*Build
		Args   map[string]string
		Target string
	}{b, b.Args, b.Target})
	return name + "\x00" + string(j)
}

// buildSpec is what one build reads.
type buildSpec struct {
	dir, dockerfile string
	files           map[string]string // name in the context → host path
	args            map[string]string
	target          string
	labels          map[string]string
}

// BuildImage builds repo:tag from a context directory plus extra host files
// (name in the context → host path) with the classic builder, which needs
// nothing from a registry for a FROM scratch image. The image is kept.
func BuildImage(ctx context.Context, cli client.APIClient, dir, dockerfile string, files map[string]string, repo, tag string) (string, error) {
	return buildImage(ctx, cli, buildSpec{dir: dir, dockerfile: dockerfile, files: files}, repo, tag)
}

// buildImage builds as `docker build` would with DOCKER_BUILDKIT=0,
// removing intermediate containers even when a step fails, and reads the
// build's stream to its end: a failing step is reported there, not by the
// call.
func buildImage(ctx context.Context, cli client.APIClient, b buildSpec, repo, tag string) (string, error) {
	archive, err := contextArchive(b.dir, b.files)
	if err != nil {
		return "", err
	}
	ref := repo + ":" + tag
	args := map[string]*string{}
	for k, v := range b.args {
		args[k] = &v
	}
	opts := client.ImageBuildOptions{
		Tags:        []string{ref},
		Dockerfile:  b.dockerfile,
		Version:     build.BuilderV1,
		Labels:      b.labels,
		BuildArgs:   args,
		Target:      b.target,
		Remove:      true,
		ForceRemove: true,
	}
	for attempt := 1; ; attempt++ {
		err = buildOnce(ctx, cli, archive, opts)
		// Builds share the classic builder's cached layers: another run
		// removing its image can delete a cached parent while this build
		// uses it. Building again recreates the layer.
		if err == nil || attempt == 3 || !cacheRace(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return "", err
	}
	return ref, nil
}

func buildOnce(ctx context.Context, cli client.APIClient, archive []byte, opts client.ImageBuildOptions) error {
	res, err := cli.ImageBuild(ctx, bytes.NewReader(archive), opts)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return readStream(res.Body)
}

// cacheRace reports whether a build failed because a cached layer it used
// was removed meanwhile.
func cacheRace(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to get digest") || strings.Contains(msg, "No such image") || strings.Contains(msg, "no such image")
}

func contextArchive(dir string, files map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name, path string, info fs.FileInfo) error {
		hdr, err := tar.FileInfoHeader(info, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(name)
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	}
	err := filepath.Walk(dir, func(path string, info fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if rel == "." {
			return nil
		}
		return add(rel, path, info)
	})
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		info, err := os.Stat(files[name])
		if err != nil {
			return nil, fmt.Errorf("build context file %s: %w", name, err)
		}
		if err := add(name, files[name], info); err != nil {
			return nil, fmt.Errorf("build context file %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
