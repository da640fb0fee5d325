package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/report"
)

// TestCITemplates checks that the CI templates under examples/ci and the
// Action are valid YAML, have the parts their README section promises, and
// call rehearse only with commands and flags that exist, so a renamed flag
// cannot leave a template that fails in someone's pipeline.
func TestCITemplates(t *testing.T) {
	tests := []struct {
		file  string
		parts []string // keys or values that must be in the file
		calls bool     // the file runs rehearse itself
	}{
		{"examples/ci/github-actions.yml", []string{"github/codeql-action/upload-sarif", "uses: rehearse-dev/rehearse@", "steps.rehearse.outputs.sarif", "fetch-depth"}, false},
		{"action.yml", []string{report.MarkdownMarker, "steps.rehearse.outputs.exit", "--output \"sarif=", "--output \"markdown=", "--output \"junit=", "--output \"json="}, true},
		{"examples/ci/gitlab-ci.yml", []string{"reports", "junit", "--output junit=", "--comment-limit gitlab"}, true},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("not valid YAML: %v", err)
			}
			for _, p := range tt.parts {
				if !strings.Contains(string(b), p) {
					t.Errorf("%s has no %q", tt.file, p)
				}
			}
			var strs []string
			scalars(&doc, &strs)
			calls := 0
			for _, s := range strs {
				for _, line := range shellLines(s) {
					args := shellWords(line)
					if len(args) < 2 || args[0] != "rehearse" { // a lone "rehearse" is a job or step name
						continue
					}
					calls++
					checkInvocation(t, args[1:])
				}
			}
			if tt.calls && calls == 0 {
				t.Error("no rehearse invocation found: the check would prove nothing")
			}
		})
	}
}

// gitlabSchemaPath is GitLab's published CI schema (gitlab-org/gitlab,
// app/assets/javascripts/editor/schema/ci.json), kept next to the
// repository, not in it, like the SARIF schema (see
// ../shared/schemas/README.md); REHEARSE_GITLAB_CI_SCHEMA overrides.
func gitlabSchemaPath() string {
	if p := os.Getenv("REHEARSE_GITLAB_CI_SCHEMA"); p != "" {
		return p
	}
	return filepath.Join("..", "..", "..", "shared", "schemas", "gitlab-ci.json")
}

// TestGitLabCISchema validates the GitLab template against GitLab's own
// schema, the one its pipeline editor uses, and checks the schema refuses
// a misspelt key, so the check can fail.
func TestGitLabCISchema(t *testing.T) {
	path := gitlabSchemaPath()
	if _, err := os.Stat(path); err != nil {
		t.Skipf("GitLab CI schema not found (%v); set REHEARSE_GITLAB_CI_SCHEMA", err)
	}
	sch, err := jsonschema.NewCompiler().Compile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(t *testing.T, b []byte) any {
		t.Helper()
		var v any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		d, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", "gitlab-ci.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc(t, b)); err != nil {
		t.Errorf("examples/ci/gitlab-ci.yml: %v", err)
	}
	bad := bytes.Replace(b, []byte("  script:"), []byte("  scrpt:"), 1)
	if sch.Validate(doc(t, bad)) == nil {
		t.Error("the schema accepted a job with scrpt: the check proves nothing")
	}
}

// scalars collects every scalar (keys and values) of a YAML tree.
func scalars(n *yaml.Node, out *[]string) {
	if n.Kind == yaml.ScalarNode {
		*out = append(*out, n.Value)
	}
	for _, c := range n.Content {
		scalars(c, out)
	}
}

// shellLines joins backslash continuations and splits a script into lines.
func shellLines(s string) []string {
	return strings.Split(strings.ReplaceAll(s, "\\\n", " "), "\n")
}

// shellWords splits a command line as sh would for simple quoting, enough
// for the templates.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote := false, rune(0)
	for _, r := range strings.TrimSpace(line) {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case r == '#' && !in:
			return words
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// checkInvocation resolves the subcommand in the real command tree and
// checks every flag, and the format of --format and --output.
func checkInvocation(t *testing.T, args []string) {
	t.Helper()
	root := newRootCmd(streams{in: strings.NewReader(""), out: io.Discard, err: io.Discard})
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Errorf("rehearse %s: no such command (%v)", strings.Join(args, " "), err)
		return
	}
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, val, hasVal := strings.Cut(a[2:], "=")
		f := lookupFlag(cmd, name)
		if f == nil {
			t.Errorf("%s: unknown flag --%s", cmd.CommandPath(), name)
			continue
		}
		if !hasVal && f.Value.Type() != "bool" && i+1 < len(rest) {
			i++
			val = rest[i]
		}
		switch name {
		case "format":
			if _, err := report.ParseFormat(val); err != nil {
				t.Errorf("--format %s: %v", val, err)
			}
		case "output":
			format, _, _ := strings.Cut(val, "=")
			if _, err := report.ParseFormat(format); err != nil {
				t.Errorf("--output %s: %v", val, err)
			}
		}
	}
}

func lookupFlag(cmd *cobra.Command, name string) *pflag.Flag {
	if f := cmd.Flags().Lookup(name); f != nil {
		return f
	}
	return cmd.InheritedFlags().Lookup(name)
}
