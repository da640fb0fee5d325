package sandbox

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
)

// APIVersion and Kind identify an environment file. A file with another
// version is refused rather than half understood.
const (
	APIVersion = "rehearse/v1"
	Kind       = "Environment"
)

// DefaultStepTimeout bounds a change step that names no timeout.
const DefaultStepTimeout = 60 * time.Second

// DefaultReadyTimeout bounds a service's readiness wait when it names none.
const DefaultReadyTimeout = 30 * time.Second

// Environment is a replica environment and the change to rehearse in it.
type Environment struct {
	APIVersion string                  `yaml:"apiVersion"`
	Kind       string                  `yaml:"kind"`
	Name       string                  `yaml:"name"`
	Services   map[string]*ServiceSpec `yaml:"services"`
	Change     []Step                  `yaml:"change"`
	// Rollback are steps that undo the change: rehearsed after it, they
	// are judged by whether everything is back as it was before.
	Rollback []Step `yaml:"rollback,omitempty"`

	// File is the path the environment was read from; relative build
	// contexts are resolved against its directory.
	File string `yaml:"-"`
	// Networks are a compose project's networks; an environment file has
	// none, and its services share one network.
	Networks map[string]*NetworkSpec `yaml:"-"`
	// VolumeLabels are a compose project's labels of each named volume.
	VolumeLabels map[string]map[string]string `yaml:"-"`

	doc         *yamlfile.Doc // an environment file, for the lines of later errors
	root        *yaml.Node    // a compose file, for the same
	composeFile bool
	compose     *compose // how a compose project was read, to converge
}

// NetworkSpec is one network of a compose project.
type NetworkSpec struct {
	Internal bool
	Labels   map[string]string
}

// DefaultNetwork names the network services join when their spec names
// none, as compose calls it.
const DefaultNetwork = "default"

// ServiceSpec is one service of the environment.
type ServiceSpec struct {
	Image   string            `yaml:"image,omitempty"`
	Build   *Build            `yaml:"build,omitempty"`
	Command Command           `yaml:"command,omitempty"`
	Env     map[string]string `yaml:"env,omitempty"`
	Labels  map[string]string `yaml:"labels,omitempty"`
	// Volumes maps a named volume to its mount path in the container.
	Volumes map[string]string `yaml:"volumes,omitempty"`
	// Data are paths whose contents are fingerprinted before and after.
	Data []string `yaml:"data,omitempty"`
	// Seed commands run once after the service is first ready: they load
	// the replica's data. They do not run again when the service is
	// recreated, which is how a recreate that loses data shows.
	Seed []Command `yaml:"seed,omitempty"`
	// Probes are named commands whose output is recorded before and after.
	Probes map[string]Command `yaml:"probes,omitempty"`
	// Counts are named commands that print how many rows (keys,
	// objects) a store holds: a drop is data lost (see Count).
	Counts    map[string]Count `yaml:"counts,omitempty"`
	Ready     *Ready           `yaml:"ready,omitempty"`
	DependsOn []string         `yaml:"depends_on,omitempty"`
	// Ports are container ports published on 127.0.0.1 (on random host
	// ports), so a person can reach a service kept with --keep.
	Ports []int `yaml:"ports,omitempty"`

	// These give the container the host. Up refuses them unless the
	// command line trusts the environment file (Options.TrustEnvFile).
	Binds       []string `yaml:"binds,omitempty"` // HOST:CONTAINER[:ro]
	Privileged  bool     `yaml:"privileged,omitempty"`
	NetworkMode string   `yaml:"network_mode,omitempty"` // "" or host
	PID         string   `yaml:"pid,omitempty"`          // "" or host
	CapAdd      []string `yaml:"cap_add,omitempty"`

	// What a compose service sets beyond the environment file's format.
	// Networks maps each network joined to the service's aliases on it
	// (none: the default network, by the service's name); Conditions the
	// depends_on condition of each dependency.
	Networks   map[string][]string `yaml:"-"`
	Conditions map[string]string   `yaml:"-"`
	Opts       ContainerOpts       `yaml:"-"`
	bindAt     []int               // the compose volumes index of each bind
}

