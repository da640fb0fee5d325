package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// The sandbox talks to Docker through the engine's own client
// (github.com/moby/moby/client) and nothing else: a library that wraps it
// costs every process that links it (testcontainers-go lists the host's
// processes in an init), and `rehearse hook` must start in milliseconds.
// These are the few calls it needs, each doing what a `docker` command
// would.

// newClient connects to the engine DOCKER_HOST names, or the default
// socket, negotiating the API version (Docker 20.10 speaks 1.41).
func newClient() (*client.Client, error) { return client.New(client.FromEnv) }

// containerSpec is what the sandbox creates a container from.
type containerSpec struct {
	Name   string
	Image  string
	Cmd    []string
	Env    map[string]string
	Labels map[string]string
	// Networks are joined with the aliases given (the first at create,
	// the others right after); none leaves the host config's mode.
	Networks map[string][]string
	// Ports are container ports ("8080/tcp") published on 127.0.0.1, on
	// random host ports: a sandbox is not a service for the network.
	Ports  []string
	Mounts []mount.Mount
	// Opts are a compose service's other settings.
	Opts ContainerOpts
	// Host adjusts the host config last (trusted host access).
	Host func(*container.HostConfig)
}

// createContainer creates a container and returns its id. The call runs
// on a create context (see createContext): when it returns an id, the
// container exists and carries the run's labels, whatever happened to the
// run meanwhile, so the caller must track the id before it looks at the
// error.
func createContainer(ctx context.Context, cli client.APIClient, spec containerSpec) (string, error) {
	on := true
	hc := &container.HostConfig{Init: &on, PortBindings: network.PortMap{}, Mounts: spec.Mounts}
	exposed := network.PortSet{}
	for _, p := range spec.Ports {
		port, err := network.ParsePort(p)
		if err != nil {
			return "", fmt.Errorf("port %s: %w", p, err)
		}
		exposed[port] = struct{}{}
		hc.PortBindings[port] = []network.PortBinding{{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "0"}}
	}
	env := make([]string, 0, len(spec.Env))
	for _, k := range slices.Sorted(maps.Keys(spec.Env)) {
		env = append(env, k+"="+spec.Env[k])
	}
	o := spec.Opts
	cfg := &container.Config{
		Image: spec.Image, Cmd: spec.Cmd, Env: env, Labels: spec.Labels, ExposedPorts: exposed,
		Healthcheck: o.Health, Entrypoint: o.Entrypoint, WorkingDir: o.WorkingDir, User: o.User,
		Hostname: o.Hostname, StopSignal: o.StopSignal, Tty: o.Tty, OpenStdin: o.StdinOpen,
	}
	if o.StopGrace > 0 {
		secs := int(o.StopGrace.Seconds())
		cfg.StopTimeout = &secs
	}
	hc.RestartPolicy = container.RestartPolicy{Name: container.RestartPolicyMode(o.Restart)}
	if o.Restart == "on-failure" {
		hc.RestartPolicy.Name = container.RestartPolicyOnFailure
	}
	hc.ReadonlyRootfs, hc.CapDrop = o.ReadOnly, o.CapDrop
	for _, t := range o.Tmpfs {
		if hc.Tmpfs == nil {
			hc.Tmpfs = map[string]string{}
		}
		path, opts, _ := strings.Cut(t, ":")
		hc.Tmpfs[path] = opts
	}
	nets := slices.Sorted(maps.Keys(spec.Networks))
	var nc *network.NetworkingConfig
	if len(nets) > 0 {
		hc.NetworkMode = container.NetworkMode(nets[0])
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{nets[0]: {Aliases: spec.Networks[nets[0]]}}}
	}
	if spec.Host != nil {
		spec.Host(hc)
	}
	if hc.NetworkMode.IsHost() {
		nc, nets = nil, nil
	}
	cctx, cancel := createContext(ctx)
	defer cancel()
	res, err := cli.ContainerCreate(cctx, client.ContainerCreateOptions{Name: spec.Name, Config: cfg, HostConfig: hc, NetworkingConfig: nc})
	if err != nil {
		return res.ID, err
	}
	for _, n := range nets[min(1, len(nets)):] {
		if _, err := cli.NetworkConnect(cctx, n, client.NetworkConnectOptions{Container: res.ID, EndpointConfig: &network.EndpointSettings{Aliases: spec.Networks[n]}}); err != nil {
			return res.ID, fmt.Errorf("connect to network %s: %w", n, err)
		}
	}
	return res.ID, ctx.Err()
}

