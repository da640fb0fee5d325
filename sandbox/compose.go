package sandbox

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
)

// ComposeOptions say how a compose project is read.
type ComposeOptions struct {
	// File is the compose file (docker-compose.yml, compose.yaml).
	File string
	// Change is the change file: the steps, and rehearse's extras for
	// services (data paths, probes, seed commands, readiness).
	Change string
	// Profiles are enabled, as `docker compose --profile` does, besides
	// those COMPOSE_PROFILES names in .env.
	Profiles []string
	// TrustEnvFile, from the command line only, also lets interpolation
	// read rehearse's own environment: an untrusted compose file could
	// otherwise copy a CI secret into a container, and a probe print it.
	// Without it, variables come from the .env file beside the compose
	// file and the defaults the file gives (${TAG:-latest}).
	TrustEnvFile bool
}

// compose is what an Environment read from a compose project keeps to
// converge on a second compose file later.
type compose struct {
	opts   ComposeOptions
	extras map[string]*Extras // from the change file, by service
}

// Extras are what rehearse adds to a compose service: under x-rehearse on
// the service, or under services.NAME in the change file. Every
// named-volume mount is a data path already.
type Extras struct {
	Data   []string           `yaml:"data,omitempty"`
	Probes map[string]Command `yaml:"probes,omitempty"`
	Counts map[string]Count   `yaml:"counts,omitempty"`
	Seed   []Command          `yaml:"seed,omitempty"`
	Ready  *Ready             `yaml:"ready,omitempty"`
	// BuildFiles adds host files to the service's build context (name in
	// the context → path), under the rules of an environment file's
	// build.files: inside the compose file's directory, or a known
	// prerequisite such as /bin/busybox.
	BuildFiles map[string]string `yaml:"build_files,omitempty"`
}

// ChangeKind identifies a change file for a compose project.
const ChangeKind = "Change"

// ChangeFile is a change to rehearse on a compose project.
type ChangeFile struct {
	APIVersion string             `yaml:"apiVersion"`
	Kind       string             `yaml:"kind"`
	Services   map[string]*Extras `yaml:"services,omitempty"`
	Change     []Step             `yaml:"change"`
	Rollback   []Step             `yaml:"rollback,omitempty"`
}

// LoadCompose reads a compose project, as `docker compose` would
// (interpolation, .env, profiles, defaults), and the change file, into an
// Environment. Every problem of the compose file is reported at once, each
// with the file, the line and the key as the file spells it; then those of
// the change file.
func LoadCompose(ctx context.Context, o ComposeOptions) (*Environment, error) {
	env, err := loadProject(ctx, o.File, o)
	if err != nil {
		return nil, err
	}
	env.compose = &compose{opts: o}
	if o.Change == "" {
		return env, nil
	}
	data, err := os.ReadFile(o.Change)
	if err != nil {
		return nil, err
	}
	doc, err := yamlfile.Parse(o.Change, data)
	if err != nil {
		return nil, err
	}
	var cf ChangeFile
	if err := doc.Decode(&cf); err != nil {
		return nil, err
	}
	var ps []yamlfile.Problem
	if cf.APIVersion != APIVersion {
		ps = append(ps, doc.Problemf([]any{"apiVersion"}, "is %q, want %q", cf.APIVersion, APIVersion))
	}
	if cf.Kind != ChangeKind {
		ps = append(ps, doc.Problemf([]any{"kind"}, "is %q, want %q", cf.Kind, ChangeKind))
	}
	for _, name := range slices.Sorted(maps.Keys(cf.Services)) {
		s := env.Services[name]
		if s == nil {
			ps = append(ps, doc.Problemf([]any{"services", name}, "the compose file has no service %s%s", name, env.profileHint(name)))
			continue
		}
		ps = append(ps, cf.Services[name].problems(func(path ...any) []any { return append([]any{"services", name}, path...) }, doc)...)
		s.addExtras(cf.Services[name])
	}
	env.compose.extras = cf.Services
	env.Change, env.Rollback = cf.Change, cf.Rollback
	ps = append(ps, env.stepProblems(doc)...)
	for i := range cf.Change {
		u := cf.Change[i].Update
		if u == nil || u.Compose == "" {
			continue
		}
		at := []any{"change", i, "update", "compose"}
		next, err := env.loadNext(ctx, u.Compose)
		if err != nil {
			ps = append(ps, doc.Problemf(at, "%s", oneLine(err)))
			continue
		}
		u.next = next
	}
	if err := doc.Err(ps...); err != nil {
		return nil, err
	}
	return env, nil
}