// ContainerOpts are the container settings of a compose service that an
// environment file does not have. A change of any recreates the service.
type ContainerOpts struct {
	Entrypoint      []string                `json:",omitempty"`
	WorkingDir      string                  `json:",omitempty"`
	User            string                  `json:",omitempty"`
	Hostname        string                  `json:",omitempty"`
	Restart         string                  `json:",omitempty"`
	StopSignal      string                  `json:",omitempty"`
	StopGrace       time.Duration           `json:",omitempty"`
	Tty             bool                    `json:",omitempty"`
	StdinOpen       bool                    `json:",omitempty"`
	ReadOnly        bool                    `json:",omitempty"`
	CapDrop         []string                `json:",omitempty"`
	Tmpfs           []string                `json:",omitempty"`
	ReadOnlyVolumes []string                `json:",omitempty"`
	Health          *container.HealthConfig `json:",omitempty"`
}

// Build builds a service's image from a Dockerfile context with the
// classic builder.
type Build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile,omitempty"`
	// Files adds host files to the context (context name → host path),
	// so a context can use a binary that is not committed next to it.
	Files map[string]string `yaml:"files,omitempty"`
	// Args and Target are compose's build.args and build.target.
	Args   map[string]string `yaml:"-"`
	Target string            `yaml:"-"`
}

// Ready says when a service is ready. All conditions given must hold.
type Ready struct {
	Log     string        `yaml:"log,omitempty"`
	Port    int           `yaml:"port,omitempty"`
	Command Command       `yaml:"command,omitempty"`
	Timeout time.Duration `yaml:"timeout,omitempty"`
	// Healthy waits for the container's healthcheck to report healthy
	// (compose's healthcheck; an environment file has none).
	Healthy bool `yaml:"-"`
}

// Command is a command line. In YAML it is either a list (run as is) or a
// string (run by /bin/sh -c).
type Command []string

// UnmarshalYAML accepts the string and list forms.
func (c *Command) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = Command{"/bin/sh", "-c", n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*c = s
		return nil
	}
	return fmt.Errorf("line %d: a command is a string or a list of strings", n.Line)
}

// Step is one change step. Exactly one of Exec, Update, Remove and Script
// is set.
type Step struct {
	Name    string        `yaml:"name,omitempty"`
	Timeout time.Duration `yaml:"timeout,omitempty"`
	Exec    *ExecStep     `yaml:"exec,omitempty"`
	Update  *UpdateStep   `yaml:"update,omitempty"`
	Remove  *RemoveStep   `yaml:"remove,omitempty"`
	Script  *ScriptStep   `yaml:"script,omitempty"`
}

// ExecStep runs a command in a running service.
type ExecStep struct {
	Service string  `yaml:"service"`
	Command Command `yaml:"command"`
}

// UpdateStep gives a service a new spec: each field given replaces the
// service's field, fields left out keep their value. The service is
// recreated only if its configuration changes, as compose converges.
//
// For a compose project, Compose instead names the changed compose file
// (beside the first) that every service converges to, as `docker compose
// up` does: services whose configuration changed are recreated, new ones
// started, the others left alone.
type UpdateStep struct {
	Service string            `yaml:"service,omitempty"`
	Compose string            `yaml:"compose,omitempty"`
	Image   string            `yaml:"image,omitempty"`
	Command Command           `yaml:"command,omitempty"`
	Env     map[string]string `yaml:"env,omitempty"`
	Labels  map[string]string `yaml:"labels,omitempty"`
	Volumes map[string]string `yaml:"volumes,omitempty"`

	next *Environment // the project read from Compose
}

// RemoveStep removes a service and, with Volumes, the volumes it mounts.
type RemoveStep struct {
	Service string `yaml:"service"`
	Volumes bool   `yaml:"volumes,omitempty"`
}

// ScriptStep runs a shell script in a throwaway runner container on the
// sandbox network, where services are reachable by name.
type ScriptStep struct {
	Image string            `yaml:"image"`
	Run   string            `yaml:"run"`
	Env   map[string]string `yaml:"env,omitempty"`
}

// Kind names the step's kind.
func (s *Step) Kind() string {
	switch {
	case s.Exec != nil:
		return "exec"
	case s.Update != nil:
		return "update"
	case s.Remove != nil:
		return "remove"
	case s.Script != nil:
		return "script"
	}
	return ""
}

