package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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

	// File is the path the environment was read from; relative build
	// contexts are resolved against its directory.
	File string `yaml:"-"`

	root *yaml.Node // the document, for the lines of errors after Parse
}

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
	Probes    map[string]Command `yaml:"probes,omitempty"`
	Ready     *Ready             `yaml:"ready,omitempty"`
	DependsOn []string           `yaml:"depends_on,omitempty"`
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
}

// Build builds a service's image from a Dockerfile context with the
// classic builder.
type Build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile,omitempty"`
	// Files adds host files to the context (context name → host path),
	// so a context can use a binary that is not committed next to it.
	Files map[string]string `yaml:"files,omitempty"`
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
type UpdateStep struct {
	Service string            `yaml:"service"`
	Image   string            `yaml:"image,omitempty"`
	Command Command           `yaml:"command,omitempty"`
	Env     map[string]string `yaml:"env,omitempty"`
	Labels  map[string]string `yaml:"labels,omitempty"`
	Volumes map[string]string `yaml:"volumes,omitempty"`
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
// anchors relative build contexts. Unknown fields are errors: a typo in a
// change file must not silently rehearse a different change.
func Parse(file string, data []byte) (*Environment, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", file, trimYAML(err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var env Environment
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("%s: %w", file, trimYAML(err))
	}
	env.File, env.root = file, &root
	if err := env.validate(&root); err != nil {
		return nil, err
	}
	if err := env.checkPaths(&root); err != nil {
		return nil, err
	}
	return &env, nil
}

func trimYAML(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return errors.New(te.Errors[0])
	}
	return err
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

func (e *Environment) validate(root *yaml.Node) error {
	fail := func(format string, path []any, args ...any) error {
		return fmt.Errorf("%s: line %d: %s", e.File, lineOf(root, path...), fmt.Sprintf(format, args...))
	}
	if e.APIVersion != APIVersion {
		return fail("apiVersion is %q, want %q", []any{"apiVersion"}, e.APIVersion, APIVersion)
	}
	if e.Kind != Kind {
		return fail("kind is %q, want %q", []any{"kind"}, e.Kind, Kind)
	}
	if !nameRE.MatchString(e.Name) {
		return fail("name %q must be lower-case letters, digits, '.', '_' or '-'", []any{"name"}, e.Name)
	}
	if len(e.Services) == 0 {
		return fail("no services", []any{"services"})
	}
	for _, name := range slices.Sorted(maps.Keys(e.Services)) {
		s := e.Services[name]
		at := []any{"services", name}
		if s == nil {
			return fail("service %s is empty", at, name)
		}
		if !nameRE.MatchString(name) {
			return fail("service name %q must be lower-case letters, digits, '.', '_' or '-'", at, name)
		}
		if (s.Image == "") == (s.Build == nil) {
			return fail("service %s needs exactly one of image and build", at, name)
		}
		if s.Build != nil && s.Build.Context == "" {
			return fail("service %s: build needs a context", at, name)
		}
		for v, p := range s.Volumes {
			if !nameRE.MatchString(v) || !filepath.IsAbs(p) {
				return fail("service %s: volume %q must be a name mapped to an absolute path", at, name, v)
			}
		}
		for _, p := range s.Data {
			if !filepath.IsAbs(p) {
				return fail("service %s: data path %q is not absolute", at, name, p)
			}
		}
		if s.NetworkMode != "" && s.NetworkMode != "host" {
			return fail("service %s: network_mode %q: only host is known (services share the sandbox's network)", at, name, s.NetworkMode)
		}
		if s.PID != "" && s.PID != "host" {
			return fail("service %s: pid %q: only host is known", at, name, s.PID)
		}
		for _, b := range s.Binds {
			if parts := strings.Split(b, ":"); len(parts) < 2 || !filepath.IsAbs(parts[0]) || !filepath.IsAbs(parts[1]) {
				return fail("service %s: bind %q must be HOST:CONTAINER with absolute paths", at, name, b)
			}
		}
		for _, p := range s.Ports {
			if p < 1 || p > 65535 {
				return fail("service %s: port %d is not a port", at, name, p)
			}
		}
		for _, d := range s.DependsOn {
			if e.Services[d] == nil {
				return fail("service %s depends on unknown service %q", at, name, d)
			}
		}
	}
	if cyc := e.cycle(); cyc != "" {
		return fail("depends_on has a cycle through %s", []any{"services", cyc}, cyc)
	}
	for i := range e.Change {
		st := &e.Change[i]
		at := []any{"change", i}
		n := 0
		for _, set := range []bool{st.Exec != nil, st.Update != nil, st.Remove != nil, st.Script != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return fail("step %d needs exactly one of exec, update, remove and script", at, i+1)
		}
		svc := ""
		switch {
		case st.Exec != nil:
			svc = st.Exec.Service
			if len(st.Exec.Command) == 0 {
				return fail("step %d: exec needs a command", at, i+1)
			}
		case st.Update != nil:
			svc = st.Update.Service
		case st.Remove != nil:
			svc = st.Remove.Service
		case st.Script != nil:
			if st.Script.Image == "" || st.Script.Run == "" {
				return fail("step %d: script needs an image and run", at, i+1)
			}
		}
		if st.Script == nil && e.Services[svc] == nil {
			return fail("step %d names unknown service %q", at, i+1, svc)
		}
	}
	return nil
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

// lineOf finds the line of a mapping key or sequence item in the document,
// falling back to the nearest ancestor found.
func lineOf(root *yaml.Node, path ...any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		}
	}
	return line
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
