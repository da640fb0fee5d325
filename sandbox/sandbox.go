// Package sandbox runs ephemeral replica environments on Docker: a
// dedicated network, services, snapshots of what they hold, change steps,
// and a teardown that cannot leak. It judges nothing.
//
// An environment comes from rehearse's environment file (Load) or from a
// compose project and a change file (LoadCompose), read with compose-go as
// docker compose would read it; both become one Environment. Every
// problem of a file is reported at once, with its line and key.
//
// It drives the engine through its own client (github.com/moby/moby/client)
// and links no wrapper library: a binary that links testcontainers-go pays
// for its init (it lists every process on the host) at every start, and
// rehearse's agent hook starts before each shell command an agent runs.
// Readiness (a log line, a listening port, a command, a healthcheck) is a
// small poller under a deadline (ready.go).
//
// Every container, network, volume and built image it creates carries the
// labels rehearse.run=<id> and rehearse.scenario=<name>, and its owner
// (rehearse.pid, rehearse.host, rehearse.started), set in the create call
// itself, so Prune can remove what a killed run left behind and tell a
// finished run from a live one. Volumes are created explicitly, before any
// container mounts them, so none is created unlabelled. Volumes and
// containers also carry a random rehearse.nonce: their identity, since
// timestamps are not.
//
// The environment file is untrusted (see trust.go): builds read only
// inside its directory, host access needs Options.TrustEnvFile, ports bind
// to 127.0.0.1, and what commands print is redacted.
package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// Labels every object rehearse creates carries.
const (
	LabelRun      = "rehearse.run"
	LabelScenario = "rehearse.scenario"
	LabelService  = "rehearse.service"
	LabelConfig   = "rehearse.config-hash"
	// LabelNonce is a random value set on each volume and container when
	// rehearse creates it. An object is the same object while its id and
	// nonce are: timestamps are not identity (Docker 20.10 moves a
	// volume's creation time when its contents change), and a volume that
	// Docker recreates implicitly has no labels at all.
	LabelNonce = "rehearse.nonce"
)

// teardownTimeout bounds Down, which runs on a context of its own so that
// cancellation of the run still cleans up.
const teardownTimeout = 60 * time.Second

// NewRunID returns a short random run id.
func NewRunID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Sandbox is one running replica environment.
type Sandbox struct {
	env      *Environment
	run      string
	cli      *client.Client
	networks map[string]netRef // by name in the file; DefaultNetwork for an environment file
	log      io.Writer
	logMu    sync.Mutex // serializes progress lines
	red      *redactor
	trusted  bool // Options.TrustEnvFile
	keepImgs bool // Options.KeepImages
	owner    map[string]string

	mu       sync.Mutex
	services map[string]*service
	volumes  map[string]string // volume name in the file → Docker name
	built    map[string]string // images built in this run, by buildKey
}

type service struct {
	name  string
	spec  *ServiceSpec
	image string // resolved image reference
	id    string // the container's id
}

// netRef is one of the sandbox's networks.
type netRef struct{ ID, Name string }

// Options tune Up.
type Options struct {
	// Progress receives one line per action; nil discards it.
	Progress io.Writer
	// TrustEnvFile allows what gives a container the host (bind mounts,
	// privileged, host network or PID, added capabilities). Only the
	// command line may set it (--trust-env-file): the environment file
	// comes with the change.
	TrustEnvFile bool
	// KeepImages leaves the images the run built when it is torn down.
	KeepImages bool
}