// Label is how progress and errors name a step.
func (s *Step) Label(i int) string {
	l := fmt.Sprintf("step %d (%s", i+1, s.Kind())
	if s.Name != "" {
		l += " " + strconv.Quote(s.Name)
	}
	return l + ")"
}

func (s *Step) timeout() time.Duration {
	if s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultStepTimeout
}

// Load reads and validates an environment file.
func Load(path string) (*Environment, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse decodes and validates an environment; file names it in errors and
// anchors relative build contexts. Unknown keys are errors: a typo in a
// change file must not silently rehearse a different change. Every
// problem is reported at once, each with its line and key
// (*yamlfile.Error).
func Parse(file string, data []byte) (*Environment, error) {
	doc, err := yamlfile.Parse(file, data)
	if err != nil {
		return nil, err
	}
	var env Environment
	if err := doc.Decode(&env); err != nil {
		return nil, err
	}
	env.File, env.doc = file, doc
	if err := doc.Err(env.validate(doc)...); err != nil {
		return nil, err
	}
	if err := env.checkPaths(); err != nil {
		return nil, err
	}
	return &env, nil
}

// line is the line of a key path in the file the environment came from.
func (e *Environment) line(path ...any) int {
	switch {
	case e.doc != nil:
		return e.doc.Line(path...)
	case e.root != nil && len(e.root.Content) > 0:
		return (&composeDoc{root: e.root.Content[0]}).line(path...)
	}
	return 0
}

// problemf is a problem at a key path of the environment's file.
func (e *Environment) problemf(path []any, format string, args ...any) yamlfile.Problem {
	return yamlfile.Problem{Line: e.line(path...), Path: keyPath(path), Msg: fmt.Sprintf(format, args...)}
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

func (e *Environment) validate(doc *yamlfile.Doc) []yamlfile.Problem {
	var ps []yamlfile.Problem
	fail := func(path []any, format string, args ...any) {
		ps = append(ps, doc.Problemf(path, format, args...))
	}
	if e.APIVersion != APIVersion {
		fail([]any{"apiVersion"}, "is %q, want %q", e.APIVersion, APIVersion)
	}
	if e.Kind != Kind {
		fail([]any{"kind"}, "is %q, want %q", e.Kind, Kind)
	}
	if !nameRE.MatchString(e.Name) {
		fail([]any{"name"}, "%q must be lower-case letters, digits, '.', '_' or '-'", e.Name)
	}
	if len(e.Services) == 0 {
		fail([]any{"services"}, "is empty: an environment needs at least one service")
	}
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		s := e.Services[name]
		at := func(p ...any) []any { return append([]any{"services", name}, p...) }
		if s == nil {
			fail(at(), "the service is empty")
			continue
		}
		if !nameRE.MatchString(name) {
			fail(at(), "service name %q must be lower-case letters, digits, '.', '_' or '-'", name)
		}
		if (s.Image == "") == (s.Build == nil) {
			fail(at(), "needs exactly one of image and build")
		}
		if s.Build != nil && s.Build.Context == "" {
			fail(at("build"), "needs a context")
		}
		for _, v := range slices.Sorted(maps.Keys(s.Volumes)) {
			if !nameRE.MatchString(v) || !filepath.IsAbs(s.Volumes[v]) {
				fail(at("volumes", v), "must be a volume name mapped to an absolute path")
			}
		}
		for i, p := range s.Data {
			if !filepath.IsAbs(p) {
				fail(at("data", i), "data path %q is not absolute", p)
			}
		}
		if s.NetworkMode != "" && s.NetworkMode != "host" {
			fail(at("network_mode"), "%q: only host is known (services share the sandbox's network)", s.NetworkMode)
		}
		if s.PID != "" && s.PID != "host" {
			fail(at("pid"), "%q: only host is known", s.PID)
		}
		for i, b := range s.Binds {
			if parts := strings.Split(b, ":"); len(parts) < 2 || !filepath.IsAbs(parts[0]) || !filepath.IsAbs(parts[1]) {
				fail(at("binds", i), "%q must be HOST:CONTAINER with absolute paths", b)
			}
		}
		for i, p := range s.Ports {
			if p < 1 || p > 65535 {
				fail(at("ports", i), "%d is not a port", p)
			}
		}
		for i, d := range s.DependsOn {
			if _, ok := e.Services[d]; !ok {
				fail(at("depends_on", i), "depends on unknown service %q", d)
			}
		}
	}
	if len(ps) == 0 {
		if cyc := e.cycle(); cyc != "" {
			fail([]any{"services", cyc, "depends_on"}, "depends_on has a cycle through %s", cyc)
		}
	}
	return append(ps, e.stepProblems(doc)...)
}

// stepProblems checks the change steps, of an environment file or a
// change file (doc).
func (e *Environment) stepProblems(doc *yamlfile.Doc) []yamlfile.Problem {
	return append(e.stepListProblems(doc, "change", e.Change), e.stepListProblems(doc, "rollback", e.Rollback)...)
}

// stepListProblems checks the steps under list: the change, or its rollback.
func (e *Environment) stepListProblems(doc *yamlfile.Doc, list string, steps []Step) []yamlfile.Problem {
	var ps []yamlfile.Problem
	for i := range steps {
		st := &steps[i]
		at := func(p ...any) []any { return append([]any{list, i}, p...) }
		fail := func(path []any, format string, args ...any) {
			ps = append(ps, doc.Problemf(path, format, args...))
		}
		n := 0
		for _, set := range []bool{st.Exec != nil, st.Update != nil, st.Remove != nil, st.Script != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			fail(at(), "step %d needs exactly one of exec, update, remove and script", i+1)
			continue
		}
		svc, key := "", ""
		switch {
		case st.Exec != nil:
			svc, key = st.Exec.Service, "exec"
			if len(st.Exec.Command) == 0 {
				fail(at("exec"), "step %d: exec needs a command", i+1)
			}
		case st.Update != nil:
			svc, key = st.Update.Service, "update"
			u := st.Update
			if u.Compose != "" {
				if list == "rollback" {
					// The second compose file is read for the change's
					// steps only: refused rather than run half set up.
					fail(at("update", "compose"), "rollback step %d: an update to a compose file is not rehearsed in a rollback; use exec, script or an update of one service", i+1)
					continue
				}
				if e.compose == nil {
					fail(at("update", "compose"), "step %d: update to a compose file needs a compose project (--compose)", i+1)
				} else if u.Service != "" || u.Image != "" || u.Command != nil || u.Env != nil || u.Labels != nil || u.Volumes != nil {
					fail(at("update"), "step %d: an update to a compose file takes nothing else", i+1)
				}
				continue
			}
		case st.Remove != nil:
			svc, key = st.Remove.Service, "remove"
		case st.Script != nil:
			if st.Script.Image == "" || st.Script.Run == "" {
				fail(at("script"), "step %d: script needs an image and run", i+1)
			}
			continue
		}
		if _, ok := e.Services[svc]; !ok {
			what := fmt.Sprintf("unknown service %q", svc)
			if svc == "" {
				what = "no service"
			}
			fail(at(key, "service"), "step %d names %s", i+1, what)
		}
	}
	return ps
}

// cycle returns a service on a depends_on cycle, or "".
func (e *Environment) cycle() string {
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) bool
	visit = func(n string) bool {
		switch state[n] {
		case 1:
			return true
		case 2:
			return false
		}
		state[n] = 1
		for _, d := range e.Services[n].DependsOn {
			if visit(d) {
				return true
			}
		}
		state[n] = 2
		return false
	}
	for _, n := range slices.Sorted(maps.Keys(e.Services)) {
		if visit(n) {
			return n
		}
	}
	return ""
}

// merged returns the spec after an update step.
func (s *ServiceSpec) merged(u *UpdateStep) *ServiceSpec {
	n := *s
	if u.Image != "" {
		n.Image, n.Build = u.Image, nil
	}
	if u.Command != nil {
		n.Command = slices.Clone(u.Command)
	}
	if u.Env != nil {
		n.Env = u.Env
	}
	if u.Labels != nil {
		n.Labels = u.Labels
	}
	if u.Volumes != nil {
		n.Volumes = u.Volumes
	}
	return &n
}
