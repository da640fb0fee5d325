package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/rehearse-dev/rehearse/report"
)

// TestCITemplates checks that the CI templates under examples/ci are valid
// YAML, have the parts their README section promises, and call rehearse
// only with commands and flags that exist, so a renamed flag cannot leave a
// template that fails in someone's pipeline.
func TestCITemplates(t *testing.T) {
	tests := []struct {
		file  string
		parts []string // paths of keys or values that must be in the file
	}{
		{"github-actions.yml", []string{"github/codeql-action/upload-sarif", report.MarkdownMarker, "steps.rehearse.outputs.exit", "--output sarif=", "--output markdown=", "--output junit="}},
		{"gitlab-ci.yml", []string{"reports", "junit", "--output junit="}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("..", "..", "examples", "ci", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(b, &doc); err != nil {
				t.Fatalf("not valid YAML: %v", err)
			}
			var strs []string
			scalars(&doc, &strs)
			all := strings.Join(strs, "\n")
			for _, p := range tt.parts {
				if !strings.Contains(all, p) {
					t.Errorf("%s has no %q", tt.file, p)
				}
			}
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
			if calls == 0 {
				t.Error("no rehearse invocation found: the check would prove nothing")
			}
		})
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