// Up creates the environment's network, volumes and services, starting
// services in parallel where depends_on allows, waits for readiness and
// runs seed commands. On error it removes whatever it created.
func Up(ctx context.Context, env *Environment, runID string, opts ...Options) (_ *Sandbox, err error) {
	if runID == "" {
		runID = NewRunID()
	}
	s := &Sandbox{env: env, run: runID, services: map[string]*service{}, volumes: map[string]string{}, built: map[string]string{}, networks: map[string]netRef{}, log: io.Discard, red: newRedactor(env)}
	for _, o := range opts {
		if o.Progress != nil {
			s.log = o.Progress
		}
		s.trusted = s.trusted || o.TrustEnvFile
		s.keepImgs = s.keepImgs || o.KeepImages
	}
	host, _ := os.Hostname()
	s.owner = map[string]string{LabelPID: strconv.Itoa(os.Getpid()), LabelHost: host, LabelStarted: time.Now().UTC().Format(time.RFC3339Nano)}
	if !s.trusted {
		if err := env.hostAccess(); err != nil {
			return nil, err
		}
		for _, st := range env.Change {
			if st.Update != nil && st.Update.next != nil {
				if err := st.Update.next.hostAccess(); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := env.missingPrerequisite(); err != nil {
		return nil, err
	}
	if s.cli, err = newClient(); err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	if _, err := s.cli.Ping(ctx, client.PingOptions{}); err != nil {
		s.cli.Close()
		return nil, fmt.Errorf("docker unreachable: %w", err)
	}
	if err := missingLocalImage(ctx, s.cli, env); err != nil {
		s.cli.Close()
		return nil, err
	}
	defer func() {
		if err != nil {
			s.Down(ctx)
		}
	}()

	if err := s.createNetworks(ctx, env); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(env.Services)) {
		for v := range env.Services[name].Volumes {
			if err := s.ensureVolume(ctx, v); err != nil {
				return nil, err
			}
		}
	}
	if err := s.startAll(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// RunID is the run's id, the value of its rehearse.run label.
func (s *Sandbox) RunID() string { return s.run }

// Containers maps each current service to its container name.
func (s *Sandbox) Containers() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := map[string]string{}
	for n := range s.services {
		m[n] = s.containerName(n)
	}
	return m
}

// labels are the run's labels, set on every object at its creation: the
// run, the scenario and the owner (process, host, start time).
func (s *Sandbox) labels() map[string]string {
	l := map[string]string{LabelRun: s.run, LabelScenario: s.env.Name}
	maps.Copy(l, s.owner)
	return l
}

// createTimeout bounds one create call.
const createTimeout = 2 * time.Minute

// createContext is the context of a create call: not cancelled with the
// run, so that the call returns what Docker really did and the teardown
// that follows a cancellation sweeps an object that exists, rather than
// racing a create still under way in the daemon. The caller checks the
// run's context when the call returns.
func createContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), createTimeout)
}

// createNetworks creates the environment's networks that do not exist
// yet: for an environment file one, on which services reach one another
// by name; for a compose project each of its networks.
func (s *Sandbox) createNetworks(ctx context.Context, env *Environment) error {
	names := slices.Sorted(maps.Keys(env.Networks))
	if len(names) == 0 {
		names = []string{DefaultNetwork}
	}
	for _, n := range names {
		s.mu.Lock()
		_, ok := s.networks[n]
		s.mu.Unlock()
		if ok {
			continue
		}
		name := "rehearse-" + s.run
		if n != DefaultNetwork {
			name += "-" + n
		}
		opts := client.NetworkCreateOptions{Driver: "bridge", Labels: map[string]string{}}
		if ns := env.Networks[n]; ns != nil {
			opts.Internal = ns.Internal
			maps.Copy(opts.Labels, ns.Labels)
		}
		maps.Copy(opts.Labels, s.labels())
		cctx, cancel := createContext(ctx)
		res, err := s.cli.NetworkCreate(cctx, name, opts)
		cancel()
		if err == nil {
			s.mu.Lock()
			s.networks[n] = netRef{ID: res.ID, Name: name}
			s.mu.Unlock()
			err = ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("create network %s: %w", n, err)
		}
	}
	return nil
}

// serviceNetworks maps the Docker networks a service joins to its
// aliases there.
func (s *Sandbox) serviceNetworks(name string, spec *ServiceSpec) map[string][]string {
	nets := spec.Networks
	if len(nets) == 0 {
		nets = map[string][]string{DefaultNetwork: {name}}
	}
	out := map[string][]string{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for n, aliases := range nets {
		out[s.networks[n].Name] = aliases
	}
	return out
}

func (s *Sandbox) containerName(svc string) string { return "rehearse-" + s.run + "-" + svc }

// redact hides secrets in what the sandbox's commands printed.
func (s *Sandbox) redact(out string) string { return s.red.Redact(out) }

// progress writes one line; services start in parallel, and the writer
// (a caller's buffer) need not be safe for concurrent use.
func (s *Sandbox) progress(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.log, format+"\n", args...)
}