// removeContainer stops a container (SIGTERM, then SIGKILL after stop)
// and removes it with its anonymous volumes. A container already gone is
// not an error.
func removeContainer(ctx context.Context, cli client.APIClient, id string, stop time.Duration) error {
	if stop > 0 {
		secs := int(stop.Seconds())
		if _, err := cli.ContainerStop(ctx, id, client.ContainerStopOptions{Timeout: &secs}); err != nil && !isNotFound(err) {
			return err
		}
	}
	_, err := cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if isNotFound(err) {
		return nil
	}
	return err
}

// execOutput runs a command in a running container and returns its exit
// code and its output: what it printed on stdout, then what it printed on
// stderr. The two are kept apart, not interleaved as `docker exec` shows
// them: their order across streams changes from run to run (`ls` of a gone
// directory printed "0" before or after its error), and a probe's output is
// part of the verdict and of the fingerprint an approval names.
func execOutput(ctx context.Context, cli client.APIClient, id string, cmd []string) (int, string, error) {
	ex, err := cli.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return 0, "", err
	}
	att, err := cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		return 0, "", err
	}
	defer att.Close()
	// The connection does not notice the context by itself.
	stop := context.AfterFunc(ctx, func() { att.Conn.Close() })
	defer stop()
	var stdout, stderr bytes.Buffer
	output := func() string { return stdout.String() + stderr.String() }
	if _, err := stdcopy.StdCopy(&stdout, &stderr, att.Reader); err != nil {
		if ctx.Err() != nil {
			return 0, output(), ctx.Err()
		}
		return 0, output(), err
	}
	// The stream ends a moment before the daemon records the exit code.
	for {
		in, err := cli.ExecInspect(ctx, ex.ID, client.ExecInspectOptions{})
		if err != nil {
			return 0, output(), err
		}
		if !in.Running {
			return in.ExitCode, output(), nil
		}
		select {
		case <-ctx.Done():
			return 0, output(), ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// containerLogs returns up to limit bytes of what a container printed on
// stdout and stderr.
func containerLogs(ctx context.Context, cli client.APIClient, id string, limit int64) (string, error) {
	rc, err := cli.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return "", err
	}
	defer rc.Close()
	var out bytes.Buffer
	_, err = stdcopy.StdCopy(&out, &out, io.LimitReader(rc, limit))
	return out.String(), err
}

// ensureImage pulls an image the engine lacks, before a container is
// created from it.
func ensureImage(ctx context.Context, cli client.APIClient, ref string) error {
	_, err := cli.ImageInspect(ctx, ref)
	if !isNotFound(err) {
		return err
	}
	r, err := cli.ImagePull(ctx, ref, client.ImagePullOptions{})
	if err != nil {
		return fmt.Errorf("pull %s: %w", ref, err)
	}
	defer r.Close()
	if err := readStream(r); err != nil {
		return fmt.Errorf("pull %s: %w", ref, err)
	}
	return nil
}

// readStream reads a build or pull progress stream to its end and
// returns the error it reports, if any.
func readStream(r io.Reader) error {
	dec := json.NewDecoder(r)
	for {
		var m struct {
			jsonstream.Message
			Err string `json:"error,omitempty"` // older engines
		}
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if m.Error != nil {
			return errors.New(strings.TrimSpace(m.Error.Message))
		}
		if m.Err != "" {
			return errors.New(strings.TrimSpace(m.Err))
		}
	}
}

func isNotFound(err error) bool { return err != nil && cerrdefs.IsNotFound(err) }