// loadNext reads the changed compose file an update step converges to:
// beside the first (symlinks resolved), with the same .env and options,
// and the change file's extras.
func (e *Environment) loadNext(ctx context.Context, file string) (*Environment, error) {
	o := e.compose.opts
	base, err := resolve(filepath.Dir(o.File))
	if err != nil {
		return nil, err
	}
	p := file
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(o.Change), p)
	}
	r, err := resolve(p)
	if err != nil {
		return nil, fmt.Errorf("%s does not exist", file)
	}
	if rel, err := filepath.Rel(base, filepath.Dir(r)); err != nil || rel != "." {
		return nil, fmt.Errorf("%s must be in the directory of %s, beside it", file, o.File)
	}
	next, err := loadProject(ctx, p, o)
	if err != nil {
		return nil, err
	}
	if next.Name != e.Name {
		return nil, fmt.Errorf("%s is project %s, not %s", file, next.Name, e.Name)
	}
	for name, x := range e.compose.extras {
		if s := next.Services[name]; s != nil {
			s.addExtras(x)
		}
	}
	next.compose = e.compose
	return next, nil
}

// loadProject reads one compose file with compose-go and converts it.
func loadProject(ctx context.Context, file string, o ComposeOptions) (*Environment, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &yamlfile.Error{File: file, Problems: []yamlfile.Problem{yamlProblem(err)}}
	}
	if len(root.Content) == 0 {
		return nil, &yamlfile.Error{File: file, Problems: []yamlfile.Problem{{Line: 1, Msg: "the file is empty"}}}
	}
	raw := &composeDoc{file: file, root: root.Content[0]}
	// Keys rehearse does not run as compose would are refused first, all
	// of them, with their lines: compose-go stops at its first error.
	if ps := raw.unsupported(); len(ps) > 0 {
		return nil, &yamlfile.Error{File: file, Problems: ps}
	}
	dir := filepath.Dir(file)
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(dir),
		cli.WithEnvFiles(),
		cli.WithDotEnv,
	}
	if o.TrustEnvFile {
		opts = append(opts, cli.WithOsEnv)
	}
	opts = append(opts, cli.WithDefaultProfiles(), cli.WithProfiles(o.Profiles), cli.WithInterpolation(true), cli.WithResolvedPaths(true))
	po, err := cli.NewProjectOptions([]string{file}, opts...)
	if err != nil {
		return nil, raw.composeError(err)
	}
	proj, err := po.LoadProject(ctx)
	if err != nil {
		return nil, raw.composeError(err)
	}
	env := &Environment{APIVersion: APIVersion, Kind: Kind, Name: proj.Name, File: file, Services: map[string]*ServiceSpec{}, Networks: map[string]*NetworkSpec{}, root: &root, composeFile: true}
	if !nameRE.MatchString(env.Name) {
		return nil, raw.errorf([]any{"name"}, "project name %q must be lower-case letters, digits, '.', '_' or '-'", env.Name)
	}
	var ps []yamlfile.Problem
	for _, n := range slices.Sorted(maps.Keys(proj.Networks)) {
		nc := proj.Networks[n]
		if bool(nc.External) {
			ps = append(ps, raw.problemf([]any{"networks", n, "external"}, "an external network is not the sandbox's: the sandbox creates its own networks"))
		}
		if nc.Driver != "" && nc.Driver != "bridge" {
			ps = append(ps, raw.problemf([]any{"networks", n, "driver"}, "driver %s: only bridge runs in the sandbox", nc.Driver))
		}
		env.Networks[n] = &NetworkSpec{Internal: nc.Internal, Labels: nc.Labels}
	}
	for _, n := range slices.Sorted(maps.Keys(proj.Volumes)) {
		vc := proj.Volumes[n]
		if bool(vc.External) {
			ps = append(ps, raw.problemf([]any{"volumes", n, "external"}, "an external volume is data outside the sandbox: refused"))
		}
		if vc.Driver != "" && vc.Driver != "local" {
			ps = append(ps, raw.problemf([]any{"volumes", n, "driver"}, "driver %s: only local volumes run in the sandbox", vc.Driver))
		}
		if len(vc.DriverOpts) > 0 {
			ps = append(ps, raw.problemf([]any{"volumes", n, "driver_opts"}, "driver options can mount a host path: refused"))
		}
		if len(vc.Labels) > 0 {
			if env.VolumeLabels == nil {
				env.VolumeLabels = map[string]map[string]string{}
			}
			env.VolumeLabels[n] = vc.Labels
		}
	}
	for _, name := range slices.Sorted(maps.Keys(proj.Services)) {
		spec, sps := raw.service(proj, proj.Services[name])
		ps = append(ps, sps...)
		env.Services[name] = spec
	}
	// Only the networks a running service joins are created (compose
	// lists default for the services of a disabled profile too).
	for n := range env.Networks {
		used := false
		for _, s := range env.Services {
			_, ok := s.Networks[n]
			used = used || ok
		}
		if !used {
			delete(env.Networks, n)
		}
	}
	if cyc := env.cycle(); cyc != "" {
		ps = append(ps, raw.problemf([]any{"services", cyc, "depends_on"}, "depends_on has a cycle through %s", cyc))
	}
	if len(ps) > 0 {
		return nil, &yamlfile.Error{File: file, Problems: ps}
	}
	if err := env.checkComposePaths(raw, proj); err != nil {
		return nil, err
	}
	return env, nil
}

