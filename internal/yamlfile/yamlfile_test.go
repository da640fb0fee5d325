package yamlfile

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/internal/golden"
)

type inner struct {
	Keys  []string `yaml:"keys"`
	Match string   `yaml:"match"`
}

type common struct {
	Labels map[string]string `yaml:"labels"`
}

type target struct {
	APIVersion string           `yaml:"apiVersion"`
	Replicas   int              `yaml:"replicas"`
	Share      float64          `yaml:"share"`
	Ports      []uint16         `yaml:"ports"`
	Enabled    bool             `yaml:"enabled"`
	Timeout    time.Duration    `yaml:"timeout"`
	Env        inner            `yaml:"environments"`
	Rules      []inner          `yaml:"rules"`
	Services   map[string]inner `yaml:"services"`
	Optional   *inner           `yaml:"optional,omitempty"`
	Command    command          `yaml:"command"`
	Any        any              `yaml:"any"`
	Hidden     string           `yaml:"-"`
	common     `yaml:",inline"`
}

// command reads its own YAML, as sandbox.Command does.
type command []string

func (c *command) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*c = strings.Fields(n.Value)
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*c = s
		return nil
	}
	return errors.New("a command is a string or a list of strings")
}

// TestDecodeErrors pins every message in testdata/errors.golden: the file,
// the line, the key path in the file's words, never a Go type name.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in string }{
		{"wrong scalar", "replicas: three\n"},
		{"unknown key near", "replica: 3\n"},
		{"unknown key far", "zzz: 1\n"},
		{"unknown nested", "environments:\n  kyes: [env]\n"},
		{"duplicate", "replicas: 1\nshare: 0.5\nreplicas: 2\n"},
		{"duplicate nested", "services:\n  web:\n    match: a\n    match: b\n"},
		{"duplicate map key", "services:\n  web: {}\n  web: {}\n"},
		{"list for scalar", "replicas: [1, 2]\n"},
		{"scalar for list", "environments:\n  keys: env\n"},
		{"scalar for mapping", "environments: prod\n"},
		{"list for mapping", "services: [a]\n"},
		{"negative uint", "ports: [80, -1]\n"},
		{"overflow uint16", "ports: [70000]\n"},
		{"bad bool", "enabled: maybe\n"},
		{"bad duration", "timeout: soon\n"},
		{"bad float", "share: half\n"},
		{"list item", "rules:\n  - keys: [a]\n  - kyes: [b]\n"},
		{"map value", "services:\n  web.1:\n    matc: x\n"},
		{"unmarshaler", "command: {a: b}\n"},
		{"unmarshaler's own decode", "command:\n  - echo\n  - {a: b}\n"},
		{"unmarshaler's own decode, nested list", "command: [[a]]\n"},
		{"inline map takes keys", "labels: {a: b}\nlabels2: x\n"},
		{"pointer", "optional:\n  keys: x\n"},
		{"many at once", "replicas: three\nshare: [1]\nenvironments:\n  keys: env\n  mach: token\nextra: 1\n"},
		{"syntax", "replicas: 3\n  share: 1\n"},
		{"tab", "replicas:\t\n\t- 1\n"},
		{"empty", ""},
		{"only comments", "# nothing\n"},
		{"null document", "~\n"},
		{"two documents", "replicas: 1\n---\nreplicas: 2\n"},
		{"merge key", "base: &b {keys: [a]}\nenvironments:\n  <<: *b\n"},
		{"complex key", "? [a, b]\n: 1\n"},
		{"root list", "- a\n"},
		{"root scalar", "hello\n"},
		{"long value", "replicas: " + strings.Repeat("x", 80) + "\n"},
		{"hidden key", "Hidden: x\n"},
	}
	var out bytes.Buffer
	for _, c := range cases {
		var v target
		err := Decode("file.yaml", []byte(c.in), &v)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: got %v, want an *Error", c.name, err)
			continue
		}
		for _, p := range e.Problems {
			if strings.Contains(p.Msg, "!!") || strings.Contains(p.Msg, "yamlfile.") || strings.Contains(p.Msg, "unmarshal") {
				t.Errorf("%s: message speaks Go or YAML internals: %s", c.name, p.Msg)
			}
		}
		fmt.Fprintf(&out, "## %s\n%s\n\n", c.name, err)
	}
	golden.Check(t, "testdata/errors.golden", out.Bytes())
}

