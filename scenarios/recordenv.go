package scenarios

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/change"
	"github.com/rehearse-dev/rehearse/sandbox"
)

// Placeholder stands for a secret `record --containers` did not copy. A
// scenario needs the variable to exist, not its value: the replica's
// before and after see the same placeholder.
const Placeholder = "REDACTED-by-rehearse-record"

// secretValue says whether an env variable's value must not be recorded:
// its name says secret, or the value looks like a credential.
func secretValue(name, value string) bool {
	return change.SecretName(name) || sandbox.RedactOutput(nil, name+"="+value) != name+"="+value
}

// redactEnvYAML replaces, in an environment file, the values of env
// variables that are secret (services, update steps, script steps) with
// Placeholder. The file is re-encoded only when something was replaced.
func redactEnvYAML(data []byte) ([]byte, int, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, 0, err
	}
	n := 0
	redactMap := func(m *yaml.Node) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, v := m.Content[i], m.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Value != "" && secretValue(k.Value, v.Value) {
				v.Value, v.Tag, v.Style = Placeholder, "!!str", 0
				n++
			}
		}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	for _, svc := range mapValues(get(root, "services")) {
		redactMap(get(svc, "env"))
	}
	if steps := get(root, "change"); steps != nil && steps.Kind == yaml.SequenceNode {
		for _, st := range steps.Content {
			redactMap(get(get(st, "update"), "env"))
			redactMap(get(get(st, "script"), "env"))
		}
	}
	if n == 0 {
		return data, 0, nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, enc.Close()
}

func get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func mapValues(m *yaml.Node) []*yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 1; i < len(m.Content); i += 2 {
		out = append(out, m.Content[i])
	}
	return out
}

// isDotEnv names the dotenv files a build context may hold.
func isDotEnv(name string) bool {
	return name == ".env" || strings.HasPrefix(name, ".env.") || strings.HasSuffix(name, ".env")
}

// writeDotEnv copies a dotenv file without its secrets: every secret
// value becomes Placeholder and comments are dropped (they may quote one).
func writeDotEnv(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	out.WriteString("# Recorded by `rehearse record`: secret values are placeholders.\n")
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(strings.TrimPrefix(k, "export "))
		if secretValue(k, strings.Trim(strings.TrimSpace(v), `"'`)) {
			v = Placeholder
		}
		out.WriteString(k + "=" + v + "\n")
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, out.Bytes(), 0o600)
}
