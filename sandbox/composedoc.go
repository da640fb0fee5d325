package sandbox

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/internal/yamlfile"
)

// composeDoc is a compose file as written, before compose-go reads it:
// the lines and keys of problems come from here.
type composeDoc struct {
	file string
	root *yaml.Node // the document's mapping
}

// composeKeys are the keys the sandbox runs as compose would, by where
// they appear. Any other key is refused: a key the sandbox ignored would
// rehearse a different project. "*" is any key (a name), "x-" any
// extension, which compose itself ignores.
var composeKeys = map[string][]string{
	"":                  {"name", "version", "services", "volumes", "networks"},
	"services.*":        {"image", "build", "command", "entrypoint", "environment", "env_file", "labels", "volumes", "ports", "expose", "healthcheck", "depends_on", "networks", "restart", "working_dir", "user", "hostname", "stop_grace_period", "stop_signal", "tty", "stdin_open", "init", "container_name", "profiles", "privileged", "network_mode", "pid", "cap_add", "cap_drop", "read_only", "tmpfs"},
	"services.*.build":  {"context", "dockerfile", "args", "target"},
	"services.*.health": {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"},
	"services.*.volume": {"type", "source", "target", "read_only"},
	"services.*.port":   {"target", "published", "protocol", "host_ip", "mode"},
	"services.*.dep":    {"condition", "required", "restart"},
	"services.*.net":    {"aliases"},
	"volumes.*":         {"name", "driver", "driver_opts", "external", "labels"},
	"networks.*":        {"name", "driver", "internal", "external", "labels"},
}

// why explains the refusals users meet most.
var why = map[string]string{
	"secrets":      "secrets are host files mounted into the container; put the value in .env or environment",
	"configs":      "configs are host files mounted into the container",
	"include":      "give the sandbox one compose file",
	"extends":      "write the service out in one file",
	"devices":      "a device gives the container the host",
	"ipc":          "a shared IPC namespace can give the container the host",
	"userns_mode":  "a user namespace mode can give the container the host",
	"security_opt": "security options can lift the container's confinement",
	"volumes_from": "mount the named volumes instead",
	"deploy":       "deploy is for a swarm",
}

// unsupported lists every key the sandbox does not run, with its line.
func (d *composeDoc) unsupported() []yamlfile.Problem {
	var ps []yamlfile.Problem
	refuse := func(k *yaml.Node, path []any) {
		msg := "not supported by the sandbox"
		if w := why[k.Value]; w != "" {
			msg += ": " + w
		}
		ps = append(ps, yamlfile.Problem{Line: k.Line, Path: keyPath(path), Msg: msg})
	}
	if d.root.Kind != yaml.MappingNode {
		return []yamlfile.Problem{{Line: d.root.Line, Msg: "a compose file is a mapping with services"}}
	}
	checkMap(d.root, nil, composeKeys[""], refuse)
	services := mapping(d.root, "services")
	each(services, func(name string, svc *yaml.Node) {
		at := []any{"services", name}
		checkMap(svc, at, composeKeys["services.*"], refuse)
		if b := mapping(svc, "build"); b != nil && b.Kind == yaml.MappingNode {
			checkMap(b, append(at, "build"), composeKeys["services.*.build"], refuse)
		}
		if h := mapping(svc, "healthcheck"); h != nil {
			checkMap(h, append(at, "healthcheck"), composeKeys["services.*.health"], refuse)
		}
		for key, allowed := range map[string]string{"volumes": "services.*.volume", "ports": "services.*.port"} {
			if l := mapping(svc, key); l != nil && l.Kind == yaml.SequenceNode {
				for i, item := range l.Content {
					if item.Kind == yaml.MappingNode {
						checkMap(item, append(slices.Clip(at), key, i), composeKeys[allowed], refuse)
					}
				}
			}
		}
		for key, allowed := range map[string]string{"depends_on": "services.*.dep", "networks": "services.*.net"} {
			each(mapping(svc, key), func(n string, v *yaml.Node) {
				checkMap(v, append(slices.Clip(at), key, n), composeKeys[allowed], refuse)
			})
		}
	})
	for _, top := range []string{"volumes", "networks"} {
		each(mapping(d.root, top), func(n string, v *yaml.Node) {
			checkMap(v, []any{top, n}, composeKeys[top+".*"], refuse)
		})
	}
	slices.SortStableFunc(ps, func(a, b yamlfile.Problem) int { return a.Line - b.Line })
	return ps
}

// checkMap refuses the keys of m not in allowed; merge keys are followed,
// each merged mapping once (aliases can otherwise make the walk
// exponential).
func checkMap(m *yaml.Node, path []any, allowed []string, refuse func(*yaml.Node, []any)) {
	checkMapSeen(m, path, allowed, refuse, map[*yaml.Node]bool{})
}

func checkMapSeen(m *yaml.Node, path []any, allowed []string, refuse func(*yaml.Node, []any), seen map[*yaml.Node]bool) {
	m = derefNode(m)
	if m == nil || m.Kind != yaml.MappingNode || seen[m] {
		return
	}
	seen[m] = true
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch {
		case k.Tag == "!!merge" || k.Value == "<<":
			for _, src := range mergeSources(v) {
				checkMapSeen(src, path, allowed, refuse, seen)
			}
		case strings.HasPrefix(k.Value, "x-"):
		case !slices.Contains(allowed, k.Value):
			refuse(k, append(slices.Clip(path), k.Value))
		}
	}
}