// service converts one compose service.
func (d *composeDoc) service(proj *types.Project, sc types.ServiceConfig) (*ServiceSpec, []yamlfile.Problem) {
	at := func(path ...any) []any { return append([]any{"services", sc.Name}, path...) }
	var ps []yamlfile.Problem
	s := &ServiceSpec{
		Image:       sc.Image,
		Command:     Command(sc.Command),
		Env:         map[string]string{},
		Labels:      map[string]string(sc.Labels),
		Volumes:     map[string]string{},
		Privileged:  sc.Privileged,
		NetworkMode: sc.NetworkMode,
		PID:         sc.Pid,
		CapAdd:      sc.CapAdd,
		Networks:    map[string][]string{},
		Conditions:  map[string]string{},
	}
	s.Opts = ContainerOpts{
		Entrypoint: sc.Entrypoint, WorkingDir: sc.WorkingDir, User: sc.User, Hostname: sc.Hostname,
		Restart: sc.Restart, StopSignal: sc.StopSignal, Tty: sc.Tty, StdinOpen: sc.StdinOpen,
		ReadOnly: sc.ReadOnly, CapDrop: sc.CapDrop, Tmpfs: sc.Tmpfs,
	}
	if sc.StopGracePeriod != nil {
		s.Opts.StopGrace = time.Duration(*sc.StopGracePeriod)
	}
	if len(s.Labels) == 0 {
		s.Labels = nil
	}
	if sc.Build != nil {
		b := sc.Build
		s.Build = &Build{Context: b.Context, Dockerfile: b.Dockerfile, Target: b.Target, Args: map[string]string{}}
		for k, v := range b.Args {
			if v != nil {
				s.Build.Args[k] = *v
			}
		}
		if sc.Image != "" {
			// compose tags the build with image:; the sandbox tags it
			// with the run, and builds it rather than pulling it.
			s.Image = ""
		}
	}
	if s.NetworkMode != "" && s.NetworkMode != "host" {
		ps = append(ps, d.problemf(at("network_mode"), "%q: only host is known (services join the project's networks)", s.NetworkMode))
	}
	if s.PID != "" && s.PID != "host" {
		ps = append(ps, d.problemf(at("pid"), "%q: only host is known", s.PID))
	}
	if s.Image == "" && s.Build == nil {
		ps = append(ps, d.problemf(at(), "service %s needs an image or a build", sc.Name))
	}
	for k, v := range sc.Environment {
		if v != nil {
			s.Env[k] = *v
		}
	}
	if len(s.Env) == 0 {
		s.Env = nil
	}
	for i, v := range sc.Volumes {
		vat := at("volumes", i)
		switch v.Type {
		case types.VolumeTypeVolume:
			src := v.Source
			if src == "" {
				// An anonymous volume is created, and labelled, like a
				// named one: Docker would create it unlabelled.
				src = fmt.Sprintf("%s-anon-%d", sc.Name, i+1)
			}
			if _, dup := s.Volumes[src]; dup {
				ps = append(ps, d.problemf(vat, "volume %s is mounted twice", src))
				continue
			}
			s.Volumes[src] = v.Target
			s.Data = append(s.Data, v.Target)
			if v.ReadOnly {
				s.Opts.ReadOnlyVolumes = append(s.Opts.ReadOnlyVolumes, src)
			}
		case types.VolumeTypeBind:
			b := v.Source + ":" + v.Target
			if v.ReadOnly {
				b += ":ro"
			}
			s.Binds = append(s.Binds, b)
			s.bindAt = append(s.bindAt, i)
		case types.VolumeTypeTmpfs:
			s.Opts.Tmpfs = append(s.Opts.Tmpfs, v.Target)
		default:
			ps = append(ps, d.problemf(vat, "a %s mount does not run in the sandbox", v.Type))
		}
	}
	slices.Sort(s.Data)
	for i, p := range sc.Ports {
		if p.Protocol != "" && p.Protocol != "tcp" {
			ps = append(ps, d.problemf(at("ports", i), "protocol %s: only tcp ports are published", p.Protocol))
			continue
		}
		// Published on 127.0.0.1 on a random host port, whatever the
		// file asks: a sandbox is not a service for the network, and a
		// fixed host port would collide with the real one.
		s.Ports = append(s.Ports, int(p.Target))
	}
	if hc := sc.HealthCheck; hc != nil && !hc.Disable && len(hc.Test) > 0 && hc.Test[0] != "NONE" {
		h := &container.HealthConfig{Test: hc.Test}
		wait := DefaultReadyTimeout
		interval, timeout, retries := 30*time.Second, 30*time.Second, uint64(3)
		if hc.Interval != nil {
			interval = time.Duration(*hc.Interval)
			h.Interval = interval
		}
		if hc.Timeout != nil {
			timeout = time.Duration(*hc.Timeout)
			h.Timeout = timeout
		}
		if hc.Retries != nil {
			retries = *hc.Retries
			h.Retries = int(retries)
		}
		var start time.Duration
		if hc.StartPeriod != nil {
			start = time.Duration(*hc.StartPeriod)
			h.StartPeriod = start
		}
		// Long enough for Docker to call it unhealthy; an unhealthy
		// container fails the wait at once.
		wait = max(wait, start+time.Duration(retries+1)*(interval+timeout))
		s.Opts.Health = h
		s.Ready = &Ready{Healthy: true, Timeout: wait}
	}
	for _, dep := range slices.Sorted(maps.Keys(sc.DependsOn)) {
		c := sc.DependsOn[dep]
		if _, ok := proj.Services[dep]; !ok {
			if !c.Required {
				continue
			}
			ps = append(ps, d.problemf(at("depends_on", dep), "depends on service %s, which is not enabled", dep))
			continue
		}
		switch c.Condition {
		case "", types.ServiceConditionStarted, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully:
		default:
			ps = append(ps, d.problemf(at("depends_on", dep, "condition"), "condition %s is not one of service_started, service_healthy, service_completed_successfully", c.Condition))
		}
		if c.Condition == types.ServiceConditionHealthy {
			if h := proj.Services[dep].HealthCheck; h == nil || h.Disable {
				ps = append(ps, d.problemf(at("depends_on", dep, "condition"), "service %s has no healthcheck to wait for", dep))
			}
		}
		s.DependsOn = append(s.DependsOn, dep)
		s.Conditions[dep] = c.Condition
	}
	for _, n := range slices.Sorted(maps.Keys(sc.Networks)) {
		aliases := []string{sc.Name}
		if nc := sc.Networks[n]; nc != nil {
			aliases = append(aliases, nc.Aliases...)
		}
		s.Networks[n] = aliases
	}
	if x, ok := d.extras(sc.Name); ok {
		xs, xps := x.decode(d, at("x-rehearse"))
		ps = append(ps, xps...)
		if xs != nil && len(xs.BuildFiles) > 0 && s.Build == nil {
			ps = append(ps, d.problemf(at("x-rehearse", "build_files"), "the service has no build"))
		}
		s.addExtras(xs)
	}
	return s, ps
}