func (s *Sandbox) ensureVolume(ctx context.Context, name string) error {
	s.mu.Lock()
	_, ok := s.volumes[name]
	s.mu.Unlock()
	if ok {
		return nil
	}
	dn := "rehearse-" + s.run + "-" + name
	labels := map[string]string{}
	maps.Copy(labels, s.env.VolumeLabels[name]) // a compose volume's own labels
	maps.Copy(labels, s.labels())
	labels[LabelNonce] = NewRunID()
	cctx, cancel := createContext(ctx)
	_, err := s.cli.VolumeCreate(cctx, client.VolumeCreateOptions{Name: dn, Labels: labels})
	cancel()
	if err != nil {
		return fmt.Errorf("create volume %s: %w", name, err)
	}
	s.mu.Lock()
	s.volumes[name] = dn
	s.mu.Unlock()
	return ctx.Err()
}

// startAll starts services in waves: each wave holds the services whose
// dependencies are all up, started in parallel.
func (s *Sandbox) startAll(ctx context.Context) error {
	done := map[string]bool{}
	for len(done) < len(s.env.Services) {
		var wave []string
		for _, n := range slices.Sorted(maps.Keys(s.env.Services)) {
			if done[n] {
				continue
			}
			ready := true
			for _, d := range s.env.Services[n].DependsOn {
				ready = ready && done[d]
			}
			if ready {
				wave = append(wave, n)
			}
		}
		errs := make([]error, len(wave))
		var wg sync.WaitGroup
		for i, n := range wave {
			wg.Go(func() {
				errs[i] = s.start(ctx, n, s.env.Services[n], true)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, n := range wave {
			done[n] = true
		}
	}
	return nil
}

// start creates and starts one service's container and waits for it; with
// seed it then runs the service's seed commands.
func (s *Sandbox) start(ctx context.Context, name string, spec *ServiceSpec, seed bool) error {
	image, err := s.image(ctx, name, spec)
	if err != nil {
		return err
	}
	for v := range spec.Volumes {
		if err := s.ensureVolume(ctx, v); err != nil {
			return err
		}
	}
	labels := map[string]string{}
	for k, v := range spec.Labels {
		labels[k] = v
	}
	for k, v := range s.labels() {
		labels[k] = v
	}
	labels[LabelService] = name
	labels[LabelConfig] = configHash(image, spec)
	labels[LabelNonce] = NewRunID()

	ports, err := s.ports(ctx, image, spec)
	if err != nil {
		return err
	}
	cs := containerSpec{
		Name:     s.containerName(name),
		Image:    image,
		Cmd:      spec.Command,
		Env:      spec.Env,
		Labels:   labels,
		Networks: s.serviceNetworks(name, spec),
		Ports:    ports,
		Opts:     spec.Opts,
		// Trusted host access only; an init process (set for every
		// container) forwards SIGTERM, so stopping a service whose PID 1
		// ignores it does not wait for the kill timeout.
		Host: func(hc *container.HostConfig) {
			if !s.trusted {
				return
			}
			hc.Privileged, hc.CapAdd, hc.Binds = spec.Privileged, spec.CapAdd, spec.Binds
			if spec.PID == "host" {
				hc.PidMode = "host"
			}
			if spec.NetworkMode == "host" {
				hc.NetworkMode = "host"
			}
		},
	}
	for _, v := range slices.Sorted(maps.Keys(spec.Volumes)) {
		s.mu.Lock()
		dn := s.volumes[v]
		s.mu.Unlock()
		cs.Mounts = append(cs.Mounts, mount.Mount{Type: mount.TypeVolume, Source: dn, Target: spec.Volumes[v], ReadOnly: slices.Contains(spec.Opts.ReadOnlyVolumes, v)})
	}
	s.progress("start %s (%s)", name, image)
	id, err := createContainer(ctx, s.cli, cs)
	if id != "" {
		// Track the container even when start fails, so Down removes it.
		s.mu.Lock()
		s.services[name] = &service{name: name, spec: spec, image: image, id: id}
		s.mu.Unlock()
	}
	if err != nil {
		return fmt.Errorf("create %s: %w", name, err)
	}
	if _, err := s.cli.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	if err := s.waitReady(ctx, id, spec.Ready); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	if s.awaited(name) {
		// A dependent waits for it to complete (compose's
		// service_completed_successfully): a job, such as a migration.
		return s.completed(ctx, name, id)
	}
	if !seed {
		return nil
	}
	for i, cmd := range spec.Seed {
		code, out, err := execOutput(ctx, s.cli, id, cmd)
		if err != nil {
			return fmt.Errorf("seed %s #%d: %w", name, i+1, err)
		}
		if code != 0 {
			return fmt.Errorf("seed %s #%d: exit %d: %s", name, i+1, code, s.redact(clip(out)))
		}
	}
	return nil
}

// ports lists what a service publishes: its ready port, its ports and
// those its image exposes (which Docker would publish on every interface
// if left to itself), pulling a missing image to read them.
func (s *Sandbox) ports(ctx context.Context, image string, spec *ServiceSpec) ([]string, error) {
	set := map[string]bool{}
	if spec.Ready != nil && spec.Ready.Port > 0 {
		set[fmt.Sprintf("%d/tcp", spec.Ready.Port)] = true
	}
	for _, p := range spec.Ports {
		set[fmt.Sprintf("%d/tcp", p)] = true
	}
	if err := ensureImage(ctx, s.cli, image); err != nil {
		return nil, err
	}
	img, err := s.cli.ImageInspect(ctx, image)
	if err != nil {
		return nil, fmt.Errorf("inspect image %s: %w", image, err)
	}
	if img.Config != nil {
		for p := range img.Config.ExposedPorts {
			set[p] = true
		}
	}
	return slices.Sorted(maps.Keys(set)), nil
}

// awaited reports whether a service that depends on name waits for it to
// complete.
func (s *Sandbox) awaited(name string) bool {
	for _, o := range s.env.Services {
		if o.Conditions[name] == "service_completed_successfully" {
			return true
		}
	}
	return false
}

// completed waits for a job's container to exit, and fails unless it
// exited 0.
func (s *Sandbox) completed(ctx context.Context, name, id string) error {
	w := s.cli.ContainerWait(ctx, id, client.ContainerWaitOptions{Condition: container.WaitConditionNotRunning})
	select {
	case res := <-w.Result:
		if res.StatusCode != 0 {
			out, _ := containerLogs(context.WithoutCancel(ctx), s.cli, id, 1<<20)
			return fmt.Errorf("%s did not complete successfully (exit %d): %s", name, res.StatusCode, s.redact(clip(tail(out, 200))))
		}
		return nil
	case err := <-w.Error:
		return fmt.Errorf("wait for %s: %w", name, err)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// configHash identifies what, when changed, makes compose recreate a
// container: image, command, env, labels and volumes, and for a compose
// service its networks, ports and other container settings.
func configHash(image string, spec *ServiceSpec) string {
	b, _ := json.Marshal(struct {
		Image    string
		Command  []string
		Env      map[string]string
		Labels   map[string]string
		Volumes  map[string]string
		Networks map[string][]string `json:",omitempty"`
		Ports    []int               `json:",omitempty"`
		Opts     ContainerOpts       `json:",omitzero"`
	}{image, spec.Command, spec.Env, spec.Labels, spec.Volumes, spec.Networks, spec.Ports, spec.Opts})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Down removes every object of the run. It sweeps by the run's label
// rather than terminating the tracked containers one by one: a forced
// removal is one call per container (no separate stop), and the sweep also
// finds objects whose creation was interrupted before they were tracked.
// It runs on its own context so that a cancelled run is still cleaned up.
//
// After a cancellation it sweeps again until a sweep finds nothing (a few
// times at most): what the daemon was still doing for a call that had
// returned (a stop, a removal) can briefly leave an object behind.
func (s *Sandbox) Down(ctx context.Context) error {
	cancelled := ctx.Err() != nil
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), teardownTimeout)
	defer cancel()
	s.mu.Lock()
	s.services = map[string]*service{}
	s.mu.Unlock()
	defer s.cli.Close()
	p, err := prune(ctx, s.cli, s.run, !s.keepImgs)
	for i := 0; cancelled && err == nil && i < 5 && p.Containers+p.Volumes+p.Networks > 0; i++ {
		time.Sleep(200 * time.Millisecond)
		p, err = prune(ctx, s.cli, s.run, !s.keepImgs)
	}
	return err
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// Ping checks that the Docker engine answers, with an error that says
// where it looked, so a caller can tell "no Docker" from a failing change.
func Ping(ctx context.Context) error {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		host := os.Getenv("DOCKER_HOST")
		if host == "" {
			host = client.DefaultDockerHost
		}
		return fmt.Errorf("Docker is unreachable at %s (is the daemon running? check DOCKER_HOST): %w", host, err)
	}
	return nil
}