func mergeSources(v *yaml.Node) []*yaml.Node {
	v = derefNode(v)
	if v.Kind == yaml.SequenceNode {
		return v.Content
	}
	return []*yaml.Node{v}
}

func derefNode(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mapping is the value of key in mapping m (merges followed, a few
// levels deep), or nil.
func mapping(m *yaml.Node, key string) *yaml.Node { return mappingDepth(m, key, 0) }

// maxMergeDepth bounds how deep merges of merges are followed.
const maxMergeDepth = 8

func mappingDepth(m *yaml.Node, key string, depth int) *yaml.Node {
	m = derefNode(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxMergeDepth {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i].Tag != "!!merge" {
			return derefNode(m.Content[i+1])
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag == "!!merge" {
			for _, src := range mergeSources(m.Content[i+1]) {
				if v := mappingDepth(src, key, depth+1); v != nil {
					return v
				}
			}
		}
	}
	return nil
}

// each calls fn for each key of mapping m.
func each(m *yaml.Node, fn func(string, *yaml.Node)) {
	m = derefNode(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			fn(m.Content[i].Value, m.Content[i+1])
		}
	}
}

// problemf is a problem at a key path of the compose file.
func (d *composeDoc) problemf(path []any, format string, args ...any) yamlfile.Problem {
	return yamlfile.Problem{Line: d.line(path...), Path: keyPath(path), Msg: fmt.Sprintf(format, args...)}
}

func (d *composeDoc) errorf(path []any, format string, args ...any) error {
	return &yamlfile.Error{File: d.file, Problems: []yamlfile.Problem{d.problemf(path, format, args...)}}
}

// line finds a key path's line, following merges; the deepest node found
// when the path is not all in the file.
func (d *composeDoc) line(path ...any) int {
	n, line := d.root, d.root.Line
	for _, p := range path {
		n = derefNode(n)
		switch k := p.(type) {
		case string:
			v := mapping(n, k)
			if v == nil {
				return line
			}
			for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					line = n.Content[i].Line
				}
			}
			n = v
		case int:
			if n.Kind != yaml.SequenceNode || k < 0 || k >= len(n.Content) {
				return line
			}
			n = n.Content[k]
			line = n.Line
		}
	}
	return line
}

var plainKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// keyPath spells a key path as yamlfile does: services.db.volumes[0].
func keyPath(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch k := p.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", k)
		case string:
			if !plainKeyRE.MatchString(k) {
				fmt.Fprintf(&b, "[%q]", k)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(k)
		}
	}
	return b.String()
}

// parseKeyPath reads keyPath's spelling back.
func parseKeyPath(s string) []any {
	var out []any
	for s != "" {
		switch {
		case strings.HasPrefix(s, "."):
			s = s[1:]
		case strings.HasPrefix(s, "[\""):
			end := strings.Index(s, "\"]")
			if end < 0 {
				return out
			}
			k, err := strconv.Unquote(s[1 : end+1])
			if err != nil {
				return out
			}
			out, s = append(out, k), s[end+2:]
		case strings.HasPrefix(s, "["):
			end := strings.Index(s, "]")
			n, err := strconv.Atoi(s[1:max(end, 1)])
			if end < 0 || err != nil {
				return out
			}
			out, s = append(out, n), s[end+1:]
		default:
			end := strings.IndexAny(s, ".[")
			if end < 0 {
				end = len(s)
			}
			out, s = append(out, s[:end]), s[end:]
		}
	}
	return out
}

// xNode is a service's x-rehearse block.
type xNode struct{ n *yaml.Node }

func (d *composeDoc) extras(service string) (xNode, bool) {
	n := mapping(mapping(mapping(d.root, "services"), service), "x-rehearse")
	return xNode{n}, n != nil
}

// decode reads the block strictly (yamlfile), pointing each problem at
// its line in the compose file.
func (x xNode) decode(d *composeDoc, at []any) (*Extras, []yamlfile.Problem) {
	b, err := yaml.Marshal(x.n)
	if err != nil {
		return nil, []yamlfile.Problem{d.problemf(at, "%v", err)}
	}
	var ex Extras
	err = yamlfile.Decode(d.file, b, &ex)
	var ye *yamlfile.Error
	if errors.As(err, &ye) {
		var ps []yamlfile.Problem
		for _, p := range ye.Problems {
			path := append(slices.Clip(at), parseKeyPath(p.Path)...)
			ps = append(ps, yamlfile.Problem{Line: d.line(path...), Path: keyPath(path), Msg: p.Msg})
		}
		return nil, ps
	}
	if err != nil {
		return nil, []yamlfile.Problem{d.problemf(at, "%v", err)}
	}
	doc, _ := yamlfile.Parse(d.file, b)
	var ps []yamlfile.Problem
	for _, p := range ex.problems(func(path ...any) []any { return path }, doc) {
		path := append(slices.Clip(at), parseKeyPath(p.Path)...)
		ps = append(ps, yamlfile.Problem{Line: d.line(path...), Path: keyPath(path), Msg: p.Msg})
	}
	return &ex, ps
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlProblem turns a yaml.v3 syntax error into a problem at its line.
func yamlProblem(err error) yamlfile.Problem {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return yamlfile.Problem{Line: line, Msg: m[2]}
	}
	return yamlfile.Problem{Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// composePathRE finds the key path compose-go's messages name.
var composePathRE = regexp.MustCompile(`\b((?:services|volumes|networks)(?:\.[A-Za-z0-9_-]+)+)`)