// addExtras adds rehearse's extras to a service.
func (s *ServiceSpec) addExtras(x *Extras) {
	if x == nil {
		return
	}
	for _, p := range x.Data {
		if !slices.Contains(s.Data, p) {
			s.Data = append(s.Data, p)
		}
	}
	slices.Sort(s.Data)
	if len(x.Probes) > 0 && s.Probes == nil {
		s.Probes = map[string]Command{}
	}
	maps.Copy(s.Probes, x.Probes)
	if len(x.Counts) > 0 && s.Counts == nil {
		s.Counts = map[string]Count{}
	}
	maps.Copy(s.Counts, x.Counts)
	s.Seed = append(s.Seed, x.Seed...)
	if s.Build != nil && len(x.BuildFiles) > 0 {
		if s.Build.Files == nil {
			s.Build.Files = map[string]string{}
		}
		maps.Copy(s.Build.Files, x.BuildFiles)
	}
	if x.Ready != nil {
		r := *x.Ready
		if s.Ready != nil && s.Ready.Healthy {
			r.Healthy = true
			if r.Timeout == 0 {
				r.Timeout = s.Ready.Timeout
			}
		}
		s.Ready = &r
	}
}

// problems checks extras decoded from a file.
func (x *Extras) problems(at func(...any) []any, doc *yamlfile.Doc) []yamlfile.Problem {
	var ps []yamlfile.Problem
	for i, p := range x.Data {
		if !filepath.IsAbs(p) {
			ps = append(ps, doc.Problemf(at("data", i), "data path %q is not absolute", p))
		}
	}
	if x.Ready != nil && x.Ready.Port != 0 && (x.Ready.Port < 1 || x.Ready.Port > 65535) {
		ps = append(ps, doc.Problemf(at("ready", "port"), "%d is not a port", x.Ready.Port))
	}
	return ps
}

// profileHint says why a service the change names may be missing.
func (e *Environment) profileHint(name string) string {
	return " (is it in a profile that is not enabled? --profile enables one)"
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

// Line numbers of compose-go's errors are not always there; this finds a
// key path it names ("services.web.ports") in the file.
func (d *composeDoc) composeError(err error) error {
	msg := oneLine(err)
	msg = strings.TrimPrefix(msg, "validating "+d.file+": ")
	msg = strings.TrimPrefix(msg, "validating "+absOr(d.file)+": ")
	line := 0
	if m := composePathRE.FindStringSubmatch(msg); m != nil {
		var path []any
		for _, k := range strings.Split(m[1], ".") {
			if n, err := strconv.Atoi(k); err == nil {
				path = append(path, n)
			} else {
				path = append(path, k)
			}
		}
		line = d.line(path...)
	}
	return &yamlfile.Error{File: d.file, Problems: []yamlfile.Problem{{Line: line, Msg: msg}}}
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