func TestDecodeAccepts(t *testing.T) {
	t.Parallel()
	in := `apiVersion: v1
replicas: 3
share: 0.25
ports: [80, 443]
enabled: true
timeout: 30s
environments: {keys: [env, stage], match: token}
rules:
  - keys: [a]
services:
  web.1: {match: exact}
optional:
command: echo hi
any: {whatever: [1, 2]}
labels: {team: db}
anchor: &a x
`
	var v target
	err := Decode("ok.yaml", []byte(in), &v)
	// anchor is unknown: check that, then decode without it.
	if err == nil || !strings.Contains(err.Error(), "line 16: anchor: unknown key") {
		t.Fatalf("err = %v", err)
	}
	in = strings.TrimSuffix(in, "anchor: &a x\n")
	v = target{Env: inner{Match: "default"}, Optional: &inner{Match: "kept?"}}
	if err := Decode("ok.yaml", []byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if v.Replicas != 3 || v.Timeout != 30*time.Second || len(v.Ports) != 2 || v.Services["web.1"].Match != "exact" ||
		strings.Join(v.Command, " ") != "echo hi" || v.Labels["team"] != "db" || v.Optional != nil {
		t.Errorf("decoded %+v", v)
	}
}

// TestDefaultsKept: keys the file leaves out keep what *v held, so a
// policy can be decoded over the built-in one.
func TestDefaultsKept(t *testing.T) {
	t.Parallel()
	v := target{Replicas: 7, Env: inner{Match: "token", Keys: []string{"env"}}}
	if err := Decode("f.yaml", []byte("environments:\n  keys: [stage]\n"), &v); err != nil {
		t.Fatal(err)
	}
	if v.Replicas != 7 || v.Env.Match != "token" || strings.Join(v.Env.Keys, ",") != "stage" {
		t.Errorf("got %+v", v)
	}
}

func TestAliasesFollowed(t *testing.T) {
	t.Parallel()
	in := "base: &k [a, b]\n"
	type withBase struct {
		Base []string `yaml:"base"`
		Env  struct {
			Keys []int `yaml:"keys"`
		} `yaml:"environments"`
	}
	var v withBase
	err := Decode("f.yaml", []byte(in+"environments:\n  keys: *k\n"), &v)
	if err == nil || !strings.Contains(err.Error(), `line 1: environments.keys[0]: want a whole number, got "a"`) {
		t.Errorf("err = %v", err)
	}
}

// TestAliasBomb: nested anchors that expand to billions of values are
// refused after a bounded amount of work.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	var v map[string][][][][][][][][][]int
	err := Decode("bomb.yaml", []byte(b.String()), &v)
	if err == nil {
		t.Fatal("accepted an alias bomb")
	}
}

func TestProblemf(t *testing.T) {
	t.Parallel()
	in := "name: x\nexpect:\n  findings:\n    - address: a\n    - address: b\n"
	d, err := Parse("s.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path []any
		want string
	}{
		{nil, "s.yaml: line 1: whole"},
		{[]any{"name"}, "s.yaml: line 1: name: whole"},
		{[]any{"expect", "findings", 1}, "s.yaml: line 5: expect.findings[1]: whole"},
		{[]any{"expect", "findings", 1, "address"}, "s.yaml: line 5: expect.findings[1].address: whole"},
		{[]any{"expect", "decision"}, "s.yaml: line 2: expect.decision: whole"},
		{[]any{"expect", "findings", 9}, "s.yaml: line 3: expect.findings[9]: whole"},
		{[]any{"services", "web.1"}, `s.yaml: line 1: services["web.1"]: whole`},
	}
	for _, c := range cases {
		if got := d.Err(d.Problemf(c.path, "whole")).Error(); got != c.want {
			t.Errorf("%v: got %q, want %q", c.path, got, c.want)
		}
	}
	if d.Err() != nil {
		t.Error("Err() with no problems is not nil")
	}
}

// FuzzDecode: whatever the input, Decode does not panic, returns nil or an
// *Error whose every line names the file, and never accepts what yaml.v3's
// own strict decoder refuses.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"replicas: 3\n", "environments: {keys: [a]}\n", "services:\n  a: {match: x}\n",
		"ports: [1, 2]\n", "timeout: 5m\n", "command: [a, b]\n", "a: &x 1\nb: *x\n", "- 1\n", "{",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v target
		err := Decode("f.yaml", data, &v)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || len(e.Problems) == 0 {
				t.Fatalf("not an *Error with problems: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml: ") {
					t.Fatalf("line without the file: %q", line)
				}
			}
			return
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		var w target
		if err := dec.Decode(&w); err != nil {
			t.Fatalf("accepted what yaml.v3 refuses (%v):\n%s", err, data)
		}
	})
}

// TestFromNode: a part of a file already read decodes with the file's
// lines and paths that start at the part.
func TestFromNode(t *testing.T) {
	t.Parallel()
	in := "services:\n  web:\n    image: x\nx-rehearse:\n  keys: [a]\n  mach: token\n"
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(in), &root); err != nil {
		t.Fatal(err)
	}
	part := root.Content[0].Content[3]
	d, err := FromNode("compose.yaml", part, len(in))
	if err != nil {
		t.Fatal(err)
	}
	var v inner
	err = d.Decode(&v)
	if want := "compose.yaml: line 6: mach: unknown key; did you mean match?"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if KeyPath("x-rehearse", "services", "web.1", 0) != `x-rehearse.services["web.1"][0]` {
		t.Errorf("KeyPath = %s", KeyPath("x-rehearse", "services", "web.1", 0))
	}
	dup := "a: 1\nb:\n  c: 1\n  c: 2\n"
	if err := yaml.Unmarshal([]byte(dup), &root); err != nil {
		t.Fatal(err)
	}
	if _, err := FromNode("f.yaml", &root, len(dup)); err == nil || !strings.Contains(err.Error(), "line 4: b.c: key given twice") {
		t.Errorf("duplicate under the node: %v", err)
	}
}
