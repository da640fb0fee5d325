package terraform

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoStateChangingCommands fails if any Go file of this package refers to
// a tfexec method or option that changes infrastructure or state, or if the
// runner's own files pass such a subcommand to a process directly. The names
// are assembled so that this file does not match itself.
func TestNoStateChangingCommands(t *testing.T) {
	forbidden := map[string]bool{}
	for _, n := range []string{"App" + "ly", "Dest" + "roy", "Imp" + "ort", "State" + "Rm", "State" + "Mv", "Tai" + "nt", "Untai" + "nt"} {
		forbidden[n] = true
		forbidden[n+"JSON"] = true
	}
	subcommands := map[string]bool{}
	for _, s := range []string{"app" + "ly", "dest" + "roy", "imp" + "ort", "tai" + "nt", "untai" + "nt", "st" + "ate", "for" + "ce-unlock", "work" + "space"} {
		subcommands[s] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files: %v", err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		runner := !strings.HasSuffix(name, "_test.go") && !strings.HasPrefix(name, "read") &&
			(strings.HasPrefix(name, "run") || strings.HasPrefix(name, "discover") || strings.HasPrefix(name, "isolate") || strings.HasPrefix(name, "version"))
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if forbidden[n.Sel.Name] {
					t.Errorf("%s: refers to .%s: rehearse may only run version, init, plan and show", fset.Position(n.Pos()), n.Sel.Name)
				}
			case *ast.BasicLit:
				if s, err := strconv.Unquote(n.Value); err == nil && n.Kind == token.STRING && runner && subcommands[s] {
					t.Errorf("%s: string %q looks like a state-changing subcommand", fset.Position(n.Pos()), s)
				}
			}
			return true
		})
	}
	// Guard the guard: it must see the tfexec calls it exists to police.
	src, err := os.ReadFile("run_cli.go")
	if err != nil || !strings.Contains(string(src), "c.tf.Plan(") {
		t.Fatalf("run_cli.go no longer calls tfexec Plan; update this test: %v", err)
	}
}
